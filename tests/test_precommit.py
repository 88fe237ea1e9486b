"""Our pre-commit hooks, run by the real `pre-commit` tool on a temporary firm repository.

The hooks are taken from the project's .pre-commit-hooks.yaml (ids, file filters, arguments)
and installed as `repo: local` hooks with `language: system` pointing at this Python, so
that the test needs no network (a `language: python` hook would pip-install clausegen).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from shared_data import require

REPO = Path(__file__).resolve().parents[1]
MANIFEST = REPO / ".pre-commit-hooks.yaml"
PRE_COMMIT = Path(sys.executable).with_name("pre-commit")



@pytest.fixture(autouse=True)
def pre_commit_tool() -> None:
    """Skip on a developer's machine without pre-commit; fail under CI=true (the test extra installs it)."""
    require(PRE_COMMIT.exists(), f"pre-commit at {PRE_COMMIT}")


def run(cwd: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, encoding="utf-8", env=env,
                          timeout=600)


def git(cwd: Path, *args: str) -> None:
    result = run(cwd, "git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args)
    assert result.returncode == 0, result.stderr


def local_config() -> dict:
    """Return a .pre-commit-config.yaml that runs our manifest's hooks offline with this Python."""
    hooks = []
    for hook in yaml.safe_load(MANIFEST.read_text(encoding="utf-8")):
        assert hook["entry"].startswith("clausegen ")
        local = {k: v for k, v in hook.items() if k not in ("language", "entry", "description")}
        local["language"] = "system"
        local["entry"] = f"{sys.executable} -m clausegen {hook['entry'].removeprefix('clausegen ')}"
        hooks.append(local)
    return {"repos": [{"repo": "local", "hooks": hooks}]}


@pytest.fixture(scope="module")
def firm_repo(tmp_path_factory) -> Path:
    """A git repository holding the sample firm library, a spec and a generated contract."""
    root = tmp_path_factory.mktemp("precommit")
    repo = root / "firm"
    shutil.copytree(REPO / "samples" / "firm-library", repo)
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(local_config(), sort_keys=False), encoding="utf-8")
    (repo / "contracts").mkdir()
    result = run(repo, sys.executable, "-m", "clausegen", "render", "specs/fabrikam-hosting.yaml",
                 "-o", "contracts/fabrikam-hosting.docx")
    assert result.returncode == 0, result.stderr
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "firm library")
    return repo


def pre_commit(repo: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRE_COMMIT_HOME": str(repo.parent / "pre-commit-home"), "NO_COLOR": "1"}
    env.pop("PRE_COMMIT", None)
    return run(repo, str(PRE_COMMIT), "run", "--color", "never", *args, env=env)


def test_manifest_is_valid_for_pre_commit():
    result = run(REPO, str(PRE_COMMIT), "validate-manifest", str(MANIFEST))
    assert result.returncode == 0, result.stdout + result.stderr
    ids = [h["id"] for h in yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))]
    assert ids == ["clausegen-validate", "clausegen-library-check", "clausegen-check"]


def test_all_hooks_pass_on_a_clean_repository(firm_repo):
    result = pre_commit(firm_repo, "--all-files")
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    for name in ("clausegen validate (spec files)", "clausegen library check", "clausegen check (contracts)"):
        line = next(x for x in out.splitlines() if x.startswith(name))
        assert line.endswith("Passed"), line


def test_validate_hook_fails_on_an_invalid_spec(firm_repo):
    spec = firm_repo / "specs" / "bad.yaml"
    text = (firm_repo / "specs" / "fabrikam-hosting.yaml").read_text(encoding="utf-8")
    spec.write_text(text.replace("credit_percent: 50}", "credit_percent: 150}"), encoding="utf-8")
    git(firm_repo, "add", "specs/bad.yaml")
    try:
        result = pre_commit(firm_repo, "clausegen-validate", "--all-files")
        out = result.stdout + result.stderr
        assert result.returncode == 1, out
        assert "Failed" in out and "specs/bad.yaml:" in out and "150" in out
        # Rule files and family.yaml are YAML too, but the hook leaves them alone.
        assert "rules/deadlines.yml" not in out and "family.yaml" not in out
    finally:
        git(firm_repo, "rm", "-qf", "specs/bad.yaml")


def test_library_check_hook_fails_on_a_broken_template(firm_repo):
    template = firm_repo / "clauses" / "service-interruption" / "en" / "deadlines.j2"
    original = template.read_text(encoding="utf-8")
    template.write_text(original.replace("{% endif %}", "", 1), encoding="utf-8")
    git(firm_repo, "add", str(template))
    try:
        result = pre_commit(firm_repo, "clausegen-library-check", "--all-files")
        out = result.stdout + result.stderr
        assert result.returncode == 1, out
        assert "clauses/service-interruption/en/deadlines.j2" in out and "template syntax error" in out
    finally:
        template.write_text(original, encoding="utf-8")
        git(firm_repo, "add", str(template))


def test_check_hook_fails_on_a_contract_missing_provisions(firm_repo):
    from docx import Document

    contract = firm_repo / "contracts" / "incoming.docx"
    doc = Document()
    doc.add_heading("Hosting Agreement", 1)
    doc.add_paragraph("The Provider shall host the Customer's website. The Customer shall pay the fees monthly.")
    doc.save(str(contract))
    git(firm_repo, "add", "contracts/incoming.docx")
    try:
        result = pre_commit(firm_repo, "clausegen-check", "--all-files")
        out = result.stdout + result.stderr
        assert result.returncode == 1, out
        assert "contracts/incoming.docx" in out and "missing" in out
    finally:
        git(firm_repo, "rm", "-qf", "contracts/incoming.docx")


def test_readme_sample_config_is_valid_and_names_our_hooks(tmp_path):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("# .pre-commit-config.yaml\n", 1)[1].split("```", 1)[0]
    sample = tmp_path / ".pre-commit-config.yaml"
    sample.write_text(block, encoding="utf-8")
    result = run(tmp_path, str(PRE_COMMIT), "validate-config", str(sample))
    assert result.returncode == 0, result.stdout + result.stderr
    manifest_ids = {h["id"] for h in yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))}
    used = {h["id"] for repo in yaml.safe_load(block)["repos"] for h in repo["hooks"]}
    assert used == manifest_ids
