"""The text of a generated module: header, imports, helpers, the function with its argument
checks, and a ``__main__`` block that checks the derivatives against central differences.

The module imports nothing from matcal: it runs wherever its target library is installed.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass

from matcal.codegen.printer import CodePrinter
from matcal.core.nodes import Expr, Var
from matcal.core.shapes import Dim
from matcal.result import kind_of


@dataclass(frozen=True)
class Output:
    """One returned array: its name in the code, what it is, and the expression."""

    name: str
    label: str  # "value", "gradient by x", "Hessian by x", ...
    expr: Expr
    text: str  # the matcal text of the expression


@dataclass(frozen=True)
class Layout:
    """How the function's outputs are returned and checked.

    ``returns`` is the return expression (``value, gradient``); ``checks`` lists, per
    derivative, (variable, index of the output it differentiates, index of the derivative,
    label), over the flattened outputs.
    """

    returns: str
    checks: tuple[tuple[str, int, int, str], ...]


BUILTINS = {"sum", "range", "float", "int", "abs", "min", "max", "len", "tuple", "dict",
            "ValueError", "print", "math", "np", "jnp", "jax", "torch", "sys", "value",
            "_like"}


def shape_text(var: Var) -> str:
    dims = var.shape.dims
    return "×".join(d.name for d in dims) if dims else "scalar"


def dim_names(args: list[Var], taken: set[str]) -> dict[Dim, str]:
    """A Python name for every dimension of the arguments: its own name where that is free."""
    names: dict[Dim, str] = {}
    used = set(taken)
    for var in args:
        for d in var.shape.dims:
            if d in names:
                continue
            stem = d.name if d.name.isidentifier() and not keyword.iskeyword(d.name) else "dim"
            name, i = stem, 1
            while name in used:
                i += 1
                name = f"{stem}{i}" if stem != "dim" else f"dim{i}"
            names[d] = name
            used.add(name)
    return names


_NDIM = {0: "a number (a 0-d array)", 1: "a vector (a 1-D array)", 2: "a matrix (a 2-D array)"}


def argument_checks(args: list[Var], dims: dict[Dim, str], target: str) -> list[str]:
    """Lines that convert each argument to an array of the target and check its shape; a
    mismatch raises ValueError naming the argument and the dimension."""
    lines: list[str] = []
    convert = {"numpy": "np.asarray({0}, dtype=float)", "jax": "jnp.asarray({0})",
               "torch": "torch.as_tensor({0})"}[target]
    like = None
    for var in args:
        if target == "torch" and var.shape.dims:
            lines.append(f"{var.name} = {convert.format(var.name)}")
            if like is None:
                like = var.name
    if target == "torch":
        lines.append(f"_like = {like}" if like else
                     "_like = torch.zeros((), dtype=torch.get_default_dtype())")
    bound: dict[Dim, str] = {}
    for var in args:
        n = var.name
        axes = var.shape.dims
        if target == "torch" and not axes:
            lines.append(f"{n} = torch.as_tensor({n}, dtype=_like.dtype, device=_like.device)")
        elif target != "torch":
            lines.append(f"{n} = {convert.format(n)}")
        if len(axes) == 1:
            lines += [f"if {n}.ndim == 2 and {n}.shape[1] == 1:  # a column: the vector",
                      f"    {n} = {n}[:, 0]"]
        want = _NDIM[len(axes)] + (", " + "×".join(d.name for d in axes) if axes else "")
        lines += [f"if {n}.ndim != {len(axes)}:",
                  f"    raise ValueError(f\"{n} must be {want}; \"",
                  f"                     f\"got shape {{tuple({n}.shape)}}\")"]
        fresh = [d for d in axes if d not in bound]
        if len(fresh) == len(axes) == 2 and fresh[0] != fresh[1]:
            lines.append(f"{dims[axes[0]]}, {dims[axes[1]]} = {n}.shape  {BIND}")
            bound.update({axes[0]: f"{n}'s axis 0", axes[1]: f"{n}'s axis 1"})
            continue
        for i, d in enumerate(axes):
            if d in bound:
                lines += [f"if {n}.shape[{i}] != {dims[d]}:",
                          f"    raise ValueError(f\"{n} has size {{{n}.shape[{i}]}} along axis "
                          f"{i}, but \"",
                          f"                     f\"dimension {d.name} is {{{dims[d]}}} "
                          f"(from {bound[d]})\")"]
            else:
                lines.append(f"{dims[d]} = {n}.shape[{i}]  {BIND}")
                bound[d] = f"{n}'s axis {i}"
    for d, name in dims.items():  # a Kronecker product's dim m·n
        if d.factors and all(f in dims for f in d.factors):
            product = " * ".join(dims[f] for f in d.factors)
            lines += [f"if {name} != {product}:",
                      f"    raise ValueError(f\"dimension {d.name} is {{{name}}}, but "
                      f"{' × '.join(f.name for f in d.factors)} = {{{product}}}\")"]
    return lines


MAIN = 'if __name__ == "__main__":'
"""The line that opens the self-check block."""

BIND = "# binds"
"""A mark on the lines that bind dimension names, until :func:`drop_unused_dims` reads it."""


def drop_unused_dims(lines: list[str]) -> list[str]:
    """The lines with each dimension binding kept only for the names used elsewhere
    (``m, n = A.shape`` becomes ``n = A.shape[1]`` when m is never used)."""
    rest = _code_names("\n".join(line for line in lines if not line.endswith(BIND)))
    out = []
    for line in lines:
        if not line.endswith(BIND):
            out.append(line)
            continue
        target, source = (part.strip() for part in line[: -len(BIND)].split("="))
        names = [t.strip() for t in target.split(",")]
        used = [i for i, t in enumerate(names) if t in rest]
        if len(names) == 1:
            if used:
                out.append(f"{target} = {source}")
        elif len(used) == 2:
            out.append(f"{target} = {source}")
        elif used:
            out.append(f"{names[used[0]]} = {source}[{used[0]}]")
    return out


def _code_names(code: str) -> set[str]:
    """The names the code uses: outside strings, and inside the braces of f-strings."""
    names: set[str] = set()
    for line in code.splitlines():
        stripped = re.sub(r'f"([^"]*)"', lambda m: " ".join(re.findall(r"\{([^{}]*)\}",
                                                                      m.group(1))), line)
        stripped = re.sub(r'"[^"]*"', " ", stripped)
        names |= set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", stripped.split("#")[0]))
    return names


def helper_names(lines: list[str], helpers: dict[str, str]) -> list[str]:
    """The helpers the body calls, in a fixed order."""
    body = "\n".join(lines)
    return [h for h in helpers if h + "(" in body]


def module_head(*, title: str, expression: str, args: list[Var], outputs: list[Output],
                layout: Layout, printer: CodePrinter, function: str, helpers: dict[str, str],
                dims: dict[Dim, str], version: str) -> str:
    """The module's text up to its ``__main__`` block (:func:`self_check`): header, imports,
    helpers and the function."""
    target = printer.target
    body = argument_checks(args, dims, target)
    start = len(printer.lines)
    for out in outputs:
        printer.assign(out.name, out.expr)
    body += printer.lines[start:]
    body.append(f"return {layout.returns}")
    body = drop_unused_dims(body)
    used = helper_names(body, helpers)
    arg_lines = [f"    {v.name}: {kind_of(v)}, {shape_text(v)}" for v in args]
    derivative_lines = [f"    {o.label}: {o.text}" for o in outputs[1:]]
    header = [
        f'"""{title}, generated by matcal {version} (target: {target}).',
        "",
        f"    f = {expression}",
        *derivative_lines,
        "",
        "Arguments, in this order (also by keyword; vectors are 1-D arrays):",
        *arg_lines,
        "",
        f"{function}({', '.join(v.name for v in args)}) returns {layout.returns}; each "
        "derivative is laid out",
        "as shape(f) + shape(X) per order (the gradient of a scalar is shaped like X).",
        *(["Symmetric arguments are taken to be symmetric (not checked)."]
          if any(v.symmetric for v in args) else []),
        "Run this file to check the derivatives against central differences.",
        '"""',
        "",
        *printer.imports,
        "",
    ]
    if used:
        header += ["", *("\n".join(helpers[h].splitlines()) + "\n\n" for h in used)]
        header[-1] = header[-1].rstrip("\n")
    doc = (f'    """Returns {layout.returns} (see the module docstring).\n\n'
           '    Raises:\n        ValueError: an argument of the wrong number of axes or of a '
           'size that\n            disagrees with another argument.\n    """')
    fn = [f"def {function}({', '.join(v.name for v in args)}):", doc,
          *("    " + line if line else "" for line in "\n".join(body).splitlines())]
    return "\n".join(header + ["", *fn]) + "\n"


