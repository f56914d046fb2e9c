"""One exact and one numerical test per differentiation rule (STYLE 2, 3 and 9).

Every rule in :data:`matcal.engine.rules.RULES` has an exact symbolic test named after its
identity, whose docstring quotes the same line of math as the rule's docstring (checked by
``test_every_rule_has_an_exact_test_quoting_its_identity``) and the textbook source of the
example (Matrix Cookbook, Petersen & Pedersen, 2012 edition, by equation number; the seed
notes: Traa (seed 000) and Ang (seed 001)). The printed gradients were checked by hand; each
exact case is also checked numerically against central finite differences, as are extra cases
per rule (``check_gradient < 1e-8`` at fixed seeds).

A gradient marked ``xfail(strict=True)`` is a known engine defect (wrong, crashing, or longer
than the textbook form); the mark comes off when the engine is fixed.
"""

from __future__ import annotations

import inspect
import re

import numpy as np
import pytest

import matcal
from drawing import draw
import matcal.core.nodes as nodes_module
from matcal.engine.differentiate import derivative_tensor
from matcal.engine.rules import IDENTITIES, RULES, Differentiator
from matcal.core.functions import FUNCTIONS
from matcal.tensor.terms import Delta, fresh_for
from matcal.core.nodes import (
    Add, ALL_NODES, Apply, Det, DiagMatrix, DiagVector, Einsum, Expr, Hadamard, Identity,
    IndexSum, Inverse, RangeSum, Kron, LogDet, LogSumExp, MatMul, MatPower, Norm1, Norm2,
    Number, Ones, Power, Select, Softmax, SumEntries, SymbolicPower, Trace, Transpose, Var,
    Zero,
)
from matcal.numeric.evaluate import EVAL
from matcal.printing.latex import LatexPrinter
from matcal.printing.text import TextPrinter

SEEDS = (0, 1, 2)
TOL = 1e-8

# node class -> exact tests registered for it (see ``identity``)
EXACT_TESTS: dict[type, list] = {}


def identity(*classes: type):
    """Register an exact test as one quoting the identity of the rule for ``classes``."""

    def register(test):
        for cls in classes:
            EXACT_TESTS.setdefault(cls, []).append(test)
        return test

    return register


def grad(expr: str, wrt: str, types: dict | None = None) -> str:
    return str(matcal.gradient(expr, wrt, types))


def assert_numeric(expr: str, wrt: str, types: dict | None = None, positive: bool = False):
    e = matcal.parse(expr, types)
    for seed in SEEDS:
        values = draw(e, seed, positive)
        err = matcal.check_gradient(e, wrt, types, values=values, seed=seed)
        assert err < TOL, (expr, wrt, seed, err)


def assert_exact(expr: str, wrt: str, expected: str | set[str], types: dict | None = None,
                 positive: bool = False):
    """The printed gradient is ``expected`` (or one of a set), it parses back, and it is right."""
    got = grad(expr, wrt, types)
    if isinstance(expected, str):
        assert got == expected
    else:
        assert got in expected
    assert str(matcal.parse(got, types)) == got  # printed text is input
    assert_numeric(expr, wrt, types, positive)


def rule_identity(cls: type) -> str:
    """The identity a rule's docstring states: its text up to the first citation in
    parentheses, e.g. ``d(X + Y) = dX + dY`` or ``d tr X = tr dX``."""
    doc = " ".join(inspect.getdoc(RULES[cls]).split())
    head = re.split(r"\s\((?=[A-Za-z][a-z']+[\s;,:])", doc, maxsplit=1)[0]
    return head.split(". ")[0].rstrip(".:; ")


def _xfail(test) -> bool:
    return any(m.name == "xfail" for m in getattr(test, "pytestmark", []))


def quotes(test, cls: type) -> bool:
    return rule_identity(cls) in " ".join((test.__doc__ or "").split())


# ================================================================ tables


def _expr_classes() -> set[type]:
    return {
        obj for obj in vars(nodes_module).values()
        if inspect.isclass(obj) and issubclass(obj, Expr) and obj is not Expr
    }


TABLES = {
    "differentiate.RULES": lambda cls: cls in RULES,
    "numeric.EVAL": lambda cls: cls in EVAL,
    "TextPrinter": lambda cls: callable(getattr(TextPrinter, f"_print_{cls.__name__}", None)),
    "LatexPrinter": lambda cls: callable(getattr(LatexPrinter, f"_print_{cls.__name__}", None)),
}


@pytest.mark.parametrize("table", list(TABLES))
def test_every_node_has_a_rule_in_every_table(table):
    """Every node class has an entry in every transformation table (STYLE 2, 4)."""
    assert set(ALL_NODES) == _expr_classes(), "ALL_NODES must list every Expr class"
    missing = [cls.__name__ for cls in ALL_NODES if not TABLES[table](cls)]
    assert not missing, f"{table} has no entry for {missing}"


def test_rule_tables_have_no_stray_entries():
    """RULES and EVAL are keyed by node classes only, all of them in ALL_NODES."""
    assert set(RULES) == set(ALL_NODES)
    assert set(EVAL) == set(ALL_NODES)


def test_every_rule_registers_the_identity_it_applies():
    """The identity a derivation quotes for a rule is the one the rule registered (never read
    back from its docstring), and the docstring states it too."""
    assert set(IDENTITIES) == set(RULES)
    for cls, identity in IDENTITIES.items():
        assert identity.split(" (")[0] in " ".join(inspect.getdoc(RULES[cls]).split()), cls


def test_every_rule_has_an_exact_test_quoting_its_identity():
    """STYLE 3: each rule's test quotes the same line of math as the rule's docstring."""
    problems = []
    for cls in ALL_NODES:
        tests = [t for t in EXACT_TESTS.get(cls, []) if not _xfail(t)]
        if not any(quotes(t, cls) for t in tests):
            problems.append(f"{cls.__name__}: no exact test quotes {rule_identity(cls)!r}")
    assert not problems, "\n".join(problems)


# ================================================================ Var


def _delta_terms(tensor):
    """The terms of an index tensor as {(coeff, {{a, b}, ...})} over its free indices."""
    out = set()
    for term in tensor.terms:
        assert all(isinstance(f, Delta) for f in term.factors)
        pairs = frozenset(frozenset((tensor.free.index(f.a), tensor.free.index(f.b)))
                          for f in term.factors)
        out.add((term.coeff, pairs))
    return out


