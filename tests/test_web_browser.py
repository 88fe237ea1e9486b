"""The web form in a real browser: Playwright driving Debian's Chromium against `clausegen serve`'s app."""

from __future__ import annotations

import io
import os
import socket
import threading
import time
from pathlib import Path

import pytest

from shared_data import require, require_module  # noqa: E402

require_module("fastapi")
require_module("playwright")

CHROMIUM = os.environ.get("CLAUSEGEN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SHOTS = os.environ.get("CLAUSEGEN_SCREENSHOTS")  # a folder: save screenshots there while developing

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module", autouse=True)
def chromium() -> None:
    """Skip on a developer's machine without Chromium; fail under CI=true (.ci/run installs it)."""
    require(Path(CHROMIUM).exists(), f"Chromium at {CHROMIUM}")

# An English SLA with every provision but a dispute clause (a known gap for the review tests).
NO_DISPUTES_EN = (Path(__file__).parent / "data" / "sla-without-disputes-en.txt").read_text(encoding="utf-8")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server_url():
    """Start the web app with uvicorn in a thread on a free loopback port; yield its URL."""
    import uvicorn

    from clausegen.web.app import create_app

    port = _free_port()
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page_for(browser, server_url):
    """Return a function ui_lang -> a fresh page whose requests are all checked to stay local."""
    contexts, external, errors = [], [], []

    def make(ui: str = "en"):
        ctx = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True,
                                  locale="zh-CN" if ui == "zh" else "en-US")
        contexts.append(ctx)
        ctx.set_default_timeout(60000)  # the CI machine may be busy; spaCy loads on first check
        page = ctx.new_page()
        page.on("request", lambda req: None if req.url.startswith((server_url, "blob:", "data:"))
                else external.append(req.url))
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error"
                and "status of 4" not in msg.text else None)
        return page

    yield make
    for ctx in contexts:
        ctx.close()
    assert external == [], f"the page made external requests: {external}"
    assert errors == [], f"errors in the page: {errors}"


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=False)


def _wait_js(page, expression: str, arg=None, timeout: float = 60.0) -> None:
    """Wait until `expression` is true in the page.

    page.wait_for_function polls with eval(), which the app's CSP (rightly) forbids; evaluate()
    goes through the DevTools protocol and is not subject to it.
    """
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression, arg):
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {expression}")
        page.wait_for_timeout(100)


def _wait_status(page, kind: str, timeout: float = 60000) -> None:
    page.wait_for_selector(f"#status.{kind}", timeout=timeout)


def test_draft_form_shows_an_error_next_to_the_field_then_downloads_the_docx(page_for, server_url, tmp_path):
    import docx

    page = page_for("en")
    page.goto(server_url + "/")
    _wait_status(page, "ok")
    # sections in provision order, with schema titles in the interface language
    nav = page.locator("#sections-nav a").all_inner_texts()
    assert [t for t in nav if t[0].isdigit()][:6] == [
        "1Definition and Scope of Interruption", "2Notification and Confirmation", "3Compensation Standards",
        "4Compensation Process", "5Compensation Deadlines", "6Dispute Resolution"]
    page.wait_for_selector("#preview h1")
    assert "Service" in page.inner_text("#preview")

    target = page.locator('[data-pointer="service.availability_target"]').first
    field = target.locator("input")
    field.fill("150")
    _wait_status(page, "bad")
    target.locator(".field-error").first.wait_for()
    errors = target.locator(".field-error").all_inner_texts()
    assert any("150 is more than 100" in e for e in errors), errors
    assert int(page.locator('#sections-nav a[data-section="service"] .count').inner_text()) == len(errors)
    _shot(page, "draft-en-error")

    field.fill("99.9")
    _wait_status(page, "ok")
    assert target.locator(".field-error").count() == 0

    with page.expect_download() as info:
        page.click("#docx-en")
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    text = "\n".join(p.text for p in docx.Document(saved).paragraphs)
    provider = page.locator('[data-pointer="parties.provider.name"] input').first.input_value()
    assert provider and provider in text


