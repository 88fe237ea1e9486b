"""`clausegen review`: an archive checked into Parquet results, resumed after a kill, on local processes
or a Dask cluster whose worker dies midway; and its errors (exit 2, no traceback)."""

from __future__ import annotations

import json

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli_process import REPO, default_sigint, run_cli

from shared_data import require_module  # noqa: E402

require_module("pyarrow")

# A dozen real contracts of both languages and several kinds (SLAs, terms, an NDA, a lease).
CORPUS_FILES = [
    "docs/en-basecamp-big-sla.txt", "docs/en-commonpaper-sla.txt", "docs/en-commonpaper-mutual-nda.txt",
    "docs/en-giantswarm-sla.txt", "docs/en-woomberg-sla.txt", "docs/en-datacoves-sla.txt",
    "docs/zh-aliyun-sae-sla.txt", "docs/zh-tencent-cvm-sla-legacy.txt", "docs/zh-yh-house-lease.txt",
    "docs/zh-ucloud-us3-sla.txt", "docs/zh-chatopera-sla.txt", "docs/zh-flyjoying-sla.txt",
    "docx/zh-bitip-service-agreement.docx", "pdf/en-sweepai-service-level-terms.pdf",
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory, corpus_dir: Path) -> Path:
    """Return a folder laid out like a firm's archive: real contracts in sub-folders, a copy, a damaged file.

    Shared by the tests of this module: none may change it.
    """
    root = tmp_path_factory.mktemp("review") / "archive"
    for i, rel in enumerate(CORPUS_FILES):
        dest = root / ("2023" if i % 2 else "2024") / Path(rel).name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(corpus_dir / rel, dest)
    (root / "copies").mkdir()
    shutil.copyfile(corpus_dir / CORPUS_FILES[0], root / "copies" / "basecamp-again.txt")  # same content
    (root / "2024" / "damaged.docx").write_bytes(b"PK\x03\x04 this is not really a Word file")
    (root / ".hidden").mkdir()
    (root / ".hidden" / "skip-me.txt").write_text("never reviewed", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def whole(archive: Path) -> Path:
    """Return the results of one uninterrupted review of `archive` on two local processes."""
    out = archive.parent / "whole"
    proc = run_cli("review", archive, "--out", out, "--jobs", "2", cwd=archive.parent, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "14 checked, 1 unreadable, 1 duplicate(s); 0 already in" in proc.stderr
    return out


def _table(out: Path, name: str):
    from clausegen.review.dataset import read_table

    return read_table(out, name).to_pylist()


def _statuses(out: Path) -> dict:
    """Return {(file name, provision): status} from the results."""
    return {(Path(r["path"]).name, r["provision"]): r["status"] for r in _table(out, "provisions")}


def _assert_one_result_per_file(out: Path, archive: Path) -> None:
    files = _table(out, "files")
    expected = sorted(str(p) for p in archive.rglob("*") if p.is_file() and ".hidden" not in p.parts)
    assert sorted(r["path"] for r in files) == expected  # every file, exactly once
    provisions = _table(out, "provisions")
    checked = [r for r in files if r["status"] == "ok"]
    per_file = {}
    for r in provisions:
        per_file[r["path"]] = per_file.get(r["path"], 0) + 1
    assert set(per_file) == {r["path"] for r in checked}
    assert len(set(per_file.values())) == 1 and next(iter(per_file.values())) >= 6  # every provision, once


def test_review_writes_one_row_per_file_and_provision_matching_check(archive: Path, whole: Path):
    from clausegen.check import check_file

    out = whole
    _assert_one_result_per_file(out, archive)

    files = {Path(r["path"]).name: r for r in _table(out, "files")}
    assert files["basecamp-again.txt"]["status"] == "duplicate"
    assert files["basecamp-again.txt"]["hash"] == files["en-basecamp-big-sla.txt"]["hash"]
    assert files["damaged.docx"]["status"] == "unreadable" and files["damaged.docx"]["reason"]
    unreadable = _table(out, "unreadable")
    assert [Path(r["path"]).name for r in unreadable] == ["damaged.docx"]

    # The same verdicts, evidence and locations as `clausegen check` on each file.
    rows = {(Path(r["path"]).name, r["provision"]): r for r in _table(out, "provisions")}
    for name in ("en-commonpaper-sla.txt", "zh-aliyun-sae-sla.txt", "zh-bitip-service-agreement.docx"):
        path = next(archive.rglob(name))
        report = check_file(path)
        assert files[name]["language"] == report.language
        for p in report.provisions:
            row = rows[(name, p.id)]
            assert (row["status"], row["required"]) == (p.status, p.required)
            assert row["confidence"] == pytest.approx(p.confidence)
            if p.evidence:
                assert row["evidence"] == p.evidence[0].text[:400]
                assert row["evidence_paragraph"] == p.evidence[0].paragraph
                assert (row["evidence_start"], row["evidence_end"]) == (p.evidence[0].start, p.evidence[0].end)
            else:
                assert row["evidence"] is None and row["evidence_paragraph"] is None
            # the figures the checker read (clausegen.values), as JSON, or null when it read none
            expected = [v.to_dict() for v in p.values]
            assert (json.loads(row["values"]) if row["values"] else []) == json.loads(json.dumps(expected, default=str))


def test_review_results_read_with_pandas_and_duckdb(whole: Path):
    pd = require_module("pandas")
    duckdb = require_module("duckdb")
    out = whole

    frame = pd.read_parquet(out / "provisions")
    assert len(frame) == len(_table(out, "provisions"))
    gaps_pd = frame[frame.required & (frame.status != "present")].groupby("path").size().to_dict()
    con = duckdb.connect()
    gaps_db = dict(con.execute(
        f"select path, count(*) from read_parquet('{out}/provisions/*.parquet') "
        "where required and status <> 'present' group by path").fetchall())
    assert gaps_pd == gaps_db and gaps_db
    unread = con.execute(f"select count(*) from read_parquet('{out}/unreadable/*.parquet')").fetchone()[0]
    assert unread == 1


def test_review_again_checks_nothing_and_new_files_only(archive: Path, whole: Path, tmp_path: Path,
                                                        corpus_dir: Path):
    out = tmp_path / "results"
    shutil.copytree(whole, out)  # a results folder may be moved or copied
    before = _table(out, "files")
    again = run_cli("review", archive, "--out", out, cwd=tmp_path, timeout=120)
    assert again.returncode == 0, again.stderr
    assert "0 checked, 0 unreadable, 0 duplicate(s); 16 already in" in again.stderr
    assert _table(out, "files") == before

    extra = tmp_path / "arrived-later"
    extra.mkdir()
    shutil.copyfile(corpus_dir / "docs/en-gcforms-sla.txt", extra / "new.txt")
    shutil.copyfile(corpus_dir / CORPUS_FILES[1], extra / "same-as-one-reviewed.txt")
    more = run_cli("review", archive, extra, "--out", out, cwd=tmp_path, timeout=300)
    assert "1 checked, 0 unreadable, 1 duplicate(s); 16 already in" in more.stderr
    files = _table(out, "files")
    assert len(files) == len({r["path"] for r in files}) == 18
    assert {r["status"] for r in files if r["path"].startswith(str(extra))} == {"ok", "duplicate"}


def _wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {seconds:g} s waiting for {what}")
        time.sleep(0.1)


def _start_review(archive: Path, out: Path, cwd: Path, *extra) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-m", "clausegen", "review", str(archive), "--out", str(out),
                             "--save-every", "1", "--batch-size", "1", *map(str, extra)],
                            cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=default_sigint)