@identity(Var)
def test_d_X_wrt_X_is_delta_ia_delta_jb():
    """∂X_ij/∂X_ab = δ_ia δ_jb (Traa eq. 8: the derivative of an entry picks its own entry)."""
    X = matcal.parse("X")
    t = derivative_tensor(X, X)
    # free indices (i, j, a, b) are positions 0, 1, 2, 3
    assert _delta_terms(t) == {(1.0, frozenset({frozenset({0, 2}), frozenset({1, 3})}))}


@identity(Var)
def test_d_S_wrt_symmetric_S_is_half_sum_of_deltas():
    """∂X_ij/∂X_ab = δ_ia δ_jb (Traa eq. 8). Symmetric X: (δ_ia δ_jb + δ_ib δ_ja)/2, so the
    gradient is sym(G) = (G + Gᵀ)/2 (Srinivasan & Panda, arXiv:1911.06491)."""
    S = matcal.parse("S", {"S": "symmetric"})
    t = derivative_tensor(S, S)
    assert _delta_terms(t) == {
        (0.5, frozenset({frozenset({0, 2}), frozenset({1, 3})})),
        (0.5, frozenset({frozenset({0, 3}), frozenset({1, 2})})),
    }


@identity(Var)
def test_d_a_wrt_a_is_1():
    """∂X_ij/∂X_ab = δ_ia δ_jb (Traa eq. 8), for a scalar: da/da = 1."""
    assert_exact("a", "a", "1")


@identity(Var)
def test_d_xT_a_is_a():
    """∂X_ij/∂X_ab = δ_ia δ_jb: ∂xᵀa/∂x = a (Matrix Cookbook eq. 69)."""
    assert_exact("x'*a", "x", "a", {"a": "vector"})


@identity(Var)
def test_d_trace_AS_symmetric_is_sym_A_transpose():
    """Symmetric X: (δ_ia δ_jb + δ_ib δ_ja)/2, so the gradient is sym(G) = (G + Gᵀ)/2
    (Srinivasan & Panda, arXiv:1911.06491): ∂tr(AS)/∂S = (Aᵀ + A)/2, not the
    A + Aᵀ − A∘I of Matrix Cookbook §2.8.2."""
    assert_exact("tr(A*S)", "S", {"0.5*A' + 0.5*A", "0.5*(A' + A)", "0.5*(A + A')",
                                  "0.5*A + 0.5*A'", "(A + A')/2", "(A' + A)/2"},
                 {"S": "symmetric"})


@identity(Var)
def test_d_xT_S_x_symmetric_is_2Sx():
    """sym(G) = (G + Gᵀ)/2 for a symmetric S: ∂xᵀSx/∂x = 2Sx (Matrix Cookbook eq. 81 with
    B = Bᵀ) and ∂xᵀSx/∂S = sym(x xᵀ) = x xᵀ (Cookbook eq. 72)."""
    types = {"S": "symmetric"}
    assert_exact("x'*S*x", "x", "2*S*x", types)
    assert_exact("x'*S*x", "S", "x*x'", types)


# ================================================================ constants


def find(text: str, cls: type) -> Expr:
    """The first node of class ``cls`` in the parsed ``text``."""
    return next(n for n in nodes_module.walk(matcal.parse(text)) if type(n) is cls)


CONSTANTS = {
    Number: lambda: find("2*a + 3", Number),
    Identity: lambda: find("tr(X*A + 2*eye)", Identity),
    Ones: lambda: find("x'*A*vector(1)", Ones),
    Zero: lambda: matcal.gradient("tr(A)", "X").form,
}


@identity(Number, Identity, Ones, Zero)
def test_d_constant_is_zero():
    """dC = 0 for a constant C (Ang eq. 1; Matrix Cookbook eq. 33: ∂A = 0)."""
    assert set(CONSTANTS) == {Number, Identity, Ones, Zero}
    X = matcal.parse("X")
    for cls, make in CONSTANTS.items():
        c = make()
        assert type(c) is cls
        D = Differentiator(X, fresh_for(X.shape))
        assert RULES[cls](D, c, fresh_for(c.shape)) == []
    assert grad("tr(A)", "X") == "matrix(0)"
    assert grad("x'*y", "z") == "vector(0)"


@identity(Number)
def test_d_2a_plus_3_is_2():
    """dC = 0 for a constant C (Ang eq. 1): d(2a + 3)/da = 2."""
    assert_exact("2*a + 3", "a", "2")


@identity(Identity)
def test_d_trace_X_A_plus_2I_is_A_transpose():
    """dC = 0 for a constant C (Ang eq. 1): ∂tr(XA + 2I)/∂X = Aᵀ (Matrix Cookbook eq. 100)."""
    assert_exact("tr(X*A + 2*eye)", "X", "A'")


@identity(Ones)
def test_d_xT_A_ones_is_A_ones():
    """dC = 0 for a constant C (Ang eq. 1): ∂xᵀ(A1)/∂x = A1 (Matrix Cookbook eq. 69)."""
    assert_exact("x'*A*vector(1)", "x", "A*vector(1)")


# ================================================================ Add


@identity(Add)
def test_d_trace_AX_plus_trace_BX_is_A_transpose_plus_B_transpose():
    """d(X + Y) = dX + dY (Matrix Cookbook eq. 35): ∂(tr(AX) + tr(BX))/∂X = Aᵀ + Bᵀ."""
    assert_exact("tr(A*X) + tr(B*X)", "X", "A' + B'")


@identity(Add)
def test_d_trace_AX_minus_BXT_is_A_transpose_minus_B():
    """d(X + Y) = dX + dY: ∂tr(AX − BXᵀ)/∂X = Aᵀ − B (Matrix Cookbook eq. 100, 104)."""
    assert_exact("tr(A*X - B*X')", "X", "A' - B")


# ================================================================ MatMul


@identity(MatMul)
def test_d_trace_AX_is_A_transpose():
    """d(XY) = (dX)Y + X(dY) (Ang eq. 2; Matrix Cookbook eq. 37): ∂tr(AX)/∂X = Aᵀ (Ang's
    special case of Matrix Cookbook eq. 101)."""
    assert_exact("tr(A*X)", "X", "A'")


@identity(MatMul)
def test_d_trace_AXB_is_A_transpose_B_transpose():
    """d(XY) = (dX)Y + X(dY): ∂tr(AXB)/∂X = AᵀBᵀ (Matrix Cookbook eq. 101; Traa eq. 9;
    Ang's first example)."""
    assert_exact("tr(A*X*B)", "X", "A'*B'")


@identity(MatMul)
def test_d_xT_A_x_is_A_plus_A_transpose_x():
    """d(XY) = (dX)Y + X(dY): ∂xᵀAx/∂x = (A + Aᵀ)x (Matrix Cookbook eq. 81)."""
    assert_exact("x'*A*x", "x", {"(A + A')*x", "(A' + A)*x"})


