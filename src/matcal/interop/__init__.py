"""Interoperation with other tools: SymPy's matrix expressions (:mod:`.sympy_bridge`)."""

from matcal.interop.sympy_bridge import from_sympy, to_sympy

__all__ = ["to_sympy", "from_sympy"]
