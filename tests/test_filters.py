"""The drafting filters, as tables: English and Chinese numbers, durations, amounts, dates, lists."""

from __future__ import annotations

import datetime as dt

import pytest

from clausegen.render import filters as F


@pytest.mark.parametrize("value, expected", [
    (0, "zero"), (1, "one"), (13, "thirteen"), (30, "thirty"), (72, "seventy-two"), (100, "one hundred"),
    (105, "one hundred and five"), (12000, "twelve thousand"), (100005, "one hundred thousand and five"),
    (1234, "one thousand two hundred and thirty-four"), (2001, "two thousand and one"),
    (1100, "one thousand one hundred"), (200000, "two hundred thousand"), (1_000_050, "one million and fifty"), (99.9, "ninety-nine point nine"),
    (99.95, "ninety-nine point nine five"), (1_000_000, "one million"),
], ids=str)
def test_en_number_words(value, expected):
    assert F.en_number_words(value) == expected


@pytest.mark.parametrize("value, unit, expected", [
    (30, "days", "thirty (30) days"), (1, "days", "one (1) day"), (3, "business_days", "three (3) Business Days"),
    (1, "business_days", "one (1) Business Day"), (72, "hours", "seventy-two (72) hours"),
    (5, "minutes", "five (5) minutes"), (24, "months", "twenty-four (24) months"),
    (1200, "days", "one thousand two hundred (1,200) days"), (105, "days", "one hundred and five (105) days"),
    (1.5, "hours", "1.5 hours"), (0.5, "minutes", "0.5 minutes"),
], ids=str)
def test_en_duration(value, unit, expected):
    """Whole numbers in words and digits; fractions (which validate refuses) in digits, never "zero point five"."""
    assert F.duration({"value": value, "unit": unit}, "en") == expected


@pytest.mark.parametrize("value, unit, expected", [
    (3, "business_days", "三个工作日"), (2, "business_days", "两个工作日"), (30, "days", "三十日"),
    (5, "minutes", "五分钟"), (72, "hours", "七十二小时"), (2, "hours", "两小时"), (24, "months", "二十四个月"),
    (10, "days", "十日"), (105, "days", "一百零五日"), (110, "minutes", "一百一十分钟"),
    (0.5, "minutes", "0.5分钟"), (1.5, "days", "1.5日"),
], ids=str)
def test_zh_duration(value, unit, expected):
    assert F.duration({"value": value, "unit": unit}, "zh") == expected


@pytest.mark.parametrize("amount, expected", [
    (500, "伍佰元整"), (68000, "陆万捌仟元整"), (12000, "壹万贰仟元整"), (10, "壹拾元整"), (1005, "壹仟零伍元整"),
    (100000, "壹拾万元整"), (20300, "贰万零叁佰元整"), (1000001, "壹佰万零壹元整"), (12.05, "壹拾贰元零伍分"),
    (12.5, "壹拾贰元伍角整"), (0, "零元整"),
], ids=str)
def test_zh_capital_amount(amount, expected):
    assert F.zh_capital_amount(amount) == expected


@pytest.mark.parametrize("money, lang, expected", [
    ({"amount": 500, "currency": "CNY"}, "zh", "人民币500元（大写：人民币伍佰元整）"),
    ({"amount": 68000, "currency": "CNY"}, "zh", "人民币68,000元（大写：人民币陆万捌仟元整）"),
    ({"amount": 12000, "currency": "EUR"}, "en", "EUR 12,000 (twelve thousand euros)"),
    ({"amount": 1, "currency": "USD"}, "en", "USD 1 (one US dollar)"),
    ({"amount": 99.5, "currency": "USD"}, "en", "USD 99.50 (ninety-nine US dollars and fifty cents)"),
    ({"amount": 1234.56, "currency": "EUR"}, "en",
     "EUR 1,234.56 (one thousand two hundred and thirty-four euros and fifty-six cents)"),
    ({"amount": 100005, "currency": "EUR"}, "en", "EUR 100,005 (one hundred thousand and five euros)"),
    ({"amount": 0.01, "currency": "GBP"}, "en", "GBP 0.01 (zero pounds sterling and one penny)"),
    ({"amount": 1500.5, "currency": "JPY"}, "en", "JPY 1,500.50"),
    ({"amount": 500, "currency": "CHF"}, "en", "CHF 500 (five hundred Swiss francs)"),
], ids=str)
def test_money(money, lang, expected):
    assert F.money(money, lang) == expected


@pytest.mark.parametrize("value, lang, expected", [
    (99.9, "en", "ninety-nine point nine percent (99.9%)"), (50, "en", "fifty percent (50%)"),
    (99.95, "zh", "99.95%"), (100, "zh", "100%"),
], ids=str)
def test_percent(value, lang, expected):
    assert F.percent(value, lang) == expected


@pytest.mark.parametrize("value, lang, expected", [
    ("2026-03-01", "zh", "2026年3月1日"), ("2026-03-01", "en", "1 March 2026"),
    (dt.date(2029, 2, 28), "en", "28 February 2029"), (dt.date(2027, 12, 31), "zh", "2027年12月31日"),
], ids=str)
def test_date(value, lang, expected):
    assert F.date(value, lang) == expected


@pytest.mark.parametrize("items, lang, conj, expected", [
    (["a"], "en", "and", "a"), (["a", "b"], "en", "or", "a or b"), (["a", "b", "c"], "en", "and", "a, b and c"),
    (["甲", "乙", "丙"], "zh", "and", "甲、乙及丙"), (["电话", "邮件"], "zh", "or", "电话或邮件"),
], ids=str)
def test_join_list(items, lang, conj, expected):
    assert F.join_list(items, lang, conj) == expected


@pytest.mark.parametrize("value, lang, expected", [
    ("Provider", "zh", "Provider"), ({"zh": "乙方", "en": "Provider"}, "zh", "乙方"),
    ({"zh": "乙方", "en": "Provider"}, "en", "Provider"), ({"zh": "乙方"}, "en", "乙方"), (None, "en", ""),
], ids=str)
def test_localized_text_picks_the_language(value, lang, expected):
    assert F.localized(value, lang) == expected


@pytest.mark.parametrize("name, expected", [
    ("Dublin International Arbitration Centre", "the Dublin International Arbitration Centre"),
    ("the London Court of International Arbitration", "the London Court of International Arbitration"),
    ("CIETAC", "CIETAC"), ("ICC International Court of Arbitration", "ICC International Court of Arbitration"),
], ids=str)
def test_definite_article_before_institution_names(name, expected):
    assert F.definite(name) == expected


def test_unknown_unit_is_an_error():
    with pytest.raises(ValueError, match="unknown unit"):
        F.duration({"value": 3, "unit": "fortnights"}, "en")


@pytest.mark.parametrize("value, unit, lang, expected", [
    (1, "hours", "en", "every hour"), (2, "hours", "en", "every two (2) hours"),
    (1, "business_days", "en", "every Business Day"), (1, "hours", "zh", "每小时"), (2, "hours", "zh", "每两小时"),
    (1, "days", "zh", "每日"), (1, "business_days", "zh", "每个工作日"), (30, "minutes", "zh", "每三十分钟"),
], ids=str)
def test_every(value, unit, lang, expected):
    """"at least once every hour", never "at least every one (1) hour"."""
    assert F.every({"value": value, "unit": unit}, lang) == expected
