"""Regular-expression hazards in rule patterns: shapes that take exponential or quadratic time.

`library check` and the rule loader refuse such a pattern with its file and line, so that no
firm rule can make one contract take minutes. Built on Python's own regex parser (`re._parser`,
the one `re.compile` uses), so the shapes are judged as Python will run them.
"""

from __future__ import annotations

import re


def token_regexes(pattern) -> list[str]:
    """Return the ``REGEX`` values inside a spaCy token pattern (a list of token dicts), at any depth."""
    found, stack = [], [pattern]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "REGEX" and isinstance(value, str):
                    found.append(value)
                else:
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    return found


def regex_hazard(pattern: str) -> str | None:
    """Return why `pattern` can take exponential or quadratic time on a long text, or None.

    Catches the classic catastrophic shapes: ``(a+)+``, ``(a*)*``, ``(\\w+\\s?)*`` and ``(a|a)*``
    under an unbounded repeat; and the quadratic one, an unanchored pattern that starts (or
    starts a look-ahead) with ``.*``, ``.+`` or ``[^x]*`` (see `_quadratic`). Patterns that do
    not compile return None (the caller reports them).
    """
    try:
        from re import _parser as sre_parse  # Python 3.11+
    except ImportError:  # pragma: no cover
        import sre_parse  # type: ignore[no-redef]
    from re import _constants as c

    try:
        tree = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None

    unbounded = c.MAXREPEAT

    def repeats(items) -> bool:
        """Return True when `items` contain an unbounded repeat of something that can match text."""
        for op, av in items:
            if op in (c.MAX_REPEAT, c.MIN_REPEAT) and (av[1] == unbounded or av[1] - av[0] >= 2):
                return True  # a variable-length repeat: the outer repeat can split the text many ways
            if op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[1] > 1 and repeats(av[2]):
                return True
            if op == c.SUBPATTERN and repeats(av[-1]):
                return True
            if op == c.BRANCH and any(repeats(b) for b in av[1]):
                return True
        return False

    def overlapping_branches(items) -> bool:
        for op, av in items:
            if op == c.SUBPATTERN:
                return overlapping_branches(av[-1])
            if op == c.BRANCH:
                firsts = [str(b[:1]) for b in av[1]]
                return len(firsts) != len(set(firsts))
        return False

    def walk(items) -> str | None:
        for op, av in items:
            if op in (c.MAX_REPEAT, c.MIN_REPEAT):
                lo, hi, body = av
                if hi == unbounded or hi > 10:
                    if repeats(body):
                        return "a repeated group contains another unbounded repeat (nested quantifiers, e.g. (a+)+)"
                    if overlapping_branches(body):
                        return "a repeated group has alternatives that start alike (e.g. (a|a)*)"
                found = walk(body)
                if found:
                    return found
            elif op == c.SUBPATTERN:
                found = walk(av[-1])
                if found:
                    return found
            elif op == c.BRANCH:
                for b in av[1]:
                    found = walk(b)
                    if found:
                        return found
            elif op in (c.ASSERT, c.ASSERT_NOT):
                found = walk(av[1])
                if found:
                    return found
        return None

    return walk(tree) or _quadratic(tree, c)


_QUADRATIC = ("quadratic time (a long sentence takes minutes): {what} at the start of the pattern{where} "
              "is run again from every position of the text; anchor it (^), start the pattern with a word, "
              "or bound the gap ({{0,80}})")


def _quadratic(tree, c) -> str | None:
    """Return why `tree` (a parsed pattern) is re-scanned from every start position, or None.

    ``re.search`` tries the pattern at each position of the text in turn; when the pattern can
    start by running an unbounded repeat of a broad class (``.*``, ``.+``, ``[^x]*``, ``\\S*``) —
    directly, after zero-width or optional items, or inside a look-ahead such as
    ``(?=.*\\bclaims?\\b)`` — each try scans to the end of the text: the search takes time
    quadratic in its length. A pattern anchored at the start (``^`` without MULTILINE, ``\\A``)
    is tried once and is fine.
    """
    unbounded = c.MAXREPEAT
    negated = getattr(c, "NEGATE", None)
    broad_categories = {getattr(c, n) for n in ("CATEGORY_NOT_SPACE", "CATEGORY_NOT_WORD", "CATEGORY_NOT_DIGIT",
                                                "CATEGORY_NOT_LINEBREAK") if hasattr(c, n)}
    repeats = {c.MAX_REPEAT, c.MIN_REPEAT} | ({c.POSSESSIVE_REPEAT} if hasattr(c, "POSSESSIVE_REPEAT") else set())

    def broad(body) -> str | None:
        if len(body) != 1:
            return None
        op, av = body[0]
        if op == c.ANY:
            return "'.*'"
        if op == c.NOT_LITERAL:
            return "a negated class such as '[^x]*'"
        if op == c.IN and av and (av[0][0] == negated or any(o == c.CATEGORY and a in broad_categories for o, a in av)):
            return "a negated class such as '[^x]*' or '\\S*'"
        return None

    def leading(items, where: str) -> tuple[str | None, bool]:
        """Return (reason, whether the items may leave the next one at almost any position)."""
        for op, av in items:
            if op == c.AT:
                continue
            if op in (c.ASSERT, c.ASSERT_NOT):
                direction, sub = av
                if direction == 1:
                    found, _ = leading(sub, " (in a look-ahead)")
                    if found:
                        return found, False
                continue
            if op in repeats:
                lo, hi, body = av
                what = broad(body)
                if what and hi == unbounded:
                    return _QUADRATIC.format(what=what, where=where), False
                found, _ = leading(body, where)
                if found:
                    return found, False
                if lo == 0 or hi == unbounded:  # optional, or a run that can start almost anywhere
                    continue
                return None, False
            if op == c.SUBPATTERN:
                found, through = leading(av[-1], where)
                if found or not through:
                    return found, False
                continue
            if op == c.BRANCH:
                through = False
                for alternative in av[1]:
                    found, passes = leading(alternative, where)
                    if found:
                        return found, False
                    through = through or passes
                if through:
                    continue
                return None, False
            return None, False
        return None, True

    first = tree[0] if len(tree) else None
    multiline = bool(getattr(getattr(tree, "state", None), "flags", 0) & re.MULTILINE)
    if first is not None and first[0] == c.AT and (first[1] == c.AT_BEGINNING_STRING
                                                   or (first[1] == c.AT_BEGINNING and not multiline)):
        return None
    return leading(tree, "")[0]
