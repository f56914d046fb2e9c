"""SymPy's matrix expressions to and from matcal (the optional extra ``matcal[sympy]``).

:func:`to_sympy` builds SymPy matrix expressions — ``MatrixSymbol`` with symbolic dimensions
(or the sizes given), ``MatMul``, ``MatAdd``, ``HadamardProduct``, ``HadamardPower``,
``KroneckerProduct``, ``Trace``, ``Inverse``, ``Determinant``, ``Transpose``, ``DiagMatrix``,
``DiagonalOf`` and element-wise functions (``applyfunc``). A scalar-valued product such as
x'*y, which SymPy keeps as a 1×1 matrix, becomes ``Trace(x.T*y)``, the form SymPy
differentiates (its ``(x.T*y)[0, 0]`` differentiates to 0 in SymPy 1.14).

:func:`from_sympy` reads one back by writing it in the input language and parsing that:
n×1 symbols are vectors, 1×1 and ``Symbol`` scalars, ``Q.symmetric`` (under
``sympy.assuming`` or given) makes a symmetric matrix. What has no translation raises a
:class:`~matcal.core.errors.OptionsError` that names the class.
"""

from __future__ import annotations

import functools
import operator
from typing import Any, Mapping, Sequence

from matcal.api import Source, _as_expr
from matcal.core.errors import OptionsError
from matcal.core.nodes import (
    Add, Apply, Det, DiagMatrix, DiagVector, Expr, Hadamard, Identity, Inverse, Kron, LogDet,
    MatMul, MatPower, Norm1, Norm2, Number, Ones, Power, SumEntries, SymbolicPower, Trace,
    Transpose, Var, Zero, variables,
)
from matcal.printing.base import format_number
from matcal.syntax.parse import parse


def _sympy():
    try:
        import sympy
    except ImportError:
        raise OptionsError("SymPy interop needs SymPy: pip install 'matcal[sympy]'") from None
    return sympy


def to_sympy(expr: Source, types: Mapping[str, str] | None = None,
             shapes: Mapping[str, Sequence[int]] | None = None) -> Any:
    """The expression as a SymPy matrix expression (a scalar as a SymPy scalar).

    Args:
        expr: text, an Expr or a Derivative (in matrix notation).
        types: optional name → kind mapping, as for :func:`matcal.parse`.
        shapes: optional name → numeric shape of variables (e.g. ``{"A": (3, 4)}``); the
            other dimensions are SymPy symbols named like matcal's (``m``, ``n``).

    Returns:
        SymPy objects: vectors are n×1 ``MatrixSymbol``\\ s, scalars ``Symbol``\\ s (real).

    Raises:
        OptionsError: SymPy is not installed; a node with no SymPy counterpart (softmax,
            logsumexp, index notation, sums over an index) — the message names it.
    """
    sp = _sympy()
    e, _ = _as_expr(expr, types)
    sizes: dict[Any, Any] = {}
    for name, var in variables(e).items():
        if shapes and name in shapes:
            for d, n in zip(var.shape.dims, shapes[name]):
                sizes.setdefault(d, sp.Integer(n))
    return _ToSympy(sp, sizes).convert(e)


