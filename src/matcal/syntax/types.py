"""The naming convention and the ``types`` option: which kind of value each name stands for.

By default the first letter decides, as on matrixcalculus.org: ``a``–``g`` scalars, ``h``–``z``
vectors, ``A``–``Z`` matrices; Greek names in lower case are scalars. ``types`` overrides it
per name (``{"x": "scalar", "S": "symmetric"}``).
"""

from __future__ import annotations

from typing import Mapping

from matcal.core.errors import OptionsError

KINDS = ("scalar", "vector", "matrix", "square", "symmetric", "integer")
"""The kinds of value a name can stand for; a square matrix is n×n (so ``inv(A*X*B)`` =
``inv(B)*inv(X)*inv(A)`` for square A, X, B); an integer is a scalar that may be a matrix
power's exponent (``X^k``)."""

ALIASES = {"scal": "scalar", "vec": "vector", "mat": "matrix", "sq": "square",
           "sym": "symmetric", "int": "integer"}
"""Short forms of the kinds, accepted wherever a kind is."""

GREEK = frozenset(
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi "
    "rho sigma tau upsilon phi chi psi omega".split()
)


def default_kind(name: str) -> str:
    """The kind a name has by the naming convention.

    >>> default_kind("x"), default_kind("b"), default_kind("X"), default_kind("lambda")
    ('vector', 'scalar', 'matrix', 'scalar')
    """
    if name in GREEK or name[0] in "abcdefg":
        return "scalar"
    if name[0].islower() or name[0] == "_":
        return "vector"
    return "matrix"


def check_types(types: Mapping[str, str] | None) -> dict[str, str]:
    """Validate a ``types`` mapping (name → one of ``KINDS``, or a short form of one in
    ``ALIASES``: ``sym``, ``vec``, ``mat``); returns it with the kinds spelled out.

    Raises:
        OptionsError: not a mapping, or an unknown kind.

    >>> check_types({"S": "sym", "x": "vector"})
    {'S': 'symmetric', 'x': 'vector'}
    """
    if types is not None and not isinstance(types, Mapping):
        raise OptionsError(f"types must be a mapping from each name to its kind, e.g. "
                           f"{{'x': 'scalar'}}; got {type(types).__name__} {types!r}")
    out = {name: ALIASES.get(kind, kind) if isinstance(kind, str) else kind
           for name, kind in (types or {}).items()}
    for name, kind in out.items():
        if kind not in KINDS:
            raise OptionsError(
                f"types: {name!r} has kind {kind!r}; use one of {', '.join(KINDS)}"
            )
    return out
