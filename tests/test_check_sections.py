"""Sections: headings and clause numbering recognised, paragraphs assigned to their sections."""

from __future__ import annotations

import pytest

from clausegen.check.sections import heading_level, inline_title, split_sections

HEADINGS = [
    ("一、服务中断的定义与范围", 1),
    ("第三条 赔偿标准", 2),
    ("第十二条　争议解决", 2),
    ("（二）赔偿流程", 2),
    ("3.2 Service Credits", 3),
    ("3.2.1 Claims", 4),
    ("Section 4 Dispute Resolution", 2),
    ("ARTICLE IV GOVERNING LAW", 1),
    ("附件一 服务等级", 1),
    ("Schedule 2 – Service Levels", 1),
    ("DISPUTE RESOLUTION", 2),
    ("Service Credits", 3),
    ("争议解决条款", 2),
]
BODY = [
    "服务提供方应在2小时内通知服务接受方。",
    "1. 服务提供方应在2小时内通知服务接受方，并说明中断的原因、影响范围和预计恢复时间，且在恢复后提交报告。",
    "The Provider shall notify the Customer within two hours.",
    "Monthly Uptime | Service Credit",
    "Customer must submit a claim within 30 days of the incident and include the dates and times of the downtime in the claim.",
]


@pytest.mark.parametrize(("text", "level"), HEADINGS, ids=[h[0] for h in HEADINGS])
def test_heading_levels(text: str, level: int) -> None:
    assert heading_level(text) == level


@pytest.mark.parametrize("text", BODY, ids=range(len(BODY)))
def test_body_text_is_not_a_heading(text: str) -> None:
    assert heading_level(text) is None


def test_marked_headings_win() -> None:
    assert heading_level("Anything at all, even a sentence.", marked=2) == 2


def test_sections_nest_by_level() -> None:
    texts = ["Preamble text.", "一、定义", "服务中断是指服务不可用。", "（一）排除项", "计划维护不计入。",
             "二、争议解决", "协商不成的，提交仲裁。"]
    sections = split_sections(texts)
    titles = {(s.title, s.start, s.end) for s in sections}
    assert ("", 0, 1) in titles
    assert ("一、定义", 1, 5) in titles
    assert ("（一）排除项", 3, 5) in titles
    assert ("二、争议解决", 5, 7) in titles


@pytest.mark.parametrize(("text", "title"), [
    ("2. Requesting A Service Credit. To receive a Service Credit, Customer must notify Provider.",
     "Requesting A Service Credit"),
    ("6.4 Disputes: shall be resolved via arbitration in Cape Town.", "Disputes"),
    ("第十条 争议解决 因本合同引起的争议，双方协商解决。", "争议解决"),
    ("The Provider shall notify the Customer.", None),
])
def test_inline_titles(text: str, title) -> None:
    assert inline_title(text) == title
