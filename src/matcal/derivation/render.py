r"""Renderers of a :class:`~matcal.derivation.steps.Derivation`: plain text, Markdown, LaTeX.

They only render (STYLE 6): every rule, expression and number comes from the derivation.
Each shows the chain of equalities a person writes by hand — ``f = …``, ``df = … = …``,
``∇f = … = …`` — one line per step, with the step's rule, its justification and the outcome
of its numerical check, and at the end the result and its check against central
differences. A Jacobian reads ``J = …`` off ``df = J dx``; a Hessian shows the gradient's
derivation first, then the Jacobian of the gradient: ``∇f = …``, ``d(∇f) = …``, ``H = …``.

- :func:`to_text`: for a terminal; expressions in the input language (``tr(A*dX*B)``), index
  forms in its index syntax (``Σ_i A[i,j]*B[k,i]``), an unexpanded differential as ``d(A*X)``.
- :func:`to_markdown`: a numbered list, math in ``$…$`` (GitHub, Jupyter).
- :func:`to_latex`: an ``align`` environment, the justifications in ``\text{…}``.

The printers here extend matcal's text and LaTeX printers by the one node they do not know,
the unexpanded differential d(U), and print dX as d\mathbf{X}.
"""

from __future__ import annotations

from matcal.derivation.differentials import Differential
from matcal.derivation.index_form import (
    IndexForm, form_latex, form_text, free_names, subscript_latex, subscript_text,
)
from matcal.derivation.steps import RESULT_NAMES, Derivation, Shown, Step
from matcal.core.nodes import Transpose, Var
from matcal.printing.latex import LatexPrinter, symbol
from matcal.printing.text import TextPrinter

METHOD_NAMES = {"differential": "differential method (Ang)", "index": "index method (Traa)"}


class _Text(TextPrinter):
    """The input-language printer, and d(U) as ``dA`` or ``d(A*X)``."""

    def _print_Differential(self, e: Differential) -> str:
        if isinstance(e.arg, Var):
            return "d" + e.arg.name
        return "d(" + self.doprint(e.arg) + ")"


class _Latex(LatexPrinter):
    r"""The LaTeX printer, d(U) as ``d\mathbf{A}`` or ``d\left(…\right)``, and dX as
    ``d\mathbf{X}``."""

    def __init__(self, differential: str | None, wrt: str):
        self.differential = differential
        self.wrt = wrt

    def _print_Differential(self, e: Differential) -> str:
        if isinstance(e.arg, Var):
            return "d" + self.doprint(e.arg)
        return "d" + self.wrap(self.doprint(e.arg))

    def _print_Var(self, e: Var) -> str:
        if e.name == self.differential:
            return "d" + symbol(self.wrt, bold=not e.shape.is_scalar)
        return super()._print_Var(e)

    def _print_Transpose(self, e: Transpose) -> str:
        if isinstance(e.arg, Differential) or (
            isinstance(e.arg, Var) and e.arg.name == self.differential
        ):
            return self.wrap(self.doprint(e.arg)) + "^T"
        return super()._print_Transpose(e)


_TEXT = _Text()


def shown_text(shown: Shown) -> str:
    """The text of what a step shows: an expression (d(U) as ``d(U)``) or an index form.

    >>> from matcal.syntax.parse import parse
    >>> shown_text(Differential(parse("A*X")))
    'd(A*X)'
    """
    return form_text(shown) if isinstance(shown, IndexForm) else _TEXT.doprint(shown)


def check_text(step: Step | Derivation) -> str:
    """``verified: relative error 3.1e-13``, ``FAILED: relative error 0.5`` or
    ``not checked``.

    >>> check_text(Step("r", None, None, "", "f", True, 3.14e-13))
    'verified: relative error 3.1e-13'
    """
    if step.verified is None or step.error is None:
        return "not checked"
    error = "0" if step.error == 0 else f"{step.error:.1e}"
    return ("verified" if step.verified else "FAILED") + f": relative error {error}"


KIND_NAMES = {"gradient": "Gradient", "jacobian": "Jacobian", "hessian": "Hessian"}


def _start(d: Derivation) -> Shown:
    """What the steps start from: f, or for a Hessian the gradient ∇f."""
    return d.first.result if d.first is not None else d.expression


def _lines(d: Derivation, shown, label) -> list[tuple[str, str, Step | None]]:
    """(left side, right side, step) per line: a left side only where it changes."""
    current = label("f", None)
    out: list[tuple[str, str, Step | None]] = [(current, shown(_start(d)), None)]
    for step in d.steps:
        lhs = label(step.lhs, step.after)
        out.append(("" if lhs == current else lhs, shown(step.after), step))
        current = lhs
    return out


# ---------------------------------------------------------------- text


