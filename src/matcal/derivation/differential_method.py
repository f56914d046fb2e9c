"""The differential method (Ang, seed 001): expand df, bring it to tr(Gᵀ dX), read off ∇f = G.

The steps, in order:

1. ``differential``: df = d(f).
2. The rules of differentials (:mod:`matcal.derivation.differentials`), one application per
   step, outermost d(·) first; after each, ``constant_rule`` sets the differentials of the
   constants that appeared to zero (dA = 0, as Ang does). What is left is linear in dX.
3. ``linearity``: tr, sum, ᵀ and products distribute over sums, so df is a sum of terms,
   each linear in dX.
4. The trace trick, one step per term: each term is ⟨G, dX⟩ = tr(Gᵀ dX) for the G that
   ``matcal.gradient(term, "dX")`` gives — shown as the term rewritten, under the name of
   what it takes: ``trace_cyclic`` (tr(PQ) = tr(QP)), ``trace_transpose`` (tr P = tr Pᵀ, then
   cyclic), ``inner_product`` (sum(P ⊙ dX) = tr(Pᵀ dX)), ``transpose_scalar`` (pᵀq = qᵀp),
   ``linear_form`` (df = gᵀdx for a vector), ``trace_trick`` (any other term).
5. ``collect_terms``: tr(Pᵀ dX) + tr(Qᵀ dX) = tr((P + Q)ᵀ dX).
6. ``read_off``: df = tr(Gᵀ dX) for every dX, so ∇f = G (Ang: "by the differential-gradient
   equation"); for a symmetric X only sym(G) = (G + Gᵀ)/2 is fixed.
7. ``transpose_of_product`` / ``simplify``: to the form ``matcal.gradient`` prints.

For a vector f (a Jacobian) the same steps run with one more axis: step 4 writes each term
of df as J·dx (``linear_map``; ``hadamard_to_diagonal``, u ⊙ dx = diag(u) dx;
``outer_product``, (uᵀdx) v = v uᵀ dx), and ``read_off`` reads J off df = J dx. For the
Hessian, f is the gradient: d(∇f) = H dx.

For tr(AXB) this is Ang's example: df = tr(A dX B) = tr(B A dX), so ∇f = (BA)ᵀ = AᵀBᵀ.
"""

from __future__ import annotations

import itertools
from typing import Mapping

from matcal.engine.pipeline import derivative_of
from matcal.core.build import add, mul, number, split_coefficient, trace, transpose
from matcal.core.rebuild import rebuild
from matcal.derivation.differentials import Context, Differential, replace, rule_for
from matcal.derivation.steps import Step
from matcal.tensor.terms import Tensor
from matcal.core.nodes import (
    Add, DiagMatrix, DiagVector, Expr, Hadamard, IndexSum, MatMul, Number, SumEntries, Trace,
    Transpose, Var, Zero, variables, walk,
)
from matcal.core.rewrites import recording
from matcal.simplify.engine import RULES as SIMPLIFY_RULES
from matcal.simplify.engine import simplify
from matcal.simplify.normal import normal_form


def differential_variable(expr: Expr, var: Var) -> Var:
    """dX: a variable of X's shape named ``d`` + X's name, renamed if ``expr`` has that name.

    >>> from matcal.syntax.parse import parse
    >>> e = parse("tr(dX*X)")
    >>> differential_variable(e, e.arg.factors[1]).name
    'd_X'
    """
    taken = set(variables(expr))
    names = itertools.chain(
        (f"d{var.name}", f"d_{var.name}"), (f"d{var.name}_{n}" for n in itertools.count(1))
    )
    name = next(n for n in names if n not in taken)
    return Var(name, var.shape)


