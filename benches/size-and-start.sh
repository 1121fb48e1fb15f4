#!/usr/bin/env bash
# Size and start: the stripped static musl binary (target: under 8 MB) and the container from
# start to exit on bundled data, a dry run of the saved run in examples/runs (target: under
# 300 ms), next to the same binary started without a container.
#
#   benches/size-and-start.sh [RUNS]        RUNS defaults to 30
#
# Environment:
#   SEI_CICD_BINARY=PATH    measure this binary instead of building one
#   CARGO_TARGET_DIR=DIR    where cargo builds (default target/, the musl binary lands in
#                           DIR/x86_64-unknown-linux-musl/release/)
#   IMAGE=TAG               the image to build and run (default sei-cicd-action:bench)
#
# Needs: rustup's x86_64-unknown-linux-musl target and musl-tools (to build), podman with runc,
# hyperfine (apt-get install hyperfine; without it, a plain loop takes the median). The image is
# built from dist/Dockerfile by dist/build-image.sh, or, on a checkout without them, from a
# temporary FROM scratch Containerfile holding the binary alone. Podman runs with
# .ci/containers.conf (no default ulimits, cgroupfs, runc), which works in nested sandboxes.
set -euo pipefail
cd "$(dirname "$0")/.."

runs="${1:-30}"
image="${IMAGE:-sei-cicd-action:bench}"
target=x86_64-unknown-linux-musl
data=examples/runs/otel-cicd-action-12456168064

if [[ -n "${SEI_CICD_BINARY:-}" ]]; then
  binary="$SEI_CICD_BINARY"
else
  cargo build --release --locked --target "$target" --bin sei-cicd
  binary="${CARGO_TARGET_DIR:-target}/$target/release/sei-cicd"
fi

echo "## Binary"
echo
bytes=$(stat -c %s "$binary")
echo "- $binary: $bytes bytes ($(awk "BEGIN { printf \"%.2f\", $bytes / 1000000 }") MB; target: under 8 MB)"
echo "- $(file -b "$binary")"
echo

conf="$(mktemp)"
context="$(mktemp -d)"
trap 'rm -rf "$conf" "$context"' EXIT
if [[ -f .ci/containers.conf ]]; then
  cp .ci/containers.conf "$conf"
else
  printf '[containers]\ndefault_ulimits = []\n\n[engine]\ncgroup_manager = "cgroupfs"\nruntime = "runc"\n' >"$conf"
fi
export CONTAINERS_CONF="$conf"

if [[ -x dist/build-image.sh ]]; then
  SEI_CICD_BINARY="$binary" dist/build-image.sh "$image" >/dev/null
  built="dist/Dockerfile"
else
  cp "$binary" "$context/sei-cicd"
  printf 'FROM scratch\nCOPY sei-cicd /sei-cicd\nENTRYPOINT ["/sei-cicd"]\n' >"$context/Containerfile"
  podman build --quiet --file "$context/Containerfile" --tag "$image" "$context" >/dev/null
  built="a temporary FROM scratch Containerfile"
fi
image_bytes=$(podman image inspect --format '{{.Size}}' "$image")

echo "## Start to exit (dry run of $data, $runs runs)"
echo
echo "Image $image from $built: $image_bytes bytes."
echo

# No GITHUB_* variables, no network: the container reads the mounted folder and prints the
# payload. hyperfine sends the output to /dev/null in both cases.
container=(podman run --rm --network none --volume "$PWD/$data:/data:ro"
  "$image" report --dry-run --github-data /data)
bare=(env -i "$binary" report --dry-run --github-data "$data")
"${container[@]}" >/dev/null 2>&1 # warms podman's storage
if command -v hyperfine >/dev/null; then
  hyperfine --style none --warmup 3 --runs "$runs" --export-markdown "$context/times.md" \
    --command-name container "${container[*]} 2>/dev/null" \
    --command-name "binary alone" "${bare[*]} 2>/dev/null" >/dev/null 2>&1
  cat "$context/times.md"
else
  median() {
    local times=() start end
    for _ in $(seq "$runs"); do
      start=$(date +%s%N)
      "$@" >/dev/null 2>&1
      end=$(date +%s%N)
      times+=($(((end - start) / 1000)))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { printf "%.1f ms\n", a[int((NR + 1) / 2)] / 1000 }'
  }
  echo "- container: median $(median "${container[@]}")"
  echo "- binary alone: median $(median "${bare[@]}")"
fi
echo
echo "Target: the container under 300 ms from start to exit."
