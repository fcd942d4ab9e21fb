// Browser tests of podstack's web console (/_podstack/ui/): headless Debian
// chromium driven by playwright-core. tests/ui/test_ui.py starts a server,
// seeds it with boto3 and runs this against it:
//   PODSTACK_ENDPOINT=http://127.0.0.1:PORT  UI_SCREENSHOTS=dir  node console.mjs [[-]part of a test name...]
// Every test gets a fresh page; any page error, console.error or dialog
// (an alert() from injected markup) fails it. Prints "ui: ok" when all pass.
import { chromium } from "playwright-core";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";

const ENDPOINT = process.env.PODSTACK_ENDPOINT || "http://127.0.0.1:4566";
const UI = ENDPOINT + "/_podstack/ui/";
const SHOTS = process.env.UI_SCREENSHOTS || "";
const XSS = "<img src=x onerror=alert(1)>";
// Arguments pick tests by a part of their name; "-part" leaves those out.
const picks = process.argv.slice(2);
const chosen = (name) => picks.filter((p) => p.startsWith("-")).every((p) => !name.includes(p.slice(1))) &&
  (!picks.some((p) => !p.startsWith("-")) || picks.some((p) => !p.startsWith("-") && name.includes(p)));

// --- podstack over plain fetch (the same placeholder SigV4 the console sends)
function auth(service) {
  const d = new Date().toISOString().replace(/[-:]/g, "").slice(0, 8);
  return `AWS4-HMAC-SHA256 Credential=test/${d}/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`;
}
async function sqs(op, body) {
  const r = await fetch(ENDPOINT + "/", {
    method: "POST",
    headers: { "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS." + op, Authorization: auth("sqs") },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  assert.equal(r.status, 200, text);
  return JSON.parse(text);
}
async function getJson(p, init) {
  const r = await fetch(ENDPOINT + p, init);
  assert.equal(r.status, 200, p);
  return r.json();
}

// --- a tiny runner
const tests = [];
const test = (name, fn) => tests.push({ name, fn });

async function shot(page, name, fullPage = true) {
  if (!SHOTS) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, name + ".png"), fullPage });
}
const main = (page) => page.locator("main");
// The view of the page's URL is drawn (app.js marks <main> with it when done).
async function ready(page) {
  const u = new URL(page.url());
  await page.locator(`main[data-url="${u.pathname + u.search}"]`).waitFor();
}
// Chromium reports a script the mail frame's sandbox stopped as a console error: counted, not a failure.
const SANDBOXED = /^Blocked script execution in 'about:srcdoc' because the document's frame is sandboxed/;
let sandboxBlocks = 0;
const heading = (page) => page.locator("main h1");
const nav = (page, name) => page.locator("#nav").getByRole("link", { name, exact: true });

// ------------------------------------------------------------------- assets
test("asset route: types, CSP, ETag, deep links, 404, redirect", async () => {
  const index = await fetch(UI);
  assert.equal(index.status, 200);
  assert.match(index.headers.get("content-type"), /^text\/html/);
  const csp = index.headers.get("content-security-policy");
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/);
  assert.equal(index.headers.get("cache-control"), "no-cache");
  assert.equal(index.headers.get("x-content-type-options"), "nosniff");
  const etag = index.headers.get("etag");
  assert.match(etag, /^"[0-9a-f]+"$/);
  const html = await index.text();
  assert.match(html, /<script type="module" src="\/_podstack\/ui\/assets\/app.js">/);

  const again = await fetch(UI, { headers: { "If-None-Match": etag } });
  assert.equal(again.status, 304);

  for (const [file, type] of [["assets/app.js", /^text\/javascript/], ["assets/style.css", /^text\/css/],
    ["assets/views/log.js", /^text\/javascript/], ["assets/favicon.svg", /^image\/svg\+xml/], ["index.html", /^text\/html/]]) {
    const r = await fetch(UI + file);
    assert.equal(r.status, 200, file);
    assert.match(r.headers.get("content-type"), type, file);
    assert.ok(r.headers.get("content-security-policy"), file);
  }
  // A view's URL (dots and all) is index.html; the router shows the view.
  for (const deep of ["log/3", "s3/my.bucket", "sqs/orders.fifo", "no/such/view"]) {
    const r = await fetch(UI + deep);
    assert.equal(r.status, 200, deep);
    assert.equal(await r.text(), html, deep);
  }
  const missing = await fetch(UI + "assets/nope.js");
  assert.equal(missing.status, 404);
  assert.match(missing.headers.get("content-type"), /application\/json/);
  assert.deepEqual(await missing.json(), { error: "no such console file: assets/nope.js" });

  const bare = await fetch(ENDPOINT + "/_podstack/ui", { redirect: "manual" });
  assert.equal(bare.status, 301);
  assert.equal(bare.headers.get("location"), "/_podstack/ui/");
  const post = await fetch(UI, { method: "POST", body: "x" });
  assert.equal(post.status, 405);
});

// --------------------------------------------------------------- navigation
const NAMES = [["Event log", "log"], ["Clock", "clock"], ["Pods", "pods"], ["Health", "health"], ["S3", "s3"], ["SQS", "sqs"],
  ["SNS", "sns"], ["SES", "ses"], ["DynamoDB", "dynamodb"], ["SSM", "ssm"], ["Secrets Manager", "secretsmanager"],
  ["KMS", "kms"], ["EventBridge", "events"]];

