// Event log: every committed event, newest first, filtered by service and
// operation, a page at a time (?before=N: events older than N), with a live
// tail (a long poll on /_podstack/log?wait=) and one event's detail (log/N).
import { internal } from "../api.js";
import { h, link, table, facts, pre, page, errorBox, when } from "../dom.js";

const PAGE = 50;     // events shown per page
const WINDOW = 500;  // sequences asked for at a time when going back
const MAX_SCAN = 20000;  // sequences looked at for one page of a sparse filter

function logQuery(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") q.set(k, v);
  return "/_podstack/log?" + q.toString();
}

// The filters, all in the URL: service and operation are the log endpoint's
// own; account, text in the summary (a resource name) and a start time are
// applied here to what it returns.
const FILTERS = ["service", "operation", "account", "text", "from", "to"];
function filters(query) {
  const f = Object.fromEntries(FILTERS.map((k) => [k, query.get(k) || ""]));
  const iso = (v) => {
    const d = v ? new Date(/[zZ]|[+-]\d\d:\d\d$/.test(v) ? v : v + "Z") : null;
    return d && !Number.isNaN(d.getTime()) ? d.toISOString() : "";
  };
  f.fromIso = iso(f.from);
  // "To 12:00:05" takes in the whole of that second.
  f.toIso = f.to ? iso(f.to).replace(/\.000Z$/, ".999Z") : "";
  const text = f.text.toLowerCase();
  f.matches = (e) => (!f.account || e.account === f.account) && (!text || String(e.summary).toLowerCase().includes(text)) &&
    (!f.fromIso || e.time >= f.fromIso) && (!f.toIso || e.time <= f.toIso);
  f.active = FILTERS.some((k) => f[k]);
  f.params = (extra = {}) => ({ ...Object.fromEntries(FILTERS.map((k) => [k, f[k]])), ...extra });
  return f;
}

// Up to PAGE matching events with sequence <= hi, newest first, and the
// `before` of the next (older) page, if any.
async function olderPage(hi, f, signal) {
  const found = [];
  let lo = hi + 1;
  let done = false;  // past the start time: nothing older matches
  while (found.length < PAGE && lo > 1 && hi - lo < MAX_SCAN && !done) {
    const top = lo - 1;
    lo = Math.max(1, top - WINDOW + 1);
    const r = await internal(logQuery({ since: lo, until: top, limit: WINDOW, service: f.service, operation: f.operation }), { signal });
    const events = r.events.reverse();
    if (f.fromIso && events.length && events[events.length - 1].time < f.fromIso) done = true;
    found.push(...events.filter(f.matches));
  }
  if (found.length > PAGE) {
    found.length = PAGE;
    return { events: found, before: found[PAGE - 1].sequence };
  }
  return { events: found, before: lo > 1 && !done ? lo : undefined };
}

function row(ctx) {
  return [
    { label: "#", class: "num", cell: (e) => link(ctx.url(`log/${e.sequence}`), String(e.sequence)) },
    { label: "Time (UTC)", class: "nowrap", cell: (e) => when(e.time) },
    { label: "Service", cell: (e) => e.service },
    { label: "Operation", cell: (e) => e.operation },
    { label: "Account · region", class: "nowrap muted", cell: (e) => [e.account, e.region].filter(Boolean).join(" · ") },
    { label: "Summary", class: "wrap", cell: (e) => e.summary },
  ];
}

