"""Read the commercial values of a contract's provisions: durations, percentages, amounts, forum, law.

A reviewer asks not only whether a notice duty exists but how fast it is. This module finds, in
the contract's own text, the figures and names that the firm's positions speak of (see
clausegen.playbook) and that a spec needs (clausegen.extract), in Chinese and English:

=====================  ============  =========================================================
term                   provision     what
=====================  ============  =========================================================
notice_within          notification  time to notify an interruption (一小时内通知; within 1 hour)
claim_window           deadlines     time to claim compensation (30 days after the month)
payment_deadline       deadlines     time to pay or credit it (10 business days)
availability_target    standards     the promised availability (99.9 %)
service_credit         standards     a credit tier: credit percent below an availability
cap                    standards     the cap on compensation, in percent of the fees
compensation_amount    standards     an amount of money per hour / per incident
dispute_method         disputes      arbitration or court
arbitration_institution disputes     CIETAC, SHIAC, BAC, HKIAC, SIAC, … (canonical code)
venue                  disputes      seat of arbitration or the court's place
governing_law          disputes      the governing law (canonical name)
=====================  ============  =========================================================

Every value keeps the exact phrase it was read from (paragraph and offsets), so a report can
quote it and a redline can replace it. Business days and calendar days are kept apart.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

TERMS = {
    "notice_within": ("notification", "duration"),
    "claim_window": ("deadlines", "duration"),
    "payment_deadline": ("deadlines", "duration"),
    "availability_target": ("standards", "percent"),
    "service_credit": ("standards", "percent"),
    "cap": ("standards", "percent"),
    "compensation_amount": ("standards", "money"),
    "dispute_method": ("disputes", "method"),
    "arbitration_institution": ("disputes", "institution"),
    "venue": ("disputes", "venue"),
    "governing_law": ("disputes", "law"),
}


@dataclass(frozen=True)
class Value:
    """One value read from the contract: its term, kind, normalised value and unit, and the phrase.

    `value` is a number (duration amount, percent, money amount) or a canonical name
    (institution code, law, venue, method); `unit` is the unit of time (minutes, hours, days,
    business_days, calendar_days, weeks, months, years) or the currency code. `below` is the
    availability under which a service-credit tier applies. `paragraph`, `start`, `end` locate
    `text` in the reader's paragraphs (0-based paragraph, offsets in it).
    """

    term: str
    kind: str
    value: object
    unit: str | None
    text: str
    paragraph: int
    start: int
    end: int
    below: float | None = None
    # Where `text` is in the file (clausegen.check.model.Region / RunRange), filled in by the checker.
    region: object = None
    runs: tuple = ()

    @property
    def provision(self) -> str:
        return TERMS[self.term][0]

    def to_dict(self) -> dict:
        """Return the value as the JSON report shows it (no empty keys)."""
        return {k: v for k, v in asdict(self).items() if v is not None and v != ()}


# ---------------------------------------------------------------- numbers

_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9, "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8, "玖": 9}
_ZH_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_EN_WORDS = {w: i for i, w in enumerate(
    ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"])}
_EN_WORDS.update({"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
                  "eighty": 80, "ninety": 90, "a": 1, "an": 1})
_FULLWIDTH = str.maketrans("０１２３４５６７８９．％", "0123456789.%")


def zh_int(text: str) -> int | None:
    """Return the number written in Chinese numerals (三十, 二十四, 一百二十, 10) or None."""
    text = text.translate(_FULLWIDTH)
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for ch in text:
        if ch in _ZH_DIGITS:
            current = _ZH_DIGITS[ch]
        elif ch in _ZH_UNITS:
            total += (current or 1) * _ZH_UNITS[ch]
            current = 0
        else:
            return None
    return total + current


def _number(text: str) -> float | None:
    """Return the number in `text`: 30, 3.5, 三十, thirty (30), twenty-four; None if none."""
    text = text.strip().translate(_FULLWIDTH)
    bracket = re.search(r"[（(]\s*(\d+(?:\.\d+)?)\s*[）)]", text)
    if bracket:
        return float(bracket.group(1))
    digits = re.fullmatch(r"\d+(?:[.,]\d+)?", text)
    if digits:
        return float(text.replace(",", "")) if "," not in text or len(text.split(",")[-1]) == 3 else float(
            text.replace(",", "."))
    if re.fullmatch(r"[零〇一二两三四五六七八九十百千]+", text):
        return float(zh_int(text)) if zh_int(text) is not None else None
    words = re.split(r"[\s-]+", text.lower())
    if words and all(w in _EN_WORDS for w in words):
        return float(sum(_EN_WORDS[w] for w in words))
    return None


def _clean_number(n: float):
    return int(n) if float(n).is_integer() else n


# ---------------------------------------------------------------- durations

_ZH_NUM = r"[0-9０-９]+(?:[.．][0-9]+)?|[一二两三四五六七八九十百]+"
_EN_NUMWORD = (r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
               r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
               r"(?:-(?:one|two|three|four|five|six|seven|eight|nine))?")
_DURATION = {
    "zh": re.compile(
        rf"(?<![0-9０-９.．月年])(?P<num>{_ZH_NUM})\s*(?:[（(]\s*[0-9]+\s*[）)])?\s*(?:个)?\s*"
        r"(?P<unit>工作日|营业日|自然日|日历日|小时|钟头|分钟|天|日(?![期元历])|周|星期|个?自然月|个月)"),
    "en": re.compile(
        rf"(?i)\b(?P<num>\d+(?:\.\d+)?|{_EN_NUMWORD}(?:\s*\(\s*\d+\s*\))?|an?)\s*-?\s*"
        r"(?P<unit>(?:business|working|calendar|banking)\s+days?|days?|hours?|hrs?|minutes?|mins?|weeks?|months?|"
        r"years?)\b"),
}
_UNIT_OF = {
    "工作日": "business_days", "营业日": "business_days", "自然日": "calendar_days", "日历日": "calendar_days",
    "小时": "hours", "钟头": "hours", "分钟": "minutes", "天": "days", "日": "days", "周": "weeks", "星期": "weeks",
    "自然月": "months", "个自然月": "months", "个月": "months",
}


def _unit(raw: str, lang: str) -> str:
    if lang == "zh":
        return _UNIT_OF[raw]
    raw = " ".join(raw.lower().split())
    if raw.startswith(("business", "working", "banking")):
        return "business_days"
    if raw.startswith("calendar"):
        return "calendar_days"
    for key, unit in (("min", "minutes"), ("h", "hours"), ("day", "days"), ("week", "weeks"), ("month", "months"),
                      ("year", "years")):
        if raw.startswith(key):
            return unit
    return raw


MINUTES = {"minutes": 1, "hours": 60, "days": 1440, "calendar_days": 1440, "business_days": 1440 * 7 / 5,
           "weeks": 7 * 1440, "months": 30 * 1440, "years": 365 * 1440}


def in_minutes(value: float, unit: str) -> float:
    """Return a duration in minutes (a business day counts 7/5 of a calendar day, a month 30 days)."""
    return float(value) * MINUTES[unit]


# ---------------------------------------------------------------- cues: which term a figure belongs to

_CUES = {
    "zh": {
        "advance": re.compile(r"提前|事先|事前|预先|以前通知|前通知|之前通知"),
        "claim": re.compile(r"申请|索赔|提出|主张|申报|要求赔偿|要求补偿|提交"),
        "pay": re.compile(r"支付|退还|返还|退款|发放|给付|赔付|抵扣|兑现|到账|划转|结算|补偿|赔偿"),
        "notify": re.compile(r"通知|告知|通报|报告|知会|通告"),
    },
    "en": {
        "advance": re.compile(r"(?i)\b(?:in advance|prior|advance|before|ahead)\b"),
        "claim": re.compile(r"(?i)\b(?:claims?|request(?:s|ed)?|submit(?:ted)?|apply|applications?|notify us of|"
                            r"must (?:be )?(?:received|filed)|eligible)\b"),
        "pay": re.compile(r"(?i)\b(?:paid|pay|payment|refund(?:ed)?|credit(?:ed)?|issued?|appl(?:y|ied)|remit(?:ted)?)\b"),
        "notify": re.compile(r"(?i)\b(?:notif(?:y|ied|ication)|inform(?:ed)?|notice|report|alert|communicat\w*)\b"),
    },
}
_INTERRUPTION = {
    "zh": re.compile(r"中断|故障|不可用|停机|宕机|异常|事故|事件|停电|无法(?:正常)?(?:使用|访问)"),
    "en": re.compile(r"(?i)\b(?:interruption|outage|downtime|unavailab\w*|incident|failure|disruption|"
                     r"service (?:issue|problem|degradation)|down)\b"),
}
_SEGMENT = re.compile(r"[，,；;。.!?！？:：]")


def _segment_before(text: str, start: int) -> str:
    """Return the clause before the figure at `start` (back to the previous comma or stop) and the figure's own."""
    stops = [m.end() for m in _SEGMENT.finditer(text, 0, start)]
    begin = stops[-2] if len(stops) >= 2 else 0
    end = _SEGMENT.search(text, start)
    return text[begin:end.start() if end else len(text)]