def test_draft_form_conditional_blocks_rows_and_chinese_interface(page_for, server_url):
    page = page_for("zh")
    page.goto(server_url + "/")
    _wait_status(page, "ok")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator("#sec-disputes h2").inner_text() == "争议解决"
    method = page.locator('[data-pointer="disputes.method"] select')
    court = '[data-pointer="disputes.court"]'
    arbitration = '[data-pointer="disputes.arbitration"]'
    chosen = method.input_value()
    assert page.locator(arbitration if chosen == "arbitration" else court).count() == 1
    assert page.locator(court if chosen == "arbitration" else arbitration).count() == 0
    method.select_option("court" if chosen == "arbitration" else "arbitration")
    page.wait_for_selector(court if chosen == "arbitration" else arbitration)
    assert page.locator(arbitration if chosen == "arbitration" else court).count() == 0
    page.wait_for_selector("#status.ok, #status.bad")

    rows = page.locator('[data-pointer="standards.service_credits.tiers"] tbody tr')
    before = rows.count()
    page.locator('[data-pointer="standards.service_credits.tiers"] button.add-row').click()
    assert rows.count() == before + 1
    _shot(page, "draft-zh")

    # switch the interface to English: titles follow, values stay
    page.click('[data-ui-lang="en"]')
    _wait_js(page, "document.querySelector('#sec-disputes h2').textContent === 'Dispute Resolution'")
    assert rows.count() == before + 1

    # the draft survives a reload of the tab
    page.wait_for_selector("#status.ok, #status.bad")
    page.reload()
    page.wait_for_selector("#status.ok, #status.bad")
    assert rows.count() == before + 1
    assert page.locator("#sec-disputes h2").inner_text() == "Dispute Resolution"


def test_draft_form_optional_provisions_and_either_or_fields(page_for, server_url):
    page = page_for("en")
    page.goto(server_url + "/")
    _wait_status(page, "ok")
    state = "window.clausegenDraft.data"
    # an optional provision can be left out, and comes back with its values
    assert page.evaluate(f"{state}.training !== undefined")
    page.uncheck("#include-training")
    assert page.evaluate(f"{state}.training === undefined")
    assert "excluded" in page.locator("#sec-training").get_attribute("class")
    page.check("#include-training")
    assert page.evaluate(f"{state}.training !== undefined")
    # an either/or field: a named choice, or a fixed period as number + unit
    fm = page.locator('[data-pointer="deadlines.force_majeure_extension"]').first
    options = fm.locator("select").first.locator("option").all_inner_texts()
    fixed = next(i for i, label in enumerate(options) if "fixed" in label)
    fm.locator("select").first.select_option(index=fixed)
    fm = page.locator('[data-pointer="deadlines.force_majeure_extension"]').first
    fm.locator('input[type="number"]').fill("10")
    fm.locator("select").nth(1).select_option("days")
    _wait_js(page, f"JSON.stringify({state}.deadlines.force_majeure_extension) === "
                   "JSON.stringify({value: 10, unit: 'days'})")
    _wait_status(page, "ok")
    page.wait_for_selector("#preview h1")


def test_building_the_form_leaves_every_starter_spec_unchanged(page_for, server_url):
    page = page_for("en")
    page.goto(server_url + "/")
    _wait_status(page, "ok")
    for lang in ("en", "zh", "bilingual"):
        page.click(f'[data-new="{lang}"]')
        _wait_js(page, f"window.clausegenDraft.data.language === '{lang}'")
        _wait_status(page, "ok")
        same = page.evaluate("""async (lang) => {
          const starter = await (await fetch('/api/starter?lang=' + lang)).json();
          return JSON.stringify(window.clausegenDraft.data) === JSON.stringify(starter);
        }""", lang)
        assert same, lang
        assert page.locator("textarea.json").count() == 0  # every field has a real widget


def test_draft_form_loads_a_yaml_spec_and_saves_it_back(page_for, server_url, samples_dir, tmp_path):
    import yaml

    page = page_for("en")
    page.goto(server_url + "/")
    _wait_status(page, "ok")
    page.set_input_files("#load-yaml", str(samples_dir / "sla-en.yaml"))
    _wait_js(page, "document.querySelector('[data-pointer=\"parties.provider.name\"] input')"
                   ".value === 'Northwind Cloud Services Ltd.'")
    _wait_status(page, "ok")
    with page.expect_download() as info:
        page.click("#save-yaml")
    saved = tmp_path / "saved.yaml"
    info.value.save_as(saved)
    data = yaml.safe_load(saved.read_text(encoding="utf-8"))
    original = yaml.safe_load((samples_dir / "sla-en.yaml").read_text(encoding="utf-8"))
    assert data["standards"] == original["standards"]
    assert data["parties"] == original["parties"]