@identity(MatMul)
def test_d_aT_X_b_is_a_bT():
    """d(XY) = (dX)Y + X(dY): ∂aᵀXb/∂X = abᵀ (Matrix Cookbook eq. 70)."""
    assert_exact("a'*X*b", "X", "a*b'", {"a": "vector", "b": "vector"})


@identity(MatMul)
def test_d_a_times_xT_y_is_xT_y():
    """d(XY) = (dX)Y + X(dY), a scalar factor: ∂(a xᵀy)/∂a = xᵀy."""
    assert_exact("a*x'*y", "a", "x'*y")


# ================================================================ Hadamard


@identity(Hadamard)
def test_d_sum_A_hadamard_X_is_A():
    """d(X ⊙ Y) = dX ⊙ Y + X ⊙ dY (Matrix Cookbook eq. 38): ∂ sum(A ⊙ X)/∂X = A."""
    assert_exact("sum(A.*X)", "X", "A")


@identity(Hadamard)
def test_d_sum_A_hadamard_X_hadamard_B_is_A_hadamard_B():
    """d(X ⊙ Y) = dX ⊙ Y + X ⊙ dY (Matrix Cookbook eq. 38): ∂ sum(A ⊙ X ⊙ B)/∂X = A ⊙ B."""
    assert_exact("sum(A.*X.*B)", "X", "A.*B")


@identity(Hadamard)
def test_d_xT_y_hadamard_x_is_2_y_hadamard_x():
    """d(X ⊙ Y) = dX ⊙ Y + X ⊙ dY (Matrix Cookbook eq. 38): ∂xᵀ(y ⊙ x)/∂x = 2 y ⊙ x."""
    assert_exact("x'*(y.*x)", "x", {"2*x.*y", "2*y.*x"})


# ================================================================ Power


@identity(Power)
def test_d_a_cubed_is_3_a_squared():
    """d(X.^p) = p X.^(p-1) ⊙ dX + X.^p ⊙ log(X) ⊙ dp, entry-wise: d a³/da = 3a²."""
    assert_exact("a^3", "a", "3*a^2")


@identity(Power)
def test_d_sum_X_cubed_is_3_X_squared():
    """d(X.^p) = p X.^(p-1) ⊙ dX + X.^p ⊙ log(X) ⊙ dp, entry-wise, constant p:
    ∂ sum(X.^3)/∂X = 3 X.^2."""
    assert_exact("sum(X.^3)", "X", "3*X.^2")


@identity(Power)
def test_d_sum_X_to_the_c_is_c_X_to_the_c_minus_1():
    """d(X.^p) = p X.^(p-1) ⊙ dX + X.^p ⊙ log(X) ⊙ dp, entry-wise:
    ∂ sum(X.^c)/∂X = c X.^(c−1)."""
    assert_exact("sum(X.^c)", "X", "c*X.^(c - 1)", positive=True)


@identity(Power)
def test_d_sum_X_to_the_minus_1_is_minus_1_over_X_squared():
    """d(X.^p) = p X.^(p-1) ⊙ dX + X.^p ⊙ log(X) ⊙ dp, entry-wise: ∂ sum(X.^-1)/∂X = −X.^-2."""
    assert_exact("sum(X.^-1)", "X", {"-1./X.^2", "-X.^-2"}, positive=True)


@identity(Power)
def test_d_a_to_the_b_wrt_b_is_a_to_the_b_log_a():
    """d(X.^p) = p X.^(p-1) ⊙ dX + X.^p ⊙ log(X) ⊙ dp, entry-wise, variable p:
    d a^b/db = a^b log a."""
    assert_exact("a^b", "b", "a^b*log(a)", positive=True)


@identity(Power)
def test_d_a_to_the_a_is_both_terms():
    """d(X.^p) = p X.^(p-1) ⊙ dX + X.^p ⊙ log(X) ⊙ dp, entry-wise, base and exponent:
    d a^a/da = a·a^(a−1) + a^a log a."""
    assert_exact("a^a", "a", "a*a^(a - 1) + a^a*log(a)", positive=True)


@identity(Power)
def test_d_sum_x_to_the_a_wrt_a_is_sum_x_to_the_a_log_x():
    """d(X.^p) = p X.^(p-1) ⊙ dX + X.^p ⊙ log(X) ⊙ dp, entry-wise, variable p:
    ∂ sum(x.^a)/∂a = sum(x.^a ⊙ log x)."""
    assert_exact("sum(x.^a)", "a", "sum(x.^a.*log(x))", positive=True)


@identity(Power)
def test_d_sum_X_to_the_c_wrt_c_is_sum_X_to_the_c_log_X():
    """d(X.^p) = p X.^(p-1) ⊙ dX + X.^p ⊙ log(X) ⊙ dp, entry-wise, variable p:
    ∂ sum(X.^c)/∂c = sum(X.^c ⊙ log X)."""
    assert_exact("sum(X.^c)", "c", "sum(X.^c.*log(X))", positive=True)


# ================================================================ MatPower


@identity(MatPower)
def test_d_trace_X_squared_is_2_X_transpose():
    """d(X^k) = Σ_m X^m (dX) X^(k-1-m); X^-k = (X⁻¹)^k: ∂tr(X²)/∂X = 2Xᵀ
    (Matrix Cookbook eq. 106)."""
    assert_exact("tr(X^2)", "X", "2*X'")


@identity(MatPower)
def test_d_trace_X_cubed_is_3_X_squared_transpose():
    """d(X^k) = Σ_m X^m (dX) X^(k-1-m): ∂tr(X^k)/∂X = k (X^(k−1))ᵀ, here 3 (X²)ᵀ
    (Matrix Cookbook eq. 121)."""
    assert_exact("tr(X^3)", "X", "3*(X^2)'")


@identity(MatPower)
def test_d_trace_A_X_squared_is_sum_of_two_terms():
    """d(X^k) = Σ_m X^m (dX) X^(k-1-m): ∂tr(AX²)/∂X = AᵀXᵀ + XᵀAᵀ (Matrix Cookbook eq. 122)."""
    assert_exact("tr(A*X^2)", "X", "A'*X' + X'*A'")


@identity(MatPower)
def test_d_aT_X_squared_b_is_a_bT_XT_plus_XT_a_bT():
    """d(X^k) = Σ_m X^m (dX) X^(k-1-m): ∂aᵀX²b/∂X = abᵀXᵀ + Xᵀabᵀ (Matrix Cookbook eq. 91)."""
    assert_exact("a'*X^2*b", "X", "a*b'*X' + X'*a*b'", {"a": "vector", "b": "vector"})


