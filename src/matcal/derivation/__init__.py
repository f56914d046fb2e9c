"""Derivations step by step, in both methods of the seed notes, checked numerically.

:func:`explain` derives the gradient of a scalar expression the way a careful person does by
hand — Ang's differentials (:mod:`.differential_method`) or Traa's index notation
(:mod:`.index_method`) — and returns the derivation as data (:mod:`.steps`), every step
checked at random values (:mod:`.verify`). :mod:`.render` shows it as text, Markdown or LaTeX.

The engines here sit below the public API (:func:`matcal.checking.explain` assembles a
derivation from them): the trace trick takes the G of each term from
:func:`matcal.engine.pipeline.derivative_of`, and the last step reaches exactly what
``matcal.gradient`` returns.
"""

from __future__ import annotations

from matcal.derivation.differential_method import differential_steps, differential_variable
from matcal.derivation.index_method import index_steps
from matcal.derivation.render import render
from matcal.derivation.steps import METHODS, Derivation, Step
from matcal.derivation.verify import DIFFERENCES_TOLERANCE, Checker, check_steps

__all__ = [
    "Derivation", "Step", "METHODS", "DIFFERENCES_TOLERANCE", "Checker", "check_steps",
    "differential_steps", "differential_variable", "index_steps", "render",
]
