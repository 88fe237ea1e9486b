"""A non-editable install into a fresh virtual environment runs `clausegen validate` (data ships in the wheel)."""

from __future__ import annotations

import os
import subprocess
import sys
import venv

# Only what `validate` and `new` need at run time; the heavy dependencies are imported lazily.
RUNTIME_FOR_VALIDATE = ["pyyaml", "jsonschema", "jinja2"]


def _run(cmd, cwd, timeout=300):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    result = subprocess.run([str(c) for c in cmd], cwd=cwd, capture_output=True, text=True,
                            timeout=timeout, env=env)
    assert result.returncode == 0, f"{cmd}\n{result.stdout}\n{result.stderr}"
    return result


def test_wheel_installs_into_fresh_venv_and_validates(tmp_path, repo_root, samples_dir):
    wheels = tmp_path / "wheels"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", wheels, repo_root], cwd=tmp_path)
    (wheel,) = wheels.glob("clausegen-*.whl")

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False, clear=True).create(env_dir)
    bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    pip = [bin_dir / "python", "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    _run(pip + ["--no-deps", wheel], cwd=tmp_path)
    _run(pip + RUNTIME_FOR_VALIDATE, cwd=tmp_path)

    work = tmp_path / "elsewhere"
    work.mkdir()
    where = _run([bin_dir / "python", "-c", "import clausegen, clausegen.resources as r; "
                  "print(clausegen.__file__); print(r.schemas_dir())"], cwd=work).stdout.split()
    assert all(str(env_dir) in w for w in where), where
    assert where[1].endswith(os.path.join("clausegen", "_data", "schemas"))

    result = _run([bin_dir / "clausegen", "validate", samples_dir / "sla-en.yaml"], cwd=work)
    assert "1 spec(s) valid" in result.stdout

    starter = _run([bin_dir / "clausegen", "new", "--lang", "bilingual"], cwd=work).stdout
    (work / "new.yaml").write_text(starter, encoding="utf-8")
    _run([bin_dir / "clausegen", "validate", "new.yaml"], cwd=work)

    bad = subprocess.run([str(bin_dir / "clausegen"), "validate", "missing.yaml"], cwd=work,
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "no such file" in bad.stdout
