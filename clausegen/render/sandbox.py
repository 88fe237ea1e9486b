"""The bounded Jinja2 sandbox: no Python internals, and a ceiling on a template's time and output.

Jinja's own sandbox already refuses ``__class__``, ``__globals__`` and ranges over 100,000
items. It does not bound work: ``'x' * 10**9``, ``9**9**9`` (folded at compile time!),
nested loops or a namespace string doubled in a loop run until memory or patience ends.
This environment intercepts the arithmetic operators, checks a deadline on every call,
attribute access and loop iteration, and stops output past a size, each with a `limits` value.
"""

from __future__ import annotations

import math
import operator
import re
import time

from jinja2 import nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from jinja2.environment import Template

TICK = "_clausegen_tick"  # called at the top of every loop body (see `_parse`)


class TemplateLimitError(SecurityError):
    """A template went past a limit (time, output size, size of a value)."""


class _Budget:
    """The deadline and size ceiling of the render in progress (one per thread)."""

    def __init__(self) -> None:
        import threading

        self.local = threading.local()

    def start(self) -> tuple:
        from clausegen import limits

        previous = getattr(self.local, "state", None)
        self.local.state = (time.monotonic() + limits.get("template_seconds"), limits.get("template_output_chars"))
        return previous

    def restore(self, previous) -> None:
        self.local.state = previous

    @property
    def chars(self) -> int:
        state = getattr(self.local, "state", None)
        if state is None:
            from clausegen import limits

            return limits.get("template_output_chars")
        return state[1]

    def tick(self) -> None:
        state = getattr(self.local, "state", None)
        if state is not None and time.monotonic() > state[0]:
            from clausegen import limits

            raise TemplateLimitError(f"the template ran longer than {limits.get('template_seconds'):g} s "
                                     "(an endless or very long loop?)")


BUDGET = _Budget()


def _size(value) -> int:
    return len(value) if isinstance(value, (str, bytes, list, tuple, dict)) else 0


def _check_size(value):
    if _size(value) > BUDGET.chars:
        raise TemplateLimitError(f"a value in the template grew past {BUDGET.chars} items/characters")
    return value


def _safe_pow(base, exp):
    if isinstance(base, (int, float)) and isinstance(exp, (int, float)) and abs(base) > 1:
        if exp * math.log2(abs(base)) > 4096:
            raise TemplateLimitError(f"{base} ** {exp} is too large a number")
    return operator.pow(base, exp)


def _safe_mul(left, right):
    for seq, n in ((left, right), (right, left)):
        if _size(seq) and isinstance(n, int) and _size(seq) * n > BUDGET.chars:
            raise TemplateLimitError(f"repeating a value {n} times would exceed {BUDGET.chars} characters")
    if isinstance(left, int) and isinstance(right, int) and left.bit_length() + right.bit_length() > 8192:
        raise TemplateLimitError("the product is too large a number")
    return operator.mul(left, right)


def _safe_add(left, right):
    if _size(left) + _size(right) > BUDGET.chars:
        raise TemplateLimitError(f"joining two values would exceed {BUDGET.chars} characters")
    return operator.add(left, right)


def _refuse_width(n, what: str) -> None:
    raise TemplateLimitError(f"{what} {n} is larger than {BUDGET.chars}")


# A %-format field: flags, then width and precision (digits, or * to take them from the arguments).
_PERCENT_FIELD = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[a-zA-Z%]")


def _ints(values) -> list[int]:
    if isinstance(values, dict):
        values = list(values.values())
    elif not isinstance(values, (list, tuple)):
        values = [values]
    return [v for v in values if isinstance(v, int) and not isinstance(v, bool)]


def _check_percent_format(fmt: str, args) -> None:
    """Refuse `fmt % args` when a width or precision would make the result larger than the limit
    (``'%01000000000d' % 1`` builds a gigabyte before any size check could look at it)."""
    limit, star = BUDGET.chars, False
    for m in _PERCENT_FIELD.finditer(fmt):
        for part in m.group(1, 2):
            if part == "*":
                star = True
            elif part and (len(part) > 9 or int(part) > limit):
                _refuse_width(part if len(part) <= 20 else part[:20] + "…", "the format width")
    if star:
        for n in _ints(args):
            if abs(n) > limit:
                _refuse_width(n, "the format width")


