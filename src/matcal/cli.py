"""The ``matcal`` command: a thin view of the public API on the command line.

The CLI only reads arguments, calls :mod:`matcal.api` and prints what it returns; every
piece of mathematics lives in the library. Exit status: 0 success, 1 a ``--check`` above
tolerance, 2 a user error (bad expression, shapes, options; the message carries the input
line and a caret), 3 an internal error (a bug: the user is asked to report it). A Python
traceback never reaches the user.

What to compute is decided in one place, :func:`_derivative`, so further kinds of
derivative (``--jacobian``, ``--hessian``, ``--order``) can be added beside ``--wrt``
without touching the rest; ``--steps`` prints the derivation instead — of a gradient, a
Jacobian or a Hessian
(:func:`matcal.derivation.explain`, rendered by :mod:`matcal.derivation.render`).
"""

from __future__ import annotations

import argparse
import difflib
import json
import math
import os
import re
import sys
import textwrap
from typing import Sequence

from matcal.api import derivative, gradient, hessian, installed_version, to_latex
from matcal.checking import check_derivative, explain
from matcal.cli_help import epilog
from matcal.codegen import TARGETS, generate
from matcal.plot import check_plot
from matcal.web.server import serve_main
from matcal.numeric.gradcheck import METHOD
from matcal.derivation.render import render
from matcal.core.errors import MatcalError, OptionsError, caret_context
from matcal.core.nodes import Expr, variables
from matcal.syntax.parse import Parsed, parse_source
from matcal.result import Derivative, Derivatives

CHECK_HOW = "central differences, 3 random directions"
"""How --check measured, in the line it prints; the whole method is in --help and --json."""

CHECK_TOLERANCE = 1e-6
"""``--check`` fails (exit 1) when the relative error exceeds this."""

EXIT_OK, EXIT_CHECK_FAILED, EXIT_USER_ERROR, EXIT_INTERNAL_ERROR = 0, 1, 2, 3

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class _Parser(argparse.ArgumentParser):
    """argparse, with a hint where a usage error is likely an expression that starts with -;
    with ``json_errors`` set, a usage error is an OptionsError (printed as JSON by main)."""

    json_errors = False

    def error(self, message: str):
        if "EXPR" in message or "unrecognized arguments: -" in message:
            message += ("; an expression that starts with '-' goes after --, as in "
                        "matcal --wrt X -- \"-tr(A*X)\"")
        if self.json_errors:
            raise OptionsError(message)
        super().error(message)


class _Once(argparse.Action):
    """An option that may be given once: a second ``--wrt`` is an error, not a silent win."""

    def __call__(self, parser, namespace, values, option_string=None):
        if getattr(namespace, self.dest, None) is not None:
            parser.error(f"{option_string} is given twice ({getattr(namespace, self.dest)} "
                         f"and {values}); give it once")
        setattr(namespace, self.dest, values)


_OPTION = re.compile(r"--?[A-Za-z][A-Za-z-]*(=.*)?\Z")
_TAKES_VALUE = ("--wrt", "--order", "--types", "--seed", "--format")


