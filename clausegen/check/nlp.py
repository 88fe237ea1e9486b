"""spaCy pipelines for contracts (zh with jieba, en with lookup lemmas) and the entity taggers.

Entities (DURATION, PERCENT, MONEY, FEE, MULTIPLIER, FORMULA, PARTY) and legal cue phrases
(OBLIGATION, EXCLUSION, VAGUE_TIME) are found with regular
expressions on the raw characters and then attached to the doc as spans, expanded to token
boundaries. Matching on characters rather than on tokens keeps Chinese recognition independent
of how jieba happens to segment a phrase (it splits 服务提供方在 into 服务/提供/方在).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache

# Legal vocabulary jieba does not know; added so token boundaries fall where a lawyer expects.
LEGAL_WORDS = (
    "服务提供方", "服务接受方", "服务提供商", "服务使用方", "不可抗力", "工作日", "自然日", "服务可用性",
    "服务费", "服务费用", "服务中断", "服务不可用", "不可用时间", "停机时间", "赔偿标准", "赔偿金",
    "违约金", "代金券", "现金券", "服务等级协议", "服务水平协议", "仲裁委员会", "人民法院", "争议解决",
    "计划维护", "故障报告", "服务抵扣", "服务信用", "赔偿申请", "补偿申请", "工单", "月度服务费",
)

_ZH_NUM = r"[0-9０-９]+(?:[.．][0-9]+)?|[一二三四五六七八九十两百千零〇]+"
_BRACKET_NUM = r"(?:\s*[（(]\s*[0-9０-９]+\s*[）)])?"
_EN_NUMWORD = (
    r"(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|forty-five|fifty|sixty|seventy|eighty|"
    r"ninety|hundred|a|an|one hundred(?: and)? \w+|twenty-\w+|thirty-\w+|sixty-\w+|ninety-\w+)"
)
_EN_NUM = rf"(?:\d+(?:[.,]\d+)?|{_EN_NUMWORD}(?:\s*\(\s*\d+\s*\))?)"
_EN_UNIT = (r"(?:(?:business|working|calendar|consecutive|full|clock|banking)\s+)?"
            r"(?:days?|hours?|hrs?|minutes?|mins?|weeks?|months?|years?|seconds?|quarters?|"
            r"billing\s+(?:cycles?|months?|periods?))")
_ORDINAL = r"(?:first|second|third|fourth|fifth|sixth|next|following|same|current|subsequent|\d+(?:st|nd|rd|th))"

# ISO 4217 codes of the currencies contracts are most often priced in (case-sensitive: "CAD 500")
_CURRENCY_CODES = "USD|EUR|GBP|CNY|RMB|JPY|AUD|NZD|CAD|CHF|SGD|HKD|INR|KRW|SEK|NOK|DKK|ZAR|BRL|MXN|TWD|MYR|THB|AED"

ENTITY_PATTERNS: dict[str, dict[str, list[str]]] = {
    "DURATION": {
        "zh": [
            rf"(?<![月年0-9０-９])(?:{_ZH_NUM}){_BRACKET_NUM}\s*(?:个|箇)?\s*(?:工作日|自然日|日历日|营业日|小时|钟头|分钟|秒钟?|天|日(?![期元])|周|星期|"
            r"个月|个自然月|个日历月|月(?=内|之内|以内|后|之后|结束|前)|年(?=内|之内|以内))",
            r"(?<![0-9])(?:[0-9]{1,3})\s*[hH](?![a-zA-Z])",
            r"(?:次月|下月|下一个?(?:自然)?月|下个?账单周期|下一?计费周期)\s*(?:[0-9０-９一二三四五六七八九十]+\s*[日号])?",
        ],
        "en": [
            rf"(?i)\b{_EN_NUM}\s*-?\s*{_EN_UNIT}\b",
            rf"(?i)\b(?:end|close|expiry|expiration|last day)\s+of\s+(?:the\s+|each\s+|any\s+)?(?:{_ORDINAL}\s+)?"
            r"(?:(?:calendar|billing|service|subscription)\s+)?(?:month|cycle|period|quarter|year|billing\s+cycle)\b",
            r"(?i)\b(?:next|following|subsequent)\s+(?:monthly\s+)?(?:invoice|billing\s+(?:cycle|period|statement))\b",
            r"(?i)\b\d{1,3}\s*[hH]\b",
        ],
    },
    "PERCENT": {
        # a model contract (示范文本) leaves the rate blank: "按已付费用的____%", "的 \t %", "【　】%"
        "zh": [r"[0-9０-９]+(?:[.．][0-9]+)?\s*[%％]", r"(?:[_＿]{2,}|【[\s　]*】|[ \t　]{2,}|\t)\s*[%％]",
               r"百分之[一二三四五六七八九十百零点.0-9]+",
               r"[一二三四五六七八九十]+成(?![本立功为交])",
               # a share written as a fraction: 三十分之一 (a day's fee of a 30-day month), 30分之1
               rf"(?:{_ZH_NUM})\s*分之\s*(?:{_ZH_NUM})"],
        "en": [r"[0-9]+(?:\.[0-9]+)?\s*%", r"(?i)\b[0-9]+(?:\.[0-9]+)?\s*per\s*cent\b", r"(?i)\bpercent(?:age)?\b",
               # a share written as a fraction of something: "1/30 of", "one-thirtieth", "half of"
               r"\b[0-9]{1,2}\s*/\s*[0-9]{1,3}(?:th)?\s+of\b",
               r"(?i)\b(?:one|a|two|three)[- ](?:half|third|quarter|fifth|tenth|twelfth|twentieth|thirtieth|"
               r"thirty-first|hundredth)s?\b",
               r"(?i)\b(?:half|one-half|a quarter|a third)\s+of\b"],
    },
    "MONEY": {
        "zh": [r"(?:人民币|RMB|CNY|USD|美元|￥|¥|\$)\s*[0-9０-９][0-9,，.]*\s*(?:万|亿)?\s*元?",
               r"[0-9０-９][0-9,，.]*\s*(?:万|亿)?\s*(?:元|美元|块)",
               r"(?:人民币)?[壹贰叁肆伍陆柒捌玖拾佰仟万亿零]+元[整]?"],
        # a currency sign or ISO 4217 code before the amount, or a currency word or code after it
        "en": [r"(?:(?:US|NZ|A|AU|C|CA|S|SG|HK|R)?\$|€|£|¥|₹|₩|\b(?:" + _CURRENCY_CODES + r")\b)\s*[0-9](?:[0-9,]*[0-9])?(?:\.[0-9]+)?",
               r"(?i)\b[0-9][0-9,]*(?:\.[0-9]+)?\s*(?:dollars|euros|pounds|yuan|francs|rupees|" + _CURRENCY_CODES + r")\b"],
    },
    "FEE": {
        "zh": [r"服务费|费用|电费|月费|价格|价款|金额|租金"],
        "en": [r"(?i)\b(?:fees?|charges?|amounts?\s+(?:paid|payable|due)|price|invoice)\b"],
    },
    "MULTIPLIER": {
        "zh": [rf"(?:{_ZH_NUM})\s*倍", r"[×xX\*]\s*[0-9]{2,3}(?![0-9])", r"百倍"],
        "en": [r"(?i)\b(?:\d+|one|two|three|four|five|ten|hundred)\s*(?:times|x|fold)\b", r"[×\*]\s*[0-9]{2,3}"],
    },
    "FORMULA": {
        "zh": [r"[/÷×]\s*(?:24|60|1440|30)\b", r"[=＝]\s*\S", r"(?:计算公式|计算方法|计算方式)"],
        "en": [r"[/÷×]\s*(?:24|60|1440|30)\b", r"(?i)\b(?:calculated|computed|multiplied|divided)\b", r"=\s*\S"],
    },
    # Legal cue phrases: a duty, an exclusion, a vague time word. Rules may require them as entities.
    "OBLIGATION": {
        "zh": [r"应当|应|须|必须|需要|负责|承诺|有义务"],
        "en": [r"(?i)\b(?:shall|must|will|agrees? to|undertakes? to|is required to|are required to|is obliged to)\b"],
    },
    "EXCLUSION": {
        "zh": [r"不包括|不含|不计入|除外|排除|不属于|免责|不承担"],
        "en": [r"(?i)\b(?:exclud\w*|except(?:ion)?s?|does not include|shall not apply|does not apply|not be liable)\b"],
    },
    "VAGUE_TIME": {
        "zh": [r"及时|立即|立刻|尽快|尽速|马上|第一时间|合理(?:期限|时间)内"],
        "en": [r"(?i)\b(?:promptly|immediately|without (?:undue )?delay|as soon as (?:possible|practicable)|timely|"
               r"forthwith|within a reasonable (?:time|period))\b"],
    },
    "PARTY": {
        "zh": [r"服务提供方|服务接受方|服务提供商|甲方|乙方|丙方|供方|用方|供电方|用电方|出租方|承租方|委托方|受托方|用户|客户|您|我们"],
        "en": [r"(?i)\b(?:provider|customer|supplier|client|licensee|licensor|vendor|user|subscriber|"
               r"we|you|us|company|contractor|purchaser|buyer|seller|landlord|tenant)\b"],
    },
}


@lru_cache(maxsize=None)
def compiled_entities(lang: str) -> tuple[tuple[str, re.Pattern], ...]:
    """Return the compiled (label, regex) pairs for `lang`."""
    out = []
    for label, by_lang in ENTITY_PATTERNS.items():
        patterns = by_lang.get(lang, ())
        if patterns:
            scoped = [f"(?i:{p[4:]})" if p.startswith("(?i)") else f"(?:{p})" for p in patterns]
            out.append((label, re.compile("|".join(scoped))))
    return tuple(out)


# A cheap necessary condition per label: skip the full patterns when the text cannot hold one.
QUICK = {
    "DURATION": {"zh": r"[日天时分周月年秒期hH]",
                 "en": r"(?i)day|hour|hr|min|week|month|year|second|quarter|cycle|invoice|billing|\d\s*h\b"},
    "PERCENT": {"zh": r"[%％]|百分|成|分之", "en": r"(?i)%|per\s*cent|/|half|third|quarter|fifth|tenth|twelfth|ieth|hundredth"},
    "MONEY": {"zh": r"[$¥￥元块]|人民币|RMB|CNY|USD", "en": r"(?i)[$€£¥₹₩]|dollar|euro|pound|yuan|franc|rupee|\b(?:" + _CURRENCY_CODES + r")\b"},
    "MULTIPLIER": {"zh": r"[倍×xX*]", "en": r"(?i)[×*]|times|fold|\d\s*x\b"},
}


@lru_cache(maxsize=None)
def _quick(label: str, lang: str) -> re.Pattern | None:
    rx = QUICK.get(label, {}).get(lang)
    if rx is None:
        return None
    return re.compile(rx[4:], re.I) if rx.startswith("(?i)") else re.compile(rx)


@dataclass(frozen=True)
class EntityHit:
    """An entity found in a text: label and character offsets."""

    label: str
    start: int
    end: int
    text: str


def find_entities(text: str, lang: str) -> list[EntityHit]:
    """Return the entities (DURATION, PERCENT, MONEY, …) found in `text` by character patterns."""
    hits = []
    for label, rx in compiled_entities(lang):
        quick = _quick(label, lang)
        if quick is not None and not quick.search(text):
            continue
        for m in rx.finditer(text):
            if m.end() > m.start():
                hits.append(EntityHit(label, m.start(), m.end(), m.group(0)))
    return hits


_SENT_PUNCT = [".", "!", "?", "。", "！", "？", "；", ";", "…", "｡"]


def _entity_component_factory(lang: str):
    def component(doc):
        spans = []
        for hit in find_entities(doc.text, lang):
            span = doc.char_span(hit.start, hit.end, label=hit.label, alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.spans["clausegen"] = spans
        return doc

    return component


@lru_cache(maxsize=None)
def _register_components() -> None:
    from spacy.language import Language

    Language.component("clausegen_entities_zh", func=_entity_component_factory("zh"))
    Language.component("clausegen_entities_en", func=_entity_component_factory("en"))


@lru_cache(maxsize=None)
def pipeline(lang: str):
    """Return the spaCy pipeline for `lang` ("zh" or "en"), built once per process.

    zh: spacy.blank("zh") with the jieba segmenter and clausegen's legal user dictionary;
    en: spacy.blank("en") with the lookup lemmatizer (spacy-lookups-data). Both have a
    sentencizer that knows Chinese punctuation and the clausegen entity tagger.
    """
    import spacy

    _register_components()
    if lang == "zh":
        import jieba

        jieba.setLogLevel(logging.WARNING)
        nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
        for word in LEGAL_WORDS:
            jieba.add_word(word, freq=200_000)
    else:
        nlp = spacy.blank("en")
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.add_pipe("sentencizer", config={"punct_chars": _SENT_PUNCT})
    nlp.add_pipe(f"clausegen_entities_{'zh' if lang == 'zh' else 'en'}")
    nlp.initialize()
    return nlp
