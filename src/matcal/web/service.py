"""The JSON API's one operation, ``derive``: a request in, a record out, never a traceback.

A request is a JSON object: ``expression`` (at most :data:`MAX_EXPRESSION` characters),
``wrt`` (a name; empty for X, else x, else the first variable of the expression), ``order``
(1 gradient or Jacobian, 2 Hessian, … up to :data:`MAX_WEB_ORDER`), ``types`` (name → kind),
``method`` (``differential`` or ``index``, for the steps) and ``steps`` / ``code``
(booleans, default true). The answer has the fields of ``matcal --json`` — expression, wrt,
derivative, latex, shapes, check — plus ``mathml`` (the derivative typeset, from
latex2mathml), ``variables``, ``steps`` (each derivation's lines, their rule, justification
and check, with MathML) and ``code`` (the NumPy, JAX and PyTorch modules). A user error is
``{"error": {...}}`` with its kind, message, position and the input line with a caret.
"""

from __future__ import annotations

import math
from typing import Any

from matcal.api import derivative
from matcal.checking import check_derivative, explain
from matcal.codegen import TARGETS, generate
from matcal.core.errors import MatcalError, OptionsError, caret_context
from matcal.core.nodes import variables
from matcal.derivation.render import to_records
from matcal.numeric.gradcheck import METHOD
from matcal.syntax.parse import parse_source
from matcal.syntax.types import check_types

MAX_EXPRESSION = 2000
"""Longest expression the page and the API take (characters)."""

MAX_WEB_ORDER = 4
"""Highest order the API derives (the command line goes higher)."""

FIELDS = {"expression", "wrt", "order", "types", "method", "steps", "code"}


def mathml(latex: str, display: str = "block") -> str | None:
    """Presentation MathML for ``latex`` (browsers render it natively); None if the
    converter cannot read it (the page then shows the LaTeX)."""
    try:
        from latex2mathml.converter import convert  # the optional extra matcal[web]
        return convert(latex, display=display)
    except Exception:  # noqa: BLE001 - a converter's failure only loses the typesetting
        return None


def error_record(err: MatcalError) -> dict[str, Any]:
    """``{"error": {"kind", "message", "position", "line", "caret"}}`` for a user error."""
    caret = None if err.text is None or err.pos is None else caret_context(err.text, err.pos)
    return failure(type(err).__name__, err.message, err.pos, err.text, caret)


def failure(kind: str, message: str, position: int | None = None, line: str | None = None,
            caret: str | None = None) -> dict[str, Any]:
    """The one shape of every error answer: ``{"error": {kind, message, position, line,
    caret}}`` (no input line for an error that is not about the input)."""
    return {"error": {"kind": kind, "message": message, "position": position, "line": line,
                      "caret": caret}}


def derive(request: Any) -> dict[str, Any]:
    """The record for one request (see the module docstring); user errors as records."""
    try:
        return _derive(request)
    except MatcalError as err:
        return error_record(err)


def _check_request(request: Any) -> tuple[str, str, int, dict, str, bool, bool]:
    if not isinstance(request, dict):
        raise OptionsError("the request must be a JSON object with at least an 'expression'")
    unknown = set(request) - FIELDS
    if unknown:
        raise OptionsError(f"unknown field(s) {', '.join(sorted(unknown))}; the fields are "
                           f"{', '.join(sorted(FIELDS))}")
    text = request.get("expression")
    if not isinstance(text, str) or not text.strip():
        raise OptionsError("'expression' must be the text of an expression, e.g. tr(A*X*B)")
    if len(text) > MAX_EXPRESSION:
        raise OptionsError(f"the expression has {len(text):,} characters; the page takes at "
                           f"most {MAX_EXPRESSION:,} (use the command line for longer ones)")
    wrt = request.get("wrt") or ""
    order = request.get("order", 1)
    if not isinstance(order, int) or isinstance(order, bool) or not 1 <= order <= MAX_WEB_ORDER:
        raise OptionsError(f"'order' must be a whole number from 1 to {MAX_WEB_ORDER}, got "
                           f"{order!r}")
    types = request.get("types") or {}
    method = request.get("method", "differential")
    if method not in ("differential", "index"):
        raise OptionsError(f"'method' must be 'differential' or 'index', got {method!r}")
    flags = [request.get(k, True) for k in ("steps", "code")]
    if not all(isinstance(f, bool) for f in flags):
        raise OptionsError("'steps' and 'code' must be true or false")
    if not isinstance(wrt, str):
        raise OptionsError(f"'wrt' must be a variable's name, got {wrt!r}")
    return text, wrt.strip(), order, check_types(types), method, flags[0], flags[1]


def _derive(request: Any) -> dict[str, Any]:
    text, wrt, order, types, method, with_steps, with_code = _check_request(request)
    parsed = parse_source(text, types)
    names = list(variables(parsed.expr))
    if not wrt:
        if not names:
            raise OptionsError("the expression has no variable to differentiate by")
        wrt = next((n for n in ("X", "x") if n in names), names[0])
    d = derivative(parsed, wrt, order, types)
    record = d.as_dict()
    record["order"] = order
    record["variables"] = names
    record["mathml"] = mathml(f"{_lhs(d)} = {d.to_latex()}")
    error = check_derivative(d, seed=0)
    record["check"] = error if math.isfinite(error) else None
    record["check_method"] = METHOD
    if with_steps:
        record["steps"], record["steps_error"] = _steps(d, method)
    if with_code:
        record["code"], record["code_error"] = _code(parsed, wrt, order, types)
    return record


def _lhs(d) -> str:
    """∂f/∂X, ∂²f/∂X², … in LaTeX, for the typeset result."""
    x = f"\\mathbf{{{d.wrt.name}}}" if d.wrt.shape.dims else d.wrt.name
    if d.order == 1:
        return rf"\frac{{\partial f}}{{\partial {x}}}"
    return rf"\frac{{\partial^{d.order} f}}{{\partial {x}^{d.order}}}"


def _steps(d, method: str) -> tuple[list | None, str | None]:
    """The derivation's records with MathML, or (None, why not)."""
    try:
        derivation = explain(d, method=method, seed=0)
    except MatcalError as err:
        return None, err.message
    records = to_records(derivation)
    for r in records:
        r["title_mathml"] = mathml(r["function"])
        r["result_mathml"] = mathml(r["result"])
        for line in r["lines"]:
            line["mathml"] = mathml(line["latex"], "inline")
    return records, None


def _code(parsed, wrt: str, order: int, types) -> tuple[dict | None, str | None]:
    """Each target's module, or (None, why not)."""
    try:
        return {t: generate(parsed, wrt, order, t, types).source for t in TARGETS}, None
    except MatcalError as err:
        return None, err.message
