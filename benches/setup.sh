#!/usr/bin/env bash
# What each entry costs a runner before and while its step runs, measured on loopback
# (BENCHMARKS.md, "Set-up: container action and native entry"):
#   container action: the image pulled cold from a loopback registry (requests, bytes, time),
#                     then the container from start to exit on the bundled example;
#   native entry:     the release commit's tarball (action.yml, native/ with five binaries)
#                     fetched from a loopback file server and unpacked (bytes, time), the
#                     binary's SHA-256 check, and the entry's step from start to exit on the
#                     bundled example, run as the runner runs a composite step.
#
#   benches/setup.sh [RUNS]        (default 20 runs per timing)
#
# Needs: podman, runc (CONTAINERS_CONF=.ci/containers.conf here), docker-registry, hyperfine,
# python3, the image (dist/build-image.sh sei-cicd-action:bench) and the static binary it holds
# (target/x86_64-unknown-linux-musl/release/sei-cicd). Everything listens on 127.0.0.1 and is
# stopped at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${1:-20}"
binary=target/x86_64-unknown-linux-musl/release/sei-cicd
image=sei-cicd-action:bench
example=examples/runs/otel-cicd-action-12456168064
guid=89d2491c-764a-4f77-93d9-18e8e372b795
work="$(mktemp -d)"
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  podman --root "$work/storage" --runroot "$work/run" rmi -a -f >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ms() { python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['results'][0]; print(f\"{r['median']*1000:.1f} ms median ({r['min']*1000:.1f}-{r['max']*1000:.1f}), mean {r['mean']*1000:.1f} ± {r['stddev']*1000:.1f}\")" "$1"; }

echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
[[ -x "$binary" ]] || { echo "build $binary first (dist/build-image.sh builds it)" >&2; exit 1; }
podman image exists "$image" || dist/build-image.sh "$image" >/dev/null

echo
echo "== container action: the image, pulled cold from a loopback registry"
port="$(free_port)"
cat >"$work/registry.yml" <<EOF
version: 0.1
log: {level: error, accesslog: {disabled: false}}
storage: {filesystem: {rootdirectory: $work/registry}}
http: {addr: 127.0.0.1:$port}
EOF
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do
  python3 - "$port" <<'EOF' 2>/dev/null && break
import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1)
EOF
  sleep 0.1
done
remote="127.0.0.1:$port/sei-cicd/sei-cicd-action:1"
podman push --quiet --tls-verify=false "$image" "docker://$remote" >/dev/null
: >"$work/registry.log"
pull() {
  rm -rf "$work/storage" "$work/run"
  podman --root "$work/storage" --runroot "$work/run" pull --quiet --tls-verify=false \
    "docker://$remote" >/dev/null
}
pull
python3 - "$work/registry.log" <<'EOF'
import re, sys
lines = [l for l in open(sys.argv[1]) if '"GET /v2/' in l or '"HEAD /v2/' in l]
total = 0
for l in lines:
    m = re.search(r'"(GET|HEAD) (\S+) HTTP/[\d.]+" (\d+) (\d+)', l)
    if m:
        total += int(m.group(4)) if m.group(1) == "GET" else 0
        print(f"  {m.group(1)} {m.group(2)[:60]} -> {m.group(3)}, {int(m.group(4)):,} bytes")
print(f"  pull: {len(lines)} requests, {total:,} bytes")
EOF
hyperfine --style none --runs "$runs" --export-json "$work/pull.json" \
  --prepare "rm -rf $work/storage $work/run" \
  "podman --root $work/storage --runroot $work/run pull --quiet --tls-verify=false docker://$remote" \
  >/dev/null
echo "  cold pull (fresh storage each run): $(ms "$work/pull.json")"
pull
hyperfine --style none --runs "$runs" --export-json "$work/run.json" --warmup 2 \
  "podman --root $work/storage --runroot $work/run run --rm --network none -v $PWD/examples:/x/examples:ro -e RUNNER_TEMP=/tmp $remote report --dry-run --github-data /x/$example --instance-guid $guid" \
  >/dev/null
echo "  container start to exit, dry run on the bundled example: $(ms "$work/run.json")"

