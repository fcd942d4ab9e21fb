// The web console's shell: the router (History API, one URL per view), the
// account/region scope and the navigation. Each view is a module in views/
// exporting render(ctx) -> nodes; it is loaded when first shown.
import { scope, DEFAULT_ACCOUNT, DEFAULT_REGION } from "./api.js";
import { h, errorBox } from "./dom.js";

export const BASE = "/_podstack/ui/";

// [pattern over the path after BASE, view module, its name]
const ROUTES = [
  [/^$/, "log"],
  [/^log$/, "log"],
  [/^log\/(\d+)$/, "log"],
  [/^clock$/, "clock"],
  [/^sqs$/, "sqs"],
  [/^sqs\/([^/]+)$/, "sqs"],
  [/^s3$/, "s3"],
  [/^s3\/([^/]+)$/, "s3"],
  [/^dynamodb$/, "dynamodb"],
  [/^dynamodb\/([^/]+)$/, "dynamodb"],
  [/^ssm$/, "ssm"],
  [/^secretsmanager$/, "secretsmanager"],
  [/^kms$/, "kms"],
  [/^events$/, "events"],
  [/^events\/([^/]+)$/, "events"],
  [/^sns$/, "sns"],
  [/^ses$/, "ses"],
  [/^pods$/, "pods"],
  [/^pods\/([^/]+)$/, "pods"],
  [/^health$/, "health"],
];

const main = document.getElementById("main");
let current = null;  // the AbortController of the view shown

// A console URL: BASE + path, with the query, and the scope when not the default.
export function url(path, params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") q.set(k, v);
  if (scope.account !== DEFAULT_ACCOUNT) q.set("account", scope.account);
  if (scope.region !== DEFAULT_REGION) q.set("region", scope.region);
  const s = q.toString();
  return BASE + path + (s ? "?" + s : "");
}

export function navigate(href, { replace = false } = {}) {
  if (replace) history.replaceState(null, "", href);
  else history.pushState(null, "", href);
  show();
}

function readScope() {
  const q = new URLSearchParams(location.search);
  scope.account = q.get("account") || localStorage.getItem("podstack.account") || DEFAULT_ACCOUNT;
  scope.region = q.get("region") || localStorage.getItem("podstack.region") || DEFAULT_REGION;
  document.getElementById("account").value = scope.account;
  document.getElementById("region").value = scope.region;
}

function markNav(path) {
  const section = path.split("/")[0] || "log";
  for (const a of document.querySelectorAll("#nav a")) {
    const target = a.getAttribute("href").slice(BASE.length);
    if (target === section) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
}

async function show({ focus = true } = {}) {
  if (current) current.abort();
  const ctl = new AbortController();
  current = ctl;
  delete main.dataset.url;
  readScope();
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length).replace(/\/$/, "") : "";
  markNav(path);
  closeMenu();
  let found = null;
  for (const [re, view] of ROUTES) {
    const m = path.match(re);
    if (m) { found = { view, params: m.slice(1).map(decodeURIComponent) }; break; }
  }
  const ctx = {
    params: found ? found.params : [],
    query: new URLSearchParams(location.search),
    signal: ctl.signal,
    url,
    navigate,
    refresh: () => show({ focus: false }),
  };
  let nodes;
  try {
    if (!found) {
      nodes = [h("h1", {}, "Not found"), h("p", {}, "No console page at this address.")];
    } else {
      const mod = await import(`./views/${found.view}.js`);
      nodes = await mod.render(ctx);
    }
  } catch (e) {
    if (ctl.signal.aborted) return;
    nodes = [h("h1", {}, "Could not load this page"), errorBox(e)];
  }
  if (ctl.signal.aborted) return;
  main.replaceChildren(...[nodes].flat(Infinity).filter(Boolean));
  main.dataset.url = location.pathname + location.search;  // drawn: what tests wait for
  performance.mark("podstack:view-drawn");  // what tests/ui/bench.mjs measures
  const h1 = main.querySelector("h1");
  document.title = (h1 ? h1.textContent + " · " : "") + "podstack";
  if (focus && h1) {
    h1.setAttribute("tabindex", "-1");
    h1.focus({ preventScroll: false });
  }
}

// Real links everywhere; a click on a console link is handled here instead
// of reloading the page (new tab, download and modified clicks are left alone).
document.addEventListener("click", (e) => {
  const a = e.target.closest("a[href]");
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  if (a.hasAttribute("download") || a.target) return;
  const u = new URL(a.href, location.href);
  if (u.origin !== location.origin || !u.pathname.startsWith(BASE)) return;
  e.preventDefault();
  if (u.hash === "#main") return;
  navigate(u.pathname + u.search);
});
addEventListener("popstate", () => show());

document.getElementById("scope").addEventListener("submit", (e) => {
  e.preventDefault();
  const account = document.getElementById("account").value.trim();
  const region = document.getElementById("region").value.trim();
  localStorage.setItem("podstack.account", account);
  localStorage.setItem("podstack.region", region);
  const q = new URLSearchParams(location.search);
  q.delete("account");
  q.delete("region");
  if (account !== DEFAULT_ACCOUNT) q.set("account", account);
  if (region !== DEFAULT_REGION) q.set("region", region);
  const s = q.toString();
  navigate(location.pathname + (s ? "?" + s : ""), { replace: true });
});

// The skip link moves focus to the content without changing the URL.
document.querySelector(".skip").addEventListener("click", (e) => {
  e.preventDefault();
  main.focus();
});

const menu = document.getElementById("menu");
function closeMenu() {
  menu.setAttribute("aria-expanded", "false");
  document.body.classList.remove("nav-open");
}
menu.addEventListener("click", () => {
  const open = menu.getAttribute("aria-expanded") !== "true";
  menu.setAttribute("aria-expanded", String(open));
  document.body.classList.toggle("nav-open", open);
  if (open) document.querySelector("#nav a").focus();
});

show({ focus: false });
