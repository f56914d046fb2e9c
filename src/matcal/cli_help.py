"""The help text of the ``matcal`` command: the input language, the naming convention, the
layout and examples, as ``matcal --help`` prints them under the options.
"""

from __future__ import annotations

from typing import Sequence

from matcal.core.functions import FUNCTIONS
from matcal.syntax.parse import KNOWN_FUNCTIONS


def _wrapped(words: Sequence[str], first: str, width: int = 88) -> str:
    """``words`` after the label ``first``, wrapped under it to ``width`` columns."""
    indent = " " * len(first)
    lines, line = [], first
    for word in words:
        if len(line) + len(word) > width and line.strip() != first.strip():
            lines.append(line.rstrip())
            line = indent
        line += word + " "
    lines.append(line.rstrip())
    return "\n".join(lines)


def epilog() -> str:
    """The text under ``matcal --help``: the language, types, layout and examples."""
    constructors = ("vector", "matrix")
    matrix_functions = [f for f in KNOWN_FUNCTIONS if f not in FUNCTIONS and f not in constructors]
    elementwise = [f for f in KNOWN_FUNCTIONS if f in FUNCTIONS]
    return f"""\
input language (MATLAB-like, as on matrixcalculus.org):
  A*B            matrix product (scalar times anything when one side is a scalar)
  A.*B  A./B     element-wise (Hadamard) product, division
  A.^p           element-wise power
  A'   A.'       transpose
  X^k   a^b      matrix power (square X, integer k); ordinary power of scalars
  A/b            division by a scalar
  + -            sum, difference, unary minus; numbers; ( )
                 (a scalar plus a vector or matrix broadcasts: 1 + exp(x))
{_wrapped(matrix_functions, "  functions:     ")}
                 (trace, determinant, log-determinant, inverse, vector <-> diagonal matrix,
                 sum of all entries, 1-norm, Euclidean/Frobenius norm, log-sum-exp and
                 softmax of a vector)
{_wrapped(elementwise, "  element-wise:  ")}
  constants:     vector(c)  matrix(c)  eye   (all c's, identity; size inferred)
  kron(A, B)     Kronecker product
  T[i,j] = A[i,k]*B[k,j]    index notation (Einstein summation over k)
  sum(k, B[k,:]*x)          a sum over the index k; B[k,:] row k, B[:,k] column k, x[k] entry
  sum(r, 0, k - 1, X^r)     a sum over r = 0 ... k-1 (whole numbers; k declared integer)

types (naming convention; --types overrides it per name):
  a-g            scalars              alpha beta ... lambda sigma ...  scalars (Greek)
  h-z            vectors (columns)    A-Z   matrices
  --types 'x:scalar,b:vector,S:symmetric'   kinds: scalar vector matrix square symmetric
                 integer (short forms: scal vec mat sq sym int; a square matrix is n-by-n;
                 an integer k may be a power: X^k)
  Dimensions are symbolic (m, n, p, ...) and inferred; a mismatch is an error.

layout:
  The derivative of f by X has shape shape(f) + shape(X). For a scalar f this is the
  gradient, the same shape as X: the (i,j) entry is df/dX_ij. A symmetric X gets the
  symmetric gradient (G + G')/2 (Srinivasan & Panda, arXiv:1911.06491).
  A vector f(x) has the m×n Jacobian (--jacobian); a scalar's Hessian by an n-vector is n×n
  (--hessian); --order K gives any order. With more than two axes the result prints in index
  notation, dF[i,j]/dX[k,l] = A[i,k]*B[l,j] (indices not on the left are summed; it parses
  back), and, where it is a sum of Kronecker products, in vec form:
  dvec(F)/dvec(X)' = kron(B', A), vec stacking columns.

examples:
  matcal "tr(A*X*B*X*C')" --wrt X
      A'*C*X'*B' + B'*X'*A'*C
  matcal "norm2(A*x - b)^2" --wrt x --types b:vector --check
      2*A'*(A*x - b)
      check: relative error ... (central differences, 3 random directions)
  matcal "logdet(X'*X)" --wrt X
      2*X*inv(X'*X)
  matcal "tr(S*X)" --wrt S --types S:symmetric
      0.5*(X + X')
  matcal "logdet(X'*X)" --wrt X --latex
      2 \\mathbf{{X}} \\left(\\mathbf{{X}}^T \\mathbf{{X}}\\right)^{{-1}}
  matcal "sum(exp(A*x))" --wrt x --hessian
      A'*diag(exp(A*x))*A
  matcal "x'*S*x" --wrt x --types S:symmetric --json --check
  matcal "tr(A*X*B)" --wrt X --steps        (the derivation step by step, by differentials)
  matcal "tr(A*X*B)" --wrt X --steps index --format latex   (by index notation, in LaTeX)
  matcal "x'*A*x" --wrt x --hessian --steps  (a Hessian: the gradient, then its Jacobian)
  matcal "softmax(W*x)" --wrt x --jacobian    ((diag(s) - s*s')*W, s = softmax(W*x))
  matcal "tr(A*X*B)" --wrt X --code numpy > f.py   (a module: value and gradient; run it)
  matcal --wrt X -- "-tr(A*X)"      (an expression that starts with '-' goes after --)

exit status: 0 ok, 1 --check failed, 2 error in the input, 3 internal error (please report)
"""
