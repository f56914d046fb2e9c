"""Generated code on random expressions (issue 9's property): for the random well-typed
expressions of the JAX differential fuzzer (tests/jax_reference.py), the generated NumPy and
JAX functions (and torch, where installed) return the value and the derivative that
``matcal.evaluate`` gives and that JAX's autodiff of an independent translation gives — or
generation refuses with a clear error (never a wrong number, never a crash).
MATCAL_CODEGEN_EXAMPLES sets how many cases run (100 by default)."""

from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest

os.environ.setdefault("JAX_PLATFORMS", "cpu")
pytest.importorskip("jax", reason="JAX is not installed: pip install 'matcal[jax]'")

from hypothesis import HealthCheck, Phase, given, note, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import matcal  # noqa: E402
from codegen_support import flat  # noqa: E402
from differential import TOLERANCE, draw_case, reference  # noqa: E402
from jax_reference import TYPES, DrawSource  # noqa: E402

TARGETS = ("numpy", "jax") + (("torch",) if importlib.util.find_spec("torch") else ())
PROPERTY = settings(
    deadline=None, derandomize=True, database=None,
    max_examples=int(os.environ.get("MATCAL_CODEGEN_EXAMPLES", 100)),
    phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
)


def _relative(ours, truth) -> float:
    ours, truth = np.asarray(ours, dtype=float), np.asarray(truth, dtype=float)
    assert ours.shape == truth.shape, (ours.shape, truth.shape)
    return float(np.max(np.abs(ours - truth), initial=0)) / (
        1.0 + float(np.max(np.abs(truth), initial=0)))


@PROPERTY
@given(st.data())
def test_generated_code_agrees_with_jax_autodiff(data):
    import jax.numpy as jnp
    case = draw_case(DrawSource(data))
    note(case.describe())
    with np.errstate(all="ignore"):
        try:
            values, f, truth, margin = reference(case)
        except Exception:  # noqa: BLE001 - the reference itself failed: nothing to compare
            return
    finite = np.all(np.isfinite(f)) and np.all(np.isfinite(truth))
    if not finite or margin < 1e-4 or np.max(np.abs(truth), initial=0) > 1e6:
        return
    try:
        codes = [matcal.generate(case.text, case.wrt, case.order, t, TYPES) for t in TARGETS]
        with np.errstate(all="ignore"):
            ours = matcal.evaluate(codes[0].derivatives[0], values)
    except matcal.MatcalError as err:  # refused, with its message: allowed
        note(f"refused: {err.message.splitlines()[0]}")
        return
    assert _relative(ours, truth) <= TOLERANCE  # matcal itself (as tests/test_fuzz_jax.py)
    for code in codes:
        args = {k: values[k] for k in code.arguments}
        if code.target == "jax":
            args = {k: jnp.asarray(v) for k, v in args.items()}
        elif code.target == "torch":
            import torch
            args = {k: torch.as_tensor(np.asarray(v, dtype=float)) for k, v in args.items()}
        try:
            with np.errstate(all="ignore"):
                outs = flat(code(**args))
        except ValueError as err:
            # a constant only the layout sizes (vector(1)'*vector(1)) is refused when the
            # arguments cannot size it; anything else is a bug
            assert "cannot" in str(err), err
            return
        assert _relative(outs[0], f) <= TOLERANCE, (code.target, "value", code.source)
        assert _relative(outs[-1], truth) <= TOLERANCE, (code.target, "derivative",
                                                         code.source)
        assert _relative(outs[-1], ours) <= TOLERANCE, (code.target, "evaluate", code.source)
