"""clausegen.toml: found upward, validated with file and line, filled into the command line."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from clausegen.cli import build_parser, main
from clausegen.config import Config, ConfigError, apply_config, current_config, find_config, load_config


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_find_config_walks_up_from_a_subfolder(tmp_path):
    cfg = write(tmp_path / "clausegen.toml", 'library = "clauses"\n')
    deep = tmp_path / "specs" / "2026" / "q1"
    deep.mkdir(parents=True)
    assert find_config(deep) == cfg.resolve()


def test_find_config_takes_the_nearest_file(tmp_path):
    write(tmp_path / "clausegen.toml", 'language = "zh"\n')
    inner = write(tmp_path / "team" / "clausegen.toml", 'language = "en"\n')
    assert find_config(tmp_path / "team") == inner.resolve()
    assert current_config(tmp_path / "team").language == "en"


def test_no_config_gives_defaults(tmp_path):
    assert current_config(tmp_path) == Config()


def test_load_config_resolves_library_relative_to_the_file(tmp_path):
    (tmp_path / "repo" / "clauses").mkdir(parents=True)
    cfg = write(tmp_path / "repo" / "clausegen.toml",
                'library = "clauses/"\nlanguage = "en"\nformat = "md"\n'
                '[check]\nformat = "json"\nlang = "zh"\n[rules]\nweak-deadlines = "error"\n')
    config = load_config(cfg)
    assert config.library == (tmp_path / "repo" / "clauses").resolve()
    assert (config.language, config.format, config.check_format, config.check_lang) == ("en", "md", "json", "zh")
    assert config.rule_levels == {"weak-deadlines": "error"}


@pytest.mark.parametrize(("text", "line", "needle"), [
    ('language = "en"\nlibary = "clauses"\n', 2, "did you mean 'library'"),
    ('language = "fr"\n', 1, "'fr' is not one of zh, en, bilingual"),
    ('[check]\nformat = "pdf"\n', 2, "check.format: 'pdf'"),
    ('[rules]\nweak-deadlines = "fatal"\n', 2, "rules.weak-deadlines: 'fatal'"),
    ('library = 3\n', 1, "library: 3 is not a string"),
    ('language = "en"\nlibrary = "nowhere"\n', 2, "library 'nowhere' is not a folder"),
    ('library = "a"\nlibrary = "b"\n', 2, "not valid TOML"),
], ids=["typo-did-you-mean", "bad-language", "bad-check-format", "bad-rule-level", "not-a-string",
                               "missing-library", "duplicate-key"])
def test_load_config_rejects_bad_files_with_the_line(tmp_path, text, line, needle):
    cfg = write(tmp_path / "clausegen.toml", text)
    with pytest.raises(ConfigError) as info:
        load_config(cfg)
    assert info.value.line == line
    assert needle in str(info.value)
    assert info.value.exit_code == 2


def parse(argv):
    return build_parser().parse_args(argv)


def test_apply_config_fills_only_what_the_command_line_left_out(tmp_path):
    config = Config(path=tmp_path / "clausegen.toml", library=tmp_path / "clauses", language="en",
                    format="html", check_format="json", check_lang="zh", rule_levels={"x": "off"})
    args = apply_config_to(["check", "a.docx"], config)
    assert (args.library, args.format, args.lang, args.rule_levels) == (tmp_path / "clauses", "json", "zh", {"x": "off"})
    args = apply_config_to(["check", "a.docx", "--format", "sarif", "--lang", "en", "--library", "mine"], config)
    assert (args.library, args.format, args.lang) == (Path("mine"), "sarif", "en")
    assert apply_config_to(["new"], config).lang == "en"
    assert apply_config_to(["new", "--lang", "zh"], config).lang == "zh"
    # The output suffix decides the render format; the config only fills in when it cannot.
    assert apply_config_to(["render", "s.yaml", "-o", "out.docx"], config).format is None
    assert apply_config_to(["render", "s.yaml", "-o", "out"], config).format == "html"


def test_apply_config_defaults_without_a_file():
    args = apply_config_to(["check", "a.docx"], Config())
    assert (args.library, args.format, args.lang) == (None, "text", "auto")
    assert apply_config_to(["new"], Config()).lang == "zh"


def apply_config_to(argv, config) -> argparse.Namespace:
    args = parse(argv)
    apply_config(args, config)
    return args


def test_cli_reports_a_broken_config_as_a_usage_error(tmp_path, monkeypatch, capsys):
    write(tmp_path / "clausegen.toml", 'libary = "clauses"\n')
    monkeypatch.chdir(tmp_path)
    assert main(["library", "list"]) == 2
    err = capsys.readouterr().err
    assert "clausegen.toml:1: unknown key 'libary'" in err
    assert "hint: did you mean 'library'?" in err
    assert "Traceback" not in err


def test_cli_uses_the_library_named_in_the_config(tmp_path, monkeypatch, capsys):
    (tmp_path / "clauses").mkdir()
    write(tmp_path / "clausegen.toml", 'library = "clauses"\n')
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    assert main(["library", "list", "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert '"id": "clauses"' in out  # the firm folder's name, not the built-in library
