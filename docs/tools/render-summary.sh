#!/usr/bin/env bash
# Renders a job summary as a person sees it on the run's page, to look at it (a dev tool, not
# part of CI): `docs/tools/render-summary.sh SUMMARY.md OUT.png [WIDTH]`, or with no arguments
# the summary of each way a report ends (tests/it/e2e_summary.rs), each a PNG under
# target/summaries/. docs/summary.png is target/summaries/failed-job.png.
# Needs Node (npm) and Debian's `chromium` (`apt-get install chromium fonts-noto-color-emoji`);
# installs marked, mermaid and puppeteer-core (which drives that chromium, downloading no
# browser) under target/render-tools the first time.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
tools="$root/target/render-tools"
if [[ ! -d "$tools/node_modules/puppeteer-core" ]]; then
  mkdir -p "$tools"
  PUPPETEER_SKIP_DOWNLOAD=1 npm install --prefix "$tools" --no-save --no-audit --no-fund \
    --loglevel=error marked@15.0.12 mermaid@11.17.2 puppeteer-core@24.43.1 >/dev/null
fi
command -v chromium >/dev/null || { echo "needs chromium: apt-get install chromium" >&2; exit 1; }
render() { node "$root/docs/tools/render-summary.cjs" "$tools/node_modules" "$@"; }

if [[ $# -gt 0 ]]; then
  render "$@"
  exit
fi
# The summary of every way a report ends, as the end-to-end tests write them.
out="$root/target/summaries"
rm -rf "$out" && mkdir -p "$out"
SEI_CICD_SUMMARY_DIR="$out" cargo test --quiet --manifest-path "$root/Cargo.toml" \
  --test it e2e_summary:: >/dev/null
for md in "$out"/*.md; do
  render "$md" "${md%.md}.png"
done
