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


_BINOPS = {"**": _safe_pow, "*": _safe_mul, "+": _safe_add}


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


def _bounded_filter(fn, sized: bool):
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        limit = BUDGET.chars
        if sized:
            for arg in list(args[1:]) + list(kwargs.values()):
                if isinstance(arg, int) and not isinstance(arg, bool) and arg > limit:
                    raise TemplateLimitError(f"the filter argument {arg} is larger than {limit}")
        BUDGET.tick()
        return _check_size(fn(*args, **kwargs))

    return wrapper


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """An immutable sandbox whose templates stop at the `limits` on time and output size."""

    template_class = BoundedTemplate
    intercepted_binops = frozenset(_BINOPS)

    def __init__(self, *args, **kwargs) -> None:
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
                wrapped = _bounded_filter(fn, name in _SIZED_FILTERS)
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
        return _check_size(super().call(__context, __obj, *args, **kwargs))

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
