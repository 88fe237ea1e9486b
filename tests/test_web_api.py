"""HTTP API of the web form: every endpoint, its error statuses, and the safety limits."""

from __future__ import annotations

import io
import json
import socket
import tempfile
import warnings
import zipfile
from pathlib import Path

import pytest

from shared_data import require_module  # noqa: E402

require_module("fastapi")
with warnings.catch_warnings():
    # Starlette suggests httpx2 for its test client; httpx is what the test extra installs.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from clausegen.web.app import create_app  # noqa: E402

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# A short English SLA that covers definition, notification, standards, process and deadlines
# but says nothing about disputes or governing law.
# An English SLA with every provision but a dispute clause (a known gap for the review tests).
NO_DISPUTES_EN = (Path(__file__).parent / "data" / "sla-without-disputes-en.txt").read_text(encoding="utf-8")

REQUIRED = ("definition", "notification", "standards", "process", "deadlines", "disputes")


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(), base_url="http://127.0.0.1")


@pytest.fixture(scope="module")
def small_client():
    return TestClient(create_app(max_upload_bytes=2000), base_url="http://127.0.0.1")


@pytest.fixture(scope="module")
def starter_en(client):
    return client.get("/api/starter", params={"lang": "en"}).json()


def _yaml(text: str) -> dict:
    return {"content": text.encode("utf-8"), "headers": {"content-type": "application/yaml"}}


# ---------------------------------------------------------------- pages, headers, OpenAPI


@pytest.mark.parametrize("url", ["/", "/review"], ids=["draft", "review"])
def test_pages_are_served_with_a_strict_content_security_policy(client, url):
    r = client.get(url)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in r.text  # scripts are files, never inline
    for src in ("/static/common.js", "/static/app.css"):
        assert src in r.text
        assert client.get(src).status_code == 200


def test_static_assets_make_no_external_requests():
    from clausegen.web.app import STATIC_DIR

    files = sorted(STATIC_DIR.iterdir())
    assert {f.name for f in files} >= {"index.html", "review.html", "app.css", "common.js", "draft.js", "review.js"}
    for f in files:
        text = f.read_text(encoding="utf-8").replace('xmlns="http://www.w3.org/2000/svg"', "")
        assert "http://" not in text and "https://" not in text, f.name
        assert "@import" not in text and "//cdn" not in text, f.name


def test_openapi_describes_the_api_and_swagger_ui_is_off(client):
    spec = client.get("/openapi.json").json()
    for path in ("/api/validate", "/api/render", "/api/check", "/api/annotate", "/api/spec/parse"):
        assert path in spec["paths"], path
    assert "requestBody" in spec["paths"]["/api/check"]["post"]
    assert client.get("/docs").status_code == 404  # Swagger UI loads from a CDN
    assert client.get("/redoc").status_code == 404


def test_family_and_schema_endpoints_give_provisions_in_order_and_bilingual_titles(client):
    fam = client.get("/api/family").json()
    ids = [p["id"] for p in fam["provisions"]]
    assert ids[:6] == list(REQUIRED)
    assert all(p["title"]["zh"] and p["title"]["en"] for p in fam["provisions"])
    schema = client.get("/api/schema").json()
    assert "x-title-zh" in schema["properties"]["service"]


@pytest.mark.parametrize("lang", ["zh", "en", "bilingual"])
def test_starter_data_is_valid_for_every_language(client, lang):
    data = client.get("/api/starter", params={"lang": lang}).json()
    assert data["language"] == lang
    r = client.post("/api/validate", json=data)
    assert r.status_code == 200
    assert [p for p in r.json()["problems"] if p["severity"] == "error"] == []
    assert r.json()["valid"] is True


def test_starter_rejects_an_unknown_language(client):
    r = client.get("/api/starter", params={"lang": "fr"})
    assert r.status_code == 400 and "lang" in r.json()["error"]


# ---------------------------------------------------------------- validate


def test_validate_gives_the_same_problems_as_the_command_line(client, samples_dir, tmp_path):
    from clausegen import spec

    text = (samples_dir / "sla-en.yaml").read_text(encoding="utf-8").replace(
        "availability_target: 99.9", "availability_target: 150")
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    expected = [p.format() for p in spec.validate_files([path])]
    r = client.post("/api/validate", params={"name": str(path)}, **_yaml(text))
    assert r.status_code == 200
    body = r.json()
    assert body["valid"] is False
    target = [p for p in body["problems"] if p["pointer"] == "service.availability_target"]
    assert target and target[0]["line"] == text.splitlines().index(
        next(line for line in text.splitlines() if "availability_target: 150" in line)) + 1
    assert "150" in target[0]["message"]
    # the client's path is reduced to a name; otherwise every message is the CLI's
    assert [p["formatted"] for p in body["problems"]] == [e.replace(str(path), "spec.yaml") for e in expected]


