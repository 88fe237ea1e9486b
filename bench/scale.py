"""Review at scale: 2,000 documents on a Dask cluster of 1 and of 2 workers, against a plain loop.

    .venv/bin/python bench/scale.py [CORPUS_DIR] [--docs 2000] [--workers 1 2]

Measures, in one run and in this order:

1. the documents: `--docs` contracts generated in a temporary folder (never committed) from the
   dev corpus (default ../shared/corpus/dev), cycling its .txt, .md, .docx and .pdf files and
   making each copy distinct (a reference line added to a text, a paragraph to a Word file, a
   metadata entry to a PDF), so that every one has its own content hash and is checked;
2. the baseline: a plain in-process loop of clausegen.check.check_file over the same documents,
   warm (pipelines loaded first), in this process: seconds per document;
3. for each worker count: a dask.distributed LocalCluster on 127.0.0.1 (one thread per worker
   process), warmed by a review of a few other documents, then `clausegen review --scheduler`
   of all the documents into a fresh results folder, as a user would run it. Wall time,
   documents per second, speed-up against 1 worker, and overhead per document against the
   plain loop (review on 1 worker minus the loop, divided by the documents: hashing, batching,
   Parquet, Dask and the time-limited checking process), and the CPU that the review command and
   the scheduler use beside the workers, on the same cores;
4. memory: the peak resident memory of the review command (the client) and of each worker with
   its checking process, sampled every second with psutil; the client's peak in the first and
   the second half of the run shows whether it stays flat in the number of files.

The machine's cores bound the speed-up: the script prints how many it has and how busy they
were (load average), so that a figure measured on a shared machine is read as such.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The settings docs/scale.md recommends for a review cluster (as DASK_DISTRIBUTED__… variables):
# workers that may start the time-limited checking processes, and none of Dask's diagnostics
# that cost CPU on every worker whether anyone looks or not (the statistical profiler samples
# every thread 100 times a second; the tick and system monitors wake twice a second).
CLUSTER_CONFIG = {
    "distributed.worker.daemon": False,
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "5s",
}


def make_documents(corpus: Path, folder: Path, count: int) -> list[Path]:
    """Write `count` distinct contracts into `folder`, made from the corpus files; return their paths."""
    import docx
    from pypdf import PdfReader, PdfWriter

    sources = sorted(p for p in corpus.rglob("*") if p.suffix.lower() in (".txt", ".md", ".docx", ".pdf")
                     and p.name != "README.md")
    out = []
    for i in range(count):
        src = sources[i % len(sources)]
        dest = folder / f"{i // 500:02d}" / f"{i:05d}-{src.name}"
        dest.parent.mkdir(parents=True, exist_ok=True)
        suffix = src.suffix.lower()
        if suffix in (".txt", ".md"):
            dest.write_text(src.read_text(encoding="utf-8") + f"\n\nReference: bench-{i}\n", encoding="utf-8")
        elif suffix == ".docx":
            document = docx.Document(str(src))
            document.add_paragraph(f"Reference: bench-{i}")
            document.save(str(dest))
        else:
            writer = PdfWriter(clone_from=PdfReader(str(src)))
            writer.add_metadata({"/Subject": f"bench-{i}"})
            with open(dest, "wb") as fh:
                writer.write(fh)
        out.append(dest)
    return out


def plain_loop(paths: list[Path]) -> tuple[float, float]:
    """Return (wall seconds, CPU seconds) of checking `paths` one after another in this process, warm."""
    from clausegen.check import check_file

    check_file(paths[0])  # load the rules and pipelines first: start-up is not per document
    for p in paths:
        if p.suffix == ".txt" and "zh-" in p.name:
            check_file(p)
            break
    w0, c0 = time.perf_counter(), time.process_time()
    for p in paths:
        try:
            check_file(p)
        except Exception:  # noqa: BLE001 - an unreadable document is still time spent
            pass
    return time.perf_counter() - w0, time.process_time() - c0


class Sampler:
    """Poll the resident memory of a process tree every `every` seconds; keep the peaks."""

    def __init__(self, every: float = 0.2) -> None:
        self.every, self.stop = every, threading.Event()
        self.client_pid = None
        self.worker_pids: list = []
        self.client_peaks = [0, 0]  # first half, second half of the run
        self.worker_peak = 0
        self.half = False
        self.thread = threading.Thread(target=self._run, daemon=True)

    def cpu_seconds(self) -> float:
        """Return the CPU seconds (user + system) used so far by the workers and their checking processes."""
        import psutil

        total = 0.0
        for pid in self.worker_pids:
            try:
                proc = psutil.Process(pid)
                for p in [proc, *proc.children(recursive=True)]:
                    t = p.cpu_times()
                    total += t.user + t.system
            except psutil.Error:
                pass
        return total

    @staticmethod
    def _tree_rss(pid: int) -> int:
        import psutil

        try:
            proc = psutil.Process(pid)
            return proc.memory_info().rss + sum(c.memory_info().rss for c in proc.children(recursive=True))
        except psutil.Error:
            return 0

    def _run(self) -> None:
        import psutil

        while not self.stop.wait(self.every):
            if self.client_pid:
                try:
                    rss = psutil.Process(self.client_pid).memory_info().rss
                except psutil.Error:
                    rss = 0
                i = 1 if self.half else 0
                self.client_peaks[i] = max(self.client_peaks[i], rss)
            for pid in self.worker_pids:
                self.worker_peak = max(self.worker_peak, self._tree_rss(pid))


def run_review(folder: Path, out: Path, address: str, sampler: Sampler | None, total: int) -> tuple[float, float]:
    """Return (wall seconds, CPU seconds) of `clausegen review FOLDER --out OUT --scheduler ADDRESS` (a process)."""
    import resource

    env = {**os.environ, "PYTHONPATH": str(ROOT), "CI": "true"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "clausegen", "review", str(folder), "--out", str(out),
                             "--scheduler", address, "--save-every", "200"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if sampler:
        sampler.client_pid = proc.pid
        sampler.half = False
        while proc.poll() is None:
            time.sleep(0.5)
            done = sum(1 for _ in (out / "files").glob("part-*.parquet")) * 200 if (out / "files").is_dir() else 0
            sampler.half = done >= total / 2
    _, err = proc.communicate()
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"review failed ({proc.returncode}):\n{err}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def _warm(paths: list) -> None:
    """Check a few documents in this worker's time-limited checking process (both languages)."""
    from clausegen.review.tasks import options_for, review_batch

    review_batch([(p, "0" * 64, 0) for p in paths], options_for("auto", None, None))


