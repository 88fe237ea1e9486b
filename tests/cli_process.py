"""Run the command line in a process of its own, as a user would, with a bounded time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def default_sigint() -> None:
    """Give a child process the default Ctrl-C (a `preexec_fn`) even when this test run ignores it.

    A shell starts background jobs with SIGINT ignored, and Python keeps an ignored SIGINT
    ignored: a test that presses Ctrl-C on its child would then see the child run on.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_cli(*args, cwd: Path, timeout: float = 120, env: dict | None = None) -> subprocess.CompletedProcess:
    """Return the finished `python -m clausegen ARGS` run in `cwd`, failing the test past `timeout` s.

    The result carries `elapsed` (seconds) besides the usual returncode, stdout and stderr.
    """
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "clausegen", *map(str, args)], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)
    proc.elapsed = time.monotonic() - start
    return proc
