// Renders a job summary (Markdown, as the step writes it to GITHUB_STEP_SUMMARY) the way a
// person sees it on a run's page: GitHub-flavoured Markdown to HTML (marked), ```mermaid blocks
// drawn by Mermaid, laid out in GitHub's light colours, then a PNG of the whole page taken by
// headless Chromium (puppeteer-core driving the system's chromium; nothing is downloaded).
// Used by render-summary.sh, which installs the three npm packages: see there.
//
//   node render-summary.cjs MODULES SUMMARY.md OUT.png [WIDTH]
"use strict";
const fs = require("fs");
const path = require("path");

const [modules, input, output, width = "900"] = process.argv.slice(2);
if (!output) {
  console.error("usage: node render-summary.cjs MODULES SUMMARY.md OUT.png [WIDTH]");
  process.exit(2);
}
const need = (name) => require(path.join(path.resolve(modules), name));
const { marked } = need("marked");
const puppeteer = need("puppeteer-core");
const mermaidJs = path.join(path.resolve(modules), "mermaid/dist/mermaid.min.js");

const escape = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
marked.use({
  gfm: true,
  renderer: {
    code({ text, lang }) {
      if (lang === "mermaid") return `<pre class="mermaid">${escape(text)}</pre>\n`;
      return `<pre><code>${escape(text)}</code></pre>\n`;
    },
  },
});

const body = marked.parse(fs.readFileSync(input, "utf8"));
const html = `<!doctype html><html><head><meta charset="utf-8"><style>
body { margin: 0; background: #f6f8fa; }
.box { box-sizing: border-box; width: ${width}px; padding: 16px 24px; background: #fff;
  border: 1px solid #d0d7de; border-radius: 6px;
  font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, "DejaVu Sans",
    sans-serif; color: #1f2328; }
h3 { font-size: 1.25em; margin: 0 0 12px; }
code { font: 85% ui-monospace, "DejaVu Sans Mono", monospace; background: #eff1f3;
  padding: .2em .4em; border-radius: 6px; }
table { border-collapse: collapse; margin: 12px 0; }
th, td { border: 1px solid #d0d7de; padding: 4px 12px; }
th { font-weight: 600; } tr:nth-child(2n) td { background: #f6f8fa; }
sub { color: #59636e; } a { color: #0969da; text-decoration: none; }
pre.mermaid { background: none; margin: 8px 0; }
</style></head><body><div class="box">${body}</div>
<script src="file://${mermaidJs}"></script>
<script>
mermaid.initialize({ startOnLoad: false, theme: "default" });
mermaid.run({ querySelector: ".mermaid" })
  .then(() => { document.title = "drawn"; })
  .catch((e) => { document.title = "failed: " + e; });
</script></body></html>`;
const page = path.resolve(output.replace(/\.png$/, "") + ".html");
fs.writeFileSync(page, html);

(async () => {
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    userDataDir: fs.mkdtempSync(path.join(require("os").tmpdir(), "render-summary-")),
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const tab = await browser.newPage();
    await tab.setViewport({ width: Number(width) + 32, height: 400, deviceScaleFactor: 1 });
    await tab.goto("file://" + page);
    const blocks = body.includes('class="mermaid"');
    if (blocks) await tab.waitForFunction(() => document.title !== "", { timeout: 20000 });
    const title = await tab.title();
    if (blocks && title !== "drawn") throw new Error(`Mermaid: ${title}`);
    const box = await tab.$(".box");
    await box.screenshot({ path: output });
    console.log(`${output}: ${title || "no chart"}`);
  } finally {
    await browser.close();
  }
})().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
