"""The table of element-wise functions: one entry per name, used by every layer.

Each entry gives the NumPy implementation, the derivative as an expression builder
(f'(X) applied entry-wise, so d f(X) = f'(X) ⊙ dX), and the LaTeX name. The parser accepts
exactly these names (plus the matrix functions it knows itself), so adding a function here
adds it everywhere.

Derivatives are the standard scalar ones (any calculus table; Matrix Cookbook §2.8 for the
element-wise convention).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from matcal.core.build import add, hadamard, neg, number, power, reciprocal, scale
from matcal.core.nodes import Apply, Expr, Number, Ones, Zero


@dataclass(frozen=True, slots=True)
class ElementFunction:
    """An element-wise function: NumPy implementation, derivative builder, LaTeX name."""

    name: str
    numpy: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[Expr], Expr]
    latex: str


def _f(name: str) -> Callable[[Expr], Expr]:
    return lambda x: Apply(name, x)


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


_erf = np.vectorize(math.erf, otypes=[float])


def _one_plus(x: Expr, term: Expr) -> Expr:
    """1 + term, the 1 of the shape of x (ones first, as written)."""
    return add(number(1.0) if x.shape.is_scalar else Ones(x.shape), term)


def _one_minus_square(x: Expr) -> Expr:
    """1 − x.^2."""
    return _one_plus(x, neg(power(x, Number(2.0))))


FUNCTIONS: dict[str, ElementFunction] = {
    f.name: f
    for f in [
        ElementFunction("exp", np.exp, _f("exp"), r"\exp"),
        ElementFunction("log", np.log, reciprocal, r"\log"),
        ElementFunction("sin", np.sin, _f("cos"), r"\sin"),
        ElementFunction("cos", np.cos, lambda x: neg(Apply("sin", x)), r"\cos"),
        ElementFunction("tan", np.tan, lambda x: power(Apply("cos", x), Number(-2.0)), r"\tan"),
        ElementFunction("sinh", np.sinh, _f("cosh"), r"\sinh"),
        ElementFunction("cosh", np.cosh, _f("sinh"), r"\cosh"),
        ElementFunction(  # (tanh x)' = 1 − tanh² x
            "tanh", np.tanh, lambda x: _one_minus_square(Apply("tanh", x)), r"\tanh"
        ),
        ElementFunction(
            "sqrt", np.sqrt, lambda x: scale(0.5, reciprocal(Apply("sqrt", x))), r"\sqrt"
        ),
        ElementFunction("abs", np.abs, _f("sign"), r"\operatorname{abs}"),
        ElementFunction("sign", np.sign, lambda x: Zero(x.shape), r"\operatorname{sign}"),
        ElementFunction(
            "relu", lambda x: np.maximum(x, 0.0), _f("step"), r"\operatorname{relu}"
        ),
        ElementFunction(
            "step", lambda x: (np.asarray(x) > 0).astype(float), lambda x: Zero(x.shape),
            r"\operatorname{step}",
        ),
        ElementFunction(  # σ' = σ(1 − σ)
            "sigmoid", _sigmoid,
            lambda x: hadamard(Apply("sigmoid", x), _one_plus(x, neg(Apply("sigmoid", x)))),
            r"\sigma",
        ),
        ElementFunction(
            "softplus", lambda x: np.logaddexp(0.0, x), _f("sigmoid"),
            r"\operatorname{softplus}",
        ),
        ElementFunction(  # (arcsin x)' = 1/√(1 − x²)
            "arcsin", np.arcsin, lambda x: power(_one_minus_square(x), Number(-0.5)),
            r"\arcsin",
        ),
        ElementFunction(  # (arccos x)' = −1/√(1 − x²)
            "arccos", np.arccos, lambda x: neg(power(_one_minus_square(x), Number(-0.5))),
            r"\arccos",
        ),
        ElementFunction(  # (arctan x)' = 1/(1 + x²)
            "arctan", np.arctan,
            lambda x: reciprocal(add(number(1.0), power(x, Number(2.0)))), r"\arctan",
        ),
        ElementFunction(  # log1p(x) = log(1 + x), accurate near 0: (log1p x)' = 1/(1 + x)
            "log1p", np.log1p, lambda x: reciprocal(_one_plus(x, x)),
            r"\operatorname{log1p}",
        ),
        ElementFunction(  # expm1(x) = eˣ − 1, accurate near 0: (expm1 x)' = eˣ
            "expm1", np.expm1, _f("exp"), r"\operatorname{expm1}",
        ),
        ElementFunction(  # (erf x)' = 2/√π · exp(−x²)
            "erf", _erf,
            lambda x: scale(2.0 / math.sqrt(math.pi), Apply("exp", neg(power(x, Number(2.0))))),
            r"\operatorname{erf}",
        ),
    ]
}
"""Element-wise functions by name."""
