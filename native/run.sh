# Starts the prebuilt sei-cicd binary for this runner. The native entry's step (action.yml beside
# this file) sources it in the runner's own bash, with the step's environment: every input as
# INPUT_<NAME> with hyphens kept, exactly as a container action gets them, and SEI_CICD_SHA256,
# the SHA-256 of each binary under bin/ as the release pinned them.
#
# It picks bin/sei-cicd-<target> for RUNNER_OS and RUNNER_ARCH and checks it against its pinned
# SHA-256 (binary.sh, shared with the setup entry, setup/action.yml), then replaces this shell
# with it (`exec`): the step's outputs, job summary, log and exit code are the binary's own.
# Whatever stops it before the binary starts (no binary for this platform or on this commit, a
# damaged file) is one error annotation and `status=failed`, and fails the step only with
# `fail-on-error: true`, as the binary treats its own errors.
#
# Written for bash 3.2 (macOS's /bin/bash) and Git Bash on Windows. Sourced, not run: no second
# shell starts.

source "${GITHUB_ACTION_PATH:-${BASH_SOURCE[0]%/*}}/binary.sh"

# Stops before the binary starts: an error annotation, the outputs and summary the binary would
# write for a report that failed, and the exit code it would give (fail-on-error decides).
sei_cicd_stop() {
  printf '::error title=sei-cicd native entry::%s\n' "$(sei_cicd_escape "$1")"
  if [[ -n "${GITHUB_OUTPUT:-}" ]]; then
    printf 'result=\nexecution-id=\nstatus=failed\nhttp-status=\npayload-file=\n' >>"$GITHUB_OUTPUT"
  fi
  if [[ -n "${GITHUB_STEP_SUMMARY:-}" ]]; then
    printf '### SEI report: not run\n\n%s\n' "$1" >>"$GITHUB_STEP_SUMMARY"
  fi
  case "${sei_cicd_fail_on_error:-false}" in
    [Tt][Rr][Uu][Ee] | [Yy][Ee][Ss] | [Oo][Nn] | 1) exit 1 ;;
  esac
  exit 0
}

sei_cicd_native() {
  local here="${GITHUB_ACTION_PATH:-${BASH_SOURCE[0]%/*}}"
  sei_cicd_fail_on_error=false
  # The inputs reach the binary only if this shell passes names with hyphens on to its
  # children: check it with one of them.
  if ! sei_cicd_fail_on_error="$(printenv 'INPUT_FAIL-ON-ERROR')"; then
    sei_cicd_fail_on_error=false
    sei_cicd_stop "The step's inputs did not reach the binary: this shell (bash $BASH_VERSION) does not pass on variables whose names keep hyphens (INPUT_SEI-TOKEN, as the runner names them), or printenv is missing. Run the step where bash 5 is the first bash on PATH, or use the container action (uses: sei-cicd/sei-cicd-action@v1)."
  fi
  sei_cicd_binary "$here" sei-cicd/sei-cicd-action/native || exit 1
  [[ -x "$sei_cicd_file" ]] || chmod +x "$sei_cicd_file"
  exec "$sei_cicd_file" report
}

sei_cicd_native