def on_cluster(workers: int, folder: Path, warm: Path, tmp: Path, total: int) -> dict:
    """Return the figures of reviewing `folder` on a LocalCluster of `workers` worker processes."""
    import dask
    from distributed import Client, LocalCluster

    with dask.config.set(CLUSTER_CONFIG):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None, silence_logs=50)
    try:
        client = Client(cluster, set_as_default=False)
        # Every worker starts its checking process and loads the pipelines before the clock starts.
        client.run(_warm, sorted(str(p) for p in warm.rglob("*.*")))
        run_review(warm, tmp / f"warm-{workers}", cluster.scheduler_address, None, 0)
        sampler = Sampler(every=1.0)  # coarse: the sampler shares the cores it measures
        sampler.worker_pids = list(client.run(os.getpid).values())
        sampler.thread.start()
        cpu0, own0 = sampler.cpu_seconds(), time.process_time()
        wall, client_cpu = run_review(folder, tmp / f"results-{workers}", cluster.scheduler_address, sampler, total)
        cpu = sampler.cpu_seconds() - cpu0
        scheduler_cpu = time.process_time() - own0  # the scheduler lives in this process (and the sampler)
        sampler.stop.set()
        client.close()
        size = sum(p.stat().st_size for p in (tmp / f"results-{workers}").rglob("*.parquet"))
    finally:
        cluster.close(timeout=30)
    return {"wall": wall, "cpu": cpu, "client_cpu": client_cpu, "scheduler_cpu": scheduler_cpu,
            "client_peaks": sampler.client_peaks, "worker_peak": sampler.worker_peak, "bytes": size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=ROOT.parent / "shared" / "corpus" / "dev")
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--no-loop", action="store_true", help="skip the plain in-process loop")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="clausegen-scale-"))
    try:
        print(f"machine: {os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.2f} at start")
        t = time.perf_counter()
        paths = make_documents(args.corpus, tmp / "archive", args.docs)
        make_documents(args.corpus, tmp / "warm", 8)
        kinds = {}
        for p in paths:
            kinds[p.suffix] = kinds.get(p.suffix, 0) + 1
        size = sum(p.stat().st_size for p in paths)
        print(f"documents: {len(paths)} ({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))}; "
              f"{size / 1e6:.1f} MB) generated in {time.perf_counter() - t:.1f} s")

        loop = loop_cpu = None
        if not args.no_loop:
            wall, cpu = plain_loop(paths)
            loop, loop_cpu = wall / len(paths), cpu / len(paths)
            print(f"plain loop (check_file, one process, warm): {wall:.1f} s wall, {cpu:.1f} s CPU, "
                  f"{1000 * loop:.1f} ms per document, {len(paths) / wall:.1f} documents/s")

        results = {}
        for n in args.workers:
            r = on_cluster(n, tmp / "archive", tmp / "warm", tmp, len(paths))
            results[n] = r
            per = r["wall"] / len(paths)
            line = (f"review on Dask, {n} worker(s): {r['wall']:.1f} s wall, {len(paths) / r['wall']:.1f} documents/s, "
                    f"{1000 * per:.1f} ms per document")
            if n != args.workers[0] and args.workers[0] in results:
                line += f", speed-up {results[args.workers[0]]['wall'] / r['wall']:.2f}× against {args.workers[0]}"
            if loop and n == 1:
                line += f", overhead {1000 * (per - loop):+.1f} ms per document against the plain loop ({per / loop:.2f}×)"
            print(line)
            line = f"  CPU of the workers and their checking processes: {r['cpu']:.1f} s, {1000 * r['cpu'] / len(paths):.1f} ms per document"
            if loop_cpu:
                line += f" (plain loop {1000 * loop_cpu:.1f} ms: {r['cpu'] / len(paths) / loop_cpu:.2f}×)"
            print(line + f"; results {r['bytes'] / len(paths):.0f} bytes per document on disk")
            print(f"  CPU beside the workers, on the same cores: review command {r['client_cpu']:.1f} s "
                  f"({1000 * r['client_cpu'] / len(paths):.1f} ms per document, start-up included), scheduler and "
                  f"sampler {r['scheduler_cpu']:.1f} s ({1000 * r['scheduler_cpu'] / len(paths):.1f} ms per document)")
            first, second = (x / 2**20 for x in r["client_peaks"])
            print(f"  peak memory: review command {max(first, second):.0f} MB (first half {first:.0f} MB, second half "
                  f"{second:.0f} MB); largest worker with its checking process {r['worker_peak'] / 2**20:.0f} MB")
        print(f"load average at end: {os.getloadavg()[0]:.2f} (on {os.cpu_count()} CPU(s); above the CPU count "
              "means other work shared them)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