def _parts(out: Path) -> int:
    return len(list((out / "files").glob("part-*.parquet"))) if (out / "files").is_dir() else 0


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["killed", "ctrl-c"])
def test_review_resumes_after_being_stopped_midway(archive: Path, whole: Path, tmp_path: Path, sig):
    out = tmp_path / "results"
    proc = _start_review(archive, out, tmp_path)
    try:
        _wait_for(lambda: _parts(out) >= 2 or proc.poll() is not None, 240, "the first saved results")
        assert proc.poll() is None, proc.communicate()[1]
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    assert "Traceback" not in err
    if sig == signal.SIGINT:
        assert proc.returncode == 130
        assert "results received so far are saved" in err
    partial = _table(out, "files")  # a killed run leaves a readable dataset
    assert 2 <= len(partial) < 16
    assert len({r["path"] for r in partial}) == len(partial)

    again = run_cli("review", archive, "--out", out, cwd=tmp_path, timeout=300)
    assert again.returncode == 0, again.stderr
    assert f"; {len(partial)} already in" in again.stderr
    _assert_one_result_per_file(out, archive)
    runs = {}
    for r in _table(out, "files"):
        runs.setdefault(r["run"], set()).add(r["path"])
    assert len(runs) == 2 and not set.intersection(*runs.values())  # nothing checked twice

    assert _statuses(out) == _statuses(whole)


