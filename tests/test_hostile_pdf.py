"""PDFs that are encrypted, or built to make text extraction slow: read, or refused clearly and fast.

Every PDF is written here, byte by byte or with pypdf's writer.
"""

from __future__ import annotations

import io
import json
import time
import zlib

import pytest
from cli_process import run_cli

NOTIFY = "The Provider shall notify the Customer of any outage within 2 hours."


def pdf_file(pages: int, filler: int = 0, shared: bool = True) -> bytes:
    """Return a PDF of `pages` pages saying NOTIFY, each content stream padded with `filler` no-op
    drawing operations (7 tokens each); `shared`: every page uses one and the same content stream."""
    content = (f"BT /F1 12 Tf 72 720 Td ({NOTIFY}) Tj ET\n".encode() + b"1 0 0 1 0 0 cm\n" * filler)
    stream = zlib.compress(content, 9)
    streams = 1 if shared else pages
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               f"<< /Type /Pages /Kids [{' '.join(f'{4 + streams + i} 0 R' for i in range(pages))}] "
               f"/Count {pages} >>".encode(),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    objects += [b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"] * streams
    for i in range(pages):
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R "
                       f">> >> /Contents {4 + (0 if shared else i)} 0 R >>".encode())
    out, offsets = b"%PDF-1.7\n", []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{off:010d} 00000 n \n".encode() for off in offsets)
    return out + f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()


def encrypted_pdf(user_password: str, algorithm: str = "AES-256") -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_file(1))))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm=algorithm)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


# ---------------------------------------------------------------- encryption


@pytest.mark.parametrize("algorithm", ["AES-256", "AES-128", "RC4-128"])
def test_pdf_encrypted_with_an_empty_password_is_read(tmp_path, algorithm):
    """Permission-only PDFs (no password to open, restrictions on printing or copying) are common."""
    from clausegen.check.readers import read_contract

    path = tmp_path / "permissions.pdf"
    path.write_bytes(encrypted_pdf("", algorithm))
    assert [p.text for p in read_contract(path).paragraphs] == [NOTIFY]


def test_pdf_with_an_open_password_is_refused_with_a_clear_message(tmp_path):
    (tmp_path / "locked.pdf").write_bytes(encrypted_pdf("secret"))
    (tmp_path / "ok.txt").write_text(NOTIFY + "\n", encoding="utf-8")
    proc = run_cli("check", "locked.pdf", "ok.txt", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 2
    assert "error: locked.pdf: the PDF is encrypted and needs a password to open" in proc.stderr
    assert "unencrypted copy" in proc.stderr and "has not been decrypted" not in proc.stderr
    assert [f["path"] for f in json.loads(proc.stdout)["files"]] == ["ok.txt"]


def test_aes_pdfs_are_read_because_cryptography_is_a_dependency():
    from pathlib import Path

    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib

    project = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text("utf-8"))
    assert any(dep.startswith("cryptography") for dep in project["project"]["dependencies"])


# ---------------------------------------------------------------- work per page and per document


def test_pages_sharing_one_content_stream_are_read_once(tmp_path):
    """16 pages sharing a stream of 400,000 operations: once 16 parses (over a minute), now one."""
    from clausegen.check.readers import read_contract

    path = tmp_path / "shared.pdf"
    path.write_bytes(pdf_file(16, filler=60_000, shared=True))
    assert path.stat().st_size < 10_000
    single = tmp_path / "single.pdf"
    single.write_bytes(pdf_file(1, filler=60_000))
    start = time.monotonic()
    read_contract(single)
    one_page = time.monotonic() - start
    start = time.monotonic()
    contract = read_contract(path)
    sixteen = time.monotonic() - start
    assert [p.location for p in contract.paragraphs] == [f"page {n}" for n in range(1, 17)]
    assert sixteen < 4 * one_page + 1, (sixteen, one_page)


def test_a_page_with_too_many_operations_is_refused_quickly(tmp_path):
    (tmp_path / "dense.pdf").write_bytes(pdf_file(2, filler=20_000))
    proc = run_cli("check", "dense.pdf", "--limit", "pdf_page_operations=50000", cwd=tmp_path)
    assert proc.returncode == 2
    assert "error: dense.pdf: page 1 of the PDF has more than 50000 drawing operations" in proc.stderr
    assert "--limit pdf_page_operations" in proc.stderr and proc.elapsed < 30


def test_reading_a_pdf_has_a_time_budget(tmp_path):
    (tmp_path / "slow.pdf").write_bytes(pdf_file(40, filler=20_000, shared=False))
    proc = run_cli("check", "slow.pdf", "--limit", "pdf_seconds=0.5", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "error: slow.pdf: reading the PDF's text took longer than 0.5 s (stopped at page" in proc.stderr
    assert "of 40)" in proc.stderr and "--limit pdf_seconds" in proc.stderr