@identity(MatPower)
def test_d_trace_X_to_the_minus_1_is_minus_inv_X_squared_transpose():
    """d(X^k) = Σ_m X^m (dX) X^(k-1-m); X^-k = (X⁻¹)^k: ∂tr(X⁻¹)/∂X = −(X⁻¹X⁻¹)ᵀ
    (Matrix Cookbook eq. 64 with A = 0)."""
    assert_exact("tr(X^-1)", "X", {"-inv(X)'^2", "-inv(X)'*inv(X)'", "-(inv(X)*inv(X))'"})


@identity(MatPower)
def test_d_trace_A_X_to_the_minus_1_is_minus_inv_X_A_inv_X_transpose():
    """d(X^k) = Σ_m X^m (dX) X^(k-1-m); X^-k = (X⁻¹)^k: ∂tr(AX⁻¹)/∂X = −(X⁻¹AX⁻¹)ᵀ
    (Matrix Cookbook eq. 124 with B = I)."""
    assert_exact("tr(A*X^-1)", "X", "-(inv(X)*A*inv(X))'")


@identity(MatPower)
def test_d_trace_X_to_the_minus_2_is_minus_2_inv_X_cubed_transpose():
    """d(X^k) = Σ_m X^m (dX) X^(k-1-m); X^-k = (X⁻¹)^k: ∂tr(X⁻²)/∂X = −2 (X⁻³)ᵀ
    (Matrix Cookbook eq. 121 with k = −2)."""
    assert_exact("tr(X^-2)", "X", {
        "-2*inv(X)'*inv(X)'*inv(X)'", "-2*(inv(X)*inv(X)*inv(X))'", "-2*(inv(X)^3)'",
        "-2*inv(X)'^3", "-2*(X^-3)'",
    })


# ================================================================ Transpose


@identity(Transpose)
def test_d_trace_A_XT_is_A():
    """d(Xᵀ) = (dX)ᵀ (Ang eq. 3; Matrix Cookbook eq. 44): ∂tr(AXᵀ)/∂X = A
    (Matrix Cookbook eq. 104)."""
    assert_exact("tr(A*X')", "X", "A")


@identity(Transpose)
def test_d_trace_A_XT_B_is_B_A():
    """d(Xᵀ) = (dX)ᵀ: ∂tr(AXᵀB)/∂X = BA (Matrix Cookbook eq. 102; Traa eq. 12)."""
    assert_exact("tr(A*X'*B)", "X", "B*A")


@identity(Transpose)
def test_d_aT_XT_b_is_b_aT():
    """d(Xᵀ) = (dX)ᵀ: ∂aᵀXᵀb/∂X = baᵀ (Matrix Cookbook eq. 71)."""
    assert_exact("a'*X'*b", "X", "b*a'", {"a": "vector", "b": "vector"})


# ================================================================ Trace


@identity(Trace)
def test_d_trace_X_is_I():
    """d tr X = tr dX (Ang eq. 4; Matrix Cookbook eq. 36): ∂tr X/∂X = I
    (Matrix Cookbook eq. 99)."""
    assert_exact("tr(X)", "X", "eye")


@identity(Trace)
def test_d_trace_XA_is_A_transpose():
    """d tr X = tr dX: ∂tr(XA)/∂X = Aᵀ (Matrix Cookbook eq. 100)."""
    assert_exact("tr(X*A)", "X", "A'")


@identity(Trace)
def test_d_trace_XT_is_I():
    """d tr X = tr dX: ∂tr(Xᵀ)/∂X = I (Matrix Cookbook eq. 99, tr Xᵀ = tr X)."""
    assert_exact("tr(X')", "X", "eye")


# ================================================================ Det


@identity(Det)
def test_d_det_X_is_det_X_inv_X_transpose():
    """d det X = det X · tr(X⁻¹ dX) (Jacobi's formula; Matrix Cookbook eq. 42):
    ∂det X/∂X = det(X) X⁻ᵀ (Matrix Cookbook eq. 49)."""
    assert_exact("det(X)", "X", "det(X)*inv(X)'")


@identity(Det)
def test_d_det_S_symmetric_is_det_S_inv_S():
    """d det X = det X · tr(X⁻¹ dX); symmetric S: sym(det(S) S⁻ᵀ) = det(S) S⁻¹."""
    assert_exact("det(S)", "S", "det(S)*inv(S)", {"S": "symmetric"})


@identity(Det, Inverse)
def test_d_det_inv_X_is_minus_det_inv_X_inv_X_transpose():
    """d det X = det X · tr(X⁻¹ dX) and dX⁻¹ = −X⁻¹ (dX) X⁻¹:
    ∂det(X⁻¹)/∂X = −det(X⁻¹) X⁻ᵀ (Matrix Cookbook eq. 62)."""
    assert_exact("det(inv(X))", "X", {"-det(inv(X))*inv(X)'", "-inv(X)'/det(X)"})


# ================================================================ LogDet


@identity(LogDet)
def test_d_logdet_X_is_inv_X_transpose():
    """d log det X = tr(X⁻¹ dX) (Matrix Cookbook eq. 43): ∂ln|det X|/∂X = X⁻ᵀ
    (Matrix Cookbook eq. 57)."""
    assert_exact("logdet(X)", "X", "inv(X)'")


@identity(LogDet)
def test_d_logdet_S_symmetric_is_inv_S():
    """d log det X = tr(X⁻¹ dX); symmetric S: sym(S⁻ᵀ) = S⁻¹."""
    assert_exact("logdet(S)", "S", "inv(S)", {"S": "symmetric"})


@identity(LogDet)
def test_d_logdet_XT_X_is_2_X_inv_XT_X():
    """d log det X = tr(X⁻¹ dX) (Matrix Cookbook eq. 43; Ang's log det example):
    ∂ log det(XᵀX)/∂X = 2X(XᵀX)⁻¹ (Matrix Cookbook eq. 55, 2(X⁺)ᵀ; Ang)."""
    expr, types = "logdet(X'*X)", None
    assert grad(expr, "X") == "2*X*inv(X'*X)"
    rng = np.random.default_rng(0)
    for seed in SEEDS:  # a tall X, so that XᵀX is invertible
        values = {"X": rng.standard_normal((5, 3))}
        assert matcal.check_gradient(expr, "X", types, values=values, seed=seed) < TOL


# ================================================================ Inverse