def test_review_on_dask_with_a_worker_killed_midway(archive: Path, whole: Path, tmp_path: Path):
    import dask
    from distributed import Client, LocalCluster

    out = tmp_path / "results"
    # Workers that may start child processes: each contract is checked in one, under the time limit.
    with dask.config.set({"distributed.worker.daemon": False}):
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address="127.0.0.1:0", silence_logs=50)
    try:
        client = Client(cluster, set_as_default=False)
        pids = client.run(os.getpid)
        proc = _start_review(archive, out, tmp_path, "--scheduler", cluster.scheduler_address)
        try:
            _wait_for(lambda: _parts(out) >= 1 or proc.poll() is not None, 240, "the first results from Dask")
            busy: list = []

            def a_worker_is_busy() -> bool:
                busy[:] = [w.address for w in cluster.scheduler.workers.values() if w.processing]
                return bool(busy) or proc.poll() is not None

            _wait_for(a_worker_is_busy, 60, "a worker with a batch in hand")
            assert proc.poll() is None, "the review ended before a worker could be killed"
            done_before = _parts(out)
            victim = pids[busy[0]]
            os.kill(victim, signal.SIGKILL)
            _, err = proc.communicate(timeout=300)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)
        assert proc.returncode == 0, err
        assert "Traceback" not in err
        assert done_before < 14
        with pytest.raises(ProcessLookupError):
            os.kill(victim, 0)
        _assert_one_result_per_file(out, archive)
        assert {r["status"] for r in _table(out, "files")} == {"ok", "unreadable", "duplicate"}
        client.close()
    finally:
        cluster.close(timeout=30)

    assert _statuses(out) == _statuses(whole)  # the same verdicts as on local processes


# ---------------------------------------------------------------- errors: exit 2, a message, no traceback


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fails(proc, *needles) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr and proc.stderr.startswith("error: ")
    for needle in needles:
        assert needle in proc.stderr


def test_review_errors_bad_archive_path(tmp_path: Path):
    proc = run_cli("review", tmp_path / "no-such-archive", "--out", tmp_path / "r", cwd=tmp_path)
    _fails(proc, "no-such-archive", "no such folder or file")
    assert not (tmp_path / "r").exists()  # nothing written
    (tmp_path / "empty").mkdir()
    _fails(run_cli("review", tmp_path / "empty", "--out", tmp_path / "r", cwd=tmp_path), "holds no .docx")
    _fails(run_cli("review", str(tmp_path / "*.docx"), "--out", tmp_path / "r", cwd=tmp_path), "no contract file matches")


def test_review_errors_unwritable_or_foreign_results_folder(archive: Path, tmp_path: Path):
    a_file = tmp_path / "notes.txt"
    a_file.write_text("x", encoding="utf-8")
    _fails(run_cli("review", archive, "--out", a_file, cwd=tmp_path), "the results folder is a file")
    _fails(run_cli("review", archive, "--out", a_file / "results", cwd=tmp_path),
           "cannot write the results folder", "hint:")
    _fails(run_cli("review", archive, "--out", archive, cwd=tmp_path), "holds no review results")
    assert a_file.read_text(encoding="utf-8") == "x"


