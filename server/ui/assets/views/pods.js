// Pods: saved snapshots of state, their versions (inspect: the header of
// each), and what changed from a version to the live state (the pod diff).
import { internal } from "../api.js";
import { h, link, table, facts, page, bytes, when, errorBox } from "../dom.js";

function saveForm(ctx) {
  const message = h("div", { role: "status", class: "message" });
  const form = h("form", { class: "inline-form", "aria-label": "Save a pod" },
    h("label", {}, "Name ", h("input", { name: "name", required: true, pattern: "[A-Za-z0-9._\\-]+", size: 16, placeholder: "e.g. before-migration" })),
    h("label", {}, "Message ", h("input", { name: "message", size: 28 })),
    h("button", { type: "submit" }, "Save pod"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = new FormData(form);
    const name = f.get("name").trim();
    try {
      await internal(`/_podstack/pods/${encodeURIComponent(name)}?message=${encodeURIComponent(f.get("message"))}`, { method: "POST" });
      ctx.navigate(ctx.url(`pods/${encodeURIComponent(name)}`));
    } catch (err) {
      message.replaceChildren(errorBox(err));
    }
  });
  return [h("h2", {}, "Save the live state"), form, message];
}

async function list(ctx) {
  const { pods = [] } = await internal("/_podstack/pods", { signal: ctx.signal });
  return page("Pods", {},
    h("p", { class: "lede" }, "Saved snapshots of podstack's state: save one here, or with podstack pod save."),
    saveForm(ctx),
    h("h2", {}, "Saved pods"),
    table([
      { label: "Pod", cell: (p) => link(ctx.url(`pods/${encodeURIComponent(p.name)}`), p.name) },
      { label: "Versions", cell: (p) => (p.versions || []).join(", ") },
    ], pods, { empty: "No pods saved yet." }));
}

// The pod diff's resources, one row each: service, change, resource id.
function diffTable(diff) {
  const rows = [];
  for (const [service, d] of Object.entries(diff.services || {}))
    for (const change of ["added", "removed", "changed"])
      for (const id of d[change] || []) rows.push({ service, change, id });
  return table([
    { label: "Service", cell: (r) => r.service },
    { label: "Change", cell: (r) => h("span", { class: `badge change-${r.change}` }, r.change) },
    { label: "Resource", class: "wrap", cell: (r) => h("code", {}, r.id) },
  ], rows, { caption: "Resources changed since this version (pod → live)" });
}

async function pod(ctx, name) {
  const base = `/_podstack/pods/${encodeURIComponent(name)}`;
  const { versions = [] } = await internal(base, { signal: ctx.signal });
  const newest = versions.length ? versions[versions.length - 1].version : undefined;
  const chosen = Number(ctx.query.get("version") || newest);
  const v = versions.find((x) => x.version === chosen);
  let diff = null;
  if (v) diff = await internal(`${base}/diff?version=${chosen}`, { signal: ctx.signal }).catch((e) => ({ error: e.message }));
  const services = v ? Object.entries(v.services || {}) : [];
  return page(`${name}`, { crumbs: [["Pods", ctx.url("pods")], name] },
    table([
      { label: "Version", cell: (x) => (x.version === chosen ? h("strong", {}, String(x.version)) : link(ctx.url(`pods/${encodeURIComponent(name)}`, { version: x.version }), String(x.version))) },
      { label: "Created", class: "nowrap", cell: (x) => when(x.created) },
      { label: "Message", class: "wrap", cell: (x) => x.message || "" },
      { label: "Sequence", class: "num", cell: (x) => String(x.source_sequence ?? "") },
      { label: "Size", class: "num", cell: (x) => bytes(x.compressed_bytes ?? 0) },
    ], versions, { empty: "This pod has no versions." }),
    v ? [
      h("h2", {}, `Version ${chosen}`),
      facts([
        ["State hash", h("code", { class: "hash" }, v.state_hash)],
        ["Partial", v.partial ? "yes" : "no"],
        ["podstack", v.podstack_version],
      ]),
      table([
        { label: "Service", cell: ([n]) => n },
        { label: "Resources", class: "num", cell: ([, s]) => String(s.resources) },
        { label: "Bytes", class: "num", cell: ([, s]) => bytes(s.bytes) },
        { label: "Hash", cell: ([, s]) => h("code", { class: "hash" }, s.hash) },
      ], services),
      h("h2", {}, "Changes since this version"),
      diff.error ? h("p", { class: "error" }, diff.error)
        : diff.same ? h("p", { class: "ok" }, "None: the live state equals this version.")
        : [h("p", {}, `${diff.added} added, ${diff.removed} removed, ${diff.changed} changed.`), diffTable(diff)],
    ] : null);
}

export async function render(ctx) {
  return ctx.params[0] ? pod(ctx, ctx.params[0]) : list(ctx);
}
