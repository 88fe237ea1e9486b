"""The review page in a real browser: the firm's positions table and the redline download."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("playwright")

from test_redline import EN, W, body_paragraphs, make_docx, text_of  # noqa: E402
from test_web_browser import CHROMIUM, _shot, browser, page_for, server_url  # noqa: E402,F401

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM} (.ci/run installs it)"),
]


def test_review_page_shows_positions_and_downloads_the_redline(page_for, server_url, tmp_path):
    contract = make_docx(tmp_path / "hosting-en.docx", EN)
    page = page_for("en")
    page.goto(server_url + "/review")
    page.wait_for_selector('#playbook option[value="customer-side"]', state="attached")
    page.select_option("#playbook", "customer-side")
    page.fill("#author", "Jane Reviewer")
    page.set_input_files("#contract", str(contract))
    page.wait_for_selector("#positions:not([hidden])", timeout=60000)
    rows = page.locator("#positions-body tr")
    verdicts = {rows.nth(i).get_attribute("data-term"): rows.nth(i).get_attribute("data-verdict")
                for i in range(rows.count())}
    assert verdicts["notice_within"] == "deviates"
    assert verdicts["payment_deadline"] == "meets"
    notice = page.locator('#positions-body tr[data-term="notice_within"]').inner_text()
    assert "twenty-four (24) hours" in notice and "at most 1 hours" in notice and "deviates" in notice
    _shot(page, "review-positions-en")

    with page.expect_download() as info:
        page.click("#download-redline")
    out = tmp_path / info.value.suggested_filename
    info.value.save_as(out)
    assert out.name == "hosting-en-redline.docx"
    with zipfile.ZipFile(out) as z:
        assert "word/document.xml" in z.namelist()
    marks = [m for p in body_paragraphs(out) for m in p.iter(W + "ins", W + "del")]
    assert marks and {m.get(W + "author") for m in marks} == {"Jane Reviewer"}
    notice_p = next(p for p in body_paragraphs(out) if "notify the Customer" in text_of(p, deleted=True))
    assert [t.text for t in notice_p.iter(W + "delText")] == ["twenty-four (24) hours"]


def test_review_page_reads_an_uploaded_playbook_and_reports_a_bad_one(page_for, server_url, tmp_path):
    contract = make_docx(tmp_path / "hosting-en.docx", EN)
    good = tmp_path / "firm.yaml"
    good.write_text("positions:\n  notice_within:\n    preferred: {max: {value: 2, unit: days}}\n", encoding="utf-8")
    page = page_for("en")
    page.goto(server_url + "/review")
    page.wait_for_selector('#playbook option[value="customer-side"]', state="attached")
    page.set_input_files("#contract", str(contract))
    page.wait_for_selector("#result:not([hidden])", timeout=60000)
    assert page.locator("#positions").is_hidden()  # no playbook chosen: no table
    page.select_option("#playbook", "@file")
    page.set_input_files("#playbook-file", str(good))
    page.wait_for_selector('#positions-body tr[data-term="notice_within"]', timeout=60000)
    assert page.locator('#positions-body tr[data-term="notice_within"]').get_attribute("data-verdict") == "meets"
    bad = tmp_path / "bad.yaml"
    bad.write_text("positions:\n  notice_within:\n    preferred: {max: {value: 2, unit: fortnights}}\n",
                   encoding="utf-8")
    page.set_input_files("#playbook-file", str(bad))
    page.wait_for_selector("#review-error:not([hidden])", timeout=60000)
    text = page.inner_text("#review-error")
    assert "playbook" in text and "notice_within" in text and "clausegen-web-" not in text
