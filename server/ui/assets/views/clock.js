// Clock: podstack's one clock (timestamps, SQS visibility, TTL, deletion
// windows all read it), its state, and advance / freeze, each a logged event.
import { internal } from "../api.js";
import { h, facts, page, errorBox, when } from "../dom.js";

const PRESETS = ["1m", "1h", "1d", "7d", "30d"];
const DURATION = /^(\d+(ms|s|m|h|d|w))+$/;

function duration(ms) {
  const sign = ms < 0 ? "−" : "+";
  let s = Math.round(Math.abs(ms) / 1000);
  const parts = [];
  for (const [unit, n] of [["d", 86400], ["h", 3600], ["m", 60], ["s", 1]]) {
    if (s >= n) { parts.push(Math.floor(s / n) + unit); s %= n; }
  }
  return sign + (parts.join(" ") || "0s");
}

export async function render(ctx) {
  const message = h("div", { role: "status", class: "message" });
  const view = h("div");

  async function change(body) {
    message.replaceChildren();
    try {
      const c = await internal("/_podstack/clock", { method: "POST", body });
      draw(c);
      message.replaceChildren(h("p", { class: "ok" }, "Clock changed: now " + when(c.now)));
    } catch (e) {
      message.replaceChildren(errorBox(e));
    }
  }

  // While running, the shown time ticks on from the server's answer (a frozen clock stays put).
  let tick = null;
  ctx.signal.addEventListener("abort", () => clearInterval(tick));
  function draw(c) {
    clearInterval(tick);
    if (!c.frozen) {
      const base = c.now_ms - performance.now();
      tick = setInterval(() => {
        const el = document.getElementById("clock-now");
        if (!el) return clearInterval(tick);
        const iso = new Date(base + performance.now()).toISOString();
        el.setAttribute("datetime", iso);
        el.textContent = when(iso);
      }, 1000);
    }
    const advance = h("form", { class: "inline-form", "aria-label": "Advance the clock" },
      h("label", {}, "Advance by ", h("input", { name: "by", placeholder: "90s, 1h, 7d", size: 10, required: true })),
      h("button", { type: "submit" }, "Advance"));
    advance.addEventListener("submit", (e) => {
      e.preventDefault();
      const by = new FormData(advance).get("by").trim();
      const input = advance.querySelector("input");
      // The durations podstack takes (clock_service.cpp): checked here first, so a typo is
      // explained at once; what the server still refuses shows its own message.
      if (!DURATION.test(by)) {
        input.setAttribute("aria-invalid", "true");
        message.replaceChildren(errorBox(`"${by}" is not a duration: write e.g. 90s, 15m, 1h, 7d or 1h30m.`));
        input.focus();
        return;
      }
      input.removeAttribute("aria-invalid");
      change({ advance: by });
    });
    view.replaceChildren(
      h("p", { class: "clock-now", "aria-live": "polite" }, h("span", { class: "muted" }, "Now "), h("time", { datetime: c.now, id: "clock-now" }, when(c.now))),
      facts([
        ["State", h("span", { class: c.frozen ? "badge warn" : "badge ok", id: "clock-state" }, c.frozen ? "Frozen" : "Running")],
        ["Offset from wall time", duration(c.offset_ms || 0)],
        ["Wall time", when(c.wall)],
      ]),
      h("h2", {}, "Change"),
      h("div", { class: "button-row", role: "group", "aria-label": "Advance presets" },
        PRESETS.map((p) => h("button", { type: "button", onclick: () => change({ advance: p }) }, "+" + p))),
      advance,
      h("div", { class: "button-row" },
        h("button", { type: "button", onclick: () => change({ freeze: !c.frozen }) }, c.frozen ? "Unfreeze" : "Freeze"),
        h("button", { type: "button", onclick: async () => draw(await internal("/_podstack/clock")) }, "Refresh")));
  }

  draw(await internal("/_podstack/clock", { signal: ctx.signal }));
  return page("Clock", {},
    h("p", { class: "lede" }, "podstack's clock: every time a service decides with. Advancing it makes due work happen (visibility timeouts, TTL, deletion windows); each change is an event."),
    message, view);
}
