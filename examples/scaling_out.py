"""Run matcal's generated JAX code on data sharded across devices.

The logistic loss and its gradient by w, generated once; the data matrix X and the labels y
are split row-wise over every device with ``jax.sharding``, w is replicated, and the same
jitted function runs on the sharded arrays — XLA inserts the reductions across devices. The
value and gradient are compared with a run on one device.

On a machine without several accelerators, make four virtual CPU devices:

    XLA_FLAGS=--xla_force_host_platform_device_count=4 python examples/scaling_out.py
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("JAX_PLATFORMS", "cpu")

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
from jax.sharding import Mesh, NamedSharding, PartitionSpec  # noqa: E402

import matcal  # noqa: E402


def main() -> int:
    jax.config.update("jax_enable_x64", True)
    code = matcal.generate("sum(log(vector(1) + exp(-y.*(X*w))))", "w", target="jax")
    step = jax.jit(code.function)  # arguments in code.arguments order: y, X, w

    devices = jax.devices()
    rows, features = 4096 * len(devices), 64
    rng = np.random.default_rng(0)
    X = rng.standard_normal((rows, features))
    y = np.sign(rng.standard_normal(rows))
    w = 0.1 * rng.standard_normal(features)

    mesh = Mesh(np.array(devices), ("data",))
    by_rows = NamedSharding(mesh, PartitionSpec("data"))       # rows split over devices
    replicated = NamedSharding(mesh, PartitionSpec())
    Xs = jax.device_put(X, by_rows)
    ys = jax.device_put(y, by_rows)
    ws = jax.device_put(w, replicated)

    value, gradient = step(y=ys, X=Xs, w=ws)
    one_value, one_gradient = step(y=jnp.asarray(y), X=jnp.asarray(X), w=jnp.asarray(w))

    print(f"devices: {len(devices)} ({', '.join(str(d) for d in devices)})")
    print(f"X is sharded over: {sorted(str(d) for d in Xs.sharding.device_set)}")
    print(f"shard shapes of X: {[s.data.shape for s in Xs.addressable_shards]}")
    same = (np.allclose(value, one_value, rtol=1e-12)
            and np.allclose(gradient, one_gradient, rtol=1e-10, atol=1e-12))
    print(f"value {float(value):.6f}; gradient norm {float(jnp.linalg.norm(gradient)):.6f}; "
          f"same as on one device: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