def expression_last(argv: Sequence[str]) -> list[str]:
    """``argv`` with an expression that starts with ``-`` (``-tr(X)``, which no option looks
    like) moved after ``--``, so argparse does not take it for an option.

    >>> expression_last(["-tr(X)", "--wrt", "X", "--seed", "-1"])
    ['--wrt', 'X', '--seed', '-1', '--', '-tr(X)']
    """
    argv = list(argv)
    if "--" in argv:
        return argv
    for n, arg in enumerate(argv):
        value = n > 0 and argv[n - 1] in _TAKES_VALUE
        if arg.startswith("-") and len(arg) > 1 and not value and not _OPTION.match(arg):
            return argv[:n] + argv[n + 1 :] + ["--", arg]
    return argv


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``matcal`` command."""
    parser = _Parser(
        prog="matcal",
        description="Symbolic matrix calculus: the derivative of a matrix expression, "
        "in closed matrix form.",
        epilog=epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("expr", metavar="EXPR", help="the expression, e.g. \"tr(A*X*B)\"")
    what = parser.add_argument_group("what to compute")
    what.add_argument("--wrt", metavar="X", required=True, action=_Once,
                      help="the variable to differentiate by (gives the gradient); several, "
                      "separated by commas (--wrt W,b), give a derivative by each")
    order = what.add_mutually_exclusive_group()
    order.add_argument("--jacobian", action="store_true",
                       help="first derivative of a vector- or matrix-valued expression "
                       "(shape(f) + shape(X); m×n for y(x))")
    order.add_argument("--hessian", action="store_true",
                       help="second derivative of a scalar expression (n×n for a vector X)")
    order.add_argument("--order", metavar="K", type=int, default=None,
                       help="derivative of order K (1, 2, 3, …) of any expression")
    parser.add_argument("--types", metavar="SPEC", action="append", default=[],
                        help="override the naming convention: 'x:vector,a:scalar,S:symmetric'"
                        " (may be repeated)")
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--latex", action="store_true", help="print LaTeX instead of text")
    out.add_argument("--json", action="store_true",
                     help="print a JSON object: expression, wrt, derivative, latex, shapes"
                     " (and check)")
    out.add_argument("--code", metavar="TARGET", choices=TARGETS, default=None,
                     help="print a Python module computing the value and the derivative(s) "
                     "with numpy, jax or torch (run it: it checks itself numerically)")
    parser.add_argument("--check", action="store_true",
                        help="also check numerically at random values (exit 1 if the relative"
                        f" error exceeds {CHECK_TOLERANCE:g})")
    parser.add_argument("--plot", metavar="FILE", default=None,
                        help="with --check, also draw the check: the relative error of central "
                        "differences against the step, as a PNG (needs matplotlib)")
    parser.add_argument("--seed", metavar="N", type=int, default=None,
                        help="seed for the random values of --check and --steps")
    steps = parser.add_argument_group("derivation step by step")
    steps.add_argument("--steps", nargs="?", const="differential", default=None,
                       choices=("differential", "index"), metavar="METHOD",
                       help="print the derivation of the gradient (of the Jacobian with "
                       "--jacobian, the Hessian with --hessian), every step checked "
                       "numerically: 'differential' (Ang: df, the trace trick, read off; the "
                       "default) or 'index' (Traa: sums over indices, δ elimination, back to "
                       "matrices); put it after EXPR or write --steps=index")
    steps.add_argument("--format", choices=("text", "markdown", "latex"), default=None,
                       help="how --steps prints: text (default), markdown ($...$), latex (align)")
    parser.add_argument("--version", action="version", version=f"matcal {installed_version()}")
    return parser


def parse_types(specs: Sequence[str]) -> dict[str, str]:
    """``['x:vector,a:scalar', 'S:symmetric']`` → ``{'x': 'vector', 'a': 'scalar', ...}``.

    Only the syntax is checked here; the library validates the kinds.

    Raises:
        OptionsError: an entry that is not ``name:kind``, or a name given two kinds.

    >>> parse_types(["x:vector, S:symmetric"])
    {'x': 'vector', 'S': 'symmetric'}
    """
    types: dict[str, str] = {}
    for spec in specs:
        pos = 0
        for entry in spec.split(","):
            start = pos + len(entry) - len(entry.lstrip())
            pos += len(entry) + 1
            name, sep, kind = (part.strip() for part in entry.partition(":"))
            if not sep or not _NAME.match(name) or not kind:
                raise OptionsError(
                    f"--types: expected name:kind entries separated by commas, e.g. "
                    f"'x:vector,S:symmetric'; got {entry.strip()!r}",
                    spec, start,
                )
            if types.get(name, kind) != kind:
                raise OptionsError(
                    f"--types: {name} is given two kinds, {types[name]} and {kind}", spec, start
                )
            types[name] = kind
    return types


def _order(args: argparse.Namespace) -> int:
    if args.hessian:
        return 2
    return args.order if args.order is not None else 1


def _wrt(args: argparse.Namespace) -> str | list[str]:
    """The --wrt name, or the names of ``--wrt W,b`` (several variables)."""
    names = [n.strip() for n in args.wrt.split(",")]
    return names[0] if len(names) == 1 else names


def _derivative(expr: Parsed, args: argparse.Namespace,
                types: dict[str, str]) -> Derivative | Derivatives:
    """The derivative the arguments ask for: gradient, Jacobian, Hessian or order K; by each
    variable of ``--wrt W,b``."""
    wrt = _wrt(args)
    if args.hessian:
        return hessian(expr, wrt, types)
    if args.jacobian or args.order is not None:
        return derivative(expr, wrt, _order(args), types)
    return gradient(expr, wrt, types)


def _vec_line(vec: Expr, wrt: str, latex: bool, order: int) -> str:
    """``vec: dvec(F)/dvec(X)' = kron(B', A)`` (vec stacks columns; see the README); for a
    Hessian, F is the gradient."""
    f = "grad f" if order == 2 else "F"
    if latex:
        f = r"\nabla f" if order == 2 else "F"
        return (r"\frac{\partial \operatorname{vec}(" + f + r")}{\partial \operatorname{vec}("
                + wrt + ")^T} = " + to_latex(vec))
    return f"vec: dvec({f})/dvec({wrt})' = {vec}"


def _steps(expr: Parsed, args: argparse.Namespace, types: dict[str, str]) -> int:
    """Print the derivation ``--steps`` asks for — of the gradient, the Jacobian
    (``--jacobian``) or the Hessian (``--hessian``, ``--order 2``) — and exit 1 if a step
    fails its check."""
    if args.json or _order(args) > 2:
        raise OptionsError("--steps derives a gradient, a Jacobian or a Hessian and prints it "
                           "as text, markdown or latex (--format); leave out --json and "
                           "orders above 2")
    if "," in args.wrt:
        raise OptionsError("--steps derives by one variable; name one in --wrt")
    fmt = "latex" if args.latex else args.format or "text"
    derivation = explain(_derivative(expr, args, types), method=args.steps,
                         seed=0 if args.seed is None else args.seed)
    print(render(derivation, fmt))
    checks = [s.verified for s in derivation.steps] + [derivation.verified]
    if False in checks:  # None: could not be checked (e.g. not finite), not a failure
        print("error: the derivation failed a numerical check (marked FAILED); please report "
              "it", file=sys.stderr)
        return EXIT_CHECK_FAILED
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    """Carry out parsed arguments, printing the result; returns the exit status."""
    types = parse_types(args.types)
    if args.format is not None and args.steps is None:
        raise OptionsError("--format says how --steps prints; add --steps, or use --latex or "
                           "--json for the derivative itself")
    expr = parse_source(args.expr, types)  # with what it folded away, which sizes constants
    if args.steps is not None:
        if args.code is not None:
            raise OptionsError("--code prints a module and --steps a derivation; ask for one")
        return _steps(expr, args, types)
    if args.code is not None:
        if args.check:
            raise OptionsError("--code prints a module that checks itself: run it "
                               "(python f.py) instead of adding --check")
        print(generate(expr, _wrt(args), _order(args), args.code, types).source, end="")
        return EXIT_OK
    if args.plot is not None and not args.check:
        raise OptionsError("--plot draws the numerical check: add --check")
    result = _derivative(expr, args, types)
    each = dict(result) if isinstance(result, Derivatives) else {None: result}
    if args.plot is not None and len(each) > 1:
        raise OptionsError("--plot draws the check of one derivative: name one variable in "
                           "--wrt")
    for d in each.values():
        _warn_if_absent(d)
    errors = {name: check_derivative(d, seed=args.seed) for name, d in each.items()} \
        if args.check else {}
    if args.json:
        record = result.as_dict()
        for name, error in errors.items():
            entry = record if name is None else record["derivatives"][name]
            entry["check"] = error if math.isfinite(error) else None  # JSON has no NaN
            entry["check_method"] = METHOD
        print(json.dumps(record, indent=2, ensure_ascii=False))
    else:
        for name, d in each.items():
            text = d.to_latex() if args.latex else str(d)
            print(text if name is None else f"{name}: {text}")
            vec = d.vec if len(d.shape.dims) >= 3 else None
            if vec is not None:
                print(_vec_line(vec, d.wrt.name, args.latex, _order(args)))
            if name in errors:
                print(f"check: relative error {errors[name]:.1e} ({CHECK_HOW})")
    if args.plot is not None:
        drawn = check_plot(result, path=args.plot, seed=0 if args.seed is None else args.seed)
        print(f"plot: {args.plot} (smallest relative error {drawn.min_error:.1e})",
              file=sys.stderr if args.json else sys.stdout)
    failed = [(name, e) for name, e in errors.items() if not e <= CHECK_TOLERANCE]  # NaN too
    for name, error in failed:
        what = "" if name is None else f" of the derivative by {name}"
        print(
            f"error: numerical check{what} failed: relative error {error:.1e} exceeds "
            f"{CHECK_TOLERANCE:g}; the derivative may be wrong, please report it",
            file=sys.stderr,
        )
    return EXIT_CHECK_FAILED if failed else EXIT_OK


def _warn_if_absent(result: Derivative) -> None:
    """A --wrt name the expression does not contain: the derivative is zero (as on
    matrixcalculus.org), said on stderr with the names present and the closest one."""
    name, found = result.wrt.name, variables(result.expression)
    if name in found:
        return
    present = sorted(found)
    rank = len(result.wrt.shape.dims)
    alike = [v for v in present if len(found[v].shape.dims) == rank]  # of the same kind first
    close = difflib.get_close_matches(name, alike, n=1, cutoff=0.0) or \
        difflib.get_close_matches(name, present, n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]}?" if close else ""
    names = ", ".join(present) if present else "none"
    print(f"warning: {name} does not occur in the expression, so its derivative is zero; the "
          f"variables are: {names}{hint}", file=sys.stderr)


def _json_error(err: MatcalError) -> str:
    """A user error as the JSON object ``--json`` prints: error (its class), message, position
    (0-based, or null) and line (the input line, or null)."""
    return json.dumps({"error": type(err).__name__, "message": err.message,
                       "position": err.pos, "line": err.text}, ensure_ascii=False)


def _user_message(err: MatcalError) -> str:
    """The message first, then the input line with its caret (aligned, on lines of their own)."""
    message = "\n".join(textwrap.fill(line, 100, subsequent_indent="  ")
                        for line in err.message.splitlines())
    if err.text is None or err.pos is None:
        return message
    return f"{message}\n{caret_context(err.text, err.pos)}"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``matcal`` command; returns the exit status.

    >>> main(["tr(A*X*B)", "--wrt", "X"])
    A'*B'
    0
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["serve"] and "--wrt" not in argv:  # the page: matcal serve [--port N]
        try:
            return serve_main(argv[1:])
        except SystemExit as exit_:
            return exit_.code if isinstance(exit_.code, int) else EXIT_USER_ERROR
        except KeyboardInterrupt:
            return 130
    as_json = "--json" in argv[: argv.index("--")] if "--" in argv else "--json" in argv
    try:
        parser = build_parser()
        parser.json_errors = as_json
        return run(parser.parse_args(expression_last(argv)))
    except SystemExit as exit_:  # --help, or a usage error argparse already reported
        return exit_.code if isinstance(exit_.code, int) else EXIT_USER_ERROR
    except MatcalError as err:
        if as_json:
            print(_json_error(err))
        else:
            print(f"error: {_user_message(err)}", file=sys.stderr)
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader went away (``matcal ... | head``): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except Exception as err:  # noqa: BLE001 - no traceback may reach the user
        print(
            f"internal error: {type(err).__name__}: {err}\n"
            "This is a bug in matcal; please report it with the command you ran.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL_ERROR
