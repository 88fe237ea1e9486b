"""List numbers as Word shows them, one table for every numbering format, used by the reader and the writers."""

from __future__ import annotations

import pytest

from clausegen.numbers import list_number, zh_int

TABLE = [
    # (format, n, what Word shows)
    ("decimal", 1, "1"), ("decimal", 40, "40"), ("decimal", 1000, "1000"),
    ("lowerRoman", 1, "i"), ("lowerRoman", 4, "iv"), ("lowerRoman", 9, "ix"), ("lowerRoman", 14, "xiv"),
    ("lowerRoman", 40, "xl"), ("lowerRoman", 49, "xlix"), ("lowerRoman", 90, "xc"), ("lowerRoman", 400, "cd"),
    ("lowerRoman", 1999, "mcmxcix"), ("lowerRoman", 3999, "mmmcmxcix"), ("lowerRoman", 4000, "4000"),
    ("upperRoman", 3, "III"), ("upperRoman", 40, "XL"), ("upperRoman", 2024, "MMXXIV"),
    ("lowerLetter", 1, "a"), ("lowerLetter", 26, "z"), ("lowerLetter", 27, "aa"), ("lowerLetter", 28, "bb"),
    ("lowerLetter", 52, "zz"), ("lowerLetter", 53, "aaa"),
    ("upperLetter", 2, "B"), ("upperLetter", 27, "AA"), ("upperLetter", 30, "DD"),
    ("chineseCounting", 1, "一"), ("chineseCounting", 10, "十"), ("chineseCounting", 11, "十一"),
    ("chineseCounting", 20, "二十"), ("chineseCounting", 21, "二十一"), ("chineseCounting", 99, "九十九"),
    ("chineseCounting", 100, "一百"), ("chineseCounting", 101, "一百零一"), ("chineseCounting", 110, "一百一十"),
    ("chineseCountingThousand", 1005, "一千零五"),
    ("chineseLegalSimplified", 12, "壹拾贰"), ("ideographDigital", 10, "一〇"), ("ideographTraditional", 3, "丙"),
    ("bullet", 5, ""), ("none", 5, ""), ("ordinal", 7, "7"),
]


@pytest.mark.parametrize(("fmt", "n", "shown"), TABLE, ids=[f"{f}-{n}" for f, n, _ in TABLE])
def test_list_number_matches_word(fmt: str, n: int, shown: str) -> None:
    assert list_number(n, fmt) == shown


def test_chinese_amount_numerals_keep_the_leading_one() -> None:
    assert zh_int(12) == "十二"
    assert zh_int(100_000_005) == "一亿零五"


def test_the_writers_and_the_reader_number_lists_the_same_way() -> None:
    from clausegen.render.model import Paragraph, number_labels

    blocks = [Paragraph(text="x", level=2)] * 28
    assert number_labels(blocks, 1, "en")[26:] == ["(aa)", "(bb)"]
    blocks = [Paragraph(text="x", level=2)] + [Paragraph(text="y", level=3)] * 40
    assert number_labels(blocks, 1, "en")[40] == "(xl)"
