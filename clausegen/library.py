"""Find and load clause libraries: the built-in one and a firm's folder that overrides parts of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from clausegen.errors import LibraryError
from clausegen.resources import builtin_library_dir

DEFAULT_FAMILY = "service-interruption"


@dataclass(frozen=True)
class Provision:
    """One provision of a family: id, whether required, titles by language, drafting order."""

    id: str
    required: bool
    title: dict
    order: int


@dataclass(frozen=True)
class Family:
    """A clause family: metadata from family.yaml and the folders it is layered from.

    `layers` lists folders from most to least specific: a firm's family folder first, then the
    built-in one. A file is taken from the first layer that has it.
    """

    id: str
    version: str
    title: dict
    languages: tuple[str, ...]
    provisions: tuple[Provision, ...]
    layers: tuple[Path, ...]
    spec_schema: str = "spec.schema.json"
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def required(self) -> tuple[Provision, ...]:
        return tuple(p for p in self.provisions if p.required)

    def provision(self, pid: str) -> Provision:
        for p in self.provisions:
            if p.id == pid:
                return p
        raise KeyError(pid)

    def find(self, relpath: str) -> Path | None:
        """Return the file `relpath` (e.g. "zh/definition.j2") from the first layer that has it."""
        for layer in self.layers:
            candidate = layer / relpath
            if candidate.is_file():
                return candidate
        return None

    def files(self, subdir: str, pattern: str) -> dict[str, Path]:
        """Return {name: path} for files matching `pattern` in `subdir`, firm layers winning."""
        found: dict[str, Path] = {}
        for layer in reversed(self.layers):
            folder = layer / subdir
            if folder.is_dir():
                for path in sorted(folder.glob(pattern)):
                    found[path.name] = path
        return dict(sorted(found.items()))

    def template(self, provision: str, lang: str) -> Path | None:
        """Return the template file for `provision` in `lang`, or None if the library has none."""
        return self.find(f"{lang}/{provision}.j2")

    def rule_files(self) -> dict[str, Path]:
        """Return {rule id: path} for every rule file of the family (id from the file name)."""
        return {Path(name).stem: path for name, path in self.files("rules", "*.yml").items()}


@dataclass(frozen=True)
class Library:
    """A clause library: its families by id, and the firm folder it came from (None = built-in)."""

    families: dict
    root: Path | None = None

    def family(self, fid: str = DEFAULT_FAMILY) -> Family:
        try:
            return self.families[fid]
        except KeyError:
            known = ", ".join(sorted(self.families)) or "none"
            raise LibraryError(f"no clause family {fid!r} in the library (known: {known})") from None


def _read_family_yaml(path: Path) -> dict:
    from clausegen.yamlsource import load_yaml_file

    data = load_yaml_file(path).data
    if not isinstance(data, dict):
        raise LibraryError("family.yaml must be a mapping", path=str(path))
    return data


def _merge_family(fid: str, layers: list[Path]) -> Family:
    # Metadata: the most specific family.yaml that exists wins as a whole (a firm that
    # overrides family.yaml restates it); files are inherited layer by layer.
    meta_path = next((layer / "family.yaml" for layer in layers if (layer / "family.yaml").is_file()), None)
    if meta_path is None:
        raise LibraryError(f"clause family {fid!r} has no family.yaml", path=str(layers[0]))
    raw = _read_family_yaml(meta_path)
    try:
        provisions = tuple(
            Provision(id=p["id"], required=bool(p.get("required", False)), title=dict(p.get("title", {})), order=i)
            for i, p in enumerate(raw["provisions"])
        )
        return Family(
            id=raw.get("id", fid),
            version=str(raw["version"]),
            title=dict(raw.get("title", {})),
            languages=tuple(raw.get("languages", ("zh", "en"))),
            provisions=provisions,
            layers=tuple(layers),
            spec_schema=raw.get("spec_schema", "spec.schema.json"),
            raw=raw,
        )
    except (KeyError, TypeError) as exc:
        raise LibraryError(f"family.yaml is missing or has a malformed key: {exc}", path=str(meta_path),
                           hint="see clause_templates/service-interruption/family.yaml for the shape") from None


@lru_cache(maxsize=16)
def _load(root: Path | None) -> Library:
    builtin = builtin_library_dir()
    ids: dict[str, list[Path]] = {}
    for folder in sorted(p for p in builtin.iterdir() if p.is_dir()):
        ids.setdefault(folder.name, []).append(folder)
    if root is not None:
        if not root.is_dir():
            raise LibraryError(f"library folder {str(root)!r} does not exist or is not a folder",
                               path=str(root), hint="pass --library DIR with a folder of clause families")
        for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
            ids.setdefault(folder.name, []).insert(0, folder)
    return Library(families={fid: _merge_family(fid, layers) for fid, layers in ids.items()}, root=root)


def load_library(root: Path | str | None = None) -> Library:
    """Load the built-in library, overlaid by the firm library at `root` if given.

    Raises LibraryError if `root` is not a folder or a family.yaml is malformed.
    """
    return _load(Path(root).resolve() if root is not None else None)