// "Roll back to here": after a confirmation that lists what the events
// recorded since would no longer count, POST /_podstack/state/rollback, which
// is itself an event (history is kept; rolling forward is another rollback).
function rollbackSection(ctx, e) {
  const result = h("div", { role: "status", class: "message" });
  const dialog = h("dialog", { class: "confirm", "aria-labelledby": "rollback-title" });
  async function confirm() {
    result.replaceChildren();
    const { events: after } = await internal(logQuery({ since: e.sequence + 1, limit: 1000 }));
    if (!after.length) {
      result.replaceChildren(h("p", {}, `Nothing to roll back: #${e.sequence} is the newest event.`));
      return;
    }
    const counts = new Map();
    for (const x of after) {
      const k = `${x.service} · ${x.operation}`;
      counts.set(k, (counts.get(k) || 0) + 1);
    }
    const more = after.length === 1000 ? " (at least)" : "";
    dialog.replaceChildren(
      h("h2", { id: "rollback-title" }, `Roll back to event #${e.sequence}?`),
      h("p", {}, `The state becomes what it was right after #${e.sequence} (${when(e.time)}). ` +
        `The ${after.length}${more} event${after.length === 1 ? "" : "s"} recorded since stop counting:`),
      table([{ label: "Service · operation", cell: ([k]) => k }, { label: "Events", class: "num", cell: ([, n]) => String(n) }],
        [...counts.entries()].sort((a, b) => b[1] - a[1])),
      h("p", { class: "muted" }, "The rollback is itself an event: nothing is erased, and you can roll forward again."),
      h("form", { method: "dialog", class: "button-row" },
        h("button", { type: "submit", value: "cancel", autofocus: true }, "Cancel"),
        h("button", { type: "submit", value: "rollback", class: "danger" }, `Roll back to #${e.sequence}`)));
    dialog.showModal();
  }
  dialog.addEventListener("close", async () => {
    if (dialog.returnValue !== "rollback") return;
    try {
      const r = await internal(`/_podstack/state/rollback?to_seq=${e.sequence}`, { method: "POST" });
      result.replaceChildren(h("p", { class: "ok" }, `Rolled back to #${r.to_sequence}: recorded as event #${r.sequence}. `),
        link(ctx.url("log"), "Open the event log"));
    } catch (err) {
      result.replaceChildren(errorBox(err));
    }
  });
  return [h("div", { class: "button-row" },
    h("button", { type: "button", onclick: () => confirm().catch((err) => result.replaceChildren(errorBox(err))) }, "Roll back to here")),
    result, dialog];
}

async function detail(ctx, seq) {
  const r = await internal(logQuery({ since: seq, until: seq, limit: 1 }), { signal: ctx.signal });
  const e = r.events[0];
  const crumbs = [["Event log", ctx.url("log")], `#${seq}`];
  if (!e) return page(`Event #${seq}`, { crumbs }, h("p", { class: "empty" }, "No event with this sequence number."));
  return page(`Event #${e.sequence}`, { crumbs },
    facts([
      ["Sequence", String(e.sequence)],
      ["Time (UTC)", when(e.time)],
      ["Service", link(ctx.url("log", { service: e.service }), e.service)],
      ["Operation", link(ctx.url("log", { service: e.service, operation: e.operation }), e.operation)],
      ["Account", e.account],
      ["Region", e.region],
      ["Request id", h("code", {}, e.request_id)],
      ["Summary", e.summary],
    ]),
    rollbackSection(ctx, e),
    h("h2", {}, "Decoded event"),
    pre(JSON.stringify(e, null, 2)),
    h("div", { class: "pager" },
      e.sequence > 1 ? link(ctx.url(`log/${e.sequence - 1}`), "← Earlier event") : h("span"),
      link(ctx.url(`log/${e.sequence + 1}`), "Later event →")));
}

