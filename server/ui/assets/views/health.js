// Health: the services podstack runs, its version and persistence, the
// state hash, the store (checkpoint, bytes per column family), and requests
// per operation from /_podstack/metrics: counts, errors, mean latency, and
// the request rate, sampled while the page is open, as small charts.
import { internal } from "../api.js";
import { h, table, facts, page, bytes } from "../dom.js";

const SAMPLE_MS = 2000;
const SAMPLES = 30;  // one minute of rate history

// Prometheus text -> [{name, labels, value}].
export function parseMetrics(text) {
  const out = [];
  for (const line of text.split("\n")) {
    const m = line.match(/^([a-zA-Z_:][\w:]*)(?:\{([^}]*)\})?\s+(\S+)$/);
    if (!m) continue;
    const labels = Object.fromEntries([...(m[2] || "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

// Per "service · operation": requests, errors (status >= 400), total seconds.
function perOperation(metrics) {
  const ops = new Map();
  const get = (l) => {
    const k = `${l.service} · ${l.operation}`;
    if (!ops.has(k)) ops.set(k, { key: k, service: l.service, operation: l.operation, count: 0, errors: 0, seconds: 0 });
    return ops.get(k);
  };
  for (const m of metrics) {
    if (m.name === "podstack_requests_total") {
      const o = get(m.labels);
      o.count += m.value;
      if (Number(m.labels.status) >= 400) o.errors += m.value;
    } else if (m.name === "podstack_request_duration_seconds_sum") {
      get(m.labels).seconds += m.value;
    }
  }
  return ops;
}

const SVG = "http://www.w3.org/2000/svg";
// A sparkline of `values` (requests per second), scaled to its own maximum.
function spark(values, label) {
  const w = 120, hgt = 24;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("class", "spark");
  svg.setAttribute("viewBox", `0 0 ${w} ${hgt}`);
  svg.setAttribute("width", w);
  svg.setAttribute("height", hgt);
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  const max = Math.max(1e-9, ...values);
  const step = w / (SAMPLES - 1);
  const off = SAMPLES - values.length;
  const pts = values.map((v, i) => `${((off + i) * step).toFixed(1)},${(hgt - 2 - (v / max) * (hgt - 4)).toFixed(1)}`);
  const bg = document.createElementNS(SVG, "rect");
  bg.setAttribute("width", w);
  bg.setAttribute("height", hgt);
  bg.setAttribute("rx", 3);
  const line = document.createElementNS(SVG, "polyline");
  line.setAttribute("points", pts.join(" "));
  svg.append(bg, line);
  return svg;
}

export async function render(ctx) {
  const [health, info, state, text] = await Promise.all([
    internal("/_podstack/health", { signal: ctx.signal }),
    internal("/_podstack/info", { signal: ctx.signal }),
    internal("/_podstack/state", { signal: ctx.signal }),
    fetch("/_podstack/metrics", { signal: ctx.signal }).then((r) => (r.ok ? r.text() : "")),
  ]);
  const metrics = parseMetrics(text);
  const one = (name) => (metrics.find((m) => m.name === name) || {}).value;
  const services = Object.entries(health.services || {}).sort();
  const store = metrics.filter((m) => m.name === "podstack_store_bytes").map((m) => [m.labels.column_family, m.value]);

  // Requests: a table redrawn from each sample; rates from the difference of two.
  const history = new Map();  // key -> [rate...]
  const total = [];
  const requests = h("div");
  let last = { ops: perOperation(metrics), t: performance.now() };
  function draw(ops) {
    const rows = [...ops.values()].sort((a, b) => b.count - a.count).slice(0, 40);
    requests.replaceChildren(
      total.length ? h("p", { class: "rate" }, h("span", { class: "muted" }, "All requests, per second, last minute "),
        spark(total, "Requests per second, all operations"), ` ${total[total.length - 1].toFixed(1)}/s`) : null,
      table([
        { label: "Service", cell: (o) => o.service },
        { label: "Operation", class: "wrap", cell: (o) => o.operation },
        { label: "Requests", class: "num", cell: (o) => String(o.count) },
        { label: "Errors", class: "num", cell: (o) => String(o.errors) },
        { label: "Mean latency", class: "num", cell: (o) => (o.count ? `${((o.seconds / o.count) * 1000).toFixed(2)} ms` : "") },
        { label: "Rate", cell: (o) => (history.get(o.key) ? spark(history.get(o.key), `Requests per second of ${o.key}`) : "") },
      ], rows, { empty: "No requests counted yet." }));
  }
  draw(last.ops);
  const timer = setInterval(async () => {
    let ops;
    try {
      ops = perOperation(parseMetrics(await (await fetch("/_podstack/metrics", { signal: ctx.signal })).text()));
    } catch {
      return;
    }
    const now = performance.now();
    const secs = (now - last.t) / 1000;
    let sum = 0;
    for (const [k, o] of ops) {
      const rate = Math.max(0, (o.count - ((last.ops.get(k) || {}).count || 0)) / secs);
      sum += rate;
      const hst = history.get(k) || [];
      hst.push(rate);
      if (hst.length > SAMPLES) hst.shift();
      history.set(k, hst);
    }
    total.push(sum);
    if (total.length > SAMPLES) total.shift();
    last = { ops, t: now };
    draw(ops);
  }, SAMPLE_MS);
  ctx.signal.addEventListener("abort", () => clearInterval(timer));

  return page("Health", {},
    facts([
      ["Status", h("span", { class: health.status === "ok" ? "badge ok" : "badge warn" }, health.status)],
      ["Version", `${info.version}${info.commit ? " (" + info.commit.slice(0, 12) + ")" : ""}`],
      ["Persistence", info.persistence ? `on (${info.data_dir})` : "off (in memory)"],
      ["Uptime", `${Math.round(info.uptime)} s`],
      ["Last sequence", String(state.last_sequence)],
      ["Last checkpoint", one("podstack_checkpoint_sequence") ? `#${one("podstack_checkpoint_sequence")}` : "none yet"],
      ["Events a restart replays", String(one("podstack_events_since_checkpoint") ?? "")],
      ["State hash", h("code", { class: "hash" }, state.hash)],
    ]),
    health.problems ? [h("h2", {}, "Problems"), h("ul", { class: "error" }, health.problems.map((p) => h("li", {}, p)))] : null,
    h("h2", {}, "Services"),
    table([
      { label: "Service", cell: ([n]) => n },
      { label: "Status", cell: ([, s]) => h("span", { class: s === "running" ? "badge ok" : "badge" }, s) },
      { label: "State hash", cell: ([n]) => h("code", { class: "hash" }, (state.services || {})[n] || "") },
    ], services),
    h("h2", {}, "Store"),
    table([
      { label: "Column family", cell: ([n]) => n },
      { label: "Size", class: "num", cell: ([, b]) => bytes(b) },
    ], store, { empty: "No store figures." }),
    h("h2", {}, "Requests"),
    requests);
}
