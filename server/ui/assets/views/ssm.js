// SSM Parameter Store: parameters with type, version and value; SecureString
// values stay masked until revealed (a GetParameter WithDecryption).
import { awsJson, scope } from "../api.js";
import { h, table, page, errorBox, Pager, when } from "../dom.js";

export function revealer(load, label) {
  const out = h("span", { class: "secret" }, "••••••••");
  let shown = false;
  const btn = h("button", { type: "button", class: "small", "aria-label": `Reveal ${label}` }, "Reveal");
  btn.addEventListener("click", async () => {
    if (shown) {
      out.textContent = "••••••••";
      btn.textContent = "Reveal";
      btn.setAttribute("aria-label", `Reveal ${label}`);
      shown = false;
      return;
    }
    try {
      out.textContent = await load();
      out.classList.add("revealed");
      btn.textContent = "Hide";
      btn.setAttribute("aria-label", `Hide ${label}`);
      shown = true;
    } catch (e) {
      out.replaceChildren(errorBox(e));
    }
  });
  return h("span", { class: "reveal" }, out, " ", btn);
}

export async function render(ctx) {
  const holder = h("div");
  const pager = new Pager(load);
  async function load() {
    try {
      const r = await awsJson("ssm", "DescribeParameters", { MaxResults: 50, ...(pager.token ? { NextToken: pager.token } : {}) });
      const params = r.Parameters || [];
      const plain = params.filter((p) => p.Type !== "SecureString").map((p) => p.Name);
      const values = {};
      for (let i = 0; i < plain.length; i += 10) {
        const g = await awsJson("ssm", "GetParameters", { Names: plain.slice(i, i + 10) });
        for (const p of g.Parameters || []) values[p.Name] = p.Value;
      }
      holder.replaceChildren(
        table([
          { label: "Name", class: "wrap", cell: (p) => p.Name },
          { label: "Type", cell: (p) => p.Type },
          { label: "Version", class: "num", cell: (p) => String(p.Version ?? "") },
          { label: "Last modified", class: "nowrap", cell: (p) => when(p.LastModifiedDate) },
          { label: "Value", class: "wrap", cell: (p) => p.Type === "SecureString"
            ? revealer(async () => (await awsJson("ssm", "GetParameter", { Name: p.Name, WithDecryption: true })).Parameter.Value, p.Name)
            : values[p.Name] ?? "" },
        ], params, { empty: `No parameters in ${scope.account} · ${scope.region}.` }),
        pager.render(r.NextToken));
    } catch (e) {
      holder.replaceChildren(errorBox(e));
    }
  }
  await load();
  return page("SSM", {}, h("p", { class: "lede" }, `Parameter Store in account ${scope.account}, ${scope.region}.`), holder);
}
