/* clausegen drafting page: a form generated from the spec's JSON Schema, validated and
   previewed by the server (the same validate and render functions as the command line). */
"use strict";

(function () {
  const { t, el } = CG;
  const DEBOUNCE_MS = 350;
  const HIDDEN_KEYS = new Set(["clausegen", "family"]);
  const HEAD_SECTIONS = ["parties", "service"];
  const CJK = /[\u3400-\u9fff]/;

  const state = {
    schema: null,
    family: null,
    data: null,
    stash: {},          // values of hidden conditional blocks, by pointer, restored when shown again
    problems: [],
    seq: 0,
    timer: null,
    previewLang: "",
  };

  // ------------------------------------------------------------------ data paths

  function pointerOf(path) {
    let s = "";
    path.forEach((seg, i) => { s += typeof seg === "number" ? `[${seg}]` : (i ? "." : "") + seg; });
    return s;
  }

  function parentPointer(ptr) {
    const m = /^(.*?)(\[\d+\]|\.[^.[\]]+)$/.exec(ptr);
    return m ? m[1] : "";
  }

  function getAt(path) {
    let v = state.data;
    for (const seg of path) {
      if (v == null || typeof v !== "object") return undefined;
      v = v[seg];
    }
    return v;
  }

  function setAt(path, value) {
    if (value === undefined) return deleteAt(path);
    let v = state.data;
    path.slice(0, -1).forEach((seg, i) => {
      if (v[seg] == null || typeof v[seg] !== "object") v[seg] = typeof path[i + 1] === "number" ? [] : {};
      v = v[seg];
    });
    v[path[path.length - 1]] = value;
  }

  function deleteAt(path) {
    const parent = getAt(path.slice(0, -1));
    if (parent == null || typeof parent !== "object") return;
    const key = path[path.length - 1];
    if (Array.isArray(parent) && typeof key === "number") parent.splice(key, 1);
    else delete parent[key];
  }

  // ------------------------------------------------------------------ schema helpers

  function lookup(ref) {
    if (!ref.startsWith("#/")) return {};
    let node = state.schema;
    for (const part of ref.slice(2).split("/")) node = node && node[part.replace(/~1/g, "/").replace(/~0/g, "~")];
    return node || {};
  }

  /** Return `node` with $ref and allOf folded in (the referring node's own keys win). */
  function resolve(node) {
    if (!node || typeof node !== "object") return {};
    let out = node;
    let guard = 0;
    while (out.$ref && guard++ < 20) {
      const { $ref, ...own } = out;
      out = Object.assign({}, resolve(lookup($ref)), own, { $refName: $ref.split("/").pop() });
    }
    if (Array.isArray(out.allOf)) {
      let merged = Object.assign({}, out);
      delete merged.allOf;
      for (const part of out.allOf) {
        const r = resolve(part);
        merged = Object.assign({}, r, merged, {
          properties: Object.assign({}, r.properties, merged.properties),
          required: [...(r.required || []), ...(merged.required || [])],
        });
      }
      out = merged;
    }
    return out;
  }

  function branches(node) {
    return (node.oneOf || node.anyOf || []).map(resolve);
  }

  function isNullSchema(n) { return n.type === "null" || (n.const === null && "const" in n); }

  function types(node) {
    if (Array.isArray(node.type)) return node.type;
    return node.type ? [node.type] : [];
  }

  function nullable(node) {
    return types(node).includes("null") || branches(node).some(isNullSchema)
      || (Array.isArray(node.enum) && node.enum.includes(null));
  }

  /** Return `node` without its null alternative (the form shows "none" another way). */
  function nonNull(node) {
    const bs = branches(node).filter((b) => !isNullSchema(b));
    if ((node.oneOf || node.anyOf) && bs.length === 1) {
      const rest = Object.assign({}, node);
      delete rest.oneOf; delete rest.anyOf;
      return Object.assign({}, bs[0], stripUndefined({ title: rest.title, description: rest.description,
        "x-title-zh": rest["x-title-zh"], "x-description-zh": rest["x-description-zh"] }));
    }
    if (Array.isArray(node.type)) {
      const ts = node.type.filter((x) => x !== "null");
      return Object.assign({}, node, { type: ts.length === 1 ? ts[0] : ts });
    }
    return node;
  }

  function stripUndefined(o) {
    for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
    return o;
  }

  function isLocalized(node) {
    if (/locali[sz]ed|i18n|text_zh_en/i.test(node.$refName || "")) return true;
    const bs = branches(node);
    return bs.some((b) => types(b).includes("string"))
      && bs.some((b) => b.properties && ("zh" in b.properties || "en" in b.properties));
  }

  function props(node) { return node.properties || {}; }

  function kindOf(rawNode, key) {
    const node = nonNull(rawNode);
    if (node["x-widget"]) return node["x-widget"];
    if (isLocalized(node)) return "localized";
    const p = props(node);
    if ("value" in p && "unit" in p) return "duration";
    if ("amount" in p && "currency" in p) return "money";
    const bs = branches(node).filter((b) => !isNullSchema(b));
    if (bs.length > 1) return "union";
    if (Array.isArray(node.enum) || "const" in node) return "enum";
    const ty = types(node).filter((x) => x !== "null");
    if (ty.includes("object") || node.properties) return "group";
    if (ty.includes("array")) {
      const items = resolve(node.items || {});
      if (Array.isArray(items.enum)) return "multi";
      if (items.properties || types(items).includes("object")) return "rows";
      return "list";
    }
    if (ty.includes("boolean")) return "bool";
    if (ty.includes("integer") || ty.includes("number")) return "number";
    if (node.format === "date") return "date";
    if (ty.includes("string")) {
      if ((node.maxLength || 0) > 200 || /description|measurement|agreement|notes|remarks/.test(key)) return "textarea";
      return "text";
    }
    return "json";
  }

  function humanize(key) {
    const s = String(key).replace(/_/g, " ");
    return s.charAt(0).toUpperCase() + s.slice(1);
  }

  function titleOf(node, key) {
    if (CG.lang === "zh") return node["x-title-zh"] || node.title || humanize(key);
    return node.title || humanize(key);
  }

  function helpOf(node) {
    if (CG.lang === "zh") return node["x-description-zh"] || node.description || "";
    return node.description || "";
  }

  /** Return the label of enum value `v` from x-enum-titles / x-enum-titles-zh if the schema has them. */
  function enumLabel(node, v) {
    const titles = node["x-enum-titles"] || node["x-enumTitles"] || node["x-enum-labels"];
    if (titles) {
      if (Array.isArray(titles)) {
        const i = (node.enum || []).indexOf(v);
        if (i >= 0 && titles[i] != null) return CG.pick(titles[i]);
      } else if (titles[v] != null) {
        const entry = titles[v];
        if (typeof entry === "object") return CG.pick(entry);
        if (CG.lang !== "zh") return entry;
      }
    }
    const zh = node["x-enum-titles-zh"] || node["x-enum-zh"];
    if (CG.lang === "zh" && zh) {
      if (Array.isArray(zh)) {
        const i = (node.enum || []).indexOf(v);
        if (i >= 0 && zh[i]) return zh[i];
      } else if (zh[v]) return zh[v];
    }
    return v === null ? t("form.none") : humanize(v);
  }

  function enumValues(node) {
    if ("const" in node) return [node.const];
    return (node.enum || []).filter((v) => v !== null);
  }

  /** Return {property: controlling sibling} for blocks named after a sibling's enum value
      (disputes.arbitration shows when disputes.method is "arbitration"). */
  function conditions(node) {
    const p = props(node);
    const out = {};
    for (const [name, raw] of Object.entries(p)) {
      const r = nonNull(resolve(raw));
      let values = Array.isArray(r.enum) ? r.enum : null;
      if (!values && types(r).includes("array")) values = resolve(r.items || {}).enum || null;
      if (!values) continue;
      for (const v of values) if (typeof v === "string" && v !== name && v in p) out[v] = name;
    }
    return out;
  }

  function visible(objPath, key, controller) {
    const ctl = getAt(objPath.concat(controller));
    return Array.isArray(ctl) ? ctl.includes(key) : ctl === key;
  }

  // ------------------------------------------------------------------ widgets

  function fieldId(ptr) { return "f-" + ptr.replace(/[^\w-]/g, "_"); }

  function wrap(ptr, label, help, control, opts) {
    const attrs = { class: "field", dataset: { pointer: ptr } };
    return el("div", attrs,
      label ? el(opts && opts.forLabel === false ? "span" : "label",
        opts && opts.forLabel === false ? { class: "label" } : { for: fieldId(ptr) }, label) : null,
      control,
      help ? el("small", { class: "help" }, help) : null);
  }

  function onValue(path, parse, structural) {
    return (ev) => {
      setAt(path, parse(ev.target));
      if (structural) renderForm();
      scheduleCheck();
    };
  }

  function parseNumber(input) {
    if (input.value.trim() === "") return undefined;
    const n = Number(input.value);
    return Number.isNaN(n) ? input.value : n;
  }

  function parseText(input) { return input.value === "" ? undefined : input.value; }

  function numberInput(path, node, value, extra) {
    // In a draft a number may be left open (TBD, 待定): the field then takes text.
    const open = isDraft() || typeof value === "string";
    return el("input", Object.assign({
      type: open ? "text" : "number", inputmode: open ? "decimal" : null,
      id: fieldId(pointerOf(path)), step: open ? null : (types(node).includes("integer") ? "1" : "any"),
      value: value == null ? "" : value, oninput: onValue(path, parseNumber),
      min: node.minimum != null ? node.minimum : null,
    }, extra || {}));
  }

  function select(path, node, value, structural, allowEmpty) {
    const values = enumValues(node);
    const sel = el("select", { id: fieldId(pointerOf(path)), onchange: onValue(path, (s) => {
      if (s.value === "") return allowEmpty === "null" ? null : undefined;
      return values.find((v) => String(v) === s.value);
    }, structural) });
    if (allowEmpty || value == null || !values.includes(value)) sel.append(el("option", { value: "" }, t("form.none")));
    for (const v of values) sel.append(el("option", { value: String(v), selected: v === value }, enumLabel(node, v)));
    return sel;
  }

  function widget(path, rawNode, key, ctx) {
    const node = nonNull(resolve(rawNode));
    const kind = kindOf(resolve(rawNode), key);
    const ptr = pointerOf(path);
    const value = getAt(path);
    const label = titleOf(node, key);
    const help = helpOf(node);
    const structural = ctx && ctx.structural;
    switch (kind) {
      case "localized": {
        const bilingual = state.data.language === "bilingual" || (value && typeof value === "object");
        const all = value && typeof value === "object" ? Object.values(value).join(" ") : String(value || "");
        const long = /description|measurement|agreement|notes|remarks/.test(key) || all.length > 90;
        const box = (attrs, text) => long ? el("textarea", Object.assign({ rows: 3 }, attrs), text)
          : el("input", Object.assign({ type: "text", value: text }, attrs));
        if (!bilingual) {
          const text = value && typeof value === "object" ? (value[state.data.language] || value.en || value.zh || "") : (value || "");
          return wrap(ptr, label, help, box({ id: fieldId(ptr), oninput: onValue(path, parseText) }, text));
        }
        let pair = value && typeof value === "object" ? value : {};
        if (typeof value === "string") pair = CJK.test(value) ? { zh: value } : { en: value };
        const part = (lang) => el("div", null, el("span", { class: "sub" }, t("form." + lang)),
          box({ id: lang === "zh" ? fieldId(ptr) : fieldId(ptr) + "-en", lang: lang === "zh" ? "zh-CN" : "en",
            oninput: (ev) => {
              const cur = getAt(path);
              const obj = cur && typeof cur === "object" ? cur : Object.assign({}, pair);
              if (ev.target.value === "") delete obj[lang]; else obj[lang] = ev.target.value;
              setAt(path, obj);
              scheduleCheck();
            } }, pair[lang] || ""));
        return wrap(ptr, label, help, el("div", { class: "pair" }, part("zh"), part("en")));
      }
      case "duration":
      case "money": {
        const [numKey, unitKey] = kind === "duration" ? ["value", "unit"] : ["amount", "currency"];
        const p = props(node);
        const numNode = resolve(p[numKey]);
        const unitNode = nonNull(resolve(p[unitKey]));
        const v = value && typeof value === "object" ? value : {};
        const unitCtl = enumValues(unitNode).length
          ? select(path.concat(unitKey), unitNode, v[unitKey], false)
          : el("input", { type: "text", value: v[unitKey] || "", size: 6, placeholder: kind === "money" ? "CNY" : null, id: fieldId(pointerOf(path.concat(unitKey))),
            oninput: onValue(path.concat(unitKey), parseText) });
        const num = numberInput(path.concat(numKey), numNode, v[numKey]);
        num.id = fieldId(ptr);
        return wrap(ptr, label, help, el("div", { class: "inline", dataset: { pointer: ptr } }, num, unitCtl));
      }
      case "enum":
        return wrap(ptr, label, help, select(path, node, value, true, nullable(resolve(rawNode)) ? "null" : false));
      case "bool":
        return wrap(ptr, null, help, el("label", { class: "checks" },
          el("input", { type: "checkbox", id: fieldId(ptr), checked: value === true,
            onchange: onValue(path, (i) => i.checked, true) }), " ", label), { forLabel: false });
      case "number":
        return wrap(ptr, label, help, numberInput(path, node, value));
      case "date":
        return wrap(ptr, label, help, el("input", { type: "date", id: fieldId(ptr), value: value || "",
          oninput: onValue(path, parseText) }));
      case "text":
        return wrap(ptr, label, help, el("input", { type: "text", id: fieldId(ptr), value: value == null ? "" : String(value),
          oninput: onValue(path, parseText) }));
      case "textarea":
        return wrap(ptr, label, help, el("textarea", { id: fieldId(ptr), rows: 3, oninput: onValue(path, parseText) },
          value == null ? "" : String(value)));
      case "multi": {
        const items = resolve(node.items || {});
        const chosen = Array.isArray(value) ? value : [];
        const box = el("div", { class: "checks", id: fieldId(ptr) });
        enumValues(items).forEach((v, i) => {
          box.append(el("label", null, el("input", { type: "checkbox", value: v, checked: chosen.includes(v),
            id: i === 0 ? null : null,
            onchange: (ev) => {
              const cur = Array.isArray(getAt(path)) ? getAt(path).slice() : [];
              const order = enumValues(items);
              let next = ev.target.checked ? cur.concat([v]) : cur.filter((x) => x !== v);
              next = order.filter((x) => next.includes(x)).concat(next.filter((x) => !order.includes(x)));
              setAt(path, next);
              renderForm();
              scheduleCheck();
            } }), enumLabel(items, v)));
        });
        return wrap(ptr, label, help, box, { forLabel: false });
      }
      case "list": {
        const lines = Array.isArray(value) ? value.join("\n") : "";
        return wrap(ptr, label, (help ? help + " " : "") + "(" + t("form.list_help") + ")",
          el("textarea", { id: fieldId(ptr), rows: 3, oninput: onValue(path, (ta) => {
            const list = ta.value.split("\n").map((s) => s.trim()).filter(Boolean);
            return list.length ? list : undefined;
          }) }, lines));
      }
      case "rows":
        return rowsWidget(path, node, key, label, help);
      case "union":
        return unionWidget(path, node, key, label, help);
      case "group":
        return groupWidget(path, resolve(rawNode), key, structural);
      default:
        return wrap(ptr, label, help, el("textarea", { id: fieldId(ptr), rows: 3, class: "json",
          oninput: onValue(path, (ta) => { try { return JSON.parse(ta.value); } catch (e) { return ta.value; } }) },
          value === undefined ? "" : JSON.stringify(value)));
    }
  }

  function groupWidget(path, rawNode, key, structural) {
    const node = nonNull(rawNode);
    const ptr = pointerOf(path);
    const value = getAt(path);
    const canBeNone = nullable(rawNode);
    const fs = el("fieldset", { class: "group", dataset: { pointer: ptr } });
    const legend = el("legend", null, canBeNone ? null : titleOf(node, key));
    if (canBeNone) {
      legend.append(el("label", { class: "checks" }, el("input", {
        type: "checkbox", id: fieldId(ptr), checked: value != null,
        onchange: (ev) => {
          if (ev.target.checked) setAt(path, state.stash[ptr] || {});
          else { state.stash[ptr] = getAt(path); setAt(path, null); }
          renderForm();
          scheduleCheck();
        } }), titleOf(node, key)));
    }
    fs.append(legend);
    const help = helpOf(node);
    if (help) fs.append(el("small", { class: "help" }, help));
    if (canBeNone && value == null) return fs;
    fs.append(...objectFields(path, node));
    return fs;
  }

  /** Return the widgets of an object's properties, hiding blocks whose controller is off. */
  function objectFields(path, node) {
    const out = [];
    const cond = conditions(node);
    const controllers = new Set(Object.values(cond));
    for (const [name, child] of Object.entries(props(node))) {
      const childPath = path.concat(name);
      const ptr = pointerOf(childPath);
      if (name in cond) {
        if (!visible(path, name, cond[name])) {
          const v = getAt(childPath);
          if (v !== undefined) { state.stash[ptr] = v; deleteAt(childPath); }
          continue;
        }
        if (getAt(childPath) === undefined && state.stash[ptr] !== undefined) setAt(childPath, state.stash[ptr]);
      }
      out.push(widget(childPath, child, name, { structural: controllers.has(name) }));
    }
    return out;
  }

  function rowsWidget(path, node, key, label, help) {
    const ptr = pointerOf(path);
    const items = resolve(node.items || {});
    const cols = Object.entries(props(items));
    const rows = Array.isArray(getAt(path)) ? getAt(path) : [];
    const table = el("table", { class: "rows", id: fieldId(ptr) });
    table.append(el("thead", null, el("tr", null, cols.map(([k, c]) => el("th", null, titleOf(resolve(c), k))), el("th"))));
    const body = el("tbody");
    rows.forEach((row, i) => {
      const tr = el("tr", { dataset: { pointer: pointerOf(path.concat(i)) } });
      for (const [k, c] of cols) {
        const cellPath = path.concat(i, k);
        const cnode = nonNull(resolve(c));
        const kind = kindOf(resolve(c), k);
        const cptr = pointerOf(cellPath);
        let ctl;
        if (kind === "number") ctl = numberInput(cellPath, cnode, row ? row[k] : undefined, { "aria-label": titleOf(cnode, k) });
        else if (kind === "enum") ctl = select(cellPath, cnode, row ? row[k] : undefined, false, true);
        else if (kind === "text" || kind === "localized") ctl = el("input", { type: "text", id: fieldId(cptr),
          value: row && row[k] != null ? String(row[k]) : "", oninput: onValue(cellPath, parseText) });
        else ctl = widget(cellPath, c, k);
        body.append(tr);
        tr.append(el("td", { class: "field", dataset: { pointer: cptr } }, ctl));
      }
      tr.append(el("td", { class: "actions" }, el("button", { type: "button", class: "btn small link",
        "aria-label": t("form.remove"), onclick: () => { deleteAt(path.concat(i)); renderForm(); scheduleCheck(); } }, "✕")));
      body.append(tr);
    });
    table.append(body);
    const add = el("button", { type: "button", class: "btn small add-row", onclick: () => {
      const cur = Array.isArray(getAt(path)) ? getAt(path) : [];
      setAt(path, cur.concat([{}]));
      renderForm();
      scheduleCheck();
    } }, t("form.add_row"));
    return wrap(ptr, label, help, el("div", null, table, add), { forLabel: false });
  }

  function unionWidget(path, node, key, label, help) {
    const ptr = pointerOf(path);
    const value = getAt(path);
    const bs = branches(node).filter((b) => !isNullSchema(b));
    const options = [];   // {label, branch, value?}
    bs.forEach((b, bi) => {
      const vals = enumValues(b);
      if (vals.length === 1 && (b.title || b["x-title-zh"])) options.push({ label: titleOf(b, vals[0]), branch: bi, value: vals[0] });
      else if (vals.length) vals.forEach((v) => options.push({ label: enumLabel(b, v), branch: bi, value: v }));
      else options.push({ label: kindOf(b, key) === "duration" ? t("form.fixed")
        : (b.title ? titleOf(b, "") : humanize(types(b)[0] || "value")), branch: bi });
    });
    let current = options.findIndex((o) => "value" in o && o.value === value);
    if (current < 0 && value != null) {
      current = options.findIndex((o) => !("value" in o) && (typeof value === "object"
        ? types(bs[o.branch]).includes("object") || bs[o.branch].properties
        : types(bs[o.branch]).some((ty) => ty === typeof value || (ty === "integer" && typeof value === "number"))));
    }
    const sel = el("select", { id: fieldId(ptr), onchange: (ev) => {
      const o = options[Number(ev.target.value)];
      if (!o) setAt(path, undefined);
      else if ("value" in o) setAt(path, o.value);
      else setAt(path, kindOf(bs[o.branch], key) === "duration" ? { value: 1, unit: enumValues(nonNull(resolve(props(bs[o.branch]).unit || {})))[0] } : (types(bs[o.branch]).includes("object") ? {} : undefined));
      renderForm();
      scheduleCheck();
    } });
    if (current < 0) sel.append(el("option", { value: "" }, t("form.none")));
    options.forEach((o, i) => sel.append(el("option", { value: String(i), selected: i === current }, o.label)));
    const parts = [sel];
    if (current >= 0 && !("value" in options[current])) {
      const b = bs[options[current].branch];
      const inner = widget(path, b, key);
      inner.querySelector("label, .label") && inner.querySelector("label, .label").remove();
      inner.removeAttribute("data-pointer");
      parts.push(inner);
    }
    return wrap(ptr, label, help, el("div", { class: "inline" }, parts));
  }

  // ------------------------------------------------------------------ sections

  function sectionList() {
    const top = props(state.schema);
    const provisions = state.family.provisions;
    const provIds = provisions.map((p) => p.id);
    const general = Object.keys(top).filter((k) => !HIDDEN_KEYS.has(k) && !HEAD_SECTIONS.includes(k) && !provIds.includes(k));
    const list = [{ id: "_general", keys: general, title: { zh: t("form.general"), en: t("form.general") }, general: true }];
    for (const k of HEAD_SECTIONS) if (k in top) list.push({ id: k, keys: [k] });
    for (const p of provisions) if (p.id in top) list.push({ id: p.id, keys: [p.id], provision: p });
    return list;
  }

  function renderForm() {
    const form = document.getElementById("spec-form");
    const nav = document.getElementById("sections-nav");
    const active = document.activeElement && document.activeElement.id;
    const top = props(state.schema);
    const required = new Set(state.schema.required || []);
    form.replaceChildren();
    nav.replaceChildren();
    let n = 0;
    for (const sec of sectionList()) {
      const node = sec.general ? null : resolve(top[sec.id]);
      const isProv = !!sec.provision;
      if (isProv) n += 1;
      const title = sec.general ? t("form.general") : isProv ? CG.pick(sec.provision.title) : titleOf(node, sec.id);
      const optional = isProv && !sec.provision.required && !required.has(sec.id);
      const included = !optional || getAt([sec.id]) != null;
      const header = el("header", null, isProv ? el("span", { class: "num" }, String(n) + ".") : null, el("h2", null, title));
      if (isProv) header.append(el("span", { class: "tag" }, optional ? t("form.optional") : t("form.required")));
      if (optional) {
        header.append(el("label", { class: "include checks" }, el("input", { type: "checkbox", checked: included,
          id: "include-" + sec.id,
          onchange: (ev) => {
            if (ev.target.checked) setAt([sec.id], state.stash[sec.id] || {});
            else { state.stash[sec.id] = getAt([sec.id]); deleteAt([sec.id]); }
            renderForm();
            scheduleCheck();
          } }), t("form.include")));
      }
      const body = el("div", { class: "body" });
      const help = sec.general ? t("form.general_help") : helpOf(node);
      if (help) body.append(el("p", { class: "section-help" }, help));
      if (included) {
        if (sec.general) {
          for (const k of sec.keys) body.append(widget([k], top[k], k, { structural: k === "language" }));
        } else if (kindOf(node, sec.id) === "group") {
          body.append(...objectFields([sec.id], nonNull(node)));
        } else {
          body.append(widget([sec.id], top[sec.id], sec.id));
        }
      }
      form.append(el("section", { class: "section" + (included ? "" : " excluded"), id: "sec-" + sec.id,
        dataset: { pointer: sec.general ? "" : sec.id, section: sec.id } }, header, body));
      nav.append(el("a", { href: "#sec-" + sec.id, class: optional ? "optional" : null, dataset: { section: sec.id } },
        el("span", null, isProv ? el("span", { class: "num" }, String(n)) : null, title),
        el("span", { class: "count", hidden: true })));
    }
    if (active) {
      const again = document.getElementById(active);
      if (again) again.focus();
    }
    showProblems(state.problems);
  }

  // ------------------------------------------------------------------ problems

  function sectionOf(ptr) {
    const first = ptr.split(/[.[]/)[0];
    const ids = sectionList().map((s) => s.id);
    return ids.includes(first) ? first : "_general";
  }

  function findTarget(p) {
    const form = document.getElementById("spec-form");
    const candidates = [];
    const missing = /'([^']+)' is a required property|missing (?:required )?(?:key )?'?([\w-]+)'?/i.exec(p.message || "");
    let ptr = p.pointer || "";
    if (missing) candidates.push((ptr ? ptr + "." : "") + (missing[1] || missing[2]));
    while (true) {
      candidates.push(ptr);
      if (!ptr) break;
      ptr = parentPointer(ptr);
    }
    for (const c of candidates) {
      if (c === "") continue;
      const hit = form.querySelector(`[data-pointer="${CSS.escape(c)}"]`);
      if (hit && hit.offsetParent !== null) return hit.closest(".field, fieldset.group, section") || hit;
    }
    return null;
  }

  function showProblems(problems) {
    const form = document.getElementById("spec-form");
    for (const old of form.querySelectorAll(".field-error")) old.remove();
    for (const f of form.querySelectorAll(".has-error")) f.classList.remove("has-error");
    for (const f of form.querySelectorAll("[aria-invalid]")) f.removeAttribute("aria-invalid");
    const list = document.getElementById("problems");
    list.replaceChildren();
    const counts = {};
    for (const p of problems) {
      const target = findTarget(p);
      const soft = p.severity !== "error";  // a warning, or a value a draft leaves open
      const msg = el("div", { class: "field-error" + (soft ? " warning" : ""), role: "alert",
        dataset: { pointer: p.pointer || "" } }, p.message, p.hint ? el("span", { class: "hint" }, "hint: " + p.hint) : null);
      if (target) {
        target.classList.add("has-error");
        const input = target.querySelector("input, select, textarea");
        if (input && !soft) input.setAttribute("aria-invalid", "true");
        if (target.tagName === "SECTION") target.querySelector(".body").prepend(msg);
        else if (target.tagName === "FIELDSET") target.querySelector("legend").after(msg);
        else target.append(msg);
      }
      const where = p.line ? p.formatted.split("\n")[0] : (p.pointer ? p.pointer + ": " : "") + p.message;
      list.append(el("li", { onclick: () => {
        if (!target) return;
        target.scrollIntoView({ behavior: "smooth", block: "center" });
        const input = target.querySelector("input, select, textarea");
        if (input) input.focus({ preventScroll: true });
      } }, el("code", { class: soft ? "warning" : "error" }, t(p.severity === "open" ? "sev.open" : soft ? "sev.warning" : "sev.error")), " ", where,
        target ? null : " " + t("form.problem_elsewhere"), p.hint ? el("span", { class: "hint" }, "hint: " + p.hint) : null));
      if (!soft) {
        const sec = sectionOf(p.pointer || "");
        counts[sec] = (counts[sec] || 0) + 1;
      }
    }
    for (const a of document.querySelectorAll("#sections-nav a")) {
      const c = a.querySelector(".count");
      const n = counts[a.dataset.section] || 0;
      c.hidden = n === 0;
      c.textContent = String(n);
    }
  }

  function setStatus(kind, text) {
    const s = document.getElementById("status");
    s.className = "status-pill " + kind;
    s.textContent = text;
  }

  function showNotice(err) {
    const box = document.getElementById("notice");
    if (!err) { box.hidden = true; box.replaceChildren(); return; }
    box.hidden = false;
    box.replaceChildren(el("strong", null, err.message), err.body && err.body.hint ? el("span", { class: "hint" }, "hint: " + err.body.hint) : null);
  }

  // ------------------------------------------------------------------ validate and preview

  /** Return a deep copy of the spec data as it is sent to the server. */
  function payload() { return JSON.parse(JSON.stringify(state.data)); }

  // The draft survives a reload of the tab (sessionStorage), never beyond the browser session.
  const DRAFT_KEY = "clausegen.draft";

  function saveDraft() {
    try { window.sessionStorage.setItem(DRAFT_KEY, JSON.stringify(state.data)); } catch (e) { /* full or disabled */ }
  }

  function savedDraft() {
    try {
      const data = JSON.parse(window.sessionStorage.getItem(DRAFT_KEY) || "null");
      return data && typeof data === "object" && !Array.isArray(data) ? data : null;
    } catch (e) { return null; }
  }

  function scheduleCheck() {
    saveDraft();
    clearTimeout(state.timer);
    setStatus("busy", t("status.checking"));
    state.timer = setTimeout(runCheck, DEBOUNCE_MS);
  }

  function isDraft() {
    const box = document.getElementById("draft-mode");
    return !!(box && box.checked);
  }

  function draftQuery() { return isDraft() ? "&draft=true" : ""; }

  function previewLang() {
    return document.getElementById("preview-lang").value || state.data.language || "";
  }

  async function runCheck() {
    const seq = ++state.seq;
    const body = payload();
    let problems;
    try {
      const r = await CG.postJSON("/api/validate?name=spec.yaml" + draftQuery(), body);
      problems = (await r.json()).problems;
    } catch (e) {
      if (seq !== state.seq) return;
      problems = (e.body && e.body.problems) || [];
      if (!problems.length) { showNotice(e); setStatus("bad", e.message); return; }
    }
    if (seq !== state.seq) return;
    showNotice(null);
    state.problems = problems;
    showProblems(problems);
    const errors = problems.filter((p) => p.severity === "error").length;
    const warnings = problems.length - errors;
    const paper = document.getElementById("preview");
    if (errors) {
      setStatus("bad", t("status.problems", { n: errors }));
      paper.classList.add("stale");
      if (!paper.childElementCount) paper.replaceChildren(el("p", { class: "empty" }, t("preview.invalid")));
      return;
    }
    setStatus("ok", warnings ? t("status.warnings", { n: warnings }) : t("status.valid"));
    if (!paper.querySelector("h1, h2, p:not(.empty)")) paper.replaceChildren(el("p", { class: "empty" }, t("preview.loading")));
    try {
      const lang = previewLang();
      const r = await CG.postJSON("/api/render?format=html" + (lang ? "&lang=" + encodeURIComponent(lang) : "") + draftQuery(), body);
      const html = await r.text();
      if (seq !== state.seq) return;
      showPreview(html);
    } catch (e) {
      if (seq !== state.seq) return;
      paper.classList.add("stale");
      showNotice(e);
    }
  }

  /** Show the html writer's output: its body only, without scripts, styles or handlers. */
  function showPreview(html) {
    // Drop <style> before parsing: the page's CSP forbids inline styles; app.css styles the paper.
    const doc = new DOMParser().parseFromString(html.replace(/<style[\s\S]*?<\/style>/gi, ""), "text/html");
    for (const bad of doc.querySelectorAll("script, style, link, meta, base, iframe, object, embed, form, img[src^='http']"))
      bad.remove();
    for (const node of doc.body.querySelectorAll("*")) {
      for (const attr of Array.from(node.attributes)) {
        const name = attr.name.toLowerCase();
        if (name.startsWith("on") || name === "style" || ((name === "href" || name === "src") && !/^(#|data:image\/)/.test(attr.value)))
          node.removeAttribute(attr.name);
      }
    }
    const paper = document.getElementById("preview");
    paper.classList.remove("stale");
    paper.lang = doc.documentElement.lang || "";
    paper.replaceChildren(...Array.from(doc.body.childNodes).map((n) => document.importNode(n, true)));
  }

  // ------------------------------------------------------------------ toolbar actions

  async function loadStarter(lang) {
    const r = await CG.request("/api/starter?lang=" + encodeURIComponent(lang));
    state.data = await r.json();
    state.stash = {};
    state.problems = [];
    document.getElementById("preview").replaceChildren();
    renderForm();
    scheduleCheck();
  }

  async function downloadDocx(lang, format) {
    format = format || "docx";
    try {
      const r = await CG.postJSON("/api/render?format=" + format + "&lang=" + encodeURIComponent(lang) + draftQuery(), payload());
      await CG.download(r, "clauses-" + lang + "." + format);
      showNotice(null);
    } catch (e) {
      if (e.body && e.body.problems) { state.problems = e.body.problems; showProblems(e.body.problems); }
      showNotice(e);
    }
  }

  async function saveYaml() {
    const title = CG.pick((state.data.document || {}).reference || "") || "spec";
    const name = String(title).replace(/[^\w\u3400-\u9fff.-]+/g, "-") + ".yaml";
    try {
      const r = await CG.postJSON("/api/spec/dump?filename=" + encodeURIComponent(name), payload());
      await CG.download(r, name);
    } catch (e) { showNotice(e); }
  }

  async function loadYaml(file) {
    try {
      const text = await file.text();
      const r = await CG.request("/api/spec/parse?name=" + encodeURIComponent(file.name), {
        method: "POST", headers: { "Content-Type": "application/yaml" }, body: text });
      const result = await r.json();
      state.data = result.data;
      state.stash = {};
      state.problems = result.problems;
      document.getElementById("preview").replaceChildren();
      renderForm();
      showNotice(null);
      scheduleCheck();
    } catch (e) {
      if (e.body && e.body.problems && e.body.problems.length) {
        const p = e.body.problems[0];
        e.message = t("error.load") + ": " + p.formatted;
      }
      showNotice(e);
    }
  }

  async function start() {
    try {
      const [schema, family] = await Promise.all([
        CG.request("/api/schema").then((r) => r.json()),
        CG.request("/api/family").then((r) => r.json()),
      ]);
      state.schema = schema;
      state.family = family;
      document.getElementById("docx-bilingual").textContent = t("docx.bilingual");
      document.querySelector("#preview-lang option[value=bilingual]").textContent = t("lang.bilingual");
      document.querySelector("#preview-lang option[value='']").textContent = t("preview.as_spec");
      const draft = savedDraft();
      if (draft) {
        state.data = draft;
        renderForm();
        scheduleCheck();
      } else {
        await loadStarter(CG.lang === "en" ? "en" : "zh");
      }
    } catch (e) {
      showNotice(e);
      setStatus("bad", e.message);
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    for (const b of document.querySelectorAll("[data-new]")) b.addEventListener("click", () => loadStarter(b.dataset.new));
    for (const b of document.querySelectorAll("[data-docx]")) b.addEventListener("click", () => downloadDocx(b.dataset.docx));
    for (const b of document.querySelectorAll("[data-pdf]")) b.addEventListener("click", () => downloadDocx(b.dataset.pdf, "pdf"));
    document.getElementById("draft-mode").addEventListener("change", () => {
      if (state.schema && state.data) { renderForm(); scheduleCheck(); }
    });
    document.getElementById("save-yaml").addEventListener("click", saveYaml);
    document.getElementById("load-yaml").addEventListener("change", (ev) => {
      const f = ev.target.files && ev.target.files[0];
      if (f) loadYaml(f);
      ev.target.value = "";
    });
    document.getElementById("preview-lang").addEventListener("change", scheduleCheck);
    CG.onLang(() => {
      document.getElementById("docx-bilingual").textContent = t("docx.bilingual");
      document.querySelector("#preview-lang option[value=bilingual]").textContent = t("lang.bilingual");
      document.querySelector("#preview-lang option[value='']").textContent = t("preview.as_spec");
      if (state.schema && state.data) { renderForm(); scheduleCheck(); }
    });
    start();
  });

  window.clausegenDraft = state;  // for debugging from the console and for tests
})();
