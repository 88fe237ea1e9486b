"""Property tests: whatever a spec or a contract holds, the outcome is a result or a clean ClausegenError.

Examples per test come from CLAUSEGEN_FUZZ_EXAMPLES (default 50) so that the normal suite stays
quick; the `slow` variants (``make fuzz``, which sets 2000) run longer searches of the same
properties.
"""

from __future__ import annotations

import copy
import io
import os
import zipfile
from pathlib import Path

import pytest
from shared_data import corpus_file
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from clausegen.errors import ClausegenError, Problem

REPO = Path(__file__).resolve().parent.parent
REQUIRED = {"definition", "notification", "standards", "process", "deadlines", "disputes"}

EXAMPLES = int(os.environ.get("CLAUSEGEN_FUZZ_EXAMPLES", "50"))
LONG = max(EXAMPLES, 500)


def _settings(n: int):
    return settings(max_examples=n, deadline=None, database=None, derandomize=n <= 50,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


# ---------------------------------------------------------------- specs

_STARTERS: dict = {}


def starter(lang: str) -> dict:
    if lang not in _STARTERS:
        from clausegen.spec import starter_data

        _STARTERS[lang] = starter_data(lang)
    return copy.deepcopy(_STARTERS[lang])


def paths(data, prefix=()) -> list[tuple]:
    """Return the path of every value in `data` (mappings and lists), parents before children."""
    out = []
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        out.append(prefix + (key,))
        out += paths(value, prefix + (key,))
    return out


ODD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(-10**15, 10**15),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["99.9%", "", "   ", "zh", "en", "bilingual", "2026-13-01", "2026-02-30", "∞", "1e999", "-1",
                     "0", "P1D", "3 business days", "三个工作日", "{{ 7*7 }}", "<script>x</script>", "\u202e", "\x00"]),
    st.lists(st.one_of(st.integers(-5, 200), st.text(max_size=8)), max_size=4),
    st.dictionaries(st.sampled_from(["value", "unit", "zh", "en", "x", "percent", "amount"]),
                    st.one_of(st.integers(-5, 10**6), st.text(max_size=8), st.none()), max_size=3),
)


@st.composite
def mutated_specs(draw):
    """Return (language, spec data) where a few values of a valid starter were dropped or replaced."""
    lang = draw(st.sampled_from(["zh", "en", "bilingual"]))
    data = starter(lang)
    candidates = paths(data)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(candidates))
        parent = data
        try:
            for key in path[:-1]:
                parent = parent[key]
            action = draw(st.sampled_from(["drop", "replace", "replace", "add"]))
            if action == "drop":
                del parent[path[-1]]
            elif action == "replace":
                parent[path[-1]] = draw(ODD_VALUES)
            elif isinstance(parent, dict):
                parent[draw(st.sampled_from(["extra", "notes", "Language", "tier"]))] = draw(ODD_VALUES)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced this path
    return lang, data


