"""Errors: the ways clausegen can fail to do its job (findings in a contract are not errors)."""

from __future__ import annotations


class ClausegenError(Exception):
    """An error a user can act on: where, what, and how to fix it.

    Rendered as ``error: PATH:LINE:COL: MESSAGE`` followed by ``hint: HINT``.
    `exit_code` is what the command line exits with (2 unless a subclass says otherwise).
    """

    exit_code = 2

    def __init__(
        self,
        message: str,
        path: str | None = None,
        line: int | None = None,
        col: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.col = col
        self.hint = hint

    def location(self) -> str:
        """Return ``path:line:col`` (as much of it as is known), or an empty string."""
        parts = [str(p) for p in (self.path, self.line, self.col) if p is not None]
        return ":".join(parts)

    def __str__(self) -> str:
        where = self.location()
        text = f"{where}: {self.message}" if where else self.message
        if self.hint:
            text += f"\nhint: {self.hint}"
        return text


class UsageError(ClausegenError):
    """The command line was used wrongly (bad option combination, output equals input…)."""


class InputError(ClausegenError):
    """An input file is missing, unreadable, too large or not of the expected kind."""


class SpecError(ClausegenError):
    """A YAML file (a spec, a rule, a playbook) cannot be read: missing, a folder, not UTF-8,
    beyond the size, alias or nesting limits. `MalformedYaml` is the subclass for a file that
    was read but whose content is not usable YAML."""


class MalformedYaml(SpecError):
    """A YAML file was read but is not usable: not YAML, empty, not a mapping, duplicate keys,
    unsafe tags. For a spec this is an invalid spec (exit 1, see `clausegen.spec`); for a rule
    file or a playbook it stays an unusable input (exit 2)."""


class LibraryError(ClausegenError):
    """The clause library is unusable: a template or rule file is broken."""


class InvalidSpec(ClausegenError):
    """A spec loaded but failed validation; `problems` lists every problem found."""

    exit_code = 1

    def __init__(self, problems: list, path: str | None = None) -> None:
        super().__init__(f"{len(problems)} problem(s) in the spec", path=path)
        self.problems = problems


from dataclasses import dataclass  # noqa: E402  (kept beside the type it serves)


@dataclass(frozen=True)
class Problem:
    """One problem found in a spec or a library file: where, what, and how to fix it.

    `pointer` is the dotted path inside the document (``standards.tiers[1].credit_percent``);
    `line` and `col` are 1-based. Rendered as ``file:line:col: pointer: message``.
    """

    file: str
    line: int | None
    col: int | None
    pointer: str
    message: str
    hint: str | None = None
    severity: str = "error"  # error | warning
    code: str = ""  # stable id of the check, e.g. "schema", "tiers-sorted"

    def format(self) -> str:
        """Return the one-line form, plus an indented ``hint:`` line when a fix is known."""
        where = ":".join(str(x) for x in (self.file, self.line, self.col) if x is not None)
        head = f"{where}: " if where else ""
        what = f"{self.pointer}: {self.message}" if self.pointer else self.message
        level = "" if self.severity == "error" else f"{self.severity}: "
        text = f"{head}{level}{what}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text
