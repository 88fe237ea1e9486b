"""The limits themselves: defaults, environment variables, --limit on every command, the README table."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from clausegen import limits
from clausegen.errors import UsageError

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    # setenv first, so that teardown also removes variables the test itself sets (apply_options)
    for lim in limits.LIMITS.values():
        monkeypatch.setenv(lim.env, "1")
        monkeypatch.delenv(lim.env)


@pytest.mark.parametrize("name, raw, value", [
    ("input_bytes", "300MB", 300 * 1024 * 1024), ("input_bytes", "2 gb", 2 * 1024 ** 3), ("input_bytes", "512k", 512 * 1024),
    ("input_bytes", "1000", 1000), ("pdf_pages", "20000", 20000), ("template_seconds", "2.5", 2.5),
])
def test_values_accept_size_suffixes_for_bytes(name, raw, value):
    assert limits.parse_value(name, raw) == value


@pytest.mark.parametrize("name, raw, message", [
    ("input_bytes", "lots", "not a number of bytes"), ("input_bytes", "-5", "not a number"),
    ("pdf_pages", "10MB", "not a number"), ("pdf_pages", "0", "more than 0"), ("pages", "10", "unknown limit"),
])
def test_bad_values_are_usage_errors(name, raw, message):
    with pytest.raises(UsageError, match=message):
        limits.parse_value(name, raw)


def test_environment_overrides_the_default(monkeypatch):
    assert limits.get("pdf_pages") == 5000
    monkeypatch.setenv("CLAUSEGEN_MAX_PDF_PAGES", "12")
    assert limits.get("pdf_pages") == 12
    monkeypatch.setenv("CLAUSEGEN_MAX_PDF_PAGES", "twelve")
    with pytest.raises(UsageError, match="pdf_pages"):
        limits.get("pdf_pages")


def test_options_set_plain_numbers_in_the_environment(monkeypatch):
    import os

    limits.apply_options(["input_bytes=2MB", "CLAUSEGEN_MAX_PDF_PAGES=9", "template-seconds=1.5"])
    assert os.environ["CLAUSEGEN_MAX_INPUT_BYTES"] == str(2 * 1024 * 1024)  # readable by any process
    assert limits.get("pdf_pages") == 9 and limits.get("template_seconds") == 1.5
    for bad in (["input_bytes"], ["nope=1"], ["pdf_pages=x"]):
        with pytest.raises(UsageError):
            limits.apply_options(bad)


def test_every_command_takes_limit():
    from clausegen.cli import build_parser

    parser = build_parser()
    for argv in (["validate", "s.yaml"], ["render", "s.yaml", "-o", "o.docx"], ["check", "c.docx"],
                 ["library", "list"], ["library", "check"], ["new"], ["serve"]):
        args = parser.parse_args(argv + ["--limit", "pdf_pages=3", "--limit", "input_bytes=1MB"])
        assert args.limit == ["pdf_pages=3", "input_bytes=1MB"], argv
        assert not hasattr(parser.parse_args(argv), "limit")


def test_describe_lists_every_limit_in_force(monkeypatch):
    monkeypatch.setenv("CLAUSEGEN_MAX_DOCX_RATIO", "77")
    table = limits.describe()
    for lim in limits.LIMITS.values():
        assert lim.name in table and lim.env in table
    assert re.search(r"docx_ratio\s+77\s", table)


def test_readme_documents_every_limit():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Security and limits"):]
    for lim in limits.LIMITS.values():
        assert f"`{lim.name}`" in section and f"`{lim.env}`" in section, lim.name
    assert "CLAUSEGEN_TEST_SLOW_WRITE" not in readme  # no test hook in the product
