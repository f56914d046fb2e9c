"""Derivations step by step (``matcal.explain``): both methods of the seed notes, every step
checked numerically, the renderers, and ``matcal EXPR --wrt X --steps``.

Seed cases come from ``examples/seeds.json``; Traa's example 4 (eq. 42–46) in matcal's index
syntax. The worked examples are asserted on the rendered text, line by line as in the notes:
Ang's dy = tr(A dX B) = tr(B A dX), ∇ = (BA)ᵀ = AᵀBᵀ; Traa's eq. 7–9, 10–12 and 14–15.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import pytest

import matcal
from matcal import cli
from matcal.core.build import mul, number, trace
from matcal.derivation import differentials
from matcal.derivation.differential_method import differential_variable, inner
from matcal.derivation.render import latex_text, render, shown_text, to_latex, to_markdown, to_text
from matcal.derivation.steps import LHS, Step
from matcal.derivation.verify import Checker
from matcal.core.nodes import ALL_NODES, Var, variables

CASES = json.loads((Path(__file__).parents[1] / "examples" / "seeds.json").read_text())
SOLVED = [c for c in CASES if c["gradient"] is not None]
METHODS = ("differential", "index")
EXAMPLE_4 = "sum(k, tr(V'*log(A*diag(B[k,:]*X)*C)))"
NOTE_EQ_21 = "A*C'*X'*X*C'*B'*X + B*C*X'*X*C*A*X + X*C*A*X*X'*B*C + X*C'*B'*X*X'*A'*C'"
VOCABULARY = {
    "differential", "constant_rule", "variable_rule", "sum_rule", "product_rule",
    "hadamard_rule", "kron_rule", "power_rule", "matrix_power_rule", "transpose_rule",
    "trace_rule", "det_rule", "logdet_rule", "inverse_rule", "sum_of_entries_rule", "norm1_rule",
    "norm2_rule", "diag_rule", "selection_rule", "elementwise_rule", "index_sum_rule",
    "index_rule", "linearity", "trace_cyclic", "trace_transpose", "inner_product",
    "transpose_scalar", "linear_form", "trace_trick", "collect_terms", "read_off",
    "transpose_of_product", "simplify", "trace_index", "product_index", "transpose_to_indices",
    "hadamard_index", "sum_index", "diag_index", "index_notation", "chain_rule",
    "delta_elimination", "contraction", "hadamard", "trace", "diagonal", "row_sum",
    "diagonal_scaling", "index_sum", "sum_over_index", "linear_map", "hadamard_to_diagonal",
    "outer_product",
}


def values_for(case: dict, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    out = {}
    for name, shape in case["example_shapes"].items():
        positive = name in case["positive"]
        v = rng.uniform(0.5, 1.5, shape) if positive else rng.standard_normal(shape)
        if len(shape) == 2 and shape[0] == shape[1]:
            v = v + shape[0] * np.eye(shape[0])
        out[name] = v
    return out


def rel(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    assert a.shape == b.shape
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(a)), np.max(np.abs(b)), 1e-12))


# ---------------------------------------------------------------- every seed example


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("case", SOLVED, ids=[c["id"] for c in SOLVED])
def test_seed_example_explains_with_every_step_verified(case, method):
    d = matcal.explain(case["expr"], case["wrt"], method, case["types"])
    assert d.method == method and d.steps
    assert all(s.verified for s in d.steps), [(s.rule, s.error) for s in d.steps]
    assert all(s.error is not None and s.error < 1e-6 for s in d.steps)
    assert d.verified and d.error < 1e-6 and d.all_verified
    assert {s.rule for s in d.steps} <= VOCABULARY
    assert {s.lhs for s in d.steps} <= set(LHS) and d.steps[-1].lhs == "grad"
    assert d.steps[0].before == d.expression and d.steps[-1].after == d.gradient
    assert all(a.after == b.before for a, b in zip(d.steps, d.steps[1:]))
    assert d.gradient == matcal.gradient(case["expr"], case["wrt"], case["types"])
    values = values_for(case)
    got = matcal.evaluate(d.gradient, values)
    assert rel(got, matcal.evaluate(case["gradient"], values, case["types"])) < 1e-8


@pytest.mark.parametrize("method", METHODS)
def test_traa_example_4_equals_eq_46(method):
    # Traa eq. 42-46: ∂/∂X Σ_k tr(Vᵀ log(A diag(B_k: X) C)) = Bᵀ [r_1; …; r_K],
    # r_k = 1ᵀ(((V ⊘ (A diag(B_k: X) C))ᵀ A) ⊙ Cᵀ)
    d = matcal.explain(EXAMPLE_4, "X", method)
    assert d.all_verified
    rng = np.random.default_rng(3)
    V, A, B, X, C = (rng.uniform(0.5, 1.5, s) for s in [(3, 5), (3, 4), (6, 2), (2, 4), (4, 5)])
    rows = [np.ones(5) @ (((V / (A @ np.diag(B[k] @ X) @ C)).T @ A) * C.T) for k in range(6)]
    got = matcal.evaluate(d.gradient, dict(V=V, A=A, B=B, X=X, C=C))
    assert rel(got, B.T @ np.array(rows)) < 1e-10


def test_example_4_differential_goes_inside_the_sum():
    # d Σ_k F_k = Σ_k dF_k, then the rules inside; B[k,:] is constant: d(B[k,:]) = 0
    text = to_text(matcal.explain(EXAMPLE_4, "X"))
    assert "sum(k, d(tr(V'*log(A*diag(B[k,:]*X)*C))))" in text
    assert "sum(k, tr(V'*((A*diag(B[k,:]*dX)*C)./(A*diag(B[k,:]*X)*C))))" in text
    assert "d(B[k,:]) = 0" in text


def test_example_4_index_goes_inside_the_sum_as_eq_42_to_46():
    # Traa eq. 42: f = Σ_k Σ_i Σ_j V_ij log(…)_ij; eq. 43: ∂f/∂X_nm by the chain rule, the
    # δ's collapse the sums, B_kn stays; eq. 44–45: matrix form for fixed k; eq. 46: Σ over k
    d = matcal.explain(EXAMPLE_4, "X", "index")
    assert d.all_verified, [(s.rule, s.error) for s in d.steps]
    rules = [s.rule for s in d.steps]
    assert rules[0] == "index_sum" and {s.rule for s in d.steps} <= VOCABULARY
    assert rules.index("chain_rule") < rules.index("delta_elimination") < \
        rules.index("read_off") < rules.index("sum_over_index")
    lines = lines_of(to_text(d))
    assert lines[1] == "= Σ_k tr(V'*log(A*diag(B[k,:]*X)*C))"
    assert "= Σ_k Σ_i Σ_j V[j,i]*log(A*diag(B[k,:]*X)*C)[j,i]" in lines
    partial = [line for line in lines if line.startswith("∂f/∂X[p,q] = Σ_k Σ_i")]
    assert "δ[" in partial[0] and "B[k," in partial[0]  # the chain rule, before δ elimination
    assert "= Σ_k Σ_i Σ_j V[j,i]*(1./(A*diag(B[k,:]*X)*C))[j,i]*A[j,q]*B[k,p]*C[q,i]" in lines
    assert "= Σ_k (B[k,:]'*diag(A'*(V./(A*diag(B[k,:]*X)*C))*C')')[p,q]" in lines
    assert lines[-1] == "= sum(k, B[k,:]'*diag(C*(V./(A*diag(B[k,:]*X)*C))'*A)')"
    summed = d.steps[rules.index("sum_over_index")]
    assert summed.lhs == "grad" and "Σ_k ∂f_k/∂X" in summed.justification
    assert r"\sum_{k} \sum_{i} \sum_{j} V_{ji}" in to_latex(d)
    assert d.gradient == matcal.gradient(EXAMPLE_4, "X")
    rng = np.random.default_rng(5)
    V, A, B, X, C = (rng.uniform(0.5, 1.5, s) for s in [(3, 5), (3, 4), (6, 2), (2, 4), (4, 5)])
    rows = [np.ones(5) @ (((V / (A @ np.diag(B[k] @ X) @ C)).T @ A) * C.T) for k in range(6)]
    got = matcal.evaluate(d.gradient, dict(V=V, A=A, B=B, X=X, C=C))
    assert rel(got, B.T @ np.array(rows)) < 1e-10


@pytest.mark.parametrize("expr, wrt", [
    ("sum(k, x[k]*tr(X))", "X"), ("sum(k, sum(l, A[k,l]*tr(X*B)))", "X"),
    ("sum(k, (B[k,:]*x)^2)", "x"),
])
def test_index_method_goes_inside_other_sums(expr, wrt):
    # the sum written back as the engine writes it (a matrix product when it can), nested sums
    d = matcal.explain(expr, wrt, "index")
    assert d.all_verified, [(s.rule, s.error) for s in d.steps]
    assert d.steps[0].rule == "index_sum" and "sum_over_index" in [s.rule for s in d.steps]
    assert d.gradient == matcal.gradient(expr, wrt)


def test_a_wrong_step_inside_a_sum_is_caught():
    # the body's forms are checked on the whole sum Σ_k f_k: dropping a factor fails
    d = matcal.explain(EXAMPLE_4, "X", "index")
    step = next(s for s in d.steps if s.rule == "delta_elimination")
    term = step.after.terms[0]
    wrong = dataclasses.replace(step.after, terms=(dataclasses.replace(
        term, factors=term.factors[:-1]),))
    checker = Checker(d.expression, variables(d.expression)["X"], None, seed=0)
    assert checker.check(dataclasses.replace(step, after=wrong), "partial").verified is False
    assert checker.check(step, "partial").verified


@pytest.mark.parametrize("method", METHODS)
def test_traa_eq_21_the_derivation_gives_the_corrected_answer(method):
    # Traa eq. 21 prints the first term as A Cᵀ Xᵀ X Cᵀ Bᵀ X; eq. 20 gives Aᵀ Cᵀ Xᵀ X Cᵀ Bᵀ X
    d = matcal.explain("tr(A*X*X'*B*C*X'*X*C)", "X", method)
    assert d.all_verified
    rng = np.random.default_rng(1)
    values = {n: rng.standard_normal((3, 3)) + 3 * np.eye(3) for n in "ABCX"}
    ours = matcal.evaluate(d.gradient, values)
    corrected = "A'*C'*X'*X*C'*B'*X + B*C*X'*X*C*A*X + X*C*A*X*X'*B*C + X*C'*B'*X*X'*A'*C'"
    assert rel(ours, matcal.evaluate(corrected, values)) < 1e-10
    assert rel(ours, matcal.evaluate(NOTE_EQ_21, values)) > 1e-3


# ---------------------------------------------------------------- the notes' own steps


def lines_of(text: str) -> list[str]:
    """The equalities of a text rendering, without rules, checks and the closing result."""
    body = text.split("\n\n")[1]
    return [line.strip() for line in body.splitlines() if re.match(r"\s*(\S+ )?= ", line)]


def test_ang_tr_AXB_differential_shows_the_steps_of_the_note():
    # Ang: dy = d tr(AXB) = tr(dA XB + A dX B + AX dB) = tr(A dX B) = tr(B A dX), ∇ = (BA)ᵀ = AᵀBᵀ
    d = matcal.explain("tr(A*X*B)", "X")
    assert [s.rule for s in d.steps] == [
        "differential", "trace_rule", "product_rule", "constant_rule", "trace_cyclic",
        "read_off", "transpose_of_product",
    ]
    text = to_text(d)
    assert lines_of(text) == [
        "f = tr(A*X*B)", "df = d(tr(A*X*B))", "= tr(d(A*X*B))", "= tr(dA*X*B + A*dX*B + A*X*dB)",
        "= tr(A*dX*B)", "= tr(B*A*dX)", "∇f = (B*A)'", "= A'*B'",
    ]
    assert "trace_cyclic: trace is invariant under cyclic permutation" in text
    assert "constant_rule: dc = 0 for a constant c: dA, dB = 0" in text
    assert "verified: relative error" in text and "FAILED" not in text
    assert text.splitlines()[-2] == "∇f = A'*B'"


def test_traa_tr_AXB_index_shows_eq_7_to_9():
    # Traa eq. 7: f = Σ_i Σ_j Σ_k A_ij X_jk B_ki; eq. 8: ∂f/∂X_jk = Σ_i A_ij B_ki = [BA]_kj;
    # eq. 9: ∂f/∂X = AᵀBᵀ
    d = matcal.explain("tr(A*X*B)", "X", "index")
    assert lines_of(to_text(d)) == [
        "f = tr(A*X*B)", "= Σ_i (A*X*B)[i,i]", "= Σ_i Σ_j Σ_k A[i,j]*X[j,k]*B[k,i]",
        "∂f/∂X[p,q] = Σ_i Σ_j Σ_k A[i,j]*δ[j,p]*δ[k,q]*B[k,i]",
        "∂f/∂X[j,k] = Σ_i A[i,j]*B[k,i]", "= (B*A)[k,j]", "∇f = (B*A)'", "= A'*B'",
    ]
    assert [s.rule for s in d.steps][3:6] == ["delta_elimination", "contraction", "read_off"]
    latex = to_latex(d)
    assert r"\sum_{i} \sum_{j} \sum_{k} A_{ij} X_{jk} B_{ki}" in latex
    assert r"\frac{\partial f}{\partial X_{jk}} &= \sum_{i} A_{ij} B_{ki}" in latex
    assert r"\left[\mathbf{B} \mathbf{A}\right]_{kj}" in latex
    assert "row index j, column index k" in latex  # Traa eq. 9: rows j, columns k


def test_traa_tr_AXtB_index_shows_eq_10_to_12():
    # eq. 10: Σ A_ij X_kj B_ki; eq. 11: ∂f/∂X_kj = Σ_i A_ij B_ki = [BA]_kj; eq. 12: BA
    lines = lines_of(to_text(matcal.explain("tr(A*X'*B)", "X", "index")))
    assert "= Σ_i Σ_j Σ_k A[i,j]*X[k,j]*B[k,i]" in lines
    assert lines[-3:] == ["∂f/∂X[k,j] = Σ_i A[i,j]*B[k,i]", "= (B*A)[k,j]", "∇f = B*A"]


def test_traa_eq_14_and_15_two_appearances_of_X():
    # eq. 14: Σ A_ij X_jk B_kl X_lm C_im; eq. 15: Σ A_ij B_kl X_lm C_im = [B X Cᵀ A]_kj
    lines = lines_of(to_text(matcal.explain("tr(A*X*B*X*C')", "X", "index")))
    assert "= Σ_i Σ_j Σ_k Σ_l Σ_m A[i,j]*X[j,k]*B[k,l]*X[l,m]*C[i,m]" in lines
    assert "= (B*X*C'*A)[k,j] + (C'*A*X*B)[k,j]" in lines
    assert lines[-1] == "= A'*C*X'*B' + B'*X'*A'*C"


def test_ang_logdet_example():
    # Ang: dy = tr((XᵀX)⁻¹ dXᵀ X) + tr((XᵀX)⁻¹ Xᵀ dX) = 2 tr((XᵀX)⁻¹ Xᵀ dX), ∇ = 2X(XᵀX)⁻¹
    d = matcal.explain("logdet(X'*X)", "X")
    lines = lines_of(to_text(d))
    assert "= tr(inv(X'*X)*(dX'*X + X'*dX))" in lines
    assert "= tr(inv(X'*X)*dX'*X) + tr(inv(X'*X)*X'*dX)" in lines
    assert "= 2*tr(inv(X'*X)*X'*dX)" in lines
    assert lines[-2:] == ["∇f = 2*(inv(X'*X)*X')'", "= 2*X*inv(X'*X)"]
    assert [s.rule for s in d.steps if s.rule.startswith(("logdet", "trace_", "collect"))] == [
        "logdet_rule", "trace_transpose", "collect_terms"]


def test_ang_least_squares_reads_off_the_transpose():
    # Ang: dy = 2(xᵀAᵀ − bᵀ)A dx, so ∇ = 2Aᵀ(Ax − b)
    lines = lines_of(to_text(matcal.explain("norm2(A*x - b)^2", "x", types={"b": "vector"})))
    assert lines[-3:] == ["= 2*(A*x - b)'*A*dx", "∇f = 2*((A*x - b)'*A)'", "= 2*A'*(A*x - b)"]


def test_symmetric_variable_reads_off_the_symmetric_part():
    # tr(SX) with S symmetric: df = tr(X dS), ∇f = sym(Xᵀ) = (Xᵀ + X)/2
    d = matcal.explain("tr(S*X)", "S", types={"S": "symmetric"})
    assert d.all_verified and str(d.gradient) == "0.5*(X + X')"
    (read,) = [s for s in d.steps if s.rule == "read_off"]
    assert str(read.after) == "0.5*(X' + X)" and "symmetric" in read.justification


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("expr, wrt, gradient", [
    ("tr(A)", "X", "matrix(0)"), ("a*b", "a", "b"), ("det(X)", "X", "det(X)*inv(X)'"),
    ("x'*A*x", "x", "(A + A')*x"), ("sum(X.*X.*A)", "X", "2*X.*A"),
    ("tr(X^3)", "X", "3*(X^2)'"), ("norm1(X)", "X", "sign(X)"), ("x'*diag(X)", "X", "diag(x)"),
])
def test_more_constructs_explain_and_verify(expr, wrt, gradient, method):
    d = matcal.explain(expr, wrt, method)
    assert d.all_verified and str(d.gradient) == gradient


def test_the_differential_never_clashes_with_a_name():
    e = matcal.parse("tr(A*X) + dX", types={"dX": "scalar"})
    assert differential_variable(e, variables(e)["X"]).name == "d_X"
    d = matcal.explain(e, "X")
    assert d.differential == "d_X" and d.all_verified
    assert "tr(A*d_X)" in to_text(d)


# ---------------------------------------------------------------- rules and checks


def test_every_node_class_has_a_differential_rule():
    assert set(ALL_NODES) <= set(differentials.RULES)


@pytest.mark.parametrize("text, expected", [
    ("inv(X)", "-inv(X)*dX*inv(X)"),            # dX⁻¹ = −X⁻¹ dX X⁻¹ (Ang eq. 5)
    ("X'", "dX'"),                              # d(Xᵀ) = (dX)ᵀ (Ang eq. 3)
    ("tr(X)", "tr(dX)"),                        # d tr X = tr dX (Ang eq. 4)
    ("logdet(X)", "tr(inv(X)*dX)"),             # d log det X = tr(X⁻¹ dX) (Cookbook eq. 43)
    ("det(X)", "det(X)*tr(inv(X)*dX)"),         # d det X = det X tr(X⁻¹ dX) (Cookbook eq. 41)
    ("A*X", "dA*X + A*dX"),                     # d(XY) = dX Y + X dY (Ang eq. 2)
    ("A.*X", "dA.*X + A.*dX"),                  # d(X ⊙ Y) = dX ⊙ Y + X ⊙ dY (Cookbook eq. 38)
    ("exp(X)", "exp(X).*dX"),                   # d f(X) = f'(X) ⊙ dX
    ("X.^3", "3*X.^2.*dX"),                     # d X.^p = p X.^(p−1) ⊙ dX
    ("diag(X)", "diag(dX)"), ("sum(X)", "sum(dX)"),
])
def test_differential_rule_states_its_identity(text, expected):
    e = matcal.parse(text, types={"X": "symmetric"} if text in ("inv(X)", "logdet(X)",
                                                                  "det(X)", "diag(X)") else None)
    X = variables(e)["X"]
    context = differentials.Context(X, Var("dX", X.shape))
    rule = differentials.rule_for(type(e))
    assert shown_text(rule.fn(context, e)) == expected


def test_inner_product_form_is_tr_G_transpose_dX():
    # dy = tr(∇ᵀ dX) (Ang); the scalar factors go in front of the trace
    X = variables(matcal.parse("tr(A*X)"))["X"]
    dX = Var("dX", X.shape)
    assert str(inner(matcal.parse("A'"), dX)) == "tr(A*dX)"
    assert str(inner(matcal.parse("c*A'"), dX)) == "c*tr(A*dX)"


def test_a_wrong_rule_is_caught_by_its_check(monkeypatch):
    bad = differentials.Rule("trace_rule", "d tr X = 2 tr dX",
                             lambda D, u: mul(number(2), trace(D.d(u.arg))))
    monkeypatch.setitem(differentials.RULES, differentials.Trace, bad)
    d = matcal.explain("tr(A*X*B)", "X")
    (step,) = [s for s in d.steps if s.rule == "trace_rule"]
    assert step.verified is False and step.error > 0.1
    assert not d.all_verified and "FAILED: relative error" in to_text(d)


def test_checker_compares_values_of_both_sides():
    e = matcal.parse("tr(A*X)")
    X = variables(e)["X"]
    checker = Checker(e, X, None, seed=0)
    same = Step("r", e, matcal.parse("tr(X*A)"), "", "f")
    wrong = Step("r", e, matcal.parse("2*tr(X*A)"), "", "f")
    assert checker.check(same, "f").verified is True
    assert checker.check(wrong, "f").verified is False
    grad = Step("r", e, matcal.parse("A'"), "", "partial")  # f → ∂f by central differences
    assert checker.check(grad, "f").verified is True


# ---------------------------------------------------------------- renderers


def test_latex_is_one_align_environment_with_a_row_per_step():
    d = matcal.explain("tr(A*X*B)", "X")
    out = to_latex(d)
    assert out.count(r"\begin{align}") == 1 and out.rstrip().endswith(r"\end{align}")
    body = out.split(r"\begin{align}")[1].split(r"\end{align}")[0].strip()
    rows = body.split(" \\\\\n")
    assert len(rows) == len(d.steps) + 1 and all("&=" in r for r in rows)
    assert sum(r"\text{" in r for r in rows) == len(d.steps)
    assert r"\operatorname{tr}\left(\mathbf{A} d\mathbf{X} \mathbf{B}\right)" in out
    assert r"\nabla_{\mathbf{X}} f &= \left(\mathbf{B} \mathbf{A}\right)^T" in out
    assert out.count("{") == out.count("}")


def test_markdown_is_a_numbered_list_of_math():
    d = matcal.explain("tr(A*X*B)", "X", "index")
    out = to_markdown(d)
    items = [line for line in out.splitlines() if re.match(r"\d+\. \$", line)]
    assert len(items) == len(d.steps) + 1
    assert all(line.count("$") == 2 and line.rstrip().endswith("$") for line in items)
    assert items[2].rstrip() == r"3. $f = \sum_{i} \sum_{j} \sum_{k} A_{ij} X_{jk} B_{ki}$"
    assert out.splitlines()[-1].startswith(r"Result: $\nabla_{\mathbf{X}} f = \mathbf{A}^T")


def test_text_has_a_line_per_step_and_the_checks():
    d = matcal.explain("tr(A*X*B)", "X", "index")
    text = to_text(d)
    assert text.count("[verified: relative error") == len(d.steps)
    first = "Gradient of f = tr(A*X*B) with respect to X, index method (Traa)"
    assert text.splitlines()[0] == first
    assert text.splitlines()[-1].startswith("Every step verified numerically; gradient against")
    assert render(d, "text") == text and render(d, "latex") == to_latex(d)
    with pytest.raises(ValueError):
        render(d, "html")


def test_latex_text_escapes_and_translates():
    assert latex_text("Σ_j P_ij δ_jp, tr(Pᵀ) & 50%") == \
        r"$\Sigma$\_j P\_ij $\delta$\_jp, tr(P$^T$) \& 50\%"
    assert latex_text("X⁻¹ dX") == r"X$^{-1}$ dX"


def test_explain_rejects_bad_input():
    with pytest.raises(matcal.OptionsError):
        matcal.explain("tr(X)", "X", method="magic")
    with pytest.raises(matcal.DerivativeError):
        matcal.explain("A*X", "X")


# ---------------------------------------------------------------- CLI


def run(capsys, *argv):
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_steps_prints_the_differential_derivation(capsys):
    status, out, err = run(capsys, "tr(A*X*B)", "--wrt", "X", "--steps")
    assert (status, err) == (0, "")
    assert out == to_text(matcal.explain("tr(A*X*B)", "X")) + "\n"
    assert "= tr(A*dX*B)" in out and "= tr(B*A*dX)" in out and "∇f = (B*A)'" in out


def test_cli_steps_index_in_each_format(capsys):
    d = matcal.explain("tr(A*X*B)", "X", "index")
    assert run(capsys, "tr(A*X*B)", "--wrt", "X", "--steps", "index") == (0, to_text(d) + "\n", "")
    assert run(capsys, "tr(A*X*B)", "--wrt", "X", "--steps=index", "--format", "latex") == (
        0, to_latex(d) + "\n", "")
    assert run(capsys, "tr(A*X*B)", "--wrt", "X", "--steps=index", "--latex") == (
        0, to_latex(d) + "\n", "")
    assert run(capsys, "tr(A*X*B)", "--wrt", "X", "--steps", "index", "--format",
               "markdown") == (0, to_markdown(d) + "\n", "")


def test_cli_steps_rejects_what_has_no_matrix_derivation(capsys):
    status, out, err = run(capsys, "tr(A*X*B)", "--wrt", "X", "--steps", "--hessian")
    assert (status, out) == (2, "") and "the Hessian by the matrix X has 4 axes" in err
    status, out, err = run(capsys, "x'*A*x", "--wrt", "x", "--order", "3", "--steps")
    assert (status, out) == (2, "") and "leave out --json and orders above 2" in err
    status, out, err = run(capsys, "x'*A*x", "--wrt", "x", "--hessian", "--json", "--steps")
    assert status == 2 and json.loads(out)["error"] == "OptionsError"
    status, out, err = run(capsys, "A*X", "--wrt", "X", "--steps")
    assert (status, out) == (2, "") and "gradient needs a scalar expression" in err


def test_cli_steps_exits_1_when_a_step_fails(capsys, monkeypatch):
    d = matcal.explain("tr(A*X)", "X")
    first = dataclasses.replace(d.steps[0], verified=False, error=0.5)
    failed = dataclasses.replace(d, steps=(first,) + d.steps[1:])
    monkeypatch.setattr(cli, "explain", lambda *args, **kwargs: failed)
    status, out, err = run(capsys, "tr(A*X)", "--wrt", "X", "--steps")
    assert status == 1 and "FAILED: relative error 5.0e-01" in out
    assert err == ("error: the derivation failed a numerical check (marked FAILED); please "
                   "report it\n")


def test_cli_help_documents_steps(capsys):
    status, out, _ = run(capsys, "--help")
    assert status == 0
    assert "--steps [METHOD]" in out and "--format {text,markdown,latex}" in out
    assert 'matcal "tr(A*X*B)" --wrt X --steps index --format latex' in out


@pytest.mark.parametrize("text, wrt, rule, justification", [
    ("x'*A*x", "x", "simplify", "factor_common: P Q + R Q = (P + R) Q"),
    ("tr(X*X)", "X", "simplify", "collect_like_terms: c₁·T + c₂·T = (c₁ + c₂)·T"),
    ("tr(A*X'*B*X)", "X", "transpose_of_product",
     "(P + Q)ᵀ = Pᵀ + Qᵀ and (PQ)ᵀ = QᵀPᵀ (Matrix Cookbook §1.1)"),
])
def test_the_last_step_is_named_by_what_fired(text, wrt, rule, justification):
    """The step to the printed form quotes the simplifier's rules it recorded firing
    (core.rewrites.recording), or the transposes a normal form shows, not a fixed guess."""
    last = matcal.explain(text, wrt, "index").steps[-1]
    assert (last.rule, last.justification) == (rule, justification)
    assert last.verified