@st.composite
def retyped_specs(draw):
    """Return (language, spec data) where leaves of a valid starter got other values of the same type,
    or list items were dropped: mostly valid specs with odd text and numbers, which must render."""
    lang = draw(st.sampled_from(["zh", "en", "bilingual"]))
    data = starter(lang)
    # `family` names a folder of the library, which only the library can confirm: rendering an
    # unknown one is a clean LibraryError, not a spec the validator should have refused.
    leaves = [p for p in paths(data) if not isinstance(_get(data, p), (dict,)) and p != ("family",)]
    for path in draw(st.lists(st.sampled_from(leaves), min_size=1, max_size=6, unique=True)):
        try:
            parent = _get(data, path[:-1])
            old = parent[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change shortened a list on this path
        if isinstance(old, bool):
            new = draw(st.booleans())
        elif isinstance(old, int):
            new = draw(st.integers(0, max(old * 3, 10)))
        elif isinstance(old, float):
            new = draw(st.floats(0, 100, allow_nan=False))
        elif isinstance(old, str):
            new = draw(st.one_of(st.text(min_size=1, max_size=30),
                                 st.sampled_from(["{{ 7*7 }}", "{% for x in y %}", "</w:t>", "&amp;", "‮", "x" * 500])))
        elif isinstance(old, list) and old:
            new = old[: draw(st.integers(0, len(old) - 1))] or old
        else:
            continue
        parent[path[-1]] = new
    return lang, data


def _get(data, path):
    for key in path:
        data = data[key]
    return data


def _spec_property(case) -> None:
    from clausegen import render, spec

    lang, data = case
    problems = spec.validate(data, file="fuzz.yaml")
    assert isinstance(problems, list) and all(isinstance(p, Problem) for p in problems)
    for p in problems:
        p.format()  # every problem can be shown
    if any(p.severity == "error" for p in problems):
        event("invalid spec: problems reported")
        return
    event("valid spec: rendered")
    # A spec the validator accepts must render: a failure here is a bug, not a clean error
    # (except a family the library does not have, which only the library can tell).
    if data.get("family") not in (None, "service-interruption"):
        with pytest.raises(ClausegenError, match="no clause family"):
            render.render(data)
        return
    document = render.render(data)
    out = render.write(document, "docx" if lang != "bilingual" else "md")
    assert len(out) > 100


@given(mutated_specs())
@_settings(EXAMPLES)
def test_mutated_specs_validate_and_valid_ones_render(case):
    _spec_property(case)


@pytest.mark.slow
@given(mutated_specs())
@_settings(LONG)
def test_mutated_specs_validate_and_valid_ones_render_long(case):
    _spec_property(case)


@given(retyped_specs())
@_settings(EXAMPLES)
def test_retyped_specs_validate_and_valid_ones_render(case):
    _spec_property(case)


@pytest.mark.slow
@given(retyped_specs())
@_settings(LONG)
def test_retyped_specs_validate_and_valid_ones_render_long(case):
    _spec_property(case)


def _yaml_property(text: str) -> None:
    from clausegen import spec
    from clausegen.yamlsource import load_yaml_text

    try:
        doc = load_yaml_text(text, "fuzz.yaml")
    except ClausegenError as exc:
        assert exc.path == "fuzz.yaml" and exc.message
        return
    assert isinstance(doc.data, dict)
    assert all(isinstance(p, Problem) for p in spec.validate(doc.data, marks=doc.marks, file="fuzz.yaml"))


YAML_TEXT = st.one_of(
    st.text(alphabet=st.sampled_from(list("abc:- []{}&*!|>'\"#%@`,?\n\t 0123\u4e2d\ufeff")), max_size=120),
    st.builds(lambda a, b: a + b, st.sampled_from(["language: en\n", "parties:\n  provider:\n", "- x\n", "a: &x [1]\n"]),
              st.text(max_size=60)),
)


@given(YAML_TEXT)
@_settings(EXAMPLES)
def test_any_yaml_text_loads_or_is_a_clean_spec_error(text):
    _yaml_property(text)


@pytest.mark.slow
@given(YAML_TEXT)
@_settings(LONG)
def test_any_yaml_text_loads_or_is_a_clean_spec_error_long(text):
    _yaml_property(text)


# ---------------------------------------------------------------- contracts

CUES_ZH = ["服务中断", "是指", "不可用", "通知", "小时内", "赔偿", "服务费", "%", "工作日", "仲裁", "法院", "争议",
           "协商", "及时", "立即", "不可抗力", "第一条", "（一）", "。", "；", "\n", "甲方", "乙方", "3", "人民币"]
CUES_EN = ["Interruption", "means", "Downtime", "notify", "within", "hours", "service credit", "monthly fee",
           "promptly", "claim", "business days", "arbitration", "court", "governing law", "dispute", "force majeure",
           "1.", "(a)", ".", ";", "\n", "Provider", "Customer", "30", "%", " "]
CONTRACT_TEXT = st.lists(st.one_of(st.sampled_from(CUES_ZH + CUES_EN), st.text(max_size=12)), max_size=80).map(
    lambda parts: " ".join(parts))


def _contract_property(text: str, lang: str) -> None:
    from clausegen.check import check_text
    from clausegen.check.model import Report

    report = check_text(text, lang=lang, name="fuzz.txt", suggest=False)
    entry = Report(files=(report,)).to_dict()["files"][0]
    assert REQUIRED <= {p["id"] for p in entry["provisions"]}
    assert {p["status"] for p in entry["provisions"]} <= {"present", "weak", "missing"}
    paragraphs = len([ln for ln in text.splitlines() if ln.strip()])
    for p in entry["provisions"]:
        assert 0.0 <= p["confidence"] <= 1.0
        for ev in p["evidence"]:
            assert 0 <= ev["paragraph"] <= max(paragraphs, 1) and 0 <= ev["start"] <= ev["end"]


@given(CONTRACT_TEXT, st.sampled_from(["auto", "zh", "en"]))
@_settings(EXAMPLES)
def test_any_contract_text_gives_a_full_report(text, lang):
    _contract_property(text, lang)


@pytest.mark.slow
@given(CONTRACT_TEXT, st.sampled_from(["auto", "zh", "en"]))
@_settings(LONG)
def test_any_contract_text_gives_a_full_report_long(text, lang):
    _contract_property(text, lang)


_DOCX = {}


def real_docx_bytes() -> bytes:
    if "b" not in _DOCX:
        _DOCX["b"] = corpus_file("docx", "common-paper-csa-with-sla.docx").read_bytes()
    return _DOCX["b"]


DAMAGES = st.one_of(
    st.tuples(st.just("flip"), st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)),
                                        min_size=1, max_size=20)),
    st.tuples(st.just("cut"), st.floats(0, 1)),
    st.tuples(st.just("xml"), st.floats(0, 1), st.binary(max_size=20), st.integers(0, 50)),
    st.tuples(st.just("noise"), st.sampled_from([".docx", ".pdf", ".txt", ".md"]), st.binary(max_size=400)),
)


