// S3: buckets, and a bucket's objects a folder (prefix) at a time, with
// download links (saved as attachments, never rendered in the console).
import { s3Get, s3Path, s3DownloadUrl, xmlAll, xmlText, scope } from "../api.js";
import { h, link, table, page, errorBox, Pager, bytes, when } from "../dom.js";

async function buckets(ctx) {
  const doc = await s3Get("/");
  const rows = xmlAll(doc, "Bucket").map((b) => ({ name: xmlText(b, "Name"), created: xmlText(b, "CreationDate") }));
  return page("S3", {},
    h("p", { class: "lede" }, `Buckets of account ${scope.account}.`),
    table([
      { label: "Bucket", cell: (b) => link(ctx.url(`s3/${encodeURIComponent(b.name)}`), b.name) },
      { label: "Created", class: "nowrap", cell: (b) => when(b.created) },
    ], rows, { empty: "No buckets." }));
}

async function objects(ctx, bucket) {
  const prefix = ctx.query.get("prefix") || "";
  const here = (p) => ctx.url(`s3/${encodeURIComponent(bucket)}`, { prefix: p });
  // Breadcrumbs: the bucket, then each folder of the prefix.
  const crumbs = [["S3", ctx.url("s3")], prefix ? [bucket, here("")] : bucket];
  const parts = prefix.split("/").filter((x, i, all) => i < all.length - 1);
  parts.forEach((part, i) => {
    const p = parts.slice(0, i + 1).join("/") + "/";
    crumbs.push(p === prefix ? part + "/" : [part + "/", here(p)]);
  });

  const holder = h("div");
  const pager = new Pager(load);
  async function load() {
    try {
      const params = { "list-type": "2", delimiter: "/", "max-keys": "100" };
      if (prefix) params.prefix = prefix;
      if (pager.token) params["continuation-token"] = pager.token;
      const doc = await s3Get(s3Path(bucket), params);
      const folders = xmlAll(doc, "CommonPrefixes").map((c) => ({ folder: xmlText(c, "Prefix") }));
      const files = xmlAll(doc, "Contents").map((c) => ({
        key: xmlText(c, "Key"), size: xmlText(c, "Size"), modified: xmlText(c, "LastModified"), etag: xmlText(c, "ETag"),
      }));
      const rows = [...folders, ...files];
      const truncated = xmlText(doc, "IsTruncated") === "true";
      holder.replaceChildren(
        table([
          { label: "Name", class: "wrap", cell: (r) => r.folder
            ? link(here(r.folder), h("span", { class: "folder", "aria-hidden": "true" }), r.folder.slice(prefix.length))
            : r.key.slice(prefix.length) },
          { label: "Size", class: "num", cell: (r) => (r.folder ? "Folder" : bytes(r.size)) },
          { label: "Last modified", class: "nowrap", cell: (r) => (r.folder ? "" : when(r.modified)) },
          { label: "", cell: (r) => (r.folder ? "" : h("a", { href: s3DownloadUrl(bucket, r.key), download: r.key.split("/").pop() || "object", "aria-label": `Download ${r.key}` }, "Download")) },
        ], rows, { empty: prefix ? "This folder is empty." : "This bucket is empty." }),
        pager.render(truncated ? xmlText(doc, "NextContinuationToken") : undefined));
    } catch (e) {
      holder.replaceChildren(errorBox(e));
    }
  }
  await load();
  return page(prefix ? prefix : bucket, { crumbs }, holder);
}

export async function render(ctx) {
  return ctx.params[0] ? objects(ctx, ctx.params[0]) : buckets(ctx);
}
