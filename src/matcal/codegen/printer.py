"""The code printer: matrix expressions as array code, one ``_print_<Class>`` per node.

SymPy's code printers are the model: :class:`CodePrinter` writes NumPy-style code through a
module alias (``np``, ``jnp``, ``torch``) and a few hooks that the targets of
:mod:`matcal.codegen.targets` override where their APIs differ. Printing a node returns the
text of a Python expression; a node that :mod:`matcal.codegen.plan` found shared is computed
once into a temporary (a line ``t1 = ...``) and named thereafter.

The lowering is the one a careful person writes (each with its identity):

* ``diag(v)*A`` and ``A*diag(v)`` scale rows or columns by broadcasting, never forming the
  n×n diagonal matrix (diag(v)A = v ⊙ A row-wise; Matrix Cookbook §9.1);
* ``tr(A*B)`` is ``sum(A ⊙ Bᵀ)``, O(n²) once A is known (Cookbook eq. 103, tr(AB) = Σ A_ij B_ji);
  ``diag(A*B)`` is the row sums of ``A ⊙ Bᵀ``;
* ``inv(X)*B`` is the linear solve of X Z = B and ``B*inv(X)`` that of Xᵀ Zᵀ = Bᵀ, unless
  inv(X) is used more than once (then it is computed once);
* ``logdet(X)`` goes through ``slogdet`` (log |det X|, no overflow);
* a chain of three or more matrices goes through ``multi_dot``, which orders the products
  by cost from the runtime sizes; a vector at either end stays 1-D, so ``x'*A*x`` is two
  matrix-vector products and no outer product is formed;
* index notation (more than two axes) goes through ``einsum`` with an optimized
  contraction order.
"""

from __future__ import annotations

import math
from collections import Counter

from matcal.codegen.plan import flip
from matcal.core.errors import MatcalError
from matcal.core.nodes import (
    Add, Apply, Det, DiagMatrix, DiagVector, Einsum, Expr, Hadamard, Identity, IndexSum,
    Inverse, Kron, LogDet, LogSumExp, MatMul, MatPower, Norm1, Norm2, Number, Ones, Power,
    RangeSum, Select, Softmax, SumEntries, SymbolicPower, Trace, Transpose, Var, Zero,
    variables,
)
from matcal.core.notation import reciprocal_of
from matcal.core.shapes import Dim, Shape
from matcal.numeric.evaluate import evaluate_expr
from matcal.printing.base import Printer, format_number, signed_sum

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


class CodegenError(MatcalError):
    """An expression that no generated code computes (a symbolic matrix power)."""


def atomic(text: str) -> bool:
    """Whether ``text`` needs no parentheses as an operand: a name, a number ≥ 0, a call, an
    attribute or a subscript — nothing outside brackets but names, dots and digits."""
    depth = 0
    for i, c in enumerate(text):
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif depth == 0 and not (c.isalnum() or c in "_."):
            return False
    return True


class Operand:
    """A printed factor of a matrix product: its text and which axes it has (a 1-D array is a
    column or a row vector by its place in the product)."""

    __slots__ = ("text", "rows", "cols")

    def __init__(self, text: str, rows: bool, cols: bool):
        self.text, self.rows, self.cols = text, rows, cols

    @property
    def is_vector(self) -> bool:
        return self.rows != self.cols

    @property
    def is_scalar(self) -> bool:
        return not (self.rows or self.cols)


