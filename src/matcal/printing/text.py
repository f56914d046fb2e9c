"""Printer to the input language: ``str(expr)`` parses back to an expression of equal value.

Choices: a negative coefficient prints as subtraction; ``b.^-1`` factors print as division
(``V./(A*X*B)``, ``A/c``); zero prints as ``0``, ``vector(0)`` or ``matrix(0)``; a scalar
sub-product inside a matrix product is parenthesized so the chain reads unambiguously.
"""

from __future__ import annotations

import re
from typing import Callable, Sequence

from matcal.core.nodes import (
    Apply, Det, DiagMatrix, DiagVector, Einsum, Expr, Hadamard, Identity, IndexSum, Inverse,
    RangeSum, Kron, LogDet, LogSumExp, MatMul, MatPower, Norm1, Norm2, Number, Ones, Power,
    Select, Softmax, SumEntries, Trace, SymbolicPower, Transpose, Var, Zero,
)
from matcal.core.terms import Atom, Label, Term
from matcal.printing.base import (
    ATOM, MUL, POSTFIX, POWER, Printer, as_quotient, chain_groups, derivative_sides, format_number,
    reciprocal_of, selected_entry, signed_sum, split_product,
)


class TextPrinter(Printer):
    """Prints expressions in the input language (MATLAB-like, as matrixcalculus.org)."""

    broadcasts = True

    def _print_Var(self, e: Var) -> str:
        return e.name

    def _print_Number(self, e: Number) -> str:
        return format_number(e.value)

    def _print_Identity(self, e: Identity) -> str:
        return "eye"

    def _print_Ones(self, e: Ones) -> str:
        if e.shape.is_row:
            return "vector(1)'"
        return "vector(1)" if e.shape.is_vector else "matrix(1)"

    def _print_Zero(self, e: Zero) -> str:
        if e.shape.is_scalar:
            return "0"
        if e.shape.is_vector:
            return "vector(0)"
        return "matrix(0)" if e.shape.is_matrix else "vector(0)'"

    def _print_MatMul(self, e: MatMul) -> str:
        quotient = as_quotient(e)
        if quotient is not None:
            return self._print_Hadamard(quotient)
        return self.product(e, "*", "/")

    def _print_Hadamard(self, e: Hadamard) -> str:
        return self.product(e, ".*", "./")

    def product(self, e: MatMul | Hadamard, times: str, divide: str) -> str:
        coefficient, num, den = split_product(e)
        parts = [self.factor(f, i, e) for i, f in enumerate(num)]
        if isinstance(e, MatMul) and len(num) > 2:  # x'*(y*z')*w: see chain_groups
            parts, at = [], 0
            for group in chain_groups(num):
                text = times.join(self.factor(f, at + n, e) for n, f in enumerate(group))
                parts.append(self.wrap(text) if len(group) > 1 else text)
                at += len(group)
        text = self.scaled(coefficient, times.join(parts), times)
        for d in den:
            text += divide + self.parenthesize(d, POWER)
        return text

    def _print_Power(self, e: Power) -> str:
        inverse = reciprocal_of(e)
        if inverse is not None:
            slash = "/" if e.shape.is_scalar else "./"
            return "1" + slash + self.parenthesize(inverse, POWER)
        op = "^" if e.shape.is_scalar else ".^"
        return self.parenthesize(e.base, POSTFIX) + op + self.parenthesize(e.exponent, ATOM)

    def _print_MatPower(self, e: MatPower) -> str:
        return f"{self.parenthesize(e.base, POSTFIX)}^{e.k}"

    def _print_SymbolicPower(self, e: SymbolicPower) -> str:
        return f"{self.parenthesize(e.base, POSTFIX)}^{self.parenthesize(e.exponent, ATOM)}"

    def _print_Transpose(self, e: Transpose) -> str:
        return self.parenthesize(e.arg, POSTFIX) + "'"

    def call(self, name: str, arg: Expr) -> str:
        return f"{name}({self.doprint(arg)})"

    def _print_Trace(self, e: Trace) -> str:
        return self.call("tr", e.arg)

    def _print_Det(self, e: Det) -> str:
        return self.call("det", e.arg)

    def _print_LogDet(self, e: LogDet) -> str:
        return self.call("logdet", e.arg)

    def _print_Inverse(self, e: Inverse) -> str:
        return self.call("inv", e.arg)

    def _print_SumEntries(self, e: SumEntries) -> str:
        return self.call("sum", e.arg)

    def _print_Norm1(self, e: Norm1) -> str:
        return self.call("norm1", e.arg)

    def _print_Norm2(self, e: Norm2) -> str:
        return self.call("norm2", e.arg)

    def _print_LogSumExp(self, e: LogSumExp) -> str:
        return self.call("logsumexp", e.arg)

    def _print_Softmax(self, e: Softmax) -> str:
        return self.call("softmax", e.arg)

    def _print_DiagMatrix(self, e: DiagMatrix) -> str:
        return self.call("diag", e.arg)

    def _print_DiagVector(self, e: DiagVector) -> str:
        return self.call("diag", e.arg)

    def _print_Apply(self, e: Apply) -> str:
        return self.call(e.func, e.arg)

    def _print_Select(self, e: Select) -> str:
        names = [e.row or ":"] + ([e.col or ":"] if e.arg.shape.is_matrix else [])
        return self.parenthesize(e.arg, POSTFIX) + f"[{','.join(names)}]"

    def _print_IndexSum(self, e: IndexSum) -> str:
        return f"sum({e.index}, {self.doprint(e.body)})"

    def _print_RangeSum(self, e: RangeSum) -> str:
        return (f"sum({e.index}, {self.doprint(e.first)}, {self.doprint(e.last)}, "
                f"{self.doprint(e.body)})")

    def _print_Kron(self, e: Kron) -> str:
        return f"kron({self.doprint(e.left)}, {self.doprint(e.right)})"

    def _print_Einsum(self, e: Einsum) -> str:
        """``T[i,j,k] = A[i,k]*x[j] - …``: indices not on the left are summed."""
        out = signed_sum([self.index_term(t) for t in e.terms])
        return f"{self.einsum_left(e)} = {out or '0'}"

    def index_term(self, term: Term, label: Callable[[Label], str] = str,
                   summed: Sequence[Label] = (), display: bool = False) -> tuple[bool, str]:
        """(is negative, text without the sign) of a term of index notation: its factors
        (:meth:`entry`) joined by ``*``, behind ``Σ_k`` for each index of ``summed`` (Traa's
        explicit sums; none in the summation convention)."""
        body = "*".join(self.entry(f, label, display) for f in term.factors)
        sums = "".join(f"Σ_{label(i)} " for i in summed)
        c = abs(term.coeff)
        text = format_number(c) if not body else (sums + body if c == 1 else
                                                  format_number(c) + "*" + sums + body)
        return term.coeff < 0, text

    def entry(self, f: Atom, label: Callable[[Label], str] = str, display: bool = False) -> str:
        """An indexed factor: ``A[i,k]``, ``(A*B)[i,j]``, a scalar as it is. For display (Traa's
        notation, not input): δ[i,j] for the identity, 1[i] for ones, B[k,n] for the entry n of
        the fixed row B[k,:]."""
        if not f.idx:
            return self.parenthesize(f.expr, MUL + 1)
        names = tuple(label(i) for i in f.idx)
        if display:
            if isinstance(f.expr, Identity) and len(names) == 2:
                return "δ[" + ",".join(names) + "]"
            if isinstance(f.expr, Ones):
                return "1[" + ",".join(names) + "]"
            if (entry := selected_entry(f.expr, names)) is not None:
                return self.parenthesize(entry[0], POSTFIX) + "[" + ",".join(entry[1]) + "]"
        return self.parenthesize(f.expr, POSTFIX) + "[" + ",".join(names) + "]"

    def einsum_left(self, e: Einsum) -> str:
        """``T[i,j]``; for a derivative ``dF[i,j]/dX[k,l]``, ``d2f/dX[i,j]dX[k,l]``."""
        order, fidx, parts = derivative_sides(e)
        if not order:
            return f"T[{','.join(e.out)}]"
        top = f"d{order if order > 1 else ''}{'F' if fidx else 'f'}"
        top += f"[{','.join(fidx)}]" if fidx else ""
        return top + "/" + "".join(f"d{v}[{','.join(ix)}]" for v, ix in parts)


_TEXT = TextPrinter()


def to_text(e: Expr) -> str:
    """``e`` in the input language; ``parse(to_text(e))`` has the same value.

    >>> from matcal.syntax.parse import parse
    >>> to_text(parse("tr(A*X'*B) + 2*x'*y"))
    "tr(A*X'*B) + 2*x'*y"
    """
    return _TEXT.doprint(e)


Expr.str_hook = to_text


_TOKEN = re.compile(r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+|[A-Za-z_]\w*|\.[*/^]|[-+*/^'(),]")


def token_count(text: str) -> int:
    """Tokens of input-language text: names, numbers, operators, parentheses, commas.

    >>> token_count("A'*(V./(A*X*B))*B'")
    17
    """
    return len(_TOKEN.findall(text))
