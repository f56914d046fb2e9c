"""Hypothesis properties on random well-shaped expressions (STYLE 9, third layer).

The strategies build expression *text* from a small shape algebra kept in the strategy itself:
every name has a fixed kind (the ``TYPES`` mapping, passed explicitly, with some overrides of
the naming convention) and a fixed symbolic shape over two dims n and m:

    scalars a, c, t, K        vectors x, y (n), z, beta (m)
    matrices A (m×n), X, B (n×n), S (n×n symmetric), C (m×m)

A generator for shape T only ever combines sub-expressions whose shapes fit the operator, so
the text is well-shaped under that assignment of dims; the parser may infer a more general
typing (X is not known to be square unless something makes it so), of which ours is an
instance. Constants whose size comes from context (``vector(c)``, ``matrix(c)``, ``eye``)
appear only next to a sub-expression with variables, so values tell every size — except where
numbers fold to zero (``(0.5 - 0.5)*A``), for which the expected shape is passed.

Domains: only functions smooth everywhere (exp sin cos tanh sigmoid softplus, powers),
element-wise division by ``E.^2 + 1``, scalar division by ``1 + s^2``, and ``inv``, ``det``,
``logdet`` only of well-conditioned matrices. Values (``values_for``) are of moderate size, at
random sizes n, m ∈ 1..4: entries 0.5·N(0, 1), square matrices I + 0.3·N(0, 1)/√size.

Properties:
    (a) every scalar expression's gradient, for each of its variables, has the variable's
        shape and matches central differences (``check_gradient < 1e-6``);
    (b) ``parse(str(e))`` has the value of ``e``, for expressions and for their gradients;
    (c) ``simplify`` is idempotent and keeps the shape and the value;
    (d) printing is stable: ``str(parse(str(e))) == str(e)``.

Every rewrite rule that fires is value-checked as it fires (``value_checked_rewrites``).

Deterministic (derandomized) and without shrinking by default; MATCAL_SHRINK=1 shrinks
counterexamples, MATCAL_EXAMPLES=2000 searches longer. Minimal repros of what these found
are plain tests in test_found_by_properties.py.
"""

from __future__ import annotations

import os
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, assume, given, note, settings
from hypothesis import strategies as st

import matcal
from matcal.numeric.gradcheck import directional_derivative
from matcal.core.nodes import variables
from matcal.numeric.rewrite_check import checking_rewrites
from matcal.simplify.engine import simplify


@pytest.fixture(autouse=True)
def value_checked_rewrites():
    """Every rule that fires in these properties is checked numerically as it fires
    (matcal.numeric.rewrite_check): a rule that changes a value fails with its name."""
    with checking_rewrites() as checker:
        yield checker

# ---------------------------------------------------------------- the shape algebra

S = (None, None)  # scalar
VN, VM = ("n", None), ("m", None)  # vectors
MNN, MMM, MMN, MNM = ("n", "n"), ("m", "m"), ("m", "n"), ("n", "m")  # matrices
SHAPES = (S, VN, VM, MNN, MMM, MMN, MNM)

TYPES = {
    "a": "scalar", "c": "scalar", "t": "scalar", "K": "scalar",
    "x": "vector", "y": "vector", "z": "vector", "beta": "vector",
    "A": "matrix", "X": "matrix", "B": "matrix", "C": "matrix", "S": "symmetric",
}
"""Explicit kinds; ``t`` and ``K`` (a vector and a matrix by convention) are scalars here,
``beta`` (a scalar by convention) is a vector, ``S`` is symmetric."""

LEAVES = {
    S: ["a", "c", "t", "K", "2", "0.5", "3"],
    VN: ["x", "y"],
    VM: ["z", "beta"],
    MNN: ["X", "B", "S"],
    MMM: ["C"],
    MMN: ["A"],
    MNM: ["A'"],
}
SHAPE_OF = {"a": S, "c": S, "t": S, "K": S, "x": VN, "y": VN, "z": VM, "beta": VM,
            "A": MMN, "X": MNN, "B": MNN, "S": MNN, "C": MMM}

