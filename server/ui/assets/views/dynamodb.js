// DynamoDB: tables, a table's schema (keys, indexes, counts) and its items
// through a paged Scan (Previous / Next over LastEvaluatedKey).
import { awsJson, scope } from "../api.js";
import { h, link, table, facts, page, errorBox, Pager, bytes, when } from "../dom.js";

const PAGE = 25;

// An AttributeValue as short text: strings and numbers as they are, the rest as JSON.
export function attr(v) {
  if (!v || typeof v !== "object") return "";
  const [type, val] = Object.entries(v)[0] || [];
  if (type === "S" || type === "N") return val;
  if (type === "BOOL") return String(val);
  if (type === "NULL") return "null";
  if (type === "B") return `(binary, ${val.length} base64 chars)`;
  if (type === "SS" || type === "NS") return JSON.stringify(val);
  return JSON.stringify(plain(v));
}
function plain(v) {
  const [type, val] = Object.entries(v)[0] || [];
  if (type === "M") return Object.fromEntries(Object.entries(val).map(([k, x]) => [k, plain(x)]));
  if (type === "L") return val.map(plain);
  if (type === "N") return Number(val);
  if (type === "NULL") return null;
  return val;
}

async function tables(ctx) {
  const holder = h("div");
  const pager = new Pager(load);
  async function load() {
    try {
      const r = await awsJson("dynamodb", "ListTables", { Limit: 50, ...(pager.token ? { ExclusiveStartTableName: pager.token } : {}) });
      holder.replaceChildren(
        table([{ label: "Table", cell: (t) => link(ctx.url(`dynamodb/${encodeURIComponent(t)}`), t) }], r.TableNames || [],
          { empty: `No tables in ${scope.account} · ${scope.region}.` }),
        pager.render(r.LastEvaluatedTableName));
    } catch (e) {
      holder.replaceChildren(errorBox(e));
    }
  }
  await load();
  return page("DynamoDB", {}, h("p", { class: "lede" }, `Tables in account ${scope.account}, ${scope.region}.`), holder);
}

function keyText(schema, types = {}) {
  return (schema || []).map((k) =>
    `${k.AttributeName} (${k.KeyType === "HASH" ? "partition" : "sort"}${types[k.AttributeName] ? ", " + types[k.AttributeName] : ""})`).join(", ");
}

async function tableView(ctx, name) {
  const { Table: t } = await awsJson("dynamodb", "DescribeTable", { TableName: name });
  const keyNames = (t.KeySchema || []).map((k) => k.AttributeName);
  const types = Object.fromEntries((t.AttributeDefinitions || []).map((d) => [d.AttributeName, d.AttributeType]));
  const indexes = [
    ...(t.GlobalSecondaryIndexes || []).map((i) => ({ ...i, kind: "Global" })),
    ...(t.LocalSecondaryIndexes || []).map((i) => ({ ...i, kind: "Local" })),
  ];
  const items = h("div");
  const pager = new Pager(load);
  // ?pk= (and index, op, sk, sk2): a key query instead of the scan.
  const q = Object.fromEntries(["index", "pk", "op", "sk", "sk2"].map((k) => [k, ctx.query.get(k) || ""]));
  const request = q.pk ? queryInput(name, t, indexes, types, q) : { TableName: name };
  async function load() {
    try {
      const r = await awsJson("dynamodb", q.pk ? "Query" : "Scan", { ...request, Limit: PAGE, ...(pager.token ? { ExclusiveStartKey: pager.token } : {}) });
      const rows = r.Items || [];
      const cols = [...keyNames];
      for (const it of rows) for (const k of Object.keys(it)) if (!cols.includes(k)) cols.push(k);
      items.replaceChildren(
        table(cols.map((c) => ({ label: c, class: keyNames.includes(c) ? "key" : "wrap", cell: (it) => (it[c] ? attr(it[c]) : "") })), rows,
          { empty: pager.index ? "No more items." : "This table has no items." }),
        pager.render(r.LastEvaluatedKey, `${rows.length} item${rows.length === 1 ? "" : "s"}`));
    } catch (e) {
      items.replaceChildren(errorBox(e));
    }
  }
  await load();
  return page(name, { crumbs: [["DynamoDB", ctx.url("dynamodb")], name] },
    facts([
      ["Key", keyText(t.KeySchema, types)],
      ["Status", t.TableStatus],
      ["Items", String(t.ItemCount ?? "")],
      ["Size", bytes(t.TableSizeBytes ?? 0)],
      ["Billing", t.BillingModeSummary?.BillingMode || "PROVISIONED"],
      ["Created", when(t.CreationDateTime)],
      t.StreamSpecification?.StreamEnabled ? ["Stream", t.StreamSpecification.StreamViewType] : null,
      ["ARN", h("code", {}, t.TableArn)],
    ]),
    indexes.length ? [h("h2", {}, "Indexes"), table([
      { label: "Index", cell: (i) => i.IndexName },
      { label: "Kind", cell: (i) => i.kind },
      { label: "Key", cell: (i) => keyText(i.KeySchema, types) },
      { label: "Projection", cell: (i) => i.Projection?.ProjectionType || "" },
    ], indexes)] : null,
    h("h2", {}, q.pk ? "Query" : "Items"),
    queryForm(ctx, name, t, indexes, types, q),
    items,
    t.StreamSpecification?.StreamEnabled && t.LatestStreamArn ? await streamSection(t) : null);
}

const STREAM_SHOWN = 50;

