"""A corpus of hostile inputs for the command line (issue 7): each must be answered within
10 s with exit status 2 and a message that says what and where — never a traceback, never a
hang, never a silent answer.

``TEXT`` are expressions that are wrong in themselves: the message must show the input (cut
to a readable window) with a caret. ``OPTIONS`` are command lines whose options are wrong:
the message must name the option.
"""

from __future__ import annotations

import shlex

_LONG_SUM = " + ".join(["tr(A*X)"] * 13_000)  # ~130,000 characters: over the length limit
_DEEP = "exp(" * 90 + "a" + ")" * 90  # nested deeper than the limit
_DEEPER = "exp(" * 330 + "a" + ")" * 330
_PARENS = "(" * 200 + "x*y" + ")" * 200  # parentheses cost no depth: the error is x*y
_DEEP_MIX = "-(" * 100 + "x*y" + ")" * 100

SYNTAX = [
    "tr(A*X", "tr(A*X))", "tr()", "()", "(", ")", "*X", "X*", "X**X", "X++", "X +* A",
    "tr(A,*X)", "tr(A X)", "A..*X", "A.^", "'X", "X[", "x[]", "x[,]", "x[k", "x[1]", "x[1,2]",
    "sum(x[k])", "sum(k, 1)", "sum(1, x)", "sum(k, sum(k, x[k]))", "T[i] =", "T[i,i] = A[i,i]",
    "= A", "x = y", "dF/dX = A", "d3f/dX[i,j] = A[i,j]", "T[i,j] = A[i,k]", "1e", "1.2.3",
    "x..y", ".", ",", "x,y", "tr(X);", "tr(X)?", "tr(X)!", "tr(X) #", "tr{X}", "tr[X]",
    "A\\B", "A|B", "A&B", "A<B", "A==B", "A % B", "A @ B", "~A", "2 3", "x y", "\"tr(X)\"",
    "'tr(X)'",
]
UNKNOWN = [
    "trace(X)", "Tr(X)", "foo(X)", "inverse(X)", "transpose(X)", "ones(3)", "zeros(3)",
    "max(x)", "eye(3)", "exp", "tr", "log(x, y)", "kron(A)", "kron(A, B, C)", "det(A, B)",
    "identity(X)", "sumsq(x)", "expm(X)", "arcsinh(x)",
]
SHAPES = [
    "x*y", "A + x", "x + y'", "x'*A + x", "tr(x)", "det(x)", "diag(x) + x", "inv(x)",
    "X^x", "x^2", "A^2 + x", "diag(a)*x", "x.*A", "A.*x", "x./A", "x.^A", "A/x", "A*x*A",
    "kron(A, x)", "vector(x)", "matrix(A)", "tr(A*x')'*x + A", "X^1.5",
    "X + x", "A*x + A",
]
CONSTANTS = [
    "1/0*tr(X)", "0/0*tr(X)", "tr(X)/0", "2^1024*tr(X)", "1e999*tr(X)", "nan*tr(X)",
    "inf*tr(X)", "Inf + tr(X)", "NaN", "(-8)^(1/3)*tr(X)", "0^-1*tr(X)", "0^(-2)*tr(X)",
    "1e308*1e308*tr(X)", "tr(X)/(1 - 1)", "x./0", "X./(2 - 2)",
]
UNICODE = [
    "٣*tr(X)", "tr(Ｘ)", "А*X", "tr(X)−tr(A)", "tr(X)×2", "tr(Xᵀ)", "x′*y", "x’*y", "tr(X⊙A)",
    "tr(X∘A)", "α*tr(X)", "λ*tr(X)", "tr(X)²", "√(a)", "Σ(x)", "tr(X\u200b)", "tr(X\u00a0)",
    "tr(X\u202e)", "tr(X)😀", "x\u0301*y", "tr(X)＋1", "ｔｒ(X)", "tr(Χ)", "tr(Ⅹ)", "𝐗*A",
    "tr(X)\ufeff", "ß*tr(X)", "tr(X)\u3000",
]
CONTROL = [
    "tr(X)\x00", "tr(\x01X)", "tr(X)\x1b[31m", "tr(X)\x7f", "\x08tr(X)", "tr(X)\x0b", "tr(X)\x0c+",
    "tr(X)\r\n+", "\x00", "tr(X)\x1a",
]
INJECTION = [
    "__import__('os').system('ls')", "eval('1')", "exec('x')", "tr(X); rm -rf /",
    "tr(X) && echo hi", "$(whoami)", "`id`", "{{7*7}}", "<script>alert(1)</script>",
    "' OR 1=1 --", "%s%s%s%n", "${HOME}", "tr(X)|cat", "open('/etc/passwd')",
    "lambda: 0", "import os", "x.__class__", "().__class__.__bases__", "tr(X)\nimport os",
    "os.system", "A[__import__]", "getattr(A, 'T')",
]
SIZE = [_LONG_SUM, _DEEP, _DEEPER, _PARENS, _DEEP_MIX, "x" * 200_000, "+" * 50_000,
        "(" * 100_000, "tr(" + "A*" * 60_000 + "X)"]

TEXT = SYNTAX + UNKNOWN + SHAPES + CONSTANTS + UNICODE + CONTROL + INJECTION + SIZE
"""Expressions that are wrong in themselves: each with --wrt X (or its own variable)."""

OPTIONS = [shlex.split(line) for line in [
    "'tr(X)' --wrt X --order 0",
    "'tr(X)' --wrt X --order -1",
    "'tr(X)' --wrt X --order 13",
    "'tr(X)' --wrt X --order 1000000000000000000000000000000",
    "'tr(X)' --wrt X --order '10^30'",
    "'tr(X)' --wrt X --order two",
    "'logdet(X)' --wrt X --order 8",
    "'logdet(X)' --wrt X --order 12",
    "'tr(X)' --wrt X --check --seed -1",
    "'tr(X)' --wrt X --seed x",
    "'tr(X)' --wrt 1X",
    "'tr(X)' --wrt ''",
    "'tr(X)' --wrt 'X Y'",
    "'tr(X)' --wrt 'X;rm'",
    "'tr(X)'",
    '--wrt X',
    "'tr(X)' --wrt X --types X:tensor",
    "'tr(X)' --wrt X --types X",
    "'tr(X)' --wrt X --types X:vector,X:matrix",
    "'tr(X)' --wrt X --types :matrix",
    "'tr(X)' --wrt X --types X:vector",
    "'tr(X)' --wrt X --steps magic",
    "'tr(X)' --wrt X --format html",
    "'tr(X)' --wrt X --jacobian --hessian",
    "'tr(X)' --wrt X --latex --json",
    "'A*X' --wrt X",
    "'A*X' --wrt X --hessian",
    "'tr(X)' --wrt X --steps --hessian",
    "'tr(X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X*X)' --wrt X --steps",
    "'tr(X)' --bogus",
    "'tr(X)' --wrt X extra",
    '\'x\'"\'"\'*x\' --wrt x --order 9999999999',
    '\'x\'"\'"\'*x*x\'"\'"\'\' --wrt x',
    "'norm2(W*x + b)^2' --wrt W,",
    "'norm2(W*x + b)^2' --wrt W,W",
    "'norm2(W*x + b)^2' --wrt W,b --hessian",
    "'norm2(W*x + b)^2' --wrt W,b --steps",
    "'norm2(W*x + b)^2' --wrt W --wrt b",
    "'tr(X)' --wrt X --format latex",
    "'tr(X)' --wrt X --types X:tens",
    "'tr(X)' --wrt X --json --bogus",
]]
"""Command lines with wrong options (or a result over a budget)."""
