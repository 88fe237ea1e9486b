"""Batch checking: expand folders and globs, check many contracts (in parallel), one combined report.

An unreadable file among several does not stop the run: every other file is checked, the
unreadable one is listed in `BatchReport.errors`, every reporter shows it, and the command exits
2 naming it, so a reviewer cannot mistake an unread contract for a clean one. When no file at
all can be read, the first error is raised as it is (exit 2). A broken clause library or rule
file is not a property of one contract: it stops the run at once.
"""

from __future__ import annotations

import glob
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from clausegen.check.model import FileReport, Report
from clausegen.errors import ClausegenError, InputError, UsageError

CONTRACT_SUFFIXES = (".docx", ".pdf", ".txt", ".md")
_GLOB_CHARS = set("*?[")


@dataclass(frozen=True)
class Unreadable:
    """A file the checker could not read: its path, what went wrong and how to fix it."""

    path: str
    message: str
    hint: str | None = None


@dataclass(frozen=True)
class BatchReport(Report):
    """A Report over several files, plus the files that could not be read (`errors`)."""

    errors: tuple[Unreadable, ...] = ()


def _is_contract(path: Path) -> bool:
    name = path.name
    # Word's lock files (~$contract.docx) and hidden files are never contracts.
    return path.suffix.lower() in CONTRACT_SUFFIXES and not name.startswith(("~$", "."))


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts[:-1])