def _duration_term(sentence: str, start: int, end: int, lang: str) -> str | None:
    cues = _CUES[lang]
    near = _segment_before(sentence, start)
    before = near[: near.find(sentence[start:end])] if sentence[start:end] in near else near
    after = sentence[end:end + 30]
    if cues["advance"].search(near) or cues["advance"].search(after[:12]):
        return None  # maintenance notice given in advance: not the notice of an interruption
    # The verb closest before the figure says what the time limit is for ("paid within 10 days after the claim").
    if lang == "zh":  # 在……十五个工作日内提出申请: the verb follows the time limit
        tail = re.split(r"[，,；;。]", after, maxsplit=1)[0][:15]
        firsts = {term: m.start() for key, term in (("claim", "claim_window"), ("pay", "payment_deadline"),
                                                    ("notify", "notice_within"))
                  if (m := cues[key].search(tail))}
        if firsts:
            return min(firsts, key=firsts.get)
    last = {}
    for key, term in (("claim", "claim_window"), ("pay", "payment_deadline"), ("notify", "notice_within")):
        hits = [m.end() for m in cues[key].finditer(before)]
        if hits:
            last[term] = hits[-1]
    if last:
        return max(last, key=last.get)
    if cues["pay"].search(after):
        return "payment_deadline"
    if cues["notify"].search(after[:20]):
        return "notice_within"
    return None