def test_validate_accepts_json_and_points_at_the_field(client, starter_en):
    data = json.loads(json.dumps(starter_en))
    data["service"]["availability_target"] = 150
    r = client.post("/api/validate", json=data)
    assert r.status_code == 200
    pointers = [p["pointer"] for p in r.json()["problems"] if p["severity"] == "error"]
    assert "service.availability_target" in pointers


def test_validate_words_problems_in_the_spec_language_or_lang(client):
    from clausegen.spec import starter_data

    data = json.loads(json.dumps(starter_data("zh")))
    data["service"]["availability_target"] = 150
    [zh] = [p for p in client.post("/api/validate", json=data).json()["problems"] if p["code"] == "schema"]
    assert zh["message"] == "150 大于 100"
    r = client.post("/api/validate", params={"lang": "en"}, json=data)
    [en] = [p for p in r.json()["problems"] if p["code"] == "schema"]
    assert en["message"] == "150 is more than 100"
    assert client.post("/api/validate", params={"lang": "fr"}, json=data).status_code == 400


def test_validate_reports_duplicate_keys_as_a_located_400(client):
    r = client.post("/api/validate", **_yaml("clausegen: 1\nfamily: a\nfamily: b\n"))
    assert r.status_code == 400
    problem = r.json()["problems"][0]
    assert problem["line"] == 3 and "family" in problem["message"]


@pytest.mark.parametrize("kwargs, status", [
    ({"content": b"clausegen: 1", "headers": {"content-type": "image/png"}}, 415),
    ({"content": b"", "headers": {"content-type": "application/yaml"}}, 400),
    ({"content": b"- a\n- b\n", "headers": {"content-type": "application/yaml"}}, 400),
    ({"content": b"{not json", "headers": {"content-type": "application/json"}}, 400),
    ({"content": b"\xff\xfe\x00bad", "headers": {"content-type": "application/yaml"}}, 400),
], ids=["wrong-type", "empty", "not-a-mapping", "bad-json", "not-utf8"])
def test_validate_rejects_bad_bodies_with_json_errors(client, kwargs, status):
    r = client.post("/api/validate", **kwargs)
    assert r.status_code == status
    assert r.headers["content-type"] == "application/json"
    assert r.json()["error"]


# ---------------------------------------------------------------- render


@pytest.mark.parametrize("lang", ["zh", "en", "bilingual"])
def test_render_docx_returns_a_word_file_with_the_parties(client, lang):
    import docx

    data = client.get("/api/starter", params={"lang": lang}).json()
    r = client.post("/api/render", params={"format": "docx", "lang": lang}, json=data)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == DOCX_TYPE
    assert r.headers["content-disposition"].startswith("attachment;")
    assert f"-{lang}.docx" in r.headers["content-disposition"]
    document = docx.Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    name = data["parties"]["provider"]["name"]
    for expected in (name.values() if isinstance(name, dict) else [name]):
        assert expected in text


@pytest.mark.parametrize("fmt, ctype", [("md", "text/markdown"), ("html", "text/html"), ("txt", "text/plain")])
def test_render_text_formats_have_their_content_type(client, starter_en, fmt, ctype):
    r = client.post("/api/render", params={"format": fmt}, json=starter_en)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith(ctype)
    assert f".{fmt}" in r.headers["content-disposition"]
    assert starter_en["parties"]["customer"]["name"] in r.text


def test_render_yaml_body_in_chinese(client, samples_dir):
    text = (samples_dir / "sla-zh.yaml").read_text(encoding="utf-8")
    r = client.post("/api/render", params={"format": "html"}, **_yaml(text))
    assert r.status_code == 200, r.text
    assert "争议" in r.text


def test_render_refuses_an_invalid_spec_with_422_and_the_problems(client, starter_en):
    data = json.loads(json.dumps(starter_en))
    data["service"]["availability_target"] = 150
    r = client.post("/api/render", params={"format": "docx"}, json=data)
    assert r.status_code == 422
    assert any(p["pointer"] == "service.availability_target" for p in r.json()["problems"])


