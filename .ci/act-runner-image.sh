#!/usr/bin/env bash
# Builds the job image that nektos/act runs the native entry's tests in (tests/act.rs), from this
# machine's own files, since no registry can be reached: FROM scratch, with bash and the few
# programs a job and the entries use (printenv, sha256sum; cp, mkdir and chmod for the setup
# entry and the sweep example; tail keeps act's container alive), each with the shared libraries
# ldd names. Like a runner's image, it holds no sei-cicd:
# the entry brings its binary.
#
#   .ci/act-runner-image.sh TAG        (podman; CONTAINERS_CONF as .ci/run sets it)
set -euo pipefail

tag="$1"
programs=(bash printenv sha256sum tail cat ls env cp mkdir chmod)
context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
root="$context/rootfs"
copy() { # PATH: the file, where it is on this machine
  mkdir -p "$root$(dirname "$1")"
  cp -L "$1" "$root$1"
}
for name in "${programs[@]}"; do
  path="$(command -v "$name")"
  copy "$path"
  for lib in $(ldd "$path" | grep -o '/[^ ]*'); do
    copy "$lib"
  done
done
mkdir -p "$root/tmp" "$root/bin"
chmod 1777 "$root/tmp"
# A runner's shell is `bash` on PATH; act also starts scripts as /bin/bash.
[[ -e "$root/bin/bash" ]] || ln -s "$(command -v bash)" "$root/bin/bash"
cat >"$context/Containerfile" <<'CONTAINERFILE'
FROM scratch
COPY rootfs/ /
ENV PATH=/usr/local/bin:/usr/bin:/bin
CONTAINERFILE
podman build --quiet --tag "$tag" "$context" >/dev/null
echo "built $tag: $(du -sh "$root" | cut -f1) of ${programs[*]} and their libraries"
