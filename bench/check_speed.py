"""Checker speed: documents and pages per second, next to text extraction alone, in the same run.

    .venv/bin/python bench/check_speed.py [CORPUS_DIR] [--pages 200] [--repeat 3]

Measures, in one process and in this order:

1. checker load: importing the checker, loading the rules and the trained zh and en provision
   classifiers, and one tiny check per language (the suggestion templates compile on first
   use). Reported on its own; everything after is warm.
2. the dev corpus (every .txt, .docx and .pdf under CORPUS_DIR, default ../shared/corpus/dev):
   extraction alone (clausegen.check.readers.read_contract) and the full check
   (clausegen.check.check_file, which includes extraction), per format;
3. generated long contracts, built in a temporary folder (never committed) by repeating the
   corpus's own paragraphs up to 50 and `--pages` pages, as .txt and .docx, in English and
   Chinese;
4. the floor, per language: a blank spaCy pipeline (spacy.blank + sentencizer; jieba segmenting
   for Chinese) tokenising and sentence-splitting the same corpus texts. The checker's speed is
   printed as a share of the floor's (issue 10: English ≥ 0.3×, Chinese ≥ 0.5×);
5. memory over many documents (`--docs`, default 2,000, cycling the corpus texts): peak
   resident memory after each quarter, which must stay flat.

A "page" is 3,000 characters of extracted text in both languages (a dense English page; a
Chinese page of 3,000 characters holds more words than a printed one, so Chinese figures are
conservative). Times are the best of `--repeat` runs, in CPU seconds of this process
(time.process_time), so that other work on a shared machine does not inflate them; the wall
time of the checks is printed beside them. Ratios: check time / extraction time, and the
50-page check time against the 1-second expectation of the issue.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

PAGE_CHARS = 3000
ZH_PRINTED_PAGE_CHARS = 1000  # characters on a printed A4 page of a Chinese contract, roughly
ROOT = Path(__file__).resolve().parents[1]


def best_of(repeat: int, fn, *args):
    """Return (fewest CPU seconds, fewest wall seconds, last result) of `repeat` calls of `fn(*args)`."""
    cpu, wall, result = float("inf"), float("inf"), None
    for _ in range(max(1, repeat)):
        c0, w0 = time.process_time(), time.perf_counter()
        result = fn(*args)
        cpu = min(cpu, time.process_time() - c0)
        wall = min(wall, time.perf_counter() - w0)
    return cpu, wall, result


def load_pipeline() -> dict:
    """Return the CPU seconds spent making the checker ready, step by step (and the wall total)."""
    clock = time.process_time
    steps = {}
    w0 = time.perf_counter()
    t0 = clock()
    import clausegen.check as check
    from clausegen.check.classifier import model_for
    from clausegen.check.rules import load_ruleset

    steps["import"] = clock() - t0
    t = clock()
    ruleset = load_ruleset()
    steps["rules"] = clock() - t
    model = model_for(ruleset.family)
    for lang in ("en", "zh"):
        t = clock()
        model.nlp(lang)
        steps[f"provision classifier {lang}"] = clock() - t
    t = clock()
    check.check_text("The Provider shall notify the Customer within 2 hours of an outage.", "en", suggest=False)
    check.check_text("服务提供方应在服务中断后2小时内通知客户。", "zh", suggest=False)
    steps["first check"] = clock() - t
    steps["total"] = clock() - t0
    steps["total, wall clock"] = time.perf_counter() - w0
    return steps


def corpus_files(corpus: Path) -> list[Path]:
    from clausegen.check.batch import expand_paths

    return [p for p in expand_paths([corpus]) if p.suffix.lower() in (".txt", ".docx", ".pdf")]


def measure(files: list[Path], repeat: int) -> dict:
    """Return totals for `files`: documents, characters, extraction and check seconds."""
    from clausegen.check import check_file
    from clausegen.check.readers import read_contract

    totals = {"docs": 0, "chars": 0, "extract": 0.0, "check": 0.0, "wall": 0.0}
    for path in files:
        t_read, _, contract = best_of(repeat, read_contract, path)
        t_check, w_check, _ = best_of(repeat, check_file, path)
        totals["docs"] += 1
        totals["chars"] += sum(len(p.text) for p in contract.paragraphs)
        totals["extract"] += t_read
        totals["check"] += t_check
        totals["wall"] += w_check
    return totals


def row(label: str, t: dict) -> str:
    pages = t["chars"] / PAGE_CHARS
    ratio = t["check"] / t["extract"] if t["extract"] else float("nan")
    return (f"{label:<28} {t['docs']:>4} {pages:>8.1f} {t['extract']:>9.3f} {t['check']:>9.3f} "
            f"{t['docs'] / t['check']:>8.1f} {pages / t['check']:>8.1f} {1000 * t['check'] / max(pages, 1e-9):>8.2f} "
            f"{ratio:>7.1f}x {t['wall']:>8.3f}")


HEADER = (f"{'(CPU seconds)':<28} {'docs':>4} {'pages':>8} {'extract s':>9} {'check s':>9} "
          f"{'docs/s':>8} {'pages/s':>8} {'ms/page':>8} {'chk/ext':>8} {'wall s':>8}")


def source_paragraphs(files: list[Path], lang: str) -> list[str]:
    """Return the paragraphs of the corpus's `lang` text files, in file order."""
    from clausegen.check.readers import read_contract

    out = []
    for path in files:
        if path.suffix == ".txt":
            contract = read_contract(path)
            if contract.language == lang:
                out += [p.text for p in contract.paragraphs]
    return out


