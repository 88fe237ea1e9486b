"""Hostile clause libraries: templates that reach for Python internals or never end, rules that backtrack.

A firm's library is trusted to say what clauses say, not to run code or to hang the tool: the
sandbox refuses internals, and time, output size and value sizes are bounded (`clausegen.limits`).
Each case overrides one template (or rule) of the built-in library in a firm folder and runs the
command line with a timeout.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from cli_process import run_cli

REPO = Path(__file__).resolve().parent.parent
SAMPLE_EN = REPO / "samples" / "sla-en.yaml"
FAMILY = "service-interruption"




def firm_library(root: Path, relpath: str, text: str) -> Path:
    """Return a firm library folder under `root` that overrides `relpath` of the family with `text`."""
    lib = root / "firm-lib"
    target = lib / FAMILY / relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return lib


# (id, template text, words the error must contain)
TEMPLATES = [
    ("mro", "- x {{ ''.__class__.__mro__ }}\n", ["unsafe", "__class__"]),
    ("subclasses", "- {{ ''.__class__.__mro__[1].__subclasses__() }}\n", ["unsafe"]),
    ("cycler-globals", "- {{ cycler.__init__.__globals__ }}\n", ["unsafe", "__init__"]),
    ("lipsum-globals", "- {{ lipsum.__globals__['os'] }}\n", ["unsafe", "__globals__"]),
    ("attr-filter", "- {{ ''|attr('__class__') }}\n", ["unsafe", "__class__"]),
    ("format-string", "- {{ '{0.__class__}'.format('') }}\n", ["unsafe"]),
    ("include-outside", "{% include '../../../../../../etc/passwd' %}\n", ["not found in the clause library"]),
    ("huge-range", "{% for i in range(10**9) %}x{% endfor %}\n", ["Range too big"]),
    ("nested-loops", "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}\n",
     ["ran longer than 2 s"]),
    ("nested-list-loops", "{% set x = range(99999)|list %}{% for a in x %}{% for b in x %}{% endfor %}{% endfor %}\n",
     ["ran longer than 2 s"]),
    ("string-times-billion", "- {{ 'x' * 1000000000 }}\n", ["would exceed"]),
    ("huge-power", "- {{ 10 ** 100000 }}\n", ["too large a number"]),
    ("doubling-namespace", "{% set ns = namespace(s='x') %}{% for i in range(80) %}{% set ns.s = ns.s ~ ns.s %}"
     "{% endfor %}- {{ ns.s|length }}\n", ["grew past"]),
    ("center-billion", "- {{ 'x'|center(1000000000) }}\n", ["larger than"]),
    ("endless-output", "{% for i in range(99999) %}- " + "x" * 80 + "\n{% endfor %}", ["produced more than"]),
    ("recursion", "{% macro f(n) %}{{ f(n) }}{% endmacro %}- {{ f(1) }}\n", ["calls itself"]),
    ("lipsum-million", "- {{ lipsum(1000000) }}\n", ["at most 100 paragraphs"]),
    ("percent-width", "- {{ ('%01000000000d' % 1)|length }}\n", ["format width 1000000000 is larger than"]),
    ("percent-star", "- {{ '%*d' % (1000000000, 1) }}\n", ["format width 1000000000 is larger than"]),
    ("format-filter-width", "- {{ '%01000000000d'|format(1) }}\n", ["format width"]),
    ("ljust-billion", "- {{ 'x'.ljust(10**9) }}\n", ["width given to ljust() 1000000000 is larger than"]),
    ("brace-width", "- {{ '{:>1000000000}'.format('x') }}\n", ["format width 1000000000 is larger than"]),
    ("brace-nested-width", "- {{ '{:>{w}}'.format('x', w=10**9) }}\n", ["format width"]),
    ("huge-join", "- {{ (['x' * 1000000] * 1000)|join }}\n", ["joining these values would exceed"]),
    ("huge-str-join", "- {{ ''.join(['x' * 1000000] * 1000) }}\n", ["joining these values would exceed"]),
    ("huge-replace", "- {{ ('x' * 1000000).replace('x', 'yyyyyyyyyy') }}\n", ["replace() would exceed"]),
    ("format-map-index", "- {{ '{0}'.format_map({}) }}\n", ["template error", "out of range"]),
    ("map-class", "- {{ [1]|map(attribute='__class__')|list }}\n", ["unsafe", "__class__"]),
    ("undefined-in-list", "- {{ [parties.nobody] }}\n", ["nobody"]),
]


@pytest.mark.parametrize("case_id, template, words", TEMPLATES, ids=[t[0] for t in TEMPLATES])
def test_render_stops_hostile_template_with_a_located_error(tmp_path, case_id, template, words):
    lib = firm_library(tmp_path, "en/definition.j2", template)
    proc = run_cli("render", SAMPLE_EN, "-o", "out.docx", "--library", lib, "--limit", "template_seconds=2",
                   cwd=tmp_path, timeout=60)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    # names the template file, and the line where there is one (output size belongs to the whole file)
    assert "Undefined" not in proc.stderr and "MemoryError" not in proc.stderr
    assert ("en/definition.j2" if case_id == "endless-output" else "en/definition.j2:1") in proc.stderr
    for word in words:
        assert word in proc.stderr, (word, proc.stderr)
    assert proc.elapsed < 30
    assert not (tmp_path / "out.docx").exists()
    assert not list(tmp_path.glob(".out.docx*"))


@pytest.mark.parametrize("case_id", ["cycler-globals", "nested-loops", "huge-power", "endless-output"])
def test_library_check_reports_hostile_template_without_hanging(tmp_path, case_id):
    template = dict((t[0], t[1]) for t in TEMPLATES)[case_id]
    lib = firm_library(tmp_path, "en/definition.j2", template)
    proc = run_cli("library", "check", "--library", lib, "--limit", "template_seconds=2", cwd=tmp_path, timeout=240)
    assert proc.returncode in (1, 2), proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "en/definition.j2" in proc.stdout + proc.stderr
    assert proc.elapsed < 200


def test_sandbox_refuses_huge_values_before_allocating_them():
    """Each refusal comes before the allocation: peak memory stays far below the gigabyte asked for."""
    import os
    import subprocess
    import sys

    code = """if True:
        import sys
        from jinja2 import DictLoader
        from clausegen.render.sandbox import BoundedSandbox, TemplateLimitError
        env = BoundedSandbox(loader=DictLoader({}))
        env.bound_filters()
        for source in sys.argv[1:]:
            try:
                env.from_string(source).render()
            except TemplateLimitError:
                continue
            raise SystemExit('not refused: ' + source)
        print(int(next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM'))))
    """
    sources = ["{{ ('%01000000000d' % 1)|length }}", "{{ 'x'.ljust(10**9) }}", "{{ '{:>1000000000}'.format(1) }}",
               "{{ (['x' * 1000000] * 1000)|join }}", "{{ 'x'.center(10**9) }}", "{{ 'x'.zfill(10**9) }}"]
    proc = subprocess.run([sys.executable, "-c", code, *sources], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    assert proc.returncode == 0, proc.stderr + proc.stdout
    assert int(proc.stdout.split()[-1]) < 200 * 1024, "a refusal allocated the value first"


def test_ordinary_formatting_still_works():
    from jinja2 import DictLoader

    from clausegen.render.sandbox import BoundedSandbox

    env = BoundedSandbox(loader=DictLoader({}))
    env.bound_filters()
    source = ("{{ '%05.1f%%' % 99.5 }} {{ '{:>6}|{:.2f}'.format('ab', 2) }} {{ '%d days'|format(30) }} "
              "{{ ['a', 'b']|join(', ') }} {{ 'x'.ljust(3) }}| {{ ', '.join(['c', 'd']) }} {{ 7 % 3 }}")
    assert env.from_string(source).render() == "099.5% \n    ab|2.00 30 days a, b x  | c, d 1".replace("\n", "")


def test_template_limits_do_not_touch_the_built_in_library(tmp_path):
    proc = run_cli("render", SAMPLE_EN, "-o", "out.docx", "--limit", "template_seconds=2", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "out.docx").stat().st_size > 5000


CATASTROPHIC_RULE = """kind: require
level: error
provision: definition
scope: sentence
message:
  zh: 未找到服务中断的定义。
  en: No definition of an interruption.
description: A hostile rule with a backtracking pattern.
trigger: patterns
patterns:
  en:
    - '(a+)+$'
  zh:
    - '服务中断'
examples:
  pass:
    en: ['aaaa']
    zh: ['服务中断']
  fail:
    en: ['b']
    zh: ['合同']
"""


def test_check_refuses_a_rule_with_a_catastrophic_regex(tmp_path):
    lib = firm_library(tmp_path, "rules/definition.yml", CATASTROPHIC_RULE)
    (tmp_path / "c.txt").write_text("a" * 40 + "!\n", encoding="utf-8")  # (a+)+$ would backtrack 2**40 times
    proc = run_cli("check", "c.txt", "--library", lib, cwd=tmp_path, timeout=60)
    assert proc.returncode == 2, proc.stdout
    assert "rules/definition.yml:12:" in proc.stderr, proc.stderr  # the file and the pattern's line
    assert "exponential time" in proc.stderr and "nested quantifiers" in proc.stderr
    assert proc.elapsed < 45


def test_library_check_reports_the_catastrophic_regex(tmp_path):
    lib = firm_library(tmp_path, "rules/definition.yml", CATASTROPHIC_RULE)
    proc = run_cli("library", "check", "--library", lib, cwd=tmp_path, timeout=240)
    assert proc.returncode == 1, proc.stdout
    assert "definition.yml:12:" in proc.stdout and "exponential time" in proc.stdout


@pytest.mark.parametrize("pattern, hazardous", [
    ("(a+)+$", True), ("(a*)*b", True), (r"(\w+\s?)*$", True), ("(x+x+)+y", True), ("(a|a)*c", True),
    (r"^(\d+)*$", True), ("(?:a{1,100})+", True),
    ("a+b+", False), ("(?:ab)+", False), (r"\b(?:downtime|outage)s?\b[^;]{0,60}\bmeans\b", False),
    ("服务中断[^。]{0,25}(?:是指|系指)", False), ("(a+)?", False), ("((", False),
    # quadratic: re-scanned to the end from every start position
    (r"(?=.*\bclaims?\b)\b(?:must|shall)\b", True), (r"(?!.*\bexcept\b)\bshall\b", True), (".*outage", True),
    (r"\b.+\bmeans\b", True), (r"[^;]*\bcredit", True), (r"\w+.*credit", True), (r"(?:a|.*b)c", True),
    (r"(?m)^.*x", True),
    (r"^(?!.*\bsole remedy\b).*\bliab", False), (r"\A.*x", False), (r"\bshall\b.*\bnotify\b", False),
    (r"[^;]{0,80}\bcredit", False), (r"[0-9.]+\s*%[^|\n]*\|", False),
], ids=lambda v: str(v))
def test_regex_hazard_table(pattern, hazardous):
    from clausegen.check.hazards import regex_hazard

    assert bool(regex_hazard(pattern)) is hazardous


def test_every_built_in_rule_pattern_is_free_of_hazards():
    from clausegen.check.rules import load_ruleset
    from clausegen.check.hazards import regex_hazard

    ruleset = load_ruleset()
    patterns = [getattr(rx, "pattern", rx) for rule in ruleset.rules for by_lang in rule.patterns.values()
                for group in by_lang.values() for rx in group.regexes]
    assert len(patterns) > 50
    assert [p for p in patterns if regex_hazard(p)] == []


def test_sandbox_limits_in_process(monkeypatch):
    """The bounded sandbox itself: fast refusals, the output bound, and normal templates untouched."""
    from jinja2 import DictLoader

    from clausegen.render.sandbox import BoundedSandbox, TemplateLimitError

    monkeypatch.setenv("CLAUSEGEN_MAX_TEMPLATE_OUTPUT_CHARS", "1000")
    monkeypatch.setenv("CLAUSEGEN_MAX_TEMPLATE_SECONDS", "1")
    env = BoundedSandbox(loader=DictLoader({
        "ok": "{% for i in range(3) %}{{ i * 2 }},{% endfor %}{{ 'ab' * 3 }}{{ 2 ** 10 }}{{ [1] + [2] }}",
        "big": "{% for i in range(2000) %}x{% endfor %}",
        "slow": "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}",
    }))
    env.bound_filters()
    assert env.get_template("ok").render() == "0,2,4,ababab1024[1, 2]"
    with pytest.raises(TemplateLimitError, match="more than 1000 characters"):
        env.get_template("big").render()
    start = time.monotonic()
    with pytest.raises(TemplateLimitError, match="longer than 1 s"):
        env.get_template("slow").render()
    assert time.monotonic() - start < 5
    with pytest.raises(TemplateLimitError):
        env.from_string("{{ 'x' * 5000 }}").render()


def test_check_refuses_a_rule_whose_regex_is_quadratic(tmp_path):
    """(?=.*\\bclaims?\\b) scans to the end of the sentence from each of its positions: a run-on
    sentence of 20,000 characters takes minutes. Such a rule is refused when the rules load."""
    rule = CATASTROPHIC_RULE.replace("    - '(a+)+$'", "    - '(?=.*\\bclaims?\\b)\\b(?:must|shall)\\s+provide\\b'")
    lib = firm_library(tmp_path, "rules/definition.yml", rule)
    (tmp_path / "c.txt").write_text("the Provider shall keep the Service available and " * 400 + "\n", encoding="utf-8")
    proc = run_cli("check", "c.txt", "--library", lib, cwd=tmp_path, timeout=60)
    assert proc.returncode == 2, proc.stdout
    assert "rules/definition.yml:12:" in proc.stderr
    assert "quadratic time" in proc.stderr and "(in a look-ahead)" in proc.stderr and "anchor it" in proc.stderr
    assert proc.elapsed < 45
    proc = run_cli("library", "check", "--library", lib, cwd=tmp_path, timeout=240)
    assert proc.returncode == 1 and "definition.yml:12:" in proc.stdout and "quadratic time" in proc.stdout


def test_a_token_pattern_regex_is_checked_too(tmp_path):
    rule = CATASTROPHIC_RULE.replace("    - '(a+)+$'", "    - [{LOWER: sla}, {TEXT: {REGEX: '^(\\w+\\s?)*$'}}]")
    lib = firm_library(tmp_path, "rules/definition.yml", rule)
    (tmp_path / "c.txt").write_text("SLA " + "a" * 40 + "!\n", encoding="utf-8")
    proc = run_cli("check", "c.txt", "--library", lib, cwd=tmp_path, timeout=60)
    assert proc.returncode == 2, proc.stdout
    assert "rules/definition.yml:12:" in proc.stderr and "exponential time" in proc.stderr


@pytest.mark.parametrize("content, words", [
    ("\n".join(["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
               + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]) + "\n",
     "more than 100000 values"),
    ("id: !!python/object/apply:os.system ['echo PWNED > pwned.txt']\n", "not allowed"),
], ids=["alias-bomb", "python-tag"])
def test_hostile_family_yaml_stops_every_command_cleanly(tmp_path, content, words):
    lib = firm_library(tmp_path, "family.yaml", content)
    for args in (["library", "list"], ["library", "check"], ["render", SAMPLE_EN, "-o", "out.docx"]):
        proc = run_cli(*args, "--library", lib, cwd=tmp_path, timeout=60)
        text = proc.stdout + proc.stderr
        assert proc.returncode == 2, (args, text)
        assert "family.yaml:1:" in text and words in text and "Traceback" not in text
    assert not (tmp_path / "pwned.txt").exists() and not (tmp_path / "out.docx").exists()


# ---------------------------------------------------------------- links out of the library


SECRET = "CLAUSEGEN_TEST_SECRET_TOKEN=hunter2"


RENDER = ("render", str(SAMPLE_EN), "-o", "out.md")
LIBRARY_COMMANDS = [("library", "check"), ("library", "list")]


@pytest.mark.parametrize("relpath, link, refusing", [
    ("en/_x.j2", "include", [RENDER, *LIBRARY_COMMANDS]),  # included by a template the firm overrides
    ("en/definition.j2", "template", [RENDER, *LIBRARY_COMMANDS]),
    ("rules/definition.yml", "rule", [("check", "c.txt"), *LIBRARY_COMMANDS]),
    ("family.yaml", "family", [RENDER, ("check", "c.txt"), *LIBRARY_COMMANDS]),
], ids=["include", "template", "rule", "family-yaml"])
def test_library_files_linking_outside_the_library_are_refused(tmp_path, relpath, link, refusing):
    """A firm library's file that links outside it (to /proc/self/environ, say) is refused with its
    path by every command that needs it, and its content never reaches a contract or a message."""
    outside = tmp_path / "elsewhere" / "environ"
    outside.parent.mkdir()
    outside.write_text(SECRET + "\n", encoding="utf-8")
    lib = firm_library(tmp_path, "en/definition.j2", "{% include 'en/_x.j2' %}\n" if link == "include" else "- x\n")
    target = lib / FAMILY / relpath
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    target.symlink_to(outside)
    (tmp_path / "c.txt").write_text("The Provider shall notify the Customer within 2 hours.\n", encoding="utf-8")
    for args in [RENDER, ("check", "c.txt", "--verbose"), *LIBRARY_COMMANDS]:
        proc = run_cli(*args, "--library", lib, cwd=tmp_path, timeout=120)
        text = proc.stdout + proc.stderr
        assert SECRET not in text, (args, text)
        assert "Traceback" not in text
        if any(args[:2] == r[:2] for r in refusing):
            assert proc.returncode == 2, (args, text)
            assert f"{FAMILY}/{relpath}" in proc.stderr and "outside the clause library" in proc.stderr, (args, text)
    out = tmp_path / "out.md"
    assert not out.exists() or SECRET not in out.read_text(encoding="utf-8")


def test_links_inside_the_library_are_fine(tmp_path):
    lib = firm_library(tmp_path, "en/_shared.j2", "{{ 'shared words' }}\n")
    (lib / FAMILY / "en" / "_x.j2").symlink_to(lib / FAMILY / "en" / "_shared.j2")
    firm_library(tmp_path, "en/definition.j2", "- {% include 'en/_x.j2' %}\n")
    proc = run_cli("render", SAMPLE_EN, "-o", "out.md", "--library", lib, cwd=tmp_path, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "shared words" in (tmp_path / "out.md").read_text(encoding="utf-8")
