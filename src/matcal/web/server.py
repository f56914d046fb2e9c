"""``matcal serve``: the page and its JSON API on a local server (Starlette and uvicorn, the
optional extra ``matcal[web]``).

Routes: ``GET /`` the page (one HTML file, its script and style from this package: no build
step, no CDN, works offline); ``POST /api/derive`` (:mod:`matcal.web.service`);
``GET /api/health``. Every response carries a restrictive Content-Security-Policy (scripts,
styles and requests from this origin only; no frames, no plugins). Request bodies over
:data:`MAX_BODY` bytes are refused; derivations run in worker processes with a time limit
(:mod:`matcal.web.workers`), and answers are cached by request (a derivation is
deterministic: the checks use a fixed seed).
"""

from __future__ import annotations

import argparse
import collections
import ipaddress
import json
import sys
import threading
from importlib import resources
from typing import Any, Sequence

from matcal.web.service import MAX_EXPRESSION, failure
from matcal.web.workers import WorkerPool

MAX_BODY = 20_000
"""Largest request body (bytes): an expression of MAX_EXPRESSION characters and its options."""

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; "
       "frame-ancestors 'none'")
HEADERS = {"content-security-policy": CSP, "x-content-type-options": "nosniff",
           "referrer-policy": "no-referrer", "x-frame-options": "DENY"}
STATIC = {"app.js": "text/javascript; charset=utf-8", "app.css": "text/css; charset=utf-8"}
STATUS = {"busy": 503, "TimeLimit": 504, "InternalError": 500}


class _Cache:
    """The answers to the last ``size`` distinct requests."""

    def __init__(self, size: int = 512):
        self.size = size
        self.items: collections.OrderedDict[str, dict] = collections.OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> dict | None:
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key: str, value: dict) -> None:
        with self.lock:
            self.items[key] = value
            while len(self.items) > self.size:
                self.items.popitem(last=False)


def create_app(workers: int = 2, time_limit: float = 10.0):
    """The Starlette application (its worker pool starts with it and ends with it)."""
    from contextlib import asynccontextmanager

    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    cache = _Cache()

    def error(kind: str, message: str, status: int) -> JSONResponse:
        return JSONResponse(failure(kind, message), status_code=status, headers=HEADERS)

    async def page(request):
        html = resources.files("matcal.web").joinpath("static/index.html").read_text("utf-8")
        return Response(html, media_type="text/html; charset=utf-8", headers=HEADERS)

    async def static(request):
        name = request.path_params["name"]
        if name not in STATIC:
            return error("NotFound", f"no file {name}", 404)
        body = resources.files("matcal.web").joinpath(f"static/{name}").read_bytes()
        return Response(body, media_type=STATIC[name], headers=HEADERS)

    async def health(request):
        return JSONResponse({"ok": True, "max_expression": MAX_EXPRESSION}, headers=HEADERS)

    async def api_derive(request):
        body = await request.body()
        if len(body) > MAX_BODY:
            return error("OptionsError", f"the request has {len(body):,} bytes; at most "
                         f"{MAX_BODY:,} are taken (an expression may have at most "
                         f"{MAX_EXPRESSION:,} characters)", 413)
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return error("OptionsError", "the request is not JSON: send an object such as "
                         '{"expression": "tr(A*X*B)", "wrt": "X"}', 400)
        key = json.dumps(payload, sort_keys=True)
        answer = cache.get(key)
        if answer is None:
            answer = await run_in_threadpool(request.app.state.pool.run, payload)
            if "error" not in answer or answer["error"]["kind"] not in STATUS:
                cache.put(key, answer)
        status = 200 if "error" not in answer else STATUS.get(answer["error"]["kind"], 400)
        return JSONResponse(answer, status_code=status, headers=HEADERS)

    @asynccontextmanager
    async def lifespan(app):
        app.state.pool = WorkerPool(workers, time_limit)
        try:
            yield
        finally:
            app.state.pool.close()

    routes = [Route("/", page), Route("/static/{name}", static), Route("/api/health", health),
              Route("/api/derive", api_derive, methods=["POST"])]
    return Starlette(routes=routes, lifespan=lifespan)


def serve_main(argv: Sequence[str]) -> int:
    """``matcal serve [--port N] [--host H] [--workers N] [--time-limit S]``."""
    parser = argparse.ArgumentParser(prog="matcal serve",
                                     description="Serve matcal's page on a local server.")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to bind (default 127.0.0.1, this machine only)")
    parser.add_argument("--workers", type=int, default=2,
                        help="worker processes that derive (default 2)")
    parser.add_argument("--time-limit", type=float, default=10.0,
                        help="seconds a derivation may take before it is stopped (default 10)")
    args = parser.parse_args(list(argv))
    try:
        import uvicorn
    except ImportError:
        print("error: matcal serve needs the web extra: pip install 'matcal[web]'",
              file=sys.stderr)
        return 2
    if not _loopback(args.host):
        print(f"warning: binding {args.host}: the page will be reachable from other machines; "
              "it has no authentication", file=sys.stderr)
    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"matcal: serving on http://{shown}:{args.port}/  (Ctrl-C to stop)", flush=True)
    uvicorn.run(create_app(args.workers, args.time_limit), host=args.host, port=args.port,
                log_level="warning")
    return 0


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run_in_thread(app: Any, port: int):
    """Start ``app`` with uvicorn in a background thread on 127.0.0.1:``port`` (for tests and
    the load test); returns the server, whose ``should_exit = True`` stops it."""
    import time

    import uvicorn
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(600):
        if server.started:
            return server
        time.sleep(0.05)
    raise RuntimeError("the server did not start")
