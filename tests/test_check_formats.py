"""The same contract gives the same verdicts whether it arrives as text, Word or PDF.

Corpus contracts are converted by LibreOffice (as a firm's documents would be made) into .docx
and .pdf; the checker must read each format back into the same provisions. A PDF wraps lines at
the page width, so this guards the PDF reader's joining of wrapped lines.
"""

from __future__ import annotations

import subprocess

import pytest
from lo_accept import soffice
from shared_data import corpus_file, require

from clausegen.check import check_file
from clausegen.check.readers import _pdf_paragraphs

# Chosen for length and spread: a long English SLA, English terms whose court clause ends a line
# with "U.S.A.", a Chinese SLA and a Chinese power-supply contract.
CONTRACTS = ("en-zitadel-terms-of-service", "en-azurecn-storage-sla", "zh-azurecn-vm-sla",
             "zh-yh-power-supply-contract")


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> dict:
    exe = soffice()
    require(bool(exe), "LibreOffice")
    sources = [corpus_file("docs", f"{name}.txt") for name in CONTRACTS]
    out = tmp_path_factory.mktemp("formats")
    for target in ("pdf", "docx:MS Word 2007 XML"):
        subprocess.run([exe, "--headless", f"-env:UserInstallation=file://{out}/profile", "--convert-to", target,
                        "--outdir", str(out), *map(str, sources)], check=True, capture_output=True, timeout=300)
    return {src.stem: (src, out / f"{src.stem}.docx", out / f"{src.stem}.pdf") for src in sources}


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", CONTRACTS)
def test_text_word_and_pdf_give_the_same_verdicts(converted: dict, name: str) -> None:
    text, word, pdf = converted[name]
    assert word.exists() and pdf.exists()
    lang = "zh" if name.startswith("zh") else "en"
    verdicts = [{p.id: p.status for p in check_file(path, lang=lang).provisions} for path in (text, word, pdf)]
    assert verdicts[1] == verdicts[0], "Word"
    assert verdicts[2] == verdicts[0], "PDF"


def test_a_pdf_line_in_lower_case_continues_after_an_abbreviation() -> None:
    page = ("The federal and state courts sitting in San Francisco County, California, U.S.A.\n"
            "will have exclusive jurisdiction over any dispute.\n"
            "Fees are due within 30 days.\n"
            "Each party bears its own costs.")
    assert [t for _, t in _pdf_paragraphs(page)] == [
        ("The federal and state courts sitting in San Francisco County, California, U.S.A. will have exclusive "
        "jurisdiction over any dispute."), "Fees are due within 30 days.", "Each party bears its own costs."]
