"""The generated JAX function runs unchanged on arrays sharded across devices (issue 9):
examples/scaling_out.py, in its own process with four virtual CPU devices, shards the data
matrix row-wise and gets the value and gradient of one device."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[1] / "examples" / "scaling_out.py"


@pytest.mark.skipif(importlib.util.find_spec("jax") is None,
                    reason="JAX is not installed: pip install 'matcal[jax]'")
def test_sharded_run_matches_one_device(report_summary):
    env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=4",
           "JAX_PLATFORMS": "cpu"}
    done = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True,
                          env=env, timeout=300)
    for line in done.stdout.splitlines():  # the devices used, in the run's summary
        report_summary(f"sharded JAX run: {line}")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "devices: 4" in done.stdout
    assert "X is sharded over: ['cpu:0', 'cpu:1', 'cpu:2', 'cpu:3']" in done.stdout
    assert "same as on one device: True" in done.stdout
