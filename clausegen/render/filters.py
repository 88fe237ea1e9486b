"""Drafting filters: numbers, durations, amounts, percentages, dates and lists as lawyers write them.

Plain functions taking the language as an argument (tested as tables); `environment.py` wraps
them as Jinja2 filters that read the language from the template context.
"""

from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal, InvalidOperation

from clausegen.numbers import ZH_CAPITAL, ZH_CAPITAL_SMALL_UNITS, ZH_DIGITS, zh_int
from clausegen.characters import CJK_TEXT

# ---------------------------------------------------------------- English numbers

_EN_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
            "fifteen sixteen seventeen eighteen nineteen").split()
_EN_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_EN_SCALES = ((10**9, "billion"), (10**6, "million"), (1000, "thousand"), (100, "hundred"))


def en_words(n: int) -> str:
    """Return the non-negative integer `n` in English words, British style: "one hundred and five",
    "one hundred thousand and five", "one thousand two hundred and thirty-four"."""
    n = int(n)
    if n < 0:
        return "minus " + en_words(-n)
    if n < 20:
        return _EN_ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _EN_TENS[tens] + (f"-{_EN_ONES[ones]}" if ones else "")
    for scale, name in _EN_SCALES:
        if n >= scale:
            head, rest = divmod(n, scale)
            words = f"{en_words(head)} {name}"
            if not rest:
                return words
            # "and" before the last part when it is under a hundred (or after "hundred" always).
            joiner = " and " if rest < 100 else " "
            return words + joiner + en_words(rest)
    raise AssertionError(n)  # pragma: no cover


def _decimal(value) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None


def _plain(value) -> str:
    """Return `value` as digits without a trailing ".0" (99.90 -> "99.9", 30.0 -> "30")."""
    d = _decimal(value)
    text = format(d.normalize(), "f") if d != d.to_integral() else str(int(d))
    return text


def en_number_words(value) -> str:
    """Return `value` (int or decimal) in words: 99.9 -> "ninety-nine point nine"."""
    text = _plain(value)
    whole, _, frac = text.partition(".")
    words = en_words(int(whole))
    if frac:
        words += " point " + " ".join(_EN_ONES[int(c)] for c in frac)
    return words


def en_number(value) -> str:
    """Return "thirty (30)": `value` in words, then in digits; a fraction in digits only ("1.5"),
    never "zero point five" (validation asks for whole numbers where a contract counts)."""
    if _decimal(value) != _decimal(value).to_integral():
        return _grouped(value)
    return f"{en_number_words(value)} ({_grouped(value)})"


def _grouped(value) -> str:
    text = _plain(value)
    whole, dot, frac = text.partition(".")
    return f"{int(whole):,}{dot}{frac}"


# ---------------------------------------------------------------- Chinese numbers

def zh_number(value, measure: bool = False) -> str:
    """Return `value` in Chinese numerals: 30 -> 三十, 105 -> 一百零五, 99.9 -> 九十九点九.

    With `measure` (the number counts something: 两个工作日), 2 is written 两.
    """
    text = _plain(value)
    whole, _, frac = text.partition(".")
    n = int(whole)
    if measure and frac:
        return text  # 1.5小时, not 一点五小时: a measured fraction is written in digits
    if measure and n == 2 and not frac:
        return "两"
    words = zh_int(n)
    if frac:
        words += "点" + "".join(ZH_DIGITS[int(c)] for c in frac)
    return words


def zh_capital_amount(value) -> str:
    """Return an amount in capital numerals as on a cheque: 500 -> 伍佰元整, 12.05 -> 壹拾贰元零伍分."""
    d = _decimal(value).quantize(Decimal("0.01"))
    if d < 0:
        raise ValueError(f"negative amount: {value}")
    yuan = int(d)
    cents = int((d - yuan) * 100)
    jiao, fen = divmod(cents, 10)
    out = zh_int(yuan, ZH_CAPITAL, ZH_CAPITAL_SMALL_UNITS, drop_leading_one=False) + "元"
    if yuan == 0 and cents:
        out = ""
    if not cents:
        return out + "整"
    if jiao:
        out += ZH_CAPITAL[jiao] + "角"
    elif yuan:
        out += "零"
    if fen:
        out += ZH_CAPITAL[fen] + "分"
    else:
        out += "整"
    return out


