"""Generated NumPy code (issue 9): for every reference case — the seeds, the Cookbook tests,
the higher-order tests — the generated function agrees with ``matcal.evaluate`` and with
central differences; the lowering is the careful one (no n×n diagonal, no inverse where a
solve does, no product computed twice); bad arguments and options get clear errors."""

from __future__ import annotations

import ast
import subprocess
import sys

import numpy as np
import pytest

import matcal
from codegen_support import (
    assert_close, central_differences, expected, flat, is_symmetric_variable, reference_cases,
    values_for,
)
from matcal.codegen import CodegenError, generate


@pytest.mark.parametrize("expr, wrt, order, types", reference_cases())
def test_numpy_agrees_with_evaluate_and_differences(expr, wrt, order, types):
    code = generate(expr, wrt, order, "numpy", types)
    values = values_for(expr, wrt, order, types)
    assert_close(flat(code(**values)), expected(expr, wrt, order, types, values))
    central_differences(code.function, values, wrt, is_symmetric_variable(expr, wrt, types),
                        order)


def test_arguments_in_order_of_appearance_and_by_keyword():
    code = generate("norm2(A*x - b)^2", "x", types={"b": "vector"})
    assert code.arguments == ("A", "x", "b")
    rng = np.random.default_rng(0)
    A, x, b = rng.standard_normal((4, 3)), rng.standard_normal(3), rng.standard_normal(4)
    f, g = code(A, x, b)
    f2, g2 = code(b=b, x=x, A=A)
    assert f == pytest.approx(f2) and np.allclose(g, g2)
    assert f == pytest.approx(np.sum((A @ x - b) ** 2))
    assert np.allclose(g, 2 * A.T @ (A @ x - b))
    assert g.shape == (3,)


def test_several_variables_share_the_residual():
    code = generate("norm2(X - W*H)^2", ["W", "H"])
    assert code.name == "value_and_gradients"
    assert code.source.count("W @ H") == 1
    rng = np.random.default_rng(1)
    X, W, H = rng.standard_normal((4, 5)), rng.standard_normal((4, 2)), rng.standard_normal(
        (2, 5))
    value, (dW, dH) = code(X, W, H)
    R = X - W @ H
    assert np.allclose(dW, -2 * R @ H.T) and np.allclose(dH, -2 * W.T @ R)


def test_hessian_returns_value_gradient_hessian():
    code = generate("sum(exp(A*x))", "x", order=2)
    assert code.name == "value_gradient_hessian"
    rng = np.random.default_rng(2)
    A, x = rng.standard_normal((5, 3)), rng.standard_normal(3)
    f, g, h = code(A, x)
    e = np.exp(A @ x)
    assert np.allclose(h, A.T @ np.diag(e) @ A) and h.shape == (3, 3)


def _calls(source: str) -> list[str]:
    """Every product and call in the function's body, as text."""
    tree = ast.parse(source)
    fn = next(n for n in tree.body if isinstance(n, ast.FunctionDef))
    out = []
    for node in ast.walk(fn):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            out.append(ast.unparse(node))
        elif isinstance(node, ast.Call) and ast.unparse(node.func).endswith("multi_dot"):
            out.append(ast.unparse(node))
    return out


def test_hessian_of_sum_exp_has_no_diagonal_matrix_and_no_inverse():
    source = generate("sum(exp(A*x))", "x", order=2).source
    body = source[source.index("\ndef "):source.index("if __name__")]
    assert "diag(" not in body and "inv(" not in body
    assert "[:, None] * A" in body  # diag(e)*A as broadcasting


def test_no_product_is_computed_twice():
    """tr(A*X*B*X*C') and its gradient A'*C*X'*B' + B'*X'*A'*C share B*X*C' ... as
    temporaries: each product in the code is written once."""
    for expr in ["tr(A*X*B*X*C')", "logdet(X'*X)", "norm2(A*x - b)^2", "tr(A*inv(X)*B)"]:
        products = _calls(generate(expr, "X" if "X" in expr else "x").source)
        assert len(products) == len(set(products)), products


