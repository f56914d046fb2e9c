"""The ``matcal`` command: exact outputs and exit statuses of :func:`matcal.cli.main`."""

from __future__ import annotations

import json
import math
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

import matcal
from matcal import cli
from matcal.core.functions import FUNCTIONS
from matcal.syntax.parse import KNOWN_FUNCTIONS
from matcal.printing import LatexPrinter

needs_latex = pytest.mark.skipif(
    not hasattr(LatexPrinter, "_print_Var"),
    reason="the LaTeX printer (printing/latex.py) is still a stub",
)

CHECK_LINE = re.compile(r"check: relative error (\S+) \(central differences, 3 random directions\)\Z")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = cli.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


# ---------------------------------------------------------------- success


def test_gradient_text_traa_eq17(capsys):
    # d tr(A X B X Cᵀ)/dX = Aᵀ C Xᵀ Bᵀ + Bᵀ Xᵀ Aᵀ C (seed 000, eq. 17)
    assert run(capsys, "tr(A*X*B*X*C')", "--wrt", "X") == (
        0, "A'*C*X'*B' + B'*X'*A'*C\n", ""
    )


def test_least_squares_with_types(capsys):
    # ∇ ‖Ax − b‖² = 2Aᵀ(Ax − b) (seed 001, least squares); b is a vector only by --types
    assert run(capsys, "norm2(A*x - b)^2", "--wrt", "x", "--types", "b:vector") == (
        0, "2*A'*(A*x - b)\n", ""
    )


def test_check_prints_a_small_relative_error(capsys):
    status, out, err = run(capsys, "tr(A*X*B*X*C')", "--wrt", "X", "--check", "--seed", "1")
    lines = out.splitlines()
    assert (status, err, len(lines)) == (0, "", 2)
    assert lines[0] == "A'*C*X'*B' + B'*X'*A'*C"
    error = float(CHECK_LINE.match(lines[1]).group(1))
    assert 0 <= error < 1e-8


def test_check_is_reproducible_with_a_seed(capsys):
    first = run(capsys, "logdet(X'*X)", "--wrt", "X", "--check", "--seed", "7")
    second = run(capsys, "logdet(X'*X)", "--wrt", "X", "--check", "--seed", "7")
    assert first == second
    assert first[1].splitlines()[0] == "2*X*inv(X'*X)"


@pytest.mark.parametrize("error", [0.5, math.nan])
def test_check_above_tolerance_fails_with_status_1(capsys, monkeypatch, error):
    monkeypatch.setattr(cli, "check_derivative", lambda *args, **kwargs: error)
    status, out, err = run(capsys, "tr(A*X*B)", "--wrt", "X", "--check")
    assert status == 1
    assert out == f"A'*B'\ncheck: relative error {error:.1e} (central differences, 3 random directions)\n"
    assert err == (
        f"error: numerical check failed: relative error {error:.1e} exceeds 1e-06; "
        "the derivative may be wrong, please report it\n"
    )


def test_types_override_the_naming_convention(capsys):
    # c is a scalar by the convention: ∂ tr(A c)/∂c = tr(A); as a matrix, ∂ tr(A c)/∂c = Aᵀ
    assert run(capsys, "tr(A*c)", "--wrt", "c") == (0, "tr(A)\n", "")
    assert run(capsys, "tr(A*c)", "--wrt", "c", "--types", "c:matrix") == (0, "A'\n", "")
    # the zero gradient takes the shape --types gives the absent variable (with a warning)
    assert run(capsys, "tr(A)", "--wrt", "y")[:2] == (0, "vector(0)\n")
    assert run(capsys, "tr(A)", "--wrt", "y", "--types", "y:matrix")[:2] == (0, "matrix(0)\n")
    assert run(capsys, "tr(A)", "--wrt", "y", "--types", "y:scalar")[:2] == (0, "0\n")


def test_gradient_of_sum_is_ones(capsys):
    # ∂ sum(x)/∂x = 1 (the all-ones vector)
    status, out, err = run(capsys, "sum(x)", "--wrt", "x", "--check", "--seed", "0")
    assert (status, err, out.splitlines()[0]) == (0, "", "vector(1)")


