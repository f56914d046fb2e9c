"""The worked examples of the two seed notes (Traa, seed 000; Ang, seed 001) as tests.

The cases live in ``examples/seeds.json`` (a copy of the shared ``cases/seeds.json``). For
every case with a closed-form answer, at the case's own example shapes:

(a) matcal's gradient matches central finite differences (``check_gradient < 1e-8``);
(b) matcal's gradient has the value of the seed's answer, parsed from the seed's text.
    Traa eq. 21 has a typo in the note (its first term needs Aᵀ, not A); the case file
    carries the corrected text, and a separate test shows the note's literal answer is
    numerically wrong;
(c) matcal's printed gradient is no longer (in tokens) than the seed's answer.

Values: entries uniform in [0.5, 1.5] for the names a case lists as ``positive`` (log's
domain), standard normal otherwise; square matrices are shifted by n·I.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

import matcal
from matcal.printing.text import token_count

ROOT = Path(__file__).parents[1]
EXAMPLES = ROOT / "examples" / "seeds.json"
SHARED_SHA256 = "68f1931ab006071a245a243c057a40ae73ae6a46aa77685c3dc0df481fdea9bd"
"""SHA-256 of the shared ``cases/seeds.json`` as copied to examples/seeds.json."""
SEEDS = (0, 1, 2)
TOL = 1e-8

TRAA_20_TYPO = "traa-20"
TRAA_20_CORRECTED = (
    "A'*C'*X'*X*C'*B'*X + B*C*X'*X*C*A*X + X*C*A*X*X'*B*C + X*C'*B'*X*X'*A'*C'"
)
"""Traa eq. 21 with its first term fixed: (A)ᵀ(XᵀBCXᵀXC)ᵀ of eq. 20 is AᵀCᵀXᵀXCᵀBᵀX."""
NOTE_EQ_21 = "A*C'*X'*X*C'*B'*X + B*C*X'*X*C*A*X + X*C*A*X*X'*B*C + X*C'*B'*X*X'*A'*C'"
"""Traa eq. 21 as printed in the note (seed 000): first term ACᵀXᵀXCᵀBᵀX."""


def load_cases() -> list[dict]:
    cases = json.loads(EXAMPLES.read_text(encoding="utf-8"))
    assert cases, f"no cases in {EXAMPLES}"
    return cases


CASES = load_cases()
SOLVED = [c for c in CASES if c["gradient"] is not None]


def draw(case: dict, seed: int) -> dict:
    """Values at the case's example shapes (see the module docstring)."""
    rng = np.random.default_rng(seed)
    positive = set(case.get("positive", []))
    values = {}
    for name, shape in case["example_shapes"].items():
        shape = tuple(shape)
        v = rng.uniform(0.5, 1.5, shape) if name in positive else rng.standard_normal(shape)
        if len(shape) == 2 and shape[0] == shape[1]:
            v = v + shape[0] * np.eye(shape[0])
        values[name] = float(v) if not shape else v
    return values


def relative_error(a, b) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert a.shape == b.shape, (a.shape, b.shape)
    scale = max(np.max(np.abs(a)), np.max(np.abs(b)), 1e-12)
    return float(np.max(np.abs(a - b)) / scale)


def value_of(text_or_expr, case: dict, values: dict):
    return matcal.evaluate(text_or_expr, values, case["types"])


def ids(cases):
    return [c["id"] for c in cases]


def test_the_seed_cases_are_loaded():
    """Every worked example of the seed notes is here, and all but eq. 46 have an answer."""
    assert len(CASES) >= 14
    assert {c["id"] for c in CASES} >= {
        "traa-09", "traa-12", "traa-17", "traa-20", "traa-24a", "traa-24b", "traa-27",
        "traa-28", "traa-31", "traa-34", "traa-41", "ang-ls", "ang-logdet", "traa-46",
    }
    assert [c["id"] for c in CASES if c["gradient"] is None] == ["traa-46"]


def test_examples_copy_is_the_shared_cases_unchanged():
    """examples/seeds.json ships the shared cases (``cases/seeds.json``) unchanged: its bytes
    hash to what the shared file hashed to when it was copied. The test reads only the repo's
    own copy, so it runs everywhere; when the shared cases change, copy them again and update
    the hash."""
    digest = hashlib.sha256(EXAMPLES.read_bytes()).hexdigest()
    assert digest == SHARED_SHA256, "examples/seeds.json differs from the shared cases"