test("navigation by name: every view has its own URL and heading", async (page) => {
  await page.goto(UI);
  await heading(page).filter({ hasText: "Event log" }).waitFor();
  for (const [name, slug] of NAMES) {
    await nav(page, name).click();
    await page.waitForURL(UI + slug);
    await heading(page).filter({ hasText: name }).waitFor();
    assert.equal(await nav(page, name).getAttribute("aria-current"), "page", name);
    assert.equal(await page.title(), `${name} · podstack`);
  }
  // Back goes to the previous view; a deep link loads its view directly.
  await page.goBack();
  await page.waitForURL(UI + "kms");
  await heading(page).filter({ hasText: "KMS" }).waitFor();
  await page.goto(UI + "dynamodb");
  await heading(page).filter({ hasText: "DynamoDB" }).waitFor();
  await page.goto(UI + "no/such/view");
  await heading(page).filter({ hasText: "Not found" }).waitFor();
});

test("keyboard: skip link first, links and focus visible", async (page) => {
  await page.goto(UI + "health");
  await heading(page).filter({ hasText: "Health" }).waitFor();
  await page.keyboard.press("Tab");
  const first = await page.evaluate(() => document.activeElement.textContent);
  assert.equal(first, "Skip to content");
  const box = await page.locator(".skip").boundingBox();
  assert.ok(box.y >= 0, "the focused skip link is in view");
  await page.keyboard.press("Enter");
  assert.equal(await page.evaluate(() => document.activeElement.id), "main");
  // Reach the S3 link by keyboard and follow it.
  await nav(page, "S3").focus();
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.equal(outline, "solid");
  await shot(page, "keyboard-focus", false);
  await page.keyboard.press("Enter");
  await page.waitForURL(UI + "s3");
  // After a navigation focus is on the new view's heading.
  await page.waitForFunction(() => document.activeElement && document.activeElement.tagName === "H1");
});

test("narrow window: the menu button folds the navigation", async (page) => {
  await page.setViewportSize({ width: 390, height: 800 });
  await page.goto(UI + "sqs");
  await heading(page).filter({ hasText: "SQS" }).waitFor();
  assert.equal(await page.locator("#nav").isVisible(), false);
  assert.doesNotMatch(await main(page).textContent(), /null|undefined/);
  const menu = page.getByRole("button", { name: "Menu" });
  await menu.click();
  assert.equal(await menu.getAttribute("aria-expanded"), "true");
  await shot(page, "narrow-menu");
  await nav(page, "DynamoDB").click();
  await heading(page).filter({ hasText: "DynamoDB" }).waitFor();
  assert.equal(await page.locator("#nav").isVisible(), false);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the window`);
  await page.goto(UI + "log");
  await heading(page).filter({ hasText: "Event log" }).waitFor();
  await shot(page, "narrow-log", false);
});

// ---------------------------------------------------------------- event log
test("event log: a seeded event, its detail, filters, live tail", async (page) => {
  await page.goto(UI + "log");
  // The newest seeded event is on top, as the log has it.
  const { last_sequence } = await getJson("/_podstack/state");
  const { events: [last] } = await getJson(`/_podstack/log?since=${last_sequence}`);
  const row = main(page).locator("tbody tr").first();
  await row.waitFor();
  const cells = await row.locator("td").allTextContents();
  assert.deepEqual([cells[0], cells[2], cells[3], cells[5]], [String(last.sequence), last.service, last.operation, last.summary]);
  assert.equal(last.summary, "queue=west-queue");
  // Newest first.
  const seqs = await main(page).locator("tbody tr td:first-child").allTextContents();
  assert.ok(seqs.length > 5);
  assert.deepEqual(seqs.map(Number), [...seqs.map(Number)].sort((a, b) => b - a));
  await page.getByRole("button", { name: "Live tail" }).waitFor();
  assert.equal(await page.getByRole("button", { name: "Live tail" }).getAttribute("aria-pressed"), "true");
  await page.locator(".live-status", { hasText: "waiting" }).waitFor();
  await shot(page, "log");

  // Live: a queue made now appears on top without a reload.
  const before = page.url();
  await sqs("CreateQueue", { QueueName: "tail-queue" });
  const fresh = main(page).locator("tbody tr", { hasText: "queue=tail-queue" });
  await fresh.waitFor({ timeout: 15000 });
  assert.equal(page.url(), before);
  assert.match(await main(page).locator("tbody tr").first().textContent(), /tail-queue/);

  // Its detail: the request id and the decoded event.
  const seq = (await fresh.locator("td").first().textContent()).trim();
  await fresh.getByRole("link", { name: seq }).click();
  await page.waitForURL(UI + "log/" + seq);
  await heading(page).filter({ hasText: `Event #${seq}` }).waitFor();
  const { events } = await getJson(`/_podstack/log?since=${seq}&limit=1`);
  assert.match(await main(page).textContent(), new RegExp(events[0].request_id));
  assert.deepEqual(JSON.parse(await main(page).locator("pre").textContent()), events[0]);

  // Filters: only SQS, then one operation.
  await page.goto(UI + "log");
  await main(page).getByLabel("Service").selectOption("sqs");
  await main(page).getByRole("button", { name: "Filter" }).click();
  await page.waitForURL(/service=sqs/);
  await ready(page);
  const services = await main(page).locator("tbody tr td:nth-child(3)").allTextContents();
  assert.ok(services.length >= 3);
  assert.deepEqual([...new Set(services)], ["sqs"]);
  await page.goto(UI + "log?service=sqs&operation=SendMessage");
  await ready(page);
  assert.deepEqual([...new Set(await main(page).locator("tbody tr td:nth-child(4)").allTextContents())], ["SendMessage"]);
});

