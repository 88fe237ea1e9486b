"""Where the tests find what lives outside the repository: ../shared (dev corpus, seed, SARIF schema).

This is the one place that computes those paths. A missing file skips the test on a developer's
machine and fails it under CI=true, where .ci/run provides everything (`require`).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def in_ci() -> bool:
    """Return True when running under CI (CI=true/1/yes), where nothing a test needs may be missing."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(condition: bool, what: str) -> None:
    """Skip when `what` is missing on a developer's machine; fail under CI=true, where it must be there."""
    if condition:
        return
    if in_ci():
        pytest.fail(f"{what} is missing, and CI must have it (.ci/run installs or provides it)")
    pytest.skip(f"{what} is missing")


def corpus_root() -> Path:
    """Return the dev corpus folder ($CLAUSEGEN_CORPUS, else ../shared/corpus/dev), as the product finds it."""
    from clausegen.check.corpus import default_corpus_dir

    return default_corpus_dir()


def corpus_file(*parts: str) -> Path:
    """Return the dev-corpus file at `parts` (e.g. "docx", "x.docx"); skip/fail (see `require`) if absent."""
    path = corpus_root().joinpath(*parts)
    require(path.exists(), f"the dev corpus file {path}")
    return path


def shared_file(*parts: str) -> Path:
    """Return the file of ../shared at `parts` (e.g. "seed", "x.txt"); skip/fail (see `require`) if absent."""
    path = REPO.parent.joinpath("shared", *parts)
    require(path.exists(), f"the shared file {path}")
    return path


def require_module(name: str):
    """Return the imported module `name` (an optional extra such as fastapi or playwright).

    At a test module's top: skip the whole module on a developer's machine without it, fail under CI=true.
    """
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError:
        if in_ci():
            pytest.fail(f"the Python package {name} is missing, and CI must have it (pyproject's test/web extras)",
                        pytrace=False)
        pytest.skip(f"the Python package {name} is missing", allow_module_level=True)
