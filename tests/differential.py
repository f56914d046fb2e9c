"""Differential testing of matcal against JAX: one random case, its outcome.

A case is a generated expression (:mod:`jax_reference`), the variable to differentiate by,
the order, the sizes of n and m, and a seed for the values. :func:`run_case` compares

- matcal's value of the expression with the JAX translation's (catches parse-time folding);
- matcal's derivative, evaluated, with ``jax.jacobian`` / ``jax.hessian`` / ``jax.jacfwd``
  of the translation in float64 (symmetrized for a symmetric variable, the convention
  sym(G) = (G + Gᵀ)/2 of DESIGN.md);
- the value of the printed derivative, parsed back, with the derivative's own value,

and classifies it: ``correct``, ``wrong``, ``refused`` (a MatcalError, which says what and
where), ``crashed`` (any other exception: a bug), ``too slow`` (over the time limit),
``parse-back`` (printed text that does not parse back to the same value) or ``skipped``
(the reference is not finite, or a non-smooth function sits at its kink).
"""

from __future__ import annotations

import signal
import time
from dataclasses import dataclass

import numpy as np

from jax_reference import (
    S, SHAPE_OF, SHAPES, TYPES, Env, Gen, Generator, names_in, values_for,
)

OUTCOMES = ("correct", "wrong", "refused", "crashed", "too slow", "parse-back", "skipped")
TOLERANCE = 1e-6
"""Largest max|ours − truth| / (1 + max|truth|) that counts as equal."""


@dataclass(frozen=True)
class Case:
    text: str
    shape: tuple
    wrt: str
    order: int
    sizes: tuple[int, int]
    seed: int
    gen: Gen | None = None

    def describe(self) -> str:
        kind = {1: "derivative", 2: "hessian"}.get(self.order, f"order {self.order}")
        return f"{kind} of {self.text!r} by {self.wrt} at n, m = {self.sizes}, seed {self.seed}"


@dataclass(frozen=True)
class Outcome:
    kind: str
    detail: str = ""
    seconds: float = 0.0


def draw_case(source, depth: int = 4) -> Case:
    """A random case: the expression's shape (mostly scalar), the expression, a variable it
    contains (now and then one it does not), the order (1; 2 or 3 for scalars), sizes in
    1..4 and a value seed."""
    shape = source.choice([S, S, S, S, S, S] + list(SHAPES[1:]))
    gen = Generator(source, depth).expression(shape)
    names = names_in(gen.text) or list(SHAPE_OF)
    wrt = source.choice(names) if source.integer(0, 9) else source.choice(list(SHAPE_OF))
    order = 1
    if shape == S:
        order = source.choice([1, 1, 1, 2, 2, 3]) if len(SHAPE_OF[wrt]) < 2 else source.choice(
            [1, 1, 1, 2])
    sizes = (source.integer(1, 4), source.integer(1, 4))
    return Case(gen.text, shape, wrt, order, sizes, source.integer(0, 2**20), gen)


class _TooSlow(Exception):
    pass


def _alarm(signum, frame):
    raise _TooSlow()


def _relative(ours, truth) -> float:
    ours, truth = np.asarray(ours, dtype=float), np.asarray(truth, dtype=float)
    if ours.shape != truth.shape:
        return np.inf
    scale = 1.0 + float(np.max(np.abs(truth), initial=0))
    return float(np.max(np.abs(ours - truth), initial=0)) / scale


def _finite(value, bound: float = 1e6) -> bool:
    value = np.asarray(value)
    return bool(np.all(np.isfinite(value))) and float(np.max(np.abs(value), initial=0)) < bound


