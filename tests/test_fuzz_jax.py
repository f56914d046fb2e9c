"""Differential fuzzing against JAX in the test suite (issue 7's safety net).

Hypothesis draws random well-typed expressions over the whole input language
(tests/jax_reference.py) with a variable, an order and values; matcal's value, derivative and
printed-then-parsed derivative must agree with JAX's independent translation
(``jax.jacobian`` / ``jax.hessian``, float64) — or matcal must refuse with a clear error.
Every rewrite rule that fires is value-checked as it fires. ``benchmarks/fuzz.py`` runs the
same cases at scale; MATCAL_FUZZ_EXAMPLES sets how many run here (300 by default).
"""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("JAX_PLATFORMS", "cpu")
pytest.importorskip("jax")

from hypothesis import HealthCheck, Phase, given, note, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from differential import draw_case, run_case  # noqa: E402
from jax_reference import DrawSource  # noqa: E402
from matcal.numeric.rewrite_check import checking_rewrites  # noqa: E402

FUZZ = settings(
    deadline=None, derandomize=True, database=None,
    max_examples=int(os.environ.get("MATCAL_FUZZ_EXAMPLES", 300)),
    phases=[Phase.explicit, Phase.generate] + ([Phase.shrink] if os.environ.get("MATCAL_SHRINK")
                                               else []),
    suppress_health_check=list(HealthCheck),
)


@FUZZ
@given(st.data())
def test_matcal_agrees_with_jax(data):
    """matcal is right, or refuses clearly: never wrong, never a crash, never text that does
    not parse back to the same value, never over the time limit."""
    case = draw_case(DrawSource(data))
    note(case.describe())
    with checking_rewrites():
        outcome = run_case(case, timeout=20.0)
    note(f"{outcome.kind}: {outcome.detail[:2000]}")
    assert outcome.kind in ("correct", "refused", "skipped"), (
        f"{outcome.kind}: {case.describe()}\n{outcome.detail[:2000]}")
