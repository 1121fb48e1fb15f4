# Starts the prebuilt sei-cicd binary for this runner. The native entry's step (action.yml beside
# this file) sources it in the runner's own bash, with the step's environment: every input as
# INPUT_<NAME> with hyphens kept, exactly as a container action gets them, and SEI_CICD_SHA256,
# the SHA-256 of each binary under bin/ as the release pinned them.
#
# It picks bin/sei-cicd-<target> for RUNNER_OS and RUNNER_ARCH, checks it against its pinned
# SHA-256, and replaces this shell with it (`exec`): the step's outputs, job summary, log and exit
# code are the binary's own. Whatever stops it before the binary starts (no binary for this
# platform or on this commit, a damaged file) is one error annotation and `status=failed`, and
# fails the step only with `fail-on-error: true`, as the binary treats its own errors.
#
# Written for bash 3.2 (macOS's /bin/bash) and Git Bash on Windows; needs sha256sum, shasum or
# openssl, which GitHub's runners all have. Sourced, not run: no second shell starts.

# The message as a workflow command's data (% and line breaks escaped).
sei_cicd_escape() {
  local m="${1//%/%25}"
  m="${m//$'\r'/%0D}"
  printf '%s' "${m//$'\n'/%0A}"
}

# Stops before the binary starts: an error annotation, the outputs and summary the binary would
# write for a report that failed, and the exit code it would give.
sei_cicd_stop() {
  printf '::error title=sei-cicd native entry::%s\n' "$(sei_cicd_escape "$1")"
  if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
    printf 'result=\nexecution-id=\nstatus=failed\nhttp-status=\npayload-file=\n' >>"$GITHUB_OUTPUT"
  fi
  if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
    printf '### SEI report: not run\n\n%s\n' "$1" >>"$GITHUB_STEP_SUMMARY"
  fi
  case "$2" in
    [Tt][Rr][Uu][Ee] | [Yy][Ee][Ss] | [Oo][Nn] | 1) exit 1 ;;
  esac
  exit 0
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

sei_cicd_native() {
  local here="${GITHUB_ACTION_PATH:-${BASH_SOURCE[0]%/*}}"
  local fail_on_error name binary expected="" actual sum file
  # The inputs reach the binary only if this shell passes names with hyphens on to its
  # children: check it with one of them.
  if ! fail_on_error="$(printenv 'INPUT_FAIL-ON-ERROR')"; then
    sei_cicd_stop "The step's inputs did not reach the binary: this shell (bash $BASH_VERSION) does not pass on variables whose names keep hyphens (INPUT_SEI-TOKEN, as the runner names them), or printenv is missing. Run the step where bash 5 is the first bash on PATH, or use the container action (uses: sei-cicd/sei-cicd-action@v1)." false
  fi
  name="$(sei_cicd_binary_name)"
  if [[ -z "$name" ]]; then
    sei_cicd_stop "No prebuilt binary for this runner (RUNNER_OS=${RUNNER_OS:-$(uname -s)}, RUNNER_ARCH=${RUNNER_ARCH:-$(uname -m)}). The native entry runs on Linux x86_64 and arm64, macOS x86_64 and arm64, and Windows x86_64; elsewhere, on a Linux runner with Docker, use the container action (uses: sei-cicd/sei-cicd-action@v1)." "$fail_on_error"
  fi
  binary="$here/bin/$name"
  if [[ ! -f "$binary" ]]; then
    sei_cicd_stop "This commit of the action carries no prebuilt binaries ($name is not under bin/): each release adds them to its own commit. Use a release tag or its commit SHA, e.g. uses: sei-cicd/sei-cicd-action/native@v1." "$fail_on_error"
  fi
  while read -r sum file; do
    if [[ "$file" == "$name" ]]; then expected="$sum"; fi
  done <<EOF
${SEI_CICD_SHA256:-}
EOF
  if [[ -z "$expected" ]]; then
    sei_cicd_stop "No SHA-256 is pinned for bin/$name in the entry's action.yml (SEI_CICD_SHA256), so it is not started. Use a release tag or its commit SHA as published." "$fail_on_error"
  fi
  if ! actual="$(sei_cicd_sha256 "$binary")"; then
    sei_cicd_stop "Cannot check bin/$name: none of sha256sum, shasum or openssl is on PATH." "$fail_on_error"
  fi
  if [[ "$actual" != "$expected" ]]; then
    sei_cicd_stop "bin/$name does not match the SHA-256 pinned in the entry's action.yml (pinned $expected, file $actual), so it is not started: the action's files were changed or damaged on the way. Use the release tag or commit SHA as published, and see docs/entries.md to verify a binary." "$fail_on_error"
  fi
  [[ -x "$binary" ]] || chmod +x "$binary"
  exec "$binary" report
}

sei_cicd_native
