"""Printers: one class per target (input-language text, LaTeX), each with ``_print_<Class>``
methods, sharing one precedence table and one ``parenthesize`` (SymPy's printer pattern)."""

from matcal.printing.latex import LatexPrinter, to_latex
from matcal.printing.text import TextPrinter, to_text

__all__ = ["LatexPrinter", "TextPrinter", "to_latex", "to_text"]
