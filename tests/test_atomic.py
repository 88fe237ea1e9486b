"""Nothing lost: outputs are replaced atomically, interrupted runs keep the old file, inputs stay untouched.

The kill tests run the command line through tests/slow_write.py, which makes the writer sleep
between writing its temporary file and renaming it, so a signal reliably lands mid-write.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_process import default_sigint
from shared_data import corpus_file

REPO = Path(__file__).resolve().parent.parent
SAMPLE_EN = REPO / "samples" / "sla-en.yaml"
OLD = b"the previous version of the clauses, which must survive\n"


def digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def cli_env(**extra) -> dict:
    return {**os.environ, "PYTHONPATH": str(REPO), **extra}


def temps(folder: Path, name: str) -> list[Path]:
    return sorted(folder.glob(f".{name}.*.tmp"))


def start_slow_render(tmp_path: Path, out: str = "existing.docx") -> subprocess.Popen:
    """Start `render -o OUT` with a 60 s pause before the rename; return once its temp file exists."""
    proc = subprocess.Popen([sys.executable, str(REPO / "tests" / "slow_write.py"), "60",
                             "render", str(SAMPLE_EN), "-o", out], cwd=tmp_path, env=cli_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=default_sigint)
    deadline = time.monotonic() + 90
    while not temps(tmp_path, out):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the writer never reached its temporary file: {proc.communicate()}")
        time.sleep(0.05)
    return proc


def test_sigkill_mid_write_keeps_the_previous_file_and_the_next_run_cleans_up(tmp_path):
    out = tmp_path / "existing.docx"
    out.write_bytes(OLD)
    proc = start_slow_render(tmp_path)
    assert temps(tmp_path, "existing.docx")[0].stat().st_size > 5000  # the new document is fully written...
    proc.send_signal(signal.SIGKILL)  # ...but not yet renamed
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert out.read_bytes() == OLD
    assert len(temps(tmp_path, "existing.docx")) == 1  # a killed process cannot clean up after itself

    again = subprocess.run([sys.executable, "-m", "clausegen", "render", str(SAMPLE_EN), "-o", "existing.docx"],
                           cwd=tmp_path, env=cli_env(), capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert temps(tmp_path, "existing.docx") == []  # the dead writer's leftover is gone
    assert out.read_bytes()[:2] == b"PK"


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_interrupt_mid_write_keeps_the_previous_file_and_removes_the_temp(tmp_path, signum):
    out = tmp_path / "existing.docx"
    out.write_bytes(OLD)
    proc = start_slow_render(tmp_path)
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr
    assert "interrupted; no output was written" in stderr and "Traceback" not in stderr
    assert out.read_bytes() == OLD
    assert temps(tmp_path, "existing.docx") == []


def test_a_live_writers_temp_file_is_not_removed_by_another_run(tmp_path):
    from clausegen.outputs import write_atomic

    live = tmp_path / f".out.txt.{os.getppid()}.abc123.tmp"  # our parent is certainly alive
    live.write_bytes(b"in progress")
    dead = tmp_path / ".out.txt.999999999.abc123.tmp"  # no such pid
    dead.write_bytes(b"left by a killed run")
    write_atomic(tmp_path / "out.txt", b"new")
    assert live.exists() and not dead.exists()
    assert (tmp_path / "out.txt").read_bytes() == b"new"


def test_a_failed_rename_keeps_the_old_file_and_no_temp(tmp_path, monkeypatch):
    from clausegen.outputs import write_atomic

    out = tmp_path / "out.docx"
    out.write_bytes(OLD)

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    from clausegen.errors import InputError

    with pytest.raises(InputError, match="cannot write the output: No space left on device; nothing was changed"):
        write_atomic(out, b"new content")
    assert out.read_bytes() == OLD
    assert temps(tmp_path, "out.docx") == []


def test_replacing_keeps_the_permissions_of_the_old_file(tmp_path):
    from clausegen.outputs import write_atomic

    out = tmp_path / "out.md"
    out.write_bytes(OLD)
    out.chmod(0o600)
    write_atomic(out, b"new")
    assert out.read_bytes() == b"new" and (out.stat().st_mode & 0o777) == 0o600


def test_render_never_overwrites_its_input(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_bytes(SAMPLE_EN.read_bytes())
    before = digest(spec)
    proc = subprocess.run([sys.executable, "-m", "clausegen", "render", "spec.yaml", "-o", "spec.yaml",
                           "--format", "md"], cwd=tmp_path, env=cli_env(), capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 2 and "is the input file" in proc.stderr
    assert digest(spec) == before


def test_annotate_never_overwrites_the_contract(tmp_path):
    contract = tmp_path / "c.docx"
    contract.write_bytes(corpus_file("docx", "common-paper-csa-with-sla.docx").read_bytes())
    before = digest(contract)
    proc = subprocess.run([sys.executable, "-m", "clausegen", "check", "c.docx", "--annotate", "./c.docx"],
                          cwd=tmp_path, env=cli_env(), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "is the input file" in proc.stderr
    assert digest(contract) == before


AUDIT = """
import json, os, sys
inputs = {os.path.realpath(p) for p in json.loads(sys.argv[1])}
writes = []
def hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.path.realpath(os.fsdecode(args[0]))
        mode, flags = args[1] or "", args[2] or 0
        if path in inputs and (any(c in mode for c in "wax+") or flags & (os.O_WRONLY | os.O_RDWR)):
            writes.append([path, mode, flags])
sys.addaudithook(hook)
from clausegen.cli import main
code = main(json.loads(sys.argv[2]))
print(json.dumps({"code": code, "writes": writes}))
"""


@pytest.mark.parametrize("args, inputs", [
    (["render", "{spec}", "-o", "out.docx"], ["{spec}"]),
    (["validate", "{spec}"], ["{spec}"]),
    (["check", "{contract}", "--annotate", "annotated.docx", "--format", "json"], ["{contract}"]),
], ids=["render", "validate", "check-annotate"])
def test_inputs_are_opened_read_only_and_left_unchanged(tmp_path, args, inputs):
    names = {"spec": str(SAMPLE_EN), "contract": str(corpus_file("docx", "common-paper-csa-with-sla.docx"))}
    args = [a.format(**names) for a in args]
    inputs = [i.format(**names) for i in inputs]
    before = {p: (digest(p), os.stat(p).st_mtime_ns) for p in inputs}
    proc = subprocess.run([sys.executable, "-c", AUDIT, json.dumps(inputs), json.dumps(args)], cwd=tmp_path,
                          env=cli_env(), capture_output=True, text=True, timeout=300)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["code"] in (0, 1), proc.stderr
    assert result["writes"] == []
    assert {p: (digest(p), os.stat(p).st_mtime_ns) for p in inputs} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_an_output_that_is_a_folder_is_a_usage_error(tmp_path):
    (tmp_path / "clauses.docx").mkdir()
    proc = subprocess.run([sys.executable, "-m", "clausegen", "render", str(SAMPLE_EN), "-o", "clauses.docx"],
                          cwd=tmp_path, env=cli_env(), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "error: clauses.docx: the output 'clauses.docx' is a folder" in proc.stderr
    assert "Traceback" not in proc.stderr and list((tmp_path / "clauses.docx").iterdir()) == []
    assert [p.name for p in tmp_path.iterdir()] == ["clauses.docx"]
