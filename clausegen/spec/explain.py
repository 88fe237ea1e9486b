"""Schema errors explained to a lawyer: what is wrong, where, and a did-you-mean."""

from __future__ import annotations

from clausegen.errors import Problem
from clausegen.messages import Msg, msg
from clausegen.spec.schema import format_path, spec_schema
from clausegen.yamlsource import find_mark


def schema_problems(data, marks, file, language="en"):
    # jsonschema gives one `required` error per missing key, each listing all of them: keep one each.
    problems = list(dict.fromkeys(p for error in schema_errors(data)
                                  for p in _explain(error, data, marks, file, language)))
    # A misspelt required key is reported once, as an unknown key with its did-you-mean.
    suggested = {(p.pointer.rpartition(".")[0], p.hint) for p in problems if p.code == "unknown-key"}
    return [p for p in problems if not (
        p.code == "missing-key"
        and (p.pointer.rpartition(".")[0], msg("did-you-mean", word=repr(p.pointer.rpartition('.')[2])).text(language))
        in suggested)]


def _schema_hint(schema: dict, language: str) -> str | None:
    """Return the schema's `x-hint` in `language` (`x-hint-zh` for Chinese)."""
    if language == "zh" and schema.get("x-hint-zh"):
        return schema["x-hint-zh"]
    return schema.get("x-hint")


def _explain(error, data, marks, file, language="en"):
    """Yield the Problems that say what the jsonschema `error` means to a drafting lawyer, in `language`."""
    path = tuple(error.absolute_path)
    kind = error.validator
    value = error.instance
    schema = error.schema if isinstance(error.schema, dict) else {}
    hint = _schema_hint(schema, language)
    import difflib

    def problem(p, message, hint=hint, code="schema"):
        line, col = find_mark(marks, p) or (None, None)
        return Problem(file=file, line=line, col=col, pointer=format_path(p), message=worded(message, language),
                       hint=worded(hint, language), code=code)

    if kind == "additionalProperties":
        allowed = list(schema.get("properties", {}))
        for key in value:
            if key in allowed:
                continue
            close = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
            h = msg("did-you-mean", word=repr(close[0])) if close else (
                msg("allowed-here", words=", ".join(allowed)) if allowed else None)
            yield problem(path + (key,), msg("unknown-key", key=repr(key)), h, code="unknown-key")
        return
    if kind == "required":
        missing = [k for k in error.validator_value if isinstance(value, dict) and k not in value]
        for key in missing:
            sub = schema.get("properties", {}).get(key, {})
            title = sub.get("x-title-zh" if language == "zh" else "title") or sub.get("title")
            yield problem(path + (key,), msg("is-missing-titled", title=title) if title else msg("is-missing"),
                          hint=_schema_hint(sub, language) or msg("new-shows-example"), code="missing-key")
        return
    if kind == "type":
        expected = error.validator_value
        expected = expected if isinstance(expected, list) else [expected]
        h = hint
        if isinstance(value, str) and {"number", "integer"} & set(expected):
            stripped = value.strip().rstrip("%").strip()
            try:
                float(stripped)
                h = msg("write-number", n=stripped)
            except ValueError:
                pass
        yield problem(path, msg("not-type", value=show_value(value), names=_type_names(expected)), h)
        return
    if kind == "enum":
        options = [str(o) for o in error.validator_value]
        synonym = _synonym(value, schema)
        close = difflib.get_close_matches(str(value), options, n=1, cutoff=0.6)
        if synonym:
            h = msg("synonym", word=repr(synonym), value=show_value(value))
        elif close:
            h = msg("did-you-mean", word=repr(close[0]))
        else:
            h = msg("use-one-of", options=", ".join(options))
        yield problem(path, msg("not-allowed", value=show_value(value)), h)
        return
    if kind == "const":
        yield problem(path, msg("must-be", value=show_value(value), expected=show_value(error.validator_value)), hint)
        return
    if kind in ("maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum"):
        key = {"maximum": "more-than", "exclusiveMaximum": "not-less-than",
               "minimum": "less-than", "exclusiveMinimum": "not-more-than"}[kind]
        yield problem(path, msg(key, value=show_value(value), limit=show_value(error.validator_value)),
                      schema.get("x-range-hint"))
        return
    if kind in ("oneOf", "anyOf"):
        # Explain the branch that fits the value's shape; if none does, name the shapes allowed.
        best = _best_context(error)
        if best is not None:
            yield from _explain(best, data, marks, file, language)
            return
        shapes = []
        for branch in error.validator_value:
            t = branch.get("type") if isinstance(branch, dict) else None
            if "const" in (branch or {}):
                shapes.append(repr(branch["const"]))
            elif t:
                shapes.append(_TYPE_NAMES.get(t, t))
            elif isinstance(branch, dict) and "$ref" in branch:
                shapes.append(msg("shape", name=branch["$ref"].rsplit("/", 1)[-1]))
        unique = list({str(s): s for s in shapes}.values())
        yield problem(path, msg("not-type", value=show_value(value), names=_alternatives(unique)), hint)
        return
    if kind == "pattern":
        yield problem(path, msg("wrong-form", value=show_value(value)),
                      hint or msg("must-match", pattern=error.validator_value))
        return
    if kind == "format":
        fmt = msg("format-date") if error.validator_value == "date" else error.validator_value
        yield problem(path, msg("not-valid-format", value=show_value(value), fmt=fmt),
                      hint or (msg("dates-hint") if error.validator_value == "date" else None))
        return
    if kind in ("minItems", "maxItems"):
        n = error.validator_value
        yield problem(path, msg("min-items" if kind == "minItems" else "max-items", n=n), hint)
        return
    if kind == "uniqueItems":
        yield problem(path, msg("unique-items"), hint or msg("remove-repeated"))
        return
    if kind == "minProperties":
        yield problem(path, msg("not-empty"), hint or msg("give-one-of", keys=", ".join(schema.get("properties", {}))))
        return
    if kind in ("minLength",):
        yield problem(path, msg("not-empty"), hint)
        return
    yield problem(path, error.message, hint)


