"""Where the engines say which rewrite rule they fired: the hook of the value-checked mode.

Every engine that rewrites an expression calls :func:`fired` with the rule's name and the
expression before and after it — the parser's folding (``parse: (b.^p).^q``), the
simplifier's rules, the index rules of :mod:`matcal.tensor.terms` and the read-back to matrix form
of :mod:`matcal.forms.matrix` (there, before and after are index-notation tensors or a tensor
and its matrix form). With no observer, :func:`fired` costs one lookup. An observer — the
value checker of :mod:`matcal.numeric.rewrite_check`, or a recorder — is installed for a block with
:func:`observing`, per context (so per thread and per task), never as process-global state;
the environment variable ``MATCAL_CHECK_REWRITES=1`` installs the checker for a whole process,
for debugging.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Callable, Iterator

Observer = Callable[[str, Any, Any], None]

_OBSERVER: ContextVar[Observer | None] = ContextVar("matcal_rewrite_observer", default=None)
_DIMS: ContextVar[Callable | None] = ContextVar("matcal_dim_resolver", default=None)


def active() -> bool:
    """Whether an observer listens (engines skip building what only an observer needs)."""
    return _OBSERVER.get() is not None


def fired(rule: str, before: Any, after: Any) -> None:
    """Report that ``rule`` rewrote ``before`` into ``after`` (which must have its value)."""
    observer = _OBSERVER.get()
    if observer is not None and before is not after and before != after:
        token = _OBSERVER.set(None)  # the observer's own work fires no rules
        try:
            observer(rule, before, after)
        finally:
            _OBSERVER.reset(token)


@contextmanager
def observing(observer: Observer | None) -> Iterator[None]:
    """Install ``observer`` for the block (None: none)."""
    token = _OBSERVER.set(observer)
    try:
        yield
    finally:
        _OBSERVER.reset(token)


@contextmanager
def recording() -> Iterator[list[tuple[str, Any, Any]]]:
    """Record the rules fired in the block as (rule, before, after), in order, passing each on
    to the observer already installed (so the value-checked mode still checks them)."""
    outer = _OBSERVER.get()
    log: list[tuple[str, Any, Any]] = []

    def record(rule: str, before: Any, after: Any) -> None:
        log.append((rule, before, after))
        if outer is not None:
            outer(rule, before, after)

    with observing(record):
        yield log


def observe_from_now(observer: Observer | None) -> None:
    """Install ``observer`` in the current context, for good (the debug flag's way)."""
    _OBSERVER.set(observer)


@contextmanager
def resolving_dims(find: Callable) -> Iterator[None]:
    """While a parser unifies dims, ``find`` maps a dim to its representative, so an observer
    sizes dims that are already one but not yet renamed alike."""
    token = _DIMS.set(find)
    try:
        yield
    finally:
        _DIMS.reset(token)


def dim_resolver() -> Callable | None:
    return _DIMS.get()