WELL_CONDITIONED = {
    "n": ["X", "B", "S", "X'", "(X + B)", "(X*X' + eye)", "(S + eye)", "(2*X - B')"],
    "m": ["C", "C'", "(C + eye)", "(C*C)", "(C*C' + eye)"],
}
"""Square matrices comfortably invertible at the values used (square variables are shifted
by n·I). Each forces its variables square, except X*X' + eye, which is invertible anyway."""

SMOOTH = ["exp", "sin", "cos", "tanh", "sigmoid", "softplus"]


def _is_square(shape) -> bool:
    return shape[0] is not None and shape[0] == shape[1]


def _ones(shape) -> str:
    if shape == S:
        return "1"
    return "vector(1)" if shape[1] is None else "matrix(1)"


def _options(shape) -> list:
    """The ways to build an expression of ``shape``: functions (pick, sub) -> text, where
    ``pick(choices)`` draws one of a list and ``sub(shape)`` draws a smaller expression."""
    ones = _ones(shape)
    options = [
        lambda pick, sub: f"({sub(shape)} + {sub(shape)})",
        lambda pick, sub: f"({sub(shape)} - {sub(shape)})",
        lambda pick, sub: f"(-{sub(shape)})",
        lambda pick, sub: f"({sub(S)}*{sub(shape)})",
        lambda pick, sub: f"({sub(shape)}/(1 + {sub(S)}^2))",
        lambda pick, sub: f"({sub(shape)}/2)",
        lambda pick, sub: f"{pick(SMOOTH)}({sub(shape)})",
        lambda pick, sub: f"({sub(shape)}.*{sub(shape)})",
        lambda pick, sub: f"({sub(shape)}.^{pick(['2', '3'])})",
        lambda pick, sub: f"({sub(shape)}./({sub(shape)}.^2 + {ones}))",
    ]
    if shape == S:
        options += [
            lambda pick, sub: f"({sub(S)}^{pick(['2', '3'])})",
            lambda pick, sub: f"({sub(VN)}'*{sub(VN)})",
            lambda pick, sub: f"({sub(VM)}'*{sub(VM)})",
            lambda pick, sub: f"({sub(VM)}'*{sub(MMN)}*{sub(VN)})",
            lambda pick, sub: f"({sub(VN)}'*{sub(MNN)}*{sub(VN)})",
            lambda pick, sub: f"tr({sub(MNN)})",
            lambda pick, sub: f"tr({sub(MMM)})",
            lambda pick, sub: f"logdet({pick(WELL_CONDITIONED['n'] + WELL_CONDITIONED['m'])})",
            lambda pick, sub: f"det({pick(WELL_CONDITIONED['n'])})",
            lambda pick, sub: f"sum({sub(pick(SHAPES[1:]))})",
            lambda pick, sub: f"norm2({sub(pick(SHAPES[1:]))})",
        ]
    else:
        const = ones.replace("1", "{}")
        options += [
            lambda pick, sub: f"({sub(S)}.*{sub(shape)})",  # a scalar broadcasts
            # a constant whose size only the context tells: E + c*ones
            lambda pick, sub: f"({sub(shape)} + {const.format(sub(S))})",
        ]
    rows, cols = shape
    if rows is not None and cols is None:  # vectors
        options += [
            lambda pick, sub: f"({sub((rows, 'n'))}*{sub(VN)})",
            lambda pick, sub: f"({sub((rows, 'm'))}*{sub(VM)})",
            lambda pick, sub: f"diag({sub((rows, rows))})",
            lambda pick, sub: f"(inv({pick(WELL_CONDITIONED[rows])})*{sub(shape)})",
        ]
    if rows is not None and cols is not None:  # matrices
        options += [
            lambda pick, sub: f"({sub((rows, 'n'))}*{sub(('n', cols))})",
            lambda pick, sub: f"({sub((rows, 'm'))}*{sub(('m', cols))})",
            lambda pick, sub: f"({sub((rows, None))}*{sub((cols, None))}')",  # outer product
            lambda pick, sub: f"({sub((cols, rows))}')",
        ]
    if _is_square(shape):
        options += [
            lambda pick, sub: f"diag({sub((rows, None))})",
            lambda pick, sub: f"inv({pick(WELL_CONDITIONED[rows])})",
            lambda pick, sub: f"({sub(shape)} + eye)",
            lambda pick, sub: f"(2*eye - {sub(shape)})",
            lambda pick, sub: f"({sub(shape)}^{pick(['2', '3'])})",  # matrix power
        ]
    return options