def to_text(d: Derivation) -> str:
    """The derivation for a terminal: one equality per line, the rule under it.

    >>> from matcal.checking import explain
    >>> lines = to_text(explain("tr(A*X)", "X")).splitlines()
    >>> print(lines[9]); print(lines[11])
         = tr(A*dX)
      ∇f = A'

    """
    shown, label = shown_text, _labeler(d, latex=False)
    out = []
    if d.first is not None:
        out += [to_text(d.first), ""]
    lines = _lines(d, shown, label)
    width = max(len(lhs) for lhs, _, _ in lines)
    out += [_title(d, shown), ""]
    for lhs, rhs, step in lines:
        out.append(f"  {lhs:>{width}} = {rhs}")
        if step is not None:
            out.append(f"  {'':>{width}}     {step.rule}: {step.justification} "
                       f"[{check_text(step)}]")
    out += ["", f"{RESULT_NAMES[d.kind]} = {shown(d.result)}", _summary(d)]
    return "\n".join(out)


def _labeler(d: Derivation, latex: bool):
    """The left side of a line, in text or LaTeX: f (∇f in a Hessian's Jacobian steps), its
    differential, f in index notation (f[i]), a partial derivative in index notation
    (∂f/∂X[j,k], ∂f[i]/∂x[j], ∂²f/∂x[i]∂x[j]), or the result read off (∇f, J, H)."""
    hessian = d.kind == "hessian"
    if latex:
        x = symbol(d.wrt, False)
        fn = r"\nabla f" if hessian else "f"
        results = {"gradient": r"\nabla_{" + _wrt_latex(d) + "} f", "jacobian": r"\mathbf{J}",
                   "hessian": r"\mathbf{H}"}
        sub = subscript_latex
    else:
        x, fn, results, sub = d.wrt, "∇f" if hessian else "f", RESULT_NAMES, subscript_text
    df = ("d" + (r"\left(\nabla f\right)" if latex else "(∇f)")) if hessian else "df"

    def label(lhs: str, after: Shown | None) -> str:
        if lhs == "partial" and isinstance(after, IndexForm):
            names = free_names(after)
            n = len(_start(d).shape.dims)  # f's own indices come first
            if hessian:
                top, bottom = "∂²f", f"∂{x}{sub(names[:n])}∂{x}{sub(names[n:])}"
            else:
                top, bottom = f"∂{fn}{sub(names[:n])}", f"∂{x}{sub(names[n:])}"
            if latex:
                top = top.replace("∂²", r"\partial^2 ").replace("∂", r"\partial ")
                bottom = bottom.replace("∂", r" \partial ").strip()
                return r"\frac{" + top + "}{" + bottom + "}"
            return f"{top}/{bottom}"
        if lhs == "f" and isinstance(after, IndexForm):  # f_i in index notation
            return fn + sub(free_names(after))
        return {"f": fn, "df": df, "grad": results[d.kind]}.get(lhs, lhs)

    return label


def _title(d: Derivation, shown) -> str:
    if d.kind == "hessian":
        return (f"Hessian of f = {shown(d.expression)} with respect to {d.wrt}: the Jacobian "
                f"of the gradient, H = ∂(∇f)/∂{d.wrt}, {METHOD_NAMES[d.method]}")
    return (f"{KIND_NAMES[d.kind]} of f = {shown(d.expression)} with respect to {d.wrt}, "
            f"{METHOD_NAMES[d.method]}")


def _summary(d: Derivation, capital: bool = True) -> str:
    steps = "every step verified numerically" if all(s.verified for s in d.steps) else \
        f"{sum(1 for s in d.steps if s.verified)} of {len(d.steps)} steps verified numerically"
    against = "differences of the gradient" if d.kind == "hessian" else "central differences"
    text = f"{steps}; {d.kind} against {against}: {check_text(d)}"
    return text[0].upper() + text[1:] if capital else text


# ---------------------------------------------------------------- LaTeX


def _wrt_latex(d: Derivation) -> str:
    """X in bold, x in italics: the result has axes beyond those of what the steps start
    from exactly when X has axes."""
    return symbol(d.wrt, bold=len(d.result.shape.dims) > len(_start(d).shape.dims))


def _latex_printer(d: Derivation):
    """(LaTeX of what a step shows, LaTeX of a left side) for ``d``."""
    printer = _Latex(d.differential, d.wrt)

    def shown(s: Shown) -> str:
        return form_latex(s) if isinstance(s, IndexForm) else printer.doprint(s)

    return shown, _labeler(d, latex=True)


