"""The portfolio view of a review's results: one self-contained HTML page, or a CSV of every contract.

The page needs nothing from the network (no CDN: styles, charts as inline SVG and a few lines of
script are inside it), so it can be mailed or archived with a due-diligence file. It shows counts
per provision and status, a heat map of contracts × provisions sortable by gaps, the distribution
of each value the checker extracted (claim window, cap, notice… where it extracts them), the
unreadable files and the duplicates, and for each contract a detail section with its evidence.

Counts are per distinct content (a contract stored twice is counted once; its copies are listed).
The heat map and details show the `max_rows` contracts with the most gaps; the CSV has them all.
"""

from __future__ import annotations

import csv
import io
import json
import math
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

from clausegen.errors import UsageError

STATUSES = ("present", "weak", "missing")
COLOURS = {"present": "#2e7d32", "weak": "#f9a825", "missing": "#c62828"}
MAX_ROWS = 5000


@dataclass
class Contract:
    """One distinct contract content in the results: where it is, its language and its provisions."""

    hash: str
    path: str
    language: str | None
    statuses: dict = field(default_factory=dict)
    copies: list = field(default_factory=list)
    gaps: int = 0
    missing: int = 0


@dataclass
class Portfolio:
    """What the page and the CSV show, computed once from the results folder."""

    results: Path
    provisions: list  # ids in library order: required first
    required: set
    titles: dict
    counts: dict  # (provision, status) -> contracts
    contracts: list  # Contract, most gaps first
    unreadable: list  # (path, reason, hint)
    duplicates: list  # (path, hash, path of the reviewed copy)
    languages: dict
    series: dict  # value name -> list of numbers
    details: dict  # hash -> list of provision rows (shown contracts only)
    total: int = 0


def _latest_files(results: Path):
    """Return the files table with one row per path: the most recently recorded."""
    import pyarrow.compute as pc

    from clausegen.review.dataset import read_table

    files = read_table(results, "files")
    if files.num_rows == 0:
        return files
    newest = files.group_by("path").aggregate([("recorded_at", "max")])
    keep = files.join(newest, keys=["path", "recorded_at"], right_keys=["path", "recorded_at_max"],
                      join_type="inner")
    return keep.sort_by([("path", "ascending")]).filter(pc.invert(pc.is_null(keep["path"])))


def _library_titles(results: Path) -> tuple[list, dict, set]:
    """Return (provision ids in order, titles {id: {lang: title}}, required ids) from the review's library."""
    from clausegen.errors import ClausegenError

    library = None
    try:
        library = json.loads((results / "review.json").read_text(encoding="utf-8"))["options"].get("library")
    except (OSError, ValueError, KeyError, TypeError):
        pass
    try:
        from clausegen.library import load_library

        family = load_library(library).family()
    except (ClausegenError, OSError):  # titles are a courtesy: the page works with ids
        return [], {}, set()
    return ([p.id for p in family.provisions], {p.id: dict(p.title) for p in family.provisions},
            {p.id for p in family.provisions if p.required})


