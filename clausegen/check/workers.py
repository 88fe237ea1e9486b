"""Worker processes that check one document at a time, each under a hard time limit.

A contract is untrusted: a crafted one can make reading or checking it take minutes (a pattern
that is slow on a long sentence, a PDF built to be slow), and pure-Python or C code that runs
that long cannot be interrupted from inside. So the work runs in a worker process, and a worker
that passes the limit is killed and replaced; the caller gets an outcome saying so. The web form
keeps its event loop free this way, and a batch on the command line reports the slow file and
goes on with the others.

Start-up work in a worker (loading a language pipeline, some seconds) is not held against the
document: the job wraps it in `untimed()`, and the clock stops meanwhile.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass

STARTUP_SECONDS = 600  # an untimed stretch (loading a pipeline) may take at most this long

_CONN = None  # in a worker: the connection to the parent


@contextmanager
def untimed():
    """Within a worker, stop the job's clock while the block runs (start-up work such as loading a
    language pipeline); elsewhere do nothing."""
    conn = _CONN
    if conn is None:
        yield
        return
    conn.send(("pause",))
    try:
        yield
    finally:
        conn.send(("resume",))


def error_fields(exc) -> tuple:
    """Return the fields of ClausegenError `exc` as plain values (exceptions with keyword arguments do
    not survive pickling between processes intact)."""
    from clausegen.errors import InputError

    return (type(exc).__name__, isinstance(exc, InputError), exc.message, exc.path, exc.line, exc.col,
            exc.hint, exc.exit_code)


def rebuild_error(fields: tuple):
    """Return the ClausegenError described by `fields` (from `error_fields`)."""
    from clausegen import errors

    name, _, message, path, line, col, hint, code = fields
    cls = getattr(errors, name, None)
    if not (isinstance(cls, type) and issubclass(cls, errors.ClausegenError)) or cls is errors.InvalidSpec:
        cls = errors.ClausegenError
    exc = cls(message, path=path, line=line, col=col, hint=hint)
    exc.exit_code = code
    return exc


def _serve(conn) -> None:
    """The worker's loop: run the jobs the parent sends, answer each with an outcome."""
    global _CONN
    import signal
    import traceback

    from clausegen.errors import ClausegenError

    _CONN = conn
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    parent = os.getppid()
    while True:
        try:
            # A forked worker also holds the parent's end of the pipe, so the parent's death
            # (killed) shows as a new parent process rather than as end-of-file.
            while not conn.poll(1.0):
                if os.getppid() != parent:
                    return
            job = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if job is None:
            return
        fn, args, kwargs = job
        try:
            outcome = ("ok", fn(*args, **kwargs))
        except ClausegenError as exc:
            outcome = ("error", error_fields(exc))
        except Exception as exc:  # noqa: BLE001 - a bug: reported to the parent with its traceback
            outcome = ("bug", f"{type(exc).__name__}: {exc}", traceback.format_exc())
        try:
            conn.send(outcome)
        except OSError:  # the parent is gone (killed, or a Dask worker shut down): nobody to answer
            return
        except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be pickled
            try:
                conn.send(("bug", f"{type(exc).__name__}: {exc}", ""))
            except OSError:
                return


@dataclass
class _Worker:
    process: object
    conn: object


class WorkerPool:
    """Up to `size` worker processes that run jobs one at a time, each under a time limit.

    `start_method` is a multiprocessing start method: "fork" shares what the parent has loaded
    (the command line), "spawn" starts clean interpreters (safe in a threaded server). Workers
    start on first use and live until `close()`; one that passes its time limit or dies is
    killed and replaced. `run` may be called from several threads at once.
    """

    def __init__(self, size: int = 1, start_method: str | None = None) -> None:
        import multiprocessing
        import queue

        self.size = max(1, int(size))
        if start_method is None:
            start_method = "fork" if ("fork" in multiprocessing.get_all_start_methods()
                                      and sys.platform != "darwin") else "spawn"
        self.context = multiprocessing.get_context(start_method)
        self._idle: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._started = 0
        self._all: list[_Worker] = []

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self, count: int | None = None) -> None:
        """Start workers now (up to `count`, default the pool's size) rather than on first use."""
        for _ in range(min(count or self.size, self.size)):
            with self._lock:
                if self._started >= self.size:
                    return
                self._started += 1
            self._idle.put(self._spawn())

    def _spawn(self) -> _Worker:
        parent, child = self.context.Pipe()
        process = self.context.Process(target=_serve, args=(child,), daemon=True, name="clausegen-worker")
        process.start()
        child.close()  # so that the parent sees end-of-file when the worker dies
        worker = _Worker(process, parent)
        with self._lock:
            self._all.append(worker)
        return worker

    def _acquire(self) -> _Worker:
        import queue

        while True:
            with self._lock:
                start_new = self._idle.empty() and self._started < self.size
                if start_new:
                    self._started += 1
            if start_new:
                return self._spawn()
            try:
                worker = self._idle.get(timeout=0.5)
            except queue.Empty:
                continue  # a worker may have been discarded meanwhile: room to start one
            if worker.process.is_alive():
                return worker
            self._discard(worker)

    def _discard(self, worker: _Worker) -> None:
        try:
            worker.process.kill()
        except (AttributeError, OSError, ValueError):
            pass
        worker.process.join(5)
        try:
            worker.conn.close()
        except OSError:
            pass
        with self._lock:
            if worker in self._all:  # not already dropped by close()
                self._all.remove(worker)
                self._started -= 1

    def run(self, seconds: float, fn, *args, **kwargs) -> tuple:
        """Return the outcome of `fn(*args, **kwargs)` run in a worker for at most `seconds`.

        `fn` must be a module-level function. Outcomes: ("ok", value); ("error", fields) for a
        ClausegenError (see `rebuild_error`); ("bug", message, traceback) for another exception;
        ("timeout", seconds); ("died", exit code) when the worker process ended (out of memory?).
        """
        worker = self._acquire()
        try:
            worker.conn.send((fn, args, kwargs))
            deadline, paused = time.monotonic() + seconds, None
            while True:
                wait = STARTUP_SECONDS if paused is not None else max(0.0, deadline - time.monotonic())
                if not worker.conn.poll(wait):
                    self._discard(worker)
                    return ("timeout", seconds)
                message = worker.conn.recv()
                if message == ("pause",):
                    paused = time.monotonic()
                elif message == ("resume",):
                    deadline += time.monotonic() - (paused or time.monotonic())
                    paused = None
                else:
                    self._idle.put(worker)
                    return message
        except (EOFError, OSError):
            worker.process.join(5)
            code = worker.process.exitcode
            self._discard(worker)
            return ("died", code)
        except BaseException:  # interrupted: the worker's state is unknown
            self._discard(worker)
            raise

    def close(self) -> None:
        """Stop every worker: idle ones are asked to finish, busy or stubborn ones are killed.

        The pool can be used again afterwards; it starts new workers as needed.
        """
        import queue

        with self._lock:
            workers, self._all = list(self._all), []
            self._started = 0
        while True:
            try:
                self._idle.get_nowait()
            except queue.Empty:
                break
        for worker in workers:
            try:
                worker.conn.send(None)
            except (OSError, ValueError):
                pass
        end = time.monotonic() + 2
        for worker in workers:
            worker.process.join(max(0.0, end - time.monotonic()))
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join(5)
            try:
                worker.conn.close()
            except OSError:
                pass


def default_size() -> int:
    """Return how many workers a server should run: two, or one on a single CPU."""
    return max(1, min(2, os.cpu_count() or 1))
