"""The command line: parse arguments, call one library function, report, pick the exit code."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from clausegen import __version__
from clausegen.errors import ClausegenError

LANGS = ("zh", "en", "bilingual")


def _add_library(p: argparse.ArgumentParser) -> None:
    p.add_argument("--library", metavar="DIR", type=Path,
                   help="a firm's clause library folder (overrides clausegen.toml and the built-in one)")


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every sub-command (the design's command-line contract)."""
    parser = argparse.ArgumentParser(
        prog="clausegen",
        description="Draft and check service-interruption and compensation clauses "
                    "(SLA / 服务中断赔偿条款) in Chinese and English.",
    )
    parser.add_argument("--version", action="version", version=f"clausegen {__version__}")
    parser.add_argument("--debug", action="store_true", help="show Python tracebacks for internal errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("validate", help="check spec files; print every problem with file:line:col")
    p.add_argument("specs", nargs="+", metavar="SPEC", type=Path)
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--lang", choices=("zh", "en"),
                   help="language of the messages (default: each spec's own; Chinese for zh and bilingual specs)")
    p.add_argument("--draft", action="store_true",
                   help="read specs as first drafts: list the values left open (TBD / 待定) instead of failing on them")
    _add_library(p)
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("render", help="render a spec into Word (or PDF / md / txt / html) clauses")
    p.add_argument("spec", metavar="SPEC", type=Path)
    p.add_argument("-o", "--output", metavar="OUT", type=Path, required=True)
    p.add_argument("--format", choices=("docx", "pdf", "md", "txt", "html"),
                   help="output format (default: from the output file's suffix)")
    p.add_argument("--lang", choices=LANGS, help="language (default: the spec's)")
    p.add_argument("--reference-docx", metavar="HOUSE.docx", type=Path,
                   help="take styles (fonts, headings, page setup) from this Word document")
    p.add_argument("--draft", action="store_true",
                   help="a first draft: values written as TBD / 待定 render as blanks [●] / 【　】, listed at the end")
    _add_library(p)
    p.set_defaults(func=cmd_render)

    p = sub.add_parser("check", help="check contracts for the required provisions")
    p.add_argument("files", nargs="+", metavar="FILE", type=Path,
                   help="contract files (.docx .pdf .txt .md), folders (searched recursively) "
                        "or patterns such as 'contracts/**/*.docx'")
    p.add_argument("--format", choices=("text", "json", "sarif", "markdown"),
                   help="report format (default: clausegen.toml [check] format, else text)")
    p.add_argument("--annotate", metavar="OUT.docx", type=Path,
                   help="write a copy of the (single .docx) contract with Word comments")
    p.add_argument("--playbook", metavar="FILE", type=Path,
                   help="a playbook file choosing rules and levels, and the firm's positions per term")
    p.add_argument("--redline", metavar="OUT.docx", type=Path,
                   help="write a copy of the (single .docx) contract with the fixes as tracked changes")
    p.add_argument("--author", metavar="NAME",
                   help="who the tracked changes are attributed to (default: clausegen.toml [check] author)")
    p.add_argument("--lang", choices=("auto", "zh", "en"),
                   help="contract language (default: clausegen.toml [check] lang, else auto)")
    p.add_argument("--jobs", "-j", type=int, default=1, metavar="N",
                   help="files checked in parallel processes (0: one per CPU; default 1)")
    p.add_argument("--verbose", "-v", action="store_true", help="show all evidence and findings")
    _add_library(p)
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("review", help="check a whole archive into resumable Parquet results (locally or on Dask)")
    p.add_argument("archive", nargs="+", metavar="ARCHIVE",
                   help="folders of contracts (searched recursively), files, or patterns such as 'archive/**/*.pdf'")
    p.add_argument("--out", "-o", metavar="RESULTS", type=Path, required=True,
                   help="results folder (created; run again with the same folder to go on where it stopped)")
    p.add_argument("--scheduler", metavar="ADDRESS", help="a Dask scheduler, e.g. tcp://10.0.0.5:8786 (default: this machine)")
    p.add_argument("--jobs", "-j", type=int, default=1, metavar="N",
                   help="processes on this machine when no --scheduler is given (0: one per CPU; default 1)")
    p.add_argument("--lang", choices=("auto", "zh", "en"), help="contract language (default: auto)")
    p.add_argument("--playbook", metavar="FILE", type=Path, help="a playbook file choosing rules and levels")
    p.add_argument("--batch-size", type=int, metavar="N", help="files per task sent to a worker (default 4; 16 on Dask)")
    p.add_argument("--save-every", type=int, default=500, metavar="N",
                   help="save results after every N files (and every minute); a killed run checks at most "
                        "these again (default 500)")
    p.add_argument("--connect-timeout", type=float, default=10, metavar="SECONDS",
                   help="how long to wait for the Dask scheduler (default 10)")
    _add_library(p)
    p.set_defaults(func=cmd_review)

    p = sub.add_parser("report", help="a portfolio view (one HTML file) or CSV of a review's results")
    p.add_argument("results", metavar="RESULTS", type=Path, help="the folder `clausegen review --out` wrote")
    p.add_argument("-o", "--output", metavar="OUT", type=Path, required=True,
                   help="portfolio.html (one self-contained page) or portfolio.csv (one row per contract)")
    p.add_argument("--format", choices=("html", "csv"), help="output format (default: from the output's suffix)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("extract", help="read a spec back from an existing contract")
    p.add_argument("contract", metavar="CONTRACT", type=Path, help="a contract (.docx .pdf .txt .md)")
    p.add_argument("-o", "--output", metavar="SPEC.yaml", type=Path,
                   help="write the spec here (default: print it)")
    p.add_argument("--lang", choices=("auto", "zh", "en"), default="auto", help="contract language (default: auto)")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("library", help="list or check a clause library")
    lsub = p.add_subparsers(dest="library_command", metavar="ACTION")
    lp = lsub.add_parser("list", help="families, provisions, templates and rules, and where they come from")
    lp.add_argument("--format", choices=("text", "json"), default="text")
    _add_library(lp)
    lp.set_defaults(func=cmd_library_list)
    lc = lsub.add_parser("check", help="report every problem in a clause library")
    lc.add_argument("--since", metavar="REV", help="git revision to compare family versions against")
    lc.add_argument("--family", action="append", metavar="ID", help="check only this family (repeatable)")
    lc.add_argument("--format", choices=("text", "json"), default="text")
    _add_library(lc)
    lc.set_defaults(func=cmd_library_check)
    p.set_defaults(func=lambda args, parser=p: _usage(parser))  # bind now: `p` is reused below

    p = sub.add_parser("new", help="print a starter spec with every section")
    p.add_argument("--lang", choices=LANGS, help="language (default: clausegen.toml language, else zh)")
    _add_library(p)
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("serve", help="start the web form")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--max-upload-mb", type=float, default=20, metavar="MB",
                   help="largest request (spec or contract upload) accepted, in MB (default: 20)")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="processes that check uploaded contracts (default: 2, or 1 on a single CPU)")
    _add_library(p)
    p.set_defaults(func=cmd_serve)
    from clausegen.limits import add_limit_option

    add_limit_option(parser)  # --limit NAME=VALUE on every command
    return parser


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def cmd_validate(args: argparse.Namespace) -> int:
    from clausegen import spec
    from clausegen.reporters import report_problems

    if getattr(args, "draft", False):
        from clausegen.draft import validate_draft_files

        problems = validate_draft_files(args.specs, lang=args.lang, library=args.library)
    else:
        problems = spec.validate_files(args.specs, lang=args.lang, library=args.library)
    sys.stdout.write(report_problems(problems, args.format, files=args.specs, lang=args.lang or "en"))
    if any(p.code == spec.UNREADABLE for p in problems):
        return 2
    return 1 if any(p.severity == "error" for p in problems) else 0