// The table's stream: its newest records (INSERT / MODIFY / REMOVE with the
// keys and images), read from each shard's start. Reading a stream records
// nothing in podstack's log.
async function streamSection(t) {
  const arn = t.LatestStreamArn;
  const { StreamDescription: d } = await awsJson("dynamodbstreams", "DescribeStream", { StreamArn: arn });
  const records = [];
  for (const shard of d.Shards || []) {
    let { ShardIterator: it } = await awsJson("dynamodbstreams", "GetShardIterator",
      { StreamArn: arn, ShardId: shard.ShardId, ShardIteratorType: "TRIM_HORIZON" });
    for (let i = 0; it && i < 20; i++) {
      const r = await awsJson("dynamodbstreams", "GetRecords", { ShardIterator: it, Limit: 1000 });
      records.push(...(r.Records || []));
      if (!(r.Records || []).length) break;
      it = r.NextShardIterator;
    }
  }
  const image = (img) => (img ? JSON.stringify(Object.fromEntries(Object.entries(img).map(([k, v]) => [k, plain(v)]))) : "");
  const newest = records.slice(-STREAM_SHOWN).reverse();
  return [
    h("h2", {}, "Stream"),
    h("p", { class: "muted" }, `${d.StreamViewType} · ${records.length} record${records.length === 1 ? "" : "s"}` +
      (records.length > STREAM_SHOWN ? `, the newest ${STREAM_SHOWN} shown` : "") + ", newest first."),
    table([
      { label: "Event", cell: (r) => h("span", { class: `badge change-${{ INSERT: "added", MODIFY: "changed", REMOVE: "removed" }[r.eventName] || ""}` }, r.eventName) },
      { label: "Time", class: "nowrap", cell: (r) => when(r.dynamodb?.ApproximateCreationDateTime) },
      { label: "Keys", class: "wrap", cell: (r) => image(r.dynamodb?.Keys) },
      { label: "New image", class: "wrap", cell: (r) => image(r.dynamodb?.NewImage) },
      { label: "Old image", class: "wrap", cell: (r) => image(r.dynamodb?.OldImage) },
    ], newest, { empty: "No records yet." }),
  ];
}

function keysOf(t, indexes, index) {
  const schema = index ? (indexes.find((i) => i.IndexName === index) || {}).KeySchema : t.KeySchema;
  const of = (type) => ((schema || []).find((k) => k.KeyType === type) || {}).AttributeName;
  return { pk: of("HASH"), sk: of("RANGE") };
}

const SORT_OPS = [["", "any"], ["=", "="], ["<", "<"], ["<=", "≤"], [">", ">"], [">=", "≥"], ["begins_with", "begins with"], ["between", "between"]];

// A Query's input from the form's values: the partition key's value, and
// a condition on the sort key if one is chosen.
function queryInput(name, t, indexes, types, q) {
  const { pk, sk } = keysOf(t, indexes, q.index);
  const value = (attr, v) => ({ [types[attr] || "S"]: v });
  const input = {
    TableName: name,
    KeyConditionExpression: "#pk = :pk",
    ExpressionAttributeNames: { "#pk": pk },
    ExpressionAttributeValues: { ":pk": value(pk, q.pk) },
  };
  if (q.index) input.IndexName = q.index;
  if (sk && q.op && q.sk !== "") {
    input.ExpressionAttributeNames["#sk"] = sk;
    input.ExpressionAttributeValues[":sk"] = value(sk, q.sk);
    if (q.op === "begins_with") input.KeyConditionExpression += " AND begins_with(#sk, :sk)";
    else if (q.op === "between") {
      input.KeyConditionExpression += " AND #sk BETWEEN :sk AND :sk2";
      input.ExpressionAttributeValues[":sk2"] = value(sk, q.sk2);
    } else input.KeyConditionExpression += ` AND #sk ${q.op} :sk`;
  }
  return input;
}

function queryForm(ctx, name, t, indexes, types, q) {
  const index = h("select", { name: "index" }, h("option", { value: "" }, "Table"),
    indexes.map((i) => h("option", { value: i.IndexName, selected: i.IndexName === q.index }, i.IndexName)));
  const pkLabel = h("span");
  const skLabel = h("span");
  const skRow = h("span", { class: "sort-key" },
    h("label", {}, skLabel, " ", h("select", { name: "op" }, SORT_OPS.map(([v, l]) => h("option", { value: v, selected: v === q.op }, l)))),
    h("input", { name: "sk", value: q.sk, size: 14, "aria-label": "Sort key value" }),
    h("input", { name: "sk2", value: q.sk2, size: 10, "aria-label": "Upper sort key value (between)" }));
  const op = skRow.querySelector("select");
  const upper = skRow.querySelector("input[name=sk2]");
  const names = () => {
    const k = keysOf(t, indexes, index.value);
    pkLabel.textContent = `${k.pk} =`;
    skLabel.textContent = k.sk ? `${k.sk}` : "";
    skRow.hidden = !k.sk;
    upper.hidden = op.value !== "between";
  };
  index.addEventListener("change", names);
  op.addEventListener("change", names);
  names();
  const form = h("form", { class: "filters query", role: "search", "aria-label": "Query by key" },
    h("label", {}, "Index ", index),
    h("label", {}, pkLabel, " ", h("input", { name: "pk", value: q.pk, required: true, size: 16, "aria-label": "Partition key value" })),
    skRow,
    h("button", { type: "submit" }, "Query"),
    q.pk ? link(ctx.url(`dynamodb/${encodeURIComponent(name)}`), "Scan all") : null);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const f = Object.fromEntries(new FormData(form));
    ctx.navigate(ctx.url(`dynamodb/${encodeURIComponent(name)}`, f));
  });
  return form;
}

export async function render(ctx) {
  return ctx.params[0] ? tableView(ctx, ctx.params[0]) : tables(ctx);
}
