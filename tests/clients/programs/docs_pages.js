// Opens /docs (Swagger UI) and /redoc in Debian's chromium with no network: every request
// that leaves 127.0.0.1 is aborted and recorded. Prints what rendered, as JSON:
//   node docs_pages.js BASE_URL SCREENSHOT_FOLDER
const { chromium } = require("playwright-core");

// The flags Debian's chromium needs on a closed network, as root (see the machine notes).
const FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];
// A hang bound, not a measurement. ReDoc builds a model of every schema alternative before it
// shows anything: the blog takes 20 s of one idle core, and took over 60 s on CI's two shared
// cores (the nested writes' one-or-many alternatives, see docs/openapi.md).
const WAIT = 300_000;

async function open(context, url, selector, screenshot) {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(String(error)));
  await page.goto(url, { waitUntil: "load", timeout: WAIT });
  await page.waitForSelector(selector, { timeout: WAIT });
  const operations = await page.locator(selector).count();
  const text = await page.locator("body").innerText();
  await page.screenshot({ path: screenshot });
  await page.close();
  return { operations, errors, mentionsCreatePost: text.includes("Create a Post") };
}

async function main(baseUrl, folder) {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: FLAGS });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const outside = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (new URL(url).hostname === "127.0.0.1") return route.continue();
    outside.push(url);
    return route.abort("internetdisconnected");
  });
  const swagger = await open(context, `${baseUrl}/docs`, ".opblock", `${folder}/docs.png`);
  const redoc = await open(context, `${baseUrl}/redoc`, "[data-section-id*='/operation/']",
    `${folder}/redoc.png`);
  await browser.close();
  console.log(JSON.stringify({ swagger, redoc, outside }));
}

main(process.argv[2], process.argv[3]).catch((error) => {
  console.error(error);
  process.exit(1);
});