def differential_steps(expr: Expr, var: Var, dX: Var, final: Expr,
                       parts: Mapping[Expr, Tensor] | None = None,
                       result: str = "∇f") -> list[Step]:
    """The steps of the differential method from f = ``expr`` to its derivative ``final``.

    Args:
        expr: the function f: a scalar (its gradient), or a vector or matrix whose derivative
            by X has at most two axes (its Jacobian: a vector by a vector or a scalar, a
            matrix by a scalar).
        var: the variable X (scalar, vector or matrix; symmetric or not).
        dX: its differential, from :func:`differential_variable`.
        final: ``matcal.derivative(expr, X)``, the form the last step reaches.
        parts: the derivatives of f's parts recorded as f was differentiated, read where a
            step takes d of a part in index notation (:func:`by_index`).
        result: the name of what is read off, for the justifications: ``∇f``, ``J``, or
            ``H`` when f is a gradient.

    Returns:
        Unverified steps (see the module docstring); ``before`` and ``after`` are expressions
        in which dX is ``dX`` and an unexpanded differential a ``Differential`` node. For a
        Jacobian the trace trick is the linear map: each term of df is J·dx.

    >>> from matcal.syntax.parse import parse
    >>> e = parse("tr(A*X*B)")
    >>> X = variables(e)["X"]
    >>> steps = differential_steps(e, X, differential_variable(e, X), derivative_of(e, X))
    >>> [(s.rule, str(s.after)) for s in steps[3:]]  # doctest: +NORMALIZE_WHITESPACE
    [('constant_rule', 'tr(A*dX*B)'), ('trace_cyclic', 'tr(B*A*dX)'),
     ('read_off', "(B*A)'"), ('transpose_of_product', "A'*B'")]
    """
    steps = _expand(expr, Context(var, dX, parts))
    current = steps[-1].after
    jacobian = not expr.shape.is_scalar
    form_of = linear_map if jacobian else inner
    terms = [t for t in split_terms(current, dX) if not isinstance(t, Zero)]
    if len(terms) > 1 and add(*terms) != current:
        steps.append(Step("linearity", current, add(*terms), "tr, sum, ᵀ and products "
                          "distribute over sums: tr(P + Q) = tr(P) + tr(Q)", "df"))
        current = add(*terms)
    grads = []
    for n, term in enumerate(terms):  # the trace trick (the linear map), term by term
        grads.append(derivative_of(term, dX))
        form = form_of(grads[-1], dX)
        if form != term:
            new = add(*[form_of(h, dX) for h in grads], *terms[n + 1 :])
            rule, why = _linear_map_rule(term, dX) if jacobian else _trace_trick(term, form, dX)
            steps.append(Step(rule, current, new, why, "df"))
            current = new
    g = simplify(add(*grads)) if grads else Zero(final.shape)
    if len(terms) > 1 and form_of(g, dX) != current:
        why = "J₁ dx + J₂ dx = (J₁ + J₂) dx" if jacobian else \
            "tr(Pᵀ dX) + tr(Qᵀ dX) = tr((P + Q)ᵀ dX)"
        steps.append(Step("collect_terms", current, form_of(g, dX), why, "df"))
        current = form_of(g, dX)
    read = g if jacobian else _read(g, var)
    if var.symmetric:
        read = mul(number(0.5), add(read, transpose(read)))
    text = _jacobian_text(var, result) if jacobian else _read_off_text(var, dX)
    steps.append(Step("read_off", current, read, text, "grad"))
    if read != final:
        steps.append(Step(*final_rule(read, final), "grad"))
    return steps


def _expand(expr: Expr, D: Context) -> list[Step]:
    """df = d(f), expanded by the rules of differentials until only dX is left: the
    outermost d(·) first, and after each rule the constants' differentials set to 0."""
    current: Expr = Differential(expr)
    steps = [Step("differential", expr, current, "take the differential of both sides: "
                  "df = d(f)", "df")]
    while True:
        markers = list(dict.fromkeys(n for n in walk(current) if isinstance(n, Differential)))
        if not markers:
            return steps
        constants = [m for m in markers if not D.depends(m.arg)]
        if constants:
            new = replace(current, {m: Zero(m.shape) for m in constants})
            steps.append(Step("constant_rule", current, new, _constants_text(constants), "df"))
        else:
            rule = rule_for(type(markers[0].arg))
            new = replace(current, {markers[0]: rule.fn(D, markers[0].arg)})
            steps.append(Step(rule.name, current, new, rule.identity, "df"))
        current = new


