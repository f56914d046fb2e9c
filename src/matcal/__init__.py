"""matcal: symbolic matrix calculus — derivatives of matrix expressions in closed matrix form.

>>> import matcal
>>> str(matcal.gradient("tr(A*X*B*X*C')", "X"))
"A'*C*X'*B' + B'*X'*A'*C"
"""

import os as _os

from matcal.api import (
    derivative, evaluate, gradient, hessian, jacobian, parse, to_latex, vec_derivative,
)
from matcal.checking import check_derivative, check_gradient, explain
from matcal.codegen import CodegenError, GeneratedCode, generate
from matcal.plot import CheckPlot, check_plot
from matcal.interop import from_sympy, to_sympy
from matcal.derivation import Derivation, Step
from matcal.core.errors import (
    DerivativeError, MatcalError, OptionsError, ParseError, ShapeError, ValuesError,
)
from matcal.core.nodes import Expr
from matcal.result import Derivative, Derivatives
from matcal.numeric.rewrite_check import install_for_process as _install_rewrite_check

if _os.environ.get("MATCAL_CHECK_REWRITES") not in (None, "", "0"):  # the debug flag
    _install_rewrite_check()

__all__ = [
    "parse", "gradient", "derivative", "jacobian", "hessian", "evaluate", "to_latex",
    "check_gradient", "check_derivative", "vec_derivative", "Expr", "Derivative", "Derivatives",
    "explain", "Derivation", "Step", "generate", "GeneratedCode", "check_plot", "CheckPlot",
    "to_sympy", "from_sympy",
    "MatcalError", "ParseError", "ShapeError", "DerivativeError", "ValuesError", "OptionsError",
    "CodegenError",
]