echo
echo "== native entry: the release commit's tarball, from a loopback file server"
# The release commit as the runner downloads it: the repository at HEAD, plus native/bin/ with
# one binary per target. Only the Linux x86_64 release binary is built here: the four others are
# stood in for by copies of it (the release binaries are of similar size, see BENCHMARKS.md).
tree="$work/tree/sei-cicd-action"
mkdir -p "$tree" "$work/binaries"
git archive HEAD | tar -x -C "$tree"
for target in x86_64-unknown-linux-musl aarch64-unknown-linux-musl x86_64-apple-darwin \
  aarch64-apple-darwin x86_64-pc-windows-gnu; do
  exe=""
  [[ "$target" == *windows* ]] && exe=.exe
  # A byte appended makes each copy a different file, as the five binaries are.
  { cat "$binary"; printf '%s' "$target"; } >"$work/binaries/sei-cicd-$target$exe"
done
dist/pin-native.sh "$work/binaries" "$tree/native" >/dev/null
mkdir -p "$work/www"
(cd "$work/tree" && tar -c sei-cicd-action | gzip -6 >"$work/www/release.tar.gz")
(cd "$work/tree" && git -C "$OLDPWD" archive HEAD --prefix sei-cicd-action/ | gzip -6 >"$work/www/main.tar.gz")
printf '  tarball of the release commit: %s bytes (main, without binaries: %s bytes)\n' \
  "$(stat -c %s "$work/www/release.tar.gz")" "$(stat -c %s "$work/www/main.tar.gz")"
port="$(free_port)"
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$work/www" >/dev/null 2>&1 &
pids+=($!)
sleep 0.5
url="http://127.0.0.1:$port/release.tar.gz"
hyperfine --style none --runs "$runs" --export-json "$work/fetch.json" \
  --prepare "rm -rf $work/unpacked && mkdir -p $work/unpacked" \
  "curl -sf $url | tar -xz -C $work/unpacked" >/dev/null
echo "  1 request; fetch and unpack: $(ms "$work/fetch.json")"
entry="$work/unpacked/sei-cicd-action/native"

echo
echo "== native entry: the step"
bin="$entry/bin/sei-cicd-x86_64-unknown-linux-musl"
hyperfine --style none --runs "$runs" --export-json "$work/sum.json" "sha256sum $bin" >/dev/null
echo "  SHA-256 of the binary ($(stat -c %s "$bin") bytes): $(ms "$work/sum.json")"
sums="$(sed -n 's/^          \([0-9a-f]\{64\}  sei-cicd-.*\)$/\1/p' "$entry/action.yml")"
mkdir -p "$work/step"
printf '%s\n' 'source "$GITHUB_ACTION_PATH/run.sh"' >"$work/step/step.sh"
# Launchers with the step's environment, as the runner gives it: one starts the step's bash (the
# entry), the other the binary straight (what the step costs beyond the binary is the difference).
launcher() { # FILE COMMAND...
  {
    echo '#!/usr/bin/env bash'
    printf 'exec env -i PATH=%q GITHUB_ACTIONS=true RUNNER_OS=Linux RUNNER_ARCH=X64 ' "$PATH"
    printf 'RUNNER_TEMP=%q GITHUB_OUTPUT=%q GITHUB_STEP_SUMMARY=%q ' \
      "$work/step" "$work/step/out" "$work/step/summary"
    printf 'GITHUB_ACTION_PATH=%q SEI_CICD_SHA256=%q ' "$entry" "$sums"
    printf '%q ' "INPUT_DRY-RUN=true" "INPUT_GITHUB-DATA=$PWD/$example" \
      "INPUT_INSTANCE-GUID=$guid" "INPUT_FAIL-ON-ERROR=false"
    printf '%q ' "${@:2}"
    echo
  } >"$1"
  chmod +x "$1"
}
launcher "$work/step/entry" bash --noprofile --norc -e -o pipefail "$work/step/step.sh"
launcher "$work/step/binary" "$bin" report
hyperfine --style none --runs "$runs" --export-json "$work/step.json" --warmup 2 \
  "$work/step/entry" >/dev/null
echo "  the step, start to exit, dry run on the bundled example: $(ms "$work/step.json")"
grep -q '^status=dry-run$' "$work/step/out" || { echo "the step did not report" >&2; exit 1; }
hyperfine --style none --runs "$runs" --export-json "$work/bin.json" --warmup 2 \
  "$work/step/binary" >/dev/null
echo "  the binary alone, same inputs: $(ms "$work/bin.json")"