def split_terms(e: Expr, dX: Var) -> list[Expr]:
    """``e``, linear in dX, as a list of terms: the sums around dX multiplied out.

    >>> from matcal.syntax.parse import parse
    >>> e = parse("tr(A*(dX*B + C*dX))", {"dX": "matrix"})
    >>> [str(t) for t in split_terms(e, variables(e)["dX"])]
    ['tr(A*dX*B)', 'tr(A*C*dX)']
    """
    if dX.name not in {n.name for n in walk(e) if isinstance(n, Var)}:
        return [e]
    if isinstance(e, Add):
        return [t for s in e.terms for t in split_terms(s, dX)]
    if isinstance(e, (MatMul, Hadamard)):
        parts = itertools.product(*(split_terms(f, dX) for f in e.factors))
        return [rebuild(e, p) for p in parts]
    if isinstance(e, (Transpose, Trace, SumEntries, DiagMatrix, DiagVector)):
        return [rebuild(e, (t,)) for t in split_terms(e.arg, dX)]
    if isinstance(e, IndexSum):
        return [e.rebuild(t) for t in split_terms(e.body, dX)]
    return [e]


def inner(g: Expr, dX: Var) -> Expr:
    """⟨G, dX⟩ written as Ang does: tr(Gᵀ dX) for a matrix, Gᵀdx for a vector, g·dx.

    >>> from matcal.syntax.parse import parse
    >>> e = parse("A'*B'*c + dX", {"dX": "matrix"})
    >>> str(inner(e.terms[0], variables(e)["dX"]))
    'c*tr(B*A*dX)'
    """
    if dX.shape.is_matrix:
        m = transpose(g)
        scalars = [f for f in m.factors if f.shape.is_scalar] if isinstance(m, MatMul) else []
        if scalars and len(scalars) < len(m.factors):  # scalar factors go in front: a tr(P dX)
            return mul(*scalars, trace(mul(*(f for f in m.factors if f not in scalars), dX)))
        return trace(mul(m, dX))
    if dX.shape.is_vector:
        return mul(transpose(g), dX)
    return mul(g, dX)


def linear_map(J: Expr, dX: Var) -> Expr:
    """J·dx: the differential of a vector (or of a matrix by a scalar) as its Jacobian J
    applied to dx, laid out as shape(f) + shape(x).

    >>> from matcal.syntax.parse import parse
    >>> e = parse("A*dx", {"dx": "vector"})
    >>> str(linear_map(e.factors[0], e.factors[1]))
    'A*dx'
    """
    return mul(J, dX)


def _linear_map_rule(term: Expr, dX: Var) -> tuple[str, str]:
    """The name and identity of the rewrite of a term of df to J·dx."""
    nodes = list(walk(term))
    if any(isinstance(n, Hadamard) for n in nodes):
        return "hadamard_to_diagonal", ("an element-wise product is a diagonal matrix "
                                        "applied: u ⊙ dx = diag(u) dx (Matrix Cookbook §10.3)")
    if any(isinstance(n, Transpose) and dX in walk(n) for n in nodes):
        return "outer_product", "a scalar uᵀdx times a vector v: (uᵀdx) v = v uᵀ dx"
    return "linear_map", ("df is linear in dx, so df = J dx, J_ij = ∂f_i/∂x_j "
                          "(the Jacobian in numerator layout)")


def _jacobian_text(var: Var, result: str) -> str:
    d = f"d{var.name}"
    if result == "H":
        return (f"d(∇f) = H {d} for every {d}, so the Hessian H = ∂(∇f)/∂{var.name} is read "
                f"off; then d²f = {d}ᵀ H {d}")
    return (f"df = J {d} for every {d}, so the Jacobian J = ∂f/∂{var.name} is read off "
            "(numerator layout: rows follow f, columns " + var.name + ")")


def _constants_text(constants: list[Differential]) -> str:
    listed = ", ".join(
        f"d{m.arg}" if isinstance(m.arg, Var) else f"d({m.arg})" for m in constants
    )
    return f"dc = 0 for a constant c: {listed} = 0"


def _chain(e: Expr) -> tuple[float, list[Expr]]:
    c, rest = split_coefficient(e)
    return c, list(rest.factors) if isinstance(rest, MatMul) else [rest]


def _rotation_of(a: list[Expr], b: list[Expr]) -> bool:
    return len(a) == len(b) and any(a[k:] + a[:k] == b for k in range(len(a)))


