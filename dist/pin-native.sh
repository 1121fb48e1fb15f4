#!/usr/bin/env bash
# Puts release binaries into the native entry and pins their SHA-256 in its two action files, the
# reporter (native/action.yml) and the setup entry (native/setup/action.yml), which start the same
# binaries: what the release workflow does on the release commit, and what the tests do to a copy
# of the entry.
#
#   dist/pin-native.sh BINARIES [ENTRY]
#
# BINARIES is a folder of sei-cicd-<target> files, named as the release names them
# (sei-cicd-x86_64-pc-windows-gnu.exe for Windows); ENTRY defaults to native/. Each binary found
# is copied to ENTRY/bin/ (mode 0755), and SEI_CICD_SHA256 in ENTRY/action.yml and
# ENTRY/setup/action.yml becomes one "<sha256>  <file>" line per binary, the lines binary.sh
# checks a binary against before starting it (the same lines in both files). Prints those lines.
# Fails when BINARIES holds none of them, or either file has no SEI_CICD_SHA256 line.
set -euo pipefail

src="$1"
entry="${2:-$(dirname "$0")/../native}"
# The five targets of a release, in the order of docs/entries.md.
targets=(
  x86_64-unknown-linux-musl
  aarch64-unknown-linux-musl
  x86_64-apple-darwin
  aarch64-apple-darwin
  x86_64-pc-windows-gnu
)

# sha256sum's "<sha256>  <file>" line (shasum's on macOS, which has no sha256sum).
sha256() {
  if command -v sha256sum >/dev/null; then sha256sum "$1"; else shasum -a 256 "$1"; fi
}

mkdir -p "$entry/bin"
sums=()
for target in "${targets[@]}"; do
  file="sei-cicd-$target"
  [[ "$target" == *-windows-* ]] && file+=".exe"
  [[ -f "$src/$file" ]] || continue
  cp "$src/$file" "$entry/bin/$file"
  chmod 0755 "$entry/bin/$file"
  sum="$(cd "$entry/bin" && sha256 "$file")"
  sums+=("$sum")
done
if [[ ${#sums[@]} == 0 ]]; then
  echo "pin-native.sh: no sei-cicd-<target> binary in $src" >&2
  exit 1
fi

# SEI_CICD_SHA256's line, and the lines of a block value under it, give way to the new block.
pin() { # FILE
  local yml="$1" out found=false in_block=false line
  out="$(mktemp)"
  while IFS= read -r line || [[ -n "$line" ]]; do
    if [[ "$line" == "        SEI_CICD_SHA256:"* ]]; then
      found=true in_block=true
      echo "        SEI_CICD_SHA256: |"
      printf '          %s\n' "${sums[@]}"
      continue
    fi
    if [[ "$in_block" == true && "$line" == "          "* ]]; then
      continue
    fi
    in_block=false
    printf '%s\n' "$line"
  done <"$yml" >"$out"
  if [[ "$found" != true ]]; then
    rm -f "$out"
    echo "pin-native.sh: $yml has no SEI_CICD_SHA256 line" >&2
    exit 1
  fi
  cat "$out" >"$yml"
  rm -f "$out"
}
pin "$entry/action.yml"
pin "$entry/setup/action.yml"
printf '%s\n' "${sums[@]}"
