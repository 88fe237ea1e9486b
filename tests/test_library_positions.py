"""Positions (preferred / fallback wording) and provenance (what produced a .docx)."""

from __future__ import annotations

import zipfile

from clausegen.library import fingerprint, load_library, read_provenance
from clausegen.library.list import list_library
from clausegen.render import render, render_provision_text, write
from test_library_check import make_library

DATA = {
    "family": "mini", "language": "en",
    "deadlines": {"claim_window": {"value": 30, "unit": "days"}, "payment_deadline": {"value": 3, "unit": "days"},
                  "late_claims": "forfeited"},
    "disputes": {"method": "arbitration", "governing_law": "the laws of Ireland"},
}


def test_template_picks_the_fallback_file_and_falls_back_to_preferred(tmp_path):
    fam = make_library(tmp_path)
    family = load_library(tmp_path).family("mini")
    assert family.template("deadlines", "en") == fam / "en/deadlines.j2"
    assert family.template("deadlines", "en", "fallback") == fam / "en/deadlines.fallback.j2"
    # No fallback wording for disputes: the preferred one serves both positions.
    assert family.template("disputes", "en", "fallback") == fam / "en/disputes.j2"
    assert family.provision("deadlines").positions == ("preferred", "fallback")
    assert family.provision("disputes").positions == ("preferred",)


def test_spec_position_chooses_the_wording(tmp_path):
    make_library(tmp_path)
    preferred = render_provision_text("deadlines", "en", data=DATA, library=tmp_path)
    fallback = render_provision_text("deadlines", "en", data={**DATA, "position": "fallback"}, library=tmp_path)
    assert "paid within 3" in preferred
    assert "paid within" not in fallback and "Claims within 30 days." in fallback


def test_library_list_shows_positions_and_origins(tmp_path):
    make_library(tmp_path)
    table = list_library(tmp_path)
    rows = [line.split() for line in table.splitlines() if line.strip().startswith(("deadlines", "disputes"))]
    assert ["deadlines", "yes", "en", "fallback", "en/deadlines.fallback.j2"] == rows[3][:5]
    assert rows[3][-1].endswith("mini/en/deadlines.fallback.j2")  # the firm's path, not built-in
    assert rows[3][5:7] == ["-", fingerprint(tmp_path / "mini/en/deadlines.fallback.j2")]  # no declared version
    # The built-in family is listed too, its files marked built-in.
    assert "family service-interruption" in table


def test_docx_records_library_family_and_template_versions(tmp_path):
    fam = make_library(tmp_path / "lib")
    (tmp_path / "lib" / "library.yaml").write_text("id: acme-clauses\n", encoding="utf-8")
    out = tmp_path / "out.docx"
    out.write_bytes(write(render({**DATA, "position": "fallback"}, library=tmp_path / "lib"), "docx"))
    with zipfile.ZipFile(out) as z:
        assert "docProps/custom.xml" in z.namelist()
    made = read_provenance(out)
    assert made["library"] == "acme-clauses"
    assert (made["family"], made["family_version"], made["position"]) == ("mini", "1.0.0", "fallback")
    assert made["templates"] == {"en/deadlines.fallback.j2": fingerprint(fam / "en/deadlines.fallback.j2"),
                                 "en/disputes.j2": fingerprint(fam / "en/disputes.j2")}


def test_read_provenance_of_foreign_files_is_none(tmp_path):
    other = tmp_path / "other.docx"
    with zipfile.ZipFile(other, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    (tmp_path / "notes.txt").write_text("hello")
    assert read_provenance(other) is None
    assert read_provenance(tmp_path / "notes.txt") is None
    assert read_provenance(tmp_path / "missing.docx") is None