def test_lowering_uses_the_cheap_forms():
    trace = generate("tr(A*B*X)", "X").source
    assert "np.sum(" in trace and "np.trace" not in trace  # tr(PQ) as sum(P ⊙ Qᵀ)
    assert "np.linalg.solve" in generate("a'*inv(X)*b", "a",
                                         types={"a": "vector", "b": "vector"}).source
    assert "slogdet" in generate("logdet(X)", "X").source
    quad = generate("x'*A*x", "x").source
    assert "outer" not in quad
    dv = generate("sum(diag(A*X))", "X").source
    body = dv[dv.index("\ndef "):dv.index("if __name__")]
    assert "axis=1" in body or "np.sum(" in body
    assert "einsum" in generate("A*X*B", "X").source and "optimize=True" in generate(
        "A*X*B", "X").source


def test_shape_mismatch_names_the_argument_and_dimension():
    code = generate("norm2(A*x - b)^2", "x", types={"b": "vector"})
    with pytest.raises(ValueError, match=r"x has size 5 along axis 0, but dimension n is 3"):
        code(np.ones((4, 3)), np.ones(5), np.ones(4))
    with pytest.raises(ValueError, match=r"A must be a matrix"):
        code(np.ones(4), np.ones(3), np.ones(4))
    x, _ = code(np.ones((4, 3)), np.ones((3, 1)), np.ones(4))  # a column is the vector
    assert x == pytest.approx(16.0)


def test_bad_target_and_symbolic_power_are_refused():
    with pytest.raises(matcal.OptionsError, match="target must be one of numpy, jax, torch"):
        generate("tr(X)", "X", target="tensorflow")
    with pytest.raises(CodegenError, match="symbolic exponent"):
        generate("tr(X^k)", "X", types={"k": "integer"})


def test_module_is_self_contained_and_compiles():
    source = generate("logdet(X'*X)", "X").source
    assert "matcal" not in "\n".join(line for line in source.splitlines()
                                     if line.startswith(("import", "from")))
    compile(source, "generated.py", "exec")
    assert "X: matrix, n×m" in source and "gradient by X: 2*X*inv(X'*X)" in source


def _run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "matcal", *args], capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("args", [
    ("norm2(A*x - b)^2", "--wrt", "x", "--types", "b:vector"),
    ("sum(exp(A*x))", "--wrt", "x", "--hessian"),
    ("logdet(S)", "--wrt", "S", "--types", "S:symmetric"),
    ("sin(A*x)", "--wrt", "x", "--jacobian"),
    ("tr(X*X)", "--wrt", "X", "--order", "2"),
])
def test_cli_module_checks_itself(tmp_path, args):
    done = _run_cli(*args, "--code", "numpy")
    assert done.returncode == 0, done.stderr
    path = tmp_path / "f.py"
    path.write_text(done.stdout)
    subprocess.run([sys.executable, "-m", "py_compile", str(path)], check=True)
    run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "passed" in run.stdout and "FAILED" not in run.stdout


def test_cli_module_fails_its_check_for_a_wrong_derivative(tmp_path):
    """The self-check can fail: a module whose gradient is tampered with exits 1."""
    source = _run_cli("norm2(A*x - b)^2", "--wrt", "x", "--types", "b:vector", "--code",
                      "numpy").stdout
    tampered = source.replace("gradient = 2.0 * ", "gradient = 2.001 * ")
    assert tampered != source
    path = tmp_path / "f.py"
    path.write_text(tampered)
    run = subprocess.run([sys.executable, str(path)], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 1 and "FAILED" in run.stdout


def test_cli_code_with_check_or_steps_is_a_clear_error():
    done = _run_cli("tr(X)", "--wrt", "X", "--code", "numpy", "--check")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "checks itself" in done.stderr
    done = _run_cli("tr(X)", "--wrt", "X", "--code", "fortran")
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_readme_shows_the_generated_body():
    """The function body the README's tour shows is the one ``--code numpy`` writes."""
    from pathlib import Path
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    shown = readme.split("The function's body in `f.py`", 1)[1].split("```python\n", 1)[1]
    shown = shown.split("```", 1)[0]
    source = generate("norm2(A*x - b)^2", "x", types={"b": "vector"}).source
    assert shown in source


def test_names_python_takes_are_renamed():
    """A variable named like a keyword, a builtin the code uses or an output gets ``_``."""
    code = generate("lambda*tr(X) + range*value", "X",
                    types={"range": "scalar", "value": "scalar"})
    assert code.arguments == ("lambda_", "X", "range_", "value_")
    X = np.arange(4.0).reshape(2, 2)
    f, g = code(lambda_=2.0, X=X, range_=3.0, value_=5.0)
    assert f == pytest.approx(2 * 3 + 15) and np.allclose(g, 2 * np.eye(2))
    compile(code.source, "generated.py", "exec")
