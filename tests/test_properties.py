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
appear only next to a sub-expression with variables, so every size can be told from values.

Domains: only functions smooth everywhere (exp sin cos tanh sigmoid softplus, powers), element
-wise division by ``E.^2 + 1``, scalar division by ``1 + s^2``, and ``inv``/``det``/``logdet``
only of well-conditioned matrices (square variables, which get diagonally dominant values, and
their sums and products).

Properties:
    (a) every scalar expression's gradient, for each of its variables, matches central
        differences (``check_gradient < 1e-6``);
    (b) ``parse(str(e))`` has the value of ``e``, for expressions and for their gradients;
    (c) ``simplify`` is idempotent and keeps the value;
    (d) printing is stable: ``str(parse(str(e))) == str(e)``.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, assume, given, note, settings
from hypothesis import strategies as st

import matcal
from matcal.check import sample_values
from matcal.nodes import variables
from matcal.simplify import simplify

# ---------------------------------------------------------------- the shape algebra

S = (None, None)  # scalar
VN, VM = ("n", None), ("m", None)  # vectors
MNN, MMM, MMN, MNM = ("n", "n"), ("m", "m"), ("m", "n"), ("n", "m")  # matrices
SHAPES = (S, VN, VM, MNN, MMM, MMN, MNM)
SIZES = {"n": 3, "m": 4}

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
any_texts = st.sampled_from(SHAPES).flatmap(lambda shape: expr(shape, DEPTH))


def values_for(seed: int) -> dict:
    """Values of every name at the sizes n = 3, m = 4; square matrices diagonally dominant."""
    rng = np.random.default_rng(seed)
    out = {}
    for name, (rows, cols) in SHAPE_OF.items():
        dims = [SIZES[d] for d in (rows, cols) if d is not None]
        value = rng.standard_normal(dims) * 0.5
        if _is_square((rows, cols)):
            value = value + dims[0] * np.eye(dims[0])
            if TYPES[name] == "symmetric":
                value = (value + value.T) / 2
        out[name] = float(value) if not dims else value
    return out


def close(u, v) -> bool:
    u, v = np.asarray(u, dtype=float), np.asarray(v, dtype=float)
    scale = max(1.0, float(np.max(np.abs(u), initial=0)))
    return u.shape == v.shape and np.allclose(u, v, rtol=1e-8, atol=1e-8 * scale)


def finite(value) -> bool:
    return bool(np.all(np.isfinite(value))) and float(np.max(np.abs(value), initial=0)) < 1e8


PROFILE = settings(
    deadline=None, derandomize=True, max_examples=150,
    # Shrinking a failure costs minutes; CI reports the example as found. Set
    # MATCAL_SHRINK=1 to get minimal counterexamples while debugging.
    phases=[Phase.explicit, Phase.generate] + ([Phase.shrink] if os.environ.get("MATCAL_SHRINK")
                                               else []),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

# ---------------------------------------------------------------- the generator itself


@PROFILE
@given(st.sampled_from(SHAPES).flatmap(lambda sh: st.tuples(st.just(sh), expr(sh, DEPTH))))
def test_generated_text_is_well_shaped(case):
    """The generator's claim: each text parses, with the kind of shape it was built for."""
    shape, text = case
    note(text)
    e = matcal.parse(text, TYPES)
    kind = (e.shape.rows is not None, e.shape.cols is not None)
    assert kind == (shape[0] is not None, shape[1] is not None)
    value = matcal.evaluate(e, values_for(0))
    want = tuple(SIZES[d] for d in shape if d is not None)
    assert np.shape(value) == want


# ---------------------------------------------------------------- (a) gradients


@PROFILE
@given(scalar_texts)
def test_gradient_matches_finite_differences(text):
    """(a) ⟨∇f, V⟩ = D_V f by central differences, for every variable of f."""
    e = matcal.parse(text, TYPES)
    with np.errstate(all="ignore"):
        assume(finite(matcal.evaluate(e, sample_values(e, 0))))
    for name in variables(e):
        note(f"{text}  wrt {name}: {matcal.gradient(e, name, TYPES)}")
        assert matcal.check_gradient(e, name, TYPES, seed=0) < 1e-6


@PROFILE
@given(scalar_texts)
def test_gradient_has_the_shape_of_the_variable(text):
    """(a) the gradient of a scalar is shaped like the variable: shape(f) + shape(X) = shape(X)."""
    e = matcal.parse(text, TYPES)
    for name, var in variables(e).items():
        g = matcal.gradient(e, name, TYPES)
        note(f"d/d{name}: {g}")
        assert g.shape == var.shape


# ---------------------------------------------------------------- (b) printed text is input


@PROFILE
@given(any_texts, st.integers(0, 2**16))
def test_printed_expression_has_the_same_value(text, seed):
    """(b) parse(str(e)) evaluates to the value of e."""
    e = matcal.parse(text, TYPES)
    vals = values_for(seed)
    with np.errstate(all="ignore"):
        want = matcal.evaluate(e, vals)
    assume(finite(want))
    note(f"printed: {e}")
    assert close(matcal.evaluate(matcal.parse(str(e), TYPES), vals), want)


@PROFILE
@given(scalar_texts, st.integers(0, 2**16))
def test_printed_gradient_has_the_same_value(text, seed):
    """(b) str(gradient) parses back to an expression with the gradient's value.

    The text alone may not tell its sizes (the gradient of tr(X) is ``eye``), so it is read
    back as ``(G) + W`` with W a fresh variable of the variable's shape, which fixes them.
    """
    e = matcal.parse(text, TYPES)
    vals = values_for(seed)
    with np.errstate(all="ignore"):
        assume(finite(matcal.evaluate(e, vals)))
    for name, var in variables(e).items():
        g = matcal.gradient(e, name, TYPES)
        note(f"d/d{name}: {g}")
        with np.errstate(all="ignore"):
            want = matcal.evaluate(g, vals)
        if not finite(want):
            continue
        w = np.ones(np.shape(vals[name])) * 0.75
        kind = "scalar" if var.shape.is_scalar else "vector" if var.shape.is_vector else "matrix"
        back = matcal.parse(f"({g}) + W_", {**TYPES, "W_": kind})
        got = matcal.evaluate(back, {**vals, "W_": float(w) if np.ndim(w) == 0 else w})
        assert close(got - w, want)


# ---------------------------------------------------------------- (c) simplify


@PROFILE
@given(any_texts)
def test_simplify_is_idempotent(text):
    """(c) simplify(simplify(e)) == simplify(e)."""
    once = simplify(matcal.parse(text, TYPES))
    note(f"simplified: {once}")
    assert simplify(once) == once


@PROFILE
@given(any_texts, st.integers(0, 2**16))
def test_simplify_keeps_shape_and_value(text, seed):
    """(c) simplify(e) has the shape and the value of e.

    When terms cancel, the simplified expression may keep no variable that tells a size
    (``norm2(x - x)`` → ``norm2(vector(0))``); then only the shape is compared.
    """
    e = matcal.parse(text, TYPES)
    once = simplify(e)
    note(f"simplified: {once}")
    assert once.shape == e.shape
    vals = values_for(seed)
    with np.errstate(all="ignore"):
        want = matcal.evaluate(e, vals)
        assume(finite(want))
        try:
            got = matcal.evaluate(once, vals)
        except matcal.ValuesError as err:
            assert "size" in err.message and not set(variables(once)) >= set(variables(e))
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
        assert str(matcal.parse(printed, TYPES)) == printed
