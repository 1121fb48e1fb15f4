#!/usr/bin/env bash
# Instructions per mapping + serialization (and per parse of GitHub's pages) of a run of 10, 100
# and 1,000 jobs of 20 steps, counted by valgrind: unlike times, the count does not move when
# other work shares the machine. Each size runs twice under cachegrind, with 0 and with N rounds;
# the difference divided by N is the cost of one round, the set-up (building the run) left out.
#
#   benches/instructions.sh
#
# Needs valgrind (apt-get install valgrind).
set -euo pipefail
cd "$(dirname "$0")/.."

bench=$(cargo bench -p sei-cicd-bench --bench instructions --no-run --message-format=json 2>/dev/null |
  sed -n 's/.*"executable":"\([^"]*instructions[^"]*\)".*/\1/p' | tail -1)
[[ -x "$bench" ]] || { echo "instructions.sh: could not build the bench" >&2; exit 1; }

count() { # jobs rounds what
  valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$bench" "$@" 2>&1 >/dev/null |
    sed -n 's/.*I *refs: *\([0-9,]*\).*/\1/p' | tr -d ,
}

echo "| jobs x steps | map + serialize, instructions | parse GitHub's pages, instructions |"
echo "|---:|---:|---:|"
for size in "10 50" "100 10" "1000 3"; do
  set -- $size
  jobs=$1 rounds=$2
  row="| $jobs x 20"
  for what in map parse; do
    base=$(count "$jobs" 0 "$what")
    total=$(count "$jobs" "$rounds" "$what")
    row="$row | $(((total - base) / rounds))"
  done
  echo "$row |"
done