def _synonym(value, schema: dict) -> str | None:
    """Return the allowed value that `value` is a common synonym of (schema `x-synonyms`), if any."""
    if not isinstance(value, str):
        return None
    synonyms = schema.get("x-synonyms") or {}
    key = value.strip().lower().replace("-", "_").replace(" ", "_")
    return synonyms.get(key) or synonyms.get(value.strip())


def _alternatives(items: list):
    """Return `items` as one Msg "a or b or c"."""
    if not items:
        return ""
    out = items[0]
    for item in items[1:]:
        out = msg("or", a=out, b=item)
    return out


def _type_names(types: list):
    return _alternatives([_TYPE_NAMES.get(t, t) for t in types])


def _best_context(error):
    """Return the sub-error of a oneOf branch whose type fits the value, or None."""
    fitting = [e for e in error.context
               if not (e.validator in ("type", "const") and not e.relative_path)]
    # Like jsonschema's best_match: the shallowest error says most about what was meant.
    return min(fitting, key=lambda e: len(e.relative_path)) if fitting else None


_VALIDATORS: dict = {}


def _validator(schema: dict):
    # Keyed by identity; the schema is kept alive beside its validator so the id stays unique.
    entry = _VALIDATORS.get(id(schema))
    if entry is None:
        from jsonschema import Draft202012Validator

        # The schema itself is checked against the 2020-12 meta-schema by the test suite, not
        # on every run.
        entry = (schema, Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER))
        _VALIDATORS[id(schema)] = entry
    return entry[1]


def schema_errors(data, schema: dict | None = None) -> list:
    """Return jsonschema's errors of `data` against `schema` (default: the spec schema).

    Where a value has the wrong type, only that error is kept: the other keywords at the same
    place would only repeat that the shape is wrong.
    """
    root = spec_schema() if schema is None else schema
    errors = list(_validator(root).iter_errors(data))
    typed = {tuple(e.absolute_path) for e in errors if e.validator == "type"}
    return [e for e in errors if e.validator == "type" or tuple(e.absolute_path) not in typed]


_TYPE_NAMES = {t: msg(f"type-{t}") for t in ("number", "integer", "string", "object", "array", "boolean", "null")}


def show_value(value) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else str(value)
    if isinstance(value, (dict, list)):
        text = repr(value)
        return text if len(text) <= 60 else text[:57] + "..."
    return str(value)


def worded(text, language: str):
    """Return `text` in `language` when it is a Msg to be worded, else `text` as it is."""
    return text.text(language) if isinstance(text, Msg) else text