def cmd_render(args: argparse.Namespace) -> int:
    from clausegen.errors import InvalidSpec
    from clausegen.render import render_file
    from clausegen.reporters import report_problems

    warnings: list = []
    try:
        written = render_file(args.spec, args.output, fmt=args.format, lang=args.lang,
                              reference_docx=args.reference_docx, library=args.library, warnings=warnings,
                              draft=args.draft)
    except InvalidSpec as exc:  # nothing was written; show every problem, as validate does
        sys.stderr.write(report_problems(exc.problems))
        print(f"error: {args.spec}: invalid spec; nothing was written", file=sys.stderr)
        return exc.exit_code
    if warnings:
        warnings.sort(key=lambda p: (p.line or 0, p.col or 0))
        sys.stderr.write(report_problems(warnings, source=False, summary=False))
    print(f"wrote {written}", file=sys.stderr)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from clausegen.check.batch import check_paths, playbook_with_levels
    from clausegen.reporters import REPORTERS

    playbook = playbook_with_levels(args.playbook, getattr(args, "rule_levels", None))
    if args.redline is not None:
        from clausegen.redline import check_redline_target

        check_redline_target(args.files, args.redline)
    report = check_paths(args.files, lang=args.lang or "auto", playbook=playbook,
                         library=args.library, jobs=args.jobs, annotate=args.annotate, debug=args.debug)
    sys.stdout.write(REPORTERS[args.format or "text"](report, verbose=args.verbose))
    if args.annotate is not None:
        print(f"wrote {args.annotate}", file=sys.stderr)
    if args.redline is not None and report.files:
        from clausegen.redline import redline_docx

        redline_docx(report.files[0], args.files[0], args.redline, author=args.author, library=args.library,
                     playbook=_loaded(playbook))
        print(f"wrote {args.redline}", file=sys.stderr)
    unread = getattr(report, "errors", ())
    for e in unread:  # also in the report itself; repeated here so that CI logs show it
        print(f"error: {e.path}: {e.message}" + (f"\nhint: {e.hint}" if e.hint else ""), file=sys.stderr)
    if unread:
        return 2
    return 1 if report.has_errors else 0