class _ToSympy:
    """One conversion: the SymPy module, the sizes of the dims, a memo."""

    FUNCTIONS = {
        "exp": "exp", "log": "log", "sin": "sin", "cos": "cos", "tan": "tan", "sinh": "sinh",
        "cosh": "cosh", "tanh": "tanh", "sqrt": "sqrt", "abs": "Abs", "sign": "sign",
        "arcsin": "asin", "arccos": "acos", "arctan": "atan", "erf": "erf",
        "step": "Heaviside",
    }

    def __init__(self, sp, sizes):
        self.sp = sp
        self.sizes = sizes
        self.memo: dict[Expr, Any] = {}

    def dim(self, d) -> Any:
        if d not in self.sizes:
            self.sizes[d] = self.sp.Symbol(d.name.replace("·", "_"), integer=True,
                                           positive=True)
        return self.sizes[d]

    def shape(self, e: Expr) -> tuple[Any, Any]:
        s = e.shape
        one = self.sp.Integer(1)
        return (self.dim(s.rows) if s.rows else one, self.dim(s.cols) if s.cols else one)

    def convert(self, e: Expr) -> Any:
        out = self.memo.get(e)
        if out is None:
            method = getattr(self, "_" + type(e).__name__, None)
            if method is None:
                raise OptionsError(f"{type(e).__name__} ({e}) has no SymPy matrix expression; "
                                   "to_sympy takes products, sums, Hadamard and Kronecker "
                                   "products, traces, inverses, determinants and element-"
                                   "wise functions")
            out = self.memo[e] = self.scalar(method(e), e)
        return out

    def scalar(self, value: Any, e: Expr) -> Any:
        """A 1×1 SymPy matrix for a scalar node is its trace (a SymPy scalar)."""
        if e.shape.is_scalar and isinstance(value, self.sp.MatrixExpr):
            return self.sp.Trace(value)
        return value

    def _Var(self, e: Var) -> Any:
        if e.shape.is_scalar:
            return self.sp.Symbol(e.name, real=True)
        return self.sp.MatrixSymbol(e.name, *self.shape(e))

    def _Number(self, e: Number) -> Any:
        v = e.value
        return self.sp.Integer(int(v)) if v == int(v) else self.sp.Float(v)

    def _Identity(self, e: Identity) -> Any:
        return self.sp.Identity(self.dim(e.n))

    def _Ones(self, e: Ones) -> Any:
        return self.sp.OneMatrix(*self.shape(e))

    def _Zero(self, e: Zero) -> Any:
        return self.sp.ZeroMatrix(*self.shape(e)) if e.shape.dims else self.sp.Integer(0)

    def _Add(self, e: Add) -> Any:
        return functools.reduce(operator.add, [self.convert(t) for t in e.terms])

    def _MatMul(self, e: MatMul) -> Any:
        scalars = [self.convert(f) for f in e.factors if f.shape.is_scalar]
        chain = [self.convert(f) for f in e.factors if not f.shape.is_scalar]
        out = functools.reduce(operator.mul, scalars + chain)
        return out

    def _Hadamard(self, e: Hadamard) -> Any:
        scalars = [self.convert(f) for f in e.factors if f.shape.is_scalar]
        arrays = [self.convert(f) for f in e.factors if not f.shape.is_scalar]
        product = self.sp.HadamardProduct(*arrays) if len(arrays) > 1 else (
            arrays[0] if arrays else self.sp.Integer(1))
        return functools.reduce(operator.mul, scalars + [product])

    def _Power(self, e: Power) -> Any:
        if isinstance(e.base, Norm2) and e.exponent == Number(2.0):  # ‖M‖² = tr(MᵀM)
            m = self.convert(e.base.arg)
            return self.sp.Trace(m.T * m) if isinstance(m, self.sp.MatrixExpr) else m**2
        base, exponent = self.convert(e.base), self.convert(e.exponent)
        if e.base.shape.is_scalar and e.exponent.shape.is_scalar:
            return base**exponent
        if not e.exponent.shape.is_scalar:
            raise OptionsError(f"{e}: an element-wise power with a matrix exponent has no "
                               "SymPy matrix expression")
        return self.sp.HadamardPower(base, exponent)

    def _MatPower(self, e: MatPower) -> Any:
        return self.sp.MatPow(self.convert(e.base), e.k)

    def _SymbolicPower(self, e: SymbolicPower) -> Any:
        return self.sp.MatPow(self.convert(e.base), self.convert(e.exponent))

    def _Transpose(self, e: Transpose) -> Any:
        return self.sp.Transpose(self.convert(e.arg))

    def _Trace(self, e: Trace) -> Any:
        return self.sp.Trace(self.convert(e.arg))

    def _Det(self, e: Det) -> Any:
        return self.sp.Determinant(self.convert(e.arg))

    def _LogDet(self, e: LogDet) -> Any:
        return self.sp.log(self.sp.Determinant(self.convert(e.arg)))

    def _Inverse(self, e: Inverse) -> Any:
        return self.sp.Inverse(self.convert(e.arg))

    def _SumEntries(self, e: SumEntries) -> Any:  # Σ M_ij = tr(1_{c×r} M)
        m = self.convert(e.arg)
        if e.arg.shape.is_scalar:
            return m
        rows, cols = self.shape(e.arg)
        return self.sp.Trace(self.sp.OneMatrix(cols, rows) * m)

    def _Norm1(self, e: Norm1) -> Any:
        return self._SumEntries(SumEntries(Apply("abs", e.arg)))

    def _Norm2(self, e: Norm2) -> Any:
        m = self.convert(e.arg)
        if not isinstance(m, self.sp.MatrixExpr):
            return self.sp.Abs(m)
        return self.sp.sqrt(self.sp.Trace(m.T * m))

    def _DiagMatrix(self, e: DiagMatrix) -> Any:
        v = self.convert(e.arg)
        return self.sp.DiagMatrix(v if e.arg.shape.is_vector else v.T)

    def _DiagVector(self, e: DiagVector) -> Any:
        return self.sp.DiagonalOf(self.convert(e.arg))

    def _Kron(self, e: Kron) -> Any:
        return self.sp.KroneckerProduct(self.convert(e.left), self.convert(e.right))

    def _Apply(self, e: Apply) -> Any:
        sp = self.sp
        special = {
            "sigmoid": lambda t: 1 / (1 + sp.exp(-t)), "softplus": lambda t: sp.log(1 + sp.exp(t)),
            "relu": lambda t: sp.Max(t, 0), "log1p": lambda t: sp.log(1 + t),
            "expm1": lambda t: sp.exp(t) - 1,
        }
        fn = special.get(e.func) or getattr(sp, self.FUNCTIONS[e.func])
        arg = self.convert(e.arg)
        if isinstance(arg, sp.MatrixExpr):
            return arg.applyfunc(fn)
        return fn(arg)


