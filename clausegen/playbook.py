"""The firm's positions: what values it accepts per term, and how a contract's values measure up.

A playbook (the file given to `check --playbook`) may carry, beside its rule levels, a
`positions` table: per term (see clausegen.values.TERMS) the firm's preferred position and,
optionally, a fallback it can live with, each a bound (`max`, `min`) or a list of accepted
names (`one_of`), with the wording the firm proposes. The checker reads the contract's values,
compares them and reports each term as meets | fallback | deviates | not-found.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from clausegen.check.model import Finding
from clausegen.values import (
    INSTITUTION_NAMES,
    LAW_NAMES,
    TERMS,
    Value,
    credit_at,
    extract_values,
    in_minutes,
    values_by_provision,
)

VERDICTS = ("meets", "fallback", "deviates", "not-found")


@dataclass(frozen=True)
class PositionResult:
    """How the contract's value for one term compares with the firm's position."""

    term: str
    provision: str
    verdict: str  # meets | fallback | deviates | not-found
    value: Value | None
    preferred: dict
    fallback: dict | None
    preferred_wording: str
    fallback_wording: str | None

    def to_dict(self) -> dict:
        """Return the result as the JSON report shows it."""
        return {"term": self.term, "provision": self.provision, "verdict": self.verdict,
                "value": self.value.to_dict() if self.value else None,
                "preferred": self.preferred, "fallback": self.fallback,
                "preferred_wording": self.preferred_wording, "fallback_wording": self.fallback_wording}


# ---------------------------------------------------------------- loading


def schema() -> dict:
    """Return the playbook JSON Schema (schemas/playbook.schema.json)."""
    from clausegen.resources import load_schema

    return load_schema("playbook.schema.json")


def validate_playbook(data: dict, path: str) -> None:
    """Raise InputError naming `path` and the first bad place if `data` breaks the playbook schema."""
    from jsonschema import Draft202012Validator

    from clausegen.errors import InputError

    errors = sorted(Draft202012Validator(schema()).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        e = errors[0]
        where = ".".join(str(p) for p in e.absolute_path) or "(top level)"
        more = f" ({len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        raise InputError(f"playbook {where}: {e.message}{more}", path=path,
                         hint="see docs/review.md for the positions a playbook can state")


# ---------------------------------------------------------------- wording


def _duration_text(bound: dict, lang: str) -> str:
    from clausegen.render.filters import duration

    unit = bound["unit"] if bound["unit"] != "calendar_days" else "days"
    return duration({"value": bound["value"], "unit": unit}, lang)


def value_wording(term: str, side: dict, lang: str) -> str:
    """Return the phrase that states position `side` ({max|min|one_of}) for `term` in `lang`.

    The phrase replaces the contract's own phrase in a redline: a duration ("一小时" / "one (1)
    hour"), a percentage, an institution's or a law's full name.
    """
    from clausegen.render.filters import percent

    bound = side.get("max", side.get("min"))
    if isinstance(bound, dict):
        return _duration_text(bound, lang)
    if isinstance(bound, (int, float)):
        return percent(bound, lang)
    names = side.get("one_of") or []
    if not names:
        return ""
    table = INSTITUTION_NAMES if term == "arbitration_institution" else LAW_NAMES if term == "governing_law" else {}
    return table.get(names[0], {}).get(lang, names[0])


def _describe(term: str, side: dict | None, lang: str) -> str:
    if not side:
        return ""
    if "one_of" in side:
        return ("以下之一：" if lang == "zh" else "one of: ") + ", ".join(side["one_of"])
    if "max" in side:
        return ("不超过" if lang == "zh" else "at most ") + value_wording(term, side, lang)
    return ("不少于" if lang == "zh" else "at least ") + value_wording(term, side, lang)


def proposed_wording(term: str, side: dict | None, lang: str) -> str | None:
    """Return the wording the firm proposes for `side`: its own `wording`, else one made from the value."""
    if not side:
        return None
    own = (side.get("wording") or {}).get(lang)
    if own:
        return own
    phrase = value_wording(term, side, lang)
    templates = {
        "zh": {"notice_within": "乙方应在知悉服务中断后{x}内通知甲方。",
               "claim_window": "甲方可在服务中断发生后{x}内提出赔偿申请。",
               "payment_deadline": "乙方应在赔偿金额确定后{x}内支付或抵扣赔偿。",
               "service_credit": "服务可用性低于约定标准的，乙方应按当月服务费的{x}给予服务费抵扣。",
               "cap": "赔偿总额不超过当月服务费的{x}。",
               "availability_target": "服务可用性目标为每月{x}。",
               "arbitration_institution": "争议提交{x}仲裁。",
               "governing_law": "本协议适用{x}。",
               "venue": "仲裁地或管辖法院所在地为{x}。"},
        "en": {"notice_within": "The Provider shall notify the Customer of an Interruption within {x} of becoming aware of it.",
               "claim_window": "The Customer may claim compensation within {x} after the Interruption.",
               "payment_deadline": "Compensation shall be paid or credited within {x} after its amount is agreed.",
               "service_credit": "If availability falls below the agreed level, the Customer shall receive a service credit of {x} of the monthly fee.",
               "cap": "Compensation shall not exceed {x} of the monthly fee.",
               "availability_target": "The Service shall be available {x} of each month.",
               "arbitration_institution": "Disputes shall be finally resolved by arbitration administered by the {x}.",
               "governing_law": "This Agreement is governed by {x}.",
               "venue": "The seat of arbitration or the competent court shall be {x}."},
    }
    return templates[lang].get(term, "{x}").format(x=phrase)


# ---------------------------------------------------------------- comparing


def _satisfies(term: str, value: Value, side: dict) -> bool:
    if "one_of" in side:
        wanted = {str(x).lower() for x in side["one_of"]}
        return str(value.value).lower() in wanted
    bound = side.get("max", side.get("min"))
    if isinstance(bound, dict):
        if value.kind != "duration":
            return False
        mine, theirs = in_minutes(value.value, value.unit), in_minutes(bound["value"], bound["unit"])
    else:
        mine, theirs = float(value.value), float(bound)
    return mine <= theirs if "max" in side else mine >= theirs


def _contract_value(term: str, position: dict, values: list[Value]) -> Value | None:
    if term == "service_credit":
        return credit_at(values, float(position.get("availability", 100)))
    candidates = [v for v in values if v.term == term]
    if not candidates:
        return None
    preferred = position["preferred"]
    # Of several values for the term, judge the one least favourable to the firm (a lawyer reads the worst case).
    failing = [v for v in candidates if not _satisfies(term, v, preferred)]
    return failing[0] if failing else candidates[0]


def evaluate_positions(values: list[Value], positions: dict, lang: str, statuses: dict) -> list[PositionResult]:
    """Return, per term in `positions`, the verdict on the contract's `values`.

    `statuses` maps provision ids to present | weak | missing: a term of a missing provision is
    not-found (the missing provision is its own finding).
    """
    out = []
    for term, position in positions.items():
        pid = TERMS[term][0]
        preferred, fallback = position["preferred"], position.get("fallback")
        value = _contract_value(term, position, values) if statuses.get(pid) != "missing" else None
        if value is None:
            verdict = "not-found"
        elif _satisfies(term, value, preferred):
            verdict = "meets"
        elif fallback and _satisfies(term, value, fallback):
            verdict = "fallback"
        else:
            verdict = "deviates"
        out.append(PositionResult(term, pid, verdict, value, _public(preferred), _public(fallback),
                                  proposed_wording(term, preferred, lang), proposed_wording(term, fallback, lang)))
    return out


def _public(side: dict | None) -> dict | None:
    return None if side is None else {k: v for k, v in side.items() if k != "wording"}


_TITLE = {
    "notice_within": ("中断通知时限", "notice of an interruption"), "claim_window": ("索赔期限", "claim window"),
    "payment_deadline": ("赔偿支付期限", "payment deadline"), "service_credit": ("服务抵扣比例", "service credit"),
    "cap": ("赔偿上限", "compensation cap"), "availability_target": ("可用性目标", "availability target"),
    "compensation_amount": ("赔偿金额", "compensation amount"), "dispute_method": ("争议解决方式", "dispute method"),
    "arbitration_institution": ("仲裁机构", "arbitration institution"), "venue": ("仲裁地/管辖地", "venue"),
    "governing_law": ("适用法律", "governing law"),
}


def term_title(term: str, lang: str) -> str:
    """Return the lawyer's name of `term` in `lang`."""
    zh, en = _TITLE.get(term, (term, term))
    return zh if lang == "zh" else en


