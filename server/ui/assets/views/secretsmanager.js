// Secrets Manager: secrets and their metadata; a value stays masked until
// revealed (GetSecretValue, which AWS records as a read, not a change).
import { awsJson, scope } from "../api.js";
import { h, table, page, errorBox, Pager, when } from "../dom.js";
import { revealer } from "./ssm.js";

export async function render(ctx) {
  const holder = h("div");
  const pager = new Pager(load);
  async function load() {
    try {
      const r = await awsJson("secretsmanager", "ListSecrets", { MaxResults: 50, ...(pager.token ? { NextToken: pager.token } : {}) });
      holder.replaceChildren(
        table([
          { label: "Name", class: "wrap", cell: (s) => s.Name },
          { label: "Description", class: "wrap", cell: (s) => s.Description || "" },
          { label: "Last changed", class: "nowrap", cell: (s) => when(s.LastChangedDate) },
          { label: "Deletion", class: "nowrap", cell: (s) => (s.DeletedDate ? "scheduled " + when(s.DeletedDate) : "") },
          { label: "Value", class: "wrap", cell: (s) => s.DeletedDate ? "" : revealer(async () => {
            const v = await awsJson("secretsmanager", "GetSecretValue", { SecretId: s.ARN });
            return v.SecretString ?? `(binary, ${String(v.SecretBinary || "").length} base64 chars)`;
          }, s.Name) },
        ], r.SecretList || [], { empty: `No secrets in ${scope.account} · ${scope.region}.` }),
        pager.render(r.NextToken));
    } catch (e) {
      holder.replaceChildren(errorBox(e));
    }
  }
  await load();
  return page("Secrets Manager", {}, h("p", { class: "lede" }, `Secrets in account ${scope.account}, ${scope.region}. Values stay hidden until you reveal them.`), holder);
}
