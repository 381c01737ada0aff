#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs over MPI ranks (a build with -DBREACHSIM_WITH_MPI=ON; scripts/mpi builds one), label `mpi`.
#
#   bash tests/mpi_ranks.sh BREACHSIM SOURCE_DIR WORK_DIR
#
# With 2 and 3 ranks (--oversubscribe: this machine has 2 cores): a sweep whose baseline is
# not point 0, and the default scenario (footprints), each h5diff-identical to the same run in
# one process of the same program; a shard run over ranks; what rank 0 refuses (an existing
# output, a bad config) ends every rank at once with rank 0's message and exit code; SIGTERM
# to mpirun keeps the finished tasks and --resume over ranks completes the run identically.
set -euo pipefail

exe=$(readlink -f "$1") source=$(readlink -f "$2") work=$3
cd "$source"
rm -rf "$work"
mkdir -p "$work"
# OpenMPI refuses root unless told; CI runs as root.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
ranks() {  # N, arguments of breachsim: under mpirun, at most 5 minutes
  local n=$1
  shift
  timeout 300 mpirun -n "$n" --oversubscribe "$exe" "$@"
}
same_run() {  # file-a file-b what
  local object
  for object in outcomes summary config points trusts months metrics schemes progress; do
    h5diff -q "$1" "$2" "/$object" "/$object" > /dev/null 2>&1 || fail "$3: /$object differs from the run in one process"
  done
}

sweep=(tests/data/sweep.yaml --replications 4 --set scenario.months=3
  --set "monte_carlo.baseline_point=fine 120, defaults.ed.arrivals_per_year=90000")
"$exe" run "${sweep[@]}" --quiet --out "$work/one.h5"
for n in 2 3; do
  ranks "$n" run "${sweep[@]}" --quiet --out "$work/sweep$n.h5" || fail "the sweep on $n ranks exited $?"
  same_run "$work/one.h5" "$work/sweep$n.h5" "the sweep on $n ranks"
done
out=$(ranks 3 run "${sweep[@]}" --out "$work/sweep3.h5" 2>&1) && fail "an existing output was replaced" || code=$?
[[ ${code:-0} == 2 && $out == *"already exists"* ]] || fail "an existing output under mpirun: exit ${code:-0}: $out"
[[ $(grep -c "already exists" <<< "$out") == 1 ]] || fail "the message came more than once: $out"
printf 'schema_version: 1\nscenario: {months: lots}\n' > "$work/bad.yaml"
code=0
out=$(ranks 2 run "$work/bad.yaml" 2>&1) || code=$?
[[ $code == 2 && $out == *"bad.yaml:2:"* ]] || fail "a bad config under mpirun: exit $code: $out"

# The default scenario (footprints, 2 points) on 3 ranks, and shard 2 of 3 of it on 2.
default=(configs/default.yaml --replications 3 --set scenario.months=12)
"$exe" run "${default[@]}" --quiet --out "$work/default_one.h5"
ranks 3 run "${default[@]}" --quiet --out "$work/default3.h5" || fail "the default scenario on 3 ranks exited $?"
same_run "$work/default_one.h5" "$work/default3.h5" "the default scenario on 3 ranks"
"$exe" run "${default[@]}" --quiet --shard 2/3 --out "$work/shard_one.h5"
ranks 2 run "${default[@]}" --quiet --shard 2/3 --out "$work/shard2.h5" || fail "a shard on 2 ranks exited $?"
same_run "$work/shard_one.h5" "$work/shard2.h5" "shard 2/3 on 2 ranks"

# SIGTERM to mpirun (as a batch system sends it): the finished tasks are kept, --resume completes.
long=(configs/default.yaml --replications 16 --set scenario.months=12)
"$exe" run "${long[@]}" --quiet --out "$work/long_one.h5"
mpirun -n 3 --oversubscribe "$exe" run "${long[@]}" --out "$work/long.h5" > "$work/stopped.log" 2>&1 &
sleep 4
kill -TERM $!
code=0
wait $! || code=$?
echo "mpi: mpirun after SIGTERM: exit $code; $(tail -n 2 "$work/stopped.log" | tr '\n' ' ')"
if [[ -e $work/long.h5.partial || -e $work/long.h5 ]]; then
  ranks 3 run "${long[@]}" --quiet --resume --out "$work/long.h5" || fail "--resume over 3 ranks exited $?"
  same_run "$work/long_one.h5" "$work/long.h5" "a run stopped by SIGTERM and resumed over ranks"
else
  fail "SIGTERM left neither long.h5 nor its partial: $(cat "$work/stopped.log")"
fi

if ((failures > 0)); then
  echo "mpi: $failures failures"
  exit 1
fi
echo "mpi: every check passed"
