// SNS: topics and subscriptions a page at a time (query protocol: XML
// answers, NextToken paging), and the SMS messages Publish recorded instead
// of sending (/_aws/sns/sms-messages).
import { awsQuery, internal, xmlAll, xmlText, scope } from "../api.js";
import { h, table, page, errorBox, Pager } from "../dom.js";

// A paged list: `fetchPage(token)` -> {rows, next}; drawn with `columns`.
async function pagedTable(fetchPage, columns, empty) {
  const holder = h("div");
  const pager = new Pager(load);
  async function load() {
    try {
      const { rows, next } = await fetchPage(pager.token);
      holder.replaceChildren(table(columns, rows, { empty }), pager.render(next || undefined));
    } catch (e) {
      holder.replaceChildren(errorBox(e));
    }
  }
  await load();
  return holder;
}

export async function render(ctx) {
  const topics = await pagedTable(async (token) => {
    const doc = await awsQuery("sns", "ListTopics", token ? { NextToken: token } : {});
    return { rows: xmlAll(doc, "member").map((m) => xmlText(m, "TopicArn")).filter(Boolean), next: xmlText(doc, "NextToken") };
  }, [
    { label: "Topic", class: "wrap", cell: (t) => t.split(":").pop() },
    { label: "ARN", class: "wrap", cell: (t) => h("code", {}, t) },
  ], "No topics.");
  const subs = await pagedTable(async (token) => {
    const doc = await awsQuery("sns", "ListSubscriptions", token ? { NextToken: token } : {});
    return {
      rows: xmlAll(doc, "member").map((m) => ({
        arn: xmlText(m, "SubscriptionArn"), topic: xmlText(m, "TopicArn"), protocol: xmlText(m, "Protocol"), endpoint: xmlText(m, "Endpoint"),
      })),
      next: xmlText(doc, "NextToken"),
    };
  }, [
    { label: "Topic", class: "wrap", cell: (s) => s.topic.split(":").pop() },
    { label: "Protocol", cell: (s) => s.protocol },
    { label: "Endpoint", class: "wrap", cell: (s) => s.endpoint },
    { label: "Subscription ARN", class: "wrap", cell: (s) => h("code", {}, s.arn) },
  ], "No subscriptions.");
  const q = new URLSearchParams({ accountId: scope.account, region: scope.region });
  const { sms_messages: byPhone = {} } = await internal(`/_aws/sns/sms-messages?${q}`, { signal: ctx.signal });
  const sms = Object.values(byPhone).flat();
  return page("SNS", {},
    h("p", { class: "lede" }, `Topics and subscriptions in account ${scope.account}, ${scope.region}.`),
    h("h2", {}, "Topics"), topics,
    h("h2", {}, "Subscriptions"), subs,
    h("h2", {}, "SMS sent"),
    table([
      { label: "Phone number", class: "nowrap", cell: (m) => m.PhoneNumber },
      { label: "Message", class: "wrap", cell: (m) => m.Message },
      { label: "Topic", class: "wrap", cell: (m) => (m.TopicArn ? m.TopicArn.split(":").pop() : "direct") },
      { label: "Message id", cell: (m) => h("code", {}, m.MessageId) },
    ], sms, { empty: "No SMS sent." }));
}