test("event log: filters by account, resource and time range", async (page) => {
  await page.goto(UI + "log?text=west-queue");
  await ready(page);
  const summaries = async () => main(page).locator("tbody tr td:nth-child(6)").allTextContents();
  assert.deepEqual(await summaries(), ["queue=west-queue"]);
  await page.goto(UI + "log?account=111111111111");
  await ready(page);
  await main(page).getByText("No matching events.").waitFor();
  // From the newest event's time on: that event (and any in the same millisecond), nothing older.
  const { last_sequence } = await getJson("/_podstack/state");
  const { events: [last] } = await getJson(`/_podstack/log?since=${last_sequence}`);
  await page.goto(UI + "log");
  await ready(page);
  await main(page).getByLabel("From (UTC)").fill(last.time.slice(0, 19));
  await main(page).getByLabel("Resource").fill("queue");
  await main(page).getByRole("button", { name: "Filter" }).click();
  await page.waitForURL(/from=/);
  await ready(page);
  const rows = await summaries();
  assert.ok(rows.includes(last.summary), rows.join());
  const times = await main(page).locator("tbody tr td:nth-child(2)").allTextContents();
  assert.ok(times.every((t) => t >= last.time.slice(0, 19).replace("T", " ")), times.join());
  assert.equal(await main(page).getByRole("link", { name: "Older →" }).count(), 0);
  // To a time before the first event: nothing.
  await page.goto(UI + "log?to=2000-01-01T00:00:00");
  await ready(page);
  await main(page).getByText("No matching events.").waitFor();
});

test("event log: paging goes back a page at a time", async (page) => {
  // More than a page of events: 50 per page.
  const { last_sequence } = await getJson("/_podstack/state");
  assert.ok(last_sequence > 60, "the seed writes more than a page of events");
  await page.goto(UI + "log");
  await main(page).locator("tbody tr").first().waitFor();
  const first = (await main(page).locator("tbody tr td:first-child").allTextContents()).map(Number);
  assert.equal(first.length, 50);
  await main(page).getByRole("link", { name: "Older →" }).click();
  await page.waitForURL(/before=/);
  await ready(page);
  const second = (await main(page).locator("tbody tr td:first-child").allTextContents()).map(Number);
  assert.equal(second[0], first[first.length - 1] - 1);
  assert.equal(await page.getByRole("button", { name: "Live tail" }).isDisabled(), true);
  await main(page).getByRole("link", { name: "← Newest" }).click();
  await page.waitForURL(UI + "log");
  await ready(page);
  assert.equal(Number(await main(page).locator("tbody tr td:first-child").first().textContent()), first[0]);
});

// ---------------------------------------------------------------------- SQS
test("sqs: queues with counts, a peek that changes nothing, bodies as text", async (page) => {
  await page.goto(UI + "sqs");
  const row = main(page).locator("tbody tr", { has: page.getByRole("link", { name: "orders", exact: true }) });
  await row.waitFor();
  assert.equal((await row.locator("td").nth(1).textContent()).trim(), "2");
  await row.getByRole("link", { name: "orders" }).click();
  await page.waitForURL(UI + "sqs/orders");
  await heading(page).filter({ hasText: "orders" }).waitFor();
  const bodies = main(page).locator("pre.body");
  await bodies.first().waitFor();
  assert.deepEqual((await bodies.allTextContents()).sort(), [XSS, '{"order": 42}'].sort());
  assert.match(await main(page).textContent(), /2 messages \(peeked: nothing changed\)/);
  // Peek again: still receive count 0 (the pytest side checks with boto3 too).
  await main(page).getByRole("button", { name: "Peek" }).click();
  await main(page).locator("[role=status]", { hasText: "2 messages" }).waitFor();
  const counts = await main(page).locator(".message dl").evaluateAll((dls) =>
    dls.map((dl) => [...dl.querySelectorAll("dt")].find((dt) => dt.textContent === "Receive count").nextElementSibling.textContent));
  assert.deepEqual(counts, ["0", "0"]);
  assert.equal(await page.locator("img").count(), 0);
  await shot(page, "sqs-queue");
});