_TERM_UNITS = {
    "notice_within": {"minutes", "hours", "days", "business_days", "calendar_days"},
    "claim_window": {"days", "business_days", "calendar_days", "weeks", "months"},
    "payment_deadline": {"days", "business_days", "calendar_days", "weeks", "months"},
}


def _within(sentence: str, start: int, end: int, lang: str) -> bool:
    """Return whether the duration is a time limit (within / no later than / 内), not a length of outage."""
    if lang == "zh":
        return bool(re.match(r"\s*(?:之内|以内|内|之前|前|届满前)", sentence[end:end + 4])) or "起" in sentence[max(0, start - 12):start]
    return bool(re.search(r"(?i)\b(?:within|no later than|not later than|at least|no more than|not more than|"
                          r"up to|in|after|of)\s+(?:the\s+)?$", sentence[max(0, start - 30):start]))


# ---------------------------------------------------------------- percentages, money, forum, law

_PERCENT = {
    "zh": re.compile(r"(?P<num>[0-9０-９]+(?:[.．][0-9０-９]+)?)\s*[%％]|百分之(?P<zh>[一二三四五六七八九十百零点]+)"),
    "en": re.compile(r"(?P<num>\d+(?:\.\d+)?)\s*(?:%|per\s*cent\b|percent\b)"),
}
_CREDIT = {"zh": re.compile(r"赔偿|补偿|抵扣|代金券|返还|减免|退还|服务信用|赔付"),
           "en": re.compile(r"(?i)\bcredits?\b|\bcompensat\w*|\brefund\w*|\brebate\w*|\bdiscount\w*")}
_AVAIL = {"zh": re.compile(r"可用性|可用率|服务等级|在线率|正常运行|可用"),
          "en": re.compile(r"(?i)\bavailab\w*|\buptime\b|\bservice level\b")}
_CAP = {"zh": re.compile(r"上限|最高|累计不超过|不超过|不得超过|最多|总额|以.{0,6}为限"),
        "en": re.compile(r"(?i)\b(?:cap(?:ped)?|maximum|not exceed|shall not exceed|up to|no more than|limited to|in the aggregate|total)\b")}

