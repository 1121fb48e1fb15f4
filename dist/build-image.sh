#!/usr/bin/env bash
# Builds the action's image on this machine: the static musl binary with cargo, then
# dist/Dockerfile with podman (or docker).
#
#   dist/build-image.sh [TAG]        TAG defaults to sei-cicd-action:dev
#
# Environment:
#   SEI_CICD_BINARY=PATH    put this binary in the image instead of building one (for example
#                           sei-cicd-x86_64-unknown-linux-musl from a GitHub release)
#   CONTAINER_ENGINE=docker build with docker instead of podman
#
# Needs: for the build, rustup's musl target (rustup target add x86_64-unknown-linux-musl) and a
# C compiler for musl (Debian/Ubuntu: apt-get install musl-tools); podman or docker.
# The binary lands in target/<musl target>/release/, beside and apart from debug builds.
set -euo pipefail
cd "$(dirname "$0")/.."

tag="${1:-sei-cicd-action:dev}"
engine="${CONTAINER_ENGINE:-podman}"

case "$(uname -m)" in
  x86_64 | amd64) arch=amd64 target=x86_64-unknown-linux-musl ;;
  aarch64 | arm64) arch=arm64 target=aarch64-unknown-linux-musl ;;
  *) echo "build-image.sh: no musl target for $(uname -m)" >&2; exit 1 ;;
esac

if [[ -n "${SEI_CICD_BINARY:-}" ]]; then
  binary="$SEI_CICD_BINARY"
else
  cargo build --release --locked --target "$target" --bin sei-cicd
  binary="target/$target/release/sei-cicd"
fi
if [[ "$(head -c 4 "$binary" 2>/dev/null | tail -c 3)" != ELF ]]; then
  echo "build-image.sh: $binary is not a Linux binary" >&2
  exit 1
fi

# The build context holds only the binary, at the path the Dockerfile reads for this architecture,
# and the empty folder that becomes the image's /tmp.
context="target/image-context"
rm -rf "$context"
mkdir -p "$context/bin/$arch" "$context/tmp"
cp "$binary" "$context/bin/$arch/sei-cicd"

"$engine" build --build-arg "TARGETARCH=$arch" --file dist/Dockerfile --tag "$tag" "$context"
size="$("$engine" image inspect --format '{{.Size}}' "$tag")"
echo "built $tag ($arch): $((size / 1000)) kB"
