"""Markdown input: soft-wrapped lines of one block are one paragraph (Markdown's own rule)."""

from clausegen.check import readers


def test_markdown_soft_wrapped_lines_form_one_paragraph(tmp_path):
    md = tmp_path / "c.md"
    md.write_text(
        "## 3. Claims\n\n"
        "3.3 Claims must be submitted within thirty (30) days after the end of the month in which the\n"
        "Downtime occurred.\n\n"
        "- first item\n- second item\n",
        encoding="utf-8",
    )
    texts = [p.text for p in readers.read_text(md)]
    assert texts == [
        "3. Claims",
        "3.3 Claims must be submitted within thirty (30) days after the end of the month in which the "
        "Downtime occurred.",
        "- first item",
        "- second item",
    ]


def test_plain_text_keeps_short_lines_apart(tmp_path):
    txt = tmp_path / "c.txt"
    txt.write_text("第一条 服务内容\n乙方向甲方提供云主机服务。\n", encoding="utf-8")
    assert [p.text for p in readers.read_text(txt)] == ["第一条 服务内容", "乙方向甲方提供云主机服务。"]