@pytest.mark.parametrize("params", [{"format": "rtf"}, {"format": "docx", "lang": "fr"}], ids=["format", "lang"])
def test_render_rejects_unknown_options(client, starter_en, params):
    r = client.post("/api/render", params=params, json=starter_en)
    assert r.status_code == 400


def test_a_draft_lists_open_values_and_renders_blanks(client, starter_en):
    data = dict(starter_en)
    data["disputes"] = {**data["disputes"], "arbitration": {**data["disputes"]["arbitration"], "seat": "TBD"}}
    plain = client.post("/api/validate", json=data).json()
    assert not plain["valid"] and any(p["code"] == "open-values" for p in plain["problems"])
    draft = client.post("/api/validate", params={"draft": "true"}, json=data).json()
    assert draft["valid"] and [p["severity"] for p in draft["problems"]] == ["open"]
    assert client.post("/api/render", params={"format": "txt"}, json=data).status_code == 422
    r = client.post("/api/render", params={"format": "txt", "draft": "true"}, json=data)
    assert r.status_code == 200 and "The seat of the arbitration shall be [●]." in r.text
    assert "Open points" in r.text and "-draft.txt" in r.headers["content-disposition"]


# ---------------------------------------------------------------- spec parse and dump


def test_parse_loads_a_yaml_spec_with_the_cli_loader(client, samples_dir):
    text = (samples_dir / "sla-en.yaml").read_text(encoding="utf-8")
    r = client.post("/api/spec/parse", params={"name": "sla-en.yaml"}, **_yaml(text))
    assert r.status_code == 200
    body = r.json()
    assert body["data"]["parties"]["provider"]["name"] == "Northwind Cloud Services Ltd."
    assert body["data"]["term"]["effective_date"] == "2026-03-01"
    assert [p for p in body["problems"] if p["severity"] == "error"] == []


def test_parse_refuses_unsafe_yaml_tags(client):
    r = client.post("/api/spec/parse", **_yaml("clausegen: !!python/object/apply:os.system ['true']\n"))
    assert r.status_code == 400
    assert r.json()["problems"][0]["line"] == 1


def test_dump_then_parse_round_trips_the_form_data(client, starter_en):
    r = client.post("/api/spec/dump", params={"filename": "../../etc/acme"}, json=starter_en)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/yaml")
    assert 'filename="acme.yaml"' in r.headers["content-disposition"]
    back = client.post("/api/spec/parse", **_yaml(r.text)).json()
    assert back["data"] == starter_en
    assert [p for p in back["problems"] if p["severity"] == "error"] == []


# ---------------------------------------------------------------- check and annotate


def test_check_flags_the_missing_dispute_clause(client):
    files = {"file": ("sla.txt", NO_DISPUTES_EN.encode("utf-8"), "text/plain")}
    r = client.post("/api/check", files=files)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["version"] == 1 and len(body["files"]) == 1
    entry = body["files"][0]
    assert entry["path"] == "sla.txt" and entry["language"] == "en"
    status = {p["id"]: p["status"] for p in entry["provisions"]}
    assert set(REQUIRED) <= set(status)
    assert status["disputes"] == "missing"
    assert status["notification"] in ("present", "weak")
    finding = next(f for f in entry["findings"] if f["provision"] == "disputes")
    assert finding["severity"] == "error" and finding["suggestion"]
    assert "context" not in entry  # the design's shape unless asked


def test_check_with_context_returns_the_evidence_paragraphs(client):
    files = {"file": ("sla.txt", NO_DISPUTES_EN.encode("utf-8"), "text/plain")}
    entry = client.post("/api/check", params={"context": "true"}, files=files).json()["files"][0]
    ev = next(e for p in entry["provisions"] for e in p["evidence"])
    paragraph = entry["context"][str(ev["paragraph"])]
    assert ev["text"].strip()[:20] in paragraph


def test_check_reads_a_real_chinese_word_contract(client, corpus_dir):
    path = corpus_dir / "docx" / "zh-most-tech-service-contract.docx"
    files = {"file": (path.name, path.read_bytes(), DOCX_TYPE)}
    r = client.post("/api/check", files=files)
    assert r.status_code == 200, r.text
    entry = r.json()["files"][0]
    assert entry["language"] == "zh"
    assert {p["id"] for p in entry["provisions"]} >= set(REQUIRED)


def test_check_keeps_only_the_base_name_of_the_uploaded_file(client):
    files = {"file": ("../../../etc/passwd.txt", NO_DISPUTES_EN.encode("utf-8"), "text/plain")}
    r = client.post("/api/check", files=files)
    assert r.status_code == 200
    assert r.json()["files"][0]["path"] == "passwd.txt"