@identity(Inverse)
def test_d_trace_inv_X_is_minus_inv_X_squared_transpose():
    """dX⁻¹ = −X⁻¹ (dX) X⁻¹ (Ang eq. 5; Matrix Cookbook eq. 40):
    ∂tr(X⁻¹)/∂X = −(X⁻¹X⁻¹)ᵀ (Matrix Cookbook eq. 64 with A = 0)."""
    assert_exact("tr(inv(X))", "X", {"-inv(X)'^2", "-inv(X)'*inv(X)'", "-(inv(X)*inv(X))'"})


@identity(Inverse)
def test_d_aT_inv_X_b_is_minus_inv_XT_a_bT_inv_XT():
    """dX⁻¹ = −X⁻¹ (dX) X⁻¹: ∂aᵀX⁻¹b/∂X = −X⁻ᵀabᵀX⁻ᵀ (Matrix Cookbook eq. 61)."""
    assert_exact("a'*inv(X)*b", "X", "-inv(X)'*a*b'*inv(X)'", {"a": "vector", "b": "vector"})


@identity(Inverse)
def test_d_trace_inv_X_plus_A_is_minus_inv_squared_transpose():
    """dX⁻¹ = −X⁻¹ (dX) X⁻¹: ∂tr((X + A)⁻¹)/∂X = −((X + A)⁻¹(X + A)⁻¹)ᵀ
    (Matrix Cookbook eq. 64)."""
    assert_exact("tr(inv(X + A))", "X",
                 {"-inv(X + A)'^2", "-inv(X + A)'*inv(X + A)'",
                  "-(inv(X + A)*inv(X + A))'"})


@pytest.mark.xfail(strict=True, reason="one token longer than the Cookbook: prints "
                   "\"-(B*A*inv(X))'*inv(X)'\"")
@identity(Inverse)
def test_d_trace_A_inv_X_B_is_minus_inv_X_B_A_inv_X_transpose():
    """dX⁻¹ = −X⁻¹ (dX) X⁻¹: ∂tr(AX⁻¹B)/∂X = −(X⁻¹BAX⁻¹)ᵀ (Matrix Cookbook eq. 63)."""
    assert_exact("tr(A*inv(X)*B)", "X", "-(inv(X)*B*A*inv(X))'")


# ================================================================ SumEntries


@identity(SumEntries)
def test_d_sum_X_is_ones():
    """d sum(X) = sum(dX) = Σ_ij dX_ij: ∂ sum(X)/∂X = J, the matrix of ones (Traa eq. 32)."""
    assert_exact("sum(X)", "X", "matrix(1)")


@identity(SumEntries)
def test_d_sum_x_is_ones():
    """d sum(X) = sum(dX) = Σ_ij dX_ij: ∂ sum(x)/∂x = 1."""
    assert_exact("sum(x)", "x", "vector(1)")


@identity(SumEntries)
def test_d_sum_A_x_is_A_transpose_ones():
    """d sum(X) = sum(dX) = Σ_ij dX_ij: ∂ sum(Ax)/∂x = Aᵀ1 (1ᵀAx; Matrix Cookbook eq. 69)."""
    assert_exact("sum(A*x)", "x", "A'*vector(1)")


@identity(SumEntries, Trace)
def test_d_trace_J_X_is_ones():
    """d sum(X) = sum(dX) = Σ_ij dX_ij and d tr X = tr dX: ∂tr(JX)/∂X = J, since
    tr(JX) = sum(X) (Traa eq. 32, 35)."""
    assert_exact("tr(matrix(1)*X)", "X", "matrix(1)")


# ================================================================ Norm1


@identity(Norm1)
def test_d_norm1_x_is_sign_x():
    """d ‖X‖₁ = Σ_ij sign(X_ij) dX_ij (where no entry is 0): ∂‖x‖₁/∂x = sign(x)."""
    assert_exact("norm1(x)", "x", "sign(x)")


@identity(Norm1)
def test_d_norm1_X_is_sign_X():
    """d ‖X‖₁ = Σ_ij sign(X_ij) dX_ij (where no entry is 0): ∂‖X‖₁/∂X = sign(X)."""
    assert_exact("norm1(X)", "X", "sign(X)")


@identity(Norm1)
def test_d_norm1_Ax_minus_b_is_A_transpose_sign():
    """d ‖X‖₁ = Σ_ij sign(X_ij) dX_ij: ∂‖Ax − b‖₁/∂x = Aᵀ sign(Ax − b)."""
    assert_exact("norm1(A*x - b)", "x", "A'*sign(A*x - b)", {"b": "vector"})


# ================================================================ Norm2


@identity(Norm2)
def test_d_norm2_x_is_x_over_norm2_x():
    """d ‖X‖ = Σ_ij X_ij dX_ij / ‖X‖ (Frobenius): ∂‖x − a‖₂/∂x = (x − a)/‖x − a‖₂
    (Matrix Cookbook eq. 129), here with a = 0."""
    assert_exact("norm2(x)", "x", "x/norm2(x)")


@identity(Norm2)
def test_d_norm2_x_minus_a_is_unit_vector():
    """d ‖X‖ = Σ_ij X_ij dX_ij / ‖X‖: ∂‖x − a‖₂/∂x = (x − a)/‖x − a‖₂ (Matrix Cookbook
    eq. 129)."""
    assert_exact("norm2(x - a)", "x", "(x - a)/norm2(x - a)", {"a": "vector"})


@identity(Norm2)
def test_d_norm2_x_squared_is_2x():
    """d ‖X‖ = Σ_ij X_ij dX_ij / ‖X‖: ∂‖x‖₂²/∂x = 2x (Matrix Cookbook eq. 131)."""
    assert_exact("norm2(x)^2", "x", "2*x")


@identity(Norm2)
def test_d_norm2_X_is_X_over_frobenius_norm():
    """d ‖X‖ = Σ_ij X_ij dX_ij / ‖X‖ (Frobenius): ∂‖X‖_F/∂X = X/‖X‖_F."""
    assert_exact("norm2(X)", "X", "X/norm2(X)")


@identity(Norm2)
def test_d_frobenius_norm_squared_is_2X():
    """d ‖X‖ = Σ_ij X_ij dX_ij / ‖X‖ (Frobenius): ∂‖X‖_F²/∂X = 2X (Matrix Cookbook eq. 132)."""
    assert_exact("norm2(X)^2", "X", "2*X")


# ================================================================ DiagMatrix


@identity(DiagMatrix)
def test_d_trace_A_diag_x_B_is_diag_BA():
    """[diag(x)]_ij = x_i δ_ij (Traa eq. 29): ∂tr(A diag(x) B)/∂x = (Aᵀ ⊙ B)1 (Traa eq. 31),
    which is diag(BA)."""
    assert_exact("tr(A*diag(x)*B)", "x", {"diag(B*A)", "(A'.*B)*vector(1)"})


