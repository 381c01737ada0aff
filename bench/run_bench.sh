#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Whole runs as users run them: prints the figures issue 5 asks for.
#   1. tasks per second of the teaching scenario at 1 and 2 threads, and the speed-up;
#   2. peak memory at 100 and 1,000 replications (flat: the run streams to the file);
#   3. the share of the run spent writing HDF5.
# usage: bench/run_bench.sh [BREACHSIM_EXE]   (default build/cli/breachsim; needs GNU time)
set -euo pipefail
exe=${1:-build/cli/breachsim}
cd "$(dirname "$0")/.."
[ -x /usr/bin/time ] || { echo "needs GNU time: apt-get install time" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
config=configs/teaching/one_trust.yaml

# run REPLICATIONS THREADS -> "seconds peak_kib hdf5_percent"
run() {
  /usr/bin/time -f "%e %M" -o "$work/time" "$exe" run "$config" --replications "$1" --threads "$2" \
    --out "$work/out.h5" --force >"$work/stdout" 2>/dev/null
  local share
  share=$(grep -oE 'HDF5 writing [0-9.]+ s \([0-9.]+%' "$work/stdout" | grep -oE '[0-9.]+%' | tr -d '%')
  echo "$(cat "$work/time") $share"
}

echo "teaching scenario ($config), one trust-year per task, on $(nproc) cores"
read -r s1 _ h1 <<<"$(run 100 1)"
read -r s2 _ h2 <<<"$(run 100 2)"
awk -v s1="$s1" -v s2="$s2" 'BEGIN {
  printf "  1 thread:  %.1f tasks/s (100 tasks in %.2f s)\n", 100 / s1, s1
  printf "  2 threads: %.1f tasks/s (100 tasks in %.2f s); speed-up %.2fx (goal >= 1.8x)\n", 100 / s2, s2, s1 / s2 }'
read -r _ m100 _ <<<"$(run 100 2)"
read -r s1000 m1000 h1000 <<<"$(run 1000 2)"
awk -v a="$m100" -v b="$m1000" 'BEGIN {
  printf "  peak memory: %.1f MiB at 100 replications, %.1f MiB at 1,000 (%+.1f%%; goal within 10%%)\n",
         a / 1024, b / 1024, 100 * (b - a) / a }'
echo "  HDF5 writing: ${h2}% of the run at 100 replications, ${h1000}% at 1,000 (goal under 10%)"