// ----------------------------------------------------------------------- S3
test("s3: buckets, folder navigation, download, keys as text", async (page) => {
  await page.goto(UI + "s3");
  await main(page).getByRole("link", { name: "site-bucket" }).click();
  await page.waitForURL(UI + "s3/site-bucket");
  await heading(page).filter({ hasText: "site-bucket" }).waitFor();
  const names = async () => (await main(page).locator("tbody tr td:first-child").allTextContents()).map((s) => s.trim());
  assert.deepEqual(await names(), ["docs/", "many/", XSS, "index.html"]);
  assert.equal(await page.locator("img").count(), 0);
  await main(page).getByRole("link", { name: "docs/" }).click();
  await page.waitForURL(/prefix=docs%2F$/);
  await heading(page).filter({ hasText: "docs/" }).waitFor();
  assert.deepEqual(await names(), ["guide/", "meta.txt", "readme.txt"]);
  await main(page).getByRole("link", { name: "guide/" }).click();
  await heading(page).filter({ hasText: "docs/guide/" }).waitFor();
  assert.deepEqual(await names(), ["a.txt", "b.txt"]);
  await shot(page, "s3-folder");
  // The download link saves the object (an attachment, never shown inline).
  const href = await main(page).getByRole("link", { name: "Download docs/guide/a.txt" }).getAttribute("href");
  const r = await fetch(ENDPOINT + href);
  assert.equal(r.status, 200);
  assert.equal(await r.text(), "guide a");
  assert.match(r.headers.get("content-disposition"), /^attachment/);
  const [download] = await Promise.all([page.waitForEvent("download"),
    main(page).getByRole("link", { name: "Download docs/guide/b.txt" }).click()]);
  assert.equal(download.suggestedFilename(), "b.txt");
  // Breadcrumbs go back up.
  await page.getByRole("navigation", { name: "Breadcrumbs" }).getByRole("link", { name: "docs/" }).click();
  await heading(page).filter({ hasText: /^docs\/$/ }).waitFor();
  await page.getByRole("navigation", { name: "Breadcrumbs" }).getByRole("link", { name: "site-bucket" }).click();
  await heading(page).filter({ hasText: "site-bucket" }).waitFor();
  assert.deepEqual(await names(), ["docs/", "many/", XSS, "index.html"]);
});

test("s3: an object's metadata and versions, as text", async (page) => {
  await page.goto(UI + "s3/site-bucket?prefix=docs%2F");
  await main(page).getByRole("link", { name: "meta.txt", exact: true }).click();
  await page.waitForURL(UI + "s3/site-bucket?key=docs%2Fmeta.txt");
  await heading(page).filter({ hasText: "meta.txt" }).waitFor();
  const facts = await main(page).locator("dl.facts").textContent();
  assert.match(facts, /Content typetext\/plain/);
  assert.match(facts, /13 bytes/);
  const meta = await main(page).locator("tbody tr").evaluateAll((trs) => trs.map((tr) => [...tr.cells].map((c) => c.textContent)));
  assert.deepEqual(meta, [["owner", XSS], ["team", "web"]]);
  assert.equal(await page.locator("img").count(), 0);
  await shot(page, "s3-object");

  await page.goto(UI + "s3/versioned-bucket?key=v.txt");
  await main(page).getByRole("heading", { name: "Versions" }).waitFor();
  const rows = main(page).locator("table").last().locator("tbody tr");
  assert.equal(await rows.count(), 2);
  assert.equal((await rows.nth(0).locator("td").nth(1).textContent()), "yes");
  const older = await rows.nth(1).getByRole("link").getAttribute("href");
  assert.equal(await (await fetch(ENDPOINT + older)).text(), "first");
});

test("s3: upload into a folder", async (page) => {
  await page.goto(UI + "s3/site-bucket?prefix=docs%2Fguide%2F");
  await ready(page);
  await main(page).getByLabel("Upload to docs/guide/").setInputFiles({ name: "new.txt", mimeType: "text/plain", buffer: Buffer.from("uploaded!") });
  await main(page).getByRole("button", { name: "Upload", exact: true }).click();
  await main(page).getByText("Uploaded 1 file.").waitFor();
  await main(page).getByRole("link", { name: "new.txt", exact: true }).waitFor();
  const r = await fetch(ENDPOINT + "/site-bucket/docs/guide/new.txt");
  assert.equal(await r.text(), "uploaded!");
  assert.equal(r.headers.get("content-type"), "text/plain");
});

test("s3: a folder of more than a page pages", async (page) => {
  await page.goto(UI + "s3/site-bucket?prefix=many%2F");
  await main(page).locator("tbody tr").first().waitFor();
  const p1 = await main(page).locator("tbody tr td:first-child").allTextContents();
  assert.equal(p1.length, 100);
  await main(page).getByRole("button", { name: "Next" }).click();
  await main(page).locator(".pager", { hasText: "Page 2" }).waitFor();
  const p2 = await main(page).locator("tbody tr td:first-child").allTextContents();
  assert.equal(p2.length, 20);
  assert.equal(new Set([...p1, ...p2]).size, 120);
});