_MONEY = {
    "zh": re.compile(r"(?P<cur>人民币|RMB|CNY|USD|美元|港币|欧元|￥|¥|\$)?\s*(?P<num>[0-9][0-9,，]*(?:\.[0-9]+)?)\s*(?P<mult>万|亿)?\s*(?P<yuan>元|美元|港元)"),
    "en": re.compile(r"(?P<cur>US\$|\$|€|£|¥|RMB|CNY|USD|EUR|GBP|HKD|SGD)\s*(?P<num>[0-9][0-9,]*(?:\.[0-9]+)?)"),
}
_CURRENCY = {"人民币": "CNY", "RMB": "CNY", "CNY": "CNY", "￥": "CNY", "¥": "CNY", "元": "CNY", "USD": "USD",
             "美元": "USD", "US$": "USD", "$": "USD", "港币": "HKD", "港元": "HKD", "欧元": "EUR", "€": "EUR",
             "EUR": "EUR", "£": "GBP", "GBP": "GBP", "HKD": "HKD", "SGD": "SGD"}

# Arbitration institutions: canonical code -> names a contract uses (zh and en).
INSTITUTIONS = {
    "CIETAC": ("中国国际经济贸易仲裁委员会", "中国国际贸易促进委员会对外经济贸易仲裁委员会", "贸仲委", "贸仲", "CIETAC",
               "China International Economic and Trade Arbitration Commission"),
    "SHIAC": ("上海国际经济贸易仲裁委员会", "上海国际仲裁中心", "SHIAC", "Shanghai International Arbitration Cent",
              "Shanghai International Economic and Trade Arbitration Commission"),
    "BAC": ("北京仲裁委员会", "北京国际仲裁中心", "Beijing Arbitration Commission", "Beijing International Arbitration Cent",
            "BAC"),
    "HKIAC": ("香港国际仲裁中心", "HKIAC", "Hong Kong International Arbitration Cent"),
    "SIAC": ("新加坡国际仲裁中心", "SIAC", "Singapore International Arbitration Cent"),
    "SCIA": ("深圳国际仲裁院", "华南国际经济贸易仲裁委员会", "Shenzhen Court of International Arbitration", "SCIA"),
    "SHAC": ("上海仲裁委员会", "Shanghai Arbitration Commission"),
    "GZAC": ("广州仲裁委员会", "Guangzhou Arbitration Commission"),
    "ICC": ("国际商会仲裁院", "International Chamber of Commerce", "ICC"),
    "LCIA": ("伦敦国际仲裁院", "London Court of International Arbitration", "LCIA"),
    "AAA": ("American Arbitration Association", "International Centre for Dispute Resolution", "ICDR", "AAA"),
    "JAMS": ("JAMS",),
}
INSTITUTION_NAMES = {
    "CIETAC": {"zh": "中国国际经济贸易仲裁委员会", "en": "China International Economic and Trade Arbitration Commission (CIETAC)"},
    "SHIAC": {"zh": "上海国际经济贸易仲裁委员会（上海国际仲裁中心）", "en": "Shanghai International Arbitration Center (SHIAC)"},
    "BAC": {"zh": "北京仲裁委员会（北京国际仲裁中心）", "en": "Beijing Arbitration Commission (BAC)"},
    "HKIAC": {"zh": "香港国际仲裁中心", "en": "Hong Kong International Arbitration Centre (HKIAC)"},
    "SIAC": {"zh": "新加坡国际仲裁中心", "en": "Singapore International Arbitration Centre (SIAC)"},
    "SCIA": {"zh": "深圳国际仲裁院", "en": "Shenzhen Court of International Arbitration (SCIA)"},
    "SHAC": {"zh": "上海仲裁委员会", "en": "Shanghai Arbitration Commission"},
    "GZAC": {"zh": "广州仲裁委员会", "en": "Guangzhou Arbitration Commission"},
    "ICC": {"zh": "国际商会仲裁院", "en": "International Court of Arbitration of the International Chamber of Commerce (ICC)"},
    "LCIA": {"zh": "伦敦国际仲裁院", "en": "London Court of International Arbitration (LCIA)"},
    "AAA": {"zh": "美国仲裁协会", "en": "American Arbitration Association (AAA)"},
    "JAMS": {"zh": "JAMS", "en": "JAMS"},
}
_INSTITUTION = re.compile("|".join(sorted(
    (re.escape(n) + (r"(?:er|re)" if n.endswith("Cent") else "") for names in INSTITUTIONS.values() for n in names
     if len(n) > 4 or not n.isascii()), key=len, reverse=True)) + r"|\b(?:SIAC|BAC|ICC|AAA|JAMS|ICDR|SCIA)\b")
_GENERIC_INSTITUTION = re.compile(r"[\u4e00-\u9fff]{2,8}?(?:仲裁委员会|仲裁院|仲裁中心)")

