"""The JSON API of the page (issue 10), through Starlette's test client: every field of an
answer, every class of error (with its caret, never a traceback), the length limit, the time
limit (a worker that overruns is ended and the server goes on), and the security headers."""

from __future__ import annotations

import pytest

from web_support import HAS_WEB, WHY

pytestmark = pytest.mark.skipif(not HAS_WEB, reason=WHY)

if HAS_WEB:
    from starlette.testclient import TestClient

    from matcal.web.server import CSP, create_app
    from matcal.web.service import MAX_EXPRESSION


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(workers=2, time_limit=20.0)) as c:
        yield c


def _derive(client, **request):
    return client.post("/api/derive", json=request)


def test_gradient_has_every_field(client):
    r = _derive(client, expression="tr(A*X*B*X*C')")
    assert r.status_code == 200
    a = r.json()
    assert a["wrt"] == "X" and a["derivative"] == "A'*C*X'*B' + B'*X'*A'*C"
    assert a["latex"].startswith(r"\mathbf{A}^T")
    assert a["mathml"].startswith("<math") and "mfrac" in a["mathml"]
    assert a["shapes"]["X"] == {"kind": "matrix", "shape": ["n", "p"]}
    assert a["variables"] == ["A", "X", "B", "C"]
    assert a["check"] < 1e-8 and "central differences" in a["check_method"]
    (steps,) = a["steps"]
    assert steps["method"] == "differential method (Ang)" and a["steps_error"] is None
    assert all(line["mathml"].startswith("<math") for line in steps["lines"])
    assert steps["lines"][-1]["rule"] and steps["lines"][-1]["verified"] is True
    assert set(a["code"]) == {"numpy", "jax", "torch"} and a["code_error"] is None
    assert "def value_and_gradient(A, X, B, C):" in a["code"]["numpy"]


def test_index_method_hessian_and_kinds(client):
    a = _derive(client, expression="x'*S*x", wrt="x", order=2, method="index",
                types={"S": "symmetric"}).json()
    assert a["derivative"] == "2*S" and a["order"] == 2
    assert a["shapes"]["S"]["kind"] == "symmetric"
    assert [r["kind"] for r in a["steps"]] == ["Gradient", "Hessian"]
    assert all(r["method"] == "index method (Traa)" for r in a["steps"])
    plain = _derive(client, expression="norm2(A*x - b)^2", types={"b": "vector"},
                    steps=False, code=False).json()
    assert plain["derivative"] == "2*A'*(A*x - b)"
    assert "steps" not in plain and "code" not in plain


def test_errors_are_json_with_the_caret(client):
    r = _derive(client, expression="tr(A*X")
    assert r.status_code == 400
    e = r.json()["error"]
    assert e["kind"] == "ParseError" and e["position"] == 6
    assert e["caret"] == "  tr(A*X\n        ^"
    assert _derive(client, expression="x*y", wrt="x").json()["error"]["kind"] == "ShapeError"
    assert _derive(client, expression="tr(X)", wrt="X Y").json()["error"]["kind"] == \
        "DerivativeError"
    for bad in ({"method": "guess"}, {"order": 9}, {"colour": "red"}, {"types": {"X": "cube"}},
                {"steps": "yes"}):
        r = _derive(client, expression="tr(X)", **bad)
        assert r.status_code == 400 and r.json()["error"]["kind"] == "OptionsError", bad
    r = client.post("/api/derive", content=b"not json")
    assert r.status_code == 400 and "not JSON" in r.json()["error"]["message"]
    r = client.post("/api/derive", json=["tr(X)"])
    assert r.json()["error"]["kind"] == "OptionsError"
    for r in (_derive(client, expression="tr(A*X"), client.post("/api/derive", content=b"{")):
        assert "Traceback" not in r.text


def test_length_limit(client):
    long = "+".join(["x"] * (MAX_EXPRESSION // 2 + 1))
    r = _derive(client, expression=long)
    assert r.status_code == 400 and f"at most {MAX_EXPRESSION:,}" in r.json()["error"]["message"]
    r = client.post("/api/derive", content=b'{"expression": "' + b"x" * 30_000 + b'"}')
    assert r.status_code == 413


def test_time_limit_ends_the_worker_and_the_server_goes_on():
    import threading
    import time
    with TestClient(create_app(workers=2, time_limit=0.5)) as c:
        slow: list = []
        t = threading.Thread(target=lambda: slow.append(
            _derive(c, expression="logdet(X*X*X*X*X)", order=4)))  # about 1.5 s of work
        t.start()
        time.sleep(0.1)
        meanwhile = _derive(c, expression="tr(A*X)", steps=False, code=False)
        assert meanwhile.status_code == 200 and meanwhile.json()["derivative"] == "A'"
        assert not slow  # answered while the slow one still ran
        t.join()
        r = slow[0]
        assert r.status_code == 504
        assert "0.5 s limit" in r.json()["error"]["message"]
        assert c.get("/api/health").json()["ok"] is True
        quick = _derive(c, expression="tr(X)", steps=False, code=False)
        assert quick.status_code == 200 and quick.json()["derivative"] == "eye"


def test_page_and_headers(client):
    r = client.get("/")
    assert r.status_code == 200 and "<title>matcal" in r.text
    assert r.headers["content-security-policy"] == CSP
    assert "script-src 'self'" in CSP and "unsafe-inline" not in CSP
    assert client.get("/static/app.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/static/secret.py").status_code == 404
    assert "http" not in client.get("/").text.split("<body>")[0].replace("http-equiv", "")


def test_serve_command_options(capsys):
    from matcal import cli
    from matcal.web.server import _loopback
    assert cli.main(["serve", "--help"]) == 0
    assert "--port" in capsys.readouterr().out
    assert _loopback("127.0.0.1") and _loopback("::1") and _loopback("localhost")
    assert not _loopback("0.0.0.0") and not _loopback("192.168.1.5")
    assert cli.main(["serve", "--port", "not-a-number"]) == 2
