"""Derivations as data: the steps an engine records, for renderers to show (STYLE 6).

A :class:`Derivation` is the gradient of one scalar expression with respect to one variable,
the Jacobian of a vector (or a matrix function of a scalar), or a Hessian — the Jacobian of the
gradient, after the gradient's own derivation — derived by one method, Ang's differentials
(seed 001) or Traa's index notation (seed 000), as a tuple of :class:`Step` s. A step names the
rule it applies, in the engine's vocabulary (``product_rule``, ``trace_cyclic``,
``delta_elimination``, ``contraction``, …), holds the expression before and after (an
:class:`~matcal.core.nodes.Expr`, or an :class:`~matcal.derivation.index_form.IndexForm` in
index notation), a short justification, and the outcome of checking it numerically at random
values.

Each step also says what its ``after`` equals, its left side ``lhs``:

- ``"f"``: the function itself;
- ``"df"``: its differential, an expression linear in the differential dX;
- ``"partial"``: ∂f/∂X_jk in index notation, laid out like X (∂f_i/∂x_j for a Jacobian);
- ``"grad"``: the derivative read off in matrix notation: the gradient ∇f, the Jacobian J or
  the Hessian H.

A step that keeps its left side is checked by equal values; ``f → df``, ``f → partial`` and
``f → grad`` by central differences of f along the direction dX; ``df → grad`` by
df = ⟨∇f, dX⟩, or df = J dx for a Jacobian (:mod:`matcal.derivation.verify`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, ClassVar, Union

from matcal.derivation.index_form import IndexForm
from matcal.core.nodes import Expr

LHS = ("f", "df", "partial", "grad")
"""The left sides a step's ``after`` can have (see the module docstring)."""

METHODS = ("differential", "index")
"""The two methods: Ang's differentials (seed 001) and Traa's index notation (seed 000)."""

KINDS = ("gradient", "jacobian", "hessian")
"""What a derivation derives: the gradient of a scalar, the Jacobian of a vector (or of a
matrix by a scalar), or the Hessian of a scalar, derived as the Jacobian of its gradient."""

RESULT_NAMES = {"gradient": "∇f", "jacobian": "J", "hessian": "H"}
"""What each kind of derivation reads off, as its justifications and renderers name it."""

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
    """The derivative of ``expression`` with respect to ``wrt``, step by step.

    Attributes:
        expression: the function f (scalar for a gradient or a Hessian).
        wrt: the name of the variable X.
        method: ``"differential"`` or ``"index"``.
        steps: the steps, in order. They start from ``expression``, or for a Hessian from the
            gradient ∇f that ``first`` reached: H = ∂(∇f)/∂x, the Jacobian of the gradient.
        result: the derivative the steps reach, equal to what ``matcal.gradient``,
            ``matcal.jacobian`` or ``matcal.hessian`` returns.
        differential: the name of the variable standing for dX in the steps (differential
            method), else None.
        verified: the result matched central finite differences (of f, or of ∇f for a
            Hessian).
        error: the relative error of that check.
        kind: one of :data:`KINDS`.
        first: for a Hessian, the derivation of the gradient; else None.
    """

    expression: Expr
    wrt: str
    method: str
    steps: tuple[Step, ...]
    result: Expr
    differential: str | None = None
    verified: bool | None = None
    error: float | None = None
    kind: str = "gradient"
    first: Derivation | None = None

    @property
    def gradient(self) -> Expr:
        """The first derivative: the gradient (for a Hessian, the one ``first`` reached), or
        the Jacobian."""
        return self.first.result if self.first is not None else self.result

    @property
    def all_verified(self) -> bool:
        """Every step and the result passed their numerical checks (those of ``first``
        too)."""
        own = bool(self.verified) and all(s.verified for s in self.steps)
        return own and (self.first is None or self.first.all_verified)

    markdown_hook: ClassVar[Callable[["Derivation"], str] | None] = None
    """Set by :mod:`matcal.derivation.render` at import (the steps don't know printers)."""

    def _repr_markdown_(self) -> str | None:
        """Jupyter's rich display: the steps with their rules, justifications and checks, the
        math typeset (``$...$``)."""
        return None if Derivation.markdown_hook is None else Derivation.markdown_hook(self)