// ----------------------------------------------------------------- DynamoDB
test("dynamodb: tables, schema, a paged scan", async (page) => {
  await page.goto(UI + "dynamodb");
  await main(page).getByRole("link", { name: "people" }).click();
  await page.waitForURL(UI + "dynamodb/people");
  await heading(page).filter({ hasText: "people" }).waitFor();
  assert.match(await main(page).locator("dl.facts").textContent(), /id \(partition, S\)/);
  assert.match(await main(page).locator("dl.facts").textContent(), /Items30/);
  const ids = async () => (await main(page).locator("tbody tr td:first-child").allTextContents());
  await main(page).locator("tbody tr").first().waitFor();
  const p1 = await ids();
  assert.equal(p1.length, 25);
  await shot(page, "dynamodb-table");
  await main(page).getByRole("button", { name: "Next" }).click();
  await main(page).locator(".pager", { hasText: "Page 2" }).waitFor();
  const p2 = await ids();
  assert.equal(p2.length, 5);
  assert.equal(new Set([...p1, ...p2]).size, 30);
  assert.equal(await main(page).getByRole("button", { name: "Next" }).isDisabled(), true);
  await main(page).getByRole("button", { name: "Previous" }).click();
  await main(page).locator(".pager", { hasText: "Page 1" }).waitFor();
  assert.deepEqual(await ids(), p1);
  // Values as text, however they look.
  assert.ok((await main(page).locator("td", { hasText: XSS }).count()) >= 1);
  assert.equal(await page.locator("img").count(), 0);
});

test("dynamodb: a key query on the table and on an index", async (page) => {
  await page.goto(UI + "dynamodb/orders-table");
  await ready(page);
  assert.match(await main(page).locator("dl.facts").textContent(), /customer \(partition, S\), placed \(sort, S\)/);
  await main(page).getByRole("cell", { name: "by-status" }).waitFor();
  await main(page).getByLabel("Partition key value").fill("c1");
  await main(page).getByLabel("placed").selectOption("begins_with");
  await main(page).getByLabel("Sort key value", { exact: true }).fill("2026-");
  await main(page).getByRole("button", { name: "Query" }).click();
  await page.waitForURL(/pk=c1/);
  await ready(page);
  const items = () => main(page).locator("table").last().locator("tbody tr");
  const placed = async () => items().locator("td:nth-child(2)").allTextContents();
  assert.deepEqual(await placed(), ["2026-01-05", "2026-02-10"]);
  await shot(page, "dynamodb-query");
  // On the index: every open order, whoever placed it.
  await main(page).getByLabel("Index").selectOption("by-status");
  await main(page).getByLabel("Partition key value").fill("open");
  await main(page).getByRole("button", { name: "Query" }).click();
  await page.waitForURL(/index=by-status/);
  await ready(page);
  assert.equal(await items().count(), 3);
  await main(page).getByRole("link", { name: "Scan all" }).click();
  await page.waitForURL(UI + "dynamodb/orders-table");
  await ready(page);
  assert.equal(await items().count(), 5);
});

test("dynamodb: a table's stream, newest record first, read without a trace", async (page) => {
  const { last_sequence: before } = await getJson("/_podstack/state");
  await page.goto(UI + "dynamodb/streamed");
  await main(page).getByRole("heading", { name: "Stream", exact: true }).waitFor();
  const rows = main(page).locator("table").filter({ hasText: "New image" }).locator("tbody tr");
  assert.equal(await rows.count(), 3);
  const cells = async (i) => (await rows.nth(i).locator("td").allTextContents());
  assert.deepEqual((await cells(0)).filter((_, i) => i !== 1), ["REMOVE", '{"pk":"a"}', "", JSON.stringify({ pk: "a", v: XSS })]);
  assert.deepEqual((await cells(1)).filter((_, i) => i !== 1),
    ["MODIFY", '{"pk":"a"}', JSON.stringify({ pk: "a", v: XSS }), '{"pk":"a","v":1}']);
  assert.equal((await cells(2))[0], "INSERT");
  assert.equal(await page.locator("img").count(), 0);
  await shot(page, "dynamodb-stream");
  assert.equal((await getJson("/_podstack/state")).last_sequence, before);
});

// --------------------------------------------------- SES, SSM, secrets, SNS
test("ses: the outbox, the HTML body only in a sandboxed frame", async (page) => {
  await page.goto(UI + "ses");
  await heading(page).filter({ hasText: "SES" }).waitFor();
  const card = main(page).locator("article", { hasText: "Your order" });
  await card.waitFor();
  assert.match(await card.textContent(), /receipts@example\.com/);
  const frame = card.locator("iframe");
  assert.equal(await frame.getAttribute("sandbox"), "");
  assert.match(await frame.getAttribute("srcdoc"), /<h1>Thanks<\/h1>/);
  // Rendered inside the frame (no scripts ran there), not in the page.
  const inner = page.frameLocator("article iframe").first().locator("h1");
  assert.equal(await inner.textContent(), "Thanks");
  assert.equal(await main(page).locator("h1").count(), 1);
  assert.equal(await main(page).locator("script").count(), 0);
  assert.ok(sandboxBlocks >= 1, "the mail's script was stopped by the sandbox");
  await shot(page, "ses");
});