def _finding(r: PositionResult, position: dict, lang: str) -> Finding | None:
    if r.verdict == "meets":
        return None
    title = term_title(r.term, lang)
    want = _describe(r.term, position["preferred"], lang)
    fall = _describe(r.term, position.get("fallback"), lang)
    if r.verdict == "not-found":
        msg = (f"{title}：合同未写明，本所立场为{want}" if lang == "zh" else
               f"{title}: the contract states none; the firm's position is {want}")
        level = position.get("level_not_found", "info")
    else:
        said = r.value.text
        if lang == "zh":
            msg = f"{title}：合同约定“{said}”，本所立场为{want}" + (f"（可接受的退让：{fall}）" if fall else "")
            msg += "；符合退让立场" if r.verdict == "fallback" else "；不符合本所立场"
        else:
            msg = f"{title}: the contract says \u201c{said}\u201d; the firm's position is {want}" + (
                f" (fallback: {fall})" if fall else "")
            msg += "; within the fallback" if r.verdict == "fallback" else "; it misses the position"
        level = position.get("level", "warning") if r.verdict == "deviates" else "info"
    wording = [r.preferred_wording] + ([r.fallback_wording] if r.fallback_wording else [])
    label = ("本所措辞：", "退让措辞：") if lang == "zh" else ("Preferred wording: ", "Fallback wording: ")
    suggestion = "\n".join(f"{label[i]}{w}" for i, w in enumerate(wording) if w)
    return Finding(f"position-{r.term}", level, r.provision, msg,
                   r.value.paragraph if r.value else None, suggestion or None)


def with_positions(contract, result, playbook: dict | None):
    """Return the FileReport `result` with the contract's values on its provisions and, if
    `playbook` states positions, the verdict per term and a finding per term that misses one."""
    lang = "zh" if result.language == "zh" else "en"
    values = extract_values(contract, lang)
    grouped = values_by_provision(values)
    provisions = tuple(replace(p, values=grouped.get(p.id, ())) for p in result.provisions)
    positions = (playbook or {}).get("positions") or {}
    if not positions:
        return replace(result, provisions=provisions)
    statuses = {p.id: p.status for p in result.provisions}
    verdicts = evaluate_positions(values, positions, lang, statuses)
    extra = [f for r in verdicts if (f := _finding(r, positions[r.term], lang)) is not None]
    order = {"error": 0, "warning": 1, "info": 2}
    findings = sorted([*result.findings, *extra],
                      key=lambda f: (order.get(f.severity, 3), f.paragraph if f.paragraph is not None else -1))
    return replace(result, provisions=provisions, findings=tuple(findings), positions=tuple(verdicts))


__all__ = [
    "VERDICTS",
    "PositionResult",
    "evaluate_positions",
    "proposed_wording",
    "validate_playbook",
    "value_wording",
    "with_positions",
]
