"""Every value of every sample spec reaches the wording: change it, and the rendered text changes."""

from __future__ import annotations

import copy
import re

import pytest

from clausegen.errors import ClausegenError
from clausegen.render import render
from clausegen.render.text import write_text
from clausegen.spec import load_spec

# Keys that choose the family, language and wording variant rather than being worded themselves.
META = {"clausegen", "family", "language", "position"}
# For coded values, another valid code (a nonsense code would fall into a default branch).
ALTERNATIVE = {
    "forfeited": "at_provider_discretion", "credit": "payment", "payment": "credit", "customer_choice": "credit",
    "next_invoice": "within_deadline", "within_deadline": "next_invoice", "end_of_period": "incident",
    "restoration": "incident", "incident": "end_of_period", "arbitration": "court", "court": "arbitration",
    "terminate": "terminate_and_refund", "terminate_and_refund": "terminate",
    "monthly_fee": "affected_service_fee", "affected_service_fee": "monthly_fee",
    "provider_monitoring": "joint_records", "joint_records": "provider_monitoring",
    "third_party_monitoring": "joint_records", "month": "quarter", "quarter": "year", "year": "month",
    "provider": "customer", "customer": "provider", "joint": "provider", "third_party": "provider",
    "pro_rata": "full", "full": "not_counted", "not_counted": "full", "started_hour": "full_hour",
    "full_hour": "started_hour", "event_duration": {"value": 5, "unit": "days"},
}


def _leaves(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, path + (key,))
    elif isinstance(node, list) and node and all(isinstance(x, str) for x in node):
        for i in range(len(node)):
            yield path + (i,), _DROP  # a list of codes: dropping one must change the text
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _leaves(value, path + (i,))
    else:
        yield path, node


_DROP = object()


def _variants(value):
    if value is _DROP:
        return [_DROP]
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, (int, float)):
        return [value + 1]
    if isinstance(value, str):
        return ([ALTERNATIVE[value]] if value in ALTERNATIVE else []) + [f"{value} (changed)"]
    return []


def _set(data, path, value):
    for key in path[:-1]:
        data = data[key]
    if value is _DROP:
        del data[path[-1]]
    else:
        data[path[-1]] = value


def _text(data) -> str:
    try:
        return write_text(render(data)).decode()
    except ClausegenError as exc:  # a value the wording depends on so much that rendering refuses a change
        return f"error: {type(exc).__name__}"  # a crash (any other exception) fails the test


@pytest.mark.parametrize("sample", ["zh", "en", "bilingual"])
def test_every_value_of_the_sample_reaches_the_wording(samples_dir, sample):
    data = load_spec(samples_dir / f"sla-{sample}.yaml").data
    base = _text(data)
    unreached = []
    for path, value in _leaves(data):
        if path[0] in META or value is None:
            continue
        for variant in _variants(value):
            changed = copy.deepcopy(data)
            _set(changed, path, variant)
            if _text(changed) != base:
                break
        else:
            unreached.append(".".join(map(str, path)))
    assert not unreached, f"values that do not change the wording: {unreached}"


@pytest.mark.parametrize("sample, fmt", [("zh", "docx"), ("en", "docx"), ("bilingual", "docx"), ("zh", "txt"),
                                         ("en", "md")])
def test_our_checker_finds_every_required_provision_in_rendered_clauses(samples_dir, tmp_path, sample, fmt):
    from clausegen.check import check_file
    from clausegen.render import render_file

    out = render_file(samples_dir / f"sla-{sample}.yaml", tmp_path / f"clauses.{fmt}")
    report = check_file(out)
    statuses = {p.id: p.status for p in report.provisions if p.required}
    assert set(statuses) == {"definition", "notification", "standards", "process", "deadlines", "disputes"}
    assert statuses == dict.fromkeys(statuses, "present")
    assert not [f for f in report.findings if f.severity == "error"]


@pytest.mark.parametrize("sample", ["zh", "en", "bilingual"])
def test_no_list_marker_is_glued_into_a_paragraph(samples_dir, sample):
    """A template line ending in a block tag swallows its newline; the next "- " must not end up inline."""
    from clausegen.render.model import Paragraph

    document = render(load_spec(samples_dir / f"sla-{sample}.yaml"))
    for part in document.parts:
        for clause in part.clauses:
            for block in clause.blocks:
                if isinstance(block, Paragraph):
                    assert not re.search(r"[.。:：;；)）]\s?- \S", block.text), block.text
                    assert "{%" not in block.text and "{{" not in block.text


def _minimal(data, schema, root):
    """Return `data` with every key the schema does not require removed, recursively."""
    while "$ref" in schema:
        schema = root["$defs"][schema["$ref"].split("/")[-1]]
    if isinstance(data, dict) and "properties" in schema:
        required = schema.get("required", [])
        return {k: _minimal(v, schema["properties"].get(k, {}), root) for k, v in data.items() if k in required}
    if isinstance(data, list) and isinstance(schema.get("items"), dict):
        return [_minimal(v, schema["items"], root) for v in data]
    return data


@pytest.mark.parametrize("lang", ["zh", "en", "bilingual"])
def test_a_spec_with_only_the_required_keys_renders_in_every_format(starter, lang):
    from clausegen.render import write
    from clausegen.resources import load_schema
    from clausegen.spec import validate

    schema = load_schema("spec.schema.json")
    full = starter(lang)
    data = _minimal(full, schema, schema)
    # Semantic rules beyond the schema: each chosen method has its block, arbitration its institution.
    std = schema["properties"]["standards"]["properties"]
    for method in data["standards"]["methods"]:
        data["standards"][method] = _minimal(full["standards"][method], std[method], schema)
        if "tiers" in full["standards"][method]:  # tiers must close the range: keep them whole
            data["standards"][method]["tiers"] = full["standards"][method]["tiers"]
    if data["disputes"]["method"] == "arbitration":
        data["disputes"]["arbitration"] = {"institution": full["disputes"]["arbitration"]["institution"]}
    assert "document" not in data and "records" not in data
    assert [p for p in validate(data) if p.severity == "error"] == []
    document = render(data)
    assert [c.id for c in document.parts[0].clauses] == ["definitions", "definition", "notification", "standards",
                                                          "process", "deadlines", "disputes"]
    for fmt in ("docx", "md", "txt", "html"):
        assert len(write(document, fmt)) > 1000


def _key_paths(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield path + (key,)
            yield from _key_paths(value, path + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _key_paths(value, path + (i,))


@pytest.mark.parametrize("sample", ["zh", "en", "bilingual"])
def test_dropping_any_optional_key_of_a_sample_still_renders(samples_dir, sample):
    """Templates guard every key the spec may leave out; a valid spec never hits a template error."""
    from clausegen.spec import validate

    data = load_spec(samples_dir / f"sla-{sample}.yaml").data
    tried = 0
    for path in _key_paths(data):
        changed = copy.deepcopy(data)
        node = changed
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
        if [p for p in validate(changed) if p.severity == "error"]:
            continue  # a required key: the validator stops this spec before rendering
        write_text(render(changed))  # a LibraryError here fails the test with the template and line
        tried += 1
    assert tried > 50
