"""Shared pytest fixtures: where the repository, the samples and the dev corpus are; spec helpers."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from shared_data import corpus_file, require

#: The older name of shared_data.require (skip on a developer machine, fail under CI=true).
require_or_skip = require

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """Return the repository root (the folder holding pyproject.toml)."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def samples_dir(repo_root: Path) -> Path:
    """Return the folder of bundled sample specs."""
    return repo_root / "samples"


@pytest.fixture(scope="session")
def corpus_dir(repo_root: Path) -> Path:
    """Return the shared dev corpus of labelled contracts (read in place, never copied)."""
    return corpus_file("labels.yaml").parent


@pytest.fixture(scope="session")
def bench_evaluate(repo_root: Path):
    """Return bench/evaluate.py as a module (the checker's scoring on a labelled folder)."""
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("clausegen_bench_evaluate", repo_root / "bench" / "evaluate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def starter():
    """Return a function lang -> a fresh deep copy of the starter spec data (zh, en, bilingual)."""
    from clausegen.spec import starter_data

    return lambda lang="en": copy.deepcopy(starter_data(lang))


@pytest.fixture
def write_spec(tmp_path: Path):
    """Return a function (data or YAML text, name="spec.yaml") -> path of the spec written in tmp_path."""
    import yaml

    def write(content, name: str = "spec.yaml") -> Path:
        path = tmp_path / name
        text = content if isinstance(content, str) else yaml.safe_dump(content, allow_unicode=True,
                                                                         sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    return write
