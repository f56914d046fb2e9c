"""``generate``: a derivative as a NumPy, JAX or PyTorch function, with its source."""

from __future__ import annotations

import functools
import hashlib
import keyword
import importlib.machinery
import importlib.util
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from matcal.api import Source, derivative, installed_version
from matcal.codegen.module import (
    BUILTINS, Layout, Output, dim_names, module_head, self_check,
)
from matcal.codegen.plan import (
    canonical, group_shared_chains, shared, substitute, use_counts,
)
from matcal.codegen.targets import PRINTERS, TARGET_HELPERS
from matcal.core.errors import OptionsError
from matcal.core.nodes import Expr, Var
from matcal.engine.pipeline import printed_form
from matcal.numeric.gradcheck import sample_values
from matcal.result import Derivative, Derivatives

TARGETS = tuple(PRINTERS)
"""The targets ``generate`` writes for: ``numpy``, ``jax``, ``torch``."""


@dataclass(frozen=True)
class GeneratedCode:
    """A generated module and its function.

    Attributes:
        source: the module's text (written on first use): self-contained (it imports only
            its target library), with a header stating the expression, each derivative and
            each argument's kind and symbolic shape, and a ``__main__`` block that checks the
            derivatives against central differences.
        function: the module's function, imported (on first use: the target library need
            not be installed to generate its code) and ready to call.
        name: the function's name (``value_and_gradient``, ``value_gradient_hessian``, …).
        target: ``numpy``, ``jax`` or ``torch``.
        arguments: the function's parameters, in order: the variables in the order they
            first appear in the expression, then any named in ``wrt`` that it lacks.
        derivatives: the derivatives the function returns, in order.
    """

    head: str
    """The module up to its ``__main__`` block: what :attr:`function` imports."""
    name: str
    target: str
    arguments: tuple[str, ...]
    derivatives: tuple[Derivative, ...]
    main: Callable[[], list[str]] = field(repr=False, compare=False, default=list)
    """Writes the lines of the ``__main__`` block (on first use of :attr:`source`: choosing
    well-posed sizes for its random arguments evaluates the expression)."""

    @functools.cached_property
    def source(self) -> str:
        return self.head + "\n\n" + "\n".join(self.main()) + "\n"

    @functools.cached_property
    def function(self) -> Callable[..., Any]:
        return _load(self.head, self.name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.function(*args, **kwargs)


def generate(expr: Source, wrt: str | Sequence[str], order: int = 1, target: str = "numpy",
             types: Mapping[str, str] | None = None) -> GeneratedCode:
    """The value and derivatives of ``expr`` as a function of NumPy, JAX or PyTorch arrays.

    Args:
        expr: the expression, as text, an :class:`~matcal.core.nodes.Expr` or a
            :class:`~matcal.result.Derivative`.
        wrt: the variable; or a list of names, for the first derivative by each (computed
            together, sharing every common subexpression).
        order: 1 (gradient / Jacobian), 2 (Hessian), …; one variable for order ≥ 2.
        target: ``"numpy"``, ``"jax"`` (pure and ``jax.jit``-able) or ``"torch"`` (CPU or
            CUDA tensors, ``torch.compile``).
        types: optional name → kind mapping, as for :func:`matcal.parse`.

    Returns:
        A :class:`GeneratedCode`. Its function takes every variable (positionally in the
        order of ``GeneratedCode.arguments``, or by keyword) and returns ``(value,
        derivative)`` at order 1, ``(value, gradient, hessian)`` at order 2 (in general the
        value and each derivative up to ``order``), or ``(value, (d1, d2, …))`` for a list
        ``wrt``. Layout: shape(f) + shape(X) per order, as ``jax.jacobian``; vectors are 1-D.

    Raises:
        OptionsError: an unknown target.
        ParseError, ShapeError, DerivativeError: as :func:`matcal.derivative`.
        CodegenError: a node no generated code computes (a symbolic matrix power).

    Source: the lowering of :mod:`matcal.codegen.printer` (each rewrite with its identity).

    >>> code = generate("norm2(A*x - b)^2", "x", types={"b": "vector"})
    >>> code.arguments
    ('A', 'x', 'b')
    >>> code(A=[[1.0, 0.0], [0.0, 2.0]], x=[1.0, 1.0], b=[0.0, 0.0])[1].tolist()
    [2.0, 8.0]
    """
    if target not in PRINTERS:
        raise OptionsError(f"target must be one of {', '.join(TARGETS)}, got {target!r}")
    result = derivative(expr, wrt, order, types)
    derivs = tuple(result.values()) if isinstance(result, Derivatives) else (result,)
    outputs, layout, name = _plan_outputs(result, order)
    args = _arguments(derivs)
    reserved = BUILTINS | {o.name for o in outputs} | {name}
    renamed = _python_names(args, reserved)
    if renamed:  # a variable named like a keyword, a builtin or an output: lambda → lambda_
        table = {v: Var(renamed[v.name], v.dims, v.symmetric, v.integer)
                 for v in args if v.name in renamed}
        outputs = [Output(o.name, o.label, substitute(o.expr, table), o.text) for o in outputs]
        args = [table.get(v, v) for v in args]
        layout = Layout(layout.returns, tuple((renamed.get(w, w), *rest)
                                              for w, *rest in layout.checks))
    taken = reserved | {v.name for v in args}
    dims = dim_names(args, taken)
    roots = group_shared_chains(canonical(o.expr for o in outputs))
    outputs = [Output(o.name, o.label, r, o.text) for o, r in zip(outputs, roots)]
    printer = PRINTERS[target](shared(use_counts(roots)), dims, taken | set(dims.values()))
    head = module_head(
        title=_title(derivs, order), expression=str(derivs[0].expression), args=args,
        outputs=outputs, layout=layout, printer=printer, function=name,
        helpers=TARGET_HELPERS[target], dims=dims, version=installed_version())

    def main() -> list[str]:
        sizes = _sizes(args, derivs[0].expression, renamed)
        return self_check(args, sizes, layout, name, target)

    return GeneratedCode(head, name, target, tuple(v.name for v in args), derivs, main)


def _plan_outputs(result: Derivative | Derivatives, order: int) -> tuple[list[Output], Layout,
                                                                           str]:
    """The outputs (the value, then each derivative), how they are returned and checked,
    and the function's name."""
    if isinstance(result, Derivatives):
        derivs = tuple(result.values())
        first = derivs[0]
        outputs = [Output("value", "value", first.expression, str(first.expression))]
        outputs += [Output(f"d_{d.wrt.name}", _label(d, 1, d.wrt.name), d.form, str(d))
                    for d in derivs]
        returns = f"value, ({', '.join(o.name for o in outputs[1:])},)"
        checks = tuple((d.wrt.name, 0, i + 1, outputs[i + 1].label)
                       for i, d in enumerate(derivs))
        scalar = first.expression.shape.is_scalar
        return outputs, Layout(returns, checks), ("value_and_gradients" if scalar
                                                  else "value_and_jacobians")
    d = result
    outputs = [Output("value", "value", d.expression, str(d.expression))]
    forms = [printed_form(t, d.expression, d.wrt, j + 1, d.sizes)
             for j, t in enumerate(d.lower_tensors)] + [d.form]
    for j, form in enumerate(forms, start=1):
        label = _label(d, j, d.wrt.name)
        outputs.append(Output(label.split(" ")[0].lower(), label, form, str(form)))
    checks = tuple((d.wrt.name, j - 1, j, outputs[j].label) for j in range(1, len(outputs)))
    name = "value_and_" + "_".join(o.name for o in outputs[1:])
    if order == 2 and d.expression.shape.is_scalar:
        name = "value_gradient_hessian"
    return outputs, Layout(", ".join(o.name for o in outputs), checks), name


def _python_names(args: list[Var], reserved: set[str]) -> dict[str, str]:
    """New names for the variables whose names Python or the module takes (``lambda``,
    ``sum``, ``value``): the name with ``_`` appended until free."""
    out: dict[str, str] = {}
    used = set(reserved) | {v.name for v in args}
    for v in args:
        if keyword.iskeyword(v.name) or v.name in reserved:
            new = v.name + "_"
            while new in used:
                new += "_"
            out[v.name] = new
            used.add(new)
    return out


def _label(d: Derivative, order: int, wrt: str) -> str:
    scalar = d.expression.shape.is_scalar
    if order == 1:
        kind = "gradient" if scalar else "jacobian"
    elif order == 2 and scalar:
        kind = "Hessian"
    else:
        kind = f"derivative{order}"
    return f"{kind} by {wrt}"


def _title(derivs: tuple[Derivative, ...], order: int) -> str:
    names = ", ".join(d.wrt.name for d in derivs)
    what = {1: "first derivative", 2: "derivatives up to order 2"}.get(
        order, f"derivatives up to order {order}")
    return f"The value of f and its {what} by {names}"


def _arguments(derivs: tuple[Derivative, ...]) -> list[Var]:
    """The variables in the order they first appear, then those that size constants."""
    out: dict[str, Var] = {}
    for d in derivs:
        for v in d.sizes:
            out.setdefault(v.name, v)
    return list(out.values())


def _sizes(args: list[Var], expression: Expr, renamed: dict[str, str]) -> dict[str, int]:
    """Sizes for the self-check's random arguments: those of values at which the expression
    is finite and every matrix it inverts is well conditioned (a tall X for X'*X), where
    such are found; small distinct sizes otherwise (products multiplied)."""
    sizes: dict[str, int] = {}
    with np.errstate(all="ignore"):
        values = {renamed.get(k, k): v for k, v in sample_values(expression, seed=0).items()}
    for var in args:
        if var.name in values:
            for d, n in zip(var.shape.dims, np.shape(values[var.name])):
                sizes.setdefault(d.name, int(n))
    for var in args:
        for d in var.shape.dims:
            for f in d.factors or (d,):
                sizes.setdefault(f.name, 3 + len(sizes) % 4)
            if d.factors:
                sizes[d.name] = int(np.prod([sizes[f.name] for f in d.factors]))
    return sizes


_CACHE: list[Path] = []


class _NoBytecode(importlib.machinery.SourceFileLoader):
    """Imports a generated module without writing its bytecode cache (it is imported once)."""

    def set_data(self, path, data, *, _mode=0o666):  # noqa: D102 - the cache is not written
        return None


def _load(head: str, name: str) -> Callable[..., Any]:
    """The function ``name`` of the module ``head``, imported from a file in a temporary
    directory of this process (so tracebacks and ``inspect`` see its lines). The file holds
    the head of the module: an import never runs its ``__main__`` block."""
    if not _CACHE:
        _CACHE.append(Path(tempfile.mkdtemp(prefix="matcal-codegen-")))
    text = head
    digest = hashlib.sha1(text.encode()).hexdigest()[:16]
    path = _CACHE[0] / f"matcal_generated_{digest}.py"
    if not path.exists():
        path.write_text(text, encoding="utf-8")
    loader = _NoBytecode(path.stem, str(path))
    spec = importlib.util.spec_from_file_location(path.stem, path, loader=loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return getattr(module, name)
