"""Differential fuzzing of matcal against JAX at scale, with a table of outcomes.

    pip install -e '.[test]'          # JAX comes with the test extra
    python benchmarks/fuzz.py --n 10000 --seed 0 [--depth 4] [--timeout 10] [--show 20]

Each case is a random well-typed expression over the whole input language, a variable, an
order and values (tests/jax_reference.py, tests/differential.py); matcal's value, derivative
and printed-and-parsed-back derivative are compared with JAX's ``jax.jacobian`` /
``jax.hessian`` in float64. The table counts correct, wrong, refused with a clear error,
crashed, too slow, parse-back mismatches and skipped (reference not finite, or a non-smooth
function at its kink); the first cases of each bad kind are listed, and ``--out FILE.json``
keeps all of them. The exit status is 1 when any case is wrong, crashed or a parse-back
mismatch.
"""

from __future__ import annotations

import argparse
import collections
import json
import multiprocessing
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("JAX_PLATFORMS", "cpu")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import numpy as np  # noqa: E402

from differential import OUTCOMES, draw_case, run_case  # noqa: E402
from jax_reference import RandomSource  # noqa: E402

BAD = ("wrong", "crashed", "parse-back", "too slow")


def _share(args, job: int, jobs: int) -> list[tuple]:
    """Cases job, job + jobs, job + 2·jobs, … of the one sequence the seed draws (every worker
    draws them all, cheaply, and runs its share), as (number, outcome, case, detail, seconds)."""
    source = RandomSource(np.random.default_rng(args.seed))
    rows = []
    for n in range(args.n):
        case = draw_case(source, args.depth)
        if n % jobs != job:
            continue
        outcome = run_case(case, args.timeout)
        rows.append((n, outcome.kind, case.describe(), outcome.detail, outcome.seconds))
        if args.progress and len(rows) % 500 == 0:
            print(f"  worker {job}: {len(rows)} cases", file=sys.stderr, flush=True)
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000, help="number of cases")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--depth", type=int, default=4, help="largest nesting depth")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per case")
    parser.add_argument("--show", type=int, default=10, help="cases listed per bad kind")
    parser.add_argument("--out", type=Path, help="write every non-correct case as JSON")
    parser.add_argument("--progress", action="store_true", help="a line every 500 cases")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="worker processes (the same cases and table as one)")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    jobs = max(1, args.jobs)
    if jobs == 1:
        results = [_share(args, 0, 1)]
    else:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            results = pool.starmap(_share, [(args, j, jobs) for j in range(jobs)])
    rows = sorted((row for part in results for row in part), key=lambda r: r[0])
    counts: collections.Counter = collections.Counter()
    bad: dict[str, list[dict]] = collections.defaultdict(list)
    reasons: collections.Counter = collections.Counter()
    slowest = 0.0
    for _, kind, described, detail, seconds in rows:
        counts[kind] += 1
        slowest = max(slowest, seconds)
        if kind == "refused":
            reasons[detail[:70]] += 1
        if kind != "correct":
            cut = detail if len(detail) <= 600 else detail[:600] + " …"  # a readable cut
            bad[kind].append({"case": described, "detail": cut})
    elapsed = time.perf_counter() - start

    print(f"matcal against JAX: {args.n} random cases, seed {args.seed}, depth {args.depth}, "
          f"{elapsed:.0f} s with {jobs} worker(s) (slowest case {slowest:.2f} s)\n")
    print("| outcome | cases |")
    print("|---|---:|")
    for kind in OUTCOMES:
        print(f"| {kind} | {counts[kind]} |")
    for kind in BAD:
        for item in bad[kind][: args.show]:
            print(f"\n{kind}: {item['case']}\n    {item['detail']}")
    if reasons:
        print("\nmost common refusals:")
        for reason, k in reasons.most_common(8):
            print(f"  {k:5d}  {reason}")
    if args.out:
        args.out.write_text(json.dumps(bad, indent=1))
    return 1 if any(counts[k] for k in ("wrong", "crashed", "parse-back")) else 0


if __name__ == "__main__":
    sys.exit(main())
