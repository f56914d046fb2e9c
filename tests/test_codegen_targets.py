"""Generated JAX and PyTorch code (issue 9): every reference case agrees with
``matcal.evaluate``, with central differences and with the target's own autodiff
(``jax.grad`` / ``torch.autograd``); JAX code runs under ``jax.jit``. Each target's tests skip,
saying why, when its extra (``pip install 'matcal[jax]'`` / ``'matcal[torch]'``) is absent."""

from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest

import matcal
from codegen_support import (
    assert_close, central_differences, expected, flat, is_symmetric_variable, reference_cases,
    values_for,
)
from matcal.codegen import generate

os.environ.setdefault("JAX_PLATFORMS", "cpu")
HAS_JAX = importlib.util.find_spec("jax") is not None
HAS_TORCH = importlib.util.find_spec("torch") is not None
needs_jax = pytest.mark.skipif(not HAS_JAX, reason="JAX is not installed: pip install "
                               "'matcal[jax]' to test the JAX target")
needs_torch = pytest.mark.skipif(not HAS_TORCH, reason="PyTorch is not installed: pip "
                                 "install 'matcal[torch]' to test the torch target")


def _scalar_first_order(expr, order, types) -> bool:
    return order == 1 and matcal.parse(expr, types).shape.is_scalar


@needs_jax
@pytest.mark.parametrize("expr, wrt, order, types", reference_cases())
def test_jax_agrees_with_evaluate_differences_and_jax_grad(expr, wrt, order, types):
    import jax
    import jax.numpy as jnp
    jax.config.update("jax_enable_x64", True)
    code = generate(expr, wrt, order, "jax", types)
    fn = jax.jit(code.function)
    values = values_for(expr, wrt, order, types)
    jv = {k: jnp.asarray(v) for k, v in values.items()}
    got = flat(fn(**jv))
    assert_close(got, expected(expr, wrt, order, types, values))
    central_differences(fn, values, wrt, is_symmetric_variable(expr, wrt, types), order,
                        jnp.asarray)
    if _scalar_first_order(expr, order, types):
        auto = np.asarray(jax.grad(lambda w: code.function(**{**jv, wrt: w})[0])(jv[wrt]))
        if is_symmetric_variable(expr, wrt, types):
            auto = (auto + auto.T) / 2
        np.testing.assert_allclose(got[1], auto, rtol=1e-8, atol=1e-9 * (1 + np.abs(auto).max()))


@needs_torch
@pytest.mark.parametrize("expr, wrt, order, types", reference_cases())
def test_torch_agrees_with_evaluate_differences_and_autograd(expr, wrt, order, types):
    import torch

    def tensor(v):
        return torch.as_tensor(np.asarray(v, dtype=float), dtype=torch.float64)

    code = generate(expr, wrt, order, "torch", types)
    values = values_for(expr, wrt, order, types)
    tv = {k: tensor(v) for k, v in values.items()}
    got = flat(code(**tv))
    assert_close(got, expected(expr, wrt, order, types, values))
    central_differences(code.function, values, wrt, is_symmetric_variable(expr, wrt, types), order,
                        tensor)
    if _scalar_first_order(expr, order, types):
        w = tv[wrt].clone().requires_grad_(True)
        (auto,) = torch.autograd.grad(code(**{**tv, wrt: w})[0], w)
        auto = auto.numpy()
        if is_symmetric_variable(expr, wrt, types):
            auto = (auto + auto.T) / 2
        np.testing.assert_allclose(got[1], auto, rtol=1e-8, atol=1e-9 * (1 + np.abs(auto).max()))


@needs_torch
def test_torch_keeps_dtype_and_device_and_compiles():
    import torch
    code = generate("sum(log(vector(1) + exp(-y.*(X*w))))", "w", order=2, target="torch")
    rng = np.random.default_rng(0)
    X = torch.as_tensor(rng.standard_normal((20, 3)), dtype=torch.float32)
    y = torch.as_tensor(np.sign(rng.standard_normal(20)), dtype=torch.float32)
    w = torch.zeros(3, dtype=torch.float32)
    assert code.arguments == ("y", "X", "w")
    f, g, h = code(y, X, w)
    assert f.dtype == g.dtype == h.dtype == torch.float32 and h.shape == (3, 3)
    assert float(f) == pytest.approx(20 * np.log(2), rel=1e-5)
    compiled = torch.compile(code.function, backend="eager")  # the graph capture, no compiler
    f2, g2, h2 = compiled(y, X, w)
    assert torch.allclose(g, g2) and torch.allclose(h, h2)


@needs_jax
def test_jax_target_is_pure_and_vmaps():
    import jax
    import jax.numpy as jnp
    jax.config.update("jax_enable_x64", True)
    code = generate("norm2(A*x - b)^2", "x", types={"b": "vector"}, target="jax")
    rng = np.random.default_rng(1)
    A = jnp.asarray(rng.standard_normal((4, 3)))
    b = jnp.asarray(rng.standard_normal(4))
    xs = jnp.asarray(rng.standard_normal((6, 3)))
    values, grads = jax.vmap(lambda x: code.function(A, x, b))(xs)
    assert grads.shape == (6, 3)
    np.testing.assert_allclose(np.asarray(grads[2]),
                               np.asarray(2 * A.T @ (A @ xs[2] - b)), rtol=1e-12)
