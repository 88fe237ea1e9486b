"""Find and load clause libraries: the built-in one and a firm's folder that overrides parts of it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from clausegen.errors import LibraryError
from clausegen.resources import builtin_library_dir

DEFAULT_FAMILY = "service-interruption"
BUILTIN_ID = "clausegen-builtin"
POSITIONS = ("preferred", "fallback")


@dataclass(frozen=True)
class Provision:
    """One provision of a family: id, whether required, titles by language, drafting order.

    `positions` lists the alternative wordings the library offers (``preferred`` always first);
    ``en/deadlines.fallback.j2`` is the fallback wording of ``en/deadlines.j2``.
    """

    id: str
    required: bool
    title: dict
    order: int
    positions: tuple[str, ...] = ("preferred",)


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
    library_id: str = BUILTIN_ID
    meta_path: Path | None = None

    @property
    def required(self) -> tuple[Provision, ...]:
        return tuple(p for p in self.provisions if p.required)

    def provision(self, pid: str) -> Provision:
        for p in self.provisions:
            if p.id == pid:
                return p
        raise KeyError(pid)

    def find(self, relpath: str) -> Path | None:
        """Return the file `relpath` (e.g. "zh/definition.j2") from the first layer that has it.

        Raises LibraryError if that file is a link that leads outside its layer.
        """
        for layer in self.layers:
            candidate = layer / relpath
            if candidate.is_file():
                return inside_library(candidate, layer)
        return None

    def files(self, subdir: str, pattern: str) -> dict[str, Path]:
        """Return {name: path} for files matching `pattern` in `subdir`, firm layers winning.

        Raises LibraryError if one of them is a link that leads outside its layer.
        """
        found: dict[str, Path] = {}
        for layer in reversed(self.layers):
            folder = layer / subdir
            if folder.is_dir():
                for path in sorted(folder.glob(pattern)):
                    found[path.name] = inside_library(path, layer)
        return dict(sorted(found.items()))

    def template(self, provision: str, lang: str, position: str = "preferred") -> Path | None:
        """Return the template file for `provision` in `lang`, or None if the library has none.

        `position` other than "preferred" picks ``{lang}/{provision}.{position}.j2`` when the
        library has it, and the preferred wording otherwise.
        """
        if position and position != "preferred":
            alternative = self.find(f"{lang}/{provision}.{position}.j2")
            if alternative is not None:
                return alternative
        return self.find(f"{lang}/{provision}.j2")

    def is_builtin(self, path: Path) -> bool:
        """Return whether `path` comes from the built-in library rather than a firm's folder."""
        return is_builtin_path(path)

    def origin(self, path: Path) -> str:
        """Return "built-in" or the firm's path of `path`, for `library list`."""
        return "built-in" if self.is_builtin(path) else str(path)

    def relpath(self, path: Path) -> str:
        """Return `path` relative to the family layer it sits in (e.g. "en/deadlines.j2")."""
        path = Path(path).resolve()
        for layer in self.layers:
            if path.is_relative_to(layer.resolve()):
                return path.relative_to(layer.resolve()).as_posix()
        return path.name

    def provenance(self, lang: str, position: str = "preferred") -> dict:
        """Return what produced a document in `lang`: library id, family id and version, and a
        sha256 prefix per template used (keyed by its path relative to the family).
        """
        langs = ("zh", "en") if lang == "bilingual" else (lang,)
        templates = {}
        for code in langs:
            for p in self.provisions:
                path = self.template(p.id, code, position)
                if path is not None:
                    templates[self.relpath(path)] = fingerprint(path)
            # Shared parts (preamble, defined terms, macros) shape the wording too.
            for name, path in self.files(code, "_*.j2").items():
                templates[f"{code}/{name}"] = fingerprint(path)
        return {"library": self.library_id, "family": self.id, "family_version": self.version,
                "templates": templates}

    def rule_files(self) -> dict[str, Path]:
        """Return {rule id: path} for every rule file of the family (id from the file name)."""
        return {Path(name).stem: path for name, path in self.files("rules", "*.yml").items()}


@dataclass(frozen=True)
class Library:
    """A clause library: its families by id, and the firm folder it came from (None = built-in)."""

    families: dict
    root: Path | None = None
    id: str = BUILTIN_ID

    def family(self, fid: str = DEFAULT_FAMILY) -> Family:
        try:
            return self.families[fid]
        except KeyError:
            known = ", ".join(sorted(self.families)) or "none"
            raise LibraryError(f"no clause family {fid!r} in the library (known: {known})") from None


def inside_library(path: Path, folder: Path) -> Path:
    """Return `path` when it resolves (links followed) to a place inside `folder`, a library folder.

    A link in a firm's library to a file elsewhere (``en/_terms.j2 -> /proc/self/environ``) would
    copy that file into contracts and into error messages. Raises LibraryError naming `path`.
    """
    real = Path(path).resolve()
    if not real.is_relative_to(Path(folder).resolve()):
        raise LibraryError(f"this library file is a link to {str(real)!r}, outside the clause library; "
                           "clausegen reads nothing outside the library", path=str(path),
                           hint="replace the link by a copy of the file inside the library folder")
    return Path(path)


def is_builtin_path(path: Path) -> bool:
    """Return whether `path` is a file of the built-in library (shipped and validated in CI)."""
    return Path(path).resolve().is_relative_to(builtin_library_dir().resolve())


