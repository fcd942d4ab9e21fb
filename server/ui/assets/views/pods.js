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

// Compare the chosen version with the live state or with another version.
function compareForm(ctx, name, chosen, versions, against) {
  const others = versions.filter((x) => x.version !== chosen);
  if (!others.length) return null;
  const select = h("select", { name: "against" }, h("option", { value: "" }, "the live state"),
    others.map((x) => h("option", { value: x.version, selected: x.version === against }, `version ${x.version}`)));
  const form = h("form", { class: "inline-form", "aria-label": "Compare versions" },
    h("label", {}, `Compare version ${chosen} with `, select), h("button", { type: "submit" }, "Compare"));
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    ctx.navigate(ctx.url(`pods/${encodeURIComponent(name)}`, { version: chosen, against: select.value }));
  });
  return form;
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
  ], rows, { caption: `Resources changed (${diff.from} → ${diff.to})` });
}

const STRATEGIES = [
  ["overwrite", "Overwrite: the live state becomes the pod's"],
  ["service-merge", "Service merge: the pod's services replace those services, others stay"],
  ["account-region-merge", "Account/region merge: the pod's accounts and regions replace those, others stay"],
];

// Verify (live state against this version: the two hashes) and Load (after
// a confirmation naming what loading would undo), both on the pods API.
function actions(ctx, base, name, version, diff) {
  const out = h("div", { role: "status", class: "message" });
  const verify = async () => {
    out.replaceChildren();
    try {
      const v = await internal(`${base}/verify?version=${version}`);
      out.replaceChildren(h("div", { class: v.ok ? "card verify ok-card" : "card verify" },
        h("p", {}, h("strong", {}, v.ok ? "Verified: the live state equals this version." : "Differs: the live state is not this version.")),
        facts([
          ["Pod hash", h("code", { class: "hash" }, v.pod_hash)],
          ["Live hash", h("code", { class: "hash" }, v.live_hash)],
          ["Live sequence", String(v.live_sequence)],
          v.ok ? null : ["Services that differ", (v.differing_services || []).join(", ")],
        ])));
    } catch (e) {
      out.replaceChildren(errorBox(e));
    }
  };
  const strategy = h("select", { name: "strategy", id: "load-strategy" }, STRATEGIES.map(([v, l]) => h("option", { value: v }, l)));
  const dialog = h("dialog", { class: "confirm", "aria-labelledby": "load-title" },
    h("h2", { id: "load-title" }, `Load ${name} version ${version}?`),
    !diff ? h("p", {}, "Compare this version with the live state to see what loading it would undo.")
      : !diff.error && !diff.same
      ? [h("p", {}, `With overwrite, these ${diff.added + diff.removed + diff.changed} changes since the pod are undone:`), diffTable(diff)]
      : h("p", {}, "The live state already equals this version."),
    h("form", { method: "dialog" },
      h("p", {}, h("label", { for: "load-strategy" }, "Strategy "), strategy),
      h("p", { class: "muted" }, "Loading is itself an event: the log keeps everything, and a rollback undoes it."),
      h("div", { class: "button-row" },
        h("button", { type: "submit", value: "cancel", autofocus: true }, "Cancel"),
        h("button", { type: "submit", value: "load", class: "danger" }, "Load"))));
  dialog.addEventListener("close", async () => {
    if (dialog.returnValue !== "load") return;
    try {
      await internal(`${base}/load?version=${version}&strategy=${encodeURIComponent(strategy.value)}`, { method: "POST" });
      ctx.navigate(ctx.url(`pods/${encodeURIComponent(name)}`, { version, loaded: strategy.value }), { replace: true });
    } catch (e) {
      out.replaceChildren(errorBox(e));
    }
  });
  const loaded = ctx.query.get("loaded");
  return [
    loaded ? h("p", { class: "ok" }, `Loaded version ${version} (${loaded}).`) : null,
    h("div", { class: "button-row" },
      h("button", { type: "button", onclick: verify }, "Verify"),
      h("button", { type: "button", onclick: () => dialog.showModal() }, "Load…"),
      h("a", { class: "button", href: `${base}/file?version=${version}`, download: `${name}-${String(version).padStart(6, "0")}.pod` }, "Export")),
    out, dialog];
}

async function pod(ctx, name) {
  const base = `/_podstack/pods/${encodeURIComponent(name)}`;
  const { versions = [] } = await internal(base, { signal: ctx.signal });
  const newest = versions.length ? versions[versions.length - 1].version : undefined;
  const chosen = Number(ctx.query.get("version") || newest);
  // (?loaded= after a load: the page shows it, the version stays chosen.)
  const v = versions.find((x) => x.version === chosen);
  // ?against=N: this version against version N instead of the live state.
  const against = versions.some((x) => String(x.version) === ctx.query.get("against")) ? Number(ctx.query.get("against")) : null;
  let diff = null;
  if (v) diff = await internal(`${base}/diff?version=${chosen}${against ? `&to=${against}` : ""}`, { signal: ctx.signal })
    .catch((e) => ({ error: e.message }));
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
      actions(ctx, base, name, chosen, against ? null : diff),
      h("h2", {}, against ? `Changes from version ${chosen} to version ${against}` : "Changes since this version"),
      compareForm(ctx, name, chosen, versions, against),
      diff.error ? h("p", { class: "error" }, diff.error)
        : diff.same ? h("p", { class: "ok" }, against ? `None: versions ${chosen} and ${against} hold the same state.` : "None: the live state equals this version.")
        : [h("p", {}, `${diff.added} added, ${diff.removed} removed, ${diff.changed} changed.`), diffTable(diff)],
    ] : null);
}

export async function render(ctx) {
  return ctx.params[0] ? pod(ctx, ctx.params[0]) : list(ctx);
}