def cmd_review(args: argparse.Namespace) -> int:
    from clausegen.check.batch import playbook_with_levels
    from clausegen.review import review

    playbook = playbook_with_levels(args.playbook, getattr(args, "rule_levels", None))
    try:
        summary = review(args.archive, args.out, scheduler=args.scheduler, jobs=args.jobs, lang=args.lang or "auto",
                         playbook=playbook, library=args.library, batch_size=args.batch_size,
                         save_every=args.save_every, connect_timeout=args.connect_timeout)
    except KeyboardInterrupt:
        print(f"interrupted; the results received so far are saved in {args.out}; "
              "run the same command again to go on", file=sys.stderr)
        return 130
    for warning in summary.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"reviewed {summary.done} file(s) in {summary.seconds:.0f} s: {summary.checked} checked, "
          f"{summary.unreadable} unreadable, {summary.duplicates} duplicate(s); {summary.skipped} already in "
          f"{args.out}\nsee them with: clausegen report {args.out} -o portfolio.html", file=sys.stderr)
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from clausegen.review.portfolio import write_report

    written = write_report(args.results, args.output, fmt=args.format)
    print(f"wrote {written}", file=sys.stderr)
    return 0

def cmd_extract(args: argparse.Namespace) -> int:
    from clausegen.extract import FIELDS, extract_file

    text, ex = extract_file(args.contract, args.output, lang=args.lang)
    if args.output is None:
        sys.stdout.write(text)
    else:
        print(f"wrote {args.output}: {len(ex.filled)} of {len(FIELDS)} fields read from the contract; "
              f"run `clausegen validate {args.output}` to see what is missing", file=sys.stderr)
    return 0


def _loaded(playbook):
    from clausegen.check import load_playbook

    return load_playbook(playbook) if playbook is not None else None


def cmd_library_list(args: argparse.Namespace) -> int:
    from clausegen.library.list import list_library

    sys.stdout.write(list_library(args.library, fmt=args.format))
    return 0


def cmd_library_check(args: argparse.Namespace) -> int:
    from clausegen.library.check import check_library
    from clausegen.reporters import report_problems

    problems = check_library(args.library, since=args.since, families=args.family)
    if problems or args.format != "text":
        sys.stdout.write(report_problems(problems, args.format))
    else:
        sys.stdout.write(f"clause library {args.library or '(built-in)'}: no problems\n")
    return 1 if any(p.severity == "error" for p in problems) else 0


def cmd_new(args: argparse.Namespace) -> int:
    from clausegen.spec import starter_spec

    sys.stdout.write(starter_spec(args.lang or "zh", library=args.library))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        from clausegen.web import serve
    except ImportError as exc:  # the web extra is optional
        raise ClausegenError(f"the web form needs extra packages ({exc.name} is missing)",
                             hint="pip install 'clausegen[web]'") from None
    if args.max_upload_mb <= 0:
        from clausegen.errors import UsageError

        raise UsageError(f"--max-upload-mb must be more than 0, not {args.max_upload_mb:g}",
                         hint="pass e.g. --max-upload-mb 20")
    if args.workers is not None and args.workers < 1:
        from clausegen.errors import UsageError

        raise UsageError(f"--workers must be 1 or more, not {args.workers}", hint="pass e.g. --workers 2")
    return serve(host=args.host, port=args.port, library=args.library,
                 max_upload_bytes=int(args.max_upload_mb * 1024 * 1024), workers=args.workers)


def _terminated(signum, frame):
    raise KeyboardInterrupt  # unwinds like Ctrl-C: temporary output files are removed


def _stop_cleanly_on_sigterm() -> None:
    """Make `kill` (SIGTERM, e.g. a CI timeout) unwind like Ctrl-C instead of dying mid-write."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _terminated)


def main(argv: list[str] | None = None) -> int:
    """Run the command line with `argv` (default: sys.argv[1:]) and return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    _stop_cleanly_on_sigterm()
    try:
        from clausegen.config import apply_config
        from clausegen.limits import apply_options

        apply_options(getattr(args, "limit", None))
        apply_config(args)  # clausegen.toml fills in what the command line left out
        return args.func(args)
    except ClausegenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted; no output was written", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug: say so plainly; --debug shows the traceback
        if args.debug:
            raise
        print(f"error: internal error: {type(exc).__name__}: {exc}\n"
              "hint: this is a bug in clausegen; rerun with --debug and report the traceback",
              file=sys.stderr)
        return 2
