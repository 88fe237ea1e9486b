"""Print the start-up time of `clausegen validate samples/sla-zh.yaml` against `python -c pass`.

Both are measured in the same run, interleaved, as the median of N runs (default 15; set with
--runs). The ratio says how much clausegen adds over a bare interpreter start on this machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Measure what a user sees: byte-code caches are written on the warm-up run and used after it
# (some CI and sandbox environments set PYTHONDONTWRITEBYTECODE, which would compile every module
# on every start and measure the compiler instead).
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def time_command(cmd: list[str], cwd: Path) -> float:
    """Return the wall-clock seconds `cmd` takes; raise if it fails."""
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_ENV)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({result.returncode}): {result.stderr.decode()[-500:]}")
    return elapsed


def measure(runs: int) -> dict:
    """Return the median times of the baseline and of `clausegen validate`, and their ratio."""
    baseline_cmd = [sys.executable, "-c", "pass"]
    validate_cmd = [sys.executable, "-m", "clausegen", "validate", "samples/sla-zh.yaml"]
    help_cmd = [sys.executable, "-m", "clausegen", "--help"]
    for cmd in (baseline_cmd, validate_cmd, help_cmd):  # warm the file cache
        time_command(cmd, ROOT)
    base, val, hlp = [], [], []
    for _ in range(runs):
        base.append(time_command(baseline_cmd, ROOT))
        val.append(time_command(validate_cmd, ROOT))
        hlp.append(time_command(help_cmd, ROOT))
    b, v, h = statistics.median(base), statistics.median(val), statistics.median(hlp)
    return {"runs": runs, "python_pass_s": b, "validate_s": v, "help_s": h,
            "validate_ratio": v / b, "help_ratio": h / b}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command (median reported)")
    args = parser.parse_args(argv)
    r = measure(max(1, args.runs))
    print(f"start-up, median of {r['runs']} runs (same run, interleaved)")
    print(f"  python -c pass                          {r['python_pass_s'] * 1000:8.1f} ms   1.00x")
    print(f"  clausegen --help                        {r['help_s'] * 1000:8.1f} ms   {r['help_ratio']:.2f}x")
    print(f"  clausegen validate samples/sla-zh.yaml  {r['validate_s'] * 1000:8.1f} ms   {r['validate_ratio']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
