"""The left side of a definition in index notation: ``T[i,j] = …`` or ``dF[i,j]/dX[k,l] = …``.
"""

from __future__ import annotations

import re

from matcal.core.errors import ParseError

_IDX = r"[A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*"
_PLAIN_LHS = re.compile(rf"\s*[A-Za-z_]\w*\s*\[\s*({_IDX})\s*\]\s*\Z")
_DERIVATIVE_LHS = re.compile(
    rf"\s*d(\d*)\s*[A-Za-z_]\w*\s*(?:\[\s*({_IDX})\s*\])?\s*/"
    rf"((?:\s*d\s*[A-Za-z_]\w*\s*\[\s*{_IDX}\s*\])+)\s*\Z"
)
_WRT_PART = re.compile(rf"d\s*([A-Za-z_]\w*)\s*\[\s*({_IDX})\s*\]")


def _names(group: str | None) -> tuple[str, ...]:
    return tuple(n.strip() for n in group.split(",")) if group else ()


def split_definition(text: str):
    """For ``T[i,j] = …`` or ``dF[i,j]/dX[k,l] = …``: (left side, the text with the left side
    blanked out so positions in errors still point into the original text); else (None, text).

    The left side is (all index names in order, [(variable, its index names), …]).
    """
    k = text.find("=")
    if k < 0:
        return None, text
    lhs = text[:k]
    plain = _PLAIN_LHS.match(lhs)
    derivative = None if plain else _DERIVATIVE_LHS.match(lhs)
    if plain:
        out, parts = _names(plain.group(1)), []
    elif derivative:
        parts = [(v, _names(ix)) for v, ix in _WRT_PART.findall(derivative.group(3))]
        out = _names(derivative.group(2)) + tuple(n for _, ix in parts for n in ix)
        if derivative.group(1) and int(derivative.group(1)) != len(parts):
            raise ParseError(f"d{derivative.group(1)} needs {derivative.group(1)} d-terms "
                             f"below the bar, got {len(parts)}", text, 0)
    else:
        raise ParseError(
            "'=' defines a tensor in index notation: write T[i,j] = A[i,k]*B[k,j], or a "
            "derivative dF[i,j]/dX[k,l] = …", text, k
        )
    if len(set(out)) != len(out):
        raise ParseError("an index appears twice on the left side", text, 0)
    return (out, parts), " " * (k + 1) + text[k + 1 :]
