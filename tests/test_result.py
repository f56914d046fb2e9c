"""The result object: a Derivative carries what it came from, and no consumer derives again."""

from __future__ import annotations

import json

import numpy as np
import pytest

import matcal
import matcal.engine.differentiate as engine
from matcal.cli import main
from matcal.result import Derivative


@pytest.fixture
def engine_calls(monkeypatch):
    """The variables the engine differentiated by, one entry per call of it."""
    calls: list[str] = []
    real = engine.derivative_tensors

    def counted(expr, wrt, order=1, parts=None):
        calls.append(wrt.name)
        return real(expr, wrt, order, parts)

    monkeypatch.setattr(engine, "derivative_tensors", counted)
    import matcal.engine.pipeline
    monkeypatch.setattr(matcal.engine.pipeline, "derivative_tensors", counted)
    return calls


def test_gradient_is_a_derivative_that_prints_as_before():
    g = matcal.gradient("norm2(A*x - b)^2", "x", {"b": "vector"})
    assert isinstance(g, Derivative)
    assert str(g) == "2*A'*(A*x - b)"
    assert repr(g) == "Derivative(\"2*A'*(A*x - b)\", wrt='x')"
    assert repr(matcal.hessian("sum(exp(A*x))", "x")) == (
        "Derivative(\"A'*diag(exp(A*x))*A\", wrt='x', order=2)")
    assert g.order == 1 and g.wrt.name == "x" and str(g.expression) == "norm2(A*x - b)^2"
    assert g == g.form and g.form == g and g != matcal.gradient("x'*x", "x")
    assert g.shape == g.wrt.shape
    assert matcal.to_latex(g) == g.to_latex() == matcal.to_latex(g.form)


def test_as_dict_is_the_json_record_of_the_cli(capsys):
    assert main(["A*X*B", "--wrt", "X", "--jacobian", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    record = matcal.jacobian("A*X*B", "X").as_dict()
    assert printed == record
    assert record["vec_form"] == "kron(B', A)"
    assert set(record) == {"expression", "wrt", "derivative", "latex", "shapes", "vec_form"}


def test_a_derivative_evaluates_without_shape_when_its_variables_fix_the_sizes():
    x = np.array([1.0, 2.0, 3.0])
    j = matcal.jacobian("x.^0", "x")  # zero: no x in it, sized by x all the same
    assert np.shape(matcal.evaluate(j, {"x": x})) == (3, 3)
    e = matcal.gradient("tr(X)", "X")  # eye: sized by X
    assert np.array_equal(matcal.evaluate(e, {"X": np.ones((2, 2))}), np.eye(2))
    g = matcal.gradient("sum(x.^0)*a", "a")  # folded at parse time: sized by x's value
    assert matcal.evaluate(g, {"x": x, "a": 1.0}) == 3.0
    h = matcal.derivative(matcal.gradient("tr(X)", "X"), "X")  # X only in the sizes
    assert np.shape(matcal.evaluate(h, {"X": np.ones((2, 2))})) == (2, 2, 2, 2)


def test_equal_expressions_from_different_sources_do_not_share_sizes():
    # gradient('tr(X*A)', 'X') == A' once lent X's size to parse("A'") through a global table
    matcal.gradient("tr(X*A)", "X")
    vals = {"A": np.ones((2, 3)), "X": np.ones((5, 5))}
    assert matcal.evaluate(matcal.parse("A'"), vals).shape == (3, 2)


def test_checks_and_vec_form_take_the_derivative_as_it_is(engine_calls):
    d = matcal.derivative("A*X*B", "X")
    assert engine_calls == ["X"]
    assert matcal.check_derivative(d, seed=0) < 1e-8
    assert str(matcal.vec_derivative(d)) == "kron(B', A)"
    g = matcal.gradient("tr(A*X*B)", "X")
    assert matcal.check_gradient(g, seed=1) < 1e-8
    assert engine_calls == ["X", "X"]
    h = matcal.hessian("sum(exp(A*x))", "x")  # its check differences the gradient
    assert matcal.check_derivative(h, seed=0) < 1e-8
    assert engine_calls == ["X", "X", "x"]


def test_a_derivative_by_another_variable_is_refused():
    with pytest.raises(matcal.DerivativeError, match="by X, not Y"):
        matcal.check_gradient(matcal.gradient("tr(X)", "X"), "Y")


@pytest.mark.parametrize("argv", [
    ["tr(A*X)", "--wrt", "X", "--steps"],
    ["tr(A*X)", "--wrt", "X", "--steps", "index"],
    ["tr(A*X*B*X*C')", "--wrt", "X", "--steps"],
    ["logdet(X'*X)", "--wrt", "X", "--steps"],
])
def test_steps_differentiate_f_once(capsys, engine_calls, argv):
    """--steps once derived the gradient eleven times (gradient, its check, and each d(U) the
    checks of the steps needed); now f is differentiated by X once, and its parts' derivatives
    are read off that one record. (The trace trick reads G off each term linear in dX by
    differentiating by dX: a read-off, not a derivative of f.)"""
    assert main(argv) == 0
    assert "Every step verified numerically" in capsys.readouterr().out
    assert engine_calls.count("X") == 1


def test_jacobian_check_derives_once(capsys, engine_calls):
    assert main(["A*x", "--wrt", "x", "--jacobian", "--check"]) == 0
    assert engine_calls == ["x"]
    assert main(["sum(exp(A*x))", "--wrt", "x", "--hessian", "--check", "--json"]) == 0
    assert engine_calls == ["x", "x"]


def test_several_variables_give_a_derivative_each():
    """gradient(f, ["W", "b"]) (issue 12): one result, one Derivative per variable, in order."""
    g = matcal.gradient("norm2(W*x + b - y)^2", ["W", "b"], {"b": "vector"})
    assert isinstance(g, matcal.Derivatives) and list(g) == ["W", "b"]
    assert str(g) == "W: 2*(W*x + b - y)*x'\nb: 2*(W*x + b - y)"
    assert g["W"] == matcal.gradient("norm2(W*x + b - y)^2", "W", {"b": "vector"})
    assert all(matcal.check_gradient(d, seed=0) < 1e-8 for d in g.values())
    record = g.as_dict()
    assert record["wrt"] == ["W", "b"] and set(record["derivatives"]) == {"W", "b"}
    assert record["derivatives"]["b"]["derivative"] == "2*(W*x + b - y)"
    with pytest.raises(matcal.DerivativeError, match="name one variable"):
        matcal.derivative("x'*A*x + a*x'*x", ["x", "a"], order=2)
    with pytest.raises(matcal.DerivativeError, match="name each variable once"):
        matcal.gradient("x'*x", ["x", "x"])


def test_several_variables_on_the_command_line(capsys):
    status = main(["norm2(W*x + b - y)^2", "--wrt", "W,b", "--types", "b:vector", "--check",
                   "--seed", "0"])
    lines = capsys.readouterr().out.splitlines()
    assert status == 0
    assert lines[0] == "W: 2*(W*x + b - y)*x'" and lines[2] == "b: 2*(W*x + b - y)"
    assert lines[1].startswith("check: relative error") and lines[3].startswith("check:")
    assert main(["norm2(W*x + b - y)^2", "--wrt", "W,b", "--json", "--check"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["derivatives"]["W"]["check"] < 1e-8
    assert main(["tr(W*X)", "--wrt", "W,X", "--steps"]) == 2
    assert "name one in --wrt" in capsys.readouterr().err
