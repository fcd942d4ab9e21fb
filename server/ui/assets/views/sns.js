// SNS: topics and their subscriptions (query protocol: XML answers), and
// the SMS messages Publish recorded instead of sending (/_aws/sns/sms-messages).
import { awsQuery, internal, xmlAll, xmlText, scope } from "../api.js";
import { h, table, page } from "../dom.js";

async function all(action, member) {
  const out = [];
  let token;
  do {
    const doc = await awsQuery("sns", action, token ? { NextToken: token } : {});
    out.push(...xmlAll(doc, member));
    token = xmlText(doc, "NextToken");
  } while (token && out.length < 10000);
  return out;
}

export async function render(ctx) {
  const topics = (await all("ListTopics", "member")).map((m) => xmlText(m, "TopicArn")).filter(Boolean);
  const subs = (await all("ListSubscriptions", "member")).map((m) => ({
    arn: xmlText(m, "SubscriptionArn"), topic: xmlText(m, "TopicArn"), protocol: xmlText(m, "Protocol"), endpoint: xmlText(m, "Endpoint"),
  }));
  const count = (t) => subs.filter((s) => s.topic === t).length;
  const q = new URLSearchParams({ accountId: scope.account, region: scope.region });
  const { sms_messages: byPhone = {} } = await internal(`/_aws/sns/sms-messages?${q}`, { signal: ctx.signal });
  const sms = Object.values(byPhone).flat();
  return page("SNS", {},
    h("p", { class: "lede" }, `Topics and subscriptions in account ${scope.account}, ${scope.region}.`),
    h("h2", {}, "Topics"),
    table([
      { label: "Topic", class: "wrap", cell: (t) => t.split(":").pop() },
      { label: "ARN", class: "wrap", cell: (t) => h("code", {}, t) },
      { label: "Subscriptions", class: "num", cell: (t) => String(count(t)) },
    ], topics, { empty: "No topics." }),
    h("h2", {}, "Subscriptions"),
    table([
      { label: "Topic", class: "wrap", cell: (s) => s.topic.split(":").pop() },
      { label: "Protocol", cell: (s) => s.protocol },
      { label: "Endpoint", class: "wrap", cell: (s) => s.endpoint },
      { label: "Subscription ARN", class: "wrap", cell: (s) => h("code", {}, s.arn) },
    ], subs, { empty: "No subscriptions." }),
    h("h2", {}, "SMS sent"),
    table([
      { label: "Phone number", class: "nowrap", cell: (m) => m.PhoneNumber },
      { label: "Message", class: "wrap", cell: (m) => m.Message },
      { label: "Topic", class: "wrap", cell: (m) => (m.TopicArn ? m.TopicArn.split(":").pop() : "direct") },
      { label: "Message id", cell: (m) => h("code", {}, m.MessageId) },
    ], sms, { empty: "No SMS sent." }));
}
