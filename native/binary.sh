# Picks the prebuilt sei-cicd binary for this runner and checks it against the SHA-256 the release
# pinned: the part both native entries share. run.sh (the reporter, native/action.yml) and
# setup.sh (sei-cicd on PATH, native/setup/action.yml) source it and call sei_cicd_binary; each
# defines sei_cicd_stop, what it does when no binary may start.
#
# Written for bash 3.2 (macOS's /bin/bash) and Git Bash on Windows; needs sha256sum, shasum or
# openssl, which GitHub's runners all have.

# The message as a workflow command's data (% and line breaks escaped).
sei_cicd_escape() {
  local m="${1//%/%25}"
  m="${m//$'\r'/%0D}"
  printf '%s' "${m//$'\n'/%0A}"
}

# The binary's file name under bin/ for RUNNER_OS and RUNNER_ARCH (or uname where they are
# unset), or nothing for a platform without one.
sei_cicd_binary_name() {
  local os="${RUNNER_OS:-$(uname -s)}" arch="${RUNNER_ARCH:-$(uname -m)}"
  case "$os/$arch" in
    Linux/X64 | Linux/x86_64) echo sei-cicd-x86_64-unknown-linux-musl ;;
    Linux/ARM64 | Linux/aarch64) echo sei-cicd-aarch64-unknown-linux-musl ;;
    macOS/X64 | Darwin/x86_64) echo sei-cicd-x86_64-apple-darwin ;;
    macOS/ARM64 | Darwin/arm64) echo sei-cicd-aarch64-apple-darwin ;;
    Windows/X64 | MINGW*/x86_64 | MSYS*/x86_64) echo sei-cicd-x86_64-pc-windows-gnu.exe ;;
  esac
}

# The SHA-256 of a file, in lower-case hex.
sei_cicd_sha256() {
  local line
  if command -v sha256sum >/dev/null; then
    line="$(sha256sum "$1")"
  elif command -v shasum >/dev/null; then
    line="$(shasum -a 256 "$1")"
  elif command -v openssl >/dev/null; then
    line="$(openssl dgst -sha256 -r "$1")"
  else
    return 1
  fi
  line="${line#\\}" # GNU tools mark a name with backslashes (a Windows path) with a leading \
  printf '%s' "${line%% *}"
}

# The SHA-256 pinned for the binary NAME in SEI_CICD_SHA256 (the entry's action.yml), or nothing.
sei_cicd_pinned() {
  local sum file expected=""
  while read -r sum file; do
    if [[ "$file" == "$1" ]]; then expected="$sum"; fi
  done <<EOF
${SEI_CICD_SHA256:-}
EOF
  printf '%s' "$expected"
}

# sei_cicd_binary ENTRY_DIR USES: sets sei_cicd_name to this runner's binary's file name and
# sei_cicd_file to ENTRY_DIR/bin/<name> once its SHA-256 matches the pinned one; otherwise calls
# sei_cicd_stop with the cause and the fix (USES is the entry's `uses:` line, for the fix).
sei_cicd_binary() {
  local entry="$1" uses="$2" expected actual
  sei_cicd_name="$(sei_cicd_binary_name)"
  sei_cicd_file=""
  if [[ -z "$sei_cicd_name" ]]; then
    sei_cicd_stop "No prebuilt binary for this runner (RUNNER_OS=${RUNNER_OS:-$(uname -s)}, RUNNER_ARCH=${RUNNER_ARCH:-$(uname -m)}). The native entries run on Linux x86_64 and arm64, macOS x86_64 and arm64, and Windows x86_64; elsewhere, on a Linux runner with Docker, use the container action (uses: sei-cicd/sei-cicd-action@v1) or its image (ghcr.io/sei-cicd/sei-cicd-action:1)."
    return 1
  fi
  if [[ ! -f "$entry/bin/$sei_cicd_name" ]]; then
    sei_cicd_stop "This commit of the action carries no prebuilt binaries ($sei_cicd_name is not under native/bin/): each release adds them to its own commit. Use a release tag or its commit SHA, e.g. uses: $uses@v1."
    return 1
  fi
  expected="$(sei_cicd_pinned "$sei_cicd_name")"
  if [[ -z "$expected" ]]; then
    sei_cicd_stop "No SHA-256 is pinned for bin/$sei_cicd_name in the entry's action.yml (SEI_CICD_SHA256), so it is not started. Use a release tag or its commit SHA as published."
    return 1
  fi
  if ! actual="$(sei_cicd_sha256 "$entry/bin/$sei_cicd_name")"; then
    sei_cicd_stop "Cannot check bin/$sei_cicd_name: none of sha256sum, shasum or openssl is on PATH."
    return 1
  fi
  if [[ "$actual" != "$expected" ]]; then
    sei_cicd_stop "bin/$sei_cicd_name does not match the SHA-256 pinned in the entry's action.yml (pinned $expected, file $actual), so it is not started: the action's files were changed or damaged on the way. Use the release tag or commit SHA as published, and see docs/entries.md to verify a binary."
    return 1
  fi
  sei_cicd_file="$entry/bin/$sei_cicd_name"
}
