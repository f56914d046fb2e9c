"""Sanity of the benchmark's case table (benchmarks/bench_gradients.py) — correctness only.

Every seed case with a gradient has a SymPy translation, the translation builds with the
example shapes, and matcal's gradient of the case agrees with central finite differences
(``matcal.check_gradient``) at the benchmark's values. No timing is asserted here.
"""

import importlib.util
import sys
from pathlib import Path

import pytest

pytest.importorskip("sympy")

import matcal  # noqa: E402

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_gradients.py"


def _load_benchmark():
    spec = importlib.util.spec_from_file_location("bench_gradients", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


bench = _load_benchmark()
CASES = bench.load_cases()


def test_seed_cases_are_found():
    assert CASES, "no seed case with a gradient"


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_every_case_has_a_sympy_translation(case):
    """matcal.to_sympy translates every case, at its example shapes, with its variable."""
    expr, wrt = bench.sympy_problem(case)
    assert wrt in expr.free_symbols


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_matcal_gradient_matches_finite_differences(case):
    values = bench.sample_values(case, seed=1)
    error = matcal.check_gradient(case["expr"], case["wrt"], case["types"], values=values, seed=1)
    assert error < 1e-8
