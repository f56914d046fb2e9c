"""Run the ``matcal`` command on every seed case and compare with the seed's own answer.

For each case of ``seeds.json`` (beside this file) with a known gradient, this runs the real
command line, ``python -m matcal EXPR --wrt X --types ... --check``, as a subprocess and
prints the case, the gradient matcal printed, the seed's answer and the numerical check.
A case passes when the command exits 0 (so its finite-difference check is within
tolerance) and the printed gradient equals the seed's answer: the same text, or the same
value at random values of the seed's example sizes. Traa's example 4, which the case file
leaves without an answer because it needs index notation, runs in matcal's index syntax
(``WRITTEN``) against eq. 46. Cases without a known gradient are listed as skipped.

Usage: ``python examples/run_seeds.py`` (exit status 1 if any case fails).
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import sys
from pathlib import Path

import numpy as np

import matcal

SEEDS = Path(__file__).with_name("seeds.json")

WRITTEN = {
    # Traa's example 4 (eq. 42-46) in the input language: a sum over the rows B[k,:] of B.
    # Eq. 46 stacks the rows r_k = 1'*(((V./(A*diag(B_k: X)*C))'*A).*C') and multiplies by
    # B', which is the sum over k of the outer products B[k,:]'*r_k.
    "traa-46": (
        "sum(k, tr(V'*log(A*diag(B[k,:]*X)*C)))",
        "sum(k, B[k,:]'*(vector(1)'*(((V./(A*diag(B[k,:]*X)*C))'*A).*C')))",
    ),
}
"""Seed cases whose note says they need index notation, written in matcal's index syntax."""
TOLERANCE = 1e-8


def random_values(case: dict, rng: np.random.Generator) -> dict:
    """Values of the case's example sizes; entries in [0.5, 1.5] for names listed positive."""
    values = {}
    for name, shape in case["example_shapes"].items():
        if name in case.get("positive", []):
            values[name] = rng.uniform(0.5, 1.5, shape)
        else:
            values[name] = rng.standard_normal(shape)
    return values


def agreement(case: dict, printed: str) -> tuple[bool, str]:
    """Does the printed gradient equal the seed's answer? (verdict, how it was decided)"""
    expected = case["gradient"]
    if printed == expected:
        return True, "same text"
    types = case["types"]
    rng = np.random.default_rng(0)
    worst = 0.0
    for _ in range(3):
        values = random_values(case, rng)
        ours = np.asarray(matcal.evaluate(printed, values, types))
        theirs = np.asarray(matcal.evaluate(expected, values, types))
        scale = max(np.max(np.abs(ours)), np.max(np.abs(theirs)), 1e-12)
        worst = max(worst, float(np.max(np.abs(ours - theirs)) / scale))
    return worst <= TOLERANCE, f"same value, relative difference {worst:.1e}"


def run_case(case: dict) -> bool:
    types = ",".join(f"{name}:{kind}" for name, kind in case["types"].items())
    command = [sys.executable, "-m", "matcal", case["expr"], "--wrt", case["wrt"],
               "--types", types, "--check", "--seed", "0"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    lines = done.stdout.splitlines()
    printed = lines[0] if lines else ""
    check = next((line for line in lines if line.startswith("check:")), "check: (none)")

    print(f"{case['id']}  ({case['source']})")
    print(f"  expression  {case['expr']}   wrt {case['wrt']}")
    print(f"  gradient    {printed}")
    print(f"  seed        {case['gradient']}")
    print(f"  {check}")
    ok = done.returncode == 0 and check != "check: (none)"
    if not ok:
        print(f"  FAILED: matcal exited with status {done.returncode}")
        for line in done.stderr.splitlines():
            print(f"    {line}")
        return False
    try:
        same, how = agreement(case, printed)
    except matcal.MatcalError as err:
        same, how = False, f"cannot compare: {err}"
    print(f"  {'ok' if same else 'FAILED'}: {how}")
    return same and run_generated(case, types)


def run_generated(case: dict, types: str) -> bool:
    """``matcal ... --code numpy`` writes a module; running it checks the generated value and
    gradient against central differences."""
    command = [sys.executable, "-m", "matcal", case["expr"], "--wrt", case["wrt"],
               "--types", types, "--code", "numpy"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        print(f"  FAILED: --code numpy exited with status {done.returncode}: {done.stderr}")
        return False
    with tempfile.TemporaryDirectory() as folder:
        module = Path(folder) / "generated.py"
        module.write_text(done.stdout)
        run = subprocess.run([sys.executable, str(module)], capture_output=True, text=True,
                             timeout=300)
    report = (run.stdout.strip().splitlines() or ["(no output)"])[-1]
    print(f"  code        --code numpy: {report}")
    return run.returncode == 0


def main() -> int:
    cases = json.loads(SEEDS.read_text())
    passed, failed, skipped = [], [], []
    for case in cases:
        if case["id"] in WRITTEN and case.get("gradient") is None:
            case = {**case, "expr": WRITTEN[case["id"]][0], "gradient": WRITTEN[case["id"]][1]}
        if case.get("gradient") is None:
            skipped.append(case)
            continue
        (passed if run_case(case) else failed).append(case["id"])
        print()
    for case in skipped:
        print(f"{case['id']}  ({case['source']})  SKIPPED: {case.get('note', 'no known answer')}")
        print(f"  expression  {case['expr']}")
        print()
    print(f"{len(passed)} passed, {len(failed)} failed, {len(skipped)} skipped")
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
