// S3: buckets, and a bucket's objects a folder (prefix) at a time, with
// download links (saved as attachments, never rendered in the console).
import { s3Get, s3Path, s3DownloadUrl, authHeaders, xmlAll, xmlText, scope } from "../api.js";
import { h, link, table, facts, page, errorBox, Pager, bytes, when } from "../dom.js";

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
            : link(ctx.url(`s3/${encodeURIComponent(bucket)}`, { key: r.key }), r.key.slice(prefix.length)) },
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
  return page(prefix ? prefix : bucket, { crumbs }, uploadForm(bucket, prefix, load), holder);
}

// One object: its metadata (a HEAD), its versions when the bucket keeps
// them, and a download link for each.
async function object(ctx, bucket, key) {
  const res = await fetch(s3Path(bucket, key), { method: "HEAD", headers: authHeaders("s3") });
  const folder = key.includes("/") ? key.slice(0, key.lastIndexOf("/") + 1) : "";
  const crumbs = [["S3", ctx.url("s3")], [bucket, ctx.url(`s3/${encodeURIComponent(bucket)}`)]];
  if (folder) crumbs.push([folder, ctx.url(`s3/${encodeURIComponent(bucket)}`, { prefix: folder })]);
  crumbs.push(key.slice(folder.length));
  if (!res.ok) return page(key, { crumbs }, errorBox(res.status === 404 ? "No such key." : `${res.status} ${res.statusText}`));
  const hd = (n) => res.headers.get(n) || "";
  const meta = [];
  res.headers.forEach((v, k) => { if (k.startsWith("x-amz-meta-")) meta.push([k.slice(11), v]); });
  const versions = xmlAll(await s3Get(s3Path(bucket), { versions: "", prefix: key }), "Version")
    .map((v) => ({ key: xmlText(v, "Key"), id: xmlText(v, "VersionId"), latest: xmlText(v, "IsLatest") === "true",
      size: xmlText(v, "Size"), modified: xmlText(v, "LastModified") }))
    .filter((v) => v.key === key && v.id && v.id !== "null");
  return page(key.slice(folder.length) || key, { crumbs, actions: [
    h("a", { href: s3DownloadUrl(bucket, key), download: key.split("/").pop() || "object", class: "button" }, "Download")] },
    facts([
      ["Key", h("code", {}, key)],
      ["Size", `${bytes(hd("content-length"))} (${hd("content-length")} bytes)`],
      ["Content type", hd("content-type")],
      ["Last modified", when(hd("last-modified"))],
      ["ETag", h("code", {}, hd("etag"))],
      hd("x-amz-version-id") ? ["Version", h("code", {}, hd("x-amz-version-id"))] : null,
      hd("x-amz-storage-class") ? ["Storage class", hd("x-amz-storage-class")] : null,
      hd("x-amz-server-side-encryption") ? ["Encryption", hd("x-amz-server-side-encryption")] : null,
    ]),
    h("h2", {}, "Metadata"),
    table([{ label: "Name", cell: ([k]) => k }, { label: "Value", class: "wrap", cell: ([, v]) => v }], meta, { empty: "No user metadata." }),
    versions.length ? [h("h2", {}, "Versions"), table([
      { label: "Version", cell: (v) => h("code", {}, v.id) },
      { label: "Latest", cell: (v) => (v.latest ? "yes" : "") },
      { label: "Size", class: "num", cell: (v) => bytes(v.size) },
      { label: "Last modified", class: "nowrap", cell: (v) => when(v.modified) },
      { label: "", cell: (v) => h("a", { href: s3DownloadUrl(bucket, key, v.id), download: key.split("/").pop() || "object", "aria-label": `Download version ${v.id}` }, "Download") },
    ], versions)] : null);
}

// Upload files into the folder shown: a PUT of each, as any S3 client does.
function uploadForm(bucket, prefix, done) {
  const status = h("div", { role: "status", class: "message" });
  const input = h("input", { type: "file", multiple: true, id: "upload-files" });
  const form = h("form", { class: "inline-form upload", "aria-label": "Upload files" },
    h("label", { for: "upload-files" }, `Upload to ${prefix || "/"} `), input, h("button", { type: "submit" }, "Upload"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!input.files.length) return;
    try {
      for (const f of input.files) {
        const r = await fetch(s3Path(bucket, prefix + f.name), {
          method: "PUT", body: f, headers: { ...authHeaders("s3"), "Content-Type": f.type || "application/octet-stream" },
        });
        if (!r.ok) throw new Error(`${f.name}: ${r.status} ${r.statusText}`);
      }
      status.replaceChildren(h("p", { class: "ok" }, `Uploaded ${input.files.length} file${input.files.length === 1 ? "" : "s"}.`));
      form.reset();
      await done();
    } catch (err) {
      status.replaceChildren(errorBox(err));
    }
  });
  return [form, status];
}

export async function render(ctx) {
  if (ctx.params[0] && ctx.query.get("key")) return object(ctx, ctx.params[0], ctx.query.get("key"));
  return ctx.params[0] ? objects(ctx, ctx.params[0]) : buckets(ctx);
}
