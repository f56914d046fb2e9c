"""Benchmark: text to printed gradient, matcal against SymPy's ``MatrixSymbol.diff``.

For every seed case with a known gradient, times ``str(matcal.gradient(expr, wrt, types))``
(parsing included) and, side by side, SymPy's ``.diff`` of the same problem and the printing
of its result. SymPy cannot read the input language: each case is translated by
``matcal.to_sympy`` (MatrixSymbols of the case's example shapes), once, outside the timed
region, so SymPy's time excludes parsing, which favours SymPy. SymPy's answer is checked numerically
against matcal's gradient at random values of the example shapes.

Timing: ``time.perf_counter``, one warm-up call, then the median over repeats, with the
garbage collector off during each call (as ``timeit`` does). SymPy's global cache is cleared
before every call (outside the timed region) unless ``--sympy-cache`` is given: with a warm
cache SymPy returns memoised results of the very same problem. matcal's memo caches are
per-subexpression helpers, so they are left alone (clearing them changes nothing measurable).

This is a benchmark, not a test: nothing here asserts a speed. Run it as
``python benchmarks/bench_gradients.py [--repeat N] [--sympy-repeat M] [--json PATH]``.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import statistics
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

import numpy as np
import sympy
from sympy import (
    Derivative, ImmutableMatrix, MatrixExpr, MatrixSymbol,
)
from sympy.core.cache import clear_cache

import matcal
from matcal.interop import to_sympy

REPO = Path(__file__).resolve().parents[1]
CASE_FILES = (REPO / "examples" / "seeds.json", REPO.parent / "shared" / "cases" / "seeds.json")
TARGET_MS = 5.0  # the design target for matcal's median text-to-printed-gradient time
TOLERANCE = 1e-8  # relative error above which SymPy's answer counts as wrong


def load_cases(path: Path | None = None) -> list[dict[str, Any]]:
    """The seed cases that have a gradient, from ``path`` or the first case file that exists."""
    if path is None:
        path = next((p for p in CASE_FILES if p.exists()), None)
        if path is None:
            raise FileNotFoundError("no seeds.json in " + ", ".join(map(str, CASE_FILES)))
    cases = json.loads(Path(path).read_text())
    return [c for c in cases if c.get("gradient") is not None]


def sample_values(case: dict[str, Any], seed: int = 0) -> dict[str, Any]:
    """Random values of the example shapes: uniform in [0.5, 1.5] for the case's ``positive``
    names (so logs are defined), standard normal otherwise. Vectors 1-D, scalars floats."""
    rng = np.random.default_rng(seed)
    positive = set(case.get("positive", ()))
    values: dict[str, Any] = {}
    for name, shape in case["example_shapes"].items():
        draw = rng.uniform(0.5, 1.5, shape) if name in positive else rng.standard_normal(shape)
        values[name] = float(draw) if not shape else draw
    return values


def sympy_symbols(shapes: dict[str, list[int]]) -> dict[str, Any]:
    """MatrixSymbols of the example shapes (vectors as n×1 columns, scalars as Symbols)."""
    out: dict[str, Any] = {}
    for name, shape in shapes.items():
        if not shape:
            out[name] = sympy.Symbol(name)
        else:
            out[name] = MatrixSymbol(name, shape[0], shape[1] if len(shape) > 1 else 1)
    return out


def run_matcal(case: dict[str, Any]) -> str:
    """Text to printed gradient with matcal (parsing included)."""
    return str(matcal.gradient(case["expr"], case["wrt"], case["types"]))


def sympy_problem(case: dict[str, Any]) -> tuple[Any, Any]:
    """(the SymPy expression, the variable's MatrixSymbol) of a case: ``matcal.to_sympy`` of
    its text at its example shapes (built once, outside the timed region)."""
    expr = to_sympy(case["expr"], case["types"], shapes=case["example_shapes"])
    return expr, sympy_symbols(case["example_shapes"])[case["wrt"]]


def run_sympy(problem: tuple[Any, Any]) -> tuple[Any, str]:
    """Differentiate the SymPy problem and print: (result, printed result)."""
    expr, wrt = problem
    result = expr.diff(wrt)
    return result, str(result)


def median_ms(fn: Callable[[], Any], repeat: int,
              before: Callable[[], None] = lambda: None) -> float:
    """Median wall time of ``fn()`` in ms over ``repeat`` calls after one warm-up call."""
    before()
    fn()
    times = []
    for _ in range(repeat):
        before()
        gc_was_on = gc.isenabled()
        gc.disable()
        try:
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        finally:
            if gc_was_on:
                gc.enable()
    return 1e3 * statistics.median(times)


def sympy_numeric(result: Any, case: dict[str, Any], values: dict[str, Any]) -> np.ndarray:
    """SymPy's result at ``values``: its MatrixSymbols replaced by explicit matrices."""
    symbols = sympy_symbols(case["example_shapes"])
    explicit = {}
    for name, sym in symbols.items():
        v = values[name]
        explicit[sym] = v if np.ndim(v) == 0 else ImmutableMatrix(np.reshape(v, sym.shape))
    out = result.xreplace(explicit).doit()
    if isinstance(out, MatrixExpr):
        out = out.as_explicit()
    if hasattr(out, "tolist"):
        return np.array(out.tolist(), dtype=float)
    return np.array(float(out))


def sympy_status(case: dict[str, Any], result: Any, gradient: matcal.Expr) -> str:
    """"ok", "wrong", "unevaluated" (a Derivative is left) or "unchecked" (no numeric value)."""
    if result.has(Derivative):
        return "unevaluated"
    values = sample_values(case)
    try:
        got = sympy_numeric(result, case, values)
    except Exception:  # noqa: BLE001 - anything SymPy cannot turn into numbers
        return "unchecked"
    want = np.asarray(matcal.evaluate(gradient, values), dtype=float)
    if got.size != want.size:
        return "wrong"
    got = got.reshape(want.shape)
    scale = max(float(np.max(np.abs(want), initial=0)), float(np.max(np.abs(got), initial=0)),
                1e-12)
    error = float(np.max(np.abs(got - want), initial=0)) / scale
    ok = np.all(np.isfinite(got)) and error < TOLERANCE
    return "ok" if ok else "wrong"


def bench_case(case: dict[str, Any], repeat: int, sympy_repeat: int,
               sympy_cache: bool) -> dict[str, Any]:
    """Timings, printed results and SymPy's status for one case."""
    row: dict[str, Any] = {"id": case["id"], "expr": case["expr"], "wrt": case["wrt"]}
    try:
        gradient = matcal.gradient(case["expr"], case["wrt"], case["types"])
        row["matcal_gradient"] = str(gradient)
        row["matcal_ms"] = median_ms(lambda: run_matcal(case), repeat)
    except Exception as exc:  # noqa: BLE001 - a benchmark records failures, it does not stop
        row.update(matcal_ms=None, matcal_error=type(exc).__name__, sympy_ms=None, ratio=None,
                   sympy_status="skipped (matcal failed)")
        return row
    before = (lambda: None) if sympy_cache else clear_cache
    try:
        before()
        problem = sympy_problem(case)
        result, printed = run_sympy(problem)
        row["sympy_gradient"] = printed
        row["sympy_ms"] = median_ms(lambda: run_sympy(problem), sympy_repeat, before)
    except Exception as exc:  # noqa: BLE001 - SymPy raising is a result (RecursionError etc.)
        row.update(sympy_ms=None, ratio=None, sympy_status=f"error: {type(exc).__name__}",
                   sympy_error=str(exc)[:200])
        return row
    row["ratio"] = row["sympy_ms"] / row["matcal_ms"]
    row["sympy_status"] = sympy_status(case, result, gradient)
    return row


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians of each column; the ratio median over all timed cases and over correct ones."""

    def med(xs: list[float]) -> float | None:
        return statistics.median(xs) if xs else None

    matcal_ms = [r["matcal_ms"] for r in rows if r.get("matcal_ms") is not None]
    timed = [r for r in rows if r.get("ratio") is not None]
    correct = [r for r in timed if r["sympy_status"] == "ok"]
    m = med(matcal_ms)
    return {
        "matcal_median_ms": m,
        "sympy_median_ms": med([r["sympy_ms"] for r in timed]),
        "median_ratio": med([r["ratio"] for r in timed]),
        "median_ratio_sympy_ok": med([r["ratio"] for r in correct]),
        "sympy_ok": len(correct),
        "cases": len(rows),
        "target_ms": TARGET_MS,
        "matcal_below_target": m is not None and m < TARGET_MS,
    }


def _fmt(x: float | None, spec: str) -> str:
    return "-" if x is None else format(x, spec)


def print_table(rows: list[dict[str, Any]], summary: dict[str, Any], out=sys.stdout) -> None:
    width = max(len("case id"), *(len(r["id"]) for r in rows))
    header = (f"{'case id':<{width}} | {'matcal ms':>9} | {'sympy ms':>9} | {'ratio':>7} | "
              "sympy status")
    print(header, file=out)
    print("-" * len(header), file=out)
    for r in rows:
        matcal_cell = r.get("matcal_error") or _fmt(r.get("matcal_ms"), "9.3f")
        print(f"{r['id']:<{width}} | {matcal_cell:>9} | {_fmt(r['sympy_ms'], '9.3f'):>9} | "
              f"{_fmt(r['ratio'], '7.1f'):>7} | {r['sympy_status']}", file=out)
    print("-" * len(header), file=out)
    s = summary
    print(f"{'median':<{width}} | {_fmt(s['matcal_median_ms'], '9.3f'):>9} | "
          f"{_fmt(s['sympy_median_ms'], '9.3f'):>9} | {_fmt(s['median_ratio'], '7.1f'):>7} |",
          file=out)
    print(f"SymPy correct on {s['sympy_ok']}/{s['cases']} cases; median ratio over those: "
          f"{_fmt(s['median_ratio_sympy_ok'], '.1f')}", file=out)
    verdict = "below" if s["matcal_below_target"] else "NOT below"
    print(f"matcal median {_fmt(s['matcal_median_ms'], '.3f')} ms: {verdict} the "
          f"{s['target_ms']:g} ms target", file=out)
    print("(SymPy's time excludes parsing, which matcal's includes; ratios favour SymPy.)",
          file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50, help="timed matcal calls per case (50)")
    parser.add_argument("--sympy-repeat", type=int, default=None,
                        help="timed SymPy calls per case (default: max(3, repeat // 5))")
    parser.add_argument("--sympy-cache", action="store_true",
                        help="keep SymPy's global cache warm between calls (memoised results)")
    parser.add_argument("--cases", type=Path, default=None, help="seeds.json to read")
    parser.add_argument("--json", type=Path, default=None, metavar="PATH",
                        help="write results here")
    args = parser.parse_args(argv)
    if args.repeat < 1 or (args.sympy_repeat is not None and args.sympy_repeat < 1):
        parser.error("repeat counts must be at least 1")
    sympy_repeat = args.sympy_repeat or max(3, args.repeat // 5)

    cases = load_cases(args.cases)
    rows = [bench_case(c, args.repeat, sympy_repeat, args.sympy_cache) for c in cases]
    summary = summarize(rows)
    print_table(rows, summary)
    if args.json is not None:
        meta = {
            "python": platform.python_version(), "platform": platform.platform(),
            "matcal": metadata.version("matcal"), "sympy": sympy.__version__,
            "numpy": np.__version__, "repeat": args.repeat, "sympy_repeat": sympy_repeat,
            "sympy_cache": args.sympy_cache, "statistic": "median ms, after one warm-up",
        }
        report = {"meta": meta, "summary": summary, "cases": rows}
        args.json.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