def _check_brace_format(fmt: str, args, kwargs) -> None:
    """Refuse `fmt.format(...)` when a field's width or precision is larger than the limit."""
    import string

    limit, nested = BUDGET.chars, False
    try:
        fields = list(string.Formatter().parse(fmt))
    except ValueError:
        return  # the call itself reports the malformed format
    for _, _, spec, _ in fields:
        if not spec:
            continue
        nested = nested or "{" in spec
        for digits in re.findall(r"\d+", spec):
            if len(digits) > 9 or int(digits) > limit:
                _refuse_width(digits if len(digits) <= 20 else digits[:20] + "…", "the format width")
    if nested:  # "{:>{w}}": the width comes from the arguments
        for n in _ints(list(args)) + _ints(dict(kwargs)):
            if abs(n) > limit:
                _refuse_width(n, "the format width")


def _safe_mod(left, right):
    if isinstance(left, str):
        _check_percent_format(left, right)
    return operator.mod(left, right)


def _joined_size(items, sep, attribute=None) -> int:
    total = 0
    for i, item in enumerate(items):
        value = item.get(attribute) if attribute is not None and isinstance(item, dict) else item
        total += (len(value) if isinstance(value, str) else 24) + (len(sep) if i else 0)
    return total


def _check_join(items, sep, attribute=None) -> None:
    if _joined_size(items, str(sep), attribute) > BUDGET.chars:
        raise TemplateLimitError(f"joining these values would exceed {BUDGET.chars} characters")


# str methods whose result grows with a number argument, or with the sizes of their arguments.
_WIDTH_METHODS = {"ljust", "rjust", "center", "zfill"}


def _check_str_call(obj, args, kwargs) -> tuple:
    """Refuse a call of a str method that would build a value larger than the limit; return the
    arguments to call it with (an iterator given to join is read once, here)."""
    owner = getattr(obj, "__self__", None)
    if not isinstance(owner, str) or not callable(obj):
        return args
    name, limit = getattr(obj, "__name__", ""), BUDGET.chars
    if name in _WIDTH_METHODS:
        for n in _ints(list(args)) + _ints(dict(kwargs)):
            if n > limit:
                _refuse_width(n, f"the width given to {name}()")
    elif name == "expandtabs":
        size = _ints(list(args)) + _ints(dict(kwargs))
        if size and len(owner) + owner.count("\t") * max(size[0], 0) > limit:
            raise TemplateLimitError(f"expandtabs() would exceed {limit} characters")
    elif name == "join" and args:
        items = args[0] if isinstance(args[0], (list, tuple, str)) else list(args[0])
        _check_join(items, owner)
        args = (items,) + tuple(args[1:])
    elif name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        count = owner.count(args[0]) if args[0] else len(owner) + 1
        if len(args) > 2 and isinstance(args[2], int) and args[2] >= 0:
            count = min(count, args[2])
        if len(owner) + count * (len(args[1]) - len(args[0])) > limit:
            raise TemplateLimitError(f"replace() would exceed {limit} characters")
    return args


_BINOPS = {"**": _safe_pow, "*": _safe_mul, "+": _safe_add, "%": _safe_mod}


def _too_many(n):
    raise TemplateLimitError(f"lipsum({n!r}): at most 100 paragraphs")


class BoundedTemplate(Template):
    """A template whose render stops at the output limit and the time limit."""

    def render(self, *args, **kwargs) -> str:
        previous = BUDGET.start()
        try:
            out, total, limit = [], 0, BUDGET.chars
            for chunk in self.generate(*args, **kwargs):
                total += len(chunk)
                if total > limit:
                    exc = TemplateLimitError(f"the template produced more than {limit} characters")
                    exc.template_file = self.filename
                    raise exc
                out.append(chunk)
                BUDGET.tick()
            return "".join(out)
        finally:
            BUDGET.restore(previous)


# Built-in filters whose number arguments are widths or counts: the output grows with them.
_SIZED_FILTERS = {"center", "indent", "wordwrap", "truncate", "batch", "slice", "filesizeformat"}