test("ssm and secrets manager: secure values masked until revealed", async (page) => {
  await page.goto(UI + "ssm");
  const secure = main(page).locator("tr", { hasText: "/app/password" });
  await secure.waitFor();
  assert.doesNotMatch(await secure.textContent(), /hunter2/);
  await secure.getByRole("button", { name: "Reveal /app/password" }).click();
  await secure.locator(".secret", { hasText: "hunter2" }).waitFor();
  await secure.getByRole("button", { name: "Hide /app/password" }).click();
  await secure.locator(".secret", { hasText: "••" }).waitFor();
  assert.match(await main(page).locator("tr", { hasText: "/app/name" }).textContent(), /shop/);

  await page.goto(UI + "secretsmanager");
  const row = main(page).locator("tr", { hasText: "db-password" });
  await row.waitFor();
  assert.doesNotMatch(await row.textContent(), /s3cr3t/);
  await row.getByRole("button", { name: "Reveal db-password" }).click();
  await row.locator(".secret", { hasText: "s3cr3t" }).waitFor();
});

test("kms and eventbridge: keys with their aliases, buses, rules with patterns, schedules and targets", async (page) => {
  await page.goto(UI + "kms");
  const key = main(page).locator("tr", { hasText: "alias/orders" });
  await key.waitFor();
  assert.match(await key.textContent(), /SYMMETRIC_DEFAULT.*ENCRYPT_DECRYPT.*Enabled.*orders key/s);
  await shot(page, "kms");

  await page.goto(UI + "events");
  await main(page).getByRole("link", { name: "shop-bus", exact: true }).click();
  await page.waitForURL(UI + "events/shop-bus");
  const rule = main(page).locator("tr", { hasText: "big-orders" });
  await rule.waitFor();
  const text = await rule.textContent();
  assert.match(text, /ENABLED/);
  assert.match(text, /"numeric"/);
  assert.match(text, /to-orders: arn:aws:sqs:us-east-1:000000000000:orders/);
  await shot(page, "events-bus");
  await page.goto(UI + "events/default");
  assert.match(await main(page).locator("tr", { hasText: "nightly" }).textContent(), /cron\(0 3 \* \* \? \*\)/);
});

test("sns, pods and health show what podstack holds", async (page) => {
  await page.goto(UI + "sns");
  const topic = main(page).locator("table").first().locator("tr", { hasText: "arn:aws:sns:us-east-1:000000000000:alerts" });
  await topic.waitFor();
  assert.equal((await topic.locator("td").first().textContent()).trim(), "alerts");
  // 106 topics: SNS answers 100 a page.
  const topics = main(page).locator("table").first().locator("tbody tr");
  assert.equal(await topics.count(), 100);
  await main(page).getByRole("button", { name: "Next" }).click();
  await main(page).locator(".pager", { hasText: "Page 2" }).waitFor();
  assert.equal(await main(page).locator("table").first().locator("tbody tr").count(), 6);
  await main(page).locator("tr", { hasText: "arn:aws:sqs:us-east-1:000000000000:orders" }).waitFor();
  const sms = main(page).locator("tr", { hasText: "+15550100" });
  assert.deepEqual((await sms.locator("td").allTextContents()).slice(0, 3), ["+15550100", XSS, "direct"]);
  assert.equal(await page.locator("img").count(), 0);

  await page.goto(UI + "pods");
  await main(page).getByRole("link", { name: "seeded" }).click();
  await heading(page).filter({ hasText: "seeded" }).waitFor();
  await main(page).getByRole("heading", { name: "Version 1" }).waitFor();
  await main(page).getByText(/added, .* removed, .* changed/).waitFor();  // the seed changed state after saving

  await page.goto(UI + "health");
  const s3 = main(page).locator("tr", { hasText: "s3" }).first();
  await s3.waitFor();
  assert.match(await s3.textContent(), /running/);
  const { hash } = await getJson("/_podstack/state");
  assert.match(await main(page).locator("dl.facts").textContent(), new RegExp(hash));
  await main(page).getByRole("cell", { name: "checkpoints", exact: true }).waitFor();  // store bytes per column family
  const put = main(page).locator("tr", { hasText: "PutParameter" });
  assert.match(await put.textContent(), /ssm\s*PutParameter\s*4\s*0\s*\d+\.\d\d ms/);
  // Rates: requests made while the page is open show in the next samples' charts.
  await page.waitForSelector("p.rate svg.spark");
  for (let i = 0; i < 5; i++) await sqs("ListQueues", {});
  await page.waitForFunction(() => {
    const line = document.querySelector('svg[aria-label="Requests per second of sqs · ListQueues"] polyline');
    return line && line.getAttribute("points").split(" ").length >= 2;
  }, null, { timeout: 15000 });
  await shot(page, "health");
});

test("account and region: the scope names the partition asked about", async (page) => {
  await page.goto(UI + "sqs?region=eu-west-1");
  await heading(page).filter({ hasText: "SQS" }).waitFor();
  await main(page).getByRole("link", { name: "west-queue" }).waitFor();
  assert.equal(await main(page).getByRole("link", { name: "orders" }).count(), 0);
  assert.equal(await page.locator("#region").inputValue(), "eu-west-1");
  await page.locator("#region").fill("us-east-1");
  await page.getByRole("button", { name: "Apply" }).click();
  await main(page).getByRole("link", { name: "orders" }).waitFor();
  assert.equal(page.url(), UI + "sqs");
});

