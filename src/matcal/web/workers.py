"""Derivations in worker processes, each with a time limit: a request that overruns ends its
worker (a new one takes its place), so a pathological expression cannot hold the server.

:class:`WorkerPool` keeps ``size`` processes, each running :func:`matcal.web.service.derive`
on the requests sent down its pipe. :meth:`WorkerPool.run` takes an idle worker (waiting at
most ``wait`` seconds for one), sends the request and waits at most ``time_limit`` seconds
for the answer.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
from typing import Any

from matcal.web.service import derive, failure


def _serve(conn) -> None:
    """A worker's loop: ``ready`` once imported, then a request in, its record out, until the
    pipe closes."""
    conn.send("ready")
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        try:
            answer = derive(request)
        except Exception as err:  # noqa: BLE001 - a bug: reported, never a traceback
            answer = failure("InternalError", f"internal error ({type(err).__name__}); "
                                              "please report the expression")
        conn.send(answer)


STARTUP = 120.0
"""Seconds a new worker may take to import matcal and say it is ready."""


class _Worker:
    def __init__(self, context):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child,), daemon=True)
        self.process.start()
        child.close()
        if not self.conn.poll(STARTUP) or self.conn.recv() != "ready":
            self.stop()
            raise RuntimeError("a worker process did not start")

    def stop(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


class WorkerPool:
    """``size`` worker processes answering derivation requests within ``time_limit`` s."""

    def __init__(self, size: int = 2, time_limit: float = 10.0, wait: float = 30.0):
        self.time_limit = time_limit
        self.wait = wait
        # spawn, not fork: the server has threads (and may have imported JAX), and a fork of
        # a threaded process can deadlock; a worker says when it is ready
        self.context = multiprocessing.get_context("spawn")
        self.idle: queue.Queue[_Worker] = queue.Queue()
        self.lock = threading.Lock()
        self.workers = [_Worker(self.context) for _ in range(size)]
        for w in self.workers:
            self.idle.put(w)

    def run(self, request: Any) -> dict[str, Any]:
        """The record for ``request``, or an error record when the time limit is hit or no
        worker is free within ``wait`` seconds."""
        try:
            worker = self.idle.get(timeout=self.wait)
        except queue.Empty:
            return failure("busy", f"the server is busy; every worker has been taken for "
                                   f"{self.wait:g} s: try again")
        try:
            worker.conn.send(request)
            if worker.conn.poll(self.time_limit):
                answer = worker.conn.recv()
                self.idle.put(worker)
                return answer
        except (EOFError, OSError, BrokenPipeError):
            pass
        self._replace(worker)
        return failure("TimeLimit", f"the derivation took longer than the "
                                    f"{self.time_limit:g} s limit and was stopped; try a "
                                    "lower order, the gradient alone (no steps), or the "
                                    "command line")

    def _replace(self, worker: _Worker) -> None:
        worker.stop()
        fresh = _Worker(self.context)
        with self.lock:
            self.workers = [fresh if w is worker else w for w in self.workers]
        self.idle.put(fresh)

    def close(self) -> None:
        for w in self.workers:
            w.stop()

