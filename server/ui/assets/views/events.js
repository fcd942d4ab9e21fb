// EventBridge: the event buses, and one bus's rules with their pattern or
// schedule, state and targets.
import { awsJson, scope } from "../api.js";
import { h, link, table, page, errorBox, pre } from "../dom.js";

async function all(operation, input, key) {
  const out = [];
  let token;
  do {
    const r = await awsJson("events", operation, { ...input, ...(token ? { NextToken: token } : {}) });
    out.push(...(r[key] || []));
    token = r.NextToken;
  } while (token);
  return out;
}

function pattern(text) {
  try {
    return pre(JSON.stringify(JSON.parse(text), null, 2));
  } catch {
    return pre(text);
  }
}

async function buses(ctx) {
  const list = await all("ListEventBuses", { Limit: 100 }, "EventBuses");
  return page("EventBridge", {}, h("p", { class: "lede" }, `Event buses in account ${scope.account}, ${scope.region}.`),
    table([
      { label: "Bus", class: "wrap", cell: (b) => link(ctx.url("events/" + encodeURIComponent(b.Name)), b.Name) },
      { label: "ARN", class: "wrap mono", cell: (b) => b.Arn },
    ], list, { empty: "No event buses." }));
}

async function rules(ctx, bus) {
  const list = await all("ListRules", { EventBusName: bus, Limit: 100 }, "Rules");
  const targets = {};
  for (const r of list) targets[r.Name] = await all("ListTargetsByRule", { Rule: r.Name, EventBusName: bus, Limit: 100 }, "Targets");
  return page(bus, { crumbs: [["EventBridge", ctx.url("events")], bus] },
    h("h2", {}, "Rules"),
    table([
      { label: "Rule", class: "wrap", cell: (r) => r.Name },
      { label: "State", cell: (r) => r.State },
      { label: "Pattern or schedule", class: "wrap", cell: (r) => r.ScheduleExpression ? r.ScheduleExpression : pattern(r.EventPattern || "") },
      { label: "Targets", class: "wrap mono", cell: (r) => targets[r.Name].map((t) => h("div", {}, `${t.Id}: ${t.Arn}`)) },
    ], list, { empty: `No rules on ${bus}.` }));
}

export async function render(ctx) {
  try {
    return ctx.params[0] ? await rules(ctx, ctx.params[0]) : await buses(ctx);
  } catch (e) {
    return page("EventBridge", {}, errorBox(e));
  }
}