def _trace_trick(term: Expr, form: Expr, dX: Var) -> tuple[str, str]:
    """The name and identity of the rewrite of ``term`` to ⟨G, dX⟩."""
    (c1, t1), (c2, t2) = _chain(term), _chain(form)
    if c1 == c2 and len(t1) == len(t2) == 1 and isinstance(t1[0], Trace) \
            and isinstance(t2[0], Trace):
        p, q = _chain(t1[0].arg)[1], _chain(t2[0].arg)[1]
        if _rotation_of(p, q):
            return "trace_cyclic", "trace is invariant under cyclic permutation: tr(PQ) = tr(QP)"
        if _rotation_of(_chain(transpose(t1[0].arg))[1], q):
            return "trace_transpose", ("tr(P) = tr(Pᵀ), and the trace is invariant under "
                                       "cyclic permutation: tr(PQ) = tr(QP)")
    nodes = list(walk(term))
    if any(isinstance(n, (Hadamard, SumEntries, DiagMatrix, DiagVector)) for n in nodes):
        return "inner_product", ("sum(P ⊙ dX) = tr(Pᵀ dX), and an element-wise factor moves "
                                 "across the inner product: ⟨P, Q ⊙ R⟩ = ⟨P ⊙ Q, R⟩")
    if not dX.shape.is_matrix and any(n == Transpose(dX) for n in nodes):
        return "transpose_scalar", "a scalar equals its transpose: (dx)ᵀp = pᵀdx"
    if not dX.shape.is_matrix:
        return "linear_form", ("df is linear in dx, so df = Σ_i g_i dx_i = gᵀdx "
                               "(the differential-gradient equation)")
    return "trace_trick", ("df is linear in dX, so df = Σ_ij G_ij dX_ij = tr(Gᵀ dX) "
                           "(the differential-gradient equation)")


def _read(g: Expr, var: Var) -> Expr:
    """G as read off df = tr(M dX): Mᵀ, the transpose shown when M is a product or a sum."""
    if not var.shape.dims:
        return g
    c, m = split_coefficient(transpose(g))
    if isinstance(m, (MatMul, Add, Hadamard)) and not isinstance(m, Number):
        return mul(number(c), Transpose(m))
    return g


def _read_off_text(var: Var, dX: Var) -> str:
    if not var.shape.dims:
        return f"df = f' d{var.name}, so ∇f = f' (the differential-gradient equation)"
    if var.shape.is_vector:
        return f"df = ∇fᵀ d{var.name} for every d{var.name}, so ∇f is read off " \
               "(the differential-gradient equation)"
    text = f"df = tr(∇fᵀ d{var.name}) for every d{var.name}, so ∇f is read off " \
           "(the differential-gradient equation)"
    if var.symmetric:
        text += f"; {var.name} is symmetric, so d{var.name} is too and only the symmetric " \
                "part counts: ∇f = (G + Gᵀ)/2"
    return text


def final_rule(raw: Expr, final: Expr) -> tuple[str, Expr, Expr, str]:
    """(rule, before, after, justification) of the last step, from the gradient as read off
    to the form ``matcal.gradient`` prints: the transpose of a product, or the simplifier,
    justified by the rules it records firing on the way (never guessed afterwards).

    >>> from matcal.syntax.parse import parse
    >>> e = parse("A'*B'")
    >>> final_rule(Transpose(transpose(e)), e)[0]
    'transpose_of_product'
    >>> final_rule(parse("X + X"), parse("2*X"))[3]
    'collect_like_terms: c₁·T + c₂·T = (c₁ + c₂)·T'
    """
    c, m = split_coefficient(raw)
    if isinstance(m, Transpose) and isinstance(m.arg, MatMul) \
            and mul(number(c), transpose(m.arg)) == final:
        return "transpose_of_product", raw, final, "(PQ)ᵀ = QᵀPᵀ"
    if normal_form(raw) == normal_form(final):  # equal once transposes are pushed down
        return "transpose_of_product", raw, final, ("(P + Q)ᵀ = Pᵀ + Qᵀ and (PQ)ᵀ = QᵀPᵀ "
                                                    "(Matrix Cookbook §1.1)")
    with recording() as log:
        reached = simplify(raw)
    identities = {r.name: r.identity for r in SIMPLIFY_RULES}
    names = [n for n in dict.fromkeys(rule for rule, _, _ in log) if n in identities]
    if reached == final and names:
        return "simplify", raw, final, "; ".join(f"{n}: {identities[n]}" for n in names)
    return "simplify", raw, final, "transpose of products, collecting like terms " \
        "(matcal's simplifier)"
