r"""Printer to LaTeX, in the notation of the seed notes (Traa; Ang).

Notation: vectors and matrices bold (``\mathbf{X}``, ``\boldsymbol{\alpha}``), scalars plain
(``a``, ``\alpha``), ``x1`` and ``x_1`` as ``x_{1}``; transpose ``^T`` (``^{-T}`` of an
inverse), inverse ``^{-1}``, matrix power ``^{k}``, element-wise power ``^{\circ p}`` (scalar
power ``^{p}``); products side by side, Hadamard product ``\odot``, element-wise division
``\oslash``, division by a scalar ``\frac{..}{..}``; ``\operatorname{tr}``, ``\det``,
``\log\det``, ``\operatorname{diag}``, ``\operatorname{sum}``; ``\|x\|_1``, ``\|x\|_2``,
``\|X\|_F`` (``\|X\|_{1,1}``, the entry-wise 1-norm, for a matrix); ``\mathbf{I}``,
``\mathbf{1}``, ``\mathbf{0}``; index notation as ``T_{ijkl} = \sum_{p} A_{ip} \delta_{jk} ...``.

Signs, coefficients and what goes to a denominator are decided in :mod:`matcal.printing.base`,
exactly as for the text printer; this module only says how each piece looks. Parentheses are
``\left( \right)``; a base that already carries a superscript is parenthesized before it gets
another (LaTeX rejects ``X^T^2``).
"""

from __future__ import annotations

import re
from typing import Callable

from matcal.core.functions import FUNCTIONS
from matcal.core.nodes import (
    Apply, Det, DiagMatrix, DiagVector, Einsum, Expr, Hadamard, Identity, IndexSum, Inverse,
    RangeSum, Kron, LogDet, LogSumExp, MatMul, MatPower, Norm1, Norm2, Number, Ones, Power,
    Select, Softmax, SumEntries, SymbolicPower, Trace, Transpose, Var, Zero,
)
from matcal.core.terms import Atom, Label, Term
from matcal.printing.base import (
    ATOM, MUL, POWER, Printer, as_quotient, derivative_sides, format_number, precedence,
    reciprocal_of, selected_entry, signed_sum, split_product,
)

GREEK = frozenset(
    "alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu "
    "nu xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega "
    "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split()
)
"""Names printed as Greek letters (LaTeX has no ``\\omicron``)."""

_NAME = re.compile(r"([A-Za-z]+)_?(\d+)|([A-Za-z]+)_(\w+)")


def split_name(name: str) -> tuple[str, str]:
    """(letters, subscript) of a variable name: ``x1`` and ``x_1`` → ("x", "1").

    >>> split_name("x_max"), split_name("alpha2"), split_name("Xbar")
    (('x', 'max'), ('alpha', '2'), ('Xbar', ''))
    """
    m = _NAME.fullmatch(name)
    if m is None:
        return name, ""
    return (m[1], m[2]) if m[1] else (m[3], m[4])


def _word(word: str) -> str:
    """A subscript: a Greek letter, a letter or digits as they are, a word upright."""
    if word in GREEK:
        return "\\" + word
    if len(word) == 1 or word.isdigit():
        return word
    return r"\mathrm{" + word.replace("_", r"\_") + "}"


def symbol(name: str, bold: bool) -> str:
    r"""LaTeX for a variable name, bold for a vector or matrix.

    Args:
        name: the variable's name, e.g. ``X``, ``x1``, ``alpha``, ``x_max``.
        bold: True for a vector or matrix.

    Returns:
        ``\mathbf{X}``, ``x_{1}``, ``\boldsymbol{\alpha}``, ``x_{\mathrm{max}}``; a name of
        several letters upright when bold, italic (``\mathit{foo}``) when not.

    >>> symbol("X", True), symbol("alpha", False), symbol("x1", True)
    ('\\mathbf{X}', '\\alpha', '\\mathbf{x}_{1}')
    """
    head, sub = split_name(name)
    escaped = head.replace("_", r"\_")
    if head in GREEK:
        text = r"\boldsymbol{\%s}" % head if bold else "\\" + head
    elif bold:
        text = r"\mathbf{" + escaped + "}"
    else:
        text = escaped if len(head) == 1 else r"\mathit{" + escaped + "}"
    return text + ("_{" + _word(sub) + "}" if sub else "")


