/* clausegen review page: upload a contract, show the six provisions and the findings. */
"use strict";

(function () {
  const { t, el } = CG;
  const state = { family: null, file: null, report: null, playbookText: null };
  const TERMS = {
    notice_within: { zh: "中断通知时限", en: "Notice of an interruption" },
    claim_window: { zh: "索赔期限", en: "Claim window" },
    payment_deadline: { zh: "赔偿支付期限", en: "Payment deadline" },
    service_credit: { zh: "服务抵扣比例", en: "Service credit" },
    cap: { zh: "赔偿上限", en: "Compensation cap" },
    availability_target: { zh: "可用性目标", en: "Availability target" },
    arbitration_institution: { zh: "仲裁机构", en: "Arbitration institution" },
    governing_law: { zh: "适用法律", en: "Governing law" },
    venue: { zh: "仲裁地/管辖地", en: "Venue" },
    dispute_method: { zh: "争议解决方式", en: "Dispute method" },
  };
  const UNITS = {
    minutes: { zh: "分钟", en: "minutes" }, hours: { zh: "小时", en: "hours" }, days: { zh: "日", en: "days" },
    calendar_days: { zh: "自然日", en: "calendar days" }, business_days: { zh: "个工作日", en: "business days" },
    weeks: { zh: "周", en: "weeks" }, months: { zh: "个月", en: "months" },
  };

  /** Return a position side ({max|min|one_of}) as words: "at most 1 hours", "不少于 10%". */
  function sideText(side) {
    if (!side) return "";
    if (side.one_of) return t("position.one_of", { x: side.one_of.join(", ") });
    const key = side.max !== undefined ? "max" : "min";
    const b = side[key];
    const x = typeof b === "object" ? `${b.value} ${CG.pick(UNITS[b.unit] || { zh: b.unit, en: b.unit })}` : `${b}%`;
    return t("position." + key, { x });
  }

  function renderPositions(file) {
    const box = document.getElementById("positions");
    const rows = file.positions || [];
    box.hidden = rows.length === 0;
    document.getElementById("positions-body").replaceChildren(...rows.map((r) =>
      el("tr", { class: "verdict-" + r.verdict, dataset: { term: r.term, verdict: r.verdict } },
        el("td", null, CG.pick(TERMS[r.term] || { zh: r.term, en: r.term })),
        el("td", null, r.value ? el("mark", null, r.value.text) : el("span", { class: "meta" }, t("review.not_stated")),
          r.value ? el("span", { class: "meta" }, " (" + t("review.paragraph", { n: r.value.paragraph + 1 }) + ")") : null),
        el("td", null, sideText(r.preferred),
          r.fallback ? el("div", { class: "meta" }, t("position.fallback", { x: sideText(r.fallback) })) : null),
        el("td", null, el("span", { class: "badge " + ({ meets: "present", fallback: "weak", deviates: "missing" }[r.verdict] || "info") },
          t("verdict." + r.verdict))))));
  }

  function playbookQuery() {
    const v = document.getElementById("playbook").value;
    return v && v !== "@file" ? "&playbook=" + encodeURIComponent(v) : "";
  }

  function uploadForm() {
    const form = new FormData();
    form.append("file", state.file, state.file.name);
    if (document.getElementById("playbook").value === "@file" && state.playbookText) {
      form.append("playbook", state.playbookText);
    }
    return form;
  }

  function provisionTitle(id) {
    const p = state.family && state.family.provisions.find((x) => x.id === id);
    return p ? CG.pick(p.title) : id;
  }

  function isRequired(id) {
    const p = state.family && state.family.provisions.find((x) => x.id === id);
    return p ? p.required : true;
  }

  function showError(err) {
    const box = document.getElementById("review-error");
    if (!err) { box.hidden = true; box.replaceChildren(); return; }
    box.hidden = false;
    box.replaceChildren(el("strong", null, err.message),
      err.body && err.body.hint ? el("span", { class: "hint" }, "hint: " + err.body.hint) : null);
  }

  /** Return the paragraph with the evidence span marked, cut to a readable window around it. */
  function highlighted(ev, context) {
    const para = context && context[String(ev.paragraph)];
    if (!para || ev.start == null || ev.end == null || ev.end > para.length || ev.start >= ev.end
        || para.slice(ev.start, ev.end).trim() === "") {
      return [el("mark", null, ev.text)];
    }
    const from = Math.max(0, ev.start - 120);
    const to = Math.min(para.length, ev.end + 120);
    return [from > 0 ? "…" : "", para.slice(from, ev.start), el("mark", null, para.slice(ev.start, ev.end)),
      para.slice(ev.end, to), to < para.length ? "…" : ""];
  }

  function findingBlock(f) {
    const block = el("div", { class: "finding " + f.severity },
      el("span", { class: "sev" }, t("sev." + f.severity)), f.message,
      f.paragraph != null ? el("span", { class: "meta" }, " (" + t("review.paragraph", { n: f.paragraph + 1 }) + ")") : null);
    if (f.suggestion) {
      const pre = el("pre", { lang: CJK(f.suggestion) ? "zh-CN" : "en" }, f.suggestion);
      const copy = el("button", { type: "button", class: "btn small", onclick: async (ev) => {
        try { await navigator.clipboard.writeText(f.suggestion); ev.target.textContent = t("review.copied"); }
        catch (e) { /* clipboard may be unavailable */ }
      } }, t("review.copy"));
      block.append(el("details", { class: "suggestion" }, el("summary", null, t("review.suggestion")), pre, copy));
    }
    return block;
  }

  function CJK(s) { return /[\u3400-\u9fff]/.test(s || ""); }

  function render() {
    const report = state.report;
    if (!report) return;
    const file = report.files[0];
    document.getElementById("result").hidden = false;
    document.querySelector("main.review").classList.add("has-result");
    document.getElementById("result-name").textContent = file.path;
    document.getElementById("result-meta").textContent =
      t("review.language", { lang: file.language === "zh" ? "中文" : file.language === "en" ? "English" : file.language });
    const required = file.provisions.filter((p) => isRequired(p.id));
    const optional = file.provisions.filter((p) => !isRequired(p.id));
    const counts = { present: 0, weak: 0, missing: 0 };
    for (const p of required) counts[p.status] = (counts[p.status] || 0) + 1;
    document.getElementById("result-summary").replaceChildren(
      ...["present", "weak", "missing"].map((s) => el("span", { class: "badge " + s }, `${counts[s]} ${t("status." + s)}`)));

    const box = document.getElementById("provisions");
    box.replaceChildren(el("h3", null, t("review.required")));
    for (const p of required) {
      const findings = file.findings.filter((f) => f.provision === p.id);
      const card = el("article", { class: "prov " + p.status, dataset: { provision: p.id, status: p.status } },
        el("header", null, el("span", { class: "badge " + p.status }, t("status." + p.status)),
          el("h3", null, provisionTitle(p.id)),
          p.status === "missing" ? null
            : el("span", { class: "conf" }, t("review.confidence", { n: Math.round(p.confidence * 100) + "%" }))));
      if (p.evidence.length) {
        card.append(el("ul", { class: "evidence", "aria-label": t("review.evidence") },
          p.evidence.map((ev) => el("li", null, el("span", { class: "where" }, t("review.paragraph", { n: ev.paragraph + 1 })),
            highlighted(ev, file.context)))));
      } else if (p.status === "missing") {
        card.append(el("p", { class: "help" }, t("review.no_evidence")));
      }
      for (const f of findings) card.append(findingBlock(f));
      box.append(card);
    }

    const opt = document.getElementById("optional");
    opt.replaceChildren();
    if (optional.length) {
      opt.append(el("h3", null, t("review.optional")), el("div", { class: "summary" },
        optional.map((p) => el("span", { class: "badge " + (p.status === "missing" ? "info" : p.status), dataset: { provision: p.id } },
          provisionTitle(p.id) + " · " + t("status." + p.status)))));
    }
    const others = file.findings.filter((f) => !f.provision || !required.some((p) => p.id === f.provision));
    const other = document.getElementById("other-findings");
    other.replaceChildren();
    if (others.length) other.append(el("h3", null, t("review.other")), ...others.map(findingBlock));
    document.getElementById("download-annotated").hidden = !/\.docx$/i.test(state.file.name);
    document.getElementById("download-redline").hidden = !/\.docx$/i.test(state.file.name);
    renderPositions(file);
  }

  async function check(file) {
    state.file = file;
    state.report = null;
    showError(null);
    document.getElementById("result").hidden = true;
    document.getElementById("review-busy").hidden = false;
    const form = uploadForm();
    const lang = document.getElementById("check-lang").value;
    try {
      const r = await CG.request("/api/check?context=true&lang=" + encodeURIComponent(lang) + playbookQuery(),
        { method: "POST", body: form });
      state.report = await r.json();
      render();
    } catch (e) {
      showError(e);
    } finally {
      document.getElementById("review-busy").hidden = true;
    }
  }

  function downloadJson() {
    if (!state.report) return;
    const clean = JSON.parse(JSON.stringify(state.report));
    for (const f of clean.files) delete f.context;  // the design's shape, as `check --format json`
    const stem = state.file.name.replace(/\.[^.]+$/, "");
    CG.saveBlob(new Blob([JSON.stringify(clean, null, 2) + "\n"], { type: "application/json" }), stem + ".clausegen.json");
  }

  async function downloadAnnotated() {
    if (!state.file) return;
    const form = new FormData();
    form.append("file", state.file, state.file.name);
    const lang = document.getElementById("check-lang").value;
    try {
      const r = await CG.request("/api/annotate?lang=" + encodeURIComponent(lang), { method: "POST", body: form });
      await CG.download(r, "annotated.docx");
    } catch (e) { showError(e); }
  }

  async function downloadRedline() {
    if (!state.file) return;
    const lang = document.getElementById("check-lang").value;
    const author = document.getElementById("author").value.trim();
    try {
      const r = await CG.request("/api/redline?lang=" + encodeURIComponent(lang) + playbookQuery()
        + (author ? "&author=" + encodeURIComponent(author) : ""), { method: "POST", body: uploadForm() });
      await CG.download(r, "redline.docx");
    } catch (e) { showError(e); }
  }

  async function loadPlaybooks() {
    const select = document.getElementById("playbook");
    const books = await (await CG.request("/api/playbooks")).json();
    const upload = select.querySelector('option[value="@file"]');
    for (const b of books) select.insertBefore(el("option", { value: b.name }, b.name), upload);
  }

  document.addEventListener("DOMContentLoaded", async () => {
    const input = document.getElementById("contract");
    const zone = document.getElementById("dropzone");
    input.addEventListener("change", () => { if (input.files[0]) check(input.files[0]); input.value = ""; });
    zone.addEventListener("dragover", (ev) => { ev.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", (ev) => {
      ev.preventDefault();
      zone.classList.remove("over");
      const f = ev.dataTransfer.files && ev.dataTransfer.files[0];
      if (f) check(f);
    });
    document.getElementById("download-json").addEventListener("click", downloadJson);
    document.getElementById("download-annotated").addEventListener("click", downloadAnnotated);
    document.getElementById("check-lang").addEventListener("change", () => { if (state.file) check(state.file); });
    document.getElementById("download-redline").addEventListener("click", downloadRedline);
    const bookFile = document.getElementById("playbook-file");
    document.getElementById("playbook").addEventListener("change", (ev) => {
      if (ev.target.value === "@file") { bookFile.click(); return; }
      if (state.file) check(state.file);
    });
    bookFile.addEventListener("change", async () => {
      if (!bookFile.files[0]) return;
      state.playbookText = await bookFile.files[0].text();
      bookFile.value = "";
      if (state.file) check(state.file);
    });
    CG.onLang(render);
    try {
      state.family = await (await CG.request("/api/family")).json();
      await loadPlaybooks();
    } catch (e) { showError(e); }
  });
})();
