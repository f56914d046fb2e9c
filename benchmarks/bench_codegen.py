"""Benchmark: generated code (issue 9) against hand-written NumPy and against autodiff.

Every figure is a ratio of two medians measured in this one run, one thread
(``OMP_NUM_THREADS=1`` and friends, XLA's and torch's intra-op threads pinned, set before the
libraries load), at n = 100, 300 and 1000:

- **NumPy**: matcal's generated value + derivative ÷ a careful hand-written NumPy closed form
  (target ≤ 1.05);
- **JAX**: the generated function under ``jax.jit`` ÷ ``jax.jit(jax.value_and_grad(f))`` of the
  same loss written in ``jax.numpy`` (target ≤ 1.0); for a Hessian row, ÷ one jitted function
  returning value_and_grad and jax.hessian;
- **torch**: the generated function ÷ torch autograd's value and gradient (target ≤ 1.0); for a
  Hessian row, ÷ autograd's value and gradient plus ``torch.autograd.functional.hessian``;
- **Hessians**: ``jax.jit(jax.hessian(f))`` ÷ the generated JAX Hessian (speed-up, target
  ≥ 20 for x'*A*x at n = 300, ≥ 1.5 for the logistic loss) and
  ``torch.autograd.functional.hessian`` ÷ the generated torch Hessian (target ≥ 20 at n = 300);
- **time to a first derivative value** for a new expression: matcal's derive + generate +
  first run (NumPy) against JAX's trace + compile + first run of
  ``jax.jit(jax.value_and_grad(f))`` (speed-up, target ≥ 30), each after a warm-up on another
  expression (so neither pays its one-time start-up).

Timing: ``time.perf_counter``, GC off, one warm-up call each, then the two sides of a ratio
run alternately (at least 7 rounds, more until 1 s has passed, at most 41) and the ratio is
that of their medians; JAX results are waited for with ``block_until_ready``. A target that
is missed is reported as missed, with the ratio. torch columns need ``pip install
'matcal[torch]'``; they read "not installed" otherwise. It is a benchmark, not a test:
nothing here asserts a speed. ``python benchmarks/bench_codegen.py [--sizes 100 300 1000]
[--json PATH]``
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
              "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_name] = "1"
os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_cpu_multi_thread_eigen=false"
                           " intra_op_parallelism_threads=1").strip()
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import argparse  # noqa: E402 - the thread variables must be set before the libraries load
import gc  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from typing import Any, Callable  # noqa: E402

import numpy as np  # noqa: E402

import matcal  # noqa: E402

HAS_TORCH = importlib.util.find_spec("torch") is not None


def ratio(a: Callable[[], Any], b: Callable[[], Any],
          wait: Callable[[Any], Any] = lambda r: r) -> float:
    """Median time of ``a()`` ÷ median time of ``b()``, measured alternately (a, b, a, b, …)
    so that a drift of the machine's speed falls on both: one warm-up each, then at least 7
    rounds, more until 1 s has passed, at most 41."""
    wait(a())
    wait(b())
    times: tuple[list[float], list[float]] = ([], [])
    gc.disable()
    try:
        while len(times[0]) < 7 or (sum(times[0]) + sum(times[1]) < 1.0
                                    and len(times[0]) < 41):
            for fn, out in ((a, times[0]), (b, times[1])):
                start = time.perf_counter()
                wait(fn())
                out.append(time.perf_counter() - start)
    finally:
        gc.enable()
    return statistics.median(times[0]) / statistics.median(times[1])


# ------------------------------------------------------------------ the cases


@dataclass(frozen=True)
class Case:
    """A loss: its matcal text, the variable(s), the order, data of size n, a hand-written
    NumPy closed form and the loss in jax.numpy / torch (for autodiff), all taking the
    arguments by keyword."""

    name: str
    expr: str
    wrt: str | tuple[str, ...]
    order: int
    types: dict | None
    data: Callable[[int, np.random.Generator], dict]
    hand: Callable[..., tuple]
    loss: Callable[..., Any]  # written with a module ``xp`` (jax.numpy or torch)


def _sigmoid_np(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def _least_squares_hand(A, x, b):
    r = A @ x - b
    return r @ r, 2 * (A.T @ r)


def _trace_hand(A, X, B, C):
    AXB = A @ X @ B
    XCt = X @ C.T
    return np.sum(AXB * XCt.T), A.T @ (B @ XCt).T + AXB.T @ C


def _logdet_hand(X):
    G = X.T @ X
    return np.linalg.slogdet(G)[1], 2 * np.linalg.solve(G, X.T).T


def _logistic_hand(y, X, w):
    e = np.exp(-y * (X @ w))
    return np.sum(np.log1p(e)), -(X.T @ (y * e / (1 + e)))


def _logistic_hessian_hand(y, X, w):
    e = np.exp(-y * (X @ w))
    p = e / (1 + e)
    return (np.sum(np.log1p(e)), -(X.T @ (y * p)),
            X.T @ ((p * (1 - p) * y * y)[:, None] * X))


def _factorization_hand_W(X, W, H):
    R = X - W @ H
    return np.sum(R * R), -2 * (R @ H.T)


def _factorization_hand_WH(X, W, H):
    R = X - W @ H
    return np.sum(R * R), (-2 * (R @ H.T), -2 * (W.T @ R))


def _quadratic_hand(x, A):
    S = A + A.T
    return x @ A @ x, S @ x, S


def _logistic_data(n, rng):
    return {"y": np.sign(rng.standard_normal(2 * n)),
            "X": rng.standard_normal((2 * n, n)) / np.sqrt(n), "w": rng.standard_normal(n)}


def _factorization_data(n, rng):
    k = max(n // 4, 1)
    return {"X": rng.standard_normal((n, n)), "W": rng.standard_normal((n, k)),
            "H": rng.standard_normal((k, n))}


LOGISTIC = "sum(log(vector(1) + exp(-y.*(X*w))))"

CASES = [
    Case("least squares", "norm2(A*x - b)^2", "x", 1, {"b": "vector"},
         lambda n, r: {"A": r.standard_normal((n, n)), "x": r.standard_normal(n),
                       "b": r.standard_normal(n)},
         _least_squares_hand, lambda xp, A, x, b: xp.sum((A @ x - b) ** 2)),
    Case("tr(A*X*B*X*C')", "tr(A*X*B*X*C')", "X", 1, None,
         lambda n, r: {k: r.standard_normal((n, n)) / np.sqrt(n) for k in "AXBC"},
         _trace_hand, lambda xp, A, X, B, C: xp.trace(A @ X @ B @ X @ C.T)),
    Case("logdet(X'*X)", "logdet(X'*X)", "X", 1, None,
         lambda n, r: {"X": r.standard_normal((n, max(n // 2, 1)))},
         _logdet_hand, lambda xp, X: xp.linalg.slogdet(X.T @ X)[1]),
    Case("logistic loss", LOGISTIC, "w", 1, None, _logistic_data, _logistic_hand,
         lambda xp, y, X, w: xp.sum(xp.log(1 + xp.exp(-y * (X @ w))))),
    Case("factorization, wrt W", "norm2(X - W*H)^2", "W", 1, None, _factorization_data,
         _factorization_hand_W, lambda xp, X, W, H: xp.sum((X - W @ H) ** 2)),
    Case("factorization, wrt [W, H]", "norm2(X - W*H)^2", ("W", "H"), 1, None,
         _factorization_data, _factorization_hand_WH,
         lambda xp, X, W, H: xp.sum((X - W @ H) ** 2)),
    Case("Hessian of x'*A*x", "x'*A*x", "x", 2, None,
         lambda n, r: {"x": r.standard_normal(n), "A": r.standard_normal((n, n))},
         _quadratic_hand, lambda xp, x, A: x @ A @ x),
    Case("Hessian of logistic loss", LOGISTIC, "w", 2, None, _logistic_data,
         _logistic_hessian_hand,
         lambda xp, y, X, w: xp.sum(xp.log(1 + xp.exp(-y * (X @ w))))),
]


# ------------------------------------------------------------------ the measurements


def _wrt(case: Case) -> list[str]:
    return list(case.wrt) if isinstance(case.wrt, tuple) else [case.wrt]


def numpy_ratio(case: Case, n: int) -> float:
    """Generated NumPy ÷ hand-written NumPy, checked to agree first."""
    data = case.data(n, np.random.default_rng(n))
    code = matcal.generate(case.expr, _listed(case.wrt), case.order, "numpy", case.types)
    ours, hand = code(**data), case.hand(**data)
    _agree(ours, hand, f"{case.name} at n = {n}: generated and hand-written differ")
    return ratio(lambda: code(**data), lambda: case.hand(**data))


def _listed(wrt):
    return list(wrt) if isinstance(wrt, tuple) else wrt


def _agree(a, b, message: str) -> None:
    flat_a, flat_b = _flatten(a), _flatten(b)
    def close(x, y) -> bool:
        x, y = np.asarray(x), np.asarray(y)
        return np.allclose(x, y, rtol=1e-6, atol=1e-8 * (1 + np.abs(y).max()))

    if len(flat_a) != len(flat_b) or not all(close(x, y) for x, y in zip(flat_a, flat_b)):
        raise SystemExit(message)


def _flatten(out) -> list:
    items = []
    for o in (out if isinstance(out, (tuple, list)) else (out,)):
        items.extend(_flatten(o) if isinstance(o, (tuple, list)) else [o])
    return items


def jax_ratios(case: Case, n: int) -> tuple[float, float | None]:
    """(generated jit ÷ jit(value_and_grad), for a Hessian: jit(jax.hessian) ÷ generated jit)."""
    import jax
    import jax.numpy as jnp
    data = case.data(n, np.random.default_rng(n))
    code = matcal.generate(case.expr, _listed(case.wrt), case.order, "jax", case.types)
    names = list(code.arguments)
    args = [jnp.asarray(data[k]) for k in names]
    ours = jax.jit(code.function)
    argnums = tuple(names.index(w) for w in _wrt(case))
    by = argnums if len(argnums) > 1 else argnums[0]

    def loss(*a):
        return case.loss(jnp, **dict(zip(names, a)))

    wait = jax.block_until_ready
    _agree(_flatten(ours(*args))[:2],
           _flatten(jax.value_and_grad(loss, argnums=by)(*args))[:2],
           f"{case.name} at n = {n}: generated JAX and jax.value_and_grad differ")
    if case.order == 1:
        ref = jax.jit(jax.value_and_grad(loss, argnums=by))
        return ratio(lambda: ours(*args), lambda: ref(*args), wait), None
    w = argnums[0]
    hess = jax.jit(jax.hessian(loss, argnums=w))
    both = jax.jit(lambda *a: (jax.value_and_grad(loss, argnums=w)(*a),
                               jax.hessian(loss, argnums=w)(*a)))
    _agree(_flatten(ours(*args))[2], hess(*args), f"{case.name}: Hessians differ")
    # all three outputs against value_and_grad + hessian; the Hessian alone against jax.hessian
    return ratio(lambda: ours(*args), lambda: both(*args), wait), \
        ratio(lambda: hess(*args), lambda: ours(*args), wait)


def torch_ratios(case: Case, n: int) -> tuple[float, float | None]:
    """(generated ÷ autograd value and gradient, for a Hessian: torch hessian ÷ generated)."""
    import torch
    torch.set_num_threads(1)
    data = case.data(n, np.random.default_rng(n))
    code = matcal.generate(case.expr, _listed(case.wrt), case.order, "torch", case.types)
    tensors = {k: torch.as_tensor(v, dtype=torch.float64) for k, v in data.items()}
    wrt = _wrt(case)

    def autograd():
        leaves = {k: (v.detach().requires_grad_(True) if k in wrt else v)
                  for k, v in tensors.items()}
        f = case.loss(torch, **leaves)
        grads = torch.autograd.grad(f, [leaves[k] for k in wrt])
        return f.detach(), grads

    if case.order == 1:
        return ratio(lambda: code(**tensors), autograd), None
    w = wrt[0]

    def hessian():
        return torch.autograd.functional.hessian(
            lambda v: case.loss(torch, **{**tensors, w: v}), tensors[w])

    _agree(code(**tensors)[2].numpy(), hessian().numpy(), f"{case.name}: Hessians differ")
    # all three outputs against autograd's value and gradient + its hessian; the Hessian
    # alone against torch.autograd.functional.hessian
    return (ratio(lambda: code(**tensors), lambda: (autograd(), hessian())),
            ratio(hessian, lambda: code(**tensors)))


FIRST_CASES = [
    ("least squares", "norm2(A*x - b)^2", "x", {"b": "vector"}, CASES[0]),
    ("logistic loss", LOGISTIC, "w", None, CASES[3]),
    ("tr(A*X*B*X*C')", "tr(A*X*B*X*C')", "X", None, CASES[1]),
]


def first_value_ratio(n: int) -> list[tuple[str, float, float]]:
    """(case, matcal derive + generate + first run, JAX trace + compile + first run), each
    after a warm-up on another expression, in seconds."""
    import jax
    import jax.numpy as jnp
    warm = {"A": np.eye(3), "x": np.ones(3)}
    matcal.generate("sum(exp(A*x))", "x")(**warm)  # the parser and tables built once
    jax.block_until_ready(jax.jit(jax.value_and_grad(lambda x: jnp.sum(jnp.sin(x))))(
        jnp.ones(3)))
    out = []
    for name, expr, wrt, types, case in FIRST_CASES:
        data = case.data(n, np.random.default_rng(n))
        start = time.perf_counter()
        matcal.generate(expr, wrt, 1, "numpy", types)(**data)
        t_matcal = time.perf_counter() - start
        names = list(data)
        args = [jnp.asarray(data[k]) for k in names]

        def loss(*a, case=case, names=names):
            return case.loss(jnp, **dict(zip(names, a)))

        start = time.perf_counter()
        jax.block_until_ready(jax.jit(jax.value_and_grad(loss, argnums=names.index(wrt)))(*args))
        t_jax = time.perf_counter() - start
        out.append((name, t_matcal, t_jax))
    return out


def _verdict(ok: bool, text: str) -> str:
    return f"met ({text})" if ok else f"**missed** ({text})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300, 1000])
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    args = parser.parse_args()
    import jax
    jax.config.update("jax_enable_x64", True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip() or "?"
    rows = []
    for case in CASES:
        for n in args.sizes:
            row = {"case": case.name, "n": n, "numpy": numpy_ratio(case, n)}
            row["jax"], row["jax_hessian"] = jax_ratios(case, n)
            row["torch"], row["torch_hessian"] = (torch_ratios(case, n) if HAS_TORCH
                                                  else (None, None))
            rows.append(row)
            print(f"  measured {case.name} at n = {n}", flush=True)
    firsts = first_value_ratio(args.sizes[0])

    def fmt(v, digits=2, suffix="×"):
        return "not installed" if v is None else f"{v:.{digits}f}{suffix}"

    print(f"\nAt commit {commit}, one thread, float64 (ratios of medians in one run; lower is "
          "better for generated ÷ reference):\n")
    print("| case | n | NumPy: generated ÷ hand-written | JAX jit: generated ÷ value_and_grad "
          "| torch: generated ÷ autograd |")
    print("|---|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['case']} | {r['n']} | {fmt(r['numpy'])} | {fmt(r['jax'])} | "
              f"{fmt(r['torch']) if HAS_TORCH else 'not installed'} |")
    print("\nHessians, speed-up of the generated closed form (autodiff time ÷ generated time; "
          "higher is better):\n")
    print("| case | n | jax.hessian ÷ generated JAX | torch hessian ÷ generated torch |")
    print("|---|---:|---:|---:|")
    for r in rows:
        if r["jax_hessian"] is not None:
            print(f"| {r['case']} | {r['n']} | {fmt(r['jax_hessian'], 1)} | "
                  f"{fmt(r['torch_hessian'], 1) if HAS_TORCH else 'not installed'} |")
    print(f"\nTime to a first derivative value for a new expression, n = {args.sizes[0]} "
          "(after a warm-up on another expression):\n")
    print("| case | matcal derive + generate + run | JAX trace + compile + run | speed-up |")
    print("|---|---:|---:|---:|")
    for name, tm, tj in firsts:
        print(f"| {name} | {tm * 1e3:.1f} ms | {tj * 1e3:.1f} ms | {tj / tm:.1f}× |")

    print("\nTargets:\n")
    first_order = [r for r in rows if r["jax_hessian"] is None]
    worst_np = max(rows, key=lambda r: r["numpy"])
    print("- generated NumPy ≤ 1.05× hand-written: " + _verdict(
        worst_np["numpy"] <= 1.05, f"{sum(r['numpy'] <= 1.05 for r in rows)} of {len(rows)} rows; "
        f"worst {worst_np['numpy']:.2f}× on {worst_np['case']} at n = {worst_np['n']}"))
    worst_jax = max(first_order, key=lambda r: r["jax"])
    print("- generated JAX jit ≤ 1.0× jit(value_and_grad): " + _verdict(
        worst_jax["jax"] <= 1.0, f"{sum(r['jax'] <= 1.0 for r in first_order)} of "
        f"{len(first_order)} first-derivative rows; worst {worst_jax['jax']:.2f}× on "
        f"{worst_jax['case']} at n = {worst_jax['n']}"))
    if HAS_TORCH:
        worst_t = max(first_order, key=lambda r: r["torch"])
        print("- generated torch ≤ 1.0× autograd: " + _verdict(
            worst_t["torch"] <= 1.0, f"{sum(r['torch'] <= 1.0 for r in first_order)} of "
            f"{len(first_order)} first-derivative rows; worst {worst_t['torch']:.2f}× on "
            f"{worst_t['case']} at n = {worst_t['n']}"))
    else:
        print("- generated torch ≤ 1.0× autograd: not measured (torch not installed)")
    for name, target, key, what in [("Hessian of x'*A*x", 20, "jax_hessian", "jax.hessian"),
                                    ("Hessian of logistic loss", 1.5, "jax_hessian", "jax.hessian"),
                                    ("Hessian of x'*A*x", 20, "torch_hessian", "torch hessian")]:
        at = [r for r in rows if r["case"] == name and r["n"] == 300 and r[key] is not None]
        if at:
            print(f"- {name} ≥ {target:g}× faster than {what} at n = 300: " + _verdict(
                at[0][key] >= target, f"{at[0][key]:.1f}×"))
        else:
            print(f"- {name} ≥ {target:g}× faster than {what} at n = 300: not measured")
    worst_first = min(tj / tm for _, tm, tj in firsts)
    print("- first derivative value ≥ 30× faster than JAX trace + compile + run: " + _verdict(
        worst_first >= 30, f"slowest case {worst_first:.1f}×"))
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"commit": commit, "rows": rows, "first": firsts}, fh, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
