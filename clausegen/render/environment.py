"""The sandboxed Jinja2 environment: template loading from library layers, filters, context, errors."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from jinja2 import (FileSystemLoader, StrictUndefined, TemplateError, TemplateNotFound, TemplateSyntaxError, meta,
                    nodes, pass_context)
from jinja2.sandbox import ImmutableSandboxedEnvironment  # noqa: F401 (the base of render.sandbox)

from clausegen.errors import LibraryError
from clausegen.render import filters as F

# Defined terms for the parties when the spec gives none in the output language.
DEFAULT_ROLES = {
    "zh": {"provider": "乙方", "customer": "甲方"},
    "en": {"provider": "Provider", "customer": "Customer"},
}


OPTIONAL_SECTIONS = ("document", "term")


def _lang(ctx) -> str:
    return ctx.get("lang", "en")


@pass_context
def _f_text(ctx, value):
    return F.localized(value, _lang(ctx))


@pass_context
def _f_duration(ctx, value, unit=None):
    return F.duration(value, _lang(ctx), unit)


@pass_context
def _f_every(ctx, value, unit=None):
    return F.every(value, _lang(ctx), unit)


@pass_context
def _f_percent(ctx, value, words=True):
    return F.percent(value, _lang(ctx), words)


@pass_context
def _f_money(ctx, value, currency=None):
    return F.money(value, _lang(ctx), currency)


@pass_context
def _f_date(ctx, value):
    return F.date(value, _lang(ctx))


@pass_context
def _f_number(ctx, value):
    return F.zh_number(value, measure=True) if _lang(ctx) == "zh" else F.en_number(value)


@pass_context
def _f_and(ctx, items):
    return F.join_list(items, _lang(ctx), "and")


@pass_context
def _f_or(ctx, items):
    return F.join_list(items, _lang(ctx), "or")


def _f_phrase(code, table):
    """Return the wording for `code` from the template's `table`, or the code made readable."""
    try:
        return table[code]
    except (KeyError, TypeError):
        return str(code).replace("_", " ")


def _f_phrases(codes, table):
    return [_f_phrase(c, table) for c in (codes or [])]


FILTERS = {
    "text": _f_text,
    "duration": _f_duration,
    "every": _f_every,
    "percent": _f_percent,
    "money": _f_money,
    "date": _f_date,
    "number": _f_number,
    "and_list": _f_and,
    "or_list": _f_or,
    "phrase": _f_phrase,
    "phrases": _f_phrases,
    "the": F.definite,
    "digits": F._plain,  # 200 as "200", not in words (milliseconds, in Chinese text)
    "capitalize_first": lambda text: str(text)[:1].upper() + str(text)[1:],  # "this Annex" -> "This Annex"
    "en_words": F.en_number_words,
    "zh_number": F.zh_number,
    "zh_capital": F.zh_capital_amount,
}


class LibraryLoader(FileSystemLoader):
    """Loads templates from the library's layers, refusing one that is a link leading outside its layer
    (``{% include 'en/_x.j2' %}`` where _x.j2 links to /proc/self/environ)."""

    def get_source(self, environment, template):
        import os

        from jinja2.loaders import split_template_path

        from clausegen.library import inside_library

        pieces = split_template_path(template)
        for searchpath in self.searchpath:
            filename = os.path.join(searchpath, *pieces)
            if os.path.isfile(filename):
                inside_library(Path(filename), Path(searchpath))  # before anything is read
                break
        return super().get_source(environment, template)


