"""Syntax errors of the input language as messages that say where, what, and what to do.

Lark reports an unexpected character or token and the terminals it expected; this module
turns that into a :class:`~matcal.core.errors.ParseError` with the caret at the offending place,
the expected terminals in words, and advice for the usual slips: a look-alike character
pasted from a paper (``−``, ``×``, ``ᵀ``, a Cyrillic ``А``), an index that is a number
(``x[1]``), a control character.
"""

from __future__ import annotations

import unicodedata

from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from matcal.core.errors import ParseError

TERMINALS = {
    "NUMBER": "a number", "NAME": "a name", "LPAR": "'('", "RPAR": "')'", "COMMA": "','",
    "PLUS": "'+'", "MINUS": "'-'", "STAR": "'*'", "DOTSTAR": "'.*'", "DOTSLASH": "'./'",
    "SLASH": "'/'", "CARET": "'^'", "DOTCARET": "'.^'", "TICK": "'", "COLON": "':'",
    "LSQB": "'['", "RSQB": "']'", "$END": "the end of the input",
}
"""Lark's terminal names, in words."""

LOOK_ALIKES = {
    "−": "-", "–": "-", "—": "-", "×": "*", "·": "*", "⋅": "*", "∗": "*", "⊙": ".*",
    "∘": ".*", "⊘": "./", "÷": "/", "ᵀ": "'", "′": "'", "’": "'", "‘": "'", "`": "'",
    "²": "^2", "³": "^3", "⁻¹": "^-1", "√": "sqrt", "Σ": "sum", "∑": "sum", "⊗": "kron",
    "α": "alpha", "β": "beta", "γ": "gamma", "λ": "lambda", "σ": "sigma", "μ": "mu",
    "θ": "theta", "\u00a0": "a space", "\u200b": "nothing (a zero-width space)",
}
"""Characters pasted from papers and what the input language writes instead."""


def syntax_error(text: str, err: UnexpectedInput) -> ParseError:
    """The ParseError for Lark's ``err`` on ``text``."""
    if isinstance(err, UnexpectedCharacters):
        return _unexpected_character(text, err.pos_in_stream)
    if isinstance(err, UnexpectedEOF) or (
        isinstance(err, UnexpectedToken) and err.token.type == "$END"
    ):
        expected = expected_words(getattr(err, "expected", ()))
        return ParseError(f"the expression ends too early; expected {expected}", text, len(text))
    assert isinstance(err, UnexpectedToken)
    pos = err.token.start_pos if err.token.start_pos is not None else err.pos_in_stream
    hint = ""
    if err.token.type == "NUMBER" and "COLON" in err.expected:
        hint = ("; indices are names bound by sum(k, ...), as in sum(k, x[k]): matcal does not "
                "select entries by number")
    return ParseError(
        f"unexpected {err.token.value!r}; expected {expected_words(err.expected)}{hint}",
        text, pos,
    )


def _unexpected_character(text: str, pos: int) -> ParseError:
    char = text[pos]
    name = unicodedata.name(char, f"U+{ord(char):04X}")
    shown = repr(char) if char.isprintable() else f"U+{ord(char):04X}"
    what = f"unexpected character {shown}"
    if not char.isascii() or not char.isprintable():
        known = unicodedata.name(char, None)
        what += f" ({known.lower()})" if known else " (a control character)"
    fix = LOOK_ALIKES.get(text[pos : pos + 2]) or LOOK_ALIKES.get(char)
    if fix is None and not char.isascii():
        plain = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
        fix = plain if plain.isprintable() and plain else None
        if fix is None and "LETTER" in name:
            fix = _latin_look_alike(name)
    if fix:
        return ParseError(f"{what}; write {fix} instead", text, pos)
    if char.isascii() and char.isprintable():
        return ParseError(f"{what}; the input language has no {char!r} (see matcal --help)",
                          text, pos)
    return ParseError(f"{what}; matcal reads ASCII names, numbers and operators only", text, pos)


def _latin_look_alike(name: str) -> str | None:
    """'A' for CYRILLIC CAPITAL LETTER A and the like: letters that look Latin."""
    last = name.split()[-1]
    if len(last) == 1 and last.isalpha():
        return last if "CAPITAL" in name else last.lower()
    return None


def expected_words(names) -> str:
    words = sorted({TERMINALS.get(n, n) for n in names})
    if len(words) > 6:
        return "an operand or an operator"
    return ", ".join(words) or "something else"
