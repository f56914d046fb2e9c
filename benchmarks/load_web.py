"""Load test of ``matcal serve`` (issue 10): a bounded run of mixed requests from concurrent
clients against a local server on 127.0.0.1, reporting throughput, latency percentiles and
failures per kind of input.

The mix, drawn with a fixed seed: **easy** — the seed examples as the page sends them
(derivative, steps and code); **hard** — long products with a Hessian and their steps, each
one distinct (no cached answer); **invalid** — syntax, shape and option errors, each of
which must be answered with its error; **over-length** — an expression over the 2,000
characters the page takes. A request fails when it gets no answer within 60 s, a connection
error, or an answer other than the expected one (a derivative for easy and hard, the error
for invalid and over-length). The server runs with its default workers (2) and time limit.

``python benchmarks/load_web.py [--requests 2000] [--clients 32] [--json PATH]``
(needs the web extra: ``pip install -e '.[web]'``).
"""

from __future__ import annotations

import argparse
import json
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEEDS = json.loads((REPO / "examples" / "seeds.json").read_text())
EASY = [{"expression": s["expr"], "wrt": s["wrt"], "types": s["types"]}
        for s in SEEDS if "over" not in s["expr"]]
INVALID = [({"expression": "tr(A*X"}, "ParseError"), ({"expression": "x*y", "wrt": "x"},
                                                        "ShapeError"),
           ({"expression": "tr(X)", "method": "guess"}, "OptionsError"),
           ({"expression": "trace(X)"}, "ParseError"), ({"expression": "tr(X)", "order": 99},
                                                         "OptionsError")]
KINDS = (("easy", 0.70), ("hard", 0.10), ("invalid", 0.15), ("over-length", 0.05))


def request_for(kind: str, n: int, rng: random.Random) -> tuple[dict, str | None]:
    """(the request, the error kind expected, None for a derivative)."""
    if kind == "easy":
        return rng.choice(EASY), None
    if kind == "hard":
        k = 4 + n % 5
        chain = "*".join(f"A{i}*X" for i in range(k))
        return {"expression": f"{n}*tr({chain})", "wrt": "X", "order": 2}, None
    if kind == "invalid":
        return rng.choice(INVALID)
    return {"expression": "+".join(["x"] * 1100)}, "OptionsError"


def post(url: str, body: dict, timeout: float = 60.0) -> tuple[int, dict]:
    data = json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))] if xs else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args()
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "matcal", "serve", "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/api/health", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            print("the server did not start:", server.stderr.read() if server.stderr else "")
            return 1
        rng = random.Random(0)
        plan = []
        for n in range(args.requests):
            kind = rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0]
            plan.append((kind, *request_for(kind, n, rng)))
        results: list[tuple[str, float, bool, str]] = []
        lock = threading.Lock()
        todo = iter(plan)

        def client() -> None:
            while True:
                with lock:
                    item = next(todo, None)
                if item is None:
                    return
                kind, body, expected = item
                start = time.perf_counter()
                try:
                    status, answer = post(base + "/api/derive", body)
                    if expected is None:
                        ok, why = status == 200 and "derivative" in answer, str(status)
                    else:
                        got = answer.get("error", {}).get("kind")
                        ok, why = got == expected and status in (400, 413), f"{status} {got}"
                except Exception as err:  # noqa: BLE001 - a failure is what we count
                    ok, why = False, f"{type(err).__name__}: {err}"
                with lock:
                    results.append((kind, time.perf_counter() - start, ok, why))

        start = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start
    finally:
        server.terminate()
        server.wait(timeout=10)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=REPO).stdout.strip() or "?"
    failures = [r for r in results if not r[2]]
    print(f"At commit {commit}: {len(results)} requests from {args.clients} concurrent clients "
          f"in {elapsed:.1f} s — {len(results) / elapsed:.0f} requests/s, "
          f"{len(failures)} failed or hung.\n")
    print("| input | requests | p50 | p95 | p99 | max | failed |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    table = {}
    for kind, _ in KINDS:
        times = [r[1] * 1e3 for r in results if r[0] == kind]
        bad = sum(1 for r in results if r[0] == kind and not r[2])
        table[kind] = {"n": len(times), "p50": pct(times, .5), "p95": pct(times, .95),
                       "p99": pct(times, .99), "max": max(times, default=float("nan")),
                       "failed": bad}
        t = table[kind]
        print(f"| {kind} | {t['n']} | {t['p50']:.0f} ms | {t['p95']:.0f} ms | {t['p99']:.0f} ms "
              f"| {t['max']:.0f} ms | {bad} |")
    easy95 = table["easy"]["p95"]
    answered = not table["invalid"]["failed"] and not table["over-length"]["failed"]
    print(f"\nTargets: 0 failed or hung requests — {'met' if not failures else '**missed**'} "
          f"({len(failures)}); every invalid input answered with its error — "
          f"{'met' if answered else '**missed**'}; "
          f"p95 under 100 ms for the seed examples — "
          f"{'met' if easy95 < 100 else '**missed**'} ({easy95:.0f} ms).")
    for kind, _, _, why in failures[:10]:
        print(f"  failed: {kind}: {why}")
    if args.json:
        Path(args.json).write_text(json.dumps({"commit": commit, "elapsed": elapsed,
                                               "table": table}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