@pytest.mark.parametrize("case", SOLVED, ids=ids(SOLVED))
def test_seed_gradient_matches_central_differences(case):
    """(a) check_gradient < 1e-8 at the case's example shapes, three fixed seeds."""
    for seed in SEEDS:
        values = draw(case, seed)
        err = matcal.check_gradient(case["expr"], case["wrt"], case["types"], values=values,
                                    seed=seed)
        assert err < TOL, (case["id"], seed, err)


@pytest.mark.parametrize("case", SOLVED, ids=ids(SOLVED))
def test_seed_gradient_has_the_value_of_the_seed_answer(case):
    """(b) matcal's gradient and the seed's own answer text agree in value."""
    g = matcal.gradient(case["expr"], case["wrt"], case["types"])
    for seed in SEEDS:
        values = draw(case, seed)
        err = relative_error(value_of(g, case, values), value_of(case["gradient"], case, values))
        assert err < TOL, (case["id"], seed, err)


def test_traa_eq_21_has_a_typo_and_the_corrected_answer_matches():
    """(b) for Traa eq. 19-21, ∂tr(AXXᵀBCXᵀXC)/∂X: the note's eq. 21 prints the first term
    as ACᵀXᵀXCᵀBᵀX, but eq. 20 gives (A)ᵀ(XᵀBCXᵀXC)ᵀ = AᵀCᵀXᵀXCᵀBᵀX. The case file carries
    the corrected answer; the note's literal one is numerically wrong (and, at the case's
    non-square example shapes, not even well-shaped)."""
    (case,) = [c for c in CASES if c["id"] == TRAA_20_TYPO]
    assert case["gradient"] == TRAA_20_CORRECTED
    g = matcal.gradient(case["expr"], case["wrt"], case["types"])
    with pytest.raises(matcal.MatcalError):
        value_of(NOTE_EQ_21, case, draw(case, 0))
    square = {**case, "example_shapes": {"A": [3, 3], "X": [3, 3], "B": [3, 3], "C": [3, 3]}}
    for seed in SEEDS:
        values = draw(square, seed)
        right = value_of(g, square, values)
        assert relative_error(right, value_of(TRAA_20_CORRECTED, square, values)) < TOL
        assert relative_error(right, value_of(NOTE_EQ_21, square, values)) > 1e-3


@pytest.mark.parametrize("case", SOLVED, ids=ids(SOLVED))
def test_seed_gradient_is_no_longer_than_the_seed_answer(case):
    """(c) matcal's printed gradient has at most as many tokens as the seed's answer."""
    got = str(matcal.gradient(case["expr"], case["wrt"], case["types"]))
    assert token_count(got) <= token_count(case["gradient"]), (got, case["gradient"])


def test_traa_example_4_in_index_notation_equals_eq_46():
    """Traa eq. 42-46: f = Σ_k tr(Vᵀ log(A diag(B_k: X) C)); ∂f/∂X = Bᵀ [r_1; …; r_K] with
    r_k = 1ᵀ(((V ⊘ (A diag(B_k: X) C))ᵀ A) ⊙ Cᵀ) — computed here with NumPy, row by row."""
    text = "sum(k, tr(V'*log(A*diag(B[k,:]*X)*C)))"
    g = matcal.gradient(text, "X")
    rng = np.random.default_rng(7)
    V, A, B, X, C = (rng.uniform(0.5, 1.5, s) for s in [(3, 5), (3, 4), (6, 2), (2, 4), (4, 5)])
    values = dict(V=V, A=A, B=B, X=X, C=C)
    rows = [np.ones(5) @ (((V / (A @ np.diag(B[k] @ X) @ C)).T @ A) * C.T) for k in range(6)]
    eq46 = B.T @ np.array(rows)
    np.testing.assert_allclose(matcal.evaluate(g, values), eq46, rtol=1e-10)
    np.testing.assert_allclose(matcal.evaluate(str(g), values), eq46, rtol=1e-10)
    assert matcal.check_gradient(text, "X", values=values, seed=0) < 1e-8
    assert str(g) == "sum(k, B[k,:]'*diag(C*(V./(A*diag(B[k,:]*X)*C))'*A)')"
