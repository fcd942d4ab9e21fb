// Benchmark (not a test): how fast the web console's first page loads on
// loopback, and the size of what it downloads. Each run is a fresh browser
// context (a cold cache); reported as the median and the slowest of RUNS.
//   PODSTACK_ENDPOINT=http://127.0.0.1:4566 node bench.mjs
// Budget (the console's issue): under 200 ms to the first view drawn, under 500 KB of files.
import { chromium } from "playwright-core";

const ENDPOINT = process.env.PODSTACK_ENDPOINT || "http://127.0.0.1:4566";
const RUNS = Number(process.env.RUNS || 20);
const VIEW = process.env.VIEW || "health";  // a view drawn from internal endpoints only

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox"] });
const loaded = [], drawn = [];
let bytes = 0;
for (let i = 0; i < RUNS; i++) {
  const context = await browser.newContext();
  const page = await context.newPage();
  let size = 0;
  page.on("response", async (r) => {
    if (r.url().includes("/_podstack/ui/")) size += Number((await r.allHeaders())["content-length"] || 0);
  });
  await page.goto(`${ENDPOINT}/_podstack/ui/${VIEW}`, { waitUntil: "load" });
  await page.locator("main[data-url]").waitFor();
  // Measured by the page itself, from the start of the navigation.
  const [load, view] = await page.evaluate(() => [
    performance.getEntriesByType("navigation")[0].loadEventStart,
    performance.getEntriesByName("podstack:view-drawn")[0].startTime,
  ]);
  loaded.push(Math.round(load));
  drawn.push(Math.round(view));
  bytes = size;
  await context.close();
}
await browser.close();
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
console.log(JSON.stringify({
  view: VIEW, runs: RUNS,
  load_ms: { median: median(loaded), max: Math.max(...loaded) },
  first_view_ms: { median: median(drawn), max: Math.max(...drawn) },
  console_bytes: bytes,
}));
