// KMS: the keys of the account and region with their aliases, spec, usage
// and state (a pending deletion shows its date). Key material never leaves
// podstack: no API returns it, and the console shows only what AWS shows.
import { awsJson, scope } from "../api.js";
import { h, table, page, errorBox, Pager, when } from "../dom.js";

export async function render(ctx) {
  const holder = h("div");
  const pager = new Pager(load);
  async function load() {
    try {
      const r = await awsJson("kms", "ListKeys", { Limit: 50, ...(pager.token ? { Marker: pager.token } : {}) });
      const aliases = {};
      let marker;
      do {
        const a = await awsJson("kms", "ListAliases", { Limit: 100, ...(marker ? { Marker: marker } : {}) });
        for (const x of a.Aliases || []) if (x.TargetKeyId) (aliases[x.TargetKeyId] ||= []).push(x.AliasName);
        marker = a.Truncated ? a.NextMarker : undefined;
      } while (marker);
      const keys = [];
      for (const k of r.Keys || []) keys.push((await awsJson("kms", "DescribeKey", { KeyId: k.KeyId })).KeyMetadata);
      holder.replaceChildren(
        table([
          { label: "Key id", class: "wrap mono", cell: (k) => k.KeyId },
          { label: "Aliases", class: "wrap", cell: (k) => (aliases[k.KeyId] || []).join(", ") },
          { label: "Spec", cell: (k) => k.KeySpec },
          { label: "Usage", cell: (k) => k.KeyUsage },
          { label: "State", cell: (k) => k.KeyState + (k.DeletionDate ? ` (deleted ${when(k.DeletionDate)})` : "") },
          { label: "Created", class: "nowrap", cell: (k) => when(k.CreationDate) },
          { label: "Description", class: "wrap", cell: (k) => k.Description || "" },
        ], keys, { empty: `No keys in ${scope.account} · ${scope.region}.` }),
        pager.render(r.Truncated ? r.NextMarker : undefined));
    } catch (e) {
      holder.replaceChildren(errorBox(e));
    }
  }
  await load();
  return page("KMS", {}, h("p", { class: "lede" }, `Keys in account ${scope.account}, ${scope.region}.`), holder);
}