def index_name(name: str) -> str:
    """An index name in LaTeX: ``i`` as it is, ``i1`` as ``i_{1}``."""
    return re.sub(r"(\D+)(\d+)$", r"\1_{\2}", name)


def _indices(idx: tuple[str, ...]) -> str:
    """``("i", "j")`` → ``ij``; with a longer name, ``i,j_{1}``."""
    names = [index_name(i) for i in idx]
    return "".join(names) if all(len(i) == 1 for i in idx) else ",".join(names)


def _juxtapose(parts: list[str]) -> str:
    r"""Factors side by side; ``\cdot`` before one that starts with a digit (``2 \cdot 3^{a}``)."""
    out = parts[0] if parts else ""
    for p in parts[1:]:
        out += _times(p) + p
    return out


def _times(following: str) -> str:
    return r" \cdot " if following[:1].isdigit() else " "


class LatexPrinter(Printer):
    """Prints expressions as LaTeX math (no surrounding ``$``)."""

    def wrap(self, text: str) -> str:
        return r"\left(" + text + r"\right)"

    def superscript(self, base: Expr, sup: str) -> str:
        """``base^sup``, the base parenthesized if it binds looser or has a superscript."""
        text = self.doprint(base)
        if precedence(base) < ATOM or _has_superscript(base):
            text = self.wrap(text)
        return text + "^" + sup

    def call(self, name: str, arg: Expr) -> str:
        return name + self.wrap(self.doprint(arg))

    # ------------------------------------------------------------ leaves

    def _print_Var(self, e: Var) -> str:
        return symbol(e.name, bold=not e.shape.is_scalar)

    def _print_Number(self, e: Number) -> str:
        text = format_number(e.value)
        if text in ("inf", "-inf"):
            return text.replace("inf", r"\infty")
        mantissa, _, exponent = text.partition("e")
        if not exponent:
            return text
        power = f"10^{{{int(exponent)}}}"
        if mantissa in ("1", "-1"):
            return mantissa[:-1] + power
        return mantissa + r" \cdot " + power

    def _print_Identity(self, e: Identity) -> str:
        return r"\mathbf{I}"

    def _print_Ones(self, e: Ones) -> str:
        return r"\mathbf{1}^T" if e.shape.is_row else r"\mathbf{1}"

    def _print_Zero(self, e: Zero) -> str:
        if e.shape.is_scalar:
            return "0"
        return r"\mathbf{0}^T" if e.shape.is_row else r"\mathbf{0}"

    # ------------------------------------------------------------ products and powers

    def _print_MatMul(self, e: MatMul) -> str:
        quotient = as_quotient(e)
        if quotient is not None:
            return self._print_Hadamard(quotient)
        coefficient, num, den = split_product(e)
        parts = [self.factor(f, i, e) for i, f in enumerate(num)]
        if not den:
            body = _juxtapose(parts)
            return self.scaled(coefficient, body, _times(body))
        if len(num) == 1 and abs(coefficient) == 1:
            parts = [self.doprint(num[0])]  # no parentheses needed above a fraction bar
        body = _juxtapose(parts)
        numerator = self.scaled(abs(coefficient), body, _times(body))
        if len(den) == 1:
            denominator = self.doprint(den[0])
        else:
            denominator = _juxtapose([self.parenthesize(d, MUL + 1) for d in den])
        sign = "-" if coefficient < 0 else ""
        return sign + r"\frac{" + numerator + "}{" + denominator + "}"

    def _print_Hadamard(self, e: Hadamard) -> str:
        coefficient, num, den = split_product(e)
        parts = [self.factor(f, i, e) for i, f in enumerate(num)] or [r"\mathbf{1}"]
        body = r" \odot ".join(parts)
        text = self.scaled(coefficient, body, _times(body))
        for d in den:
            text += r" \oslash " + self.parenthesize(d, POWER)
        return text

    def _print_Power(self, e: Power) -> str:
        inverse = reciprocal_of(e)
        if inverse is not None:
            if e.shape.is_scalar:
                return r"\frac{1}{" + self.doprint(inverse) + "}"
            return r"\mathbf{1} \oslash " + self.parenthesize(inverse, POWER)
        if e.shape.is_scalar:
            exponent = self.doprint(e.exponent)  # the braces group it: a^{b + c}
        else:
            exponent = r"\circ " + self.parenthesize(e.exponent, MUL + 1)
        return self.superscript(e.base, "{" + exponent + "}")

    def _print_MatPower(self, e: MatPower) -> str:
        return self.superscript(e.base, f"{{{e.k}}}")

    def _print_SymbolicPower(self, e: SymbolicPower) -> str:
        return self.superscript(e.base, "{" + self.doprint(e.exponent) + "}")

    def _print_Transpose(self, e: Transpose) -> str:
        if isinstance(e.arg, Inverse):
            return self.superscript(e.arg.arg, "{-T}")
        return self.superscript(e.arg, "T")

    def _print_Inverse(self, e: Inverse) -> str:
        if isinstance(e.arg, Transpose):
            return self.superscript(e.arg.arg, "{-T}")
        return self.superscript(e.arg, "{-1}")

    # ------------------------------------------------------------ functions

    def _print_Trace(self, e: Trace) -> str:
        return self.call(r"\operatorname{tr}", e.arg)

    def _print_Det(self, e: Det) -> str:
        return self.call(r"\det", e.arg)

    def _print_LogDet(self, e: LogDet) -> str:
        return self.call(r"\log\det", e.arg)

    def _print_SumEntries(self, e: SumEntries) -> str:
        return self.call(r"\operatorname{sum}", e.arg)

    def norm(self, arg: Expr, sub: str) -> str:
        """``\\|x\\|_2``; bars sized to the content (``\\left\\|``) around a fraction."""
        inner = self.doprint(arg)
        if r"\frac" in inner:
            return r"\left\|" + inner + r"\right\|_" + sub
        return r"\|" + inner + r"\|_" + sub

    def _print_Norm1(self, e: Norm1) -> str:
        return self.norm(e.arg, "{1,1}" if e.arg.shape.is_matrix else "1")

    def _print_Norm2(self, e: Norm2) -> str:
        return self.norm(e.arg, "F" if e.arg.shape.is_matrix else "2")

    def _print_LogSumExp(self, e: LogSumExp) -> str:
        return self.call(r"\operatorname{logsumexp}", e.arg)

    def _print_Softmax(self, e: Softmax) -> str:
        return self.call(r"\operatorname{softmax}", e.arg)

    def _print_DiagMatrix(self, e: DiagMatrix) -> str:
        return self.call(r"\operatorname{diag}", e.arg)

    def _print_DiagVector(self, e: DiagVector) -> str:
        return self.call(r"\operatorname{diag}", e.arg)

    def _print_Select(self, e: Select) -> str:
        r"""``\mathbf{B}_{k,:}``: row k; ``\mathbf{B}_{:,k}``: column k; ``B_{ij}``: an entry."""
        names = [e.row or ":"] + ([e.col or ":"] if e.arg.shape.is_matrix else [])
        return self.parenthesize(e.arg, ATOM) + "_{" + ",".join(names) + "}"

    def _print_IndexSum(self, e: IndexSum) -> str:
        return r"\sum_{" + e.index + "} " + self.parenthesize(e.body, MUL)

    def _print_RangeSum(self, e: RangeSum) -> str:
        return (r"\sum_{" + e.index + "=" + self.doprint(e.first) + "}^{" + self.doprint(e.last)
                + "} " + self.parenthesize(e.body, MUL))

    def _print_Kron(self, e: Kron) -> str:
        """``(A ⊗ B)``: always in parentheses, as ⊗ mixes badly with juxtaposed products."""
        return (r"\left(" + self.parenthesize(e.left, MUL, strict=True) + r" \otimes "
                + self.parenthesize(e.right, MUL, strict=True) + r"\right)")

    def _print_Apply(self, e: Apply) -> str:
        spec = FUNCTIONS.get(e.func)
        name = spec.latex if spec else r"\operatorname{" + e.func + "}"
        if name == r"\sqrt":
            return r"\sqrt{" + self.doprint(e.arg) + "}"
        return self.call(name, e.arg)

    # ------------------------------------------------------------ index notation

    def _print_Einsum(self, e: Einsum) -> str:
        """``T_{ijk} = \\sum_{p} A_{ip} ...``: each term summed over its indices not in ``out``."""
        terms = [(t.coeff < 0, self.index_term(t, e.out)) for t in e.terms]
        order, fidx, parts = derivative_sides(e)
        if order:
            top = r"\partial" + (f"^{{{order}}}" if order > 1 else "") + " "
            top += ("F_{" + _indices(fidx) + "}") if fidx else "f"
            bottom = " ".join(r"\partial " + symbol(v, bold=False) + "_{" + _indices(ix) + "}"
                              for v, ix in parts)
            left = r"\frac{" + top + "}{" + bottom + "}"
        else:
            left = "T_{" + _indices(e.out) + "}" if e.out else "T"
        return left + " = " + (signed_sum(terms) or "0")

    def index_term(self, term: Term, out: tuple[str, ...]) -> str:
        """A term of an Einsum, summed over its indices not in ``out``: ``\\sum_{p} A_{ip} …``."""
        summed = list(dict.fromkeys(i for f in term.factors for i in f.idx if i not in out))
        body = _juxtapose([self.entry(f) for f in term.factors])
        if summed:
            body = r"\sum_{" + _indices(tuple(summed)) + "} " + body
        return self.scaled(abs(term.coeff), body, _times(body))

    def entry(self, f: Atom, label: Callable[[Label], str] = str, display: bool = False) -> str:
        """``A_{ik}``, ``\\delta_{jk}``, ``\\left[\\mathbf{A}^T \\mathbf{B}\\right]_{ik}``; for
        display (Traa's notation) also ``\\mathbf{1}_{i}`` and the entry B_{kn} of a fixed row
        B[k,:]."""
        if not f.idx:
            return self.parenthesize(f.expr, MUL + 1)
        names = tuple(label(i) for i in f.idx)
        e, sub = f.expr, "_{" + _indices(names) + "}"
        if isinstance(e, Identity):
            return r"\delta" + sub
        if display and isinstance(e, Ones):
            return r"\mathbf{1}" + sub
        if display and (entry := selected_entry(e, names)) is not None:
            e, sub = entry[0], "_{" + "".join(map(index_name, entry[1])) + "}"
        if isinstance(e, Var) and not split_name(e.name)[1]:
            return symbol(e.name, bold=False) + sub
        return r"\left[" + self.doprint(e) + r"\right]" + sub


def _has_superscript(e: Expr) -> bool:
    """True when ``e`` prints with a superscript at its end: ``X^{-1}``, ``\\mathbf{1}^T``."""
    if isinstance(e, (Inverse, MatPower, Power, Transpose)):
        return True
    if isinstance(e, (Ones, Zero)):
        return e.shape.is_row
    return isinstance(e, Number) and "e" in format_number(e.value)


_LATEX = LatexPrinter()


def to_latex(e: Expr) -> str:
    r"""LaTeX math for an expression, in the notation of the seed notes.

    Args:
        e: any expression (scalar, vector, matrix, or an index-notation tensor).

    Returns:
        The LaTeX source, without surrounding ``$`` (see the module docstring for the notation).

    >>> from matcal.syntax.parse import parse
    >>> print(to_latex(parse("tr(A*X'*B) + 2*x'*y")))
    \operatorname{tr}\left(\mathbf{A} \mathbf{X}^T \mathbf{B}\right) + 2 \mathbf{x}^T \mathbf{y}
    """
    return _LATEX.doprint(e)


Expr.latex_hook = to_latex
