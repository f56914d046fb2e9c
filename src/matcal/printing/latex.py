"""Printer to LaTeX in the notation of the seed notes (stub, replaced below)."""

from __future__ import annotations

from matcal.nodes import Expr
from matcal.printing.base import Printer


class LatexPrinter(Printer):
    pass


def to_latex(e: Expr) -> str:
    return LatexPrinter().doprint(e)
