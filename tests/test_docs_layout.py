"""The layout reads as the architecture: README's Development map and docs/architecture.md name
every module and package that is in clausegen/, and nothing that is not."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "clausegen"


def _readme_map() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Development"):]
    return section[section.index("```") + 3:section.index("```", section.index("```") + 3)]


def _modules() -> dict[str, set[str]]:
    """Return {package folder ("" for the top): module names in it}."""
    out: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        folder = path.parent.relative_to(PACKAGE).as_posix()
        if path.stem not in ("__init__", "__main__"):
            out.setdefault("" if folder == "." else folder, set()).add(path.stem)
    return out


def _blocks(text: str) -> dict[str, str]:
    """Return the map's text by package: "" for clausegen/ itself, "check" for "  check/" and its lines."""
    blocks: dict[str, str] = {}
    current = None
    for line in text.splitlines():
        top = re.match(r"^clausegen/", line)
        sub = re.match(r"^  ([a-z_]+)/", line)
        if top or sub:
            current = "" if top else sub.group(1)
        elif re.match(r"^\S", line):
            current = None  # another top-level folder (clause_templates/, tests/, ...)
        if current is not None:
            blocks[current] = blocks.get(current, "") + line + "\n"
    return blocks


def test_readme_map_names_every_module_of_every_package() -> None:
    blocks = _blocks(_readme_map())
    missing = [f"{folder}/{n}" for folder, names in _modules().items() for n in sorted(names)
               if not re.search(rf"\b{n}\b", blocks.get(folder, ""))]
    assert not missing, f"modules the README's Development map does not name: {missing}"


def test_readme_map_names_no_package_that_is_gone() -> None:
    named = set(re.findall(r"^  ([a-z_]+)/", _readme_map(), re.M))
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert named == packages


def test_architecture_walks_through_every_package() -> None:
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert [p for p in sorted(packages) if f"`{p}/" not in text] == []
    for module in ("readers", "engine", "model", "batch", "docx", "sandbox", "load", "starter"):
        assert f"{module}.py" in text, module
