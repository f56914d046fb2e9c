"""Simplification to textbook form: the table of named rewrite rules, applied bottom-up to a
fixpoint.

The smart constructors (:mod:`matcal.core.build`) already keep out trivial clutter; these rules do
the algebra a careful person does by hand, each under the name the explanations use. The rules
live by what they act on — sums (:mod:`~matcal.simplify.collecting`: like terms, common
factors and coefficients, diagonals), products (:mod:`~matcal.simplify.products`: powers,
inverses, determinants, function quotients, scalars out of traces and norms), element-wise
algebra (:mod:`~matcal.simplify.elementwise`: u./u = 1, σ(−u) = 1 − σ(u), common factors and
denominators), sums over an index (:mod:`~matcal.simplify.sums`) — and :data:`RULES` says the
order they are tried in. Terms and factors are compared by their
:func:`~matcal.simplify.normal.normal_form`; "shorter" is :func:`~matcal.simplify.cost.cost`.

Every rule maps an expression to an equal-valued one; :func:`simplify` is idempotent. Each
rule that fires is reported to :mod:`matcal.core.rewrites` under its name (the value-checked mode
of :mod:`matcal.numeric.rewrite_check` evaluates both sides).
"""

from __future__ import annotations

from typing import Callable

from matcal.core.nodes import Expr
from matcal.core.rebuild import map_bottom_up
from matcal.core.rewrites import fired
from matcal.core.rule_tables import NamedRule
from matcal.simplify.collecting import (
    collect_like_terms, common_coefficient, factor_common, merge_diagonals,
)
from matcal.simplify.elementwise import rational_form
from matcal.simplify.products import (
    cancel_inverse, collect_matrix_powers, function_quotients, inverse_of_product, merge_powers,
    orientation, scalars_out, split_determinants,
)
from matcal.simplify.sums import sum_over_selection

Rule = Callable[[Expr], Expr | None]


RULES: tuple[NamedRule, ...] = (
    NamedRule("collect_like_terms", "c₁·T + c₂·T = (c₁ + c₂)·T", collect_like_terms),
    NamedRule("merge_powers", "a·a^p = a^(p+1) among scalars; X ⊙ X = X.^2", merge_powers),
    NamedRule("cancel_inverse", "P P⁻¹ = P⁻¹ P = I (Matrix Cookbook §3.1.1)", cancel_inverse),
    NamedRule("inverse_of_product", "(P₁…P_k)⁻¹ = P_k⁻¹…P₁⁻¹ for square P_i "
              "(Matrix Cookbook §1.1), where it cancels", inverse_of_product),
    NamedRule("split_determinants", "logdet(PQ) = logdet(P) + logdet(Q), det(PQ) = det(P) "
              "det(Q) for square P, Q (Matrix Cookbook §1.3), where it cancels",
              split_determinants),
    NamedRule("collect_matrix_powers", "P·P = P², P^a·P^b = P^(a+b) for a square P",
              collect_matrix_powers),
    NamedRule("function_quotients", "sinh(u)/cosh(u) = tanh(u), eᵘ/(1 + eᵘ) = σ(u)",
              function_quotients),
    NamedRule("elementwise_algebra", "u./u = 1, σ(−u) = 1 − σ(u), common factors and "
              "denominators of element-wise sums", rational_form),
    NamedRule("merge_diagonals", "c₁·diag(u) + c₂·diag(v) = diag(c₁·u + c₂·v)",
              merge_diagonals),
    NamedRule("scalars_out", "tr(c·P) = c·tr(P), sum(c·P) = c·sum(P), ‖c·P‖ = |c|·‖P‖",
              scalars_out),
    NamedRule("orientation", "diag(Pᵀ) = diag(P), tr(Pᵀ) = tr(P): fewer transposes",
              orientation),
    NamedRule("common_coefficient", "c·A + c·B = c·(A + B)", common_coefficient),
    NamedRule("factor_common", "P Q + R Q = (P + R) Q", factor_common),
    NamedRule("sum_over_selection", "Σ_k B[:,k] x_k = B x and the like (Traa eq. 44–46)",
              sum_over_selection),
)
"""The rules, in the order they are tried at each node: name, identity, function."""


def rewrite(e: Expr) -> Expr:
    """Apply the first rule that changes ``e`` (at its root), repeatedly."""
    for _ in range(50):
        for entry in RULES:
            out = entry.fn(e)
            if out is not None and out != e:
                fired(entry.name, e, out)
                e = out
                break
        else:
            return e
    return e


def simplify(e: Expr, max_rounds: int = 10) -> Expr:
    """Rewrite ``e`` bottom-up with :data:`RULES` until nothing changes.

    >>> from matcal.syntax.parse import parse
    >>> str(simplify(parse("X + X")))
    '2*X'
    """
    for _ in range(max_rounds):
        out = map_bottom_up(e, rewrite)
        if out == e:
            return out
        e = out
    return e