# Governing law: canonical name -> patterns of the jurisdiction's name.
LAWS = {
    "PRC": r"中华人民共和国|中国(?!香港|澳门|台湾)|People'?s Republic of China|PRC|\bChina\b|Mainland China",
    "Hong Kong": r"香港|Hong Kong",
    "Singapore": r"新加坡|Singapore",
    "England and Wales": r"England(?: and Wales)?|英格兰",
    "New York": r"(?:State of )?New York",
    "California": r"(?:State of )?California",
    "Delaware": r"(?:State of )?Delaware",
    "Washington": r"(?:State of )?Washington",
    "Ireland": r"Ireland|爱尔兰",
    "Germany": r"Germany|Federal Republic of Germany|德国",
}
LAW_NAMES = {
    "PRC": {"zh": "中华人民共和国法律（为本合同之目的，不包括香港特别行政区、澳门特别行政区和台湾地区的法律）",
            "en": "the laws of the People's Republic of China"},
    "Hong Kong": {"zh": "香港特别行政区法律", "en": "the laws of the Hong Kong Special Administrative Region"},
    "Singapore": {"zh": "新加坡法律", "en": "the laws of Singapore"},
    "England and Wales": {"zh": "英格兰及威尔士法律", "en": "the laws of England and Wales"},
    "New York": {"zh": "美国纽约州法律", "en": "the laws of the State of New York"},
    "Ireland": {"zh": "爱尔兰法律", "en": "the laws of Ireland"},
}
_LAW_PHRASE = {
    "zh": [re.compile(r"(?:适用|依据|依照|按照|受)(?P<x>[\u4e00-\u9fff（）()]{2,24}?)(?:的)?法律(?:管辖|解释|约束)?"),
           re.compile(r"(?P<x>中华人民共和国|中国)法律(?:管辖|为准据法)")],
    "en": [re.compile(r"(?i)govern\w*\s+by(?:,? and (?:shall be )?constru\w+ in accordance with,?)?\s+(?:the\s+)?"
                      r"(?:substantive\s+|internal\s+)?laws?\s+of\s+(?:the\s+)?(?P<x>[A-Z][\w'’. -]{1,60}?)"
                      r"(?=[,.;(]|\s+(?:without|excluding|and|as|applicable|that|which|except)\b|$)"),
           re.compile(r"(?P<x>[A-Z][\w'’. -]{1,40}?)\s+law\s+(?:shall\s+)?governs?\b")],
}
_VENUE = {
    "zh": [re.compile(r"(?P<x>[\u4e00-\u9fff]{2,14}?(?:省|市|区|县|签订地|所在地|住所地))(?:有管辖权的|的)?(?:基层|中级)?人民法院"),
           re.compile(r"仲裁地(?:点)?(?:为|是|在)(?P<x>[\u4e00-\u9fff]{2,8}?)(?:[。，；,;]|市)"),
           re.compile(r"(?:在|于)(?P<x>[\u4e00-\u9fff]{2,6}?)(?:市)?(?:进行)?仲裁")],
    "en": [re.compile(r"(?i)(?:seat|place|venue)\s+of\s+(?:the\s+)?arbitration\s+(?:shall\s+be|will\s+be|is)\s+"
                      r"(?:in\s+)?(?P<x>[A-Z][\w ,'’.-]{1,50}?)(?=[.;]|\s+and\b|,\s+(?:and|the)\b|$)"),
           re.compile(r"(?:courts?|tribunals?)\s+(?:located\s+)?(?:in|of|at)\s+(?:the\s+)?(?P<x>(?:[A-Z][\w'’.-]*)"
                      r"(?:\s+(?:[A-Z][\w'’.-]*|of|and))*(?:,\s*[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*)?)")],
}
_VENUE_LEAD = ("向", "提交", "交由", "至", "于", "在", "由", "请求", "直接", "均可")
_BAD_VENUE = re.compile(r"^(?:所在地|甲方|乙方|原告|被告|双方|一方|合同|本合同|当地|有管辖权|具有管辖权|任何一方|守约方|"
                        r"起诉|向|由|提交|the|any|competent|such|a)")


def _law_name(phrase: str) -> str:
    for name, pattern in LAWS.items():
        if re.search(pattern, phrase):
            return name
    return phrase.strip(" ,.;")