def _bounded_filter(fn, name: str):
    import functools

    sized = name in _SIZED_FILTERS

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        limit = BUDGET.chars
        if sized:
            for arg in list(args[1:]) + list(kwargs.values()):
                if isinstance(arg, int) and not isinstance(arg, bool) and arg > limit:
                    raise TemplateLimitError(f"the filter argument {arg} is larger than {limit}")
        if name == "format" and args:  # value|format(...) is value % (...)
            _check_percent_format(str(args[0]), kwargs or tuple(args[1:]))
        elif name == "join" and len(args) >= 2:  # (eval context, value, separator, attribute)
            items = args[1] if isinstance(args[1], (list, tuple, str)) else list(args[1])
            _check_join(items, args[2] if len(args) > 2 else kwargs.get("d", ""),
                        args[3] if len(args) > 3 else kwargs.get("attribute"))
            args = (args[0], items) + tuple(args[2:])
        BUDGET.tick()
        return _check_size(fn(*args, **kwargs))

    return wrapper


def _no_undefined(value):
    """Return `value` for output; raise the undefined error of a StrictUndefined hidden inside a list,
    tuple or dict (``{{ [x.missing] }}`` would otherwise print "[Undefined]" into a contract)."""
    from jinja2 import Undefined

    if isinstance(value, (list, tuple, dict, set)):
        stack, seen = [value], 0
        while stack and seen < 100_000:
            item = stack.pop()
            seen += 1
            if isinstance(item, Undefined):
                item._fail_with_undefined_error()
            if isinstance(item, dict):
                stack.extend(item.values())
                stack.extend(item.keys())
            elif isinstance(item, (list, tuple, set)):
                stack.extend(item)
    return value


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """An immutable sandbox whose templates stop at the `limits` on time and output size."""

    template_class = BoundedTemplate
    intercepted_binops = frozenset(_BINOPS)

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("finalize", _no_undefined)
        super().__init__(*args, **kwargs)
        self.globals[TICK] = BUDGET.tick
        lipsum = self.globals.get("lipsum")
        if lipsum is not None:  # lipsum(10**6) builds a million paragraphs before any check can run
            self.globals["lipsum"] = lambda n=5, html=True, min=20, max=100: lipsum(
                n if isinstance(n, int) and 0 <= n <= 100 else _too_many(n), html, min, max)

    def bound_filters(self) -> None:
        """Wrap every filter so that huge width/count arguments and huge results are refused."""
        for name, fn in list(self.filters.items()):
            if not getattr(fn, "_clausegen_bounded", False):
                wrapped = _bounded_filter(fn, name)
                for attr in ("jinja_pass_arg",):  # keep @pass_context and friends working
                    if hasattr(fn, attr):
                        setattr(wrapped, attr, getattr(fn, attr))
                wrapped._clausegen_bounded = True
                self.filters[name] = wrapped

    def call_binop(self, context, operator_: str, left, right):
        BUDGET.tick()
        return _check_size(_BINOPS[operator_](left, right))

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's signature
        BUDGET.tick()
        args = _check_str_call(__obj, args, kwargs)  # before the call allocates anything
        return _check_size(super().call(__context, __obj, *args, **kwargs))

    def wrap_str_format(self, value):
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None
        fmt, is_map = value.__self__, value.__name__ == "format_map"

        def checked(*args, **kwargs):
            mapping = args[0] if is_map and len(args) == 1 and isinstance(args[0], dict) else kwargs
            _check_brace_format(fmt, () if is_map else args, mapping)
            return wrapper(*args, **kwargs)

        return checked

    def unsafe_undefined(self, obj, attribute):
        # Jinja returns an Undefined here, which a list prints as "Undefined"; refuse outright.
        raise SecurityError(f"access to attribute {attribute!r} of {type(obj).__name__!r} object is unsafe.")

    def getattr(self, obj, attribute):
        BUDGET.tick()
        return _check_size(super().getattr(obj, attribute))

    def getitem(self, obj, argument):
        BUDGET.tick()
        return _check_size(super().getitem(obj, argument))

    def _parse(self, source, name, filename):
        # Every loop body first calls the tick, so that a loop that calls nothing still meets the deadline.
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            tick = nodes.ExprStmt(nodes.Call(nodes.Name(TICK, "load"), [], [], None, None))
            tick.set_lineno(loop.lineno)
            loop.body.insert(0, tick)
        return tree
