"""Project settings: the `clausegen.toml` found upward from the working directory.

A firm keeps one `clausegen.toml` at the top of its clause repository::

    library = "clauses/"        # the firm's clause library, relative to this file
    language = "zh"             # default language of `clausegen new`
    format = "docx"             # render format when the output file's suffix says nothing

    [check]
    format = "text"             # text | json | sarif | markdown
    lang = "auto"               # auto | zh | en
    author = "Li Wei (Acme LLP)"  # who the tracked changes of `check --redline` are attributed to

    [rules]                     # rule levels: error | warning | info | off
    weak-deadlines = "error"

Options on the command line always win over the file.
"""

from __future__ import annotations

import difflib
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from clausegen.errors import UsageError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

CONFIG_NAME = "clausegen.toml"
LANGUAGES = ("zh", "en", "bilingual")
RENDER_FORMATS = ("docx", "md", "txt", "html")
CHECK_FORMATS = ("text", "json", "sarif", "markdown")
CHECK_LANGS = ("auto", "zh", "en")
LEVELS = ("error", "warning", "info", "off")

# Known keys per table, with the values each accepts (None: any string).
_KEYS = {
    "": {"library": None, "language": LANGUAGES, "format": RENDER_FORMATS,
         "check": dict, "rules": dict},
    "check": {"format": CHECK_FORMATS, "lang": CHECK_LANGS, "author": None},
}


class ConfigError(UsageError):
    """`clausegen.toml` cannot be read or has an unknown key or value (exit 2)."""


@dataclass(frozen=True)
class Config:
    """Settings from one `clausegen.toml` (`path` None: no file was found, all defaults)."""

    path: Path | None = None
    library: Path | None = None
    language: str | None = None
    format: str | None = None
    check_format: str | None = None
    check_lang: str | None = None
    check_author: str | None = None
    rule_levels: dict = field(default_factory=dict)


def find_config(start: Path | str | None = None) -> Path | None:
    """Return the nearest `clausegen.toml` in `start` (default: the working directory) or above."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def _line_of(text: str, key: str) -> int | None:
    match = re.search(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _fail(path: Path, text: str, key: str, message: str, hint: str | None = None) -> ConfigError:
    return ConfigError(message, path=str(path), line=_line_of(text, key.rsplit(".", 1)[-1]), hint=hint)


def _check_table(path: Path, text: str, table: str, data: dict) -> None:
    known = _KEYS[table]
    for key, value in data.items():
        dotted = f"{table}.{key}" if table else key
        if key not in known:
            close = difflib.get_close_matches(key, list(known), n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}"
            raise _fail(path, text, dotted, f"unknown key {dotted!r}", hint)
        allowed = known[key]
        if allowed is dict:
            if not isinstance(value, dict):
                raise _fail(path, text, dotted, f"{dotted!r} must be a table", f"write it as [{key}]")
        elif not isinstance(value, str):
            raise _fail(path, text, dotted, f"{dotted}: {value!r} is not a string")
        elif allowed is not None and value not in allowed:
            raise _fail(path, text, dotted, f"{dotted}: {value!r} is not one of {', '.join(allowed)}")


def load_config(path: Path | str) -> Config:
    """Load the settings in `path`; relative paths in it are relative to its folder.

    Raises ConfigError (exit 2) for unreadable TOML, unknown keys and invalid values.
    """
    path = Path(path).resolve()
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except OSError as exc:
        raise ConfigError(f"cannot read {CONFIG_NAME}: {exc.strerror}", path=str(path)) from None
    except UnicodeDecodeError:
        raise ConfigError(f"{CONFIG_NAME} is not UTF-8 text", path=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+), column (\d+)", str(exc))
        raise ConfigError(f"not valid TOML: {str(exc).split(' (at')[0]}", path=str(path),
                          line=int(match.group(1)) if match else None,
                          col=int(match.group(2)) if match else None) from None
    _check_table(path, text, "", data)
    check = data.get("check", {})
    _check_table(path, text, "check", check)
    levels = data.get("rules", {})
    for rule, level in levels.items():
        if level not in LEVELS:
            raise _fail(path, text, rule, f"rules.{rule}: {level!r} is not one of {', '.join(LEVELS)}")
    library = (path.parent / data["library"]).resolve() if data.get("library") else None
    if library is not None and not library.is_dir():
        raise _fail(path, text, "library", f"library {data['library']!r} is not a folder (looked in {library})",
                    "the path is relative to clausegen.toml; fix it or create the folder")
    return Config(
        path=path,
        library=library,
        language=data.get("language"),
        format=data.get("format"),
        check_format=check.get("format"),
        check_lang=check.get("lang"),
        check_author=check.get("author"),
        rule_levels=dict(levels),
    )


def current_config(start: Path | str | None = None) -> Config:
    """Return the settings of the nearest `clausegen.toml` above `start`, or defaults if none."""
    found = find_config(start)
    return load_config(found) if found else Config()


def apply_config(args, config: Config | None = None) -> Config:
    """Fill the options of parsed `args` that the user left out from `config` (default: found upward).

    Sets `args.library`, the render format (only when the output suffix says nothing), the
    language of `new`, the check format and language, and `args.rule_levels`. Returns the config.
    """
    config = config if config is not None else current_config()
    if getattr(args, "library", None) is None and config.library is not None:
        args.library = config.library
    command = getattr(args, "command", None)
    if command == "render" and args.format is None and config.format:
        if args.output.suffix.lower().lstrip(".") not in RENDER_FORMATS:
            args.format = config.format
    if command == "new" and args.lang is None:
        args.lang = config.language or "zh"
    if command == "check":
        if args.format is None:
            args.format = config.check_format or "text"
        if args.lang is None:
            args.lang = config.check_lang or "auto"
        if getattr(args, "author", None) is None:
            args.author = config.check_author
    args.rule_levels = dict(config.rule_levels)
    return config