def self_check(args: list[Var], sizes: dict[str, int], layout: Layout, function: str,
               target: str) -> list[str]:
    """The ``__main__`` block: random arguments of the documented kinds (symmetric ones
    symmetric, square ones well conditioned), then each derivative against a Richardson-
    extrapolated central difference of what it differentiates, along a random direction.
    Its text follows the head after two blank lines."""
    kinds = {v.name: (kind_of(v), tuple(d.name for d in v.shape.dims)) for v in args}
    setup = {
        "numpy": ["_run_fn = " + function, "_to = _np.asarray", "_back = _np.asarray"],
        "jax": ["jax.config.update(\"jax_enable_x64\", True)",
                f"_run_fn = jax.jit({function})", "_to = jnp.asarray", "_back = _np.asarray"],
        "torch": [f"_run_fn = {function}",
                  "def _to(v):", "    return torch.as_tensor(v, dtype=torch.float64)",
                  "def _back(o):",
                  "    return torch.as_tensor(o).detach().cpu().numpy()"],
    }[target]
    return [
        MAIN,
        "    import sys",
        "",
        "    import numpy as _np",
        "",
        *("    " + s for s in setup),
        f"    _KINDS = {kinds!r}",
        f"    _SIZES = {sizes!r}",
        f"    _CHECKS = {layout.checks!r}",
        "",
        "    def _draw(rng, positive):",
        "        values = {}",
        "        for name, (kind, dims) in _KINDS.items():",
        "            shape = tuple(_SIZES[d] for d in dims)",
        "            v = rng.uniform(0.5, 1.5, shape) if positive else rng.standard_normal(shape)",
        "            if kind == \"integer\":",
        "                v = _np.asarray(float(rng.integers(2, 5)))",
        "            if kind == \"symmetric\":",
        "                v = (v + v.T) / 2",
        "            if len(shape) == 2 and shape[0] == shape[1]:  # well conditioned",
        "                n = shape[0]",
        "                v = _np.eye(n) + (v / n if positive else v / (2 * _np.sqrt(n)))",
        "            values[name] = v",
        "        return values",
        "",
        "    def _outputs(values):",
        "        out = _run_fn(**{k: _to(v) for k, v in values.items()})",
        "        flat = [out[0]]",
        "        for o in out[1:]:",
        "            flat.extend(o if isinstance(o, tuple) else [o])",
        "        return [_np.asarray(_back(o), dtype=float) for o in flat]",
        "",
        "    rng = _np.random.default_rng(0)",
        "    for attempt in range(10):",
        "        values = _draw(rng, positive=attempt >= 5)",
        "        try:",
        "            with _np.errstate(all=\"ignore\"):",
        "                outs = _outputs(values)",
        "        except (_np.linalg.LinAlgError, RuntimeError):  # singular: draw again",
        "            continue",
        "        if all(_np.all(_np.isfinite(o)) for o in outs):",
        "            break",
        "    else:",
        "        print(\"no random arguments gave finite values; check by hand\")",
        "        sys.exit(1)",
        "",
        "    def _slope(name, index, v, h):",
        "        plus, minus = dict(values), dict(values)",
        "        plus[name] = values[name] + h * v",
        "        minus[name] = values[name] - h * v",
        "        return (_outputs(plus)[index] - _outputs(minus)[index]) / (2 * h)",
        "",
        "    failed = False",
        "    for name, lower, upper, label in _CHECKS:",
        "        v = rng.standard_normal(_np.shape(values[name]))",
        "        if _KINDS[name][0] == \"symmetric\":",
        "            v = (v + v.T) / 2",
        "        h = 1e-3",
        "        estimate = (4 * _slope(name, lower, v, h / 2) - _slope(name, lower, v, h)) / 3",
        "        exact = _np.tensordot(outs[upper], v, axes=v.ndim)",
        "        gap = _np.linalg.norm(estimate - exact)",
        "        scale = max(_np.linalg.norm(exact), _np.linalg.norm(estimate))",
        "        error = gap / scale if scale > 0 else 0.0",
        "        ok = gap <= 1e-6 * scale + 1e-9 * (1 + _np.linalg.norm(outs[lower]))",
        "        failed |= not ok",
        "        print(f\"{label} check (central differences along a random direction): \"",
        "              f\"relative error {error:.1e}, {'passed' if ok else 'FAILED'}\")",
        "    sys.exit(1 if failed else 0)",
    ]