def reference(case: Case):
    """(values, f, derivative, kink margin) from JAX, float64, or None when not finite."""
    import jax
    import jax.numpy as jnp
    jax.config.update("jax_enable_x64", True)

    sizes = {"n": case.sizes[0], "m": case.sizes[1]}
    values = values_for(sizes, np.random.default_rng(case.seed))
    jvalues = {k: jnp.asarray(v) for k, v in values.items()}
    env = Env(jvalues, sizes, jnp)
    f = np.asarray(case.gen.fn(env))
    margin = min(env.kinks, default=np.inf)

    def f_of(w):
        return case.gen.fn(Env({**jvalues, case.wrt: w}, sizes, jnp))

    d = f_of
    for n in range(case.order):
        d = jax.jacfwd(d) if n >= 1 else jax.jacobian(d)
    truth = np.asarray(d(jvalues[case.wrt]))
    if TYPES[case.wrt] == "symmetric":
        rank = len(f.shape)
        for n in range(case.order):
            a, b = rank + 2 * n, rank + 2 * n + 1
            truth = (truth + np.swapaxes(truth, a, b)) / 2
    return values, f, truth, margin


def matcal_side(case: Case, values):
    """(value of f, value of the derivative, the derivative's text, value of that text)."""
    import matcal
    e = matcal.parse(case.text, TYPES)
    names = set(matcal.core.nodes.variables(e)) | {case.wrt}
    own = {k: v for k, v in values.items() if k in names}
    f = matcal.evaluate(e, {k: v for k, v in own.items() if k in matcal.core.nodes.variables(e)},
                        shape=np.shape(values_for_shape(case, values)))
    d = matcal.derivative(e, case.wrt, case.order, TYPES)
    dv = matcal.evaluate(d, own)
    text = str(d)
    try:
        matcal.parse(text, TYPES)
        # the text itself, as a user evaluates it: a constant the parser folds away with the
        # variable that sized it (logsumexp(0*x.^0)) is still sized by that variable's value
        bv = matcal.evaluate(text, own, TYPES, shape=np.shape(dv))
    except matcal.MatcalError as err:
        raise ParseBack(f"{text} does not parse back: {err.message.splitlines()[0]}") from None
    return f, dv, text, bv


class ParseBack(Exception):
    """The printed derivative is not input that evaluates."""


def values_for_shape(case: Case, values) -> np.ndarray:
    """An array of the expression's numeric shape (which sizes what folded away)."""
    sizes = {"n": case.sizes[0], "m": case.sizes[1]}
    return np.zeros(tuple(sizes[d] for d in case.shape))


def run_case(case: Case, timeout: float = 10.0) -> Outcome:
    """Compare matcal with JAX on ``case``; see the module docstring for the outcomes."""
    import matcal
    with np.errstate(all="ignore"):
        try:
            values, f, truth, margin = reference(case)
        except Exception as err:  # noqa: BLE001 - the reference itself failed: not ours
            return Outcome("skipped", f"reference failed: {type(err).__name__}: {err}")
    if not (_finite(f) and _finite(truth)):
        return Outcome("skipped", "not finite at the values")
    if margin < 1e-4:
        return Outcome("skipped", "a non-smooth function at its kink")
    start = time.perf_counter()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        with np.errstate(all="ignore"):
            ours_f, ours, text, back = matcal_side(case, values)
    except ParseBack as err:
        return Outcome("parse-back", str(err), time.perf_counter() - start)
    except _TooSlow:
        return Outcome("too slow", f"over {timeout:g} s", time.perf_counter() - start)
    except matcal.MatcalError as err:
        return Outcome("refused", err.message.splitlines()[0], time.perf_counter() - start)
    except Exception as err:  # noqa: BLE001 - a crash is what we are looking for
        return Outcome("crashed", f"{type(err).__name__}: {err}", time.perf_counter() - start)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    seconds = time.perf_counter() - start
    if _relative(ours_f, f) > TOLERANCE:
        return Outcome("wrong", f"value {ours_f} where JAX has {f}", seconds)
    error = _relative(ours, truth)
    if error > TOLERANCE:
        return Outcome("wrong", f"derivative {text} off by {error:.2g} (relative)", seconds)
    if _relative(back, ours) > TOLERANCE:
        return Outcome("parse-back", f"{text} parses back to another value", seconds)
    return Outcome("correct", "", seconds)
