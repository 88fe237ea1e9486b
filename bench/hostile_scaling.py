"""How checking time and peak memory grow with hostile-shaped inputs: 1×, 4× and 16× of each shape.

    .venv/bin/python bench/hostile_scaling.py [--base 1] [--shapes sentence,paragraphs,tables,pdf]

Shapes (each generated in a temporary folder, never committed):

- sentence:   one sentence with no sentence end (2,000 characters at 1×), without the words a
              rule's look-ahead searches for: the shape a quadratic pattern is slow on;
- paragraphs: a contract of many short paragraphs (200 at 1×);
- tables:     Word tables nested inside each other (5 levels at 1×, 80 at 16×), the shape that
              once cost cubic time;
- pdf:        a PDF of pages with their own content streams (4 pages at 1×).

Each shape runs in a process of its own: the checker is loaded and warmed first (pipelines,
rules, suggestion templates), then each size is checked once with clausegen.check.check_file.
Time is CPU seconds of that process (wall seconds beside it); peak memory is the growth of the
resident set over the warmed process during the check (Linux: the peak is reset through
/proc/self/clear_refs before each size; elsewhere the absolute peak is shown). The ratios
4×/1× and 16×/1× should stay near 4 and 16 (linear); near 16 and 256 means quadratic.
`--base` multiplies every size.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FACTORS = (1, 4, 16)
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# A sentence with no end, and without the words a rule's look-ahead searches for: the shape on which
# an unanchored (?=.*…) runs again from every position (a PDF line wrap joins lines into such sentences).
CUES = "the Provider shall use commercially reasonable efforts to keep the Service available and any period of "
LINE = "The Provider shall restore the Service within four hours of a report of an outage."
SENTENCE = ("The Provider shall use commercially reasonable efforts to keep the Service available, and any "
            "period of unavailability shall be measured in minutes from the time of the report.")


# ---------------------------------------------------------------- inputs


def word_file(body: str) -> bytes:
    """Return a .docx (python-docx's default package) whose body is the WordprocessingML `body`."""
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "word/document.xml":
                data = f'<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>'.encode()
            z.writestr(item.filename, data)
    return out.getvalue()


def para(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def nested_tables(depth: int) -> str:
    inner = ""
    for level in range(depth - 1, -1, -1):
        inner = f"<w:tbl><w:tr><w:tc>{para(f'cell {level}: {SENTENCE}')}{inner}{para('')}</w:tc></w:tr></w:tbl>"
    return inner


def pdf_file(pages: int) -> bytes:
    """Return a PDF of `pages` pages, each with its own content stream of 40 lines of text."""
    lines = "".join(f"BT /F1 9 Tf 40 {800 - 18 * i} Td ({LINE}) Tj ET\n" for i in range(40))
    stream = zlib.compress(lines.encode(), 9)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               f"<< /Type /Pages /Kids [{' '.join(f'{4 + pages + i} 0 R' for i in range(pages))}] "
               f"/Count {pages} >>".encode(),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    objects += [b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"] * pages
    objects += [f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 842] /Resources << /Font << /F1 3 0 R >> >> "
                f"/Contents {4 + i} 0 R >>".encode() for i in range(pages)]
    out, offsets = b"%PDF-1.7\n", []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{off:010d} 00000 n \n".encode() for off in offsets)
    return out + f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()


def make(shape: str, factor: int, base: int, folder: Path) -> tuple[Path, str]:
    """Write the `shape` input at `factor` × `base` into `folder`; return (path, what it is)."""
    n = factor * base
    if shape == "sentence":
        text = CUES * max(1, 2000 * n // len(CUES))
        path = folder / f"sentence-{factor}.txt"
        path.write_text(text + "\n", encoding="utf-8")
        return path, f"{len(text):,} characters, one sentence"
    if shape == "paragraphs":
        count = 200 * n
        path = folder / f"paragraphs-{factor}.txt"
        path.write_text("\n".join(f"{i}. {SENTENCE}" for i in range(count)) + "\n", encoding="utf-8")
        return path, f"{count:,} paragraphs"
    if shape == "tables":
        depth = min(5 * n, 80)  # the XML parser refuses documents nested much deeper than this
        path = folder / f"tables-{factor}.docx"
        path.write_bytes(word_file(nested_tables(depth)))
        return path, f"tables nested {depth} deep"
    if shape == "pdf":
        pages = 4 * n
        path = folder / f"pages-{factor}.pdf"
        path.write_bytes(pdf_file(pages))
        return path, f"{pages:,} PDF pages"
    raise SystemExit(f"unknown shape {shape!r}")


# ---------------------------------------------------------------- measuring (in a child process)


def _status(key: str) -> int:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def measure(paths: list[str]) -> list[dict]:
    """Return, for each file, the CPU and wall seconds of checking it and the peak memory it took."""
    import time

    from clausegen.check import check_file, check_text

    check_text("The Provider shall notify the Customer within 2 hours.")  # warm: pipelines, rules, templates
    check_text("乙方应在服务中断后2小时内通知甲方。")
    results = []
    for path in paths:
        relative = _reset_peak()
        before = _status("VmRSS")
        c0, w0 = time.process_time(), time.perf_counter()
        report = check_file(path)
        cpu, wall = time.process_time() - c0, time.perf_counter() - w0
        peak = _status("VmHWM")
        results.append({"cpu": cpu, "wall": wall, "peak_kb": max(peak - before, 0) if relative else peak,
                        "relative": relative, "paragraphs": report.paragraphs})
    return results


def run_shape(shape: str, base: int) -> list[tuple[str, dict]]:
    with tempfile.TemporaryDirectory(prefix="clausegen-scaling-") as tmp:
        made = [make(shape, factor, base, Path(tmp)) for factor in FACTORS]
        code = ("import json, sys; sys.path.insert(0, sys.argv[1]); import hostile_scaling as h; "
                "print(json.dumps(h.measure(sys.argv[2:])))")
        env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        proc = subprocess.run([sys.executable, "-c", code, str(Path(__file__).parent), *(str(p) for p, _ in made)],
                              capture_output=True, text=True, env=env, timeout=3600)
        if proc.returncode != 0:
            raise SystemExit(f"{shape}: the measuring process failed:\n{proc.stderr}")
        return [(what, result) for (_, what), result in zip(made, json.loads(proc.stdout.splitlines()[-1]))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", type=int, default=1, help="multiply every size by this (default 1)")
    parser.add_argument("--shapes", default="sentence,paragraphs,tables,pdf",
                        help="comma-separated shapes: sentence, paragraphs, tables, pdf")
    args = parser.parse_args(argv)
    print("checking time (CPU s, wall s) and peak memory growth over 1×, 4×, 16× inputs; "
          "linear growth gives ratios near 4 and 16\n")
    print(f"{'shape':<11} {'size':>3}  {'input':<32} {'CPU s':>8} {'wall s':>8} {'peak MB':>8}  ratio (CPU)")
    absolute = False
    for shape in [s.strip() for s in args.shapes.split(",") if s.strip()]:
        rows = run_shape(shape, args.base)
        first = max(rows[0][1]["cpu"], 1e-3)
        for factor, (what, r) in zip(FACTORS, rows):
            ratio = "" if factor == 1 else f"{r['cpu'] / first:6.1f}  (linear {factor})"
            peak = f"{r['peak_kb'] / 1024:8.1f}" + ("" if r["relative"] else "*")
            print(f"{shape:<11} {factor:>2}×  {what:<32} {r['cpu']:8.2f} {r['wall']:8.2f} {peak}  {ratio}")
            absolute = absolute or not r["relative"]
    if absolute:
        print("\n* absolute peak of the process (the peak could not be reset on this system)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