OPTIONS = {shape: _options(shape) for shape in SHAPES}


@st.composite
def expr(draw, shape, depth: int) -> str:
    """Text of an expression of ``shape`` (in the algebra above), at most ``depth`` deep.

    One composite strategy rather than a tree of ``one_of``s: Hypothesis labels a strategy
    graph by walking it, which for nested one_ofs costs seconds per test.
    """

    def pick(choices):
        return draw(st.sampled_from(choices))

    def build(shape, depth: int) -> str:
        if depth == 0 or draw(st.integers(0, 2)) == 0:
            return pick(LEAVES[shape])
        return pick(OPTIONS[shape])(pick, lambda sh: build(sh, depth - 1))

    return build(shape, depth)


DEPTH = 4
scalar_texts = expr(S, DEPTH)
any_cases = st.sampled_from(SHAPES).flatmap(lambda sh: st.tuples(st.just(sh), expr(sh, DEPTH)))
"""(shape, text): the shape in the algebra, which sizes a value whose names folded away
(``(0.5 - 0.5)*A`` parses to the zero matrix, which no value sizes)."""
any_texts = any_cases.map(lambda case: case[1])


def values_for(n: int, m: int, seed: int) -> dict:
    """Values of every name at sizes n and m, of moderate magnitude: entries 0.5·N(0, 1),
    square matrices I + 0.3·N(0, 1)/√size (invertible, positive determinant)."""
    rng = np.random.default_rng(seed)
    sizes = {"n": n, "m": m}
    out = {}
    for name, (rows, cols) in SHAPE_OF.items():
        dims = [sizes[d] for d in (rows, cols) if d is not None]
        if _is_square((rows, cols)):
            k = dims[0]
            value = np.eye(k) + rng.standard_normal(dims) * 0.3 / np.sqrt(k)
            if TYPES[name] == "symmetric":
                value = (value + value.T) / 2
        else:
            value = rng.standard_normal(dims) * 0.5
        out[name] = float(value) if not dims else value
    return out


values = st.builds(values_for, st.integers(1, 4), st.integers(1, 4), st.integers(0, 2**16))
"""Values of every name, at random sizes n, m ∈ 1..4 (1×1 matrices and 1-vectors included)."""


def close(u, v) -> bool:
    u, v = np.asarray(u, dtype=float), np.asarray(v, dtype=float)
    scale = max(1.0, float(np.max(np.abs(u), initial=0)))
    return u.shape == v.shape and np.allclose(u, v, rtol=1e-8, atol=1e-8 * scale)


def finite(value) -> bool:
    """Finite and moderate, so that finite differences and tolerances mean something."""
    return bool(np.all(np.isfinite(value))) and float(np.max(np.abs(value), initial=0)) < 1e6


def value_of(e, vals, names=None, **kwargs):
    """The value of ``e`` given the values of ``names`` only (default: the names of ``e``;
    for a gradient, those of the expression it came from, which size its constants). Not
    all of ``vals``: see test_found_by_properties.py::test_evaluate_ignores_values_of_other_names."""
    names = variables(e) if names is None else names
    with np.errstate(all="ignore"):
        return matcal.evaluate(e, {k: v for k, v in vals.items() if k in names}, **kwargs)


def sized(shape, vals) -> tuple[int, ...]:
    """The numeric shape of ``shape`` at the sizes of ``vals``."""
    sizes = {"n": np.size(vals["x"]), "m": np.size(vals["z"])}
    return tuple(sizes[d] for d in shape if d is not None)