// -------------------------------------------------------------------- clock
// Run on its own, last (test_ui.py): moving the clock a week on expires the seeded SQS messages.
test("clock: advance by a preset and by free text, freeze and unfreeze", async (page) => {
  await page.goto(UI + "clock");
  const now = page.locator("#clock-now");
  await now.waitFor();
  const t0 = Date.parse(await now.getAttribute("datetime"));
  await page.getByRole("button", { name: "+7d" }).click();
  await page.locator(".message", { hasText: "Clock changed" }).waitFor();
  const t1 = Date.parse(await now.getAttribute("datetime"));
  assert.ok(t1 - t0 >= 7 * 86400e3 && t1 - t0 < 7 * 86400e3 + 60e3, `${t1 - t0}`);
  // The text says the same time as the machine-readable attribute (read together: it ticks).
  const [attr, text] = await now.evaluate((el) => [el.getAttribute("datetime"), el.textContent]);
  assert.equal(new Date(attr).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z"), text);
  await page.getByLabel("Advance by").fill("90m");
  await page.getByRole("button", { name: "Advance", exact: true }).click();
  await page.waitForFunction((t) => Date.parse(document.getElementById("clock-now").getAttribute("datetime")) - t >= 90 * 60e3, t1);
  const server = await getJson("/_podstack/clock");
  assert.ok(server.offset_ms >= 7 * 86400e3 + 90 * 60e3);
  // A bad duration is an error shown, nothing changes.
  await page.getByLabel("Advance by").fill("soon");
  await page.getByRole("button", { name: "Advance", exact: true }).click();
  await page.locator(".message [role=alert]", { hasText: "not a duration" }).waitFor();
  assert.equal(await page.getByLabel("Advance by").getAttribute("aria-invalid"), "true");
  assert.equal((await getJson("/_podstack/clock")).offset_ms, server.offset_ms);
  await page.getByRole("button", { name: "Freeze" }).click();
  await page.locator("#clock-state", { hasText: "Frozen" }).waitFor();
  assert.equal((await getJson("/_podstack/clock")).frozen, true);
  await shot(page, "clock");
  await page.getByRole("button", { name: "Unfreeze" }).click();
  await page.locator("#clock-state", { hasText: "Running" }).waitFor();
  assert.equal((await getJson("/_podstack/clock")).frozen, false);
});

// --------------------------------------------------- rollback, pods, CSRF
async function sqsStatus(op, body) {
  const r = await fetch(ENDPOINT + "/", {
    method: "POST",
    headers: { "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS." + op, Authorization: auth("sqs") },
    body: JSON.stringify(body),
  });
  return r.status;
}

test("event log: roll back to an event, after a confirmation naming what is undone", async (page) => {
  await sqs("CreateQueue", { QueueName: "rollback-me" });
  const { last_sequence: made } = await getJson("/_podstack/state");
  const { events: [ev] } = await getJson(`/_podstack/log?since=${made}`);
  assert.equal(ev.summary, "queue=rollback-me");
  const target = made - 1;
  await page.goto(UI + `log/${target}`);
  await heading(page).filter({ hasText: `Event #${target}` }).waitFor();
  await main(page).getByRole("button", { name: "Roll back to here" }).click();
  const dialog = page.getByRole("dialog", { name: `Roll back to event #${target}?` });
  await dialog.waitFor();
  assert.match(await dialog.textContent(), /The 1 event recorded since stop counting/);
  assert.match(await dialog.textContent(), /sqs · CreateQueue/);
  await shot(page, "rollback-confirm", false);
  // Cancel changes nothing.
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await dialog.waitFor({ state: "hidden" });
  assert.equal(await sqsStatus("GetQueueUrl", { QueueName: "rollback-me" }), 200);
  await main(page).getByRole("button", { name: "Roll back to here" }).click();
  await dialog.getByRole("button", { name: `Roll back to #${target}` }).click();
  await main(page).getByText(`Rolled back to #${target}`).waitFor();
  assert.equal(await sqsStatus("GetQueueUrl", { QueueName: "rollback-me" }), 400);
  assert.equal(await sqsStatus("GetQueueUrl", { QueueName: "orders" }), 200);
});

test("pods: save from the console, change through the API, the diff lists it", async (page) => {
  await page.goto(UI + "pods");
  await main(page).getByLabel("Name").fill("ui-pod");
  await main(page).getByLabel("Message").fill("from the console");
  await main(page).getByRole("button", { name: "Save pod" }).click();
  await page.waitForURL(UI + "pods/ui-pod");
  await ready(page);
  assert.match(await main(page).locator("table").first().textContent(), /from the console/);
  await main(page).getByText("None: the live state equals this version.").waitFor();
  await sqs("CreateQueue", { QueueName: "after-pod" });
  await page.reload();
  await ready(page);
  const row = main(page).locator("tr:visible", { hasText: "000000000000/us-east-1/after-pod" });
  await row.waitFor();
  assert.deepEqual((await row.locator("td").allTextContents()).slice(0, 2), ["sqs", "added"]);
  await shot(page, "pod-diff");
  // Verify: the two hashes differ, and the service that differs is named.
  await main(page).getByRole("button", { name: "Verify" }).click();
  const verdict = main(page).locator(".card.verify");
  await verdict.waitFor();
  const { hash } = await getJson("/_podstack/state");
  assert.match(await verdict.textContent(), /Differs/);
  assert.match(await verdict.textContent(), new RegExp(`Live hash${hash}`));
  assert.match(await verdict.textContent(), /Services that differ\s*sqs/);
  // Load, overwrite: asked first (the change it undoes is listed), then the queue made since is gone.
  await main(page).getByRole("button", { name: "Load…" }).click();
  const dialog = page.getByRole("dialog", { name: "Load ui-pod version 1?" });
  await dialog.locator("tr", { hasText: "after-pod" }).waitFor();
  await dialog.getByLabel("Strategy").selectOption("overwrite");
  await dialog.getByRole("button", { name: "Load", exact: true }).click();
  await main(page).getByText("Loaded version 1 (overwrite).").waitFor();
  await main(page).getByText("None: the live state equals this version.").waitFor();
  assert.equal(await sqsStatus("GetQueueUrl", { QueueName: "after-pod" }), 400);
  await main(page).getByRole("button", { name: "Verify" }).click();
  await main(page).locator(".card.verify", { hasText: "Verified" }).waitFor();
  const [exported] = await Promise.all([page.waitForEvent("download"), main(page).getByRole("link", { name: "Export" }).click()]);
  assert.equal(exported.suggestedFilename(), "ui-pod-000001.pod");
  assert.ok(fs.statSync(await exported.path()).size > 100);
  // A second version, then the two compared: the queue made between them is listed.
  await sqs("CreateQueue", { QueueName: "between-versions" });
  assert.equal((await getJson("/_podstack/pods/ui-pod", {})).versions.length, 1);
  await page.goto(UI + "pods");
  await main(page).getByLabel("Name").fill("ui-pod");
  await main(page).getByRole("button", { name: "Save pod" }).click();
  await page.waitForURL(UI + "pods/ui-pod");
  await ready(page);
  await main(page).getByRole("link", { name: "1", exact: true }).click();
  await page.waitForURL(/version=1/);
  await ready(page);
  await main(page).getByLabel("Compare version 1 with").selectOption("2");
  await main(page).getByRole("button", { name: "Compare" }).click();
  await page.waitForURL(/against=2/);
  await main(page).getByRole("heading", { name: "Changes from version 1 to version 2" }).waitFor();
  const change = main(page).locator("tr:visible", { hasText: "000000000000/us-east-1/between-versions" });
  assert.deepEqual((await change.locator("td").allTextContents()).slice(0, 2), ["sqs", "added"]);
  assert.match(await main(page).locator("caption").textContent(), /ui-pod:1 → ui-pod:2/);
});

test("a cross-site form cannot drive podstack: refused, nothing changes", async (page) => {
  const before = await getJson("/_podstack/clock");
  // A page of another origin (about:blank: Origin null) posting a JSON-looking body; its own
  // page, as the 403 it gets is logged there (the console's pages must log no error).
  page = await page.context().newPage();
  await page.setContent(`<form method="post" enctype="text/plain" action="${ENDPOINT}/_podstack/clock">
    <input name='{"advance": "1d", "x": "' value='"}'><button>go</button></form>`);
  const [res] = await Promise.all([page.waitForResponse(ENDPOINT + "/_podstack/clock"), page.click("button")]);
  assert.equal(res.status(), 403);
  const after = await getJson("/_podstack/clock");
  assert.equal(after.offset_ms, before.offset_ms);
});

test("behind another host name (a port mapping, a container name): reads and changes work", async (page) => {
  // The browser resolves podstack.test to the server (--host-resolver-rules below): a host that is
  // not loopback, so only the same-origin rule lets the console's POSTs through.
  const other = ENDPOINT.replace("127.0.0.1", "podstack.test") + "/_podstack/ui/";
  await page.goto(other + "dynamodb/people");
  await main(page).locator(".pager", { hasText: "Page 1" }).waitFor();
  assert.equal(await main(page).locator("tbody tr").count(), 25);
  await page.goto(other + "pods");
  await main(page).getByLabel("Name").fill("via-host-name");
  await main(page).getByRole("button", { name: "Save pod" }).click();
  await page.waitForURL(other + "pods/via-host-name");
  await main(page).getByText("None: the live state equals this version.").waitFor();
});

// ----------------------------------------------------------------------- run
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox", "--host-resolver-rules=MAP podstack.test 127.0.0.1"] });
let failed = 0;
for (const t of tests) {
  if (!chosen(t.name)) continue;
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(10000);
  const problems = [];
  page.on("pageerror", (e) => problems.push("page error: " + e.message));
  sandboxBlocks = 0;
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    if (SANDBOXED.test(m.text())) sandboxBlocks++;
    else problems.push("console.error: " + m.text());
  });
  page.on("dialog", (d) => { problems.push("dialog: " + d.message()); d.dismiss(); });
  try {
    await t.fn(page);
    assert.deepEqual(problems, []);
    console.log("ok   " + t.name);
  } catch (e) {
    failed++;
    console.log("FAIL " + t.name + "\n" + (e.stack || e) + (problems.length ? "\n" + problems.join("\n") : ""));
    await shot(page, "FAILED-" + t.name.replace(/\W+/g, "-")).catch(() => {});
  }
  await context.close();
}
await browser.close();
if (failed) {
  console.log(`ui: ${failed} failed`);
  process.exit(1);
}
console.log("ui: ok");