def _read_family_yaml(path: Path) -> dict:
    from clausegen.yamlsource import load_yaml_file

    doc = load_yaml_file(path)
    data = doc.data
    if not isinstance(data, dict):
        raise LibraryError("family.yaml must be a mapping", path=str(path))
    if not is_builtin_path(path):  # the built-in family.yaml is validated in CI, not on every load
        _validate_family(data, doc, path)
    return data


def _validate_family(data: dict, doc, path: Path) -> None:
    # family.yaml is checked against schemas/family.schema.json on load: a broken family
    # stops rendering and checking with the first problem's place (`library check` lists all).
    import jsonschema

    from clausegen.resources import load_schema

    try:
        schema = load_schema("family.schema.json")
    except FileNotFoundError:
        return
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data),
                    key=lambda e: [str(k) for k in e.absolute_path])
    if errors:
        err = errors[0]
        keys = tuple(err.absolute_path)
        where = doc.mark(keys) or (None, None)
        pointer = ".".join(str(k) if isinstance(k, str) else f"[{k}]" for k in keys).replace(".[", "[")
        more = f" ({len(errors) - 1} more; run `clausegen library check`)" if len(errors) > 1 else ""
        raise LibraryError(f"{pointer or 'family.yaml'}: {err.message}{more}", path=str(path),
                           line=where[0], col=where[1],
                           hint="see schemas/family.schema.json for the shape of family.yaml")


def fingerprint(path: Path) -> str:
    """Return the first 12 hex digits of the sha256 of the file at `path` (its template version)."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def _library_id(root: Path | None) -> str:
    # A firm names its library in library.yaml (`id: acme-clauses`); else the folder name.
    if root is None:
        return BUILTIN_ID
    meta = root / "library.yaml"
    if meta.is_file():
        inside_library(meta, root)
        from clausegen.yamlsource import load_yaml_file

        data = load_yaml_file(meta).data
        if isinstance(data, dict) and isinstance(data.get("id"), str):
            return data["id"]
    return root.name


def _positions(entry: dict) -> tuple[str, ...]:
    listed = entry.get("positions") or ["preferred"]
    if not isinstance(listed, list) or not all(isinstance(x, str) for x in listed):
        raise TypeError("positions must be a list of names")
    return ("preferred", *[x for x in listed if x != "preferred"])


def _merge_family(fid: str, layers: list[Path], library_id: str = BUILTIN_ID) -> Family:
    # Metadata: the most specific family.yaml that exists wins as a whole (a firm that
    # overrides family.yaml restates it); files are inherited layer by layer.
    layer = next((layer for layer in layers if (layer / "family.yaml").is_file()), None)
    if layer is None:
        raise LibraryError(f"clause family {fid!r} has no family.yaml", path=str(layers[0]))
    meta_path = inside_library(layer / "family.yaml", layer)
    raw = _read_family_yaml(meta_path)
    try:
        provisions = tuple(
            Provision(id=p["id"], required=bool(p.get("required", False)), title=dict(p.get("title", {})),
                      order=i, positions=_positions(p))
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
            library_id=library_id,
            meta_path=meta_path,
        )
    except (KeyError, TypeError) as exc:
        raise LibraryError(f"family.yaml is missing or has a malformed key: {exc}", path=str(meta_path),
                           hint="see clause_templates/service-interruption/family.yaml for the shape") from None


def _stamp(root: Path | None) -> tuple:
    # Metadata files' modification times: an edited family.yaml is reloaded, not served stale
    # from the cache (templates and rule files are read from disk on every use anyway).
    folders = [builtin_library_dir()] + ([root] if root is not None and root.is_dir() else [])
    stamp = []
    for folder in folders:
        for meta in [folder / "library.yaml", *sorted(folder.glob("*/family.yaml"))]:
            try:
                stamp.append((str(meta), meta.stat().st_mtime_ns, meta.stat().st_size))
            except OSError:
                pass
    return tuple(stamp)


@lru_cache(maxsize=16)
def _load(root: Path | None, stamp: tuple = ()) -> Library:
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
    lib_id = _library_id(root)
    return Library(families={fid: _merge_family(fid, layers, lib_id) for fid, layers in ids.items()},
                   root=root, id=lib_id)


def load_library(root: Path | str | None = None) -> Library:
    """Load the built-in library, overlaid by the firm library at `root` if given.

    Raises LibraryError if `root` is not a folder or a family.yaml is malformed.
    """
    root = Path(root).resolve() if root is not None else None
    return _load(root, _stamp(root))


_CUSTOM_PREFIX = "clausegen."


def read_provenance(path: Path | str) -> dict | None:
    """Return what produced the .docx at `path` (from its custom properties), or None.

    The result has the keys `library`, `family`, `family_version`, `position` and `templates`
    ({template path: sha256 prefix}), as the renderer writes them; None for a document that
    clausegen did not generate, or for a file that is not a readable .docx.
    """
    import zipfile
    from xml.etree import ElementTree

    try:
        with zipfile.ZipFile(path) as archive:
            blob = archive.read("docProps/custom.xml")
        root = ElementTree.fromstring(blob)
    except (OSError, KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return None
    props = {}
    for prop in root:
        name = prop.get("name", "")
        if name.startswith(_CUSTOM_PREFIX) and len(prop):
            props[name[len(_CUSTOM_PREFIX):]] = prop[0].text or ""
    if not props.get("library") and not props.get("family"):
        return None
    templates = {k[len("template."):]: v for k, v in props.items() if k.startswith("template.")}
    found = {k: v for k, v in props.items() if not k.startswith("template.") and k != "spec_sha256"}
    return {**found, "templates": templates}
