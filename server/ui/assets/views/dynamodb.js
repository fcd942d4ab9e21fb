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
  async function load() {
    try {
      const r = await awsJson("dynamodb", "Scan", { TableName: name, Limit: PAGE, ...(pager.token ? { ExclusiveStartKey: pager.token } : {}) });
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
    h("h2", {}, "Items"),
    items);
}

export async function render(ctx) {
  return ctx.params[0] ? tableView(ctx, ctx.params[0]) : tables(ctx);
}