def expand_paths(paths) -> list[Path]:
    """Return the contract files named by `paths`: files as given, folders and globs expanded.

    Folders are searched recursively for .docx/.pdf/.txt/.md files (hidden folders and Word
    lock files skipped), in sorted order; a pattern such as ``contracts/**/*.docx`` is expanded
    the same way (for shells that did not). Files appear once, in the order of `paths`.
    Raises InputError for a path that does not exist, a pattern that matches nothing and a
    folder holding no contract.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    found: list[Path] = []
    for arg in paths:
        arg = Path(arg)
        text = str(arg)
        if arg.is_dir():
            files = sorted((p for p in arg.rglob("*") if p.is_file() and _is_contract(p)
                            and not _hidden(p, arg)), key=lambda p: p.relative_to(arg).as_posix())
            if not files:
                raise InputError("the folder holds no .docx, .pdf, .txt or .md file", path=text,
                                 hint="check the folder name, or name the files to check")
            found += files
        elif arg.exists():
            found.append(arg)  # named explicitly: the reader says if the type is not supported
        elif _GLOB_CHARS & set(text):
            files = sorted(Path(p) for p in glob.glob(text, recursive=True))
            files = [p for p in files if p.is_file() and _is_contract(p)]
            if not files:
                raise InputError("no contract file matches this pattern", path=text,
                                 hint="patterns match .docx, .pdf, .txt and .md files")
            found += files
        else:
            raise InputError("no such file or folder", path=text)
    unique: dict[Path, Path] = {}
    for p in found:
        unique.setdefault(p.resolve(), p)
    return list(unique.values())


def playbook_with_levels(playbook, levels: dict | None):
    """Return `playbook` (a path, a dict or None) with rule `levels` from clausegen.toml added.

    `levels` maps rule ids to error | warning | info | off; the playbook's own settings win,
    as options given for this run win over the project file. Returns `playbook` unchanged
    when there are no levels.
    """
    if not levels:
        return playbook
    from clausegen.check import load_playbook

    book = load_playbook(playbook) if playbook is not None else {}
    rules = {rid: ({"enabled": False} if level == "off" else {"level": level}) for rid, level in levels.items()}
    for rid, setting in (book.get("rules") or {}).items():
        rules[rid] = {**rules.get(rid, {}), **setting}
    return {**book, "rules": rules, "provisions": dict(book.get("provisions") or {})}


def _check_one(path: Path, lang: str, playbook, library) -> tuple:
    """Return ("ok", FileReport) or ("error", fields of the ClausegenError) for one file.

    Errors travel as plain fields: exceptions with keyword arguments do not survive pickling
    between processes intact.
    """
    from clausegen.check import check_file

    try:
        return ("ok", check_file(path, lang=lang, library=library, playbook=playbook))
    except ClausegenError as exc:
        return ("error", isinstance(exc, InputError), exc.message,
                exc.path if exc.path is not None else str(path), exc.line, exc.col, exc.hint, exc.exit_code)


def wants_progress(enabled: bool | None, stream=None) -> bool:
    """Return whether to draw a progress bar on `stream` (default stderr): `enabled` when given.

    Otherwise only on a terminal, and never in CI (the CI variable is set, as GitHub Actions,
    GitLab and most others do, some with a pseudo-terminal) or with TERM=dumb.
    """
    if enabled is not None:
        return bool(enabled)
    if os.environ.get("CI") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return (stream or sys.stderr).isatty()
    except (AttributeError, ValueError):
        return False


class _Progress:
    """A one-line progress bar on stderr, drawn only when `wants_progress` says so."""

    def __init__(self, total: int, enabled: bool | None, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = wants_progress(enabled, self.stream) and total > 1
        self.total, self.done, self.start = total, 0, time.monotonic()
        if self.enabled:
            self._draw("starting (the language pipelines load once)")

    def _draw(self, label: str) -> None:
        import shutil

        bar = 24
        filled = int(bar * self.done / self.total)
        rate = self.done / max(time.monotonic() - self.start, 1e-6)
        line = f"[{'#' * filled}{'.' * (bar - filled)}] {self.done}/{self.total} files · {rate:.1f}/s · "
        # Stay on one terminal line, or "\r" cannot redraw it.
        room = max(shutil.get_terminal_size((80, 24)).columns - len(line) - 1, 10)
        label = label if len(label) <= room else "…" + label[-(room - 1):]
        self.stream.write(f"\r\x1b[K{line}{label}")
        self.stream.flush()

    def step(self, name: str) -> None:
        self.done += 1
        if self.enabled:
            self._draw(name)

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def _outcome(result: tuple, path: Path, debug: bool) -> tuple:
    """Return the `_check_one` outcome for `path` from a worker pool's `result`.

    A file whose check passes the time limit, crashes or kills its worker is unreadable, with
    the reason; the other files are still reported.
    """
    from clausegen import limits

    kind = result[0]
    if kind == "ok":
        return result[1]
    name = str(path)
    if kind == "timeout":
        return ("error", True, f"reading and checking it took longer than {result[1]:g} s (the check_seconds "
                "limit), so it was stopped; the file may be crafted to be slow", name, None, None,
                f"raise it with --limit check_seconds=... (now {limits.get('check_seconds'):g}) if the file "
                "is genuine", 2)
    if kind == "died":
        return ("error", True, f"the process checking it ended unexpectedly (exit code {result[1]}; out of "
                "memory?)", name, None, None, "check it alone, or with --jobs 1", 2)
    if kind == "error":
        _, unreadable, message, epath, line, col, hint, code = result[1]
        return ("error", unreadable, message, epath if epath is not None else name, line, col, hint, code)
    if debug:  # a bug: show the worker's traceback as --debug promises
        raise RuntimeError(f"internal error while checking {name}:\n{result[2]}")
    return ("error", True, f"internal error while checking it: {result[1]}", name, None, None,
            "this is a bug in clausegen; rerun with --debug and report the traceback", 2)


def _run(files: list[Path], lang, playbook, library, jobs: int, bar: _Progress, debug: bool = False) -> list[tuple]:
    """Return the outcome of `_check_one` for every file, in the order of `files`.

    Each file is checked in a worker process under the check_seconds limit (`jobs` at a time).
    """
    from concurrent.futures import ThreadPoolExecutor, as_completed

    from clausegen import limits
    from clausegen.check.workers import WorkerPool

    seconds = limits.get("check_seconds")
    size = max(1, min(jobs, len(files)))
    pool = WorkerPool(size)
    if size > 1 and pool.context.get_start_method() == "fork":
        # Forked workers inherit the pipelines loaded here once, instead of each loading
        # the rules and the language models again (seconds of CPU per worker).
        _preload(lang, library)
    try:
        pool.start()  # forked now, while this process runs a single thread
        if size == 1:
            outcomes = []
            for path in files:
                outcomes.append(_outcome(pool.run(seconds, _check_one, path, lang, playbook, library), path, debug))
                bar.step(str(path))
            return outcomes
        outcomes = [None] * len(files)
        with ThreadPoolExecutor(max_workers=size) as threads:
            futures = {threads.submit(pool.run, seconds, _check_one, path, lang, playbook, library): i
                       for i, path in enumerate(files)}
            try:
                for future in as_completed(futures):
                    i = futures[future]
                    outcomes[i] = _outcome(future.result(), files[i], debug)
                    bar.step(str(files[i]))
            except BaseException:
                for future in futures:
                    future.cancel()
                pool.close()  # the threads waiting on workers see them end and return
                raise
        return outcomes
    finally:
        pool.close()


def _preload(lang: str, library) -> None:
    """Load the rules and the language models (both languages unless `lang` forces one)."""
    from clausegen.check.engine import prepare
    from clausegen.check.rules import load_ruleset

    ruleset = load_ruleset(library)
    for code in ((lang,) if lang in ("zh", "en") else ("en", "zh")):
        prepare(ruleset, code)


def check_paths(paths, lang: str = "auto", playbook=None, library=None, jobs: int = 1,
                annotate=None, progress: bool | None = None, debug: bool = False) -> BatchReport:
    """Return one report for every contract named by `paths` (files, folders, glob patterns).

    Files are checked with clausegen.check.check_file, `jobs` at a time in worker processes
    (0: one per CPU), each under the check_seconds limit, and reported in input order; a file
    that passes the limit, or whose check fails with an internal error, is listed in `errors`
    (`debug`: an internal error is raised with the worker's traceback instead). `playbook` (a file or a loaded dict) sets
    rule levels by rule id (the engine) or by finding id (``missing-deadlines``: applied here).
    `progress` None draws a progress bar on stderr only when it is a terminal. `annotate` (a .docx path) writes a commented copy of
    the single .docx input. Raises InputError when a path names nothing or no file can be
    read, UsageError for a bad `jobs` or `annotate`; files that cannot be read among others
    are listed in the report's `errors`.
    """
    if jobs is None:
        jobs = 1
    if jobs < 0:
        raise UsageError(f"--jobs must be 0 (one per CPU) or more, not {jobs}", hint="e.g. --jobs 4")
    if jobs == 0:
        jobs = os.cpu_count() or 1
    files = expand_paths(paths)
    if annotate is not None:
        from clausegen.outputs import ensure_not_input

        if len(files) != 1:
            raise UsageError(f"--annotate writes one commented copy, but {len(files)} files were given",
                             hint="check one .docx contract at a time with --annotate")
        if files[0].suffix.lower() != ".docx":
            raise UsageError(f"--annotate needs a Word .docx contract; {str(files[0])!r} is not one",
                             path=str(files[0]), hint="drop --annotate for .pdf, .txt and .md contracts")
        ensure_not_input(Path(annotate), files)
        folder = Path(annotate).parent
        if not folder.is_dir():  # say so now, not after the check
            raise UsageError(f"folder {str(folder)!r} for the annotated copy does not exist",
                             path=str(annotate), hint="create the folder first or choose another path")

    if playbook is not None:  # once here, so that a bad playbook stops the run before any work
        from clausegen.check import load_playbook

        playbook = load_playbook(playbook)
    from clausegen.check.rules import load_ruleset

    load_ruleset(library)  # a broken library or rule file stops the run before any contract is read

    bar = _Progress(len(files), progress)
    try:
        outcomes = _run(files, lang, playbook, library, jobs, bar, debug)
    finally:
        bar.close()

    reports: list[FileReport] = []
    errors: list[Unreadable] = []
    first_error: ClausegenError | None = None
    for outcome in outcomes:
        if outcome[0] == "ok":
            reports.append(outcome[1])
            continue
        _, unreadable, message, path, line, col, hint, code = outcome
        exc = (InputError if unreadable else ClausegenError)(message, path=path, line=line, col=col, hint=hint)
        exc.exit_code = code
        if not unreadable:
            raise exc  # a broken library or rule file: nothing else can be checked either
        errors.append(Unreadable(path, message, hint))
        first_error = first_error or exc
    if not reports and first_error is not None:
        if len(errors) > 1:
            first_error.message += f" (and {len(errors) - 1} more file(s) could not be read)"
        raise first_error
    report = BatchReport(files=tuple(reports), errors=tuple(errors))
    if annotate is not None:
        from clausegen.reporters import annotate_docx

        annotate_docx(report.files[0], files[0], annotate)
    return report
