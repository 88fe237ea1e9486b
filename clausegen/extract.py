"""Read a spec back from an existing contract: `clausegen extract CONTRACT -o spec.yaml`.

The spec is filled as far as the contract's values go (clausegen.values); every other field of
the starter spec is written as a commented placeholder showing an example, so `validate` lists
what is still missing and `render` can redraft the clauses in the firm's wording once it is filled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from clausegen.values import INSTITUTION_NAMES, LAW_NAMES, Value, extract_values

# The spec fields extract can fill, as dotted paths (what bench/extract.py measures).
FIELDS = (
    "parties.customer.name", "parties.provider.name", "service.availability_target",
    "notification.provider_notice.within", "standards.service_credits.tiers", "standards.cap.percent",
    "deadlines.claim_window", "deadlines.payment_deadline", "disputes.method",
    "disputes.arbitration.institution", "disputes.arbitration.seat", "disputes.governing_law",
)


@dataclass
class Extraction:
    """What was read from a contract: spec values by dotted path, and the phrase each came from."""

    path: str
    language: str
    values: dict = field(default_factory=dict)  # dotted path -> spec value
    sources: dict = field(default_factory=dict)  # dotted path -> the contract's phrase (and paragraph)

    @property
    def filled(self) -> list[str]:
        return [f for f in FIELDS if f in self.values]


def _duration(v: Value) -> dict:
    unit, value = v.unit, v.value
    if unit == "calendar_days":
        unit = "days"
    elif unit == "weeks":
        unit, value = "days", value * 7
    elif unit == "years":
        unit, value = "months", value * 12
    return {"value": value, "unit": unit}


_PARTY_ZH = re.compile(r"^\s*(?P<role>甲方|乙方)\s*(?:[（(](?P<note>[^）)]{1,12})[）)])?\s*[：:]\s*(?P<name>[^\s，,；;。（(]{4,40})")
_PARTY_EN = re.compile(
    r"(?P<name>[A-Z][\w&.,'’ -]{2,80}?(?:Ltd\.?|Limited|Inc\.?|LLC|L\.L\.C\.|GmbH|AG|Corp\.?|Corporation|plc|PLC|"
    r"S\.A\.|B\.V\.|LLP|Pty Ltd))\s*,?\s*[(（]\s*(?:the\s+|hereinafter\s+)?[\"“”']?(?P<role>Provider|Customer|Supplier|"
    r"Client|Vendor|Company|Service Provider)")
_PROVIDER_WORDS = re.compile(r"服务提供|供方|提供方|服务商|受托|乙方")


def _parties(contract, lang: str) -> dict:
    out: dict = {}
    for p in contract.paragraphs[:60]:
        if lang == "zh":
            m = _PARTY_ZH.match(p.text)
            if m:
                note = m.group("note") or ""
                provider = bool(_PROVIDER_WORDS.search(note)) if note else m.group("role") == "乙方"
                if "客户" in note or "用户" in note or "委托方" in note:
                    provider = False
                out.setdefault("provider" if provider else "customer", (m.group("name"), p.text.strip()))
        else:
            for m in _PARTY_EN.finditer(p.text):
                role = "customer" if m.group("role") in ("Customer", "Client") else "provider"
                name = re.sub(r"^(?:This .*? between|between|and)\s+", "", m.group("name").strip(), flags=re.IGNORECASE)
                out.setdefault(role, (name.strip(" ,"), m.group(0)))
    return out


def _tiers(values: list[Value]) -> list[dict] | None:
    tiers = {}
    for v in values:
        if v.term == "service_credit" and v.below is not None:
            tiers.setdefault(float(v.below), v.value)
    if not tiers:
        return None
    bounds = sorted(tiers, reverse=True)
    out = []
    for i, b in enumerate(bounds):
        tier = {"below": int(b) if b.is_integer() else b}
        if i + 1 < len(bounds):
            nxt = bounds[i + 1]
            tier["at_least"] = int(nxt) if nxt.is_integer() else nxt
        tier["credit_percent"] = tiers[b]
        out.append(tier)
    return out


def extract_contract(contract) -> Extraction:
    """Return the spec values that can be read from `contract` (a readers.Contract)."""
    lang = "zh" if contract.language == "zh" else "en"
    values = extract_values(contract, lang)
    ex = Extraction(contract.path, lang)

    def put(path: str, value, source: Value | str | None) -> None:
        if value is None or path in ex.values:
            return
        ex.values[path] = value
        if isinstance(source, Value):
            ex.sources[path] = f"¶{source.paragraph + 1}: {source.text}"
        elif source:
            ex.sources[path] = source

    def firstv(term: str) -> Value | None:
        return next((v for v in values if v.term == term), None)

    for role, (name, line) in _parties(contract, lang).items():
        put(f"parties.{role}.name", name, line[:80])
        if lang == "zh":
            put(f"parties.{role}.role", "乙方" if "乙方" in line[:4] else "甲方", None)
        else:
            term = re.search(r"(Provider|Customer|Supplier|Client|Vendor|Company|Service Provider)\W*$", line)
            if term:
                put(f"parties.{role}.role", term.group(1), None)
    if (v := firstv("availability_target")) is not None:
        put("service.availability_target", v.value, v)
    if (v := firstv("notice_within")) is not None:
        put("notification.provider_notice.within", _duration(v), v)
    tiers = _tiers(values)
    if tiers:
        put("standards.service_credits.tiers", tiers, next(v for v in values if v.term == "service_credit"))
        put("standards.methods", ["service_credits"], None)
    if (v := firstv("cap")) is not None:
        put("standards.cap.percent", v.value, v)
    for term in ("claim_window", "payment_deadline"):
        if (v := firstv(term)) is not None:
            put(f"deadlines.{term}", _duration(v), v)
    methods = [v for v in values if v.term == "dispute_method"]
    institution = firstv("arbitration_institution")
    if methods or institution:
        arbitration = institution or next((v for v in methods if v.value == "arbitration"), None)
        chosen = arbitration or methods[0]
        put("disputes.method", "arbitration" if arbitration else "court", chosen)
    if institution is not None:
        put("disputes.arbitration.institution",
            INSTITUTION_NAMES.get(institution.value, {}).get(lang, institution.value), institution)
    if (v := firstv("venue")) is not None and ex.values.get("disputes.method") == "arbitration":
        put("disputes.arbitration.seat", v.value, v)
    if (v := firstv("governing_law")) is not None:
        put("disputes.governing_law", LAW_NAMES.get(v.value, {}).get(lang, v.value if lang == "zh" else
                                                                       f"the laws of {v.value}"), v)
    return ex


# ---------------------------------------------------------------- writing the spec


def _dump_leaf(key: str, value) -> str:
    import yaml

    from clausegen.yamlsource import dump_inline

    def flat(v) -> bool:
        items = v.values() if isinstance(v, dict) else v
        return not any(isinstance(x, (dict, list)) for x in items)

    if isinstance(value, (dict, list)) and not (value and flat(value)):
        return yaml.safe_dump({key: value}, allow_unicode=True, default_flow_style=None, width=10_000,
                              sort_keys=False).rstrip("\n")
    return f"{key}: {dump_inline(value)}"


def _lines(node: dict, filled: dict, prefix: str, indent: int, sources: dict, lang: str) -> tuple[list[str], bool]:
    """Return the YAML lines of `node` (the starter spec) with `filled` values; unknowns commented."""
    pad = "  " * indent
    out, any_filled = [], False
    for key, example in node.items():
        path = f"{prefix}{key}"
        if path in filled:
            text = _dump_leaf(key, filled[path]).splitlines()
            note = f"  # {_FROM[lang]} {sources[path]}" if path in sources else ""
            out.append(pad + text[0] + (note if len(text) == 1 else ""))
            out += [pad + t for t in text[1:]]
            any_filled = True
        elif isinstance(example, dict) and example and any(f.startswith(path + ".") for f in filled):
            inner, got = _lines(example, filled, path + ".", indent + 1, sources, lang)
            out.append(f"{pad}{key}:")
            out += inner
            any_filled = any_filled or got
        else:
            commented = _dump_leaf(key, example).splitlines()
            out.append(f"{pad}# {commented[0]}" + (f"  # {_TODO[lang]}" if len(commented) == 1 else ""))
            if len(commented) > 1:
                out[-1] += f"  # {_TODO[lang]}"
                out += [f"{pad}# {t}" for t in commented[1:]]
    return out, any_filled


_FROM = {"zh": "取自合同", "en": "from the contract"}
_TODO = {"zh": "合同未写明：请填写（此为示例）", "en": "not found in the contract: fill in (example shown)"}
_FIXED = ("clausegen", "family", "language", "position")


def spec_text(ex: Extraction) -> str:
    """Return the YAML spec for extraction `ex`: the values read, the rest commented placeholders."""
    from clausegen.spec import starter_data

    starter = starter_data(ex.language)
    head = ("# 由 clausegen extract 从合同读出的规格；以“# ”开头的行为合同未写明的字段（示例值）。\n"
            f"# 来源：{ex.path}\n# 填写后运行：clausegen validate 本文件；clausegen render 本文件 -o 条款.docx\n"
            if ex.language == "zh" else
            "# Spec read from a contract by clausegen extract; lines starting with '# ' are fields the\n"
            f"# contract does not state (example values). Source: {ex.path}\n"
            "# Fill them in, then: clausegen validate this file; clausegen render this file -o clauses.docx\n")
    fixed = {"clausegen": 1, "family": starter.get("family", "service-interruption"), "language": ex.language,
             "position": "preferred"}
    lines = [_dump_leaf(k, fixed[k]) for k in _FIXED]
    body = {k: v for k, v in starter.items() if k not in _FIXED}
    more, _ = _lines(body, ex.values, "", 0, ex.sources, ex.language)
    return head + "\n".join(lines + more) + "\n"


def extract_file(path: str | Path, out: str | Path | None = None, lang: str = "auto") -> tuple[str, Extraction]:
    """Read contract `path` and return (spec YAML text, Extraction); write it atomically to `out` if given.

    Raises InputError for an unreadable contract, UsageError if `out` is the contract itself.
    """
    from clausegen.check.readers import read_contract

    path = Path(path)
    contract = read_contract(path, lang)
    ex = extract_contract(contract)
    text = spec_text(ex)
    if out is not None:
        from clausegen.outputs import ensure_not_input, write_atomic

        ensure_not_input(Path(out), [path])
        write_atomic(Path(out), text.encode("utf-8"))
    return text, ex
