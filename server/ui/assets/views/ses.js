// SES: the outbox of mail podstack sent (/_aws/ses). A mail's HTML body is
// shown only inside a sandboxed frame (srcdoc, no scripts, no same origin),
// never as part of the console's page.
import { internal } from "../api.js";
import { h, facts, page, pre, when } from "../dom.js";

function recipients(d) {
  if (!d) return "";
  if (Array.isArray(d)) return d.join(", ");
  return ["ToAddresses", "CcAddresses", "BccAddresses"].flatMap((k) => d[k] || []).join(", ");
}

function mail(m) {
  const body = m.Body || {};
  const html = body.html_part;
  return h("article", { class: "card mail" },
    h("h3", {}, m.Subject || "(no subject)"),
    facts([
      ["From", m.Source || ""],
      ["To", recipients(m.Destination)],
      ["Sent", when(m.Timestamp)],
      ["Region", m.Region || ""],
      ["Id", h("code", {}, m.Id)],
      m.Template ? ["Template", m.Template] : null,
    ]),
    html ? [h("h4", {}, "HTML body"),
      // sandbox="" : no scripts, no forms, a unique origin; srcdoc is an
      // attribute value, never parsed into this page.
      h("iframe", { class: "mail-frame", sandbox: "", srcdoc: html, title: `HTML body of ${m.Subject || m.Id}`, referrerpolicy: "no-referrer" })] : null,
    body.text_part ? [h("h4", {}, "Text body"), pre(body.text_part)] : null,
    m.RawData ? [h("h4", {}, "Raw message"), pre(m.RawData)] : null);
}

export async function render(ctx) {
  const { messages = [] } = await internal("/_aws/ses", { signal: ctx.signal });
  const newest = [...messages].reverse();
  return page("SES", {},
    h("p", { class: "lede" }, `Mail sent through SES, newest first (all regions; ${messages.length} in all).`),
    newest.length ? h("div", { class: "cards" }, newest.map(mail)) : h("p", { class: "empty" }, "No mail sent yet."));
}
