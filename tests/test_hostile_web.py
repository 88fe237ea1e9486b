"""Hostile requests to the web form: oversized, mistyped, path-traversing, crafted files, concurrent.

Every answer is JSON with a status code (400, 413, 415, 422), never a traceback or a server path,
and nothing is written outside the request's own temporary folder.
"""

from __future__ import annotations

import io
import json
import tempfile
import time
import warnings
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from shared_data import require_module  # noqa: E402

require_module("fastapi")
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from clausegen.web.app import create_app  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SAMPLE_EN = REPO / "samples" / "sla-en.yaml"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SLA_ZH = "双方因本合同发生争议的，应先协商解决；协商不成的，提交中国国际经济贸易仲裁委员会仲裁。\n"


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(), base_url="http://127.0.0.1")


@pytest.fixture(scope="module")
def small_client():
    return TestClient(create_app(max_upload_bytes=4096), base_url="http://127.0.0.1")


def assert_clean_error(r, status: int, *words: str) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    text = json.dumps(body, ensure_ascii=False)
    assert "Traceback" not in text and "clausegen-web-" not in text and "/tmp/" not in text
    for word in words:
        assert word in text, (word, text)
    return body


def _docx(document_xml: bytes | None = None, bomb_mb: int = 0) -> bytes:
    import docx

    buf = io.BytesIO()
    d = docx.Document()
    d.add_paragraph("x")
    d.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            if item.filename == "word/document.xml" and bomb_mb:
                with z.open("word/document.xml", "w", force_zip64=True) as fh:
                    for _ in range(bomb_mb):
                        fh.write(b" " * (1 << 20))
            elif item.filename == "word/document.xml" and document_xml is not None:
                z.writestr(item.filename, document_xml)
            else:
                z.writestr(item.filename, src.read(item))
    return out.getvalue()


# ---------------------------------------------------------------- size and type


def test_oversized_upload_is_413_declared_or_streamed(small_client):
    r = small_client.post("/api/check", files={"file": ("big.txt", b"x" * 10_000, "text/plain")})
    assert_clean_error(r, 413, "limit")

    def body():
        for _ in range(10):
            yield b"a: 1\n" * 200

    r = small_client.post("/api/validate", content=body(), headers={"content-type": "application/yaml"})
    assert_clean_error(r, 413)


@pytest.mark.parametrize("path, kwargs", [
    ("/api/validate", {"content": b"<spec/>", "headers": {"content-type": "application/xml"}}),
    ("/api/render", {"content": b"%PDF-1.7", "headers": {"content-type": "application/pdf"}}),
    ("/api/check", {"content": b'{"file": "x"}', "headers": {"content-type": "application/json"}}),
    ("/api/annotate", {"content": b"plain", "headers": {"content-type": "text/plain"}}),
    ("/api/check", {"files": {"file": ("contract.docm", b"PK..", DOCX_TYPE)}}),
    ("/api/annotate", {"files": {"file": ("contract.pdf", b"%PDF-1.7", "application/pdf")}}),
], ids=["validate-xml", "render-pdf", "check-json", "annotate-text", "check-docm", "annotate-pdf"])
def test_wrong_content_type_is_415(client, path, kwargs):
    assert_clean_error(client.post(path, **kwargs), 415)


# ---------------------------------------------------------------- hostile files and specs


@pytest.mark.parametrize("name, content, words", [
    ("bomb.docx", None, ["zip bomb"]),
    ("xxe.docx", b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>',
     ["DOCTYPE"]),
    ("old.docx", bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 2000, ["old Word .doc"]),
    ("scan.pdf", b"%PDF-1.4\n%%EOF\n", ["PDF"]),
], ids=["zip-bomb", "xxe", "renamed-doc", "broken-pdf"])
def test_crafted_contract_uploads_are_400_quickly(client, name, content, words):
    if name == "bomb.docx":
        content = _docx(bomb_mb=300)
    elif name == "xxe.docx":
        content = _docx(document_xml=content)
    start = time.monotonic()
    for path in ("/api/check", "/api/annotate") if name.endswith(".docx") else ("/api/check",):
        r = client.post(path, files={"file": (name, content, DOCX_TYPE)})
        body = assert_clean_error(r, 400, *words)
        assert name in body["error"] or name in json.dumps(body)  # named by the client's file name
    assert time.monotonic() - start < 30


@pytest.mark.parametrize("body, ctype, words", [
    ("language: !!python/object/apply:os.system ['echo PWNED']\n", "application/yaml", ["not allowed"]),
    ("\n".join(['a0: &a0 [x, x, x, x, x, x, x, x, x, x]']
               + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]) + "\n",
     "application/yaml", ["more than 100000 values"]),
    ("a: " + "[" * 10_000 + "]" * 10_000, "application/yaml", ["nested too deeply"]),
    ("[" * 100_000 + "]" * 100_000, "application/json", ["nested too deeply"]),
    ('{"language": "en", "language": "zh"}', "application/json", ["duplicate key 'language'"]),
    ("language: en\nlanguage: zh\n", "application/yaml", ["duplicate key 'language'"]),
], ids=["python-tag", "alias-bomb", "deep-yaml", "deep-json", "duplicate-json", "duplicate-yaml"])
def test_hostile_spec_bodies_are_400_on_every_spec_endpoint(client, body, ctype, words):
    for path in ("/api/validate", "/api/spec/parse", "/api/render"):
        r = client.post(path, content=body.encode("utf-8"), headers={"content-type": ctype})
        assert_clean_error(r, 400, *words)


def test_invalid_utf8_spec_is_400(client):
    r = client.post("/api/validate", content="language: 中文".encode("gbk"), headers={"content-type": "application/yaml"})
    assert_clean_error(r, 400, "UTF-8")


