"""`clausegen report`: the portfolio page (self-contained, counts that match the results, a heat map that
sorts in a real browser, value charts, unreadable files, details) and the CSV export."""

from __future__ import annotations

import json

import csv
import io
import os
import re
import shutil
from pathlib import Path

import pytest
from cli_process import run_cli

from shared_data import require_module  # noqa: E402

require_module("pyarrow")

FILES = ["docs/en-basecamp-big-sla.txt", "docs/en-commonpaper-mutual-nda.txt", "docs/en-commonpaper-sla.txt",
         "docs/zh-aliyun-sae-sla.txt", "docs/zh-yh-house-lease.txt", "docs/zh-tencent-cvm-sla-legacy.txt"]


@pytest.fixture(scope="module")
def results(tmp_path_factory, corpus_dir: Path) -> Path:
    """Return the results folder of a review of six real contracts, a copy and a damaged file."""
    root = tmp_path_factory.mktemp("portfolio")
    archive = root / "archive"
    archive.mkdir()
    for rel in FILES:
        shutil.copyfile(corpus_dir / rel, archive / Path(rel).name)
    shutil.copyfile(corpus_dir / FILES[0], archive / "z-copy-of-basecamp.txt")
    (archive / "broken.pdf").write_bytes(b"%PDF-1.4 broken beyond repair")
    out = root / "results"
    proc = run_cli("review", archive, "--out", out, "--jobs", "2", cwd=root, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def page_file(results: Path) -> Path:
    out = results.parent / "portfolio.html"
    proc = run_cli("report", results, "-o", out, cwd=results.parent)
    assert proc.returncode == 0, proc.stderr
    return out


def _provisions(results: Path) -> list:
    from clausegen.review.dataset import read_table

    return read_table(results, "provisions").to_pylist()


def test_report_page_is_self_contained_and_counts_match_the_results(results: Path, page_file: Path):
    import lxml.html

    text = page_file.read_text(encoding="utf-8")
    # Nothing fetched from elsewhere: no CDN script, stylesheet, font or image.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text)
    assert "<link" not in text and "@import" not in text and "url(" not in text
    doc = lxml.html.fromstring(text)

    rows = _provisions(results)
    expected: dict = {}
    for r in rows:
        expected[(r["provision"], r["status"])] = expected.get((r["provision"], r["status"]), 0) + 1
    shown = {}
    for tr in doc.xpath('//table[@id="counts-table"]/tbody/tr'):
        pid = tr.xpath("./td[2]/code/text()")[0]
        for td in tr.xpath("./td[@data-status]"):
            shown[(pid, td.get("data-status"))] = int(td.text)
    assert {k: v for k, v in shown.items() if v} == expected
    assert doc.xpath("//svg[@aria-label='provisions by status']")

    heat = doc.xpath('//table[@id="heatmap"]/tbody/tr')
    assert len(heat) == len(FILES)  # the copy counts once
    for tr in heat:
        target = tr.xpath(".//a/@href")[0]
        assert doc.xpath(f'//section[@id="{target[1:]}"]'), f"no detail for {target}"
    basecamp = next(tr for tr in heat if tr.get("data-path").endswith("en-basecamp-big-sla.txt"))
    detail = doc.xpath(f'//section[@id="{basecamp.xpath(".//a/@href")[0][1:]}"]')[0]
    assert "z-copy-of-basecamp.txt" in detail.text_content()  # its copy is named
    evidence = {r["evidence"] for r in rows if r["path"].endswith("en-basecamp-big-sla.txt") and r["evidence"]}
    assert evidence and all(e in detail.text_content() for e in evidence)

    unread = doc.xpath('//table[@id="unreadable-table"]/tbody/tr')
    assert len(unread) == 1 and "broken.pdf" in unread[0].text_content()
    assert unread[0].xpath("./td[2]")[0].text_content().strip()  # the reason
    # one histogram per figure the checker read (clausegen.values), named provision: term (unit)
    expected_series = {}
    for r in rows:
        for v in json.loads(r["values"]) if r["values"] else []:
            if isinstance(v.get("value"), (int, float)) and not isinstance(v["value"], bool):
                name = f'{r["provision"]}: {v["term"]} ({v["unit"]})' if v.get("unit") else f'{r["provision"]}: {v["term"]}'
                expected_series[name] = expected_series.get(name, 0) + 1
    assert expected_series, "the reviewed SLAs state figures (availability, credits) the checker reads"
    shown_series = {svg.get("aria-label") for svg in doc.xpath('//figure[@class="hist"]/svg')}
    assert shown_series == set(expected_series)


def test_report_csv_has_one_row_per_file_with_its_statuses(results: Path):
    out = results.parent / "portfolio.csv"
    proc = run_cli("report", results, "-o", out, cwd=results.parent)
    assert proc.returncode == 0, proc.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads the Chinese file names right
    table = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(table) == len(FILES) + 2
    by_name = {Path(r["path"]).name: r for r in table}
    assert by_name["broken.pdf"]["file_status"] == "unreadable" and by_name["broken.pdf"]["reason"]
    assert by_name["z-copy-of-basecamp.txt"]["same_as"].endswith("en-basecamp-big-sla.txt")
    for r in _provisions(results):
        assert by_name[Path(r["path"]).name][r["provision"]] == r["status"]
    for row in table:
        if row["file_status"] == "ok":
            required = ["definition", "notification", "standards", "process", "deadlines", "disputes"]
            assert int(row["gaps"]) == sum(row[p] != "present" for p in required)


def test_report_charts_the_extracted_values(tmp_path: Path):
    """Results whose checker extracted values (provisions[].values) get one histogram per value."""
    import lxml.html

    from clausegen.review.dataset import ResultStore
    from clausegen.review.portfolio import load_portfolio, report_html

    store = ResultStore(tmp_path / "r", {"lang": "auto", "library": None, "playbook": None})
    windows = [30, 30, 60, 90]
    for i, days in enumerate(windows):
        provisions = [{"provision": pid, "required": True, "status": "present", "confidence": 0.9,
                       "evidence": "…", "evidence_paragraph": 1, "evidence_start": 0, "evidence_end": 1,
                       "evidence_location": None, "evidence_count": 1, "values": None}
                      for pid in ("definition", "notification", "standards", "process", "disputes")]
        provisions.append({"provision": "deadlines", "required": True, "status": "present", "confidence": 0.9,
                           "evidence": "…", "evidence_paragraph": 2, "evidence_start": 0, "evidence_end": 5,
                           "evidence_location": '{"cell": [0, 1]}', "evidence_count": 1,
                           "values": f'{{"claim_window": {{"value": {days}, "unit": "days"}}, "cap": {{"percent": {10 * (i + 1)}}}}}'})
        store.add({"path": f"/a/{i}.txt", "hash": f"{i:064x}", "size": 10, "status": "ok", "language": "en",
                   "paragraphs": 3, "errors": 0, "warnings": 0, "seconds": 0.1, "provisions": provisions})
    store.save()
    store.close()
    doc = lxml.html.fromstring(report_html(load_portfolio(tmp_path / "r")))
    captions = {f.xpath("./figcaption")[0].text.strip(): f for f in doc.xpath('//figure[@class="hist"]')}
    assert set(captions) == {"deadlines: claim_window (days)", "deadlines: cap.percent"}
    window = captions["deadlines: claim_window (days)"]
    assert "n=4, min 30, median 60, max 90" in window.text_content()
    bars = {t.text.rsplit(":", 1)[0]: int(t.text.rsplit(":", 1)[1]) for t in window.xpath(".//rect/title")}
    assert bars == {"30": 2, "60": 1, "90": 1}
    assert '{"cell": [0, 1]}' in doc.xpath('//section[@id="c0"]')[0].text_content()  # a location detail


def test_report_errors(tmp_path: Path, results: Path):
    proc = run_cli("report", tmp_path, "-o", tmp_path / "p.html", cwd=tmp_path)
    assert proc.returncode == 2 and "not a review results folder" in proc.stderr and "Traceback" not in proc.stderr
    proc = run_cli("report", results, "-o", tmp_path / "p.pdf", cwd=tmp_path)
    assert proc.returncode == 2 and "cannot tell the report format" in proc.stderr
    proc = run_cli("report", results, "-o", tmp_path / "no-folder" / "p.html", cwd=tmp_path)
    assert proc.returncode == 2 and "does not exist" in proc.stderr
    assert not (tmp_path / "p.html").exists()


CHROMIUM = os.environ.get("CLAUSEGEN_CHROMIUM", "/usr/bin/chromium")


@pytest.mark.browser
def test_report_heat_map_sorts_and_links_in_a_browser(page_file: Path):
    from conftest import require_or_skip

    require_module("playwright")
    require_or_skip(Path(CHROMIUM).exists(), f"Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--headless=new", "--disable-gpu"])
        try:
            page = browser.new_page()
            requests, errors = [], []
            page.on("request", lambda r: requests.append(r.url))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(page_file.as_uri())

            def column(i: int) -> list:
                return page.eval_on_selector_all(
                    "#heatmap tbody tr", f"rows => rows.map(r => r.cells[{i}].getAttribute('data-v'))")

            page.click("#heatmap th:nth-child(1)")  # contract: A to Z… then Z to A
            names = column(0)
            page.click("#heatmap th:nth-child(1)")
            assert column(0) == sorted(names, reverse=True) and names != column(0)
            page.click("#heatmap th:nth-child(3)")  # gaps: most first
            gaps = [int(v) for v in column(2)]
            assert gaps == sorted(gaps, reverse=True) and gaps[0] > gaps[-1]
            page.click("#heatmap th:nth-child(3)")
            assert [int(v) for v in column(2)] == sorted(gaps)

            first = page.eval_on_selector("#heatmap tbody tr a", "a => [a.getAttribute('href'), a.textContent]")
            page.click("#heatmap tbody tr a")
            assert page.url.endswith(first[0])
            assert page.is_visible(f"section{first[0]}")
            assert first[1] in page.inner_text(f"section{first[0]} h3")
            assert all(u.startswith("file://") for u in requests), requests
            assert errors == []
        finally:
            browser.close()
