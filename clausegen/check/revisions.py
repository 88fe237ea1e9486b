"""Findings about text the reader does not see as it stands: hidden text and pending tracked changes.

The checker judges a contract on the text a reader sees, as it stands. Text hidden from the
reader (Word's hidden formatting, directly or through a style; HTML comments in Markdown) is not
contract text, and pending tracked insertions are not yet part of it (pending deletions still
are). Both matter to a reviewer, so each becomes a finding, and the verdict is computed once more
on the other version (hidden text shown; changes accepted) to say which provisions would change.
"""

from __future__ import annotations

from dataclasses import replace

from clausegen.check.model import FileReport, Finding

MAX_LISTED = 5  # hidden passages named one by one; the rest are counted

_TEXT = {
    "en": {
        "hidden": "text hidden from the reader at {where}: \u201c{quote}\u201d. Hidden text is not contract "
                  "text and was not counted",
        "more": "{n} more passage(s) of hidden text ({places})",
        "if_shown": "if it were shown: {changes}",
        "changes": "the document has pending tracked changes ({n} paragraph(s), first at {where}); this report "
                   "reads the text as it stands (insertions not yet made, deletions still there)",
        "if_accepted": "if the changes were accepted: {changes}",
        "no_change": "accepting them would not change any provision's status",
        "change": "{title} would be {new} (now {old})",
    },
    "zh": {
        "hidden": "{where}有对读者隐藏的文字：\u201c{quote}\u201d。隐藏文字不属于合同正文，未计入",
        "more": "另有 {n} 处隐藏文字（{places}）",
        "if_shown": "若显示这些文字：{changes}",
        "changes": "文档含有未处理的修订（{n} 段，首处在{where}）；本报告按现有文本判断（未接受的插入不计，未接受的删除仍计）",
        "if_accepted": "若接受全部修订：{changes}",
        "no_change": "接受修订不会改变任何条款的判断",
        "change": "{title}将为{new}（现为{old}）",
    },
}
_STATUS = {"zh": {"present": "具备", "weak": "薄弱", "missing": "缺失"},
           "en": {"present": "present", "weak": "weak", "missing": "missing"}}


def _quote(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def status_changes(before: FileReport, after: FileReport) -> list[tuple[str, str, str]]:
    """Return (provision id, status in `before`, status in `after`) for every provision that differs."""
    now = {p.id: p.status for p in before.provisions}
    return [(p.id, now.get(p.id, "missing"), p.status) for p in after.provisions
            if p.status != now.get(p.id, "missing")]


def _describe(changes, lang: str, titles: dict) -> str:
    words, status = _TEXT[lang], _STATUS[lang]
    sep = "；" if lang == "zh" else "; "
    return sep.join(words["change"].format(title=titles.get(pid, pid), new=status.get(new, new),
                                           old=status.get(old, old)) for pid, old, new in changes)


def _titles(ruleset, lang: str) -> dict:
    try:
        return {p.id: p.title.get(lang) or p.title.get("en") or p.id for p in ruleset.family.provisions}
    except AttributeError:
        return {}


_ZH_PLACES = ((r"\bparagraph (\d+)", r"第 \1 段"), (r"\bline (\d+)", r"第 \1 行"),
              (r"\btable (\d+) row (\d+)", r"表 \1 第 \2 行"), (r"\bfootnote (\d+)", r"脚注 \1"),
              (r"\bendnote (\d+)", r"尾注 \1"))


def _where(item: dict, lang: str) -> str:
    where = item["location"]
    if lang == "zh":
        import re

        for pattern, repl in _ZH_PLACES:
            where = re.sub(pattern, repl, where)
    return where


def hidden_text_findings(contract, report: FileReport, shown: FileReport | None, ruleset) -> list[Finding]:
    """Return a `hidden-text` warning for each passage hidden from the reader in `contract`
    (at most MAX_LISTED, then one for the rest), saying how the verdict would change if it were
    shown (`shown`: the report on the text with it shown, or None)."""
    hidden = contract.meta.get("hidden") or []
    if not hidden:
        return []
    lang = "zh" if report.language == "zh" else "en"
    words = _TEXT[lang]
    changes = status_changes(report, shown) if shown is not None else []
    tail = (("；" if lang == "zh" else "; ") + words["if_shown"].format(
        changes=_describe(changes, lang, _titles(ruleset, lang)))) if changes else ""
    out = []
    for item in hidden[:MAX_LISTED]:
        message = words["hidden"].format(where=_where(item, lang), quote=_quote(item["text"])) + tail
        out.append(Finding("hidden-text", "warning", None, message, item.get("paragraph")))
    if len(hidden) > MAX_LISTED:
        rest = hidden[MAX_LISTED:]
        places = ", ".join(_where(x, lang) for x in rest[:10]) + (", …" if len(rest) > 10 else "")
        out.append(Finding("hidden-text", "warning", None, words["more"].format(n=len(rest), places=places),
                           rest[0].get("paragraph")))
    return out


def tracked_change_findings(contract, report: FileReport, accepted: FileReport | None, ruleset) -> list[Finding]:
    """Return one `tracked-changes` finding when `contract` has pending tracked changes: a warning
    naming the provisions whose status would change if they were accepted (`accepted`: the report
    on the text with them accepted), else information."""
    changed = contract.meta.get("changes") or []
    if not changed:
        return []
    lang = "zh" if report.language == "zh" else "en"
    words = _TEXT[lang]
    changes = status_changes(report, accepted) if accepted is not None else []
    first = changed[0]
    message = words["changes"].format(n=len(changed), where=_where(first, lang))
    message += ("；" if lang == "zh" else "; ") + (
        words["if_accepted"].format(changes=_describe(changes, lang, _titles(ruleset, lang)))
        if changes else words["no_change"])
    return [Finding("tracked-changes", "warning" if changes else "info", None, message, first.get("paragraph"))]


def with_revision_findings(contract, report: FileReport, check_version, ruleset) -> FileReport:
    """Return `report` with findings about hidden text and tracked changes in `contract` added.

    `check_version(paragraphs)` returns the FileReport of the same contract read as `paragraphs`
    (the text with hidden parts shown, or with changes accepted); it is called only when the
    contract has such text. The verdict of `report` itself is unchanged.
    """
    meta = contract.meta
    if not (meta.get("hidden") or meta.get("changes")):
        return report
    shown = check_version(meta["shown"]) if meta.get("hidden") and meta.get("shown") is not None else None
    accepted = check_version(meta["accepted"]) if meta.get("changes") and meta.get("accepted") is not None else None
    extra = hidden_text_findings(contract, report, shown, ruleset)
    extra += tracked_change_findings(contract, report, accepted, ruleset)
    order = {"error": 0, "warning": 1, "info": 2}
    findings = sorted(report.findings + tuple(extra),
                      key=lambda f: (order.get(f.severity, 3), f.paragraph if f.paragraph is not None else -1))
    facts = dict(report.meta)
    if meta.get("hidden"):
        facts["hidden_text"] = [{"location": x["location"], "text": x["text"]} for x in meta["hidden"]]
    if accepted is not None:
        facts["if_changes_accepted"] = {p.id: p.status for p in accepted.provisions}
    return replace(report, findings=tuple(findings), meta=facts)