@identity(DiagMatrix)
def test_d_yT_diag_x_z_is_y_hadamard_z():
    """[diag(x)]_ij = x_i δ_ij (Traa eq. 29): ∂yᵀdiag(x)z/∂x = y ⊙ z."""
    assert_exact("y'*diag(x)*z", "x", {"y.*z", "z.*y"})


@identity(DiagMatrix)
def test_d_trace_A_diag_x_is_diag_A():
    """[diag(x)]_ij = x_i δ_ij (Traa eq. 29): ∂tr(A diag(x))/∂x = diag(A)."""
    assert_exact("tr(A*diag(x))", "x", "diag(A)")


# ================================================================ DiagVector


@identity(DiagVector)
def test_d_yT_diag_X_is_diag_y():
    """[diag(X)]_i = Σ_j X_ij δ_ij: ∂yᵀdiag(X)/∂X = diag(y)."""
    assert_exact("y'*diag(X)", "X", "diag(y)")


@identity(DiagVector)
def test_d_sum_diag_X_is_I():
    """[diag(X)]_i = Σ_j X_ij δ_ij: ∂ sum(diag(X))/∂X = I, as tr X (Matrix Cookbook eq. 99)."""
    assert_exact("sum(diag(X))", "X", "eye")


@identity(DiagVector)
def test_d_sum_diag_AX_is_A_transpose():
    """[diag(X)]_i = Σ_j X_ij δ_ij: ∂ sum(diag(AX))/∂X = Aᵀ, as tr(AX)."""
    assert_exact("sum(diag(A*X))", "X", "A'")


@identity(DiagVector, DiagMatrix)
def test_d_trace_A_diag_diag_X_is_diag_diag_A():
    """[diag(X)]_i = Σ_j X_ij δ_ij and [diag(x)]_ij = x_i δ_ij:
    ∂tr(A diag(diag(X)))/∂X = diag(diag(A)) (cf. Matrix Cookbook §2.8.3: A ∘ I)."""
    assert_exact("tr(A*diag(diag(X)))", "X", "diag(diag(A))")


# ================================================================ Apply


# f -> (gradient of sum(f(x)), gradient of y'*f(x)), both wrt x: f'(x) and y ⊙ f'(x)
APPLY = {
    "exp": ("exp(x)", "y.*exp(x)"),
    "log": ("1./x", "y./x"),
    "sin": ("cos(x)", "y.*cos(x)"),
    "cos": ("-sin(x)", "-y.*sin(x)"),
    "tan": ("1./cos(x).^2", "y./cos(x).^2"),
    "sinh": ("cosh(x)", "y.*cosh(x)"),
    "cosh": ("sinh(x)", "y.*sinh(x)"),
    "tanh": ("1 - tanh(x).^2", "y.*(1 - tanh(x).^2)"),
    "sqrt": ({"0.5./sqrt(x)", "1./(2*sqrt(x))"}, "0.5*y./sqrt(x)"),
    "abs": ("sign(x)", "y.*sign(x)"),
    "sign": ("vector(0)", "vector(0)"),
    "relu": ("step(x)", "y.*step(x)"),
    "step": ("vector(0)", "vector(0)"),
    "sigmoid": ("sigmoid(x).*sigmoid(-x)", "y.*sigmoid(x).*sigmoid(-x)"),
    "softplus": ("sigmoid(x)", "y.*sigmoid(x)"),
    "arcsin": ("0.5./sqrt(1 - 0.25*x.^2)", "0.5*y./sqrt(1 - 0.25*x.^2)"),
    "arccos": ("-0.5./sqrt(1 - 0.25*x.^2)", "-0.5*y./sqrt(1 - 0.25*x.^2)"),
    "arctan": ("1./(x.^2 + 1)", "y./(x.^2 + 1)"),
    "log1p": ("1./(1 + x)", "y./(1 + x)"),
    "expm1": ("exp(x)", "y.*exp(x)"),
    "erf": ("1.1283791670955126*exp(-x.^2)", "1.1283791670955126*y.*exp(-x.^2)"),
}
"""Textbook derivatives: (eˣ)' = eˣ, (log x)' = 1/x, (tan x)' = sec² x, (tanh x)' = 1 − tanh² x,
(√x)' = 1/(2√x), |x|' = sign x, relu' = step, σ' = σ(1 − σ) = σ(x)σ(−x), softplus' = σ,
(arcsin x)' = 1/√(1 − x²), (arccos x)' = −1/√(1 − x²), (arctan x)' = 1/(1 + x²),
(log1p x)' = 1/(1 + x), (expm1 x)' = eˣ, (erf x)' = 2/√π exp(−x²)."""

ARGUMENT = {"arcsin": "x/2", "arccos": "x/2"}
"""The argument of a function whose domain is |x| < 1 (the values drawn are in [0.5, 1.5])."""

APPLY_BROKEN: dict[str, str] = {}


def test_every_element_function_has_an_exact_case():
    """Adding a function to matcal.core.functions.FUNCTIONS needs a case in APPLY."""
    assert set(APPLY) == set(FUNCTIONS)


def _apply_params(position: int):
    out = []
    for name, expected in APPLY.items():
        marks = ()
        if position == 0 and name in APPLY_BROKEN:
            marks = pytest.mark.xfail(strict=True, reason=APPLY_BROKEN[name])
        out.append(pytest.param(name, expected[position], marks=marks, id=name))
    return out


@identity(Apply)
@pytest.mark.parametrize("name, expected", _apply_params(0))
def test_d_sum_f_x_is_f_prime_x(name, expected):
    """d f(X) = f'(X) ⊙ dX for an element-wise f: ∂ sum(f(x))/∂x = f'(x)
    (Matrix Cookbook §2.8 convention; derivatives from any calculus table)."""
    assert_exact(f"sum({name}({ARGUMENT.get(name, 'x')}))", "x", expected, positive=True)


@identity(Apply)
@pytest.mark.parametrize("name, expected", _apply_params(1))
def test_d_yT_f_x_is_y_hadamard_f_prime_x(name, expected):
    """d f(X) = f'(X) ⊙ dX for an element-wise f: ∂yᵀf(x)/∂x = y ⊙ f'(x)."""
    assert_exact(f"y'*{name}({ARGUMENT.get(name, 'x')})", "x", expected, positive=True)


@identity(Apply)
def test_d_sum_exp_Ax_is_A_transpose_exp_Ax():
    """d f(X) = f'(X) ⊙ dX for an element-wise f, chained: ∂ sum(exp(Ax))/∂x = Aᵀexp(Ax)."""
    assert_exact("sum(exp(A*x))", "x", "A'*exp(A*x)")