class CodePrinter(Printer):
    """NumPy-style code for the nodes of one function body.

    Args:
        shared: nodes computed once into a temporary (:func:`matcal.codegen.plan.shared`).
        dims: the Python name of every symbolic dimension the body may need (for ``eye``).
        names: names already taken (arguments, dims, modules), which temporaries avoid.
    """

    module = "np"
    broadcasts = True

    def __init__(self, shared: set[Expr], dims: dict[Dim, str], names: set[str]):
        self.shared = shared
        self.dims = dims
        self.taken = set(names)
        self.temps: dict[Expr, str] = {}
        self.lines: list[str] = []
        self.counter = Counter[str]()
        self.bound: dict[str, str] = {}  # index names of sum(k, ...) → loop variables

    # ------------------------------------------------------------ temporaries

    def doprint(self, e: Expr) -> str:
        name = self.temps.get(e)
        if name is not None:
            return name
        text = super().doprint(e)
        if e in self.shared and not self.bound:
            name = self.fresh("t")
            self.lines.append(f"{name} = {text}  # {_comment(e)}")
            self.temps[e] = name
            return name
        return text

    def fresh(self, stem: str) -> str:
        while True:
            self.counter[stem] += 1
            name = f"{stem}{self.counter[stem]}"
            if name not in self.taken:
                self.taken.add(name)
                return name

    def assign(self, name: str, e: Expr) -> None:
        """Emit ``name = <e>`` (after the temporaries ``e`` needs)."""
        text = self.doprint(e)
        self.lines.append(f"{name} = {text}")

    def parenthesize(self, e: Expr, level: int = 0, strict: bool = False) -> str:
        return self.operand(self.doprint(e))

    def operand(self, text: str) -> str:
        return text if atomic(text) else f"({text})"

    # ------------------------------------------------------------ target hooks

    def call(self, name: str, *args: str) -> str:
        return f"{self.module}.{name}({', '.join(args)})"

    def linalg(self, name: str, *args: str) -> str:
        return f"{self.module}.linalg.{name}({', '.join(args)})"

    transpose_suffix = ".T"

    def T(self, text: str) -> str:
        """The transpose of a matrix's text; ``A.T.T`` is ``A``."""
        suffix = self.transpose_suffix
        if text.endswith(suffix) and atomic(text[: -len(suffix)]):
            return text[: -len(suffix)]
        return f"{self.operand(text)}{suffix}"

    def column(self, text: str) -> str:
        """A 1-D vector as an n×1 column (for broadcasting along rows)."""
        return f"{self.operand(text)}[:, None]"

    def total(self, text: str, axis: int | None = None) -> str:
        return self.call("sum", text) if axis is None else self.call("sum", text,
                                                                       f"axis={axis}")

    def size(self, shape: Shape) -> str:
        names = [self.dims_of(d) for d in shape.dims]
        return names[0] if len(names) == 1 else f"({', '.join(names)})"

    def dims_of(self, d: Dim) -> str:
        try:
            return self.dims[d]
        except KeyError:
            raise CodegenError(f"no argument has the dimension {d}, so the generated code "
                               "cannot size the constants of that dimension") from None

    def constant(self, kind: str, shape: Shape) -> str:
        return self.call(kind, self.size(shape))

    def eye(self, d: Dim) -> str:
        return self.call("eye", self.dims_of(d))

    def solve(self, a: str, b: str) -> str:
        return self.linalg("solve", a, b)

    def inverse(self, a: str) -> str:
        return self.linalg("inv", a)

    def logabsdet(self, a: str) -> str:
        return self.linalg("slogdet", a) + "[1]"

    def sum_squares(self, text: str, vector: bool) -> str:
        return self.call("vdot", text, text)

    def kron(self, a: str, b: str) -> str:
        return self.call("kron", a, b)

    def outer(self, a: str, b: str) -> str:
        return self.call("outer", a, b)

    def chain_call(self, texts: list[str]) -> str:
        return self.linalg("multi_dot", f"[{', '.join(texts)}]")

    def einsum(self, spec: str, operands: list[str]) -> str:
        return self.call("einsum", repr(spec), *operands, "optimize=True")

    def logsumexp(self, text: str) -> str:
        return f"_logsumexp({text})"

    def softmax(self, text: str) -> str:
        return f"_softmax({text})"

    def diagonal(self, text: str) -> str:
        return self.call("diagonal", text)

    FUNCTIONS = {
        "exp": "np.exp", "log": "np.log", "sin": "np.sin", "cos": "np.cos", "tan": "np.tan",
        "sinh": "np.sinh", "cosh": "np.cosh", "tanh": "np.tanh", "sqrt": "np.sqrt",
        "abs": "np.abs", "sign": "np.sign", "arcsin": "np.arcsin", "arccos": "np.arccos",
        "arctan": "np.arctan", "log1p": "np.log1p", "expm1": "np.expm1",
        "sigmoid": "_sigmoid", "softplus": "_softplus", "relu": "_relu", "step": "_step",
        "erf": "_erf",
    }
    """Element-wise function name → the callable's text; names with a leading ``_`` are
    helpers the module defines (:data:`matcal.codegen.targets.HELPERS`)."""

    def function(self, name: str, text: str) -> str:
        return f"{self.FUNCTIONS[name]}({text})"

    # ------------------------------------------------------------ leaves

    def _print_Var(self, e: Var) -> str:
        return e.name

    def _print_Number(self, e: Number) -> str:
        """A float literal (``2.0``), so that every function takes it (``sigmoid(2.0)``)."""
        value = float(e.value)
        return repr(value) if math.isfinite(value) else f"float({str(value)!r})"

    def _print_Identity(self, e: Identity) -> str:
        return self.eye(e.n)

    def _print_Ones(self, e: Ones) -> str:
        return self.constant("ones", e.shape)

    def _print_Zero(self, e: Zero) -> str:
        return self.constant("zeros", e.shape) if e.shape.dims else "0.0"

    # ------------------------------------------------------------ sums and products

    def _print_Add(self, e: Add) -> str:
        terms = []
        for t in e.terms:
            t = self.broadcast(t, e.terms)
            if _scaled_ones(t) and not all(_scaled_ones(u) for u in e.terms):
                t = MatMul(t.factors[:-1]) if len(t.factors) > 2 else t.factors[0]  # s*ones
            if t in self.shared or t in self.temps:
                terms.append((False, self.doprint(t)))
            else:
                terms.append(self.unsigned(t))
        return self.signed(terms)

    def signed(self, terms: list[tuple[bool, str]]) -> str:
        """:func:`matcal.printing.base.signed_sum`, a negative term's body in parentheses
        unless atomic (``a - (b + c)``)."""
        return signed_sum([(neg, self.operand(body) if neg else body) for neg, body in terms])

    def _scalars(self, factors: list[Expr], rest: str | None = None) -> str:
        """The text of a product of scalar factors (a coefficient, numerators, denominators)
        times ``rest`` (an array's text), if given: ``-2 * s * (A @ x) / d``."""
        coefficient, num, den = 1.0, [], []
        for f in factors:
            if isinstance(f, Number):
                coefficient *= f.value
                continue
            d = reciprocal_of(f)
            (den if d is not None else num).append(d if d is not None else f)
        parts = [self.operand(self.doprint(f)) for f in num]
        if rest is not None:
            parts.append(self.operand(rest))
        if abs(coefficient) != 1 or not parts:
            parts.insert(0, self._print_Number(Number(abs(coefficient))))
        text = " * ".join(parts)
        for d in den:
            text += " / " + self.operand(self.doprint(d))
        if coefficient < 0:
            text = "-" + (text if len(parts) > 1 or den or atomic(text) else f"({text})")
        return text.replace("1.0 / ", "1 / ") if text.startswith("1.0 / ") else text

    def _print_MatMul(self, e: MatMul) -> str:
        scalars = [f for f in e.factors if f.shape.is_scalar]
        chain = [f for f in e.factors if not f.shape.is_scalar]
        if not chain:
            return self._scalars(scalars)
        product = self.product(chain).text
        return self._scalars(scalars, product) if scalars else product

    def product(self, chain: list[Expr]) -> Operand:
        """The matrix product of ``chain``: split where a column vector meets a row vector
        (there the product is an outer product of two runs, each printed on its own)."""
        chain = [f for f in chain if not isinstance(f, Identity)] or chain[:1]
        runs: list[list[Expr]] = [[chain[0]]]
        for prev, f in zip(chain, chain[1:]):
            if prev.shape.cols is None and f.shape.rows is None:
                runs.append([f])
            else:
                runs[-1].append(f)
        parts = [self.run(r) for r in runs]
        scalars = [p.text for p in parts if p.is_scalar]
        vectors = [p for p in parts if not p.is_scalar]
        if len(vectors) == 2:
            body = Operand(self.outer(vectors[0].text, vectors[1].text), True, True)
        elif vectors:
            body = vectors[0]
        else:
            body = Operand(scalars.pop(0), False, False)
        if scalars:
            body = Operand(" * ".join(self.operand(s) for s in scalars + [body.text]),
                           body.rows, body.cols)
        return body

    def run(self, factors: list[Expr | Operand]) -> Operand:
        """A product with no outer product inside: diagonal factors as broadcasting, an inverse
        as a solve, the rest by ``@`` or ``multi_dot``."""
        for i, f in enumerate(factors):
            if isinstance(f, Expr) and self._solvable(f):
                matrix = f.arg if isinstance(f, Inverse) else f.arg.arg
                a = self.doprint(matrix)
                if isinstance(f, Transpose):  # inv(M)' = inv(M')
                    a = self.T(a) if not _symmetric(matrix) else a
                left, right = factors[:i], factors[i + 1:]
                if right:
                    r = self.run(right)
                    solved = Operand(self.solve(a, r.text), True, r.cols)
                    return self.run(left + [solved]) if left else solved
                if left:  # L inv(M) = (inv(M') L')'
                    lo = self.run(left)
                    at = a if _symmetric(matrix) else self.T(a)
                    text = self.solve(at, lo.text if lo.is_vector else self.T(lo.text))
                    return Operand(text if lo.is_vector else self.T(text), lo.rows, True)
        ops = self._scaled(factors)
        if len(ops) == 1:
            return ops[0]
        if not ops[-1].cols:  # ends in a column vector: matrix-vector products, right to left
            text = ops[-1].text
            for op in reversed(ops[:-1]):
                text = self.matvec(op.text, text) if op.rows else self.dot(op.text, text)
            return Operand(text, ops[0].rows, False)
        if not ops[0].rows:  # starts with a row vector: vector-matrix products, left to right
            text = ops[0].text
            for op in ops[1:]:
                text = self.dot(text, op.text)
            return Operand(text, False, ops[-1].cols)
        if len(ops) == 2:
            text = self.dot(ops[0].text, ops[1].text)
        else:
            text = self.chain_call([o.text for o in ops])
        return Operand(text, ops[0].rows, ops[-1].cols)

    def dot(self, a: str, b: str) -> str:
        return f"{self.operand(a)} @ {self.operand(b)}"

    def matvec(self, m: str, v: str) -> str:
        """M v for a matrix M and a 1-D vector v."""
        return self.dot(m, v)

    def _solvable(self, f: Expr) -> bool:
        """An inverse (or its transpose) used only here: solved for, never formed."""
        inv = f.arg if isinstance(f, Transpose) else f
        return (isinstance(inv, Inverse) and inv not in self.shared and f not in self.shared
                and inv not in self.temps)

    def _scaled(self, factors: list[Expr | Operand]) -> list[Operand]:
        """The factors as operands, each ``diag(v)`` folded into its neighbour as a scaling of
        rows (``v[:, None] * A``) or columns (``A * v``)."""
        ops: list[Operand] = []
        pending: list[str] = []  # diagonals waiting for the operand on their right
        for f in factors:
            if isinstance(f, DiagMatrix):
                pending.append(self.operand(self.doprint(f.arg)))
                continue
            op = f if isinstance(f, Operand) else self._as_operand(f)
            if pending:
                v = " * ".join(pending)
                pending = []
                v = v if atomic(v) else f"({v})"
                if op.is_vector or op.is_scalar:
                    text = f"{v} * {self.operand(op.text)}"
                else:
                    text = f"{self.column(v)} * {self.operand(op.text)}"
                op = Operand(text, op.rows, op.cols)
            ops.append(op)
        if pending:
            v = " * ".join(pending)
            if not ops:
                return [Operand(self.call("diag", v), True, True)]
            last = ops.pop()
            ops.append(Operand(f"{self.operand(last.text)} * {self.operand(v)}", last.rows,
                               last.cols))
        return ops

    def _as_operand(self, f: Expr) -> Operand:
        return Operand(self.doprint(f), f.shape.rows is not None, f.shape.cols is not None)

    def _print_Hadamard(self, e: Hadamard) -> str:
        return self._scalars(list(e.factors))

    def _print_Power(self, e: Power) -> str:
        if isinstance(e.base, Norm2) and e.exponent == Number(2.0):  # ‖u‖² = Σ u_i²
            return self.sum_squares(self.operand(self.doprint(e.base.arg)),
                                    not e.base.arg.shape.is_matrix)
        if e.exponent == Number(-1.0):
            return f"1 / {self.operand(self.doprint(e.base))}"
        if e.exponent == Number(0.0) and not e.base.shape.is_scalar:
            return self.call("ones_like", self.doprint(e.base))
        exponent = e.exponent
        if isinstance(exponent, Number) and exponent.value == int(exponent.value):
            power = format_number(exponent.value)  # a whole power: x ** 2, exact for x < 0
        else:
            power = self.doprint(exponent)
        return f"{self.operand(self.doprint(e.base))} ** {self.operand(power)}"

    def _print_MatPower(self, e: MatPower) -> str:
        return self.linalg("matrix_power", self.doprint(e.base), str(e.k))

    def _print_SymbolicPower(self, e: SymbolicPower) -> str:
        raise CodegenError(f"{e} has a symbolic exponent, which generated code does not "
                           "take; give the exponent as a number (X^3)")

    def _print_RangeSum(self, e: RangeSum) -> str:
        raise CodegenError(f"{e} sums over a range of symbolic length, which generated code "
                           "does not take; give the bounds as numbers")

    # ------------------------------------------------------------ unary

    def _print_Transpose(self, e: Transpose) -> str:
        text = self.doprint(e.arg)
        return self.T(text) if e.arg.shape.is_matrix else text

    def _traced(self, e: Expr) -> tuple[list[Expr], list[Expr], Expr] | None:
        """(scalar factors, L, R) when ``e`` is a product of two or more matrices
        printed nowhere else, so that tr(e) and diag(e) need only L ⊙ Rᵀ."""
        if not isinstance(e, MatMul) or e in self.shared or e in self.temps:
            return None
        chain = [f for f in e.factors if not f.shape.is_scalar]
        if len(chain) < 2:
            return None
        return [f for f in e.factors if f.shape.is_scalar], chain[:-1], chain[-1]

    def _hadamard_with_transpose(self, left: list[Expr], right: Expr) -> tuple[str, bool]:
        """The text of L ⊙ Rᵀ, and whether it is a matrix."""
        lo = self.product(left)
        if isinstance(right, DiagMatrix):  # L ⊙ diag(v)ᵀ on the diagonal: diag(L) ⊙ v
            return f"{self.operand(self.diagonal(lo.text))} * " \
                   f"{self.operand(self.doprint(right.arg))}", False
        rt = self.doprint(flip(right))
        return f"{self.operand(lo.text)} * {self.operand(rt)}", not lo.is_vector

    def _print_Trace(self, e: Trace) -> str:
        split = self._traced(e.arg)
        if split is None:
            return self.call("trace", self.doprint(e.arg))
        scale, left, right = split
        text, _ = self._hadamard_with_transpose(left, right)
        body = self.total(text)
        return self._scalars(scale, body) if scale else body

    def _print_DiagVector(self, e: DiagVector) -> str:
        split = self._traced(e.arg)
        if split is None:
            return self.diagonal(self.doprint(e.arg))
        scale, left, right = split
        text, matrix = self._hadamard_with_transpose(left, right)
        body = self.total(text, 1) if matrix else text
        return self._scalars(scale, body) if scale else body

    def _print_DiagMatrix(self, e: DiagMatrix) -> str:
        return self.call("diag", self.doprint(e.arg))

    def _print_Det(self, e: Det) -> str:
        return self.linalg("det", self.doprint(e.arg))

    def _print_LogDet(self, e: LogDet) -> str:
        return self.logabsdet(self.doprint(e.arg))

    def _print_Inverse(self, e: Inverse) -> str:
        return self.inverse(self.doprint(e.arg))

    def _print_SumEntries(self, e: SumEntries) -> str:
        if e.arg.shape.is_scalar:
            return self.doprint(e.arg)
        return self.total(self.doprint(e.arg))

    def _print_Norm1(self, e: Norm1) -> str:
        return self.total(self.call("abs", self.doprint(e.arg)))

    def _print_Norm2(self, e: Norm2) -> str:
        return self.linalg("norm", self.doprint(e.arg))

    def _print_LogSumExp(self, e: LogSumExp) -> str:
        return self.logsumexp(self.doprint(e.arg))

    def _print_Softmax(self, e: Softmax) -> str:
        return self.softmax(self.doprint(e.arg))

    def _print_Apply(self, e: Apply) -> str:
        if e.shape.is_scalar and not variables(e):  # exp(3): its value, for every target
            return self._print_Number(Number(evaluate_expr(e, {})))
        return self.function(e.func, self.doprint(e.arg))

    def _print_Kron(self, e: Kron) -> str:
        a, b = self.doprint(e.left), self.doprint(e.right)
        ls, rs = e.left.shape, e.right.shape
        if len(ls.dims) == len(rs.dims) and (ls.is_vector == rs.is_vector):
            return self.kron(a, b)  # two matrices, or two vectors of one kind
        out = self.kron(self._two_d(a, ls), self._two_d(b, rs))
        return out if e.shape.is_matrix else f"{out}.reshape(-1)"

    def _two_d(self, text: str, shape: Shape) -> str:
        if shape.is_vector:
            return self.column(text)
        if shape.is_row:
            return f"{self.operand(text)}[None, :]"
        return text

    # ------------------------------------------------------------ index notation

    def _print_Select(self, e: Select) -> str:
        arg = self.operand(self.doprint(e.arg))
        if not e.arg.shape.is_matrix:
            return f"{arg}[{self.bound[e.row]}]"
        rows = ":" if e.row is None else self.bound[e.row]
        cols = ":" if e.col is None else self.bound[e.col]
        return f"{arg}[{rows}, {cols}]"

    def _print_IndexSum(self, e: IndexSum) -> str:
        loop = self.fresh("_" + e.index)
        outer = dict(self.bound)
        self.bound[e.index] = loop
        body = self.doprint(e.body)
        self.bound = outer
        return f"sum({body} for {loop} in range({self.dims_of(e.dim)}))"

    def _print_Einsum(self, e: Einsum) -> str:
        letters: dict[str, str] = {}

        def sub(ix) -> str:
            return "".join(letters.setdefault(i, _LETTERS[len(letters)]) for i in ix)

        target = sub(e.out)
        parts: list[tuple[bool, str]] = []
        for term in e.terms:
            scalars: list[str] = []
            operands, subs = [], []
            for f in term.factors:
                if not f.idx:
                    scalars.append(self.operand(self.doprint(f.expr)))
                    continue
                operands.append(self.doprint(f.expr))
                subs.append(sub(f.idx))
            carried = set("".join(subs))
            for i, d in zip(e.out, e.dims):
                if letters[i] not in carried:  # constant along an axis no factor carries
                    operands.append(self.constant("ones", Shape(d, None)))
                    subs.append(letters[i])
            coefficient = abs(term.coeff)
            factors = [] if coefficient == 1 else [self._print_Number(Number(coefficient))]
            factors += scalars
            if operands:
                factors.append(self.einsum(",".join(subs) + "->" + target, operands))
            elif not factors:
                factors.append("1.0")
            parts.append((term.coeff < 0, " * ".join(factors)))
        if not parts:
            return self.constant("zeros", e.shape)
        return self.signed(parts)


def _scaled_ones(e: Expr) -> bool:
    """Whether ``e`` is scalars times ones, ``b*vector(1)``: in a sum with an array, the
    scalar alone (broadcasting)."""
    return (isinstance(e, MatMul) and isinstance(e.factors[-1], Ones)
            and all(f.shape.is_scalar for f in e.factors[:-1]))


def _symmetric(e: Expr) -> bool:
    return isinstance(e, Var) and e.symmetric


def _comment(e: Expr) -> str:
    text = str(e)
    return text if len(text) <= 60 else text[:57] + "..."
