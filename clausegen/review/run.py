"""Review an archive: walk it, hash each file, send new ones out in batches, save the results as they come.

The walk, the hashing and the batches are streamed: at any moment the review holds a bounded
window of batches in flight and the rows not yet saved, whatever the size of the archive. What
grows with the archive is the set of what is already reviewed: 16 bytes per file and 32 per
distinct content, plus Python's per-object overhead (about 0.1 KB per file in all).
"""

from __future__ import annotations

import glob
import hashlib
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from clausegen.errors import ClausegenError, InputError, UsageError

#: Save the rows at least this often (seconds), whatever --save-every says.
SAVE_SECONDS = 60

#: Ask the Dask scheduler how many threads its workers have at most this often (seconds): workers
#: that join or leave a cluster are seen within this time.
SLOTS_SECONDS = 5.0


@dataclass
class ReviewSummary:
    """What one run of `review` did: files checked, found unreadable, skipped as already reviewed…"""

    out: Path
    checked: int = 0
    unreadable: int = 0
    skipped: int = 0
    duplicates: int = 0
    previous: int = 0
    unguarded: bool = False
    seconds: float = 0.0
    warnings: list = field(default_factory=list)

    @property
    def done(self) -> int:
        return self.checked + self.unreadable + self.duplicates


# ---------------------------------------------------------------- the archive


def _is_contract(name: str) -> bool:
    from clausegen.check.batch import CONTRACT_SUFFIXES

    return name.lower().endswith(CONTRACT_SUFFIXES) and not name.startswith(("~$", "."))


def _walk(folder: str):
    """Yield the contract files under `folder`, hidden folders skipped, in sorted order per folder."""
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if _is_contract(name):
                yield os.path.join(root, name)


def _source(arg: str):
    """Return a generator of the files `arg` (a folder, a file or a glob pattern) names.

    Raises InputError now, before any work, when it names nothing.
    """
    if os.path.isdir(arg):
        files = _walk(arg)
        first = next(files, None)
        if first is None:
            raise InputError("the folder holds no .docx, .pdf, .txt or .md file", path=arg,
                             hint="check the folder name; folders are searched recursively")
    elif os.path.isfile(arg):
        return iter([arg])
    elif set("*?[") & set(arg):
        files = (p for p in glob.iglob(arg, recursive=True) if os.path.isfile(p) and _is_contract(os.path.basename(p)))
        first = next(files, None)
        if first is None:
            raise InputError("no contract file matches this pattern", path=arg,
                             hint="patterns match .docx, .pdf, .txt and .md files, e.g. 'archive/**/*.docx'")
    else:
        raise InputError("no such folder or file", path=arg, hint="name the folder that holds the contracts")

    def chain():
        yield first
        yield from files

    return chain()


def archive_files(archive) -> list:
    """Return one generator of absolute paths per item of `archive` (folders, files, glob patterns).

    Raises InputError for an item that names nothing.
    """
    if isinstance(archive, (str, os.PathLike)):
        archive = [archive]
    return [(os.path.abspath(p) for p in _source(str(a))) for a in archive]


def file_hash(path: str) -> tuple[str | None, int | None, str | None]:
    """Return (sha256 hex of the content, size, None), or (None, None, reason) if it cannot be read."""
    digest = hashlib.sha256()
    size = 0
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
    except OSError as exc:
        return None, None, f"cannot read the file: {exc.strerror or exc}"
    return digest.hexdigest(), size, None


# ---------------------------------------------------------------- where the batches run