@identity(Apply, Trace)
def test_d_trace_sin_X_is_cos_X_on_the_diagonal():
    """d f(X) = f'(X) ⊙ dX for an element-wise f (sin acts entry-wise, unlike the matrix
    sine of Matrix Cookbook eq. 128): ∂tr(sin X)/∂X = cos(X) ⊙ I."""
    assert_exact("tr(sin(X))", "X", {"cos(X).*eye", "eye.*cos(X)"})


# ================================================================ Einsum


@identity(Einsum)
def test_d_einsum_A_ik_x_k_is_A():
    """∂/∂X of Σ_terms c Π_k F_k[idx_k] is the product rule over the factors of each term:
    ∂(Σ_k A_ik x_k)/∂x_j = A_ij, the Jacobian A (Laue et al., NeurIPS 2018)."""
    text = "T[i] = A[i,k]*x[k]"
    assert str(matcal.derivative(text, "x")) == "A"
    for seed in SEEDS:
        assert matcal.check_derivative(text, "x", seed=seed) < TOL


@identity(Einsum)
def test_d_einsum_X_ik_X_kj_is_delta_X_plus_X_delta():
    """∂/∂X of Σ_terms c Π_k F_k[idx_k] is the product rule over the factors of each term:
    ∂(Σ_p X_ip X_pj)/∂X_kl = δ_ik X_lj + X_ik δ_jl (Matrix Cookbook eq. 90, n = 2)."""
    text = "T[i,j] = X[i,k]*X[k,j]"
    assert str(matcal.derivative(text, "X")) in {
        "dF[i,j]/dX[k,l] = X[l,j]*eye[i,k] + X[i,k]*eye[j,l]",
        "dF[i,j]/dX[k,l] = X[i,k]*eye[j,l] + X[l,j]*eye[i,k]",
    }
    for seed in SEEDS:
        assert matcal.check_derivative(text, "X", seed=seed) < TOL


@identity(Kron)
def test_d_kron_is_refused_with_a_clear_error():
    """d(A ⊗ B) = dA ⊗ B + A ⊗ dB (Matrix Cookbook eq. 39) is not implemented yet outside tr,
    sum and norm2: asking for it names the Kronecker product and says what to do; kron of
    constants differentiates."""
    with pytest.raises(matcal.DerivativeError, match="Kronecker product"):
        matcal.gradient("x'*kron(A, X)*y", "X")
    assert str(matcal.gradient("x'*kron(A, B)*x", "x")) == "(kron(A, B) + kron(A, B)')*x"


@pytest.mark.parametrize("text, expected", [
    ("tr(kron(A, X))", "tr(A)*eye"),
    ("tr(kron(X, X))", "2*tr(X)*eye"),
    ("sum(kron(X, A))", "sum(A)*matrix(1)"),
    ("norm2(kron(B, X))", "norm2(B)*X/norm2(X)"),
])
def test_kron_under_tr_sum_and_norm2_splits_into_a_product(text, expected):
    """tr(A ⊗ B) = tr(A) tr(B) (Matrix Cookbook eq. 511), sum(A ⊗ B) = sum(A) sum(B) and
    ‖A ⊗ B‖_F = ‖A‖_F ‖B‖_F: the entries of A ⊗ B are the products A_ij B_kl, so the
    derivative goes through the product (SymPy's test suite has tr(kron(A, X)))."""
    assert_exact(text, "X", expected)


@identity(Select)
def test_d_row_selection_is_unit_row_times_dX():
    """B[k,:] = e_kᵀ B and B[:,k] = B e_k with e_k the k-th column of I, so d(B[k,:]) = e_kᵀ dB
    (Traa eq. 43): ∂ Σ_k B[k,:] X y / ∂X = Σ_k B[k,:]ᵀ yᵀ = Bᵀ 1 yᵀ."""
    assert_exact("sum(k, X[k,:]*y)", "X", "vector(1)*y'", {"y": "vector"})
    assert_exact("sum(k, B[k,:]*X*y)", "X", "B'*vector(1)*y'", {"y": "vector"})


@identity(IndexSum)
def test_d_index_sum_is_sum_of_derivatives():
    """d Σ_k f_k = Σ_k d f_k (Traa eq. 43): the gradient of Σ_k (B[k,:] x)² is
    Σ_k 2 B[k,:]ᵀ (B[k,:] x) = 2 B'B x."""
    assert_exact("sum(k, (B[k,:]*x)^2)", "x", "2*sum(k, (B[k,:]*x)*B[k,:]')")


# ================================================================ numerical checks


# (expr, wrt, types, positive): each rule exercised again, against central differences
NUMERIC = [
    ("sum(k, tr(V'*log(A*diag(B[k,:]*X)*C)))", "X", None, True),
    ("sum(k, x[k]*exp(B[:,k])'*y)", "x", None, False),
    ("x'*kron(A, B)*x", "x", None, False),
    ("tr(X^k)", "X", {"k": "integer"}, False),
    ("x'*x", "x", None, False),
    ("tr(A*S*B)", "S", {"S": "symmetric"}, False),
    ("x'*S*x + tr(S*S)", "S", {"S": "symmetric"}, False),
    ("3*a^2 + 2", "a", None, False),
    ("x'*(eye + A)*x", "x", None, False),
    ("tr(A*X*B*X*C')", "X", None, False),
    ("x'*A'*A*x - 2*b'*A*x", "x", {"b": "vector"}, False),
    ("sum(X.*X.*A)", "X", None, False),
    ("x'*(y.*x)", "x", None, False),
    ("sum(X.^2.5)", "X", None, True),
    ("sum(X.^c)", "c", None, True),
    ("sum(x.^x)", "x", None, True),
    ("sum(X.^-1)", "X", None, True),
    ("a^b", "a", None, True),
    ("tr(A*X^3)", "X", None, False),
    ("tr(X^-2)", "X", None, False),
    ("b'*X^-1*a", "X", {"a": "vector", "b": "vector"}, False),
    ("tr(A*X'*B*X)", "X", None, False),
    ("tr(A*X*B)^2", "X", None, False),
    ("det(X)", "X", None, False),
    ("det(A*X*B + eye)", "X", None, False),  # + eye: A*X*B alone is singular where it is wide
    ("det(inv(X))", "X", None, False),
    ("logdet(X)", "X", None, False),
    ("logdet(X*X' + eye)", "X", None, False),
    ("tr(A*inv(X)*B)", "X", None, False),
    ("x'*inv(X)*x", "x", None, False),
    ("sum(A*X)", "X", None, False),
    ("sum(x)", "x", None, False),
    ("sum(X)", "X", None, False),
    ("tr(matrix(1)*X)", "X", None, False),
    ("norm1(A*x - b)", "x", {"b": "vector"}, False),
    ("norm2(A*X - B)", "X", None, False),
    ("norm2(X)^2", "X", None, False),
    ("tr(A*diag(x)*B)", "x", None, False),
    ("tr(V'*log(A*diag(x)*B))", "x", None, True),
    ("y'*diag(A*X)", "X", None, False),
    ("tr(X)", "X", None, False),
    ("sum(diag(X))", "X", None, False),
    ("tr(A*exp(X))", "X", None, False),
    ("sum(sigmoid(W*x))", "W", None, False),
    ("logsumexp(A*x)", "x", None, False),
    ("tr(sum(r, 0, 2, X^r*A))", "X", None, False),
    ("y'*log(softmax(W*x))", "W", None, False),
]