# ------------------------------------------------------------------ from SymPy


def from_sympy(expr: Any, assumptions: Any = True,
               types: Mapping[str, str] | None = None) -> Expr:
    """A SymPy matrix expression as a matcal expression.

    Args:
        expr: a SymPy expression of ``MatrixSymbol``\\ s and scalar ``Symbol``\\ s.
        assumptions: SymPy assumptions such as ``Q.symmetric(S)``, as for ``sympy.ask``
            (those in force under ``sympy.assuming`` count too).
        types: kinds that override what the shapes say.

    Returns:
        The expression (n×1 and 1×1 symbols are vectors and scalars; a symbol known to be
        symmetric is a symmetric matrix).

    Raises:
        OptionsError: a SymPy class with no matcal counterpart (``ArrayDerivative``,
            ``KroneckerDelta``, a 1×n symbol …), named in the message.
        ParseError, ShapeError: the shapes do not fit together.
    """
    sp = _sympy()
    reader = _FromSympy(sp, assumptions)
    text = reader.text(expr)
    kinds = {**reader.kinds, **(types or {})}
    return parse(text, kinds)


class _FromSympy:
    """SymPy → input-language text, collecting each symbol's kind."""

    NAMES = {
        "exp": "exp", "log": "log", "sin": "sin", "cos": "cos", "tan": "tan", "sinh": "sinh",
        "cosh": "cosh", "tanh": "tanh", "Abs": "abs", "sign": "sign", "asin": "arcsin",
        "acos": "arccos", "atan": "arctan", "erf": "erf", "Heaviside": "step",
    }

    def __init__(self, sp, assumptions):
        self.sp = sp
        self.assumptions = assumptions
        self.kinds: dict[str, str] = {}

    def text(self, e: Any) -> str:
        sp = self.sp
        name = type(e).__name__
        if isinstance(e, sp.MatrixSymbol):
            return self.symbol(e)
        if isinstance(e, sp.Symbol):
            self.kinds[e.name] = "scalar"
            return e.name
        if isinstance(e, sp.Number):
            return format_number(float(e))
        if e is sp.pi:
            return format_number(float(e))
        handler = getattr(self, "_" + name, None)
        if handler is None and isinstance(e, sp.Function) and name in self.NAMES:
            return f"{self.NAMES[name]}({self.text(e.args[0])})"
        if handler is None:
            raise OptionsError(f"SymPy's {name} ({e}) has no matcal counterpart; from_sympy "
                               "reads matrix symbols, products, sums, powers, Hadamard and "
                               "Kronecker products, traces, inverses, determinants and "
                               "element-wise functions")
        return handler(e)

    def symbol(self, e) -> str:
        rows, cols = e.shape
        if cols == 1 and rows == 1:
            kind = "scalar"
        elif cols == 1:
            kind = "vector"
        elif rows == 1:
            raise OptionsError(f"{e.name} is a 1×n MatrixSymbol; matcal has row vectors only "
                               f"as transposes: use an n×1 symbol and {e.name}.T")
        else:
            symmetric = self.sp.ask(self.sp.Q.symmetric(e), self.assumptions)
            kind = "symmetric" if symmetric else "matrix"
        self.kinds[e.name] = kind
        return e.name

    def join(self, args, op: str) -> str:
        return op.join(f"({self.text(a)})" for a in args)

    def _MatMul(self, e) -> str:
        return self.join(e.args, "*")

    _Mul = _MatMul

    def _MatAdd(self, e) -> str:
        return self.join(e.args, " + ")

    _Add = _MatAdd

    def _HadamardProduct(self, e) -> str:
        return self.join(e.args, ".*")

    def _HadamardPower(self, e) -> str:
        return f"({self.text(e.base)}).^({self.text(e.exp)})"

    def _Pow(self, e) -> str:
        return f"({self.text(e.base)})^({self.text(e.exp)})"

    def _MatPow(self, e) -> str:
        if e.exp == -1:
            return f"inv({self.text(e.base)})"
        return f"({self.text(e.base)})^({self.text(e.exp)})"

    def _Transpose(self, e) -> str:
        return f"({self.text(e.arg)})'"

    def _Inverse(self, e) -> str:
        return f"inv({self.text(e.arg)})"

    def _Trace(self, e) -> str:
        return f"tr({self.text(e.arg)})"

    def _Determinant(self, e) -> str:
        return f"det({self.text(e.arg)})"

    def _log(self, e) -> str:
        arg = e.args[0]
        if isinstance(arg, self.sp.Determinant):
            return f"logdet({self.text(arg.arg)})"
        return f"log({self.text(arg)})"

    def _Identity(self, e) -> str:
        return "eye"

    def _OneMatrix(self, e) -> str:
        rows, cols = e.shape
        return "vector(1)" if cols == 1 else "vector(1)'" if rows == 1 else "matrix(1)"

    def _ZeroMatrix(self, e) -> str:
        rows, cols = e.shape
        return "vector(0)" if cols == 1 else "vector(0)'" if rows == 1 else "matrix(0)"

    def _KroneckerProduct(self, e) -> str:
        out = self.text(e.args[0])
        for a in e.args[1:]:
            out = f"kron({out}, {self.text(a)})"
        return out

    def _DiagMatrix(self, e) -> str:
        return f"diag({self.text(e.args[0])})"

    def _DiagonalOf(self, e) -> str:
        return f"diag({self.text(e.args[0])})"

    def _MatrixElement(self, e) -> str:
        parent, i, j = e.args
        if parent.shape == (1, 1) and i == 0 and j == 0:
            return self.text(parent)
        raise OptionsError(f"SymPy's MatrixElement {e} (an entry) has no matcal counterpart "
                           "outside index notation")

    def _ElementwiseApplyFunction(self, e) -> str:
        fn = e.function
        x = self.sp.Dummy("x")
        body = fn(x)
        if isinstance(body, self.sp.Function) and body.args == (x,) \
                and type(body).__name__ in self.NAMES:
            return f"{self.NAMES[type(body).__name__]}({self.text(e.expr)})"
        raise OptionsError(f"SymPy's ElementwiseApplyFunction of {fn} has no matcal "
                           "counterpart: from_sympy reads applyfunc of one named function")