def test_review_page_flags_the_missing_dispute_clause(page_for, server_url, tmp_path):
    contract = tmp_path / "supplier-sla.txt"
    contract.write_text(NO_DISPUTES_EN, encoding="utf-8")
    page = page_for("en")
    page.goto(server_url + "/review")
    page.set_input_files("#contract", str(contract))
    page.wait_for_selector("#result:not([hidden])", timeout=60000)
    assert page.inner_text("#result-name") == "supplier-sla.txt"
    disputes = page.locator('article.prov[data-provision="disputes"]')
    assert disputes.get_attribute("data-status") == "missing"
    assert "Dispute Resolution" in disputes.inner_text()
    assert disputes.locator("details.suggestion pre").text_content().strip()
    present = page.locator('article.prov[data-status="present"], article.prov[data-status="weak"]')
    assert present.count() >= 3
    assert page.locator("article.prov mark").count() >= 3  # evidence highlighted
    assert page.locator("#download-annotated").is_hidden()  # only for Word uploads
    _shot(page, "review-en")

    with page.expect_download() as info:
        page.click("#download-json")
    report = (tmp_path / "r.json")
    info.value.save_as(report)
    import json

    body = json.loads(report.read_text(encoding="utf-8"))
    assert {p["id"]: p["status"] for p in body["files"][0]["provisions"]}["disputes"] == "missing"
    assert "context" not in body["files"][0]


def test_review_page_annotates_a_real_word_contract_in_chinese(page_for, server_url, corpus_dir, tmp_path):
    path = corpus_dir / "docx" / "zh-legal-counsel-service-contract.docx"
    page = page_for("zh")
    page.goto(server_url + "/review")
    page.set_input_files("#contract", str(path))
    page.wait_for_selector("#result:not([hidden])", timeout=60000)
    assert page.locator("article.prov").count() == 6
    assert "[object" not in page.inner_text("#result")
    assert "中文" in page.inner_text("#result-meta")
    _shot(page, "review-zh")
    with page.expect_download() as info:
        page.click("#download-annotated")
    out = tmp_path / info.value.suggested_filename
    info.value.save_as(out)
    assert out.name.endswith("-annotated.docx")
    import zipfile

    with zipfile.ZipFile(io.BytesIO(out.read_bytes())) as zf:
        assert "word/comments.xml" in zf.namelist()


def test_draft_form_offers_the_deal_terms_a_draft_with_blanks_and_a_pdf(page_for, server_url, tmp_path):
    """Issue 14 in the form: the new keys are fields, a draft takes TBD in a number field and shows [●]
    with the open points listed, and the PDF downloads (through LibreOffice on the server)."""
    import re
    import shutil
    import subprocess

    from conftest import require_or_skip

    require_or_skip(bool(shutil.which("soffice") or shutil.which("libreoffice")) and bool(shutil.which("pdftotext")),
                    "LibreOffice and poppler-utils")
    page = page_for("en")
    page.goto(server_url + "/")
    _wait_status(page, "ok")
    page.wait_for_selector("#preview h1")
    # new keys are fields titled from the schema, and reach the preview
    title = '[data-pointer="document.agreement_title"]'
    page.locator(f"{title} input, {title} textarea").first.fill("Master Services Agreement")
    page.locator('[data-pointer="document.self_reference"] select').first.select_option("annex")
    _wait_js(page, "document.querySelector('#preview').textContent.includes('this Annex')")
    assert "under the Master Services Agreement" in page.inner_text("#preview") or \
        "forms part of the Master Services Agreement" in page.inner_text("#preview")
    assert page.locator('[data-pointer="standards.annual_cap"]').count() >= 1
    assert page.locator('[data-pointer="acting_for"]').count() >= 1
    # a cross-reference shows its number in the preview
    assert re.search(r"Claim Period \(see clause \d+\.1\)", page.inner_text("#preview"))

    # a draft: the availability target is not agreed yet
    page.check("#draft-mode")
    field = page.locator('[data-pointer="service.availability_target"] input').first
    assert field.get_attribute("type") == "text"
    field.fill("TBD")
    _wait_js(page, "document.querySelector('#preview').textContent.includes('[●]')")
    _wait_status(page, "ok")
    problems = page.locator("#problems li").all_inner_texts()
    assert any(p.startswith("open") and "service.availability_target" in p for p in problems), problems
    preview = page.inner_text("#preview")
    assert "Open points" in preview and "Service › Availability target" in preview
    _shot(page, "draft-blanks")

    with page.expect_download(timeout=180000) as info:
        page.click("#pdf-en")
    download = info.value
    assert download.suggested_filename.endswith("-draft.pdf")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(saved), "-"], check=True, capture_output=True, text=True,
                          timeout=60).stdout
    assert "[●]" in text and "Open points" in text and "this Annex" in text

    # without draft mode the same value is an error
    page.uncheck("#draft-mode")
    _wait_status(page, "bad")