# ---------------------------------------------------------------- file names


@pytest.mark.parametrize("filename", ["../../escape.txt", "..\\..\\escape.txt", "/etc/cron.d/escape.txt",
                                      "....//....//escape.txt", "%2e%2e%2fescape.txt", "escape.txt\0.exe"])
def test_traversing_file_names_write_nothing_outside_the_request_folder(client, tmp_path, monkeypatch, filename):
    scratch = tmp_path / "a" / "b" / "scratch"
    scratch.mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    r = client.post("/api/check", files={"file": (filename, SLA_ZH.encode("utf-8"), "text/plain")})
    assert r.status_code in (200, 415), r.text
    if r.status_code == 200:
        shown = r.json()["files"][0]["path"]
        assert "/" not in shown and "\\" not in shown and ".." not in shown.replace("....", "")
    # jieba keeps its dictionary cache in the temp folder on first use: that is not an upload.
    written = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.name != "jieba.cache")
    assert written == ["a", "a/b", "a/b/scratch"]  # the request folder came and went; nothing else
    assert not Path("/etc/cron.d/escape.txt").exists()


def test_download_names_cannot_inject_headers(client):
    r = client.post("/api/spec/dump", params={"filename": "x\r\nSet-Cookie: a=b.yaml"},
                    json={"language": "en"})
    assert r.status_code == 200
    assert "set-cookie" not in {k.lower() for k in r.headers}
    assert "\n" not in r.headers["content-disposition"]


# ---------------------------------------------------------------- concurrency


def test_concurrent_requests_each_get_their_own_answer():
    app = create_app()
    spec = SAMPLE_EN.read_bytes()

    def check(i: int):
        with TestClient(app, base_url="http://127.0.0.1") as c:
            text = f"合同编号 {i}\n" + SLA_ZH
            r = c.post("/api/check", files={"file": (f"c{i}.txt", text.encode("utf-8"), "text/plain")})
            return ("check", i, r.status_code, r.json()["files"][0]["path"])

    def render(i: int):
        with TestClient(app, base_url="http://127.0.0.1") as c:
            r = c.post("/api/render", params={"format": "md"}, content=spec,
                       headers={"content-type": "application/yaml"})
            return ("render", i, r.status_code, len(r.content))

    def bad(i: int):
        with TestClient(app, base_url="http://127.0.0.1") as c:
            r = c.post("/api/validate", content=b"a: [", headers={"content-type": "application/yaml"})
            return ("bad", i, r.status_code, r.json()["error"][:14])

    jobs = [(check, i) for i in range(4)] + [(render, i) for i in range(3)] + [(bad, i) for i in range(3)]
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda job: job[0](job[1]), jobs))
    assert time.monotonic() - start < 240
    for kind, i, status, detail in results:
        if kind == "check":
            assert (status, detail) == (200, f"c{i}.txt")  # each upload answered with its own report
        elif kind == "render":
            assert status == 200 and detail > 1000
        else:
            assert (status, detail) == (400, "not valid YAML")
    renders = {detail for kind, _, _, detail in results if kind == "render"}
    assert len(renders) == 1  # the same spec renders identically under concurrency


# ---------------------------------------------------------------- odd bodies answered in the documented shape


def test_json_spec_with_a_five_thousand_digit_number_is_a_problem_not_a_500(client):
    body = '{"clausegen": 1, "family": "service-interruption", "language": "en", "service": {"availability_target": ' \
           + "9" * 5000 + "}}"
    r = client.post("/api/validate", content=body, headers={"content-type": "application/json"})
    found = assert_clean_error(r, 200)
    assert not found["valid"]
    assert any(p["pointer"] == "service.availability_target" and "not a number" in p["message"]
               for p in found["problems"])
    r = client.post("/api/render", content=body, headers={"content-type": "application/json"})
    assert_clean_error(r, 422)


def test_json_null_spec_is_not_nested_too_deeply(client):
    r = client.post("/api/validate", content="null", headers={"content-type": "application/json"})
    body = assert_clean_error(r, 400, "must be a mapping")
    assert "nested too deeply" not in body["error"]
    deep = "[" * 100_000 + "]" * 100_000
    r = client.post("/api/validate", content=deep, headers={"content-type": "application/json"})
    assert_clean_error(r, 400, "nested too deeply")


def test_too_many_multipart_fields_answer_in_the_documented_shape(client):
    fields = {f"f{i}": "x" for i in range(12)}
    r = client.post("/api/check", data=fields, files={"file": ("c.txt", SLA_ZH.encode(), "text/plain")})
    body = assert_clean_error(r, 400, "Too many fields")
    assert set(body) >= {"error", "status"} and "detail" not in body
    r = client.get("/no/such/page")
    body = assert_clean_error(r, 404)
    assert body["status"] == 404 and "detail" not in body


def test_damaged_list_numbering_is_400_naming_the_problem(client):
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    xml = (f'<w:document {w}><w:body><w:p><w:pPr><w:numPr><w:ilvl w:val="x"/><w:numId w:val="1"/></w:numPr>'
           f'</w:pPr><w:r><w:t>Item</w:t></w:r></w:p></w:body></w:document>').encode()
    numbering = (f'<w:numbering {w}><w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
                 '<w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl></w:abstractNum>'
                 '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>').encode()
    src = zipfile.ZipFile(io.BytesIO(_docx(xml)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for item in src.infolist():
            z.writestr(item.filename, numbering if item.filename == "word/numbering.xml" else src.read(item))
    assert "word/numbering.xml" in src.namelist()
    r = client.post("/api/check", files={"file": ("list.docx", out.getvalue(), DOCX_TYPE)})
    assert_clean_error(r, 400, "w:ilvl", "not a whole number", "list.docx")