def damaged_file(case) -> tuple[str, bytes]:
    """Return (suffix, bytes) for a damage `case`: a real .docx with bytes flipped or cut, a damaged
    document.xml, or noise. The cases stay small so that failures print readably."""
    kind, raw = case[0], real_docx_bytes()
    if kind == "flip":
        data = bytearray(raw)
        for where, byte in case[1]:
            data[int(where * len(data))] = byte
        return ".docx", bytes(data)
    if kind == "cut":
        return ".docx", raw[: int(case[1] * len(raw))]
    if kind == "xml":
        _, where, junk, skip = case
        src = zipfile.ZipFile(io.BytesIO(raw))
        xml = src.read("word/document.xml")
        at = int(where * len(xml))
        xml = xml[:at] + junk + xml[at + skip:]
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            for item in src.infolist():
                z.writestr(item.filename, xml if item.filename == "word/document.xml" else src.read(item))
        return ".docx", out.getvalue()
    return case[1], case[2]


def _reader_property(case, tmp_dir: Path) -> None:
    from clausegen.check.readers import read_contract

    suffix, data = damaged_file(case)
    path = tmp_dir / f"fuzz{suffix}"
    path.write_bytes(data)
    try:
        contract = read_contract(path)
    except ClausegenError as exc:
        assert exc.exit_code == 2 and exc.message and str(path) in str(exc.path)
        return
    assert contract.language in ("zh", "en")
    assert all(p.text for p in contract.paragraphs)


@given(DAMAGES)
@_settings(EXAMPLES)
def test_damaged_files_are_read_or_refused_cleanly(tmp_path_factory, case):
    _reader_property(case, tmp_path_factory.mktemp("fuzz"))


@pytest.mark.slow
@given(DAMAGES)
@_settings(LONG)
def test_damaged_files_are_read_or_refused_cleanly_long(tmp_path_factory, case):
    _reader_property(case, tmp_path_factory.mktemp("fuzz"))