def build_contract(paragraphs: list[str], pages: int, folder: Path, stem: str) -> list[Path]:
    """Write `pages` pages of `paragraphs` (repeated) as .txt and .docx in `folder`; return both."""
    import docx

    target, text, i = pages * PAGE_CHARS, [], 0
    size = 0
    while size < target:
        para = paragraphs[i % len(paragraphs)]
        text.append(para)
        size += len(para)
        i += 1
    txt = folder / f"{stem}.txt"
    txt.write_text("\n\n".join(text), encoding="utf-8")
    document = docx.Document()
    for para in text:
        document.add_paragraph(para)
    word = folder / f"{stem}.docx"
    document.save(str(word))
    return [txt, word]


def _texts(files: list[Path]) -> dict[str, list[str]]:
    from clausegen.check.readers import read_contract

    out: dict[str, list[str]] = {"en": [], "zh": []}
    for path in files:
        contract = read_contract(path)
        out["zh" if contract.language == "zh" else "en"].append(contract.text)
    return out


def floor_ratios(files: list[Path], repeat: int) -> dict:
    """Return {lang: (check CPU s, floor CPU s, characters)} over the corpus texts of each language."""
    import spacy

    from clausegen.check import check_text

    out = {}
    for lang, texts in _texts(files).items():
        if not texts:
            continue
        if lang == "zh":
            nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
        else:
            nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        list(nlp.pipe(texts[:1]))  # jieba loads its dictionary on first use: not part of the floor
        floor_s, _, _ = best_of(repeat, lambda: [len(list(d.sents)) for d in nlp.pipe(texts)])
        check_s, _, _ = best_of(repeat, lambda: [check_text(t, lang, suggest=False) for t in texts])
        out[lang] = (check_s, floor_s, sum(len(t) for t in texts))
    return out