# ---------------------------------------------------------------- durations

_UNIT_ALIASES = {
    "minute": "minutes", "min": "minutes", "hour": "hours", "h": "hours", "day": "days",
    "calendar_days": "days", "business_day": "business_days", "working_days": "business_days",
    "week": "weeks", "month": "months", "quarter": "quarters", "year": "years",
}
_EN_UNITS = {
    "minutes": ("minute", "minutes"), "hours": ("hour", "hours"), "days": ("day", "days"),
    "business_days": ("Business Day", "Business Days"), "weeks": ("week", "weeks"),
    "months": ("month", "months"), "quarters": ("quarter", "quarters"), "years": ("year", "years"),
}
_ZH_UNITS = {
    "minutes": "分钟", "hours": "小时", "days": "日", "business_days": "个工作日", "weeks": "周",
    "months": "个月", "quarters": "个季度", "years": "年",
}


def _unit(unit: str) -> str:
    unit = str(unit).strip().lower()
    unit = _UNIT_ALIASES.get(unit, unit)
    if unit not in _EN_UNITS:
        raise ValueError(f"unknown unit of time: {unit!r}")
    return unit


def duration(value, lang: str, unit: str | None = None) -> str:
    """Return a duration in drafting form: en "thirty (30) days", zh "三个工作日".

    `value` is a mapping {value, unit} or a number with `unit` given separately.
    """
    if isinstance(value, dict):
        value, unit = value.get("value"), value.get("unit")
    unit = _unit(unit or "days")
    if lang == "zh":
        return zh_number(value, measure=True) + _ZH_UNITS[unit]
    one, many = _EN_UNITS[unit]
    return f"{en_number(value)} {one if _decimal(value) == 1 else many}"


def every(value, lang: str, unit: str | None = None) -> str:
    """Return a recurring interval: en "every hour" / "every two (2) hours", zh "每小时" / "每两小时"."""
    if isinstance(value, dict):
        value, unit = value.get("value"), value.get("unit")
    unit = _unit(unit or "days")
    if lang == "zh":
        if _decimal(value) == 1:
            return "每" + {"days": "日", "months": "月"}.get(unit, _ZH_UNITS[unit])
        return "每" + duration(value, lang, unit)
    if _decimal(value) == 1:
        return "every " + _EN_UNITS[unit][0]
    return "every " + duration(value, lang, unit)


# ---------------------------------------------------------------- percentages, amounts, dates

def percent(value, lang: str, words: bool = True) -> str:
    """Return a percentage: en "ninety-nine point nine percent (99.9%)", zh "99.9%"."""
    if lang == "zh":
        return f"{_plain(value)}%"
    if not words:
        return f"{_plain(value)}%"
    return f"{en_number_words(value)} percent ({_plain(value)}%)"


_CURRENCIES = {
    # code: (zh name, English words for the whole unit, plural, minor unit, plural or None)
    "CNY": ("人民币", "yuan", "yuan", "fen", "fen"), "RMB": ("人民币", "yuan", "yuan", "fen", "fen"),
    "EUR": ("欧元", "euro", "euros", "cent", "cents"), "USD": ("美元", "US dollar", "US dollars", "cent", "cents"),
    "GBP": ("英镑", "pound sterling", "pounds sterling", "penny", "pence"),
    "HKD": ("港币", "Hong Kong dollar", "Hong Kong dollars", "cent", "cents"),
    "JPY": ("日元", "yen", "yen", None, None),
    "SGD": ("新加坡元", "Singapore dollar", "Singapore dollars", "cent", "cents"),
    "CHF": ("瑞士法郎", "Swiss franc", "Swiss francs", "centime", "centimes"),
    "AUD": ("澳大利亚元", "Australian dollar", "Australian dollars", "cent", "cents"),
    "CAD": ("加拿大元", "Canadian dollar", "Canadian dollars", "cent", "cents"),
    "NZD": ("新西兰元", "New Zealand dollar", "New Zealand dollars", "cent", "cents"),
    "MOP": ("澳门元", "pataca", "patacas", "avo", "avos"),
    "TWD": ("新台币", "New Taiwan dollar", "New Taiwan dollars", "cent", "cents"),
}