export async function render(ctx) {
  if (ctx.params[0]) return detail(ctx, Number(ctx.params[0]));
  const f = filters(ctx.query);
  const { service, operation } = f;
  const before = ctx.query.get("before") ? Number(ctx.query.get("before")) : undefined;
  const [health, state] = await Promise.all([
    internal("/_podstack/health", { signal: ctx.signal }).catch(() => ({ services: {} })),
    internal("/_podstack/state", { signal: ctx.signal }),
  ]);
  const hi = before ? before - 1 : state.last_sequence;
  const { events, before: older } = hi >= 1 ? await olderPage(hi, f, ctx.signal) : { events: [] };

  const services = ["clock", ...Object.keys(health.services || {})].sort();
  const filter = h("form", { class: "filters", role: "search", "aria-label": "Filter events" },
    h("label", {}, "Service ",
      h("select", { name: "service" }, h("option", { value: "" }, "All services"),
        services.map((s) => h("option", { value: s, selected: s === service }, s)))),
    h("label", {}, "Operation ", h("input", { name: "operation", value: operation, placeholder: "e.g. PutObject", size: 14 })),
    h("label", {}, "Account ", h("input", { name: "account", value: f.account, placeholder: "any", size: 13, inputmode: "numeric" })),
    h("label", {}, "Resource ", h("input", { name: "text", value: f.text, placeholder: "name in the summary", size: 16 })),
    h("label", {}, "From (UTC) ", h("input", { name: "from", type: "datetime-local", step: 1, value: f.from })),
    h("label", {}, "To ", h("input", { name: "to", type: "datetime-local", step: 1, value: f.to })),
    h("button", { type: "submit" }, "Filter"),
    f.active ? link(ctx.url("log"), "Clear") : null);
  filter.addEventListener("submit", (e) => {
    e.preventDefault();
    const d = new FormData(filter);
    ctx.navigate(ctx.url("log", Object.fromEntries(FILTERS.map((k) => [k, String(d.get(k) || "").trim()]))));
  });

  const columns = row(ctx);
  const status = h("p", { class: "muted live-status", role: "status" });
  let body = null;
  const list = h("div", { class: "log-list" });
  const draw = (rows) => {
    const t = table(columns, rows, { empty: f.active ? "No matching events." : "No events yet." });
    list.replaceChildren(t);
    body = t.querySelector("tbody");
  };
  draw(events);

  const pager = h("div", { class: "pager" },
    before ? link(ctx.url("log", f.params()), "← Newest") : h("span"),
    h("span", { class: "muted" }, events.length ? `#${events[0].sequence} – #${events[events.length - 1].sequence}` : ""),
    older ? link(ctx.url("log", f.params({ before: older })), "Older →") : h("span"));

  // Live tail, on the newest page only: new events go on top as they are written.
  let live = !before;
  const toggle = h("button", { type: "button", "aria-pressed": String(live), class: "toggle" }, "Live tail");
  let since = state.last_sequence + 1;
  let running = false;
  const tail = async () => {
    if (running) return;
    running = true;
    status.textContent = "Live: waiting for new events…";
    while (live && !ctx.signal.aborted) {
      let r;
      try {
        r = await internal(logQuery({ since, service, operation, wait: 20, limit: 200 }), { signal: ctx.signal });
      } catch (e) {
        if (ctx.signal.aborted) break;
        status.textContent = "Live tail stopped: " + e.message;
        live = false;
        toggle.setAttribute("aria-pressed", "false");
        break;
      }
      since = r.next;
      const newest = r.events.filter(f.matches).reverse();
      if (!live || !newest.length) continue;
      if (!body) {
        draw(newest);
        body.querySelectorAll("tr").forEach((tr) => tr.classList.add("new"));
      } else {
        const rows = Array.from(table(columns, newest).querySelectorAll("tbody tr"));
        rows.forEach((tr) => tr.classList.add("new"));
        body.prepend(...rows);
        while (body.children.length > 500) body.lastElementChild.remove();
      }
      status.textContent = `Live: ${newest.length} new event${newest.length === 1 ? "" : "s"} at ${new Date().toLocaleTimeString()}`;
    }
    running = false;
    if (!live && !ctx.signal.aborted && !status.textContent.startsWith("Live tail stopped")) status.textContent = "Live tail paused.";
  };
  toggle.addEventListener("click", () => {
    live = !live;
    toggle.setAttribute("aria-pressed", String(live));
    if (live) tail();
    else status.textContent = "Live tail paused.";
  });
  if (before) toggle.disabled = true;
  if (live) queueMicrotask(tail);

  return page("Event log", { actions: [toggle] },
    h("p", { class: "lede" }, "Every change podstack recorded, newest first. State is what replaying these events gives."),
    filter, status, list, pager);
}