def numeric_values(values, prefix: str = ""):
    """Yield (name, number) for every number in extracted `values` (parsed JSON), named by its key path.

    A mapping with a numeric ``value`` and a ``unit`` is one number named ``path (unit)``, so that a
    claim window of {value: 30, unit: days} reads "claim_window (days)"; the checker's values
    (clausegen.values: {term: claim_window, value: 30, unit: days, ...}) are named by their term.
    """
    if isinstance(values, dict):
        number = values.get("value")
        if isinstance(number, (int, float)) and not isinstance(number, bool) and math.isfinite(number):
            unit = values.get("unit")
            name = values["term"] if isinstance(values.get("term"), str) and values["term"] else prefix
            yield (f"{name} ({unit})" if unit else name or "value"), float(number)
            return
        if "term" in values:  # a value the checker read that is a name (an institution, a venue): no chart
            return
        for key, item in values.items():
            yield from numeric_values(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(values, list):
        for item in values:
            yield from numeric_values(item, prefix)
    elif isinstance(values, (int, float)) and not isinstance(values, bool) and math.isfinite(values):
        yield prefix or "value", float(values)


def load_portfolio(results: str | Path, max_rows: int = MAX_ROWS) -> Portfolio:
    """Return the Portfolio of the review results folder `results`.

    Raises InputError when `results` is not a review results folder.
    """
    import pyarrow.compute as pc

    from clausegen.review.dataset import read_table

    results = Path(results)
    files = _latest_files(results)
    rows = files.select(["path", "hash", "status", "language", "reason"]).to_pylist()
    reviewed: dict[str, Contract] = {}
    unreadable, duplicates, languages = [], [], {}
    hints = {}
    if any(r["status"] == "unreadable" for r in rows):
        for r in read_table(results, "unreadable", ["path", "hint"]).to_pylist():
            hints[r["path"]] = r["hint"]
    for r in rows:
        if r["status"] == "ok" and r["hash"] not in reviewed:
            reviewed[r["hash"]] = Contract(r["hash"], r["path"], r["language"])
            languages[r["language"]] = languages.get(r["language"], 0) + 1
        elif r["status"] == "unreadable":
            unreadable.append((r["path"], r["reason"] or "", hints.get(r["path"])))
    for r in rows:
        if r["status"] == "duplicate":
            original = reviewed.get(r["hash"])
            duplicates.append((r["path"], r["hash"], original.path if original else None))
            if original:
                original.copies.append(r["path"])
        elif r["status"] == "ok" and reviewed[r["hash"]].path != r["path"]:
            reviewed[r["hash"]].copies.append(r["path"])

    order, titles, required = _library_titles(results)
    prov = read_table(results, "provisions", ["hash", "provision", "required", "status", "values"])
    prov = prov.filter(pc.is_in(prov["hash"], value_set=_array(list(reviewed))))
    seen_ids = prov.group_by(["provision", "required"]).aggregate([]).to_pylist()
    for row in seen_ids:
        if row["provision"] not in order:
            order.append(row["provision"])
        if row["required"]:
            required.add(row["provision"])
    order = [p for p in order if p in required] + [p for p in order if p not in required]
    counts = {(r["provision"], r["status"]): r["hash_count"]
              for r in prov.group_by(["provision", "status"]).aggregate([("hash", "count")]).to_pylist()}
    for h, pid, status in zip(prov["hash"].to_pylist(), prov["provision"].to_pylist(), prov["status"].to_pylist()):
        c = reviewed[h]
        c.statuses[pid] = status
        if pid in required and status != "present":
            c.gaps += 1
            c.missing += status == "missing"
    series: dict[str, list] = {}
    with_values = prov.filter(pc.invert(pc.is_null(prov["values"])))
    for pid, raw in zip(with_values["provision"].to_pylist(), with_values["values"].to_pylist()):
        try:
            parsed = json.loads(raw)
        except ValueError:
            continue
        for name, number in numeric_values(parsed):
            series.setdefault(f"{pid}: {name}", []).append(number)

    contracts = sorted(reviewed.values(), key=lambda c: (-c.gaps, -c.missing, c.path))
    shown = {c.hash for c in contracts[:max_rows]}
    details: dict[str, list] = {}
    if shown:
        full = read_table(results, "provisions")
        full = full.filter(pc.is_in(full["hash"], value_set=_array(sorted(shown))))
        for r in full.to_pylist():
            details.setdefault(r["hash"], []).append(r)
    return Portfolio(results, order, required, titles, counts, contracts, unreadable, duplicates, languages,
                     series, details, total=len(contracts))


def _array(values: list):
    import pyarrow as pa

    return pa.array(values, type=pa.string())


# ---------------------------------------------------------------- CSV


def report_csv(p: Portfolio) -> str:
    """Return the CSV: one row per contract (also unreadable files and duplicates), a column per provision."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["path", "hash", "language", "file_status", "gaps", *p.provisions, "same_as", "reason"])
    for c in p.contracts:
        writer.writerow([c.path, c.hash, c.language or "", "ok", c.gaps,
                         *(c.statuses.get(pid, "") for pid in p.provisions), "", ""])
    for path, digest, original in p.duplicates:
        writer.writerow([path, digest, "", "duplicate", "", *("" for _ in p.provisions), original or "", ""])
    for path, reason, hint in p.unreadable:
        writer.writerow([path, "", "", "unreadable", "", *("" for _ in p.provisions), "",
                         reason + (f" (hint: {hint})" if hint else "")])
    return out.getvalue()


# ---------------------------------------------------------------- HTML


def _title(p: Portfolio, pid: str) -> str:
    t = p.titles.get(pid) or {}
    return t.get("en") or pid


def _file_uri(path: str) -> str:
    try:
        return Path(path).as_uri()
    except ValueError:
        return ""


def _status_bars(p: Portfolio) -> str:
    """Return an inline SVG: one stacked bar per provision (present, weak, missing)."""
    width, bar_h, gap, label_w = 780, 20, 8, 300
    ids = [pid for pid in p.provisions if any(p.counts.get((pid, s)) for s in STATUSES)]
    height = len(ids) * (bar_h + gap) + 24
    parts = [f'<svg class="chart" role="img" aria-label="provisions by status" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">']
    for i, pid in enumerate(ids):
        y = i * (bar_h + gap)
        total = sum(p.counts.get((pid, s), 0) for s in STATUSES) or 1
        parts.append(f'<text x="0" y="{y + 14}" font-size="12">{escape(_title(p, pid))}'
                     f'{"" if pid in p.required else " (optional)"}</text>')
        x = label_w
        for s in STATUSES:
            n = p.counts.get((pid, s), 0)
            w = (width - label_w - 10) * n / total
            if n:
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{COLOURS[s]}">'
                             f'<title>{escape(pid)} {s}: {n}</title></rect>')
                if w > 24:
                    parts.append(f'<text x="{x + 4:.1f}" y="{y + 14}" font-size="11" fill="#fff">{n}</text>')
            x += w
    y = len(ids) * (bar_h + gap) + 12
    x = label_w
    for s in STATUSES:
        parts.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{COLOURS[s]}"/>'
                     f'<text x="{x + 14}" y="{y}" font-size="11">{s}</text>')
        x += 80
    parts.append("</svg>")
    return "".join(parts)


def _histogram(name: str, numbers: list) -> str:
    """Return an inline SVG histogram of `numbers` (at most 12 bins), with min, median and max."""
    width, height, pad = 320, 150, 28
    lo, hi = min(numbers), max(numbers)
    distinct = sorted(set(numbers))
    if len(distinct) <= 12:
        bins = [(v, v, sum(1 for n in numbers if n == v)) for v in distinct]
    else:
        step = (hi - lo) / 12
        bins = []
        for i in range(12):
            a, b = lo + i * step, lo + (i + 1) * step
            bins.append((a, b, sum(1 for n in numbers if a <= n < b or (i == 11 and n == hi))))
    top = max(b[2] for b in bins) or 1
    bw = (width - 2 * pad) / len(bins)
    median = sorted(numbers)[len(numbers) // 2]
    parts = [f'<figure class="hist"><figcaption>{escape(name)} <small>n={len(numbers)}, min {lo:g}, '
             f'median {median:g}, max {hi:g}</small></figcaption>'
             f'<svg role="img" aria-label="{escape(name)}" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" xmlns="http://www.w3.org/2000/svg">']
    for i, (a, b, n) in enumerate(bins):
        h = (height - 2 * pad) * n / top
        x, y = pad + i * bw, height - pad - h
        label = f"{a:g}" if a == b else f"{a:g}–{b:g}"
        parts.append(f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{bw - 2:.1f}" height="{h:.1f}" fill="#1565c0">'
                     f'<title>{escape(label)}: {n}</title></rect>')
        if len(bins) <= 12 and (a == b or i % 3 == 0):
            parts.append(f'<text x="{x + bw / 2:.1f}" y="{height - pad + 12}" font-size="9" '
                         f'text-anchor="middle">{escape(label)}</text>')
    parts.append(f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="#555"/>')
    parts.append("</svg></figure>")
    return "".join(parts)


_STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:24px;color:#222}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}
th.sort{cursor:pointer;user-select:none;background:#f4f4f4}th.sort:after{content:" \\2195";color:#999}
td.cell{width:22px;min-width:22px;padding:0;text-align:center;font-size:11px;color:#fff}
td.present{background:#2e7d32}td.weak{background:#f9a825}td.missing{background:#c62828}td.none{background:#eee}
.summary span{display:inline-block;margin-right:22px}.summary b{font-size:20px}
.hists{display:flex;flex-wrap:wrap;gap:16px}.hist{margin:0}.hist figcaption{font-size:12px}
.detail{border:1px solid #ddd;margin:10px 0;padding:6px 12px}.detail:target{outline:3px solid #1565c0}
.ev{color:#444;font-size:12px}.muted{color:#777}.path{word-break:break-all}
"""

_SCRIPT = """
(function(){
  var table=document.getElementById('heatmap'); if(!table) return;
  var body=table.tBodies[0];
  function key(row,col,type){var v=row.cells[col].getAttribute('data-v');return type==='num'?parseFloat(v):v;}
  Array.prototype.forEach.call(table.tHead.rows[0].cells,function(th,col){
    if(!th.classList.contains('sort')) return;
    th.addEventListener('click',function(){
      // numbers (gaps, statuses) sort worst first, names A to Z; a second click reverses
      var type=th.getAttribute('data-type'), cur=th.getAttribute('data-dir');
      var desc=cur ? cur==='asc' : type==='num';
      var rows=Array.prototype.slice.call(body.rows);
      rows.sort(function(a,b){var x=key(a,col,type),y=key(b,col,type);
        var c=(x<y?-1:x>y?1:0); if(c===0){c=a.getAttribute('data-path')<b.getAttribute('data-path')?-1:1; return c;}
        return desc?-c:c;});
      rows.forEach(function(r){body.appendChild(r);});
      Array.prototype.forEach.call(table.tHead.rows[0].cells,function(o){o.removeAttribute('data-dir');});
      th.setAttribute('data-dir',desc?'desc':'asc');
    });
  });
})();
"""

_RANK = {"missing": 2, "weak": 1, "present": 0}


def report_html(p: Portfolio, max_rows: int = MAX_ROWS) -> str:
    """Return the portfolio page: one self-contained HTML document (no external resource)."""
    req = [pid for pid in p.provisions if pid in p.required]
    gapped = sum(1 for c in p.contracts if c.gaps)
    langs = ", ".join(f"{k or '?'} {v}" for k, v in sorted(p.languages.items(), key=lambda kv: str(kv[0])))
    out = ['<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>Portfolio review: {escape(str(p.results))}</title><style>{_STYLE}</style></head><body>",
           f"<h1>Portfolio review</h1><p class=muted>Results folder: <span class=path>{escape(str(p.results))}"
           "</span>. Counts are per distinct contract (copies with the same content count once).</p>",
           '<p class="summary">'
           f"<span><b>{p.total}</b> contracts reviewed</span>"
           f"<span><b>{gapped}</b> with at least one required provision missing or weak</span>"
           f"<span><b>{len(p.unreadable)}</b> unreadable</span>"
           f"<span><b>{len(p.duplicates)}</b> duplicate copies</span>"
           f"<span>languages: {escape(langs)}</span></p>"]

    out.append('<h2 id="counts">Provisions by status</h2>')
    out.append(_status_bars(p))
    out.append('<table id="counts-table"><thead><tr><th>provision</th><th>id</th>'
               + "".join(f"<th>{s}</th>" for s in STATUSES) + "</tr></thead><tbody>")
    for pid in p.provisions:
        out.append(f"<tr><td>{escape(_title(p, pid))}{'' if pid in p.required else ' <span class=muted>(optional)</span>'}"
                   f"</td><td><code>{escape(pid)}</code></td>"
                   + "".join(f'<td data-status="{s}">{p.counts.get((pid, s), 0)}</td>' for s in STATUSES) + "</tr>")
    out.append("</tbody></table>")

    out.append('<h2 id="heat">Contracts × provisions</h2>')
    shown = p.contracts[:max_rows]
    if len(p.contracts) > len(shown):
        out.append(f"<p>The {len(shown)} contracts with the most gaps are shown; all {len(p.contracts)} are in "
                   "the CSV (<code>clausegen report RESULTS -o portfolio.csv</code>).</p>")
    out.append("<p class=muted>Click a column heading to sort (gaps: most first). Cells: "
               + ", ".join(f'<span style="color:{COLOURS[s]}">■</span> {s}' for s in STATUSES)
               + ". Click a contract for its evidence.</p>")
    out.append('<table id="heatmap"><thead><tr><th class="sort" data-type="str">contract</th>'
               '<th class="sort" data-type="str">lang</th><th class="sort" data-type="num" title="required provisions missing or weak">gaps</th>'
               + "".join(f'<th class="sort" data-type="num" title="{escape(_title(p, pid))}">{escape(pid)}</th>' for pid in req)
               + "</tr></thead><tbody>")
    for i, c in enumerate(shown):
        cells = []
        for pid in req:
            s = c.statuses.get(pid)
            cells.append(f'<td class="cell {s or "none"}" data-v="{_RANK.get(s, -1)}" title="{escape(pid)}: {s or "—"}">'
                         f'{"W" if s == "weak" else ""}</td>')
        out.append(f'<tr data-path="{escape(c.path)}"><td data-v="{escape(c.path)}" class=path>'
                   f'<a href="#c{i}">{escape(c.path)}</a></td><td data-v="{escape(c.language or "")}">'
                   f'{escape(c.language or "")}</td><td data-v="{c.gaps}">{c.gaps}</td>{"".join(cells)}</tr>')
    out.append("</tbody></table>")

    out.append('<h2 id="values">Extracted values</h2>')
    if p.series:
        out.append('<div class="hists">' + "".join(_histogram(name, nums) for name, nums in sorted(p.series.items()))
                   + "</div>")
    else:
        out.append("<p>These results hold no extracted values (claim window, cap, notice…): the checker that "
                   "made them reports provisions, not their values.</p>")

    out.append(f'<h2 id="unreadable">Unreadable files ({len(p.unreadable)})</h2>')
    if p.unreadable:
        out.append('<table id="unreadable-table"><thead><tr><th>file</th><th>reason</th><th>hint</th></tr></thead><tbody>')
        for path, reason, hint in p.unreadable[:max_rows]:
            out.append(f'<tr><td class=path><a href="{escape(_file_uri(path))}">{escape(path)}</a></td>'
                       f"<td>{escape(reason)}</td><td>{escape(hint or '')}</td></tr>")
        out.append("</tbody></table>")
    else:
        out.append("<p>None: every file was read.</p>")

    if p.duplicates:
        out.append(f'<h2 id="duplicates">Duplicate copies ({len(p.duplicates)})</h2><table><thead><tr>'
                   "<th>file</th><th>same content as</th></tr></thead><tbody>")
        for path, _, original in p.duplicates[:max_rows]:
            out.append(f"<tr><td class=path>{escape(path)}</td><td class=path>{escape(original or '')}</td></tr>")
        out.append("</tbody></table>")

    out.append('<h2 id="details">Contract details</h2>')
    for i, c in enumerate(shown):
        rows = sorted(p.details.get(c.hash, []), key=lambda r: (r["provision"] not in p.required,
                                                                p.provisions.index(r["provision"])
                                                                if r["provision"] in p.provisions else 99))
        out.append(f'<section class="detail" id="c{i}"><h3 class=path><a href="{escape(_file_uri(c.path))}">'
                   f"{escape(c.path)}</a></h3><p class=muted>language {escape(c.language or '?')} · "
                   f"sha256 {c.hash[:16]}… · {c.gaps} gap(s)"
                   + (f" · also at: {escape(', '.join(c.copies))}" if c.copies else "") + "</p>"
                   "<table><thead><tr><th>provision</th><th>status</th><th>confidence</th><th>evidence</th>"
                   "<th>where</th><th>values</th></tr></thead><tbody>")
        for r in rows:
            where = ""
            if r["evidence_paragraph"] is not None:
                where = f"paragraph {r['evidence_paragraph'] + 1}"
                if r["evidence_start"] is not None:
                    where += f", characters {r['evidence_start']}–{r['evidence_end']}"
            if r["evidence_location"]:
                where += (" · " if where else "") + escape(r["evidence_location"])
            out.append(f'<tr><td>{escape(_title(p, r["provision"]))}</td>'
                       f'<td class="cell {escape(r["status"])}" style="width:auto;padding:2px 6px">{escape(r["status"])}</td>'
                       f'<td>{r["confidence"]:.2f}</td><td class=ev>{escape(r["evidence"] or "")}</td>'
                       f"<td>{where}</td><td><code>{escape(r['values'] or '')}</code></td></tr>")
        out.append("</tbody></table></section>")
    out.append(f"<script>{_SCRIPT}</script></body></html>\n")
    return "".join(out)


def write_report(results, output, fmt: str | None = None, max_rows: int = MAX_ROWS) -> Path:
    """Write the portfolio of `results` to `output` as html or csv (`fmt`, default by suffix); return the path.

    Raises UsageError for an unknown format, InputError for a folder that holds no review results
    or an output that cannot be written (written atomically: a failed run leaves no half file).
    """
    from clausegen.outputs import ensure_not_input, write_atomic
    from clausegen.review.run import require_packages

    require_packages("pyarrow")

    output = Path(output)
    fmt = fmt or output.suffix.lower().lstrip(".")
    if fmt not in ("html", "csv", "htm"):
        raise UsageError(f"cannot tell the report format from {str(output)!r}", path=str(output),
                         hint="name a .html or .csv file, or pass --format html|csv")
    ensure_not_input(output, [])
    portfolio = load_portfolio(results, max_rows=max_rows)
    if fmt == "csv":
        data = report_csv(portfolio).encode("utf-8-sig")  # the BOM makes Excel read Chinese correctly
    else:
        data = report_html(portfolio, max_rows).encode("utf-8")
    write_atomic(output, data)
    return output
