"""The one exception hierarchy of matcal, rooted at :class:`MatcalError`.

Every error a user can cause is a ``MatcalError`` whose message says where (the input line
with a caret under the position, when there is an input text), what went wrong, and what to
do. The CLI prints the message and exits with status 2; nothing else is ever shown.
"""

from __future__ import annotations


class MatcalError(Exception):
    """Base class of every error matcal raises on bad input.

    Args:
        message: what went wrong and what to do about it.
        text: the input text the error refers to, if any.
        pos: 0-based character offset into ``text`` to mark with a caret.
    """

    def __init__(self, message: str, text: str | None = None, pos: int | None = None):
        self.message = message
        self.text = text
        self.pos = pos
        super().__init__(self.render())

    def render(self) -> str:
        """The message, preceded by the input line with a caret under ``pos`` when known."""
        if self.text is None or self.pos is None:
            return self.message
        return f"{caret_context(self.text, self.pos)}\n{self.message}"


def caret_context(text: str, pos: int) -> str:
    """The line of ``text`` containing offset ``pos``, and a caret under that offset.

    >>> print(caret_context("tr(A*X", 6))
      tr(A*X
            ^
    """
    pos = max(0, min(pos, len(text)))
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    end = end if end >= 0 else len(text)
    left, right = "", ""
    if pos - start > WINDOW // 2:  # a long line: a window around the caret
        start, left = pos - WINDOW // 2, "…"
    if end - start > WINDOW:
        end, right = start + WINDOW, "…"
    # control characters would move the caret or the terminal: shown as U+FFFD
    line = "".join(c if c.isprintable() else "\ufffd" for c in text[start:end])
    return f"  {left}{line}{right}\n  {' ' * (len(left) + pos - start)}^"


WINDOW = 76
"""Characters of the input line shown around the caret (the line is cut to that window)."""


class ParseError(MatcalError):
    """The text is not in the input language (syntax error, unknown function or name)."""


class ShapeError(MatcalError):
    """Operand shapes do not fit an operator; the message names the operator and both shapes."""


class DerivativeError(MatcalError):
    """A derivative was asked for that this call cannot give (e.g. ``gradient`` of a non-scalar)."""


class ValuesError(MatcalError):
    """Numeric values are missing, of the wrong kind, or of inconsistent sizes."""


class OptionsError(MatcalError):
    """An options mapping has an unknown key or a bad value (e.g. a bad ``types`` entry)."""


class ConstantError(ParseError):
    """A constant that is not a finite real number: ``1/0``, ``2^1024``, ``nan``."""