def institution_code(text: str) -> str | None:
    """Return the canonical code (CIETAC, SHIAC, …) of the institution named in `text`, or None."""
    for code, names in INSTITUTIONS.items():
        for n in names:
            if (n in text) if not (n.isascii() and len(n) <= 5) else re.search(rf"\b{re.escape(n)}\b", text):
                return code
    return None


# ---------------------------------------------------------------- reading a contract

def _sentences(contract, lang: str):
    from clausegen.check.engine import mask_other_language, split_paragraph

    for pi, p in enumerate(contract.paragraphs):
        text = mask_other_language(p.text, lang)
        for a, b, s in split_paragraph(text, lang):
            yield pi, a, s


def _percent_values(pi: int, base: int, s: str, lang: str) -> list[Value]:
    found = []
    for m in _PERCENT[lang].finditer(s):
        if m.group("num"):
            n = float(m.group("num").translate(_FULLWIDTH))
        else:
            raw = m.group("zh")
            if "点" in raw:
                whole, frac = raw.split("点", 1)
                w = zh_int(whole)
                if w is None or not all(c in _ZH_DIGITS for c in frac):
                    continue
                n = float(f"{w}.{''.join(str(_ZH_DIGITS[c]) for c in frac)}")
            else:
                w = zh_int(raw)
                if w is None:
                    continue
                n = float(w)
        found.append((m, n))
    if not found:
        return []
    out: list[Value] = []
    avail = [n for _, n in found if n >= 90 and n < 100]
    credit_cue = _CREDIT[lang].search(s)
    cap_cue = _CAP[lang].search(s)
    for m, n in found:
        text = m.group(0)
        loc = (pi, base + m.start(), base + m.end())
        if n >= 90 and n < 100 and not (n in (90, 95) and credit_cue and len(avail) == 1 and cap_cue):
            if _AVAIL[lang].search(s) and (len(avail) == 1 and not credit_cue or "目标" in s or "target" in s.lower()
                                           or "commit" in s.lower() or "承诺" in s):
                out.append(Value("availability_target", "percent", _clean_number(n), "%", text, *loc))
            continue
        if n > 100:
            continue
        before = s[max(0, m.start() - 40):m.start()]
        after = s[m.end():m.end() + 40]
        if cap_cue and (_CAP[lang].search(before[-25:]) or (not avail and (_CAP[lang].search(before)
                                                                           or _CAP[lang].search(after[:25])))):
            out.append(Value("cap", "percent", _clean_number(n), "%", text, *loc))
        elif (credit_cue or "|" in s) and avail:
            # A row "99% <= availability < 99.9%: 10%" is the tier that applies below 99.9%: the
            # highest availability of the sentence or table row is the tier's upper bound.
            bound = max(avail)
            out.append(Value("service_credit", "percent", _clean_number(n), "%", text, *loc, below=bound))
    return out


