"""The value-checked mode (matcal.numeric.rewrite_check): it must catch a rule that changes a value,
name the rule and both expressions, and stay quiet on rules that keep it."""

import pytest

import matcal
from matcal.core import rewrites
from matcal.core.nodes import Transpose
from matcal.numeric.rewrite_check import RewriteMismatch, checking_rewrites


def test_a_rule_that_changes_a_value_fails_with_its_name_and_both_expressions():
    with checking_rewrites(), pytest.raises(RewriteMismatch) as err:
        rewrites.fired("bogus_rule", matcal.parse("A*X"), matcal.parse("-A*X"))
    assert "'bogus_rule'" in str(err.value)
    assert "before: A*X" in str(err.value) and "after:  -A*X" in str(err.value)


def test_an_equal_value_passes():
    x = matcal.parse("A*X")
    with checking_rewrites() as checker:
        rewrites.fired("transpose_of_transpose", x, Transpose(matcal.parse("X'*A'")))
    assert checker.checked == {"transpose_of_transpose": 1}


def test_the_old_power_of_power_folding_would_have_been_caught():
    """(b.^2).^0.5 = |b|, not b: the folding that issue 7 found, reported as a parse rule."""
    with checking_rewrites(), pytest.raises(RewriteMismatch, match="parse"):
        rewrites.fired("parse: (b.^2).^0.5", matcal.parse("(x.^2).^0.5"), matcal.parse("x"))


def test_index_rules_and_read_back_are_checked():
    with checking_rewrites() as checker:
        matcal.hessian("sum(exp(A*x))", "x")
        matcal.gradient("tr(A*X*B*X*C')", "X")
        matcal.gradient("logdet(X'*X)", "X")
        matcal.gradient("(2*3)*tr(X)", "X")
    for rule in ("delta_elimination", "contraction", "read_off", "parse: 2 * 3"):
        assert checker.checked.get(rule, 0) > 0, (rule, checker.checked)


def test_a_wrong_index_rule_is_caught(monkeypatch):
    """A deliberately broken index rule (A'[i,j] = A[i,j]) fails the check by name."""
    from matcal.tensor import terms as index
    from matcal.tensor.terms import Atom

    original = index._index_rule

    def broken(f, factors, n, free):
        if isinstance(f, Atom) and isinstance(f.expr, Transpose):
            return "transpose_to_indices", 1.0, index._put(factors, n, Atom(f.expr.arg, f.idx))
        return original(f, factors, n, free)

    monkeypatch.setattr(index, "_index_rule", broken)
    with checking_rewrites(), pytest.raises(RewriteMismatch, match="transpose_to_indices"):
        matcal.gradient("tr(A'*X + A)", "X")  # A square: A[i,j] has A'[i,j]'s shape


def test_without_an_observer_nothing_is_checked():
    rewrites.fired("bogus_rule", matcal.parse("A"), matcal.parse("B"))  # no error
    assert not rewrites.active()
