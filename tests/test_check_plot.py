"""The gradient-check plot (issue 13): ``matcal.check_plot`` and ``--check --plot FILE``
write a PNG of the relative error of central differences against the step; read back, it
has its size, and the smallest error it records is below 1e-8 for a right gradient and far
above for a wrong one."""

from __future__ import annotations

import pytest

pytest.importorskip("matplotlib", reason="matplotlib is not installed: pip install "
                    "'matcal[plot]'")
from PIL import Image  # noqa: E402 - comes with matplotlib

import matcal  # noqa: E402
from matcal import cli  # noqa: E402


def _recorded_minimum(path) -> float:
    with Image.open(path) as image:
        assert image.size == (640, 440)
        return float(image.text["Description"].split()[-1])


def test_right_gradient_dips_below_1e_8(tmp_path):
    path = tmp_path / "right.png"
    drawn = matcal.check_plot("sum(log(vector(1) + exp(-y.*(X*w))))", "w", str(path))
    assert _recorded_minimum(path) < 1e-8
    assert drawn.min_error == pytest.approx(_recorded_minimum(path), rel=1e-3)
    assert drawn.errors[0] > 1e-4  # the largest step: truncation, far from the minimum
    assert len(drawn.check_steps) == 3


def test_wrong_gradient_stays_far_above(tmp_path):
    path = tmp_path / "wrong.png"
    matcal.check_plot("tr(A*X*B*X)", "X", str(path), derivative="A'*X'*B'")
    assert _recorded_minimum(path) > 1e-3


def test_hessian_is_checked_against_the_gradient(tmp_path):
    drawn = matcal.check_plot("sum(exp(A*x))", "x", order=2)
    assert drawn.min_error < 1e-8 and drawn.path is None
    assert drawn._repr_png_().startswith(b"\x89PNG")


def test_claimed_derivative_of_the_wrong_shape_is_refused():
    with pytest.raises(matcal.DerivativeError, match="shape"):
        matcal.check_plot("tr(A*X*B)", "X", derivative="B*A")


def test_cli_plot(tmp_path, capsys):
    path = tmp_path / "check.png"
    status = cli.main(["tr(A*X*B)", "--wrt", "X", "--check", "--plot", str(path)])
    out = capsys.readouterr().out
    assert status == 0 and f"plot: {path}" in out
    assert _recorded_minimum(path) < 1e-8
    assert cli.main(["tr(A*X*B)", "--wrt", "X", "--plot", str(path)]) == 2
    assert "add --check" in capsys.readouterr().err
    assert cli.main(["tr(A*X*B) + tr(B)", "--wrt", "X,B", "--check", "--plot", str(path)]) == 2
    assert "one variable" in capsys.readouterr().err