def test_check_of_a_constant_gradient(capsys):
    # ∂ tr(A)/∂A = I (Matrix Cookbook eq. 100)
    status, out, err = run(capsys, "tr(A)", "--wrt", "A", "--check", "--seed", "0")
    assert (status, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "eye"
    assert float(CHECK_LINE.match(lines[1]).group(1)) < 1e-8


def test_parse_types_accepts_spaces_and_repeats():
    assert cli.parse_types(["x:vector, a:scalar ,S:symmetric", "B:matrix"]) == {
        "x": "vector", "a": "scalar", "S": "symmetric", "B": "matrix",
    }
    assert cli.parse_types([]) == {}


def test_symmetric_variable_gets_the_symmetric_gradient(capsys):
    # ∂(xᵀSx)/∂S = sym(x xᵀ) = x xᵀ (Srinivasan & Panda, arXiv:1911.06491)
    assert run(capsys, "x'*S*x", "--wrt", "S", "--types", "S:symmetric") == (0, "x*x'\n", "")
    # tr(S X) by a symmetric S: sym(Xᵀ) = (X + Xᵀ)/2
    status, out, _ = run(capsys, "tr(S*X)", "--wrt", "S", "--types", "S:symmetric")
    assert status == 0
    values = {"X": [[1.0, 2.0], [3.0, 4.0]], "S": [[1.0, 0.0], [0.0, 1.0]]}
    assert matcal.evaluate(out.strip(), values).tolist() == [[1.0, 2.5], [2.5, 4.0]]


@pytest.mark.parametrize(
    "expr, wrt, printed",
    [("tr(A)", "X", "matrix(0)"), ("a*x'*x", "y", "vector(0)"), ("tr(A)", "c", "0")],
)
def test_wrt_absent_gives_the_zero_gradient(capsys, expr, wrt, printed):
    """As on matrixcalculus.org, with a warning on stderr that names the variables present."""
    status, out, err = run(capsys, expr, "--wrt", wrt)
    assert (status, out) == (0, printed + "\n")
    assert err.startswith(f"warning: {wrt} does not occur in the expression, so its "
                          "derivative is zero; the variables are: ")
    check = "check: relative error 0.0e+00 (central differences, 3 random directions)"
    assert run(capsys, expr, "--wrt", wrt, "--check")[:2] == (0, f"{printed}\n{check}\n")


def test_the_warning_for_an_absent_variable_names_the_closest_one(capsys):
    _, _, err = run(capsys, "x'*A*x", "--wrt", "y")
    assert err == ("warning: y does not occur in the expression, so its derivative is zero; "
                   "the variables are: A, x; did you mean x?\n")


def test_expression_starting_with_minus_goes_after_double_dash(capsys):
    assert run(capsys, "--wrt", "X", "--", "-tr(A*X)") == (0, "-A'\n", "")


@needs_latex
def test_latex_prints_the_library_latex(capsys):
    expected = matcal.to_latex(matcal.gradient("tr(A*X*B)", "X"))
    assert run(capsys, "tr(A*X*B)", "--wrt", "X", "--latex") == (0, expected + "\n", "")


@needs_latex
def test_json_record(capsys):
    status, out, err = run(
        capsys, "norm2(A*x - b)^2", "--wrt", "x", "--types", "b:vector", "--json"
    )
    assert (status, err) == (0, "")
    record = json.loads(out)
    assert sorted(record) == ["derivative", "expression", "latex", "shapes", "wrt"]
    assert record["expression"] == "norm2(A*x - b)^2"
    assert record["wrt"] == "x"
    assert record["derivative"] == "2*A'*(A*x - b)"
    assert record["latex"] == matcal.to_latex(matcal.gradient("norm2(A*x - b)^2", "x",
                                                              {"b": "vector"}))
    assert record["shapes"] == {
        "A": {"kind": "matrix", "shape": ["m", "n"]},
        "x": {"kind": "vector", "shape": ["n"]},
        "b": {"kind": "vector", "shape": ["m"]},
    }


@needs_latex
def test_json_with_check_and_symmetric_kind(capsys):
    status, out, _ = run(capsys, "x'*S*x", "--wrt", "x", "--types", "S:symmetric",
                         "--json", "--check", "--seed", "2")
    record = json.loads(out)
    assert status == 0
    assert sorted(record) == ["check", "check_method", "derivative", "expression", "latex", "shapes", "wrt"]
    assert record["derivative"] == "2*S*x"
    assert record["shapes"]["S"] == {"kind": "symmetric", "shape": ["m", "m"]}
    assert record["shapes"]["x"] == {"kind": "vector", "shape": ["m"]}
    assert 0 <= record["check"] < 1e-8


def test_help_explains_the_language_and_the_layout(capsys):
    status, out, err = run(capsys, "--help")
    assert (status, err) == (0, "")
    assert "layout" in out
    assert "shape(f) + shape(X)" in out
    assert "(G + G')/2" in out
    assert "arXiv:1911.06491" in out
    for word in [".*", "./", ".^", "vector(c)", "matrix(c)", "eye", "--types", "a-g", "h-z"]:
        assert word in out, word
    for name in list(KNOWN_FUNCTIONS) + list(FUNCTIONS):
        assert re.search(rf"\b{name}\b", out), name


def test_help_examples_print_what_help_says(capsys):
    """Every example in --help that shows its output shows the real output."""
    lines = cli.build_parser().epilog.splitlines()
    shown = [
        (line.strip(), lines[i + 1].strip())
        for i, line in enumerate(lines[:-1])
        if line.startswith("  matcal ") and lines[i + 1].startswith("      ")
    ]
    assert len(shown) == 6
    for command, first_line in shown:
        status, out, _ = run(capsys, *shlex.split(command)[1:])
        assert (status, out.splitlines()[0]) == (0, first_line), command


def _no_error_value(line: str) -> str:
    """The line with the (run-dependent) value of a numerical check blanked out."""
    return re.sub(r'(relative error |"check": )\S+', r"\1...", line)


def test_readme_tour_shows_real_output(capsys):
    """Every ``$ matcal ...`` in README.md prints what the README shows (check numbers vary;
    a first line ``...`` shows only the end)."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    commands = [
        part.partition("\n")
        for block in re.findall(r"```console\n(.*?)```", readme, re.S)
        for part in re.split(r"^\$ ", block, flags=re.M)[1:]
    ]
    assert len(commands) >= 8
    for command, _, shown in commands:
        status, out, err = run(capsys, *shlex.split(command)[1:])
        expected = [_no_error_value(line) for line in shown.strip("\n").splitlines()]
        actual = [_no_error_value(line) for line in (out + err).strip("\n").splitlines()]
        if expected[0] == "...":  # the README shows the end of a long output
            expected, actual = expected[1:], actual[len(actual) - len(expected) + 1:]
        assert actual == expected, command
        assert status == (2 if err else 0), command


# ---------------------------------------------------------------- errors


def test_syntax_error_shows_the_caret(capsys):
    status, out, err = run(capsys, "tr(A*X", "--wrt", "X")
    assert (status, out) == (2, "")
    lines = err.splitlines()
    assert lines[0].startswith("error: the expression ends too early")
    assert lines[1:] == ["  tr(A*X", "        ^"]


def test_unknown_function_suggests_tr(capsys):
    status, out, err = run(capsys, "trace(X)", "--wrt", "X")
    assert (status, out) == (2, "")
    assert err.splitlines() == [
        "error: unknown function 'trace'; did you mean tr?", "  trace(X)", "  ^",
    ]


def test_shape_mismatch_names_both_shapes(capsys):
    status, out, err = run(capsys, "x*y", "--wrt", "x")
    assert (status, out) == (2, "")
    first = err.splitlines()[0]
    assert first.startswith("error: '*': cannot multiply vector m by vector n")
    assert err.splitlines()[1:] == ["  x*y", "   ^"]


def test_gradient_of_a_vector_points_to_the_jacobian(capsys):
    status, out, err = run(capsys, "A*x", "--wrt", "x")
    assert (status, out) == (2, "")
    assert err.startswith("error: gradient needs a scalar expression, but A*x is a vector m")
    assert "Jacobian" in err


@pytest.mark.parametrize(
    "spec, message, caret",
    [
        ("x=vector", "got 'x=vector'", ["  x=vector", "  ^"]),
        ("x:scalar,,a", "got ''", ["  x:scalar,,a", "           ^"]),
        ("x:", "got 'x:'", ["  x:", "  ^"]),
        ("x:scalar,x:vector", "x is given two kinds, scalar and vector",
         ["  x:scalar,x:vector", "           ^"]),
    ],
)
def test_malformed_types(capsys, spec, message, caret):
    status, out, err = run(capsys, "x'*x", "--wrt", "x", "--types", spec)
    assert (status, out) == (2, "")
    lines = err.splitlines()
    assert lines[0].startswith("error: --types: ")
    assert message in lines[0]
    assert lines[1:] == caret


def test_unknown_kind_in_types(capsys):
    status, out, err = run(capsys, "x'*x", "--wrt", "x", "--types", "x:tensor")
    assert (status, out) == (2, "")
    assert "'tensor'" in err and "scalar, vector, matrix, square, symmetric" in err


@pytest.mark.parametrize("short, long", [("sym", "symmetric"), ("vec", "vector"),
                                         ("mat", "matrix"), ("scal", "scalar"),
                                         ("sq", "square")])
def test_kinds_have_short_forms(capsys, short, long):
    """--types A:sym means A:symmetric (issue 12): the short forms users type."""
    assert run(capsys, "tr(A*X)", "--wrt", "A", "--types", f"A:{short}") == run(
        capsys, "tr(A*X)", "--wrt", "A", "--types", f"A:{long}")


@pytest.mark.parametrize("text, hint", [
    ("max(x)", "not differentiable everywhere; matcal has relu and abs"),
    ("expm(X)", "the matrix exponential is not in the language"),
    ("vectr(1)", "did you mean vector?"),
    ("sigmod(x)", "did you mean sigmoid?"),
])
def test_unknown_functions_get_advice_from_the_function_table(capsys, text, hint):
    """max was once answered "did you mean matrix?": suggestions come from the functions, the
    constructors only for a near-exact misspelling, and a note says what is not there."""
    status, _, err = run(capsys, f"sum({text})", "--wrt", "x")
    assert status == 2 and hint in err


def test_bad_wrt_name(capsys):
    status, out, err = run(capsys, "x'*x", "--wrt", "3x")
    assert (status, out) == (2, "")
    assert err == "error: wrt must be a variable name such as 'X', got '3x'\n"


def test_usage_errors_exit_2(capsys):
    status, out, err = run(capsys, "x'*x")
    assert (status, out) == (2, "")
    assert "the following arguments are required: --wrt" in err
    status, _, err = run(capsys, "x'*x", "--wrt", "x", "--latex", "--check")
    assert status == 0
    status, _, err = run(capsys, "x'*x", "--wrt", "x", "--latex", "--jacobian", "--hessian")
    assert status == 2
    assert "not allowed with argument" in err


def test_with_json_every_error_is_a_json_object(capsys):
    """--json: a parse error, a usage error, a bad option are each one JSON object on stdout."""
    status, out, err = run(capsys, "tr(A*X", "--wrt", "X", "--json")
    assert (status, err) == (2, "")
    assert json.loads(out) == {"error": "ParseError", "position": 6, "line": "tr(A*X",
                               "message": "the expression ends too early; expected ')', '+', "
                                          "',', '-'"}
    status, out, _ = run(capsys, "x'*x", "--wrt", "x", "--latex", "--json")
    assert status == 2 and "not allowed with argument" in json.loads(out)["message"]
    status, out, _ = run(capsys, "x'*x", "--wrt", "x", "--json", "--types", "x:tensor")
    assert status == 2 and json.loads(out)["error"] == "OptionsError"


def test_no_option_is_silently_ignored(capsys):
    status, _, err = run(capsys, "tr(A*X)", "--wrt", "X", "--wrt", "A")
    assert status == 2 and "--wrt is given twice (X and A); give it once" in err
    status, _, err = run(capsys, "tr(A*X)", "--wrt", "X", "--format", "latex")
    assert status == 2 and "--format says how --steps prints" in err


def test_version(capsys):
    status, out, _ = run(capsys, "--version")
    assert status == 0 and out.startswith("matcal 0.")


def test_unexpected_exception_is_an_internal_error_without_traceback(capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "gradient", broken)
    status, out, err = run(capsys, "tr(A*X)", "--wrt", "X")
    assert (status, out) == (3, "")
    assert err.splitlines() == [
        "internal error: RuntimeError: boom",
        "This is a bug in matcal; please report it with the command you ran.",
    ]


# ---------------------------------------------------------------- python -m matcal


def test_python_dash_m_matcal():
    done = subprocess.run(
        [sys.executable, "-m", "matcal", "tr(A*X*B)", "--wrt", "X"],
        capture_output=True, text=True, timeout=120,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "A'*B'\n", "")
    bad = subprocess.run(
        [sys.executable, "-m", "matcal", "tr(A*X", "--wrt", "X"],
        capture_output=True, text=True, timeout=120,
    )
    assert (bad.returncode, bad.stdout) == (2, "")
    assert bad.stderr.startswith("error: ") and "Traceback" not in bad.stderr


def test_hessian_of_sum_exp_is_A_transpose_diag_A(capsys):
    """∇²Σexp(Ax) = Aᵀ diag(exp(Ax)) A (issue: Hessians in matrix form)."""
    assert cli.main(["sum(exp(A*x))", "--wrt", "x", "--hessian", "--check", "--seed", "0"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "A'*diag(exp(A*x))*A"
    assert float(CHECK_LINE.match(out[1]).group(1)) < 1e-8


def test_jacobian_of_sin_is_diag_cos_times_A(capsys):
    assert cli.main(["sin(A*x + y)", "--wrt", "x", "--jacobian", "--types", "y:vector"]) == 0
    assert capsys.readouterr().out.strip() == "diag(cos(A*x + y))*A"


def test_order_three_prints_index_notation_and_checks(capsys):
    assert cli.main(["logdet(X)", "--wrt", "X", "--order", "3", "--check", "--seed", "1"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("d3f/dX[i,j]dX[k,l]dX[p,q] = ")
    assert float(CHECK_LINE.match(out[-1]).group(1)) < 1e-8


def test_plain_transpose_is_transpose(capsys):
    """X.' (MATLAB's plain transpose) is X' for real matrices."""
    assert run(capsys, "tr(A*X.')", "--wrt", "X") == run(capsys, "tr(A*X')", "--wrt", "X")
    assert str(matcal.parse("(A*B).'.'")) == "A*B"


def test_evaluate_takes_a_column_for_a_vector():
    assert matcal.evaluate("x'*y", {"x": [[1.0], [2.0]], "y": [3.0, 4.0]}) == 11.0
    with pytest.raises(matcal.ValuesError, match=r"or a column of shape \(n, 1\)"):
        matcal.evaluate("x'*y", {"x": [[1.0, 2.0]], "y": [3.0, 4.0]})


def test_square_kind_is_n_by_n_and_reported(capsys):
    """--types A:square makes A n×n (issue 11); the shapes report it as square, so a page or
    script that sends the kinds back keeps it."""
    status, out, _ = run(capsys, "logdet(A*X*B)", "--wrt", "X", "--json",
                         "--types", "A:square,X:square,B:square")
    answer = json.loads(out)
    assert status == 0 and answer["derivative"] == "inv(X)'"
    assert {v["kind"] for v in answer["shapes"].values()} == {"square"}
    assert all(len(set(v["shape"])) == 1 for v in answer["shapes"].values())
