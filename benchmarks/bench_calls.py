"""Benchmark: the cost of one call, against the targets of issue 12 (item 8).

Two measurements, each printed beside its target with "met" or "missed by N %":

- **CLI call**: the wall time of ``matcal "tr(A*X*B)" --wrt X`` as a new process (the console
  script of this environment), start-up and imports included; median over ``--cli-repeat``
  runs. Target 0.3 s.
- **Text → printed gradient**: ``str(matcal.gradient(expr, wrt, types))``, parsing included,
  median per case over ``--repeat`` calls after one warm-up, then the median over the seed
  cases (``examples/seeds.json``) and the Matrix Cookbook cases of ``tests/test_cookbook.py``.
  Target 0.5 ms. The parse alone (``matcal.parse``) is timed the same way, to show where the
  time goes.

BLAS and OpenMP threads are pinned to one (``OMP_NUM_THREADS=1`` etc., set before NumPy is
imported). It is a benchmark, not a test: nothing here asserts a speed.
``python benchmarks/bench_calls.py [--repeat 30] [--cli-repeat 15] [--json PATH]``.
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"

import argparse  # noqa: E402 - the thread variables must be set before NumPy loads
import json  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from importlib import metadata  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "benchmarks"), str(REPO / "tests")]

import matcal  # noqa: E402
from bench_gradients import load_cases, median_ms  # noqa: E402
from test_cookbook import COOKBOOK  # noqa: E402

CLI_TARGET_S = 0.3
CALL_TARGET_MS = 0.5
CLI_ARGS = ["tr(A*X*B)", "--wrt", "X"]


def cases() -> list[tuple[str, str, str, dict | None]]:
    """(source, expression, variable, types) of every seed and Cookbook case."""
    out = [(f"seed {c['id']}", c["expr"], c["wrt"], c["types"]) for c in load_cases()]
    for param in COOKBOOK:
        expr, wrt, types = param.values[:3]
        out.append((param.id, expr, wrt, types))
    return out


def cli_seconds(repeat: int) -> float:
    """Median wall time of one ``matcal`` process on :data:`CLI_ARGS`."""
    exe = shutil.which("matcal", path=str(Path(sys.executable).parent)) or shutil.which("matcal")
    command = [exe, *CLI_ARGS] if exe else [sys.executable, "-m", "matcal", *CLI_ARGS]
    times = []
    for _ in range(repeat + 1):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])


def verdict(value: float, target: float) -> str:
    if value <= target:
        return "met"
    return f"missed by {100 * (value / target - 1):.0f} %"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30, help="timed calls per case (30)")
    parser.add_argument("--cli-repeat", type=int, default=15, help="timed CLI runs (15)")
    parser.add_argument("--json", type=Path, default=None, metavar="PATH")
    args = parser.parse_args(argv)

    rows = []
    for source, expr, wrt, types in cases():
        try:
            total = median_ms(lambda: str(matcal.gradient(expr, wrt, types)), args.repeat)
            parse = median_ms(lambda: matcal.parse(expr, types), args.repeat)
        except matcal.MatcalError as exc:
            print(f"skipped {source}: {exc}", file=sys.stderr)
            continue
        rows.append({"case": source, "gradient_ms": total, "parse_ms": parse})
    call_ms = statistics.median(r["gradient_ms"] for r in rows)
    parse_ms = statistics.median(r["parse_ms"] for r in rows)
    cli_s = cli_seconds(args.cli_repeat)

    print(f"matcal {metadata.version('matcal')}, Python {sys.version.split()[0]}, "
          "threads pinned to 1")
    print(f"{'measurement':<52} | {'median':>9} | {'target':>8} | verdict")
    print("-" * 90)
    cli_label = 'CLI call: matcal "tr(A*X*B)" --wrt X (new process)'
    print(f"{cli_label:<52} | "
          f"{cli_s:>7.3f} s | {CLI_TARGET_S:>6.1f} s | {verdict(cli_s, CLI_TARGET_S)}")
    print(f"{f'text -> printed gradient, {len(rows)} seed + Cookbook cases':<52} | "
          f"{call_ms:>6.3f} ms | {CALL_TARGET_MS:>5.1f} ms | {verdict(call_ms, CALL_TARGET_MS)}")
    print(f"{'  of which parsing (matcal.parse)':<52} | {parse_ms:>6.3f} ms | {'':>8} |")
    if args.json is not None:
        args.json.write_text(json.dumps({
            "cli_s": cli_s, "call_ms": call_ms, "parse_ms": parse_ms, "cases": rows,
            "targets": {"cli_s": CLI_TARGET_S, "call_ms": CALL_TARGET_MS}}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