def memory_curve(files: list[Path], docs: int) -> list[tuple[int, int]]:
    """Return (documents checked, peak resident bytes) at each quarter of `docs` checks."""
    import resource

    from clausegen.check import check_text

    texts = [t for ts in _texts(files).values() for t in ts]
    marks = {max(1, docs * k // 4) for k in (1, 2, 3, 4)}
    out = []
    for i in range(1, docs + 1):
        check_text(texts[i % len(texts)], suggest=False)
        if i in marks:
            out.append((i, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024))
    return out


FRESH_LOADS = {
    "python alone": "pass",
    "floor: import spaCy, blank en pipeline + sentencizer":
        "import spacy; spacy.blank('en').add_pipe('sentencizer')",
    "checker ready for an English contract":
        "import clausegen.check as c; c.check_text('The Provider shall notify the Customer within 2 hours.', 'en', suggest=False)",
    "checker ready for a Chinese contract":
        "import clausegen.check as c; c.check_text('服务提供方应在服务中断后2小时内通知客户。', 'zh', suggest=False)",
}


def fresh_loads(repeat: int) -> dict:
    """Return {what: fewest CPU seconds} of a new Python process doing each of FRESH_LOADS.

    A new process is what a user pays for on every `clausegen check`: nothing imported yet.
    """
    import resource
    import subprocess

    out = {}
    for name, code in FRESH_LOADS.items():
        best = float("inf")
        for _ in range(max(1, repeat)):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            best = min(best, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime))
        out[name] = best
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=ROOT.parent / "shared" / "corpus" / "dev")
    parser.add_argument("--pages", type=int, default=200, help="size of the long generated contract")
    parser.add_argument("--short-pages", type=int, default=50, metavar="PAGES",
                        help="size of the contract held to the 1-second expectation (default 50)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (the best is kept)")
    parser.add_argument("--docs", type=int, default=2000, help="documents for the memory curve (0: skip)")
    args = parser.parse_args(argv)

    print(f"clausegen check speed · a page = {PAGE_CHARS:,} characters of extracted text · "
          f"best of {args.repeat} · one process, one core")
    steps = load_pipeline()
    print("\nchecker load, CPU seconds (once per process, not counted below):")
    for name, seconds in steps.items():
        print(f"  {name:<44} {seconds:7.3f} s")

    loads = fresh_loads(args.repeat)
    print("\nload in a new process, CPU seconds (what one `clausegen check` pays before reading a page):")
    floor_load = loads["floor: import spaCy, blank en pipeline + sentencizer"]
    for name, seconds in loads.items():
        ratio = f"{seconds / floor_load:5.2f}× the floor" if name.startswith("checker") else ""
        print(f"  {name:<56} {seconds:7.3f} s  {ratio}")

    files = corpus_files(args.corpus)
    print(f"\ndev corpus: {args.corpus} ({len(files)} files)\n{HEADER}")
    totals = {"docs": 0, "chars": 0, "extract": 0.0, "check": 0.0, "wall": 0.0}
    for suffix in (".txt", ".docx", ".pdf"):
        group = [p for p in files if p.suffix.lower() == suffix]
        if not group:
            continue
        t = measure(group, args.repeat)
        print(row(f"corpus {suffix}", t))
        for key in totals:
            totals[key] += t[key]
    print(row("corpus, all files", totals))

    print(f"\ngenerated contracts (corpus paragraphs repeated; temporary files)\n{HEADER}")
    short = args.short_pages
    fifty = {}
    with tempfile.TemporaryDirectory(prefix="clausegen-bench-") as tmp:
        for lang in ("en", "zh"):
            paragraphs = source_paragraphs(files, lang)
            if not paragraphs:
                continue
            for pages in sorted({short, args.pages}):
                for path in build_contract(paragraphs, pages, Path(tmp), f"{lang}-{pages}p"):
                    t = measure([path], args.repeat)
                    print(row(f"{lang} {pages} pages {path.suffix}", t))
                    if pages == short:
                        fifty[f"{lang} {path.suffix}"] = t["check"]

    print("\nthe floor: a blank spaCy pipeline tokenising and sentence-splitting the same texts")
    floor = floor_ratios(files, args.repeat)
    for lang, (check_s, floor_s, chars) in floor.items():
        print(f"  {lang}: check {chars / PAGE_CHARS / check_s:8.1f} pages/s · floor {chars / PAGE_CHARS / floor_s:8.1f} "
              f"pages/s · checker speed = {floor_s / check_s:.2f}× the floor")

    if args.docs:
        print(f"\nmemory over {args.docs:,} documents (corpus texts cycled, checked one after another):")
        for n, peak in memory_curve(files, args.docs):
            print(f"  after {n:>6,} documents: peak resident memory {peak / 1e6:8.1f} MB")

    print("\nratios:")
    print(f"  check / extraction on the corpus: {totals['check'] / totals['extract']:.1f}x")
    print(f"  pipeline load / corpus check of one average document: "
          f"{steps['total'] / (totals['check'] / max(totals['docs'], 1)):.1f}x")
    for name, seconds in fifty.items():
        verdict = "well under" if seconds < 0.5 else ("under" if seconds < 1.0 else "OVER")
        print(f"  {short}-page contract ({name}): {seconds:.3f} CPU s, {verdict} the 1 s expectation")
        if name.startswith("zh"):
            # A printed Chinese page holds about 1,000 characters, a third of a bench page.
            printed = seconds * ZH_PRINTED_PAGE_CHARS / PAGE_CHARS
            print(f"    {short} printed Chinese pages (~{short * ZH_PRINTED_PAGE_CHARS:,} characters), "
                  f"scaled: {printed:.3f} CPU s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
