// Health: the services podstack runs, its version and persistence, the
// state hash, and the request counts from /_podstack/metrics.
import { internal } from "../api.js";
import { h, table, facts, page } from "../dom.js";

// Prometheus text -> [{name, labels, value}] for the request counter.
function requestCounts(text) {
  const out = [];
  for (const line of text.split("\n")) {
    const m = line.match(/^podstack_requests_total\{([^}]*)\}\s+([0-9.eE+]+)$/);
    if (!m) continue;
    const labels = Object.fromEntries([...m[1].matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    out.push({ ...labels, value: Number(m[2]) });
  }
  return out.sort((a, b) => b.value - a.value);
}

export async function render(ctx) {
  const [health, info, state, metrics] = await Promise.all([
    internal("/_podstack/health", { signal: ctx.signal }),
    internal("/_podstack/info", { signal: ctx.signal }),
    internal("/_podstack/state", { signal: ctx.signal }),
    fetch("/_podstack/metrics", { signal: ctx.signal }).then((r) => (r.ok ? r.text() : "")),
  ]);
  const services = Object.entries(health.services || {}).sort();
  const counts = requestCounts(metrics).slice(0, 30);
  return page("Health", {},
    facts([
      ["Status", h("span", { class: health.status === "ok" ? "badge ok" : "badge warn" }, health.status)],
      ["Version", `${info.version}${info.commit ? " (" + info.commit.slice(0, 12) + ")" : ""}`],
      ["Persistence", info.persistence ? `on (${info.data_dir})` : "off (in memory)"],
      ["Uptime", `${info.uptime} s`],
      ["Last sequence", String(state.last_sequence)],
      ["State hash", h("code", { class: "hash" }, state.hash)],
    ]),
    health.problems ? [h("h2", {}, "Problems"), h("ul", {}, health.problems.map((p) => h("li", {}, p)))] : null,
    h("h2", {}, "Services"),
    table([
      { label: "Service", cell: ([n]) => n },
      { label: "Status", cell: ([, s]) => h("span", { class: s === "running" ? "badge ok" : "badge" }, s) },
      { label: "State hash", cell: ([n]) => h("code", { class: "hash" }, (state.services || {})[n] || "") },
    ], services),
    h("h2", {}, "Requests"),
    table(Object.keys(counts[0] || { service: 1 }).filter((k) => k !== "value").map((k) => ({ label: k[0].toUpperCase() + k.slice(1), cell: (r) => r[k] }))
      .concat([{ label: "Count", class: "num", cell: (r) => String(r.value) }]), counts, { empty: "No requests counted yet." }));
}
