"""The three targets: NumPy, JAX and PyTorch, each a :class:`CodePrinter` and its module's
imports and helpers.

The NumPy printer is the base; the JAX printer differs in its module (``jnp``) and in calling
JAX's own sigmoid, softplus and erf; the torch printer in its names (``torch.sum(.., dim=)``,
``.mT``), in taking dtype and device for constants from the arguments, and in its
``slogdet``. All three keep vectors 1-D.
"""

from __future__ import annotations

from matcal.codegen.printer import CodePrinter, atomic
from matcal.core.shapes import Dim, Shape


class NumPyPrinter(CodePrinter):
    """NumPy code (``import numpy as np``)."""

    target = "numpy"
    imports = ("import numpy as np",)


HELPERS = {
    "_sigmoid": ("def _sigmoid(x):\n"
                 "    \"\"\"1 / (1 + exp(-x)), written through tanh: no overflow.\"\"\"\n"
                 "    return 0.5 * (1.0 + np.tanh(0.5 * x))"),
    "_softplus": ("def _softplus(x):\n"
                  "    \"\"\"log(1 + exp(x)) without overflow.\"\"\"\n"
                  "    return np.logaddexp(0.0, x)"),
    "_relu": "def _relu(x):\n    return np.maximum(x, 0.0)",
    "_step": "def _step(x):\n    return np.heaviside(x, 0.0)",
    "_erf": ("def _erf(x):\n"
             "    import math\n"
             "    return np.vectorize(math.erf, otypes=[float])(x)"),
    "_logsumexp": ("def _logsumexp(x):\n"
                   "    \"\"\"m + log sum exp(x - m), m = max x: no overflow.\"\"\"\n"
                   "    m = np.max(x)\n"
                   "    return m + np.log(np.sum(np.exp(x - m)))"),
    "_softmax": ("def _softmax(x):\n"
                 "    z = np.exp(x - np.max(x))\n"
                 "    return z / np.sum(z)"),
}
"""The NumPy module's helper functions, by name; a module holds those its code calls."""


class JaxPrinter(CodePrinter):
    """JAX code (``import jax.numpy as jnp``): pure, with no Python control flow on values,
    so it runs under ``jax.jit``, ``jax.vmap`` and on sharded arrays."""

    target = "jax"
    module = "jnp"
    imports = ("import jax", "import jax.numpy as jnp")
    FUNCTIONS = {
        **{k: v.replace("np.", "jnp.") for k, v in CodePrinter.FUNCTIONS.items()},
        "sigmoid": "jax.nn.sigmoid", "softplus": "jax.nn.softplus", "relu": "jax.nn.relu",
        "erf": "jax.scipy.special.erf", "step": "_step",
    }

    def matvec(self, m: str, v: str) -> str:
        """Mᵀv as vᵀM (``v @ M``): XLA on the CPU runs a transposed matrix times a vector
        several times slower than the vector times the matrix."""
        if m.endswith(".T") and atomic(m[:-2]):
            return self.dot(v, m[:-2])
        return self.dot(m, v)

    def logsumexp(self, text: str) -> str:
        return f"jax.nn.logsumexp({text})"

    def softmax(self, text: str) -> str:
        return f"jax.nn.softmax({text})"


JAX_HELPERS = {"_step": "def _step(x):\n    return jnp.heaviside(x, 0.0)"}


class TorchPrinter(CodePrinter):
    """PyTorch code (``import torch``): works on CPU and CUDA tensors and under
    ``torch.compile``; constants take the dtype and device of the arguments (``_like``)."""

    target = "torch"
    module = "torch"
    imports = ("import torch",)
    FUNCTIONS = {
        **{k: v.replace("np.", "torch.") for k, v in CodePrinter.FUNCTIONS.items()},
        "sigmoid": "torch.sigmoid", "softplus": "torch.nn.functional.softplus",
        "relu": "torch.relu", "erf": "torch.erf", "step": "_step",
    }

    transpose_suffix = ".mT"

    def total(self, text: str, axis: int | None = None) -> str:
        return self.call("sum", text) if axis is None else self.call("sum", text,
                                                                       f"dim={axis}")

    def constant(self, kind: str, shape: Shape) -> str:
        return self.call(kind, self.size(shape), "dtype=_like.dtype", "device=_like.device")

    def eye(self, d: Dim) -> str:
        return self.call("eye", self.dims_of(d), "dtype=_like.dtype", "device=_like.device")

    def logabsdet(self, a: str) -> str:
        return self.linalg("slogdet", a) + ".logabsdet"

    def kron(self, a: str, b: str) -> str:
        """``torch.kron`` of contiguous tensors (it fails on a transposed view)."""
        return self.call("kron", *(f"{t}.contiguous()" if t.endswith(".mT") else t
                                   for t in (a, b)))

    def sum_squares(self, text: str, vector: bool) -> str:
        return self.call("dot", text, text) if vector else self.total(f"{text} * {text}")

    def einsum(self, spec: str, operands: list[str]) -> str:
        return self.call("einsum", repr(spec), *operands)

    def logsumexp(self, text: str) -> str:
        return self.call("logsumexp", text, "0")

    def softmax(self, text: str) -> str:
        return self.call("softmax", text, "0")


TORCH_HELPERS = {"_step": "def _step(x):\n    return (x > 0).to(x.dtype)"}

PRINTERS: dict[str, type[CodePrinter]] = {
    "numpy": NumPyPrinter, "jax": JaxPrinter, "torch": TorchPrinter,
}
"""The targets by name."""

TARGET_HELPERS = {"numpy": HELPERS, "jax": JAX_HELPERS, "torch": TORCH_HELPERS}
