# Puts the prebuilt sei-cicd binary for this runner on PATH for the job's later steps, for any
# command (`sei-cicd backfill ...`, `sei-cicd replay ...`) without Docker. The setup entry's step
# (action.yml beside this file) sources it in the runner's own bash, with SEI_CICD_SHA256, the
# SHA-256 of each binary under native/bin/ as the release pinned them.
#
# It picks native/bin/sei-cicd-<target> for RUNNER_OS and RUNNER_ARCH and checks it against its
# pinned SHA-256 (../binary.sh, the reporter entry's own check), copies it to
# RUNNER_TEMP/sei-cicd-bin/sei-cicd (sei-cicd.exe on Windows), checks the copy again, starts it
# once (`--version`), and adds the folder to GITHUB_PATH; the step's output `path` is the file.
# Whatever stops it is one error annotation naming the cause and the fix, and fails the step:
# a later step would otherwise fail with "sei-cicd: command not found".
#
# Written for bash 3.2 (macOS's /bin/bash) and Git Bash on Windows. Sourced, not run.

source "${GITHUB_ACTION_PATH:-${BASH_SOURCE[0]%/*}}/../binary.sh"

# Stops before sei-cicd is on PATH: an error annotation and a failed step.
sei_cicd_stop() {
  printf '::error title=sei-cicd setup::%s\n' "$(sei_cicd_escape "$1")"
  exit 1
}

sei_cicd_setup() {
  local here="${GITHUB_ACTION_PATH:-${BASH_SOURCE[0]%/*}}"
  local uses=sei-cicd/sei-cicd-action/native/setup dir file exe="" actual version path
  if [[ -z "${RUNNER_TEMP:-}" || -z "${GITHUB_PATH:-}" ]]; then
    sei_cicd_stop "RUNNER_TEMP or GITHUB_PATH is not set: $uses puts sei-cicd on PATH for the later steps of a GitHub Actions job, and runs only as a step of one. Elsewhere, download a release binary and check it with SHA256SUMS (docs/entries.md)."
  fi
  sei_cicd_binary "$here/.." "$uses" || exit 1
  [[ "$sei_cicd_name" == *.exe ]] && exe=.exe
  dir="$RUNNER_TEMP/sei-cicd-bin"
  file="$dir/sei-cicd$exe"
  if ! { mkdir -p "$dir" && cp -f "$sei_cicd_file" "$file" && chmod 0755 "$file"; }; then
    sei_cicd_stop "Cannot copy bin/$sei_cicd_name to $file (RUNNER_TEMP): see the lines above. The runner's temporary folder must be writable."
  fi
  # What is on PATH is the copy: check it, not only what it was copied from.
  actual="$(sei_cicd_sha256 "$file")"
  if [[ "$actual" != "$(sei_cicd_pinned "$sei_cicd_name")" ]]; then
    sei_cicd_stop "The copy of bin/$sei_cicd_name at $file does not match its pinned SHA-256 ($actual), so it is not put on PATH. Check the runner's disk and RUNNER_TEMP."
  fi
  if ! version="$("$file" --version 2>&1)"; then
    sei_cicd_stop "$file does not start on this runner ($version). A folder mounted noexec (RUNNER_TEMP) stops it: give the runner an executable temporary folder, or run the container image (ghcr.io/sei-cicd/sei-cicd-action:1)."
  fi
  path="$dir"
  if [[ -n "$exe" ]] && command -v cygpath >/dev/null; then
    path="$(cygpath -w "$dir")"
    file="$(cygpath -w "$file")"
  fi
  printf '%s\n' "$path" >>"$GITHUB_PATH"
  if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
    printf 'path=%s\n' "$file" >>"$GITHUB_OUTPUT"
  fi
  printf '%s (bin/%s, SHA-256 as pinned) is on PATH for the next steps: %s\n' \
    "$version" "$sei_cicd_name" "$file"
}

sei_cicd_setup