_LATEX_TEXT = [
    ("⁻¹", r"$^{-1}$"), ("\\", r"\textbackslash{}"), ("_", r"\_"), ("^", r"\^{}"),
    ("&", r"\&"), ("%", r"\%"), ("#", r"\#"), ("{", r"\{"), ("}", r"\}"), ("·", r"$\cdot$"),
    ("ᵀ", r"$^T$"), ("⊙", r"$\odot$"), ("⊘", r"$\oslash$"), ("⊗", r"$\otimes$"),
    ("∂", r"$\partial$"), ("−", "-"), ("Σ", r"$\Sigma$"), ("δ", r"$\delta$"),
    ("∇", r"$\nabla$"), ("‖", r"$\|$"), ("₁", r"$_1$"), ("⟨", r"$\langle$"),
    ("⟩", r"$\rangle$"), ("′", "'"),
]


def latex_text(text: str) -> str:
    r"""Plain text for ``\text{…}``: special characters escaped, math symbols as LaTeX.

    >>> latex_text("d(XY) = dX·Y, G_ij")
    'd(XY) = dX$\\cdot$Y, G\\_ij'
    """
    out = ""
    i = 0
    while i < len(text):
        for old, new in _LATEX_TEXT:
            if text.startswith(old, i):
                out += new
                i += len(old)
                break
        else:
            out += text[i]
            i += 1
    return out


def to_latex(d: Derivation) -> str:
    r"""The derivation as an ``align`` environment (amsmath), one step per line.

    >>> from matcal.checking import explain
    >>> print(to_latex(explain("tr(A*X)", "X")).splitlines()[1])
    \begin{align}
    """
    shown, label = _latex_printer(d)
    out = [to_latex(d.first), ""] if d.first is not None else []
    out += [f"% {_title(d, str)}; {_summary(d, capital=False)}", r"\begin{align}"]
    rows = []
    for lhs, rhs, step in _lines(d, shown, label):
        note = "" if step is None else (
            r" && \text{" + latex_text(f"{step.rule}: {step.justification} "
                                       f"({check_text(step)})") + "}")
        rows.append(f"{lhs} &= {rhs}{note}")
    out.append(" \\\\\n".join(rows))
    out.append(r"\end{align}")
    return "\n".join(out)


# ---------------------------------------------------------------- Markdown


def to_markdown(d: Derivation) -> str:
    """The derivation as Markdown: a numbered list of equalities in ``$…$``.

    >>> from matcal.checking import explain
    >>> print(to_markdown(explain("tr(A*X)", "X")).splitlines()[2])
    1. $f = \\operatorname{tr}\\left(\\mathbf{A} \\mathbf{X}\\right)$
    """
    out: list[str] = []
    for r in to_records(d):  # the gradient's derivation first, for a Hessian
        if out:
            out.append("")
        what = "the Jacobian of the gradient, " if r["kind"] == KIND_NAMES["hessian"] else ""
        out += [f"**{r['kind']} of ${r['function']}$ with respect to ${r['wrt']}$**, "
                f"{what}{r['method']}", ""]
        for n, line in enumerate(r["lines"], 1):
            item = f"{n}. ${line['latex']}$"
            if line["rule"] is not None:
                item += f"  \n   *{line['rule']}*: {line['justification']} ({line['check']})"
            out.append(item)
        out += ["", f"Result: ${r['result']}$. {r['summary']}."]
    return "\n".join(out)


def to_records(d: Derivation) -> list[dict]:
    """The derivation as data for a page: one record per derivation (the gradient's first,
    for a Hessian), each with its ``title`` (LaTeX of f and X, kind, method), ``lines`` —
    ``latex`` (the equality), ``rule``, ``justification``, ``check`` (in words) and
    ``verified`` (None for the first line) — and the ``result`` and ``summary``."""
    shown, label = _latex_printer(d)
    out = to_records(d.first) if d.first is not None else []
    lines, current = [], label("f", None)
    for lhs, rhs, step in _lines(d, shown, label):
        current = lhs or current
        lines.append({"latex": f"{current} = {rhs}",
                      "rule": None if step is None else step.rule,
                      "justification": None if step is None else step.justification,
                      "check": None if step is None else check_text(step),
                      "verified": None if step is None else step.verified})
    out.append({"kind": KIND_NAMES[d.kind], "method": METHOD_NAMES[d.method],
                "function": shown(d.expression), "wrt": _wrt_latex(d), "lines": lines,
                "result": f"{label('grad', d.result)} = {shown(d.result)}",
                "summary": _summary(d)})
    return out


def render(d: Derivation, format: str = "text") -> str:
    """The derivation in ``format``: ``"text"``, ``"markdown"`` or ``"latex"``.

    Raises:
        ValueError: an unknown format.

    >>> from matcal.checking import explain
    >>> print(render(explain("tr(A*X)", "X"), "markdown").splitlines()[-1][:47])
    Result: $\\nabla_{\\mathbf{X}} f = \\mathbf{A}^T$.
    """
    renderers = {"text": to_text, "markdown": to_markdown, "latex": to_latex}
    if format not in renderers:
        raise ValueError(f"format must be one of {', '.join(renderers)}, got {format!r}")
    return renderers[format](d)


Derivation.markdown_hook = to_markdown
