"""How numbers are written: Chinese numerals, and the list numbers of Word's numbering formats."""

from __future__ import annotations

ZH_DIGITS = "零一二三四五六七八九"
ZH_CAPITAL = "零壹贰叁肆伍陆柒捌玖"
ZH_SMALL_UNITS = ("", "十", "百", "千")
ZH_CAPITAL_SMALL_UNITS = ("", "拾", "佰", "仟")
ZH_BIG_UNITS = ("", "万", "亿", "万亿")
_STEMS = "甲乙丙丁戊己庚辛壬癸"  # Word's ideographTraditional
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"),
          (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


def zh_int(n: int, digits: str = ZH_DIGITS, small_units: tuple = ZH_SMALL_UNITS,
           big_units: tuple = ZH_BIG_UNITS, drop_leading_one: bool = True) -> str:
    """Return the whole number `n` >= 0 in Chinese numerals: 12 -> 十二, 105 -> 一百零五.

    `digits` and `small_units` pick everyday (一十百) or capital (壹拾佰) numerals; with
    `drop_leading_one`, 一十二 is written 十二 (everyday writing; amounts keep 壹拾). Past the
    largest unit (万亿) the number is written in Arabic digits.
    """
    if n == 0:
        return digits[0]
    if n >= 10000 ** len(big_units):
        return f"{n:,}"
    groups = []
    while n:
        n, g = divmod(n, 10000)
        groups.append(g)
    out = ""
    need_zero = False
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if g == 0:
            need_zero = bool(out)
            continue
        part = ""
        zero = False
        for pos in range(3, -1, -1):
            d = (g // 10**pos) % 10
            if d == 0:
                zero = bool(part)
                continue
            if zero or (need_zero and not part and out):
                part += digits[0]
                zero = False
            part += digits[d] + small_units[pos]
        if out and g < 1000 and not part.startswith(digits[0]):
            part = digits[0] + part
        out += part + big_units[i]
        need_zero = False
    if drop_leading_one and out.startswith(digits[1] + small_units[1]):
        out = out[1:]
    return out


def roman(n: int) -> str:
    """Return `n` (1..3999) in lower-case Roman numerals: 4 -> iv, 40 -> xl, 1999 -> mcmxcix."""
    out = ""
    for value, sym in _ROMAN:
        count, n = divmod(n, value)
        out += sym * count
    return out


def letters(n: int) -> str:
    """Return Word's letter number of `n` >= 1: a..z, then aa..zz, aaa.. (27 -> aa, 28 -> bb)."""
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def list_number(n: int, fmt: str) -> str:
    """Return the number `n` of a list item as Word shows it in numbering format `fmt` (w:numFmt).

    decimal 1, 2; lowerRoman/upperRoman i, ii … (digits outside 1..3999, as Word does);
    lowerLetter/upperLetter a … z, aa, bb; chineseCounting (and the other counting formats)
    一 … 十, 十一, 一百零一; chineseLegalSimplified 壹, 壹拾; ideographDigital 一〇;
    ideographTraditional 甲 … 癸; bullet and none give no number; any other format decimal.
    """
    if fmt in ("bullet", "none"):
        return ""
    if n < 1:
        return str(n)
    if fmt in ("lowerRoman", "upperRoman") and n < 4000:
        return roman(n).upper() if fmt == "upperRoman" else roman(n)
    if fmt in ("lowerLetter", "upperLetter"):
        return letters(n).upper() if fmt == "upperLetter" else letters(n)
    if fmt in ("chineseCounting", "chineseCountingThousand", "taiwaneseCounting", "taiwaneseCountingThousand",
               "japaneseCounting", "koreanCounting"):
        return zh_int(n)
    if fmt == "chineseLegalSimplified":
        return zh_int(n, ZH_CAPITAL, ZH_CAPITAL_SMALL_UNITS, drop_leading_one=False)
    if fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        return "".join("〇一二三四五六七八九"[int(d)] for d in str(n))
    if fmt == "ideographTraditional" and n <= len(_STEMS):
        return _STEMS[n - 1]
    return str(n)
