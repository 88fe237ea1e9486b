"""Hostile and broken specs: every one gets a located message and exit 1 or 2, never a traceback.

Each case runs the real command line in a subprocess (`validate`, then `render -o`) with a
timeout, and checks the exit code, that the message names the file and the problem, and that
`render` leaves no output (nor a temporary file) behind.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cli_process import run_cli

REPO = Path(__file__).resolve().parent.parent
SAMPLE_EN = REPO / "samples" / "sla-en.yaml"




def billion_laughs() -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]")
    return "\n".join(lines) + "\n"


def sample_with(old: str, new: str) -> str:
    text = SAMPLE_EN.read_text(encoding="utf-8")
    assert old in text, old
    return text.replace(old, new, 1)


# (id, file content (str or bytes), expected exit code, words the message must contain).
# Exit 2: the file cannot be read as a spec text within the limits (not UTF-8, control
# characters, too many values or levels); exit 1: it was read, and its content is wrong.
CASES = [
    ("empty", "", 1, ["the file is empty"]),
    ("only-comments", "# nothing here\n\n# still nothing\n", 1, ["the file is empty"]),
    ("binary-garbage", bytes(range(256)) * 8, 2, ["not valid UTF-8"]),
    ("nul-bytes", b"language: en\x00\x00\x00\n", 2, ["not allowed in YAML"]),
    ("list-not-mapping", "- language: en\n- parties: {}\n", 1, ["top level is a list", "not a mapping"]),
    ("scalar-not-mapping", "just some words\n", 1, ["not a mapping"]),
    ("tabs", "language: en\nparties:\n\tprovider: Acme\n", 1, [":3:", "tab"]),
    ("duplicate-top", "language: en\nlanguage: zh\n", 1, [":2:1:", "duplicate key 'language'"]),
    ("duplicate-deep", "language: en\nstandards:\n  service_credits:\n    tiers:\n      - {below: 99, below: 98}\n",
     1, [":5:", "duplicate key 'below'"]),
    ("python-object", "language: !!python/object/apply:os.system ['echo PWNED > pwned.txt']\n", 1,
     [":1:", "!!python/object/apply:os.system", "not allowed"]),
    ("python-name", "x: !!python/name:os.system\n", 1, ["!!python/name:os.system", "not allowed"]),
    ("custom-tag", "x: !include /etc/passwd\n", 1, ["!include", "not allowed"]),
    ("billion-laughs", billion_laughs(), 2, ["more than 100000 values"]),
    ("deep-block-nesting", "language: en\nx:\n" + "- " * 10_000 + "x\n", 2, ["nested too deeply"]),
    ("deep-flow-nesting", "a: " + "[" * 10_000 + "]" * 10_000 + "\n", 2, ["nested too deeply"]),
    ("deep-flow-mappings", "a: " + "{a: " * 10_000 + "1" + "}" * 10_000 + "\n", 2, ["nested too deeply"]),
    ("invalid-utf8", "language: en\nnotes: ".encode() + "服务中断".encode("gbk") + b"\n", 2,
     [":2:", "not valid UTF-8", "UTF-8"]),
    ("two-documents", "language: en\n---\nlanguage: zh\n", 1, ["more than one YAML document"]),
    ("percent-string", sample_with("availability_target: 99.9 ", 'availability_target: "99.9%" '), 1,
     ["service.availability_target", "'99.9%' is not a number"]),
    ("percent-in-tier", sample_with("credit_percent: 10}", 'credit_percent: "10%"}'), 1,
     ["credit_percent", "'10%' is not a number"]),
]


def _write(path: Path, content) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _assert_clean_failure(proc, text: str, code: int, words: list[str], name: str) -> None:
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "internal error" not in text
    assert name in text, text
    for word in words:
        assert word in text, (word, text)


@pytest.mark.parametrize("case_id, content, code, words", CASES, ids=[c[0] for c in CASES])
def test_validate_refuses_hostile_spec_cleanly(tmp_path, case_id, content, code, words):
    spec = _write(tmp_path / f"{case_id}.yaml", content)
    proc = run_cli("validate", spec.name, cwd=tmp_path)
    _assert_clean_failure(proc, proc.stdout + proc.stderr, code, words, spec.name)
    assert proc.elapsed < 30
    assert not (tmp_path / "pwned.txt").exists()


@pytest.mark.parametrize("case_id, content, code, words", CASES, ids=[c[0] for c in CASES])
def test_render_refuses_hostile_spec_and_writes_nothing(tmp_path, case_id, content, code, words):
    spec = _write(tmp_path / f"{case_id}.yaml", content)
    proc = run_cli("render", spec.name, "-o", "out.docx", cwd=tmp_path)
    _assert_clean_failure(proc, proc.stderr, code, words, spec.name)
    assert proc.elapsed < 30
    assert sorted(p.name for p in tmp_path.iterdir()) == [spec.name], "render left a file behind"


def test_fifty_megabyte_spec_is_refused_by_size_before_parsing(tmp_path):
    spec = tmp_path / "huge.yaml"
    with spec.open("wb") as fh:  # sparse: 50 MB on paper, nothing to read if the size check works
        fh.write(b"language: en\n")
        fh.truncate(50 * 1024 * 1024)
    for args in (["validate", spec.name], ["render", spec.name, "-o", "out.docx"]):
        proc = run_cli(*args, cwd=tmp_path)
        text = proc.stdout + proc.stderr
        assert proc.returncode == 2, text
        assert "huge.yaml" in text and "52428800 bytes" in text and "limited to" in text
        assert "CLAUSEGEN_MAX_SPEC_BYTES" in text  # the message says how to raise the limit
        assert proc.elapsed < 20
    assert not (tmp_path / "out.docx").exists()


def test_spec_size_limit_can_be_lowered_on_the_command_line(tmp_path):
    spec = tmp_path / "spec.yaml"
    spec.write_bytes(SAMPLE_EN.read_bytes())
    proc = run_cli("validate", "spec.yaml", "--limit", "spec_bytes=1KB", cwd=tmp_path)
    assert proc.returncode == 2
    assert "limited to 1024 bytes" in proc.stdout


def test_alias_limit_can_be_raised(tmp_path):
    spec = tmp_path / "aliases.yaml"
    spec.write_text("a: &a x\n" + "".join(f"k{i}: *a\n" for i in range(50)), encoding="utf-8")
    low = run_cli("validate", spec.name, "--limit", "yaml_aliases=10", cwd=tmp_path)
    assert low.returncode == 2 and "more than 10 aliases" in low.stdout
    high = run_cli("validate", spec.name, cwd=tmp_path)  # 50 aliases pass the default limit...
    assert "more than" not in high.stdout  # ...and the spec is then merely invalid (unknown keys)
    assert high.returncode == 1


def test_bom_is_accepted_and_renders_like_the_plain_file(tmp_path):
    spec = tmp_path / "bom.yaml"
    spec.write_bytes(b"\xef\xbb\xbf" + SAMPLE_EN.read_bytes())
    assert run_cli("validate", spec.name, cwd=tmp_path).returncode == 0
    proc = run_cli("render", spec.name, "-o", "out.md", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    plain = run_cli("render", str(SAMPLE_EN), "-o", "plain.md", cwd=tmp_path)
    assert plain.returncode == 0
    assert (tmp_path / "out.md").read_bytes() == (tmp_path / "plain.md").read_bytes()


def test_spec_that_is_a_folder_or_missing_is_exit_2(tmp_path):
    (tmp_path / "folder.yaml").mkdir()
    for name, words in (("folder.yaml", "is a folder"), ("missing.yaml", "no such file")):
        proc = run_cli("validate", name, cwd=tmp_path)
        assert proc.returncode == 2
        assert name in proc.stdout and words in proc.stdout
        proc = run_cli("render", name, "-o", "out.docx", cwd=tmp_path)
        assert proc.returncode == 2 and name in proc.stderr and words in proc.stderr
        assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out.docx").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_spec_without_read_permission_is_exit_2(tmp_path):
    spec = tmp_path / "secret.yaml"
    spec.write_bytes(SAMPLE_EN.read_bytes())
    spec.chmod(0)
    proc = run_cli("validate", spec.name, cwd=tmp_path)
    assert proc.returncode == 2 and "secret.yaml" in proc.stdout and "cannot read" in proc.stdout


def test_unreadable_spec_in_process_is_a_spec_error(tmp_path, monkeypatch):
    """Without read permission (simulated, since tests may run as root) the loader says so."""
    from clausegen.errors import SpecError
    from clausegen.yamlsource import load_yaml_file

    spec = tmp_path / "secret.yaml"
    spec.write_bytes(SAMPLE_EN.read_bytes())
    real_open = Path.open

    def deny(self, *args, **kwargs):
        if self.name == "secret.yaml":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", deny)
    with pytest.raises(SpecError, match="cannot read the file: Permission denied") as info:
        load_yaml_file(spec)
    assert info.value.path.endswith("secret.yaml")


def test_devices_and_pipes_named_like_specs_are_refused(tmp_path):
    os.symlink("/dev/zero", tmp_path / "zero.yaml")
    os.mkfifo(tmp_path / "pipe.yaml")
    for name in ("zero.yaml", "pipe.yaml"):
        proc = run_cli("validate", name, cwd=tmp_path, timeout=30)
        assert proc.returncode == 2, proc.stdout
        assert f"{name}: not a regular file" in proc.stdout


def test_absurdly_large_numbers_render_instead_of_crashing(starter):
    """Found by fuzzing: 1e16 hours of notice passed validation and crashed the Chinese numerals."""
    from clausegen import render, spec

    data = starter("zh")
    data["definition"]["maintenance"]["notice"] = {"value": 1e16, "unit": "hours"}
    assert not [p for p in spec.validate(data) if p.severity == "error"]
    text = render.write(render.render(data), "txt").decode("utf-8")
    assert "10,000,000,000,000,000" in text


# ---------------------------------------------------------------- characters a reader cannot see


@pytest.mark.parametrize("char, name", [("\u200b", "ZERO WIDTH SPACE"), ("\u200d", "ZERO WIDTH JOINER"),
                                        ("\u00ad", "SOFT HYPHEN"), ("\ufeff", "ZERO WIDTH NO-BREAK SPACE")],
                         ids=["zwsp", "zwj", "soft-hyphen", "bom"])
def test_invisible_characters_are_named_and_left_out_of_the_document(tmp_path, char, name):
    import docx

    spec = (REPO / "samples" / "sla-en.yaml").read_text(encoding="utf-8")
    spec = spec.replace("Northwind Cloud Services Ltd.", f"Northwind{char} Cloud Services Ltd.")
    (tmp_path / "spec.yaml").write_text(spec, encoding="utf-8")
    proc = run_cli("validate", "spec.yaml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout  # a warning: the spec is still valid
    code_point = f"U+{ord(char):04X} ({name})"
    assert f"warning: parties.provider.name: contains the invisible character(s) {code_point}" in proc.stdout
    assert "spec.yaml:" in proc.stdout and "left out of the rendered clauses" in proc.stdout
    proc = run_cli("render", "spec.yaml", "-o", "out.docx", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    document = docx.Document(str(tmp_path / "out.docx"))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    assert "Northwind Cloud Services Ltd." in text and char not in text


@pytest.mark.parametrize("char", ["\u202e", "\u2066"], ids=["rlo", "lri"])
def test_bidirectional_controls_are_refused(tmp_path, char):
    spec = (REPO / "samples" / "sla-en.yaml").read_text(encoding="utf-8")
    spec = spec.replace("Fabrikam Logistics GmbH", f"Fabrikam {char}HbmG scitsigoL")
    (tmp_path / "spec.yaml").write_text(spec, encoding="utf-8")
    proc = run_cli("validate", "spec.yaml", cwd=tmp_path)
    assert proc.returncode == 1
    assert f"parties.customer.name: contains the bidirectional control character(s) U+{ord(char):04X}" in proc.stdout
    proc = run_cli("render", "spec.yaml", "-o", "out.docx", cwd=tmp_path)
    assert proc.returncode == 1 and not (tmp_path / "out.docx").exists()


def test_invisible_characters_in_the_web_form_are_reported_too():
    from clausegen.spec import starter_data, validate

    data = starter_data("en")
    data["parties"]["provider"]["name"] = "Acme\u200b Ltd"
    (problem,) = [p for p in validate(data, file="form") if p.code == "invisible-text"]
    assert problem.severity == "warning" and problem.pointer == "parties.provider.name" and "U+200B" in problem.message
