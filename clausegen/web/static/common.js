/* clausegen web form: interface language, API calls and downloads shared by both pages. */
"use strict";

const CG = (function () {
  const TEXT = {
    zh: {
      "tagline": "服务中断赔偿条款",
      "nav.draft": "起草条款",
      "nav.review": "审查合同",
      "lang.bilingual": "双语",
      "toolbar.new": "新建：",
      "toolbar.load": "打开 .yaml",
      "toolbar.save": "保存 .yaml",
      "toolbar.docx": "下载 Word：",
      "docx.bilingual": "双语 .docx",
      "toolbar.pdf": "下载 PDF：",
      "pdf.bilingual": "双语 .pdf",
      "toolbar.draft": "草稿（待定值留空）",
      "toolbar.draft_help": "在任一栏填写“待定”或 TBD：文件中显示【　】，并在文末列出待定事项。",
      "preview.title": "预览",
      "preview.lang": "语言",
      "preview.as_spec": "同规格",
      "preview.invalid": "请先修正左侧标出的问题，预览将随之更新。",
      "preview.loading": "正在生成预览…",
      "status.checking": "检查中…",
      "status.valid": "✓ 规格有效",
      "status.problems": "{n} 个问题",
      "status.warnings": "✓ 有效（{n} 个提示）",
      "form.include": "包含本条",
      "form.optional": "可选",
      "form.required": "必备",
      "form.add_row": "＋ 添加一行",
      "form.remove": "删除",
      "form.list_help": "每行一项",
      "form.none": "—",
      "form.zh": "中文",
      "form.en": "English",
      "form.general": "基本信息",
      "form.general_help": "条款语言、起草立场、文件信息及适用期限。",
      "form.other": "其他",
      "form.fixed": "固定期限",
      "form.yes": "是",
      "form.loaded": "已打开 {name}",
      "form.problem_elsewhere": "（未对应到表单字段）",
      "error.network": "无法连接到 clausegen 服务：{msg}",
      "error.load": "无法打开该文件",
      "review.drop": "将合同拖放到此处",
      "review.or": "或点击选择文件",
      "review.lang": "合同语言：",
      "review.auto": "自动识别",
      "review.busy": "正在审查合同，请稍候…",
      "review.json": "下载 JSON 报告",
      "review.annotated": "下载批注版 .docx",
      "review.required": "六项必备条款",
      "review.optional": "可选条款",
      "review.other": "其他发现",
      "review.evidence": "依据",
      "review.paragraph": "第 {n} 段",
      "review.suggestion": "建议条款",
      "review.copy": "复制",
      "review.copied": "已复制",
      "review.confidence": "置信度 {n}",
      "review.language": "语言：{lang}",
      "review.paragraphs": "{n} 段",
      "review.no_evidence": "未找到相关表述。",
      "review.privacy": "文件仅在本机临时处理，审查完成后即删除。",
      "review.playbook": "本所立场：",
      "review.no_playbook": "不比对",
      "review.playbook_file": "上传立场文件…",
      "review.author": "修订人：",
      "review.redline": "下载修订版 .docx",
      "review.positions": "本所立场比对",
      "review.term": "条件",
      "review.contract_value": "合同约定",
      "review.firm_position": "本所立场",
      "review.verdict": "结论",
      "review.not_stated": "未写明",
      "verdict.meets": "符合",
      "verdict.fallback": "可接受（退让）",
      "verdict.deviates": "不符合",
      "verdict.not-found": "未写明",
      "position.max": "不超过 {x}",
      "position.min": "不少于 {x}",
      "position.one_of": "以下之一：{x}",
      "position.fallback": "退让：{x}",
      "status.present": "具备",
      "status.weak": "薄弱",
      "status.missing": "缺失",
      "sev.error": "错误",
      "sev.warning": "警告",
      "sev.open": "待定",
      "sev.info": "提示",
    },
    en: {
      "tagline": "Service interruption & compensation",
      "nav.draft": "Draft clauses",
      "nav.review": "Review a contract",
      "lang.bilingual": "Bilingual",
      "toolbar.new": "New:",
      "toolbar.load": "Open .yaml",
      "toolbar.save": "Save .yaml",
      "toolbar.docx": "Download Word:",
      "docx.bilingual": "Bilingual .docx",
      "toolbar.pdf": "Download PDF:",
      "pdf.bilingual": "Bilingual .pdf",
      "toolbar.draft": "Draft (blanks for open values)",
      "toolbar.draft_help": "Type TBD (or 待定) in any field: the document shows [●] there and lists the open points at the end.",
      "preview.title": "Preview",
      "preview.lang": "Language",
      "preview.as_spec": "as in the spec",
      "preview.invalid": "Fix the problems marked in the form; the preview follows.",
      "preview.loading": "Rendering the preview…",
      "status.checking": "Checking…",
      "status.valid": "✓ Spec is valid",
      "status.problems": "{n} problem(s)",
      "status.warnings": "✓ Valid ({n} warning(s))",
      "form.include": "Include this provision",
      "form.optional": "optional",
      "form.required": "required",
      "form.add_row": "+ Add a row",
      "form.remove": "Remove",
      "form.list_help": "one item per line",
      "form.none": "—",
      "form.zh": "Chinese",
      "form.en": "English",
      "form.general": "General",
      "form.general_help": "Language, drafting position, the document and its term.",
      "form.other": "Other",
      "form.fixed": "a fixed period",
      "form.yes": "yes",
      "form.loaded": "Opened {name}",
      "form.problem_elsewhere": "(not tied to a form field)",
      "error.network": "Cannot reach the clausegen server: {msg}",
      "error.load": "Cannot open this file",
      "review.drop": "Drop a contract here",
      "review.or": "or click to choose a file",
      "review.lang": "Contract language:",
      "review.auto": "detect",
      "review.busy": "Reviewing the contract…",
      "review.json": "Download JSON report",
      "review.annotated": "Download annotated .docx",
      "review.required": "The six required provisions",
      "review.optional": "Optional provisions",
      "review.other": "Other findings",
      "review.evidence": "Evidence",
      "review.paragraph": "¶ {n}",
      "review.suggestion": "Suggested clause",
      "review.copy": "Copy",
      "review.copied": "Copied",
      "review.confidence": "confidence {n}",
      "review.language": "language: {lang}",
      "review.paragraphs": "{n} paragraphs",
      "review.no_evidence": "No wording found for this provision.",
      "review.privacy": "Files are processed on this machine in a temporary folder and deleted after the review.",
      "review.playbook": "Firm's positions:",
      "review.no_playbook": "none",
      "review.playbook_file": "upload a playbook…",
      "review.author": "Changes by:",
      "review.redline": "Download redline .docx",
      "review.positions": "Against the firm's positions",
      "review.term": "Term",
      "review.contract_value": "The contract",
      "review.firm_position": "The firm's position",
      "review.verdict": "Verdict",
      "review.not_stated": "not stated",
      "verdict.meets": "meets",
      "verdict.fallback": "fallback",
      "verdict.deviates": "deviates",
      "verdict.not-found": "not stated",
      "position.max": "at most {x}",
      "position.min": "at least {x}",
      "position.one_of": "one of: {x}",
      "position.fallback": "fallback: {x}",
      "status.present": "present",
      "status.weak": "weak",
      "status.missing": "missing",
      "sev.error": "error",
      "sev.warning": "warning",
      "sev.open": "open",
      "sev.info": "info",
    },
  };

  const listeners = [];
  let ui = null;

  function initialLang() {
    try {
      const saved = window.localStorage.getItem("clausegen.ui");
      if (saved === "zh" || saved === "en") return saved;
    } catch (e) { /* storage may be disabled */ }
    return (navigator.language || "zh").toLowerCase().startsWith("zh") ? "zh" : "en";
  }

  /** Return the interface text for `key` in the current language, with {name} filled in. */
  function t(key, vars) {
    let s = (TEXT[ui] && TEXT[ui][key]) || TEXT.en[key] || key;
    if (vars) for (const k of Object.keys(vars)) s = s.split("{" + k + "}").join(String(vars[k]));
    return s;
  }

  /** Return the `zh`/`en` entry of a localized value for the interface language. */
  function pick(value) {
    if (value == null) return "";
    if (typeof value === "string") return value;
    return value[ui] || value.en || value.zh || "";
  }

  function applyStatic() {
    document.documentElement.lang = ui === "zh" ? "zh-CN" : "en";
    for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
    for (const el of document.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
    for (const b of document.querySelectorAll("[data-ui-lang]"))
      b.setAttribute("aria-pressed", String(b.dataset.uiLang === ui));
  }

  function setLang(lang) {
    ui = lang;
    try { window.localStorage.setItem("clausegen.ui", lang); } catch (e) { /* ignore */ }
    applyStatic();
    for (const fn of listeners) fn(lang);
  }

  /** Return the element `tag` with attributes `attrs` and children (strings become text). */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v == null || v === false) continue;
        if (k === "class") node.className = v;
        else if (k === "text") node.textContent = v;
        else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
        else if (k === "dataset") Object.assign(node.dataset, v);
        else node.setAttribute(k, v === true ? "" : v);
      }
    }
    for (const c of children.flat()) {
      if (c == null || c === false) continue;
      node.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.error) || ("HTTP " + status));
      this.status = status;
      this.body = body || {};
    }
  }

  /** Return the Response for `url`; raise ApiError with the JSON error body on 4xx/5xx. */
  async function request(url, options) {
    let response;
    try {
      response = await fetch(url, Object.assign({ credentials: "same-origin" }, options || {}));
    } catch (e) {
      if (e.name === "AbortError") throw e;
      throw new ApiError(0, { error: t("error.network", { msg: e.message }) });
    }
    if (!response.ok) {
      let body = null;
      try { body = await response.json(); } catch (e) { body = { error: response.statusText }; }
      throw new ApiError(response.status, body);
    }
    return response;
  }

  function postJSON(url, data, options) {
    return request(url, Object.assign({
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(data),
    }, options || {}));
  }

  function filenameOf(response, fallback) {
    const cd = response.headers.get("content-disposition") || "";
    const star = /filename\*=UTF-8''([^;]+)/i.exec(cd);
    if (star) return decodeURIComponent(star[1]);
    const plain = /filename="([^"]+)"/i.exec(cd);
    return plain ? plain[1] : fallback;
  }

  /** Save `blob` as a file called `name` through a temporary object URL. */
  function saveBlob(blob, name) {
    const url = URL.createObjectURL(blob);
    const a = el("a", { href: url, download: name });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  async function download(response, fallback) {
    saveBlob(await response.blob(), filenameOf(response, fallback));
  }

  function onLang(fn) { listeners.push(fn); }

  document.addEventListener("DOMContentLoaded", () => {
    ui = initialLang();
    applyStatic();
    for (const b of document.querySelectorAll("[data-ui-lang]"))
      b.addEventListener("click", () => setLang(b.dataset.uiLang));
  });

  return {
    t, pick, el, request, postJSON, download, saveBlob, onLang, ApiError,
    get lang() { return ui; },
  };
})();