def test_uploads_are_deleted_after_the_request(client, tmp_path, monkeypatch):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    files = {"file": ("sla.txt", NO_DISPUTES_EN.encode("utf-8"), "text/plain")}
    assert client.post("/api/check", files=files).status_code == 200
    assert list(scratch.iterdir()) == []


@pytest.mark.parametrize("upload, status", [
    (("contract.exe", b"MZ..", "application/octet-stream"), 415),
    (("contract", b"text", "text/plain"), 415),
    (("empty.txt", b"", "text/plain"), 400),
], ids=["exe", "no-suffix", "empty"])
def test_check_rejects_bad_uploads(client, upload, status):
    r = client.post("/api/check", files={"file": upload})
    assert r.status_code == status
    assert r.json()["error"]


def test_check_needs_a_multipart_file_field(client):
    assert client.post("/api/check", content=b"hello", headers={"content-type": "text/plain"}).status_code == 415
    r = client.post("/api/check", data={"other": "x"}, files={"x": ("a.txt", b"a", "text/plain")})
    assert r.status_code == 400 and "file" in r.json()["error"]
    assert client.post("/api/check", params={"lang": "de"},
                       files={"file": ("a.txt", b"a", "text/plain")}).status_code == 400


def test_check_reports_an_unreadable_contract_as_400(client):
    r = client.post("/api/check", files={"file": ("broken.docx", b"not a zip file", DOCX_TYPE)})
    assert r.status_code == 400
    body = r.json()
    assert body["error"] and "Traceback" not in json.dumps(body)
    assert "/tmp" not in json.dumps(body) and "clausegen-web-" not in json.dumps(body)


def test_annotate_returns_the_contract_with_word_comments(client, corpus_dir):
    import docx

    path = corpus_dir / "docx" / "common-paper-csa-with-sla.docx"
    r = client.post("/api/annotate", files={"file": (path.name, path.read_bytes(), DOCX_TYPE)})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == DOCX_TYPE
    assert "common-paper-csa-with-sla-annotated.docx" in r.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        assert "word/comments.xml" in zf.namelist()
        assert b"<w:comment " in zf.read("word/comments.xml")
    docx.Document(io.BytesIO(r.content))  # still a valid Word document


def test_annotate_accepts_only_word_files(client):
    r = client.post("/api/annotate", files={"file": ("sla.txt", NO_DISPUTES_EN.encode(), "text/plain")})
    assert r.status_code == 415


def test_check_reads_a_real_pdf(client, corpus_dir):
    path = corpus_dir / "pdf" / "en-sweepai-service-level-terms.pdf"
    r = client.post("/api/check", params={"lang": "en"}, files={"file": (path.name, path.read_bytes(), "application/pdf")})
    assert r.status_code == 200, r.text
    entry = r.json()["files"][0]
    assert entry["path"] == path.name and entry["language"] == "en"
    assert any(p["status"] != "missing" for p in entry["provisions"])


def test_a_firm_library_changes_what_the_form_renders(samples_dir, starter_en):
    firm = samples_dir / "firm-library" / "clauses"
    builtin = TestClient(create_app(), base_url="http://127.0.0.1")
    house = TestClient(create_app(library=firm), base_url="http://127.0.0.1")
    ours = house.post("/api/render", params={"format": "md", "lang": "en"}, json=starter_en)
    theirs = builtin.post("/api/render", params={"format": "md", "lang": "en"}, json=starter_en)
    assert ours.status_code == theirs.status_code == 200
    assert "Credit Request" in ours.text and "Credit Request" not in theirs.text


def test_routes_are_defined_once_at_module_level_and_shared_by_every_app(samples_dir):
    from clausegen.web import app as web

    firm = samples_dir / "firm-library" / "clauses"
    routes = {r.path: r for r in web.router.routes}
    # Every route is a module-level function (none a closure of create_app) ...
    assert all(getattr(web, r.endpoint.__name__) is r.endpoint for r in routes.values())
    assert {"/", "/review", "/favicon.ico"} <= set(routes)
    # ... and each application serves exactly these, with its own library through app.state.
    for application, family in ((create_app(), "service-interruption"), (create_app(library=firm), None)):
        client = TestClient(application, base_url="http://127.0.0.1")
        api = {p for p, r in routes.items() if r.include_in_schema}
        assert set(client.get("/openapi.json").json()["paths"]) == api
        assert client.get("/api/family").json()["id"] == (family or application.state.clausegen.family.id)
        assert client.get("/review").status_code == 200