def test_review_errors_other_options_than_the_results_were_made_with(archive: Path, tmp_path: Path):
    out = tmp_path / "results"
    assert run_cli("review", archive / "2023", "--out", out, "--lang", "zh", cwd=tmp_path, timeout=300).returncode == 0
    _fails(run_cli("review", archive / "2023", "--out", out, "--lang", "en", cwd=tmp_path), "other options", "lang")


def test_review_errors_unreachable_or_malformed_scheduler(archive: Path, tmp_path: Path):
    port = _free_port()  # nothing listens there
    proc = run_cli("review", archive, "--out", tmp_path / "r", "--scheduler", f"tcp://127.0.0.1:{port}",
                   "--connect-timeout", "2", cwd=tmp_path, timeout=60)
    _fails(proc, f"cannot reach the Dask scheduler at 'tcp://127.0.0.1:{port}'", "hint: start it")
    assert proc.elapsed < 40
    _fails(run_cli("review", archive, "--out", tmp_path / "r", "--scheduler", "nonsense", cwd=tmp_path),
           "is not a scheduler address")


def test_review_errors_bad_numbers(archive: Path, tmp_path: Path):
    _fails(run_cli("review", archive, "--out", tmp_path / "r", "--jobs", "-1", cwd=tmp_path), "--jobs must be 0 or more")
    _fails(run_cli("review", archive, "--out", tmp_path / "r", "--save-every", "0", cwd=tmp_path), "--save-every")


def _stderr_on_a_terminal(args: list, cwd: Path, env: dict, timeout: float = 300) -> str:
    """Return what `clausegen ARGS` wrote to its stderr, a pseudo-terminal."""
    import pty
    import select

    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "clausegen", *map(str, args)], cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    chunks, deadline = [], time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                break
        proc.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        os.close(master)
    assert proc.returncode == 0
    return b"".join(chunks).decode("utf-8", "replace")


def test_review_draws_a_progress_bar_on_a_terminal_but_not_in_ci(archive: Path, tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env.update(PYTHONPATH=str(REPO), TERM="xterm")
    shown = _stderr_on_a_terminal(["review", archive / "2023", "--out", tmp_path / "a"], tmp_path, env)
    assert "review: 100%" in shown and "7/7" in shown and "\r" in shown
    quiet = _stderr_on_a_terminal(["review", archive / "2023", "--out", tmp_path / "b"], tmp_path, {**env, "CI": "true"})
    assert "review:" not in quiet and "%" not in quiet
    assert "reviewed 7 file(s)" in quiet


def test_review_on_dask_workers_started_as_daemons_warns_and_still_reviews(archive: Path, tmp_path: Path):
    """Dask's default workers may not start child processes: no time limit then, and the user is told."""
    from distributed import LocalCluster

    cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address="127.0.0.1:0", silence_logs=50)
    try:
        proc = run_cli("review", archive / "2023", "--out", tmp_path / "r", "--scheduler", cluster.scheduler_address,
                       cwd=tmp_path, timeout=300)
    finally:
        cluster.close(timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert "warning: the Dask workers run as daemon processes" in proc.stderr
    assert "DASK_DISTRIBUTED__WORKER__DAEMON=False" in proc.stderr
    assert "7 checked" in proc.stderr


def test_review_says_so_when_the_scheduler_goes_away(archive: Path, tmp_path: Path):
    import dask
    from distributed import LocalCluster

    out = tmp_path / "results"
    with dask.config.set({"distributed.worker.daemon": False}):
        cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address="127.0.0.1:0", silence_logs=50)
    proc = None
    try:
        proc = _start_review(archive, out, tmp_path, "--scheduler", cluster.scheduler_address,
                             "--connect-timeout", "3")
        _wait_for(lambda: _parts(out) >= 1 or proc.poll() is not None, 240, "the first results from Dask")
        assert proc.poll() is None
    finally:
        cluster.close(timeout=30)
    try:
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    assert proc.returncode == 2, err
    assert "Traceback" not in err and "internal error" not in err
    assert "the Dask scheduler" in err and "run the same command again" in err
    saved = _table(out, "files")  # what arrived before is kept
    assert saved and len({r["path"] for r in saved}) == len(saved)
