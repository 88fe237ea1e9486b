"""PDF writer: the Word document, converted by LibreOffice in headless mode (fonts embedded, CJK included)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from clausegen.errors import ClausegenError
from clausegen.render.model import Document

#: Seconds a conversion may take before it is stopped (a schedule converts in 2-5 s).
TIMEOUT = float(os.environ.get("CLAUSEGEN_PDF_TIMEOUT", "120"))
PROGRAMS = ("soffice", "libreoffice")
INSTALL_HINT = ("install LibreOffice Writer and a CJK font (Debian/Ubuntu: sudo apt-get install "
                "libreoffice-writer fonts-noto-cjk; macOS: brew install --cask libreoffice; Windows: "
                "libreoffice.org), or write a .docx and save it as PDF from Word")


# Fonts a Word document names that a Linux or Mac machine seldom has, and the free font LibreOffice
# should use instead (only where the named one is missing). Left to itself LibreOffice picks the
# first CJK font it finds, often the Japanese cut of Noto, whose glyphs differ from Chinese print.
SUBSTITUTES = (("SimSun", "Noto Serif CJK SC"), ("宋体", "Noto Serif CJK SC"), ("SimHei", "Noto Sans CJK SC"),
               ("黑体", "Noto Sans CJK SC"), ("Microsoft YaHei", "Noto Sans CJK SC"),
               ("Times New Roman", "Liberation Serif"), ("Arial", "Liberation Sans"))


def _profile_settings() -> str:
    """Return LibreOffice settings (registrymodifications.xcu) for the font replacement table."""
    from xml.sax.saxutils import escape

    def prop(name, value):
        return f'<prop oor:name="{name}" oor:op="fuse"><value>{escape(str(value))}</value></prop>'

    pairs = "".join(
        f'<node oor:name="_{i}" oor:op="replace">{prop("Always", "false")}{prop("OnScreenOnly", "false")}'
        f'{prop("ReplaceFont", old)}{prop("SubstituteFont", new)}</node>'
        for i, (old, new) in enumerate(SUBSTITUTES))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
            'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f'<item oor:path="/org.openoffice.Office.Common/Font/Substitution">{prop("Replacement", "true")}</item>'
            f'<item oor:path="/org.openoffice.Office.Common/Font/Substitution/FontPairs">{pairs}</item>'
            '</oor:items>\n')


def converter() -> str:
    """Return the path of LibreOffice's `soffice`; raise ClausegenError (exit 2) saying how to install it."""
    for name in PROGRAMS:
        found = shutil.which(name)
        if found:
            return found
    raise ClausegenError("PDF output needs LibreOffice, which is not installed (no soffice or libreoffice "
                         "on the PATH)", hint=INSTALL_HINT)


def docx_to_pdf(docx: bytes, timeout: float | None = None) -> bytes:
    """Return the PDF LibreOffice makes of the .docx bytes `docx`.

    LibreOffice runs headless with a private profile in a temporary folder (so that it neither
    waits for nor disturbs a LibreOffice the user has open), for at most `timeout` seconds.
    It embeds the fonts it uses (a subset of each) in the PDF. Raises ClausegenError when
    LibreOffice is missing, fails, or takes too long.
    """
    soffice = converter()
    limit = TIMEOUT if timeout is None else timeout
    with tempfile.TemporaryDirectory(prefix="clausegen-pdf-") as tmp:
        folder = Path(tmp)
        source = folder / "clauses.docx"
        source.write_bytes(docx)
        user = folder / "profile" / "user"
        user.mkdir(parents=True)
        (user / "registrymodifications.xcu").write_text(_profile_settings(), encoding="utf-8")
        profile = (folder / "profile").as_uri()
        cmd = [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--nolockcheck",
               "--convert-to", "pdf:writer_pdf_Export", "--outdir", str(folder / "out"), str(source)]
        try:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                    start_new_session=True, env={**os.environ, "HOME": tmp})
        except OSError as exc:
            raise ClausegenError(f"cannot start LibreOffice ({soffice}): {exc}", hint=INSTALL_HINT) from None
        try:
            _, err = proc.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            _kill(proc)
            raise ClausegenError(f"LibreOffice took longer than {limit:g} s to make the PDF; it was stopped",
                                 hint="try again; if it persists, write a .docx and convert it yourself, "
                                      "or raise CLAUSEGEN_PDF_TIMEOUT (seconds)") from None
        pdf = folder / "out" / "clauses.pdf"
        if proc.returncode != 0 or not pdf.is_file():
            detail = err.decode("utf-8", "replace").strip().splitlines()[-1:] if err else []
            raise ClausegenError("LibreOffice could not convert the document to PDF"
                                 + (f": {detail[0]}" if detail else f" (exit status {proc.returncode})"),
                                 hint="check that LibreOffice Writer runs (soffice --headless --version), "
                                      "or write a .docx")
        return pdf.read_bytes()


def _kill(proc) -> None:
    """Stop LibreOffice and the processes it started (its own process group)."""
    import signal

    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    proc.communicate()  # reaps it and closes the pipes


def write_pdf(document: Document, reference_docx=None) -> bytes:
    """Return `document` as PDF bytes: the Word writer's document, converted by LibreOffice."""
    from clausegen.render.docx import write_docx

    converter()  # say that LibreOffice is missing before doing any work
    return docx_to_pdf(write_docx(document, reference_docx=reference_docx))
