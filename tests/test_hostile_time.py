"""Contracts that take long to check: a hard time limit per document, in the batch and in the web form.

The slow contract here is a run-on sentence that a quadratic pattern chokes on, followed by
thousands of paragraphs, so that it stays slow whichever patterns the rules use. Every process a test starts is bounded and stopped by the test.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from cli_process import run_cli

REPO = Path(__file__).resolve().parent.parent
SENTENCE = ("The Provider shall use commercially reasonable efforts to keep the Service available, and any period "
            "of unavailability shall be measured in minutes from the time of the report. ")
NOTIFY = "The Provider shall notify the Customer of any outage within 2 hours.\n"


# One sentence without an end and without the words a look-ahead searches for: an unanchored
# (?=.*…) pattern runs again from every position of it, inside one call that holds the interpreter
# lock (a thread could not be interrupted, nor could the server's event loop run meanwhile).
RUN_ON = "the Provider shall use commercially reasonable efforts to keep the Service available and any period of "


def slow_contract(paragraphs: int = 5000) -> str:
    """Return a contract that takes far longer than a few seconds to check: a 20,000-character
    run-on sentence (slow for a quadratic pattern), then thousands of paragraphs (slow for any
    checker, about 15 µs a character)."""
    return RUN_ON * 200 + "\n" + "\n".join(f"{n}. {SENTENCE * 3}" for n in range(paragraphs)) + "\n"


# ---------------------------------------------------------------- command line


def test_a_document_over_the_time_limit_is_stopped_and_the_others_are_reported(tmp_path):
    (tmp_path / "a-ok.txt").write_text(NOTIFY, encoding="utf-8")
    (tmp_path / "b-slow.txt").write_text(slow_contract(), encoding="utf-8")
    (tmp_path / "c-ok.txt").write_text(NOTIFY, encoding="utf-8")
    for jobs in ("1", "2"):
        proc = run_cli("check", "a-ok.txt", "b-slow.txt", "c-ok.txt", "--format", "json", "--jobs", jobs,
                       "--limit", "check_seconds=5", cwd=tmp_path, timeout=180)
        assert proc.returncode == 2, proc.stderr
        assert [f["path"] for f in json.loads(proc.stdout)["files"]] == ["a-ok.txt", "c-ok.txt"]
        assert "error: b-slow.txt: reading and checking it took longer than 5 s (the check_seconds limit)" \
            in proc.stderr
        assert "--limit check_seconds" in proc.stderr and "Traceback" not in proc.stderr
        assert proc.elapsed < 90, proc.elapsed  # the slow file alone would take far longer


def test_start_up_time_is_not_held_against_a_document(tmp_path):
    """Loading the rules and the Chinese pipeline (jieba's dictionary) takes about 4 s; a 3-second
    limit still checks a short contract, which itself takes under one."""
    (tmp_path / "zh.txt").write_text("双方因本合同发生争议的，提交中国国际经济贸易仲裁委员会仲裁。\n", encoding="utf-8")
    proc = run_cli("check", "zh.txt", "--limit", "check_seconds=3", cwd=tmp_path, timeout=120)
    assert proc.returncode == 1, proc.stderr  # findings, not a time-out


def test_an_internal_error_in_one_file_does_not_stop_the_batch(tmp_path, monkeypatch):
    """A bug met while reading one file: that file is named as unread, the others are reported."""
    import pytest

    from clausegen.check import batch, readers

    real = readers.read_text

    def broken(path):
        if path.name == "bad.txt":
            raise ValueError("simulated bug")
        return real(path)

    monkeypatch.setitem(readers.READERS, ".txt", broken)  # forked workers inherit it
    (tmp_path / "bad.txt").write_text(NOTIFY, encoding="utf-8")
    (tmp_path / "good.txt").write_text(NOTIFY, encoding="utf-8")
    report = batch.check_paths([tmp_path / "bad.txt", tmp_path / "good.txt"], progress=False)
    assert [Path(f.path).name for f in report.files] == ["good.txt"]
    (error,) = report.errors
    assert error.path.endswith("bad.txt")
    assert error.message == "internal error while checking it: ValueError: simulated bug"
    assert "--debug" in error.hint
    with pytest.raises(RuntimeError, match="simulated bug"):
        batch.check_paths([tmp_path / "bad.txt", tmp_path / "good.txt"], progress=False, debug=True)


# ---------------------------------------------------------------- web form on a real server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, timeout: float = 5) -> tuple[int, float]:
    start = time.monotonic()
    with urllib.request.urlopen(url, timeout=timeout) as r:
        r.read()
        return r.status, time.monotonic() - start


def _post_file(url: str, name: str, data: bytes, timeout: float) -> tuple[int, dict]:
    boundary = "clausegen-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            f"Content-Type: text/plain\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"content-type": f"multipart/form-data; boundary={boundary}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_web_server_answers_while_a_slow_upload_is_checked(tmp_path):
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(REPO), "CLAUSEGEN_MAX_CHECK_SECONDS": "4"}
    server = subprocess.Popen([sys.executable, "-m", "clausegen", "serve", "--port", str(port), "--workers", "1"],
                              cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                assert _get(f"{base}/api/health")[0] == 200
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.3)
        slow: dict = {}
        upload = threading.Thread(target=lambda: slow.update(
            answer=_post_file(f"{base}/api/check", "slow.txt", slow_contract().encode(), timeout=150)))
        upload.start()
        latencies = []
        while upload.is_alive():
            status, seconds = _get(f"{base}/api/health")
            assert status == 200
            latencies.append(seconds)
            time.sleep(0.2)
        upload.join()
        status, body = slow["answer"]
        assert status == 422, body
        assert "took longer than 4 s" in body["error"] and body["status"] == 422
        assert len(latencies) >= 5, latencies  # polled while the upload was being checked...
        assert max(latencies) < 1.0, latencies  # ...and every answer came within a second
        status, body = _post_file(f"{base}/api/check", "ok.txt", NOTIFY.encode(), timeout=120)
        assert status == 200 and body["files"][0]["path"] == "ok.txt"  # a new worker took over
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
            server.wait(timeout=10)
        server.stderr.close()
