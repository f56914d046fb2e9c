"""Random well-typed expressions, each with an independent JAX translation (the fuzzer's half
that knows nothing of matcal).

A generated expression is a :class:`Gen`: its text in the input language, its shape in a
small shape algebra over two dims n and m, and a function that computes its value with
``jax.numpy`` from the values of the variables. Text and function are built side by side by
the same constructor, so the function is the meaning of the text as the language defines it
(DESIGN.md, "Input language") — it shares no code with matcal's parser or evaluator.

Variables (their kinds are passed to matcal explicitly, ``TYPES``):

    scalars a, c, alpha       vectors x, y (n), z (m)
    matrices A (m×n), D (n×m), X, B (n×n), S (n×n symmetric), C (m×m)

Coverage: every operator, every element-wise and matrix function, every kind (symmetric
included), constants sized by context (``vector(c)``, ``matrix(c)``, ``eye``), index sums with
selections (``sum(k, x[k]*E)``, ``B[k,:]``, ``A[:,k]``), powers of powers with fractional
exponents on bases of either sign, element-wise powers with matrix exponents, matrix powers,
nested inverses and determinants of well-conditioned matrices, Kronecker products.
Domains: ``log``, ``sqrt`` and fractional powers only of positive expressions; ``inv``,
``det``, ``logdet`` and negative matrix powers only of matrices built to be well conditioned.
Non-smooth functions (``abs``, ``sign``, ``relu``, ``step``, ``norm1``, ``norm2``) record how far
their argument is from the kink, so a comparison there can be skipped.

A :class:`Source` gives the random choices: ``RandomSource`` (NumPy, for the benchmark) or
``DrawSource`` (Hypothesis ``data.draw``, for the tests).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

S, VN, VM = (), ("n",), ("m",)
RN, RM = ("1", "n"), ("1", "m")  # row vectors: the transpose of a vector
MNN, MMM, MMN, MNM = ("n", "n"), ("m", "m"), ("m", "n"), ("n", "m")
SHAPES = (S, VN, VM, MNN, MMM, MMN, MNM)

TYPES = {
    "a": "scalar", "c": "scalar", "alpha": "scalar",
    "x": "vector", "y": "vector", "z": "vector",
    "A": "matrix", "D": "matrix", "X": "matrix", "B": "matrix", "C": "matrix",
    "S": "symmetric",
}
SHAPE_OF = {"a": S, "c": S, "alpha": S, "x": VN, "y": VN, "z": VM, "A": MMN, "D": MNM,
            "X": MNN, "B": MNN, "C": MMM, "S": MNN}
VARIABLES = {shape: [n for n, s in SHAPE_OF.items() if s == shape] for shape in SHAPES}


class Env:
    """What a translation reads: the values (jnp arrays), the sizes of n and m, the values
    of the indices bound by enclosing sums, and the kink margins seen so far."""

    def __init__(self, values, sizes, jnp):
        self.values = values
        self.sizes = sizes
        self.jnp = jnp
        self.index: dict[str, int] = {}
        self.kinks: list[float] = []

    def dims(self, shape) -> tuple[int, ...]:
        return tuple(self.sizes[d] for d in shape if d != "1")

    def kink(self, arg) -> None:
        """Record min |arg| when the value is concrete (not while JAX traces)."""
        try:
            self.kinks.append(float(np.min(np.abs(np.asarray(arg)))))
        except Exception:  # a tracer: margins come from the concrete pass
            pass


Fn = Callable[[Env], object]


@dataclass(frozen=True)
class Gen:
    """A generated expression: input-language text, shape, and its JAX meaning."""

    text: str
    shape: tuple
    fn: Fn = field(compare=False)

    @property
    def is_scalar(self) -> bool:
        return self.shape == S


# ---------------------------------------------------------------- sources of randomness


class RandomSource:
    def __init__(self, rng: np.random.Generator):
        self.rng = rng

    def choice(self, options):
        return options[int(self.rng.integers(len(options)))]

    def integer(self, lo: int, hi: int) -> int:
        return int(self.rng.integers(lo, hi + 1))


class DrawSource:
    def __init__(self, data):
        from hypothesis import strategies as st
        self.data, self.st = data, st

    def choice(self, options):
        return options[self.data.draw(self.st.integers(0, len(options) - 1))]

    def integer(self, lo: int, hi: int) -> int:
        return self.data.draw(self.st.integers(lo, hi))


# ---------------------------------------------------------------- helpers


def _ones_text(shape) -> str:
    if shape == S:
        return "1"
    if shape in (RN, RM):
        return "vector(1)'"
    return "vector(1)" if len(shape) == 1 else "matrix(1)"


def _square(shape) -> bool:
    return len(shape) == 2 and shape[0] == shape[1]


def _t(shape):
    """Shape of the transpose."""
    if len(shape) == 1:
        return ("1", shape[0])
    if shape and shape[0] == "1":
        return (shape[1],)
    return tuple(reversed(shape))


def _matmul_jnp(jnp, u, v, su, sv):
    """Matrix product with 1-D vectors as columns and rows, as the language means them."""
    if su == S or sv == S:
        return u * v
    if len(su) == 1 and sv[0] == "1":  # column times row: outer product
        return jnp.outer(u, v)
    return u @ v


SMOOTH = ["exp", "sin", "cos", "tanh", "sigmoid", "softplus", "sinh", "cosh", "tan", "arctan",
          "expm1", "erf"]
POSITIVE = ["log", "sqrt", "log1p"]
"""Functions drawn with a positive argument (their domain)."""
UNIT = ["arcsin", "arccos"]
"""Functions drawn with an argument in (-1, 1): tanh(u)/2."""
KINKED = ["abs", "sign", "relu", "step"]
JAX_FN = {
    "exp": lambda j, u: j.exp(u), "log": lambda j, u: j.log(u), "sin": lambda j, u: j.sin(u),
    "cos": lambda j, u: j.cos(u), "tan": lambda j, u: j.tan(u), "sinh": lambda j, u: j.sinh(u),
    "cosh": lambda j, u: j.cosh(u), "tanh": lambda j, u: j.tanh(u),
    "sqrt": lambda j, u: j.sqrt(u), "abs": lambda j, u: j.abs(u),
    "sign": lambda j, u: j.sign(u), "relu": lambda j, u: j.maximum(u, 0.0),
    "step": lambda j, u: j.where(u > 0, 1.0, 0.0) * j.ones_like(u),
    "sigmoid": lambda j, u: 1 / (1 + j.exp(-u)),
    "softplus": lambda j, u: j.logaddexp(0.0, u),
    "arctan": lambda j, u: j.arctan(u), "arcsin": lambda j, u: j.arcsin(u),
    "arccos": lambda j, u: j.arccos(u), "log1p": lambda j, u: j.log1p(u),
    "expm1": lambda j, u: j.expm1(u), "erf": lambda j, u: _jax_erf(u),
}


def _jax_erf(u):
    from jax.scipy.special import erf  # JAX is imported only where a translation runs

    return erf(u)


# ---------------------------------------------------------------- the generator


class Generator:
    """Draws expressions of a given shape from a :class:`Source`, at most ``depth`` deep."""

    def __init__(self, source, depth: int = 4):
        self.src = source
        self.depth = depth
        self.bound: list[tuple[str, str]] = []  # (index name, its dim) of enclosing sums

    # ------------------------------------------------------------ entry

    def expression(self, shape, depth: int | None = None) -> Gen:
        depth = self.depth if depth is None else depth
        if depth <= 0 or self.src.integer(0, 3) == 0:
            return self.leaf(shape)
        options = self.options(shape)
        return self.src.choice(options)(depth - 1)

    def leaf(self, shape) -> Gen:
        if shape == S:
            if self.bound and self.src.integer(0, 2) == 0:
                return self.selection_scalar()
            kind = self.src.integer(0, 3)
            if kind == 0:
                v = self.src.choice(["2", "0.5", "3", "1.5"])
                return Gen(v, S, lambda env, v=float(v): v)
            name = self.src.choice(VARIABLES[S])
            return Gen(name, S, lambda env, n=name: env.values[n])
        if shape in (RN, RM):
            col = self.leaf(_t(shape))
            return Gen(f"{col.text}'", shape, col.fn)
        name = self.src.choice(VARIABLES[shape])
        return Gen(name, shape, lambda env, n=name: env.values[n])

    # ------------------------------------------------------------ composition

    def sub(self, shape, depth):
        return self.expression(shape, depth)

    def options(self, shape) -> list[Callable[[int], Gen]]:
        o = [
            lambda d: self.binary(shape, d, "+"),
            lambda d: self.binary(shape, d, "-"),
            lambda d: self.negate(shape, d),
            lambda d: self.scaled(shape, d),
            lambda d: self.divided(shape, d),
            lambda d: self.function(shape, d, self.src.choice(SMOOTH)),
            lambda d: self.function(shape, d, self.src.choice(KINKED)),
            lambda d: self.function(shape, d, self.src.choice(POSITIVE), positive=True),
            lambda d: self.unit_function(shape, d, self.src.choice(UNIT)),
            lambda d: self.hadamard(shape, d),
            lambda d: self.quotient(shape, d),
            lambda d: self.elementwise_power(shape, d),
            lambda d: self.power_of_power(shape, d),
            lambda d: self.exponential_power(shape, d),
            lambda d: self.index_sum(shape, d),
        ]
        if shape != S:
            o += [lambda d: self.with_constant(shape, d), lambda d: self.broadcast(shape, d)]
        if shape == S:
            o += self.scalar_options()
        elif len(shape) == 1:
            o += self.vector_options(shape)
        elif shape[0] != "1":
            o += self.matrix_options(shape)
        return o

    def binary(self, shape, d, op) -> Gen:
        u, v = self.sub(shape, d), self.sub(shape, d)
        fn = (lambda env: u.fn(env) + v.fn(env)) if op == "+" else (
            lambda env: u.fn(env) - v.fn(env))
        return Gen(f"({u.text} {op} {v.text})", shape, fn)

    def negate(self, shape, d) -> Gen:
        u = self.sub(shape, d)
        return Gen(f"(-{u.text})", shape, lambda env: -u.fn(env))

    def scaled(self, shape, d) -> Gen:
        s, u = self.sub(S, d), self.sub(shape, d)
        if self.src.integer(0, 1):
            return Gen(f"({s.text}*{u.text})", shape, lambda env: s.fn(env) * u.fn(env))
        return Gen(f"({u.text}*{s.text})", shape, lambda env: u.fn(env) * s.fn(env))

    def divided(self, shape, d) -> Gen:
        u, p = self.sub(shape, d), self.positive(S, d)
        return Gen(f"({u.text}/{p.text})", shape, lambda env: u.fn(env) / p.fn(env))

    def unit_function(self, shape, d, name) -> Gen:
        """arcsin or arccos of tanh(u)/2, inside their domain (-1, 1)."""
        u = self.sub(shape, d)
        return Gen(f"{name}(tanh({u.text})/2)", shape,
                   lambda env: JAX_FN[name](env.jnp, env.jnp.tanh(u.fn(env)) / 2))

    def function(self, shape, d, name, positive=False) -> Gen:
        u = self.positive(shape, d) if positive else self.sub(shape, d)
        kinked = name in KINKED

        def fn(env):
            arg = u.fn(env)
            if kinked:
                env.kink(arg)
            return JAX_FN[name](env.jnp, arg)

        return Gen(f"{name}({u.text})", shape, fn)

    def hadamard(self, shape, d) -> Gen:
        u, v = self.sub(shape, d), self.sub(shape, d)
        return Gen(f"({u.text}.*{v.text})", shape, lambda env: u.fn(env) * v.fn(env))

    def quotient(self, shape, d) -> Gen:
        u, p = self.sub(shape, d), self.positive(shape, d)
        op = "/" if shape == S else "./"
        return Gen(f"({u.text}{op}{p.text})", shape, lambda env: u.fn(env) / p.fn(env))

    def elementwise_power(self, shape, d) -> Gen:
        op = "^" if shape == S else ".^"
        if self.src.integer(0, 1):
            k = self.src.choice(["2", "3", "4"])
            u = self.sub(shape, d)
        else:
            k = self.src.choice(["0.5", "-1", "1.5", "-0.5", "2.5"])
            u = self.positive(shape, d)
        return Gen(f"({u.text}{op}{k})", shape, lambda env, k=float(k): u.fn(env) ** k)

    def power_of_power(self, shape, d) -> Gen:
        """(b.^p).^q on bases of either sign: (b.^2).^0.5 is |b|, not b."""
        op = "^" if shape == S else ".^"
        p = self.src.choice(["2", "4", "-2", "3", "-1"])
        q = self.src.choice(["0.5", "2", "-1", "1.5", "0.25", "3"])
        u = self.sub(shape, d)
        if p in ("3", "-1") and q in ("0.5", "1.5", "0.25"):
            u = self.positive(shape, d)  # a negative base would have no real value
        text = f"(({u.text}{op}{p}){op}{q})"
        return Gen(text, shape, lambda env, p=float(p), q=float(q): (u.fn(env) ** p) ** q)

    def exponential_power(self, shape, d) -> Gen:
        """A positive base to an expression's power: 2.^E, P.^E, and transposed: (2.^E)'."""
        op = "^" if shape == S else ".^"
        e = self.sub(shape, d)
        if self.src.integer(0, 1):
            base = self.src.choice(["2", "3", "0.5"])
            return Gen(f"({base}{op}{e.text})", shape,
                       lambda env, b=float(base): b ** e.fn(env))
        p = self.positive(shape, d)
        return Gen(f"({p.text}{op}{e.text})", shape, lambda env: p.fn(env) ** e.fn(env))

    def with_constant(self, shape, d) -> Gen:
        u, s = self.sub(shape, d), self.sub(S, d)
        const = _ones_text(shape).replace("(1)", f"({s.text})")
        if self.src.integer(0, 1) or shape in (RN, RM):
            const = f"{s.text}*{_ones_text(shape)}"
        return Gen(f"({u.text} + {const})", shape,
                   lambda env: u.fn(env) + s.fn(env) * env.jnp.ones(env.dims(shape)))

    def broadcast(self, shape, d) -> Gen:
        s, u = self.sub(S, d), self.sub(shape, d)
        return Gen(f"({s.text}.*{u.text})", shape, lambda env: s.fn(env) * u.fn(env))

    # ------------------------------------------------------------ positive values

    def positive(self, shape, d) -> Gen:
        """An expression of ``shape`` whose every entry is positive."""
        u = self.sub(shape, max(d - 1, 0))
        j = self.src.integer(0, 4)
        ones = _ones_text(shape)
        if j == 0:
            return Gen(f"exp({u.text})", shape, lambda env: env.jnp.exp(u.fn(env)))
        if j == 1:
            op = "^" if shape == S else ".^"
            return Gen(f"({u.text}{op}2 + 0.5*{ones})" if shape != S else f"({u.text}^2 + 0.5)",
                       shape, lambda env: u.fn(env) ** 2 + 0.5)
        if j == 2:
            return Gen(f"sigmoid({u.text})", shape,
                       lambda env: JAX_FN["sigmoid"](env.jnp, u.fn(env)))
        if j == 3:
            return Gen(f"cosh({u.text})", shape, lambda env: env.jnp.cosh(u.fn(env)))
        two = "2" if shape == S else f"2*{ones}"
        return Gen(f"({two} + tanh({u.text}))", shape, lambda env: 2 + env.jnp.tanh(u.fn(env)))

    # ------------------------------------------------------------ index sums

    def index_sum(self, shape, d) -> Gen:
        if len(self.bound) >= 2:
            return self.leaf(shape)
        name = "kpq"[len(self.bound)]
        dim = self.src.choice(["n", "m"])
        self.bound.append((name, dim))
        try:
            sel = self.selection_scalar(own=True)
            if self.src.integer(0, 2) == 0:
                f = self.src.choice(["exp", "sin", "tanh"])
                sel = Gen(f"{f}({sel.text})", S,
                          lambda env, g=sel.fn, f=f: JAX_FN[f](env.jnp, g(env)))
            body = self.sub(shape, d)
            if shape == S and self.src.integer(0, 1):
                term = Gen(f"({sel.text} + {body.text})", S,
                           lambda env: sel.fn(env) + body.fn(env))
            else:
                term = Gen(f"{sel.text}*{body.text}", shape,
                           lambda env: sel.fn(env) * body.fn(env))
        finally:
            self.bound.pop()

        def fn(env):
            total = 0.0
            for k in range(env.sizes[dim]):
                env.index[name] = k
                total = total + term.fn(env)
            del env.index[name]
            return total

        return Gen(f"sum({name}, {term.text})", shape, fn)

    def selection_scalar(self, own: bool = False) -> Gen:
        """A scalar selected at a bound index: x[k], B[k,:]*x, A[k,:]*x, X[k,k], A[:,k]'*z."""
        name, dim = self.bound[-1] if own else self.src.choice(self.bound)
        def at(env):
            return env.index[name]

        if dim == "n":
            kinds = [
                (f"{self.src.choice(['x', 'y'])}[{name}]", lambda env, v: v[at(env)]),
                (f"(B[{name},:]*x)", lambda env, v: v[at(env)] @ env.values["x"]),
                (f"X[{name},{name}]", lambda env, v: v[at(env), at(env)]),
                (f"(A[:,{name}]'*z)", lambda env, v: v[:, at(env)] @ env.values["z"]),
            ]
        else:
            kinds = [
                (f"z[{name}]", lambda env, v: v[at(env)]),
                (f"(A[{name},:]*y)", lambda env, v: v[at(env)] @ env.values["y"]),
                (f"(C[{name},:]*z)", lambda env, v: v[at(env)] @ env.values["z"]),
            ]
        text, pick = self.src.choice(kinds)
        var = text.strip("(").split("[")[0]  # the selected variable
        return Gen(text, S, lambda env: pick(env, env.values[var]))

    # ------------------------------------------------------------ shapes

    def scalar_options(self):
        def inner(d):
            r = self.src.choice(["n", "m"])
            u, v = self.sub((r,), d), self.sub((r,), d)
            return Gen(f"({u.text}'*{v.text})", S, lambda env: u.fn(env) @ v.fn(env))

        def bilinear(d):
            r, c = self.src.choice(["n", "m"]), self.src.choice(["n", "m"])
            u, m, v = self.sub((r,), d), self.sub((r, c), d), self.sub((c,), d)
            return Gen(f"({u.text}'*{m.text}*{v.text})", S,
                       lambda env: u.fn(env) @ m.fn(env) @ v.fn(env))

        def trace(d):
            m = self.sub(self.src.choice([MNN, MMM]), d)
            return Gen(f"tr({m.text})", S, lambda env: env.jnp.trace(m.fn(env)))

        def det(d):
            w = self.well_conditioned(self.src.choice(["n", "m"]), d)
            return Gen(f"det({w.text})", S, lambda env: env.jnp.linalg.det(w.fn(env)))

        def logdet(d):
            w = self.well_conditioned(self.src.choice(["n", "m"]), d)
            return Gen(f"logdet({w.text})", S,
                       lambda env: env.jnp.linalg.slogdet(w.fn(env))[1])

        def total(d):
            u = self.sub(self.src.choice(SHAPES[1:]), d)
            return Gen(f"sum({u.text})", S, lambda env: env.jnp.sum(u.fn(env)))

        def norm(d):
            u = self.sub(self.src.choice(SHAPES[1:]), d)
            if self.src.integer(0, 1):
                def fn1(env):
                    value = u.fn(env)
                    env.kink(value)
                    return env.jnp.sum(env.jnp.abs(value))
                return Gen(f"norm1({u.text})", S, fn1)

            def fn2(env):
                value = u.fn(env)
                env.kinks.append(float("inf"))
                return env.jnp.sqrt(env.jnp.sum(value**2))
            return Gen(f"norm2({u.text})", S, fn2)

        def integer_power(d):
            u = self.sub(S, d)
            k = self.src.choice(["2", "3"])
            return Gen(f"({u.text}^{k})", S, lambda env, k=int(k): u.fn(env) ** k)

        def kron_trace(d):
            p, q = self.sub(MNN, d), self.sub(MMM, d)
            return Gen(f"tr(kron({p.text}, {q.text}))", S,
                       lambda env: env.jnp.trace(env.jnp.kron(p.fn(env), q.fn(env))))

        def logsumexp(d):
            u = self.sub(self.src.choice([VN, VM]), d)
            return Gen(f"logsumexp({u.text})", S,
                       lambda env: env.jnp.log(env.jnp.sum(env.jnp.exp(u.fn(env)))))

        def diag_inner(d):
            m = self.sub(MNN, d)
            return Gen(f"(diag({m.text})'*x)", S,
                       lambda env: env.jnp.diag(m.fn(env)) @ env.values["x"])

        return [inner, inner, bilinear, trace, trace, det, logdet, total, total, norm,
                integer_power, kron_trace, diag_inner, logsumexp]

    def vector_options(self, shape):
        (r,) = shape

        def times(d):
            c = self.src.choice(["n", "m"])
            m, v = self.sub((r, c), d), self.sub((c,), d)
            return Gen(f"({m.text}*{v.text})", shape, lambda env: m.fn(env) @ v.fn(env))

        def diag(d):
            m = self.sub((r, r), d)
            return Gen(f"diag({m.text})", shape, lambda env: env.jnp.diag(m.fn(env)))

        def solve(d):
            w, v = self.well_conditioned(r, d), self.sub(shape, d)
            return Gen(f"(inv({w.text})*{v.text})", shape,
                       lambda env: env.jnp.linalg.inv(w.fn(env)) @ v.fn(env))

        def row_times(d):  # (v'*M)'
            v, m = self.sub(shape, d), self.sub((r, r), d)
            return Gen(f"({v.text}'*{m.text})'", shape, lambda env: v.fn(env) @ m.fn(env))

        def columns(d):  # sum(k, A[:,k]*x[k]) and the like
            if len(self.bound) >= 2:
                return self.leaf(shape)
            name = "kpq"[len(self.bound)]
            mat, sel = ("A", "y") if r == "m" else ("B", "x")
            return Gen(f"sum({name}, {mat}[:,{name}]*{sel}[{name}])", shape,
                       lambda env: env.values[mat] @ env.values[sel])

        def softmax(d):
            u = self.sub(shape, d)
            return Gen(f"softmax({u.text})", shape,
                       lambda env: env.jnp.exp(u.fn(env)) / env.jnp.sum(env.jnp.exp(u.fn(env))))

        return [times, times, diag, solve, row_times, columns, softmax]

    def matrix_options(self, shape):
        r, c = shape

        def times(d):
            k = self.src.choice(["n", "m"])
            u, v = self.sub((r, k), d), self.sub((k, c), d)
            return Gen(f"({u.text}*{v.text})", shape, lambda env: u.fn(env) @ v.fn(env))

        def outer(d):
            u, v = self.sub((r,), d), self.sub((c,), d)
            return Gen(f"({u.text}*{v.text}')", shape,
                       lambda env: env.jnp.outer(u.fn(env), v.fn(env)))

        def transposed(d):
            u = self.sub((c, r), d)
            return Gen(f"({u.text})'", shape, lambda env: u.fn(env).T)

        out = [times, times, outer, transposed]
        if r == c:
            def diag(d):
                v = self.sub((r,), d)
                return Gen(f"diag({v.text})", shape, lambda env: env.jnp.diag(v.fn(env)))

            def inverse(d):
                w = self.well_conditioned(r, d)
                return Gen(f"inv({w.text})", shape, lambda env: env.jnp.linalg.inv(w.fn(env)))

            def plus_eye(d):
                u = self.sub(shape, d)
                if self.src.integer(0, 1):
                    return Gen(f"({u.text} + eye)", shape,
                               lambda env: u.fn(env) + env.jnp.eye(env.sizes[r]))
                return Gen(f"(2*eye - {u.text})", shape,
                           lambda env: 2 * env.jnp.eye(env.sizes[r]) - u.fn(env))

            def matrix_power(d):
                k = self.src.choice(["2", "3", "-1", "-2", "5"])
                u = self.well_conditioned(r, d) if k.startswith("-") else self.sub(shape, d)
                return Gen(f"({u.text}^{k})", shape,
                           lambda env, k=int(k): env.jnp.linalg.matrix_power(u.fn(env), k))

            out += [diag, inverse, plus_eye, matrix_power]
        return out

    def well_conditioned(self, r, d) -> Gen:
        """A square matrix of dim ``r`` with a modest condition number at the values used."""
        ones = {"n": ["X", "B", "S"], "m": ["C"]}[r]
        j = self.src.integer(0, 5)
        if j == 0:
            name = self.src.choice(ones)
            return Gen(name, (r, r), lambda env: env.values[name])
        if j == 1:
            name = self.src.choice(["X", "B"] if r == "n" else ["C"])
            return Gen(f"({name}*{name}' + eye)", (r, r),
                       lambda env: env.values[name] @ env.values[name].T
                       + env.jnp.eye(env.sizes[r]))
        if j == 2:
            u = self.sub((r, r), d)
            return Gen(f"(3*eye + tanh({u.text})/2)", (r, r),
                       lambda env: 3 * env.jnp.eye(env.sizes[r]) + env.jnp.tanh(u.fn(env)) / 2)
        if j == 3:
            w = self.well_conditioned(r, d - 1) if d > 0 else self.well_conditioned_leaf(r)
            return Gen(f"inv({w.text})", (r, r), lambda env: env.jnp.linalg.inv(w.fn(env)))
        if j == 4:
            w = self.well_conditioned_leaf(r)
            return Gen(f"{w.text}'", (r, r), lambda env: w.fn(env).T)
        v = self.sub((r,), d)
        return Gen(f"(2*eye + diag(sigmoid({v.text})))", (r, r),
                   lambda env: 2 * env.jnp.eye(env.sizes[r]) + env.jnp.diag(
                       JAX_FN["sigmoid"](env.jnp, v.fn(env))))

    def well_conditioned_leaf(self, r) -> Gen:
        name = self.src.choice({"n": ["X", "B", "S"], "m": ["C"]}[r])
        return Gen(name, (r, r), lambda env: env.values[name])


def names_in(text: str) -> list[str]:
    """The variables a generated text uses, in a fixed order."""
    import re
    found = set(re.findall(r"[A-Za-z_]\w*", text))
    return [n for n in SHAPE_OF if n in found]


def values_for(sizes: dict[str, int], rng: np.random.Generator) -> dict[str, np.ndarray | float]:
    """Values of every variable at ``sizes``: entries 0.5·N(0, 1) (negative ones included),
    scalars N(0, 1), square matrices I + 0.3·N(0, 1)/√size (S symmetrized)."""
    out: dict[str, np.ndarray | float] = {}
    for name, shape in SHAPE_OF.items():
        dims = [sizes[d] for d in shape]
        if not dims:
            out[name] = float(rng.standard_normal())
        elif _square(shape):
            k = dims[0]
            value = np.eye(k) + rng.standard_normal(dims) * 0.3 / np.sqrt(k)
            out[name] = (value + value.T) / 2 if TYPES[name] == "symmetric" else value
        else:
            out[name] = rng.standard_normal(dims) * 0.5
    return out
