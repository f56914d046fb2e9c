"""Derivations as data: the steps an engine records, for renderers to show (STYLE 6).

A :class:`Derivation` is the gradient of one scalar expression with respect to one variable,
derived by one method — Ang's differentials (seed 001) or Traa's index notation (seed 000) —
as a tuple of :class:`Step` s. A step names the rule it applies, in the engine's vocabulary
(``product_rule``, ``trace_cyclic``, ``delta_elimination``, ``contraction``, …), holds the
expression before and after (an :class:`~matcal.core.nodes.Expr`, or an
:class:`~matcal.derivation.index_form.IndexForm` in index notation), a short justification,
and the outcome of checking it numerically at random values.

Each step also says what its ``after`` equals, its left side ``lhs``:

- ``"f"``: the function itself;
- ``"df"``: its differential, an expression linear in the differential dX;
- ``"partial"``: ∂f/∂X_jk in index notation, laid out like X;
- ``"grad"``: the gradient ∇f in matrix notation.

A step that keeps its left side is checked by equal values; ``f → df``, ``f → partial`` and
``f → grad`` by central differences of f along the direction dX; ``df → grad`` by
df = ⟨∇f, dX⟩ (:mod:`matcal.derivation.verify`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from matcal.derivation.index_form import IndexForm
from matcal.core.nodes import Expr

LHS = ("f", "df", "partial", "grad")
"""The left sides a step's ``after`` can have (see the module docstring)."""

METHODS = ("differential", "index")
"""The two methods: Ang's differentials (seed 001) and Traa's index notation (seed 000)."""

Shown = Union[Expr, IndexForm]
"""What a step shows: a matrix expression or a form in index notation."""


@dataclass(frozen=True, slots=True)
class Step:
    """One rule applied: ``lhs = before`` becomes ``lhs = after``.

    Attributes:
        rule: the rule's name, e.g. ``"product_rule"``, ``"trace_cyclic"``.
        before: the expression before the rule (what the previous step's ``after`` was).
        after: the expression after it.
        justification: the identity used, in words and symbols,
            e.g. ``"d(XY) = dX·Y + X·dY"``.
        lhs: what ``after`` equals: one of :data:`LHS`.
        verified: True when the numerical check passed, False when it failed, None when the
            values could not be compared (e.g. not finite).
        error: the relative error the check measured (None if not checked).
    """

    rule: str
    before: Shown
    after: Shown
    justification: str
    lhs: str
    verified: bool | None = None
    error: float | None = None


@dataclass(frozen=True, slots=True)
class Derivation:
    """The gradient of ``expression`` with respect to ``wrt``, step by step.

    Attributes:
        expression: the scalar function f.
        wrt: the name of the variable X.
        method: ``"differential"`` or ``"index"``.
        steps: the steps, in order; the first starts from ``expression``.
        gradient: the final gradient, equal to ``matcal.gradient(expression, wrt)``.
        differential: the name of the variable standing for dX in the steps (differential
            method), else None.
        verified: the gradient matched central finite differences (``check_gradient``).
        error: the relative error of that check.
    """

    expression: Expr
    wrt: str
    method: str
    steps: tuple[Step, ...]
    gradient: Expr
    differential: str | None = None
    verified: bool | None = None
    error: float | None = None

    @property
    def all_verified(self) -> bool:
        """Every step and the final gradient passed their numerical checks."""
        return bool(self.verified) and all(s.verified for s in self.steps)