def kind_of(var) -> str:
    shape = var.shape
    return "scalar" if shape.is_scalar else "vector" if shape.is_vector else "matrix"


PROFILE = settings(
    deadline=None, derandomize=True, max_examples=int(os.environ.get("MATCAL_EXAMPLES", 150)),
    # Shrinking a failure costs minutes; CI reports the example as found. While debugging,
    # MATCAL_SHRINK=1 gives minimal counterexamples and MATCAL_EXAMPLES=2000 searches longer.
    phases=[Phase.explicit, Phase.generate] + ([Phase.shrink] if os.environ.get("MATCAL_SHRINK")
                                               else []),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

# ---------------------------------------------------------------- the generator itself


@PROFILE
@given(any_cases, values)
def test_generated_text_is_well_shaped(case, vals):
    """The generator's claim: each text parses, and its value has the shape it was built for."""
    shape, text = case
    e = matcal.parse(text, TYPES)
    assert (e.shape.rows is None, e.shape.cols is None) == (shape[0] is None, shape[1] is None)
    assert np.shape(value_of(e, vals, shape=sized(shape, vals))) == sized(shape, vals)


# ---------------------------------------------------------------- (a) gradients


@PROFILE
@given(scalar_texts, values)
def test_gradient_matches_finite_differences(text, vals):
    """(a) ⟨∇f, V⟩ = D_V f by central differences, for every variable of f.

    Values of moderate size are passed in: check_gradient's own random values once shifted
    square matrices by n·I, and then e.g. cos(det(X + B)) had an argument ~1e5, which its
    fixed step h = 1e-3 could not resolve (relative error 1.16 for a right gradient).
    """
    e = matcal.parse(text, TYPES)
    f = value_of(e, vals)
    assume(finite(f))
    own = {k: v for k, v in vals.items() if k in variables(e)}
    for name in variables(e):
        note(f"d/d{name}: {matcal.gradient(e, name, TYPES)}")
        if not resolvable(e, own, name, f):
            continue
        with np.errstate(all="ignore"):
            assert matcal.check_gradient(e, name, TYPES, values=own, seed=0) < 1e-6


def resolvable(e, own, name, f) -> bool:
    """Whether central differences resolve the derivative to 1e-6: it must not be tiny next
    to f, whose rounding (~1e-16·|f|/h) they amplify. Judged by differences alone, so that a
    gradient wrongly zero is still checked."""
    rng = np.random.default_rng(1)
    direction = rng.standard_normal(np.shape(own[name]))
    direction = float(direction) if np.ndim(direction) == 0 else direction
    with np.errstate(all="ignore"):
        slope = directional_derivative(e, own, name, direction)
    return bool(abs(slope) > 1e-5 * max(1.0, abs(f)))


@PROFILE
@given(scalar_texts)
def test_gradient_has_the_shape_of_the_variable(text):
    """(a) shape(f) + shape(X) with f scalar: the gradient has exactly the variable's shape."""
    e = matcal.parse(text, TYPES)
    for name, var in variables(e).items():
        g = matcal.gradient(e, name, TYPES)
        note(f"d/d{name}: {g}")
        assert g.shape == var.shape


# ---------------------------------------------------------------- (b) printed text is input


@PROFILE
@given(any_cases, values)
def test_printed_expression_has_the_same_value(case, vals):
    """(b) parse(str(e)) evaluates to the value of e."""
    shape, text = case
    e = matcal.parse(text, TYPES)
    want = value_of(e, vals, shape=sized(shape, vals))
    assume(finite(want))
    note(f"printed: {e}")
    # the text may have lost the names that size a constant: (0.5 - 0.5)*z prints vector(0)
    assert close(value_of(matcal.parse(str(e), TYPES), vals, shape=np.shape(want)), want)


@PROFILE
@given(scalar_texts, values)
def test_printed_gradient_has_the_same_value(text, vals):
    """(b) str(gradient) parses back to an expression with the gradient's value.

    The text alone may not tell its sizes (the gradient of tr(X) is ``eye``), so it is read
    back as ``(G) + W_`` with W_ a fresh variable of the variable's kind, which fixes them.
    """
    e = matcal.parse(text, TYPES)
    assume(finite(value_of(e, vals)))
    for name, var in variables(e).items():
        g = matcal.gradient(e, name, TYPES)
        note(f"d/d{name}: {g}")
        want = value_of(g, vals, names=variables(e), shape=np.shape(vals[name]))
        if not finite(want):
            continue
        w = np.full(np.shape(vals[name]), 0.75)
        back = matcal.parse(f"({g}) + W_", {**TYPES, "W_": kind_of(var)})
        try:
            got = value_of(back, {**vals, "W_": float(w) if np.ndim(w) == 0 else w})
        except matcal.ValuesError as err:
            # an inner size no name in the text tells: d/dc tr(matrix(c) + X) = tr(eye)
            assert "size" in err.message and re.search(r"eye|vector\(|matrix\(", str(g)), err
            continue
        assert close(np.asarray(got) - w, want)


# ---------------------------------------------------------------- (c) simplify


@PROFILE
@given(any_texts)
def test_simplify_is_idempotent(text):
    """(c) simplify(simplify(e)) == simplify(e)."""
    once = simplify(matcal.parse(text, TYPES))
    note(f"simplified: {once}")
    assert simplify(once) == once


@PROFILE
@given(any_cases, values)
def test_simplify_keeps_shape_and_value(case, vals):
    """(c) simplify(e) has the shape and the value of e.

    When terms cancel, the simplified expression may keep no variable that tells a size
    (``norm2(x - x)`` → ``norm2(vector(0))``): the result's size is passed (``shape=``), and
    inner sizes no value tells end the comparison.
    """
    shape, text = case
    e = matcal.parse(text, TYPES)
    once = simplify(e)
    note(f"simplified: {once}")
    assert once.shape == e.shape
    want = value_of(e, vals, shape=sized(shape, vals))
    assume(finite(want))
    try:
        got = value_of(once, vals, shape=np.shape(want))
    except matcal.ValuesError as err:
        assert "size" in err.message, err.message
        assert not set(variables(once)) >= set(variables(e)), err.message
        return
    assert close(got, want)


# ---------------------------------------------------------------- (d) printing is stable


@PROFILE
@given(any_texts)
def test_printing_is_stable(text):
    """(d) str(parse(str(e))) == str(e)."""
    printed = str(matcal.parse(text, TYPES))
    assert str(matcal.parse(printed, TYPES)) == printed


@PROFILE
@given(scalar_texts)
def test_printing_of_gradients_is_stable(text):
    """(d) for gradients too: their text prints back to itself."""
    e = matcal.parse(text, TYPES)
    for name in variables(e):
        printed = str(matcal.gradient(e, name, TYPES))
        note(f"d/d{name}: {printed}")
        assert str(matcal.parse(printed, TYPES)) == printed


# ---------------------------------------------------------------- (e) Hessians


@PROFILE
@given(scalar_texts, values)
def test_hessian_is_the_jacobian_of_the_gradient_and_symmetric(text, vals):
    """(e) ∇²f = J(∇f), and ∇²f is symmetric: H[a, b] = H[b, a] over the two copies of X's axes."""
    e = matcal.parse(text, TYPES)
    assume(finite(value_of(e, vals)))
    names = variables(e)
    for name in names:
        h = np.asarray(value_of(matcal.hessian(e, name, TYPES), vals, names=names))
        j = np.asarray(value_of(matcal.jacobian(matcal.gradient(e, name, TYPES), name, TYPES),
                                vals, names=names))
        if not (finite(h) and finite(j)):
            continue
        note(f"d2/d{name}2: {matcal.hessian(e, name, TYPES)}")
        assert close(h, j)
        k = np.ndim(vals[name])
        assert close(h, np.transpose(h, tuple(range(k, 2 * k)) + tuple(range(k))))