def make_environment(layers) -> ImmutableSandboxedEnvironment:
    """Return a sandboxed environment loading templates from the library `layers` (firm first)."""
    from clausegen.render.sandbox import BoundedSandbox

    env = BoundedSandbox(  # Jinja's immutable sandbox, plus limits on time and output size
        loader=LibraryLoader([str(p) for p in layers]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        keep_trailing_newline=True,
    )
    # Every filter gives a draft's blank back (with its unit or currency) rather than failing on it.
    env.filters.update({name: blank_filter(name, fn) for name, fn in FILTERS.items()})
    env.bound_filters()
    return env


def party_term(parties: dict, who: str, lang: str) -> str:
    """Return the defined term for party `who` ("provider"/"customer") in `lang`.

    The spec's `role` is used when it is written in the output language; otherwise the
    library's default (甲方/乙方, Provider/Customer), so an English role never lands in Chinese text.
    """
    role = ((parties or {}).get(who) or {}).get("role")
    text = F.localized(role, lang)
    if text and F.has_cjk(text) == (lang == "zh"):
        return text
    return DEFAULT_ROLES[lang][who]


def build_context(data: dict, lang: str, document_lang: str | None = None) -> dict:
    """Return the template context for spec `data` in `lang`: the spec's sections plus computed terms.

    `document_lang` is the language of the whole document (bilingual when this `lang` is one of
    its two columns). Computed: `provider`, `customer` (the defined terms), `party_order` (the
    parties in the order the spec lists them), `bilingual` and `prevailing` (the language whose
    text governs a bilingual document: the spec's `document.prevailing_language`, else the spec's
    own language). Invisible characters and bidirectional controls are left out of every string of
    the spec (validation warns about them, or refuses them), so none reaches a rendered document.
    """
    from clausegen.spec import visible

    data = visible(data)
    ctx = dict(data)
    # Optional sections the preamble reads: an absent one is empty, not an undeclared variable.
    for section in OPTIONAL_SECTIONS:
        if ctx.get(section) is None:
            ctx[section] = {}
    parties = data.get("parties") or {}
    order = [who for who in (parties if isinstance(parties, dict) else {}) if who in ("provider", "customer")]
    order += [who for who in ("provider", "customer") if who not in order]
    document = data.get("document") if isinstance(data.get("document"), dict) else {}
    own = data.get("language") if data.get("language") in ("zh", "en") else "zh"
    ctx.update(
        lang=lang,
        provider=party_term(parties, "provider", lang),
        customer=party_term(parties, "customer", lang),
        party_order=order,
        bilingual=(document_lang or lang) == "bilingual",
        prevailing=document.get("prevailing_language") or own,
    )
    ctx.update(host_terms(document, lang))
    return ctx


# What the document calls itself (document.self_reference), in each language; None: the default.
SELF_NAMES = {
    "en": {None: "Schedule", "schedule": "Schedule", "annex": "Annex", "appendix": "Appendix", "exhibit": "Exhibit",
           "sla": "Service Level Agreement", "supplement": "Supplemental Agreement"},
    "zh": {None: "本条款", "schedule": "本附件", "annex": "本附件", "appendix": "本附录", "exhibit": "本附件",
           "sla": "本服务水平协议", "supplement": "本补充协议"},
}


def _ref(anchor: str) -> str:
    """Return the cross-reference token for paragraph `anchor` (resolved after all clauses are drafted)."""
    return f"\u27e6ref:{anchor}\u27e7"


def host_terms(document: dict, lang: str) -> dict:
    """Return the context that fits the clauses into their host contract: `this` (this Schedule /
    本附件), `self_name` (Schedule), `agreement_title` (the main agreement's title in `lang`, or "")
    and `ref` (a cross-reference to an anchored paragraph: ``{{ ref("claim-period") }}``)."""
    kind = document.get("self_reference") if document.get("self_reference") in SELF_NAMES["en"] else None
    name = SELF_NAMES[lang][kind]
    return {
        "self_name": name,
        "this": name if lang == "zh" else f"this {name}",
        "agreement_title": F.localized(document.get("agreement_title"), lang) or "",
        "ref": _ref,
    }


def template_path(env, name: str) -> str:
    """Return the file behind template `name` (for messages), or the name itself."""
    try:
        _, filename, _ = env.loader.get_source(env, name)
        return filename
    except TemplateError:
        return name


@lru_cache(maxsize=8)
def environment(layers: tuple) -> ImmutableSandboxedEnvironment:
    """Return the shared environment for `layers`; compiled templates are cached (and reloaded
    when their file changes), which makes every render after the first one fast."""
    return make_environment(layers)


_AST_CACHE: dict = {}


def _parsed(env, name: str):
    """Return (filename, AST) of template `name`, parsed once per file version."""
    source, filename, _ = env.loader.get_source(env, name)
    key = (id(env), filename, source)
    if key not in _AST_CACHE:
        try:
            _AST_CACHE[key] = env.parse(source, name, filename)
        except TemplateSyntaxError as exc:
            raise template_error(exc, env) from None
        if len(_AST_CACHE) > 512:
            _AST_CACHE.pop(next(iter(_AST_CACHE)))
    return filename, _AST_CACHE[key]


_FREE_CACHE: dict = {}


def _free_names(env, name: str) -> tuple[str, dict[str, int]]:
    """Return (filename, {variable: first line}) for the variables template `name` takes from
    its context; cached per parsed version, since jinja2.meta runs a full code-generation pass."""
    filename, ast = _parsed(env, name)
    key = id(ast)
    cached = _FREE_CACHE.get(key)
    if cached is None or cached[0] is not ast:
        free = {}
        for var in meta.find_undeclared_variables(ast):
            lines = [n.lineno for n in ast.find_all(nodes.Name) if n.name == var and n.ctx == "load"]
            free[var] = min(lines) if lines else 1
        cached = _FREE_CACHE[key] = (ast, free)
        if len(_FREE_CACHE) > 512:
            _FREE_CACHE.pop(next(iter(_FREE_CACHE)))
    return filename, cached[1]


def _referenced(env, name: str, seen: set) -> list[str]:
    if name in seen:
        return []
    seen.add(name)
    out = [name]
    _, ast = _parsed(env, name)
    for ref in meta.find_referenced_templates(ast):
        if ref:
            try:
                out += _referenced(env, ref, seen)
            except TemplateNotFound:  # also "../" paths, which the loader never leaves the library for
                line = min((n.lineno for n in ast.find_all((nodes.Include, nodes.Import, nodes.FromImport))
                            if isinstance(n.template, nodes.Const) and n.template.value == ref), default=None)
                raise LibraryError(f"template {ref!r} not found in the clause library", path=template_path(env, name),
                                   line=line, hint="name a template inside the library, e.g. en/_terms.j2") from None
    return out


def undeclared(env, names: list[str], context: dict) -> list[tuple[str, int, str]]:
    """Return (template file, line, variable) for every variable `names` use that `context` lacks.

    Templates the given ones import or include are checked too. Raises LibraryError for
    a template that cannot be parsed.
    """
    found = []
    seen: set = set()
    for name in names:
        for tname in _referenced(env, name, seen):
            filename, names_used = _free_names(env, tname)
            for var in sorted(set(names_used) - set(context) - set(env.globals)):
                found.append((filename, names_used[var], var))
    return found


def template_error(exc: Exception, env=None) -> LibraryError:
    """Return a LibraryError naming the template file and line where `exc` happened."""
    if isinstance(exc, TemplateSyntaxError):
        path = exc.filename or (template_path(env, exc.name) if env and exc.name else exc.name)
        return LibraryError(f"template syntax error: {exc.message}", path=path, line=exc.lineno,
                            hint="fix the Jinja2 syntax of the template")
    path, line = None, None
    tb = exc.__traceback__
    while tb is not None:
        fname = tb.tb_frame.f_code.co_filename
        if fname.endswith(".j2"):
            path, line = fname, tb.tb_lineno
        tb = tb.tb_next
    if path is None and getattr(exc, "template_file", None):  # raised outside the template's own frames
        path = exc.template_file
    message = str(exc) if not isinstance(exc, RecursionError) else "the template calls itself without end (recursion)"
    message = re.sub(r"^'(\w+)' is undefined$", r"the spec does not provide \1", message)
    hint = None
    if "has no attribute" in message or "is undefined" in message or "does not provide" in message:
        hint = "add the key to the spec, or guard it in the template with `is defined` or .get()"
    return LibraryError(f"template error: {message}", path=path, line=line, hint=hint)


def render_template(env, name: str, context: dict) -> str:
    """Return template `name` rendered with `context`; template failures become LibraryError."""
    try:
        return env.get_template(name).render(context)
    except TemplateSyntaxError as exc:
        raise template_error(exc, env) from None
    except LibraryError:
        raise
    except MemoryError:
        raise LibraryError("template error: the template needs more memory than there is (a huge value?)",
                           path=template_path(env, name),
                           hint="look for values multiplied, joined or padded to enormous sizes") from None
    except Exception as exc:  # undefined values, sandbox violations, bad filter input
        if isinstance(exc, (TemplateError, ValueError, TypeError, LookupError, AttributeError,
                            ArithmeticError, RecursionError)):
            raise template_error(exc, env) from None
        raise


def template_version(path: Path | str) -> str | None:
    """Return the version a template declares in a leading `{# version: X #}` comment, if any."""
    try:
        head = Path(path).read_text(encoding="utf-8")[:200]
    except OSError:
        return None
    m = re.match(r"\{#\s*version:\s*([^\s#]+)\s*#\}", head)
    return m.group(1) if m else None


def blank_filter(name: str, fn):
    """Return filter `fn` made to give a blank back (with its unit or currency) instead of failing on it."""
    import functools

    from clausegen.blanks import BLANKS, Blank, _contains_blank, _is_blank
    from clausegen.render import filters as F

    passes = getattr(fn, "jinja_pass_arg", None)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        index = 1 if passes else 0
        value = args[index] if len(args) > index else None
        if not _contains_blank(value):
            return fn(*args, **kwargs)
        lang = args[0].get("lang", "en") if passes else "en"
        blank = Blank(BLANKS.get(lang, BLANKS["en"]))
        if isinstance(value, dict) and name in ("duration", "every") and not _is_blank(value.get("unit")):
            unit = value.get("unit") or "days"
            words = F._ZH_UNITS[F._unit(unit)] if lang == "zh" else F._EN_UNITS[F._unit(unit)][1]
            return Blank(f"{blank}{words}" if lang == "zh" else f"{blank} {words}")
        if isinstance(value, dict) and name == "money" and not _is_blank(value.get("currency")):
            code = str(value.get("currency") or "")
            if lang == "zh":
                zh_name = "人民币" if code in ("CNY", "RMB") else F._CURRENCIES.get(code, (code,))[0]
                return Blank(f"{zh_name}{blank}元")
            return Blank(f"{code} {blank}")
        if name == "percent":
            return Blank(f"{blank}%")
        return blank

    return wrapper
