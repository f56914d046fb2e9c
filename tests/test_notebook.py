"""The example notebook (issue 13): examples/tour.ipynb runs in a real kernel (nbclient and
ipykernel, from the test extra), and its outputs are what matcal displays — typeset LaTeX
of the gradient, a derivation as Markdown, the check plot as a PNG, the generated code — and
``jupyter nbconvert --execute --to html`` turns it into a page with that math."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat", reason="the notebook extra is not installed")
nbclient = pytest.importorskip("nbclient", reason="the notebook extra is not installed")
pytest.importorskip("ipykernel", reason="the notebook extra is not installed")
pytest.importorskip("matplotlib", reason="the plot extra is not installed")

TOUR = Path(__file__).resolve().parents[1] / "examples" / "tour.ipynb"
GRADIENT = r"\mathbf{A}^T \mathbf{C} \mathbf{X}^T \mathbf{B}^T + \mathbf{B}^T \mathbf{X}^T"


def _outputs(nb, kind: str) -> list[str]:
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            data = o.get("data", {})
            if kind in data:
                out.append(data[kind])
            elif kind == "stream" and o.get("output_type") == "stream":
                out.append(o["text"])
    return out


def test_tour_runs_and_displays_rich_output(tmp_path):
    nb = nbformat.read(TOUR, as_version=4)
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    latex = _outputs(nb, "text/latex")
    assert any(GRADIENT in t for t in latex), latex[:2]
    assert any(r"\operatorname{diag}" in t for t in latex)  # the Hessian A'*diag(exp(A*x))*A
    markdown = _outputs(nb, "text/markdown")
    assert any("differential method" in m for m in markdown)
    assert any("index" in m.lower() for m in markdown)
    assert _outputs(nb, "image/png"), "the check plot shows itself"
    printed = "".join(_outputs(nb, "stream"))
    assert "gradient = 2.0 * (A.T @ t1)" in printed
    assert "smallest relative error" in printed
    plain = _outputs(nb, "text/plain")
    assert "A'*C*X'*B' + B'*X'*A'*C" in plain


def test_nbconvert_makes_a_page_with_the_math(tmp_path):
    done = subprocess.run([sys.executable, "-m", "nbconvert", "--execute", "--to", "html",
                           str(TOUR), "--output-dir", str(tmp_path)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "tour.html").read_text()
    assert GRADIENT in html
    assert "MathJax" in html  # the page typesets the LaTeX outputs