def money(value, lang: str, currency: str | None = None) -> str:
    """Return an amount: en "EUR 1,234.56 (one thousand two hundred and thirty-four euros and fifty-six
    cents)", zh "人民币500元（大写：人民币伍佰元整）".

    `value` is a mapping {amount, currency} or a number with `currency` given separately.
    """
    if isinstance(value, dict):
        value, currency = value.get("amount"), value.get("currency", currency)
    code = str(currency or "CNY").upper()
    d = _decimal(value)
    digits = f"{d:,.2f}" if d != d.to_integral() else f"{int(d):,}"
    zh_name, one, many, minor_one, minor_many = _CURRENCIES.get(code, (code, code, code, None, None))
    if lang == "zh":
        if code in ("CNY", "RMB"):
            return f"人民币{digits}元（大写：人民币{zh_capital_amount(d)}）"
        return f"{zh_name}{digits}元（大写：{zh_name}{zh_capital_amount(d)}）"
    if code not in _CURRENCIES:
        return f"{code} {digits}"
    whole = int(d)
    cents = int((d.quantize(Decimal("0.01")) - whole) * 100)
    if cents and not minor_one:
        return f"{code} {digits}"
    words = f"{en_words(whole)} {one if whole == 1 else many}"
    if cents:
        words += f" and {en_words(cents)} {minor_one if cents == 1 else minor_many}"
    return f"{code} {digits} ({words})"


_EN_MONTHS = ("January February March April May June July August September October November "
              "December").split()


def to_date(value) -> _dt.date:
    """Return `value` (a date, a datetime or an ISO "YYYY-MM-DD" string) as a date."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"not a date (expected YYYY-MM-DD): {value!r}") from None


def date(value, lang: str) -> str:
    """Return a date in the language's form: zh "2026年3月1日", en "1 March 2026"."""
    d = to_date(value)
    if lang == "zh":
        return f"{d.year}年{d.month}月{d.day}日"
    return f"{d.day} {_EN_MONTHS[d.month - 1]} {d.year}"


def join_list(items, lang: str, conj: str = "and") -> str:
    """Return items joined as a list: en "a, b and c" / "a, b or c", zh "a、b及c" / "a、b或c"."""
    items = [str(i) for i in items if str(i)]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    if lang == "zh":
        word = {"and": "及", "or": "或"}.get(conj, conj)
        return "、".join(items[:-1]) + word + items[-1]
    return ", ".join(items[:-1]) + f" {conj} " + items[-1]


def definite(name: str) -> str:
    """Return an English institution name with "the" in front ("the Dublin International
    Arbitration Centre"), leaving names that have it and acronyms ("CIETAC") alone."""
    name = str(name).strip()
    first = name.split(" ", 1)[0] if name else ""
    if not name or first.lower() == "the" or (first.isupper() and len(first) > 1) or not first[:1].isupper():
        return name
    return "the " + name


def localized(value, lang: str) -> str:
    """Return the `lang` text of a localized value (a string, or a mapping {zh, en})."""
    if value is None:
        return ""
    if isinstance(value, dict):
        for key in (lang, "en" if lang == "zh" else "zh"):
            if value.get(key) not in (None, ""):
                return str(value[key])
        return ""
    if isinstance(value, _dt.date):
        return date(value, lang)
    return str(value)


_CJK = re.compile(f"[{CJK_TEXT}]")


def has_cjk(text: str) -> bool:
    """Return True if `text` contains Chinese characters or full-width punctuation."""
    return bool(_CJK.search(text or ""))
