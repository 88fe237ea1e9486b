"""Split a contract's paragraphs into sections by headings and clause numbering."""

from __future__ import annotations

import re
from dataclasses import dataclass

from clausegen.characters import HAN, SENTENCE_END, han_count

_ZH_N = r"[一二三四五六七八九十百零〇两]+"
_TERMINAL = tuple(SENTENCE_END + "，,")  # a heading ends with none of these

# (regex on the start of a paragraph, level); the first that matches wins. Level 1 is the
# outermost (第X章, Article IV, 一、), deeper numbering gets higher numbers.
NUMBERING = (
    (re.compile(rf"^第{_ZH_N}[章编](?=\s|[{HAN}]|$)"), 1),
    (re.compile(rf"^第\s*(?:{_ZH_N}|\d+)\s*条(?=\s|[{HAN}（(]|$)"), 2),
    (re.compile(rf"^{_ZH_N}\s*[、.．]"), 1),
    (re.compile(rf"^[（(]{_ZH_N}[）)]"), 2),
    (re.compile(r"^附\s*件\s*[0-9一二三四五六七八九十A-Z]*"), 1),
    (re.compile(r"^(?:Schedule|Annex|Appendix|Exhibit|Attachment)\b", re.I), 1),
    (re.compile(r"^(?:ARTICLE|Article)\s+(?:[IVXLC]+|\d+)\b"), 1),
    (re.compile(r"^(?:SECTION|Section|Clause|CLAUSE)\s+\d+(?:\.\d+)*\b"), 2),
    (re.compile(rf"^\d+\.\d+\.\d+\.?(?=\s|[{HAN}]|$)"), 4),
    (re.compile(rf"^\d+\.\d+\.?(?=\s|[{HAN}]|$)"), 3),
    (re.compile(rf"^\d+\s*[.．、](?=\s|[{HAN}]|[A-Z]|$)"), 2),
    (re.compile(r"^[IVX]+\.\s"), 1),
)
_INLINE_TITLE = re.compile(
    r"^(?:(?:\d+(?:\.\d+)*\.?|[a-z]\.|\([a-z0-9]+\)|Section\s+\d+(?:\.\d+)*\.?)\s+)"
    r"((?:[A-Z][\w'’&/-]*|of|and|or|to|for|the|a|in|on)(?:\s+(?:[A-Z][\w'’&/-]*|of|and|or|to|for|the|a|in|on)){0,7})"
    r"\s*[.:：]\s+\S"
)
_ZH_INLINE_TITLE = re.compile(
    rf"^(?:第\s*(?:{_ZH_N}|\d+)\s*条|{_ZH_N}\s*[、.．]|\d+(?:\.\d+)*\s*[.．、]?)\s*([{HAN}]{{2,12}})(?:\s+|[：:])\S"
)


@dataclass(frozen=True)
class Section:
    """A run of paragraphs under one heading: `title` (the heading text, numbering kept), the
    heading paragraph index (None for the untitled start), level, and paragraph range [start, end)."""

    title: str
    heading: int | None
    level: int
    start: int
    end: int


def numbering_level(text: str) -> int | None:
    """Return the level of the clause numbering that `text` starts with, or None."""
    stripped = text.lstrip()
    for rx, level in NUMBERING:
        if rx.match(stripped):
            return level
    return None


def heading_level(text: str, marked: int | None = None) -> int | None:
    """Return the heading level of a paragraph, or None if it reads as body text.

    A paragraph is a heading when its source marks it (Word style, markdown #), or when it is
    short, starts with clause numbering and does not end like a sentence; an all-caps short line
    or a short Chinese title ending in a known heading word (条款/约定/协议…) also counts.
    """
    if marked:
        return marked
    t = text.strip()
    if not t:
        return None
    cjk = han_count(t)
    short = len(t) <= (30 if cjk > len(t) / 3 else 90)
    if not short or t.endswith(_TERMINAL):
        return None
    level = numbering_level(t)
    if level is not None:
        return level
    letters = [c for c in t if c.isalpha()]
    if letters and cjk == 0 and len(t) <= 60 and all(c.isupper() for c in letters) and len(letters) >= 4:
        return 2
    words = t.split()
    if cjk == 0 and 1 <= len(words) <= 8 and "|" not in t and t[0].isupper() and all(
            w[0].isupper() or not w[0].isalpha() or len(w) <= 3 for w in words):
        return 3
    if cjk and len(t) <= 16 and not re.search(r"[：:|_＿]", t) and re.search(
            r"(?:条款|约定|责任|解决|标准|流程|程序|期限|定义|说明|通知|赔偿|补偿|争议|排除|范围|附则|总则|协议|合同)$", t):
        return 2
    return None


def inline_title(text: str) -> str | None:
    """Return the run-in title of a numbered paragraph ("2. Requesting A Service Credit. To …"),
    or None."""
    m = _INLINE_TITLE.match(text) or _ZH_INLINE_TITLE.match(text)
    return m.group(1) if m else None


def split_sections(texts: list[str], marked: list[int | None] | None = None) -> list[Section]:
    """Return the sections of a document whose paragraphs are `texts` (in order).

    `marked` gives heading levels known from the source format (None where unknown). Sections
    nest by level; each paragraph belongs to the innermost section whose heading precedes it.
    """
    marked = marked or [None] * len(texts)
    heads = [(i, heading_level(t, m)) for i, (t, m) in enumerate(zip(texts, marked))]
    heads = [(i, lv) for i, lv in heads if lv is not None]
    sections = []
    if not heads or heads[0][0] > 0:
        sections.append(Section("", None, 0, 0, heads[0][0] if heads else len(texts)))
    # A section ends at the next heading of the same or an outer level (one pass with a stack).
    ends = [len(texts)] * len(heads)
    stack: list[int] = []
    for k, (i, lv) in enumerate(heads):
        while stack and heads[stack[-1]][1] >= lv:
            ends[stack.pop()] = i
        stack.append(k)
    for k, (i, lv) in enumerate(heads):
        sections.append(Section(texts[i].strip(), i, lv, i, ends[k]))
    return sections


def section_titles(sections: list[Section], n_paragraphs: int) -> list[list[str]]:
    """Return, for each paragraph index, the titles of the sections that contain it, outermost first."""
    titles: list[list[str]] = [[] for _ in range(n_paragraphs)]
    for s in sorted(sections, key=lambda s: (s.level, s.start)):
        if not s.title:
            continue
        for i in range(s.start, min(s.end, n_paragraphs)):
            titles[i].append(s.title)
    return titles


def innermost(sections: list[Section], n_paragraphs: int) -> list[int]:
    """Return, for each paragraph index, the index in `sections` of the innermost section holding it."""
    owner = [0] * n_paragraphs
    for k, s in sorted(enumerate(sections), key=lambda kv: (kv[1].level, kv[1].start)):
        for i in range(s.start, min(s.end, n_paragraphs)):
            owner[i] = k
    return owner
