"""The base of every expression node: :class:`Expr`, its children, rebuilding and shape.

Every node is a frozen, slotted dataclass whose equality and hash are derived from its fields
(the hash and the children computed once per node). The node classes are
:mod:`matcal.core.nodes`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Callable, ClassVar

from matcal.core.shapes import SCALAR, Shape


@dataclass(frozen=True, slots=True)
class Expr:
    """Base of all matrix expression nodes. ``shape`` is the node's symbolic shape."""

    _shape: Shape = field(init=False, repr=False, compare=False, hash=False)
    _hash: int = field(init=False, repr=False, compare=False, hash=False)  # once computed
    _children: tuple = field(init=False, repr=False, compare=False, hash=False)  # likewise

    # Set by matcal.printing.text and .latex at import: nodes don't know printers (STYLE 4).
    str_hook: ClassVar[Callable[["Expr"], str] | None] = None
    latex_hook: ClassVar[Callable[["Expr"], str] | None] = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "_shape", self._compute_shape())

    def _compute_shape(self) -> Shape:
        return SCALAR

    @property
    def shape(self) -> Shape:
        return self._shape

    def children(self) -> tuple[Expr, ...]:
        """The sub-expressions, in field order (tuple fields flattened); computed once."""
        try:
            return self._children
        except AttributeError:
            out = self._find_children()
            object.__setattr__(self, "_children", out)
            return out

    def _find_children(self) -> tuple[Expr, ...]:
        out: list[Expr] = []
        for f in _child_fields(type(self)):
            value = getattr(self, f)
            if isinstance(value, tuple):
                out.extend(value)
            elif isinstance(value, Expr):
                out.append(value)
        return tuple(out)

    def rebuild(self, *children: Expr) -> Expr:
        """A node of the same class and parameters with ``children`` in place of its own."""
        kwargs = {}
        rest = list(children)
        for f in fields(self):
            if not f.init:
                continue
            value = getattr(self, f.name)
            if isinstance(value, tuple) and f.name in _child_fields(type(self)):
                kwargs[f.name], rest = tuple(rest[: len(value)]), rest[len(value) :]
            elif isinstance(value, Expr):
                kwargs[f.name], rest = rest[0], rest[1:]
            else:
                kwargs[f.name] = value
        return type(self)(**kwargs)

    def __str__(self) -> str:
        if Expr.str_hook is None:
            return repr(self)
        return Expr.str_hook(self)

    def _repr_latex_(self) -> str | None:
        """Jupyter's rich display: the expression typeset (``$...$``)."""
        return None if Expr.latex_hook is None else f"${Expr.latex_hook(self)}$"

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict[str, str]:
        """Jupyter's display: the input-language text and, when known, the LaTeX."""
        bundle = {"text/plain": str(self)}
        latex = self._repr_latex_()
        if latex is not None:
            bundle["text/latex"] = latex
        return bundle


_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(cls: type) -> tuple[str, ...]:
    names = _CHILD_FIELDS.get(cls)
    if names is None:
        names = tuple(
            f.name for f in fields(cls) if f.init and f.type in ("Expr", "tuple[Expr, ...]")
        )
        _CHILD_FIELDS[cls] = names
    return names


def cache_hash(cls: type) -> None:
    """Make ``cls.__hash__`` (the dataclass's, from the fields) computed once per node: a
    node's hash then costs its children's cached hashes, not a walk of the whole tree."""
    by_fields = cls.__hash__

    def cached(self) -> int:
        try:
            return self._hash
        except AttributeError:
            h = by_fields(self)
            object.__setattr__(self, "_hash", h)
            return h

    cls.__hash__ = cached