class LocalPool:
    """`jobs` threads, each handing its batch's files to a shared pool of time-limited processes."""

    def __init__(self, jobs: int, lang: str, library) -> None:
        self.size, self.lang, self.library = jobs, lang, library
        self.pool = self.threads = None  # started with the first batch: a resumed review may have none

    def _start(self) -> None:
        from concurrent.futures import ThreadPoolExecutor

        from clausegen.check.batch import _preload
        from clausegen.check.workers import WorkerPool

        self.pool = WorkerPool(self.size)
        if self.size > 1 and self.pool.context.get_start_method() == "fork":
            _preload(self.lang, self.library)  # forked workers inherit the loaded pipelines (as check --jobs)
        self.pool.start()
        self.threads = ThreadPoolExecutor(max_workers=self.size)

    def slots(self) -> int:
        return self.size

    def submit(self, items, options):
        from clausegen.review.tasks import review_batch

        if self.pool is None:
            self._start()
        return self.threads.submit(review_batch, items, options, self.pool)

    def wait(self, pending):
        from concurrent.futures import FIRST_COMPLETED, wait

        done, _ = wait(pending, timeout=5, return_when=FIRST_COMPLETED)
        return done

    def result(self, future, items):
        return future.result()

    def close(self, cancel: bool = False) -> None:
        if self.pool is not None:
            self.threads.shutdown(wait=not cancel, cancel_futures=True)
            self.pool.close()  # threads still waiting on a worker see it end and return


def _quiet_dask_logs() -> None:
    """Silence the Dask client's log (failed connection attempts, tracebacks for a lost scheduler):
    the review says what happened in its own words; the scheduler's and workers' logs have the detail."""
    import logging

    import distributed  # noqa: F401 - sets up its loggers, with levels of their own

    for name in [n for n in logging.root.manager.loggerDict if n == "distributed" or n.startswith("distributed.")]:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    for handler in logging.getLogger("distributed").handlers:
        handler.setLevel(logging.CRITICAL)


class DaskPool:
    """Batches sent to a dask.distributed cluster; a batch whose worker died is run again by Dask."""

    def __init__(self, scheduler, timeout: float) -> None:
        try:
            from distributed import Client
        except ImportError as exc:
            raise ClausegenError(f"--scheduler needs dask.distributed ({exc.name} is missing)",
                                 hint="pip install 'dask[distributed]' (make demo installs it)") from None
        self.address = scheduler if isinstance(scheduler, str) else getattr(scheduler, "scheduler_address", "?")
        self.timeout, self._lost_since, self._slots = timeout, None, None
        if not isinstance(scheduler, str):  # a Client made by the caller (tests, notebooks)
            self.client, self.own = scheduler, False
            return
        if "://" not in scheduler and ":" not in scheduler:
            raise UsageError(f"--scheduler {scheduler!r} is not a scheduler address",
                             hint="e.g. --scheduler tcp://10.0.0.5:8786 (the address dask-scheduler prints)")
        _quiet_dask_logs()
        try:
            self.client = Client(scheduler, timeout=timeout)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ClausegenError(f"cannot reach the Dask scheduler at {scheduler!r} within {timeout:g} s "
                                 f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else 'no answer'})",
                                 hint="start it with `dask scheduler` and check the address and port; "
                                      "--connect-timeout waits longer") from None
        self.own = True
        self.timeout = timeout
        self._lost_since = None

    def _lost(self) -> ClausegenError:
        return ClausegenError(f"lost the connection to the Dask scheduler at {self.address!r}; the results "
                              "received until then are saved",
                              hint="check the scheduler, then run the same command again to go on")

    def slots(self) -> int:
        # Asked of the scheduler at most every SLOTS_SECONDS, not before every batch: a round trip
        # per batch costs the client and the scheduler CPU that the workers need on a small machine.
        now = time.monotonic()
        if self._slots is None or now - self._slots[1] > SLOTS_SECONDS:
            try:
                self._slots = (max(1, sum(self.client.nthreads().values())), now)
            except Exception:  # noqa: BLE001 - the scheduler went away; the next wait says so
                return 1
        return self._slots[0]

    def submit(self, items, options):
        from clausegen.review.tasks import review_batch

        return self.client.submit(review_batch, items, options, pure=False)

    def wait(self, pending):
        from distributed import wait

        if self.client.status != "running":  # the client reconnects for a while, then gives up
            self._lost_since = self._lost_since or time.monotonic()
            if self.client.status in ("closing", "closed") or time.monotonic() - self._lost_since > max(5.0, 3 * self.timeout):
                raise self._lost()
        else:
            self._lost_since = None
        try:
            done, _ = wait(list(pending), timeout=5, return_when="FIRST_COMPLETED")
        except TimeoutError:
            return set()
        except Exception as exc:  # FuturesCancelledError, CommClosedError…: the scheduler is gone
            if type(exc).__name__ in ("FuturesCancelledError", "CancelledError") or isinstance(exc, (OSError, RuntimeError)):
                raise self._lost() from None
            raise
        return done

    def result(self, future, items):
        from concurrent.futures import CancelledError

        from distributed import KilledWorker

        try:
            return future.result()
        except CancelledError:  # the scheduler went away (or was restarted) with the batch
            raise self._lost() from None
        except Exception as exc:
            if type(exc).__name__ == "FuturesCancelledError":
                raise self._lost() from None
            raise
        except KilledWorker:  # Dask ran it on several workers and each died: the files are the cause
            return {"guarded": True, "records": [
                {"path": p, "hash": h, "size": s, "status": "unreadable",
                 "reason": "every Dask worker that checked the batch holding this file died (out of memory?)",
                 "hint": "check it alone with `clausegen check`"} for p, h, s in items]}

    def close(self, cancel: bool = False) -> None:
        if self.own:
            try:
                self.client.close(timeout=10)
            except Exception:  # noqa: BLE001 - closing a client whose scheduler is gone
                pass


