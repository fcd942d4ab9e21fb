// DOM helpers of the web console. Text from the server only ever goes in
// through textContent and attributes (h() below), never parsed as HTML: a key,
// a message body or a mail subject is shown as text, whatever it holds.

// h("a", {href: "/x", class: "btn"}, "text", child...): an element.
// Attribute values are set with setAttribute; `on*` keys add listeners.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// A console link: a real <a href> the router intercepts (app.js).
export function link(href, ...children) {
  return h("a", { href }, ...children);
}

// A table: columns [{label, cell: row => Node|string, class}], one row each.
export function table(columns, rows, { caption, empty = "Nothing here yet." } = {}) {
  if (!rows.length) return h("p", { class: "empty" }, empty);
  return h("div", { class: "table-wrap" },
    h("table", {},
      caption ? h("caption", {}, caption) : null,
      h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col", class: c.class }, c.label)))),
      h("tbody", {}, rows.map((r) => h("tr", {}, columns.map((c) => h("td", { class: c.class, "data-label": c.label }, c.cell(r))))))));
}

// A definition list of [label, value] pairs.
export function facts(pairs) {
  return h("dl", { class: "facts" }, pairs.filter(Boolean).map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

export function pre(text, attrs = {}) {
  return h("pre", { class: "code", ...attrs }, text);
}

// A page: heading, optional crumbs and actions, then the content.
export function page(title, { crumbs = [], actions = [] } = {}, ...content) {
  return [
    crumbs.length ? h("nav", { class: "crumbs", "aria-label": "Breadcrumbs" },
      h("ol", {}, crumbs.map((c) => h("li", {}, typeof c === "string" ? c : link(c[1], c[0]))))) : null,
    h("div", { class: "page-head" }, h("h1", {}, title), actions.length ? h("div", { class: "actions" }, actions) : null),
    ...content,
  ];
}

// An error box for a failed call: the message from the server, as text.
export function errorBox(err) {
  return h("div", { class: "error", role: "alert" }, h("strong", {}, "Error: "), err && err.message ? err.message : String(err));
}

// Previous / Next buttons over a stack of page tokens: tokens[i] starts page i.
export class Pager {
  constructor(onPage) {
    this.tokens = [undefined];
    this.index = 0;
    this.onPage = onPage;
  }
  get token() { return this.tokens[this.index]; }
  // After a page loaded: the token of the following one (none: the last page).
  // A single page gets no buttons.
  render(nextToken, label = "") {
    this.tokens.length = this.index + 1;
    if (nextToken !== undefined && nextToken !== null) this.tokens.push(nextToken);
    if (this.tokens.length === 1) return label ? h("p", { class: "muted pager-note" }, label) : document.createDocumentFragment();
    const prev = h("button", { type: "button", disabled: this.index === 0, onclick: () => { this.index--; this.onPage(); } }, "Previous");
    const next = h("button", { type: "button", disabled: this.index + 1 >= this.tokens.length, onclick: () => { this.index++; this.onPage(); } }, "Next");
    return h("div", { class: "pager" }, prev, h("span", { class: "muted" }, `Page ${this.index + 1}${label ? " · " + label : ""}`), next);
  }
}

export function bytes(n) {
  n = Number(n);
  if (!Number.isFinite(n)) return "";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? String(n) : n.toFixed(1)) + " " + units[i];
}

// Epoch milliseconds, seconds or an ISO string: "2026-12-08 00:21:26Z".
export function when(t) {
  if (t === undefined || t === null || t === "") return "";
  let d;
  if (typeof t === "number" || /^\d+(\.\d+)?$/.test(String(t))) {
    const n = Number(t);
    d = new Date(n > 1e11 ? n : n * 1000);
  } else {
    d = new Date(t);
  }
  return Number.isNaN(d.getTime()) ? String(t) : d.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
}