def extract_values(contract, lang: str | None = None) -> list[Value]:
    """Return every value the contract states for the terms in TERMS, in reading order.

    `contract` is a readers.Contract; `lang` its language (default: the contract's).
    """
    lang = "zh" if (lang or contract.language) == "zh" else "en"
    out: list[Value] = []
    seen_law: set = set()
    for pi, base, s in _sentences(contract, lang):
        for m in _DURATION[lang].finditer(s):
            n = _number(m.group("num"))
            if n is None or n <= 0:
                continue
            term = _duration_term(s, m.start(), m.end(), lang)
            if term is None or not _within(s, m.start(), m.end(), lang):
                continue
            unit = _unit(m.group("unit"), lang)
            if unit not in _TERM_UNITS[term]:
                continue  # "notify within two years" is a record-keeping period, not a notice deadline
            if term == "notice_within" and not _INTERRUPTION[lang].search(s):
                continue  # notice of termination, of a change of terms…: not of an interruption
            if (term == "payment_deadline" or (term == "claim_window" and lang == "zh")) and not _CREDIT[lang].search(s):
                continue  # a fee the customer pays, not compensation
            out.append(Value(term, "duration", _clean_number(n), unit, m.group(0).strip(),
                             pi, base + m.start(), base + m.end()))
        out.extend(_percent_values(pi, base, s, lang))
        for m in _MONEY[lang].finditer(s):
            raw = m.group("num").replace(",", "").replace("，", "")
            try:
                amount = float(raw) * {"万": 10_000, "亿": 100_000_000}.get(m.groupdict().get("mult") or "", 1)
            except ValueError:
                continue
            cur = m.group("cur") or (m.groupdict().get("yuan") or "")
            if _CREDIT[lang].search(s) and re.search(r"小时|每次|per hour|each hour|per incident|每", s):
                out.append(Value("compensation_amount", "money", _clean_number(amount), _CURRENCY.get(cur.strip(), "CNY"),
                                 m.group(0).strip(), pi, base + m.start(), base + m.end()))
        arbitration = re.search(r"仲裁" if lang == "zh" else r"(?i)\barbitrat", s)
        if arbitration:
            named = _INSTITUTION.search(s)
            if named:
                code = institution_code(named.group(0)) or named.group(0)
                out.append(Value("arbitration_institution", "institution", code, None, named.group(0), pi,
                                 base + named.start(), base + named.end()))
            elif lang == "zh":
                generic = _GENERIC_INSTITUTION.search(s)
                if generic and not re.match(r"(?:提交|向|由|交|有关|当地|所在地|相关|双方|任何)", generic.group(0)):
                    out.append(Value("arbitration_institution", "institution", generic.group(0), None,
                                     generic.group(0), pi, base + generic.start(), base + generic.end()))
            if re.search(r"提交|申请|提请|交由|submit|refer|resolved|settled|shall be", s, re.IGNORECASE):
                out.append(Value("dispute_method", "method", "arbitration", None, arbitration.group(0), pi,
                                 base + arbitration.start(), base + arbitration.end()))
        court = re.search(r"人民法院|法院(?:起诉|诉讼)|诉讼" if lang == "zh" else r"(?i)\bcourts?\b", s)
        if court and not arbitration and re.search(r"争议|纠纷|dispute|jurisdiction|proceeding", s, re.IGNORECASE):
            out.append(Value("dispute_method", "method", "court", None, court.group(0), pi,
                             base + court.start(), base + court.end()))
        if court or arbitration:
            for pattern in _VENUE[lang]:
                v = pattern.search(s)
                if v:
                    x = v.group("x")
                    cut = max((x.rfind(w) + len(w) for w in _VENUE_LEAD if w in x), default=0)
                    x0 = v.start("x") + cut
                    x = x[cut:].strip(" ,.;")
                    if len(x) < 2 or _BAD_VENUE.match(x):
                        continue
                    out.append(Value("venue", "venue", x, None, x, pi, base + x0, base + x0 + len(x)))
                    break
        for pattern in _LAW_PHRASE[lang]:
            v = pattern.search(s)
            if v and (lang == "en" or re.search(r"中华人民共和国|中国|香港|新加坡|英格兰|法律管辖|适用", v.group(0))):
                name = _law_name(v.group("x"))
                if lang == "zh" and name == v.group("x").strip(" ,.;") and not re.search(r"国|地区|州|香港", name):
                    continue
                key = (name, pi)
                if key not in seen_law:
                    seen_law.add(key)
                    out.append(Value("governing_law", "law", name, None, v.group("x"), pi,
                                     base + v.start("x"), base + v.start("x") + len(v.group("x"))))
                break
    return _dedupe(out)


def _dedupe(values: list[Value]) -> list[Value]:
    seen, out = set(), []
    for v in values:
        key = (v.term, v.paragraph, v.start, v.end)
        if key not in seen:
            seen.add(key)
            out.append(v)
    return out


def values_by_provision(values: list[Value]) -> dict[str, tuple[Value, ...]]:
    """Return the values grouped by provision id."""
    out: dict[str, list[Value]] = {}
    for v in values:
        out.setdefault(v.provision, []).append(v)
    return {k: tuple(v) for k, v in out.items()}


def first(values, term: str) -> Value | None:
    """Return the first value of `term` in `values`, or None."""
    return next((v for v in values if v.term == term), None)


def credit_at(values, availability: float) -> Value | None:
    """Return the service-credit tier that applies just below `availability` percent, or None.

    Tiers are read as "below X %: credit Y %"; the one that applies at an availability a hair under
    `availability` is the one with the smallest bound above it.
    """
    tiers = [v for v in values if v.term == "service_credit" and v.below is not None and v.below >= availability]
    if not tiers:
        return None
    return min(tiers, key=lambda v: (v.below, -float(v.value)))


def as_dicts(values) -> list[dict]:
    """Return `values` as JSON-ready dicts."""
    return [v.to_dict() for v in values]
