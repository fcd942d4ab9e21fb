// SQS: queues with their message counts and attributes, and a peek at a
// queue's messages through /_aws/sqs/messages, which changes nothing (no
// receive count, no visibility change, no event).
import { awsJson, internal, scope } from "../api.js";
import { h, link, table, facts, pre, page, errorBox, Pager, when } from "../dom.js";

const nameOf = (url) => decodeURIComponent(url.split("/").pop());
const arr = (x) => (x === undefined || x === null ? [] : Array.isArray(x) ? x : [x]);

async function list(ctx) {
  const holder = h("div");
  const pager = new Pager(load);
  async function load() {
    holder.replaceChildren(h("p", { class: "muted" }, "Loading…"));
    try {
      const r = await awsJson("sqs", "ListQueues", { MaxResults: 50, ...(pager.token ? { NextToken: pager.token } : {}) });
      const urls = r.QueueUrls || [];
      const attrs = await Promise.all(urls.map((u) =>
        awsJson("sqs", "GetQueueAttributes", { QueueUrl: u, AttributeNames: ["All"] }).then((a) => a.Attributes || {}, () => ({}))));
      const rows = urls.map((u, i) => ({ url: u, name: nameOf(u), a: attrs[i] }));
      holder.replaceChildren(
        table([
          { label: "Queue", cell: (q) => link(ctx.url(`sqs/${encodeURIComponent(q.name)}`), q.name) },
          { label: "Available", class: "num", cell: (q) => q.a.ApproximateNumberOfMessages ?? "" },
          { label: "In flight", class: "num", cell: (q) => q.a.ApproximateNumberOfMessagesNotVisible ?? "" },
          { label: "Delayed", class: "num", cell: (q) => q.a.ApproximateNumberOfMessagesDelayed ?? "" },
          { label: "Type", cell: (q) => (q.a.FifoQueue === "true" ? "FIFO" : "Standard") },
          { label: "Created", class: "nowrap", cell: (q) => when(q.a.CreatedTimestamp) },
        ], rows, { empty: `No queues in ${scope.account} · ${scope.region}.` }),
        pager.render(r.NextToken));
    } catch (e) {
      holder.replaceChildren(errorBox(e));
    }
  }
  await load();
  return page("SQS", {}, h("p", { class: "lede" }, `Queues in account ${scope.account}, ${scope.region}.`), holder);
}

function messageCard(m) {
  const attrs = {};
  for (const a of arr(m.Attribute)) attrs[a.Name] = a.Value;
  const mattrs = arr(m.MessageAttribute).map((a) => [a.Name, a.Value ? (a.Value.StringValue ?? a.Value.BinaryValue ?? "") : ""]);
  return h("article", { class: "card message" },
    h("h3", {}, h("code", {}, m.MessageId)),
    facts([
      ["Sent", when(attrs.SentTimestamp)],
      ["Receive count", attrs.ApproximateReceiveCount ?? ""],
      attrs.MessageGroupId ? ["Group", attrs.MessageGroupId] : null,
      attrs.IsVisible !== undefined ? ["Visible", attrs.IsVisible] : null,
      attrs.IsDelayed !== undefined ? ["Delayed", attrs.IsDelayed] : null,
      ...mattrs.map(([k, v]) => [k, v]),
    ]),
    h("h4", {}, "Body"),
    pre(m.Body ?? "", { class: "code body" }));
}

async function queue(ctx, name) {
  const { QueueUrl } = await awsJson("sqs", "GetQueueUrl", { QueueName: name });
  const { Attributes: a = {} } = await awsJson("sqs", "GetQueueAttributes", { QueueUrl, AttributeNames: ["All"] });
  const peekArea = h("div");
  const showInvisible = h("input", { type: "checkbox", id: "show-invisible" });
  const showDelayed = h("input", { type: "checkbox", id: "show-delayed" });
  async function peek() {
    peekArea.replaceChildren(h("p", { class: "muted" }, "Loading…"));
    const q = new URLSearchParams();
    if (showInvisible.checked) q.set("ShowInvisible", "true");
    if (showDelayed.checked) q.set("ShowDelayed", "true");
    try {
      const r = await internal(`/_aws/sqs/messages/${encodeURIComponent(scope.region)}/${encodeURIComponent(scope.account)}/${encodeURIComponent(name)}?${q}`);
      const msgs = arr(r.ReceiveMessageResponse?.ReceiveMessageResult?.Message);
      peekArea.replaceChildren(
        h("p", { class: "muted", role: "status" }, `${msgs.length} message${msgs.length === 1 ? "" : "s"} (peeked: nothing changed).`),
        msgs.length ? h("div", { class: "cards" }, msgs.map(messageCard)) : h("p", { class: "empty" }, "No messages to show."));
    } catch (e) {
      peekArea.replaceChildren(errorBox(e));
    }
  }
  const keys = Object.keys(a).sort();
  await peek();
  return page(name, { crumbs: [["SQS", ctx.url("sqs")], name] },
    facts([
      ["URL", h("code", {}, QueueUrl)],
      ["Messages available", a.ApproximateNumberOfMessages ?? ""],
      ["In flight", a.ApproximateNumberOfMessagesNotVisible ?? ""],
      ["Delayed", a.ApproximateNumberOfMessagesDelayed ?? ""],
    ]),
    h("details", {}, h("summary", {}, "All attributes"),
      table([{ label: "Attribute", cell: (k) => k }, { label: "Value", class: "wrap", cell: (k) => a[k] }], keys)),
    h("h2", {}, "Messages"),
    h("div", { class: "filters" },
      h("label", { for: "show-invisible" }, showInvisible, " Include in flight"),
      h("label", { for: "show-delayed" }, showDelayed, " Include delayed"),
      h("button", { type: "button", onclick: peek }, "Peek")),
    peekArea);
}

export async function render(ctx) {
  return ctx.params[0] ? queue(ctx, ctx.params[0]) : list(ctx);
}
