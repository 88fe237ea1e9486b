"""The work a review sends out: check a batch of contract files, return plain records (one per file).

`review_batch` is the one function that a local pool of threads and a Dask cluster both map over
batches of files. It is pure in the sense that matters here: its result depends only on the files
and the options, so a batch that Dask runs again on another worker (its first worker died) gives
the same records, and the client keeps whichever arrives.

Each file is checked in a worker process under the check_seconds limit (clausegen.check.workers),
as `clausegen check --jobs N` does, so that a contract crafted to be slow or to crash its process
becomes an "unreadable" record with the reason instead of stalling a Dask worker.
"""

from __future__ import annotations

import json
import os
import threading
import time

#: How long an evidence excerpt may be in the results (the full passage is in the contract).
EXCERPT_CHARS = 400

#: Evidence fields with columns of their own; any other field (a .docx cell path, a page…) is a
#: location detail kept in `evidence_location` as JSON.
_EVIDENCE_CORE = ("text", "paragraph", "start", "end")

_POOL = None
_POOL_LOCK = threading.Lock()


def options_for(lang: str, playbook, library) -> dict:
    """Return the options a batch needs, as plain values that travel to another machine.

    The limits set for this run (``--limit``, $CLAUSEGEN_MAX_*) go along, so that a remote worker
    applies the same ones.
    """
    limits = {k: v for k, v in os.environ.items() if k.startswith("CLAUSEGEN_MAX_")}
    return {"lang": lang, "playbook": playbook, "library": str(library) if library is not None else None,
            "limits": limits}


def check_record(path: str, lang: str, playbook, library) -> dict:
    """Return the record of checking the contract at `path`: language, counts and one entry per provision.

    Runs in a time-limited worker process. Raises what clausegen.check.check_file raises.
    """
    from clausegen.check import check_file
    from clausegen.check.model import Report

    report = check_file(path, lang=lang, library=library, playbook=playbook)
    shape = Report(files=(report,)).to_dict()["files"][0]  # the JSON contract: new fields come along
    provisions = []
    for result, entry in zip(report.provisions, shape["provisions"]):
        evidence = entry.get("evidence") or []
        first = evidence[0] if evidence else {}
        location = {k: v for k, v in first.items() if k not in _EVIDENCE_CORE}
        values = entry.get("values", getattr(result, "values", None))
        provisions.append({
            "provision": result.id,
            "required": bool(result.required),
            "status": result.status,
            "confidence": float(result.confidence),
            "evidence": (first.get("text") or "")[:EXCERPT_CHARS] or None,
            "evidence_paragraph": _int(first.get("paragraph")),
            "evidence_start": _int(first.get("start")),
            "evidence_end": _int(first.get("end")),
            "evidence_location": json.dumps(location, ensure_ascii=False, sort_keys=True) if location else None,
            "evidence_count": len(evidence),
            "values": json.dumps(values, ensure_ascii=False, sort_keys=True, default=str) if values else None,
        })
    return {
        "status": "ok",
        "language": report.language,
        "paragraphs": int(report.paragraphs),
        "errors": sum(f.severity == "error" for f in report.findings),
        "warnings": sum(f.severity == "warning" for f in report.findings),
        "provisions": provisions,
    }


def _int(value):
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _in_daemon() -> bool:
    import multiprocessing

    return bool(multiprocessing.current_process().daemon)


def _process_pool():
    """Return this process's pool of time-limited checking processes (one per Dask thread).

    Started clean ("spawn"): a Dask worker runs threads, and forking a threaded process can hang.
    """
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            from clausegen.check.workers import WorkerPool

            size = 1
            try:
                from distributed import get_worker

                size = get_worker().state.nthreads
            except (ImportError, ValueError, AttributeError):
                pass
            _POOL = WorkerPool(size, start_method="spawn")
        return _POOL


def _unguarded(path: str, lang, playbook, library) -> tuple:
    """Return the outcome of `check_record` run in this process (no time limit can be enforced)."""
    import traceback

    from clausegen.check.workers import error_fields
    from clausegen.errors import ClausegenError

    try:
        return ("ok", check_record(path, lang, playbook, library))
    except ClausegenError as exc:
        return ("error", error_fields(exc))
    except Exception as exc:  # noqa: BLE001 - a bug: reported as the worker pool would
        return ("bug", f"{type(exc).__name__}: {exc}", traceback.format_exc())


def review_batch(items: list, options: dict, pool=None) -> dict:
    """Return {"records": [...], "guarded": bool} for the files in `items` ((path, hash, size) each).

    Every item gets exactly one record, in order: {"path", "hash", "size", "seconds", "status":
    "ok" | "unreadable" | "error", ...}. "unreadable" carries `reason` and `hint` (the file could
    not be read, or took longer than check_seconds, or crashed its process); "error" carries the
    fields of a ClausegenError that is not about the file (a broken clause library), which stops
    the review. `pool` is a clausegen.check.workers.WorkerPool; without one, this process's own
    (started on first use). In a daemonic process (a Dask worker started with its default
    settings) no child process can be started: files are then checked in this process, without
    the time limit, and `guarded` is False.
    """
    from clausegen import limits
    from clausegen.check.batch import _outcome

    os.environ.update(options.get("limits") or {})
    lang, playbook, library = options.get("lang", "auto"), options.get("playbook"), options.get("library")
    guarded = pool is not None or not _in_daemon()
    if guarded and pool is None:
        pool = _process_pool()
    seconds = limits.get("check_seconds")
    records = []
    for path, digest, size in items:
        start = time.monotonic()
        if guarded:
            result = pool.run(seconds, check_record, path, lang, playbook, library)
        else:
            result = _unguarded(path, lang, playbook, library)
        outcome = _outcome(result, path, debug=False)
        record = {"path": path, "hash": digest, "size": size}
        if isinstance(outcome, dict):
            record.update(outcome)
        else:
            _, unreadable, message, epath, line, col, hint, code = outcome
            if not unreadable:  # not about this file (a broken rule file): the client stops the run
                record.update(status="error", error=(message, epath, line, col, hint, code))
            else:
                where = ":".join(str(x) for x in (line, col) if x is not None)
                record.update(status="unreadable", reason=f"{where}: {message}" if where else message, hint=hint)
        record["seconds"] = time.monotonic() - start
        records.append(record)
    return {"records": records, "guarded": guarded}