@pytest.mark.parametrize("expr, wrt, types, positive", NUMERIC, ids=[c[0] for c in NUMERIC])
def test_rule_matches_central_differences(expr, wrt, types, positive):
    """Every rule, through check_gradient: relative error < 1e-8 at three fixed seeds."""
    assert_numeric(expr, wrt, types, positive)


def test_numeric_cases_cover_every_rule():
    """Each node class with a rule appears in some numerical case (constants included)."""
    seen = set()
    for expr, _, types, _ in NUMERIC:
        seen |= {type(n) for n in nodes_module.walk(matcal.parse(expr, types))}
    seen.add(Zero)  # Zero is never input: parse drops it; its rule is tested exactly above
    seen.add(Einsum)  # not in gradient input; checked numerically by its exact tests above
    missing = {c.__name__ for c in ALL_NODES if c not in seen}
    assert not missing


@identity(LogSumExp)
def test_d_logsumexp_is_softmax():
    """d logsumexp(x) = Σ_i softmax(x)_i dx_i: ∇ logsumexp(Ax) = Aᵀ softmax(Ax), and its
    Hessian Aᵀ (diag(s) − s sᵀ) A."""
    assert grad("logsumexp(x)", "x") == "softmax(x)"
    assert grad("logsumexp(A*x)", "x") == "A'*softmax(A*x)"
    assert str(matcal.hessian("logsumexp(A*x)", "x")) == \
        "A'*(diag(softmax(A*x)) - softmax(A*x)*softmax(A*x)')*A"
    assert grad("logsumexp(alpha*x)", "alpha") == "softmax(alpha*x)'*x"
    assert_numeric("logsumexp(A*x)", "x", None)


@identity(Softmax)
def test_d_softmax_is_diag_s_minus_s_s_transposed():
    """d softmax(x)_i = s_i dx_i − s_i Σ_j s_j dx_j, s = softmax(x): the Jacobian
    diag(s) − s sᵀ."""
    assert str(matcal.jacobian("softmax(x)", "x")) == "diag(softmax(x)) - softmax(x)*softmax(x)'"
    assert str(matcal.jacobian("softmax(W*x)", "x")) == \
        "(diag(softmax(W*x)) - softmax(W*x)*softmax(W*x)')*W"
    assert grad("y'*softmax(x)", "x") == "y.*softmax(x) - (y'*softmax(x))*softmax(x)"
    assert matcal.check_derivative("softmax(W*x)", "x", seed=1) < 1e-8


def test_softmax_and_logsumexp_evaluate_without_overflow():
    """Evaluated with the maximum subtracted (log Σ exp x_i = m + log Σ exp(x_i − m))."""
    x = np.array([1000.0, 1001.0, 999.0])
    s = np.exp(x - 1001.0) / np.sum(np.exp(x - 1001.0))
    assert np.allclose(matcal.evaluate("softmax(x)", {"x": x}), s)
    assert np.isclose(matcal.evaluate("logsumexp(x)", {"x": x}),
                      1001.0 + np.log(np.sum(np.exp(x - 1001.0))))
    assert matcal.evaluate("softmax(a)", {"a": 3.0}) == 1.0
    assert matcal.evaluate("logsumexp(a)", {"a": 3.0}) == 3.0


@pytest.mark.parametrize("text, message", [
    ("logsumexp(X)", r"logsumexp takes a vector, got matrix m×n; for each column of a matrix "
                     r"X write sum\(k, logsumexp\(X\[:,k\]\) \.\.\.\)"),
    ("softmax(x')", "softmax takes a vector, got row vector"),
    ("lse(x)", "did you mean logsumexp"),
    ("softmax(x, y)", "softmax takes 1 argument, got 2"),
])
def test_softmax_and_logsumexp_refuse_what_is_not_a_vector(text, message):
    with pytest.raises((matcal.ShapeError, matcal.ParseError), match=message):
        matcal.parse(text)


@identity(RangeSum)
def test_d_range_sum_is_the_sum_of_the_derivatives():
    """d Σ_{r=a}^{b} f_r = Σ_{r=a}^{b} d f_r: with number bounds written out, r a number in
    each term, and differentiated term by term (tests/test_power_series.py has the gradient
    through a symbolic power, which a sum over a range expresses)."""
    assert grad("tr(sum(r, 0, 2, X^r*A))", "X") == "A' + A'*X' + X'*A'"
    assert grad("sum(r, 1, 3, r*x'*y)", "x") == "6*y"
    assert grad("sum(r, 1, 0, x'*y)", "x") == "vector(0)"
    assert_numeric("tr(sum(r, 0, 2, X^r*A))", "X", None)


@identity(SymbolicPower, Trace)
def test_d_trace_of_a_symbolic_power_is_k_times_the_power_below():
    """d tr(X^k) = k tr(X^(k−1) dX) for a symbolic integer k (by cyclicity; Matrix Cookbook
    eq. 89): ∂tr(X^k)/∂X = k (X^(k−1))ᵀ, with k declared integer (SymPy's test suite has
    Trace(X**k))."""
    types = {"k": "integer"}
    assert grad("tr(X^k)", "X", types) == "k*(X^(k - 1))'"
    assert_numeric("tr(X^k)", "X", types)
    assert grad("tr(A*X^k)", "A", types) == "(X^k)'"
    with pytest.raises(matcal.DerivativeError, match="symbolic exponent outside tr"):
        matcal.hessian("tr(A*X^k)", "X", types)  # its gradient is a sum over r
    with pytest.raises(matcal.ValuesError, match="whole number"):
        matcal.evaluate("tr(X^k)", {"X": np.eye(2), "k": 1.5}, types)
