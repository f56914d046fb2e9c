"""Tables of named rules: every transformation of matcal is one (the rules of differentials,
the index method's expansions, the read-back reductions, the simplifier's rules).

An entry is a :class:`NamedRule`: the name a derivation step or a rewrite report carries, the
identity it applies with its source, and the function that applies it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True, slots=True)
class NamedRule:
    """A rule: its name, the identity it applies (with its source), and its function."""

    name: str
    identity: str
    fn: Callable


def registers(table: dict, name: str, identity: str, *classes: type):
    """A decorator entering its function in ``table`` under each of ``classes``."""
    def register(fn):
        for cls in classes:
            table[cls] = NamedRule(name, identity, fn)
        return fn

    return register


def identity_in(rules, name: str) -> str:
    """The identity of the rule called ``name`` among ``rules``."""
    return next(r.identity for r in rules if r.name == name)
