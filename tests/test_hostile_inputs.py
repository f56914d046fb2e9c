"""Every hostile input of the corpus (tests/hostile_inputs.py) is refused within 10 s with
exit status 2 and a short message that says what and where, and no traceback."""

from __future__ import annotations

import json
import time

import pytest

from hostile_inputs import OPTIONS, TEXT
from matcal import cli

LIMIT_SECONDS = 10.0
LONGEST_MESSAGE = 1500


def _run(capsys, argv):
    start = time.perf_counter()
    status = cli.main(argv)
    seconds = time.perf_counter() - start
    out, err = capsys.readouterr()
    return status, out, err, seconds


def _refused_clearly(status, out, err, seconds, as_json=False):
    assert status == 2, (status, out, err[:500])
    assert "Traceback" not in err and "internal error" not in err, err[:500]
    assert seconds < LIMIT_SECONDS, f"{seconds:.1f} s"
    if as_json:  # with --json the error is a JSON object on stdout
        record = json.loads(out)
        assert set(record) == {"error", "message", "position", "line"} and not err, out[:500]
        assert len(record["message"]) < LONGEST_MESSAGE
        return
    assert err.startswith("error: ") or "matcal: error: " in err, err[:500]
    assert len(err) < LONGEST_MESSAGE, f"{len(err)} characters of message"
    assert not out, out[:200]


def test_the_corpus_is_large():
    assert len(TEXT) + len(OPTIONS) >= 150


@pytest.mark.parametrize("text", TEXT, ids=lambda t: repr(t[:30]))
def test_hostile_expression_is_refused_with_a_caret(capsys, text):
    status, out, err, seconds = _run(capsys, ["--wrt", "X", "--", text])
    _refused_clearly(status, out, err, seconds)
    lines = err.splitlines()
    assert any(line.strip() == "^" or line.rstrip().endswith("^") for line in lines), err[:500]
    assert all(len(line) < 200 for line in lines), "the input line is cut to a window"


@pytest.mark.parametrize("argv", OPTIONS, ids=lambda a: " ".join(a)[:40])
def test_hostile_command_line_is_refused(capsys, argv):
    _refused_clearly(*_run(capsys, argv), as_json="--json" in argv)