# ---------------------------------------------------------------- the review


def require_packages(*names: str) -> None:
    """Raise ClausegenError naming the install command when a package of the review extra is missing."""
    import importlib.util

    for name in names or ("pyarrow", "tqdm"):
        if importlib.util.find_spec(name) is None:
            raise ClausegenError(f"`clausegen review` and `report` need the package {name!r}, which is not installed",
                                 hint="pip install 'clausegen[review]' (make demo installs it)")


def _bar(total_hint, enabled: bool | None):
    """Return a tqdm progress bar on stderr, drawn only on a terminal and never in CI."""
    from tqdm import tqdm

    from clausegen.check.batch import wants_progress

    enabled = wants_progress(enabled)
    try:
        columns, rows = os.get_terminal_size(sys.stderr.fileno()) if enabled else (80, 24)
    except (OSError, ValueError, AttributeError):
        columns, rows = 80, 24
    # A terminal that reports no size (some CI runners, `script`) would get no bar at all.
    return tqdm(total=total_hint, unit="file", disable=not enabled, file=sys.stderr, ncols=columns or 80,
                nrows=rows or 24, desc="review", smoothing=0.05)


def review(archive, out, scheduler=None, jobs: int = 1, lang: str = "auto", playbook=None, library=None,
           batch_size: int | None = None, save_every: int = 500, progress: bool | None = None,
           connect_timeout: float = 10.0) -> ReviewSummary:
    """Check every contract named by `archive` (folders, files, glob patterns) into the results folder `out`.

    Without `scheduler`, files are checked by `jobs` local processes (0: one per CPU); with it
    (an address such as ``tcp://host:8786``, or a distributed.Client), on that Dask cluster.
    Rows are saved every `save_every` files (and every minute); a file whose content already has
    a result in `out` is not checked again. `batch_size` files go to a worker at a time (default:
    4 locally, 16 on a cluster). Returns a ReviewSummary. Raises InputError for an archive that
    names nothing or an unwritable `out`, UsageError for bad options or a folder in use,
    ClausegenError for an unreachable scheduler or a broken clause library; KeyboardInterrupt
    after saving every result received.
    """
    from clausegen.check import load_playbook
    from clausegen.check.rules import load_ruleset
    from clausegen.review.dataset import ResultStore
    from clausegen.review.tasks import options_for

    require_packages()
    for name, value, least in (("--jobs", jobs, 0), ("--batch-size", batch_size, 1), ("--save-every", save_every, 1)):
        if value is not None and value < least:
            raise UsageError(f"{name} must be {least} or more, not {value}")
    if jobs == 0:
        jobs = os.cpu_count() or 1
    sources = archive_files(archive)  # a bad archive path stops here, before anything is written
    playbook = load_playbook(playbook) if playbook is not None else None
    load_ruleset(library)  # a broken library stops the run before any contract is read
    if library is not None:
        library = Path(library).resolve()
    options = options_for(lang, playbook, library)
    store = ResultStore(out, options)
    summary = ReviewSummary(out=Path(out), previous=store.previous)
    start = time.monotonic()
    try:
        pool = (DaskPool(scheduler, connect_timeout) if scheduler is not None
                else LocalPool(max(1, jobs), lang, library))
    except BaseException:
        store.close()
        raise
    if batch_size is None:
        batch_size = 16 if scheduler is not None else 4
    total = None
    if progress is not False:
        bar = _bar(None, progress)
        if not bar.disable:  # a quick count first, so that the bar can show how far along it is
            bar.total = sum(1 for gen in archive_files(archive) for _ in gen)
            bar.refresh()
    else:
        bar = _bar(total, False)
    pending: dict = {}
    cancelled = False
    last_save = time.monotonic()

    def collect(done) -> None:
        nonlocal last_save
        for future in done:
            items = pending.pop(future)
            result = pool.result(future, items)
            if not result.get("guarded", True):
                summary.unguarded = True
            for record in result["records"]:
                if record["status"] == "error":
                    message, epath, line, col, hint, code = record["error"]
                    exc = ClausegenError(message, path=epath, line=line, col=col, hint=hint)
                    exc.exit_code = code
                    raise exc
                store.add(record)
                if record["status"] == "ok":
                    summary.checked += 1
                else:
                    summary.unreadable += 1
                bar.update(1)
        if store.pending_files >= save_every or time.monotonic() - last_save > SAVE_SECONDS:
            store.save()
            last_save = time.monotonic()

    try:
        batch: list = []

        def send() -> None:
            while len(pending) >= 2 * pool.slots():
                collect(pool.wait(pending))
            pending[pool.submit(list(batch), options)] = list(batch)
            batch.clear()

        for gen in sources:
            for path in gen:
                digest, size, reason = file_hash(path)
                if store.seen(path, digest):
                    summary.skipped += 1
                    bar.update(1)
                    continue
                if reason:
                    store.add({"path": path, "hash": None, "size": None, "status": "unreadable",
                               "reason": reason, "hint": "check the file's permissions"})
                    summary.unreadable += 1
                    bar.update(1)
                    continue
                raw = bytes.fromhex(digest)
                if raw in store.hashes:
                    store.add_duplicate(path, digest, size)
                    summary.duplicates += 1
                    bar.update(1)
                    continue
                store.hashes.add(raw)  # sent out: a copy met later in this run is a duplicate
                batch.append((path, digest, size))
                if len(batch) >= batch_size:
                    send()
        if batch:
            send()
        while pending:
            collect(pool.wait(pending))
        store.save()
    except BaseException as exc:
        cancelled = True
        # Keep every result received: the next run checks only what is missing.
        try:
            if isinstance(exc, KeyboardInterrupt):
                collect([f for f in list(pending) if f.done() and not f.cancelled()])
            store.save()
        except ClausegenError:
            pass
        if not isinstance(exc, (ClausegenError, KeyboardInterrupt)) and isinstance(pool, DaskPool):
            from distributed.comm.core import CommClosedError

            if isinstance(exc, (CommClosedError, OSError)):
                raise pool._lost() from None
        raise
    finally:
        bar.close()
        pool.close(cancel=cancelled)
        store.close()
        summary.seconds = time.monotonic() - start
    if summary.unguarded:
        summary.warnings.append(
            "the Dask workers run as daemon processes, so no time limit could be put on each contract; "
            "start them with DASK_DISTRIBUTED__WORKER__DAEMON=False (see docs/scale.md)")
    return summary
