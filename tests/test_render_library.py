"""The built-in clause library: family.yaml against its schema, one template per provision and language."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

from clausegen.errors import LibraryError
from clausegen.library import load_library
from clausegen.render import render


def test_builtin_family_yaml_matches_the_schema(repo_root):
    schema = json.loads((repo_root / "schemas" / "family.schema.json").read_text(encoding="utf-8"))
    data = yaml.safe_load((repo_root / "clause_templates" / "service-interruption" / "family.yaml").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(data)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_provision_has_a_template_in_each_language(lang):
    family = load_library().family()
    assert len(family.provisions) == 10
    for prov in family.provisions:
        assert family.template(prov.id, lang) is not None, f"{lang}/{prov.id}.j2"


@pytest.mark.parametrize("bad, message", [
    ("version: one", "version"),
    ("languages: [zh, fr]", "languages"),
], ids=["version", "language"])
def test_a_family_yaml_that_breaks_the_schema_is_a_library_error_with_its_line(tmp_path, repo_root, bad, message,
                                                                                starter):
    text = (repo_root / "clause_templates" / "service-interruption" / "family.yaml").read_text("utf-8")
    key = bad.split(":")[0]
    lines = [bad if line.startswith(f"{key}:") else line for line in text.splitlines()]
    folder = tmp_path / "firm" / "service-interruption"
    folder.mkdir(parents=True)
    (folder / "family.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(LibraryError) as err:
        render(starter("en"), library=tmp_path / "firm")
    assert message in str(err.value) and err.value.path.endswith("family.yaml")
    assert err.value.line == next(i for i, line in enumerate(lines, 1) if line.startswith(f"{key}:"))


def test_a_firm_template_overrides_one_provision_and_inherits_the_rest(tmp_path, starter):
    folder = tmp_path / "firm" / "service-interruption" / "en"
    folder.mkdir(parents=True)
    (folder / "training.j2").write_text("- Our house training wording for the {{ provider }}.\n", encoding="utf-8")
    doc = render(starter("en"), library=tmp_path / "firm")
    clauses = {c.id: c for c in doc.parts[0].clauses}
    assert clauses["training"].paragraphs[0].text.startswith("Our house training wording for the ")
    assert "Interruption" in clauses["definition"].paragraphs[0].text
    assert doc.meta["library"] == "firm"