# ---------------------------------------------------------------- limits and origin checks


def test_declared_oversized_bodies_are_refused_with_413(small_client):
    r = small_client.post("/api/validate", **_yaml("a: 1\n" * 1000))
    assert r.status_code == 413 and "limit" in r.json()["error"]
    r = small_client.post("/api/check", files={"file": ("big.txt", b"x" * 5000, "text/plain")})
    assert r.status_code == 413


def test_streamed_bodies_are_cut_off_at_the_limit(small_client):
    sent = []

    def chunks():  # no Content-Length: the limit must hold on the bytes received
        for _ in range(100):
            sent.append(1)
            yield b"key: value\n" * 10

    r = small_client.post("/api/validate", content=chunks(), headers={"content-type": "application/yaml"})
    assert r.status_code == 413
    assert r.json()["status"] == 413


def test_requests_for_other_host_names_are_refused(client):
    r = client.get("/", headers={"host": "attacker.example"})
    assert r.status_code == 400


def test_cross_origin_posts_are_refused(client, starter_en):
    r = client.post("/api/validate", json=starter_en, headers={"origin": "http://attacker.example"})
    assert r.status_code == 403
    r = client.post("/api/validate", json=starter_en, headers={"origin": "http://127.0.0.1"})
    assert r.status_code == 200


def test_internal_errors_are_json_without_a_traceback(starter_en, monkeypatch):
    from clausegen import render  # the package, callable as the API function

    def broken(*args, **kwargs):
        raise RuntimeError("boom in the writer")

    monkeypatch.setattr(render, "write", broken)
    c = TestClient(create_app(), base_url="http://127.0.0.1", raise_server_exceptions=False)
    r = c.post("/api/render", params={"format": "docx"}, json=starter_en)
    assert r.status_code == 500
    assert r.json()["error"] == "internal error: RuntimeError"
    assert "boom" not in r.text and "Traceback" not in r.text


def test_create_app_refuses_a_missing_library(tmp_path):
    from clausegen.errors import LibraryError

    with pytest.raises(LibraryError):
        create_app(library=tmp_path / "nope")


# ---------------------------------------------------------------- clausegen serve


def test_serve_prints_the_loopback_address_and_runs_uvicorn(monkeypatch, capsys):
    import uvicorn

    from clausegen.web import serve

    seen = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(kw, app=app))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert serve(port=port) == 0
    assert seen["host"] == "127.0.0.1" and seen["port"] == port
    assert f"http://127.0.0.1:{port}/" in capsys.readouterr().err


def test_cli_serve_on_a_busy_port_is_a_clear_error(capsys):
    from clausegen.cli import main

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: cannot listen on 127.0.0.1:{port}") and "hint: choose another port" in err


def test_cli_serve_passes_the_upload_limit_and_refuses_a_bad_one(monkeypatch, capsys):
    import clausegen.web
    from clausegen.cli import main

    seen = {}
    monkeypatch.setattr(clausegen.web, "serve", lambda **kw: seen.update(kw) or 0)
    assert main(["serve", "--port", "8123", "--max-upload-mb", "1.5"]) == 0
    assert seen["max_upload_bytes"] == 1572864 and seen["host"] == "127.0.0.1" and seen["port"] == 8123
    assert main(["serve", "--max-upload-mb", "0"]) == 2
    assert "--max-upload-mb must be more than 0" in capsys.readouterr().err


def test_importing_clausegen_web_does_not_load_fastapi():
    import subprocess
    import sys

    code = "import sys, clausegen.web; print(sorted(m for m in ('fastapi', 'uvicorn', 'starlette') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("host, status", [
    ("127.0.0.1:8000", 200), ("localhost:8000", 200), ("[::1]:8000", 200), ("localhost", 200),
    ("testserver", 400), ("127.0.0.1.nip.io:8000", 400), ("evil.example", 400),
], ids=["ipv4", "localhost", "ipv6", "no-port", "testserver", "rebinding-name", "foreign"])
def test_only_loopback_host_names_are_answered(client, host, status):
    assert client.get("/api/family", headers={"host": host}).status_code == status


def test_a_server_on_all_interfaces_answers_any_host_name():
    c = TestClient(create_app(allowed_hosts=["*"]), base_url="http://192.0.2.7")
    assert c.get("/api/family").status_code == 200
