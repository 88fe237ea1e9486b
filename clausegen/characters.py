"""Characters of Chinese and English drafting: Han and CJK ranges, and sentence-ending punctuation.

Every module that asks "is this Chinese?" or "does a sentence end here?" takes its characters
from here, so the reader, the checker, the writers and the limits agree.
"""

from __future__ import annotations

import re

#: Han ideographs (CJK Unified, Extension A, Compatibility), as the inside of a regex [...] class.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
#: Text set in a CJK font: Han, CJK punctuation (、。「」) and full-width forms (，：（）).
CJK_TEXT = "\u3000-\u303f" + HAN + "\uff00-\uffef"
#: Marks that end a sentence (or a clause of one: the semicolon) in Chinese and in English.
ZH_SENTENCE_END = "。！？；"
EN_SENTENCE_END = ".!?;"
SENTENCE_END = ZH_SENTENCE_END + EN_SENTENCE_END

HAN_CHAR = re.compile(f"[{HAN}]")


def han_count(text: str) -> int:
    """Return how many Han ideographs `text` holds."""
    return len(HAN_CHAR.findall(text))
