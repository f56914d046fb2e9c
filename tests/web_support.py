"""Shared by the web tests: a free port, and whether the web extra is installed."""

from __future__ import annotations

import importlib.util
import socket

HAS_WEB = all(importlib.util.find_spec(m) for m in ("starlette", "uvicorn", "latex2mathml",
                                                     "httpx"))
WHY = "the web extra is not installed: pip install 'matcal[web]' (and httpx for the tests)"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
