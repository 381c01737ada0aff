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
# to mpirun (killing the ranks a second later) keeps the tasks finished before it, SIGTERM to
# every rank (as srun delivers it) or to an mpirun given a longer kill timeout stops cleanly as
# one process does, and --resume over ranks completes the run identically.
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

# Signals. The finished tasks are saved as soon as rank 0 has the signal (flush_seconds 1000:
# no periodic flush comes to the rescue), and --resume over ranks completes the run identically.
long=(configs/default.yaml --replications 16 --set scenario.months=12 --set output.flush_seconds=1000)
"$exe" run "${long[@]}" --quiet --out "$work/long_one.h5"
finished_in_log() {  # LOG: the tasks the last progress line before the stop notice counts as finished
  sed '/terminated (SIGTERM)/,$d' "$1" | grep -oE '\(([0-9]+) of 32 tasks finished' | tail -1 | grep -oE '[0-9]+' | head -1 || true
}
start_long() {  # NAME, options of mpirun: starts the run over 3 ranks, returns once a task has finished
  local name=$1
  shift
  rm -f "$work/$name.h5" "$work/$name.h5.partial"
  mpirun -n 3 --oversubscribe "$@" "$exe" run "${long[@]}" --out "$work/$name.h5" > "$work/$name.log" 2>&1 &
  mpirun_pid=$!
  local i
  for i in $(seq 1 600); do
    sleep 0.1
    # Rank 0's progress lines count the tasks the other ranks finish (1 to 31: before the end).
    grep -qE '\(([1-9]|[12][0-9]|3[01]) of 32 tasks finished' "$work/$name.log" && return 0
  done
  fail "$name: no progress line with a task finished, before the end: $(cat "$work/$name.log")"
}
saved_tasks() {  # FILE: the tasks marked finished in it
  "$exe" summary "$1" --metric fines 2> /dev/null | head -1 | grep -oE '\([0-9]+ of 32 tasks finished' | grep -oE '[0-9]+' | head -1 || true
}
resume_long() {  # NAME, what
  ranks 3 run "${long[@]}" --quiet --resume --out "$work/$1.h5" || fail "$2: --resume over 3 ranks exited $?"
  same_run "$work/long_one.h5" "$work/$1.h5" "$2, then resumed over ranks"
}

# 1. SIGTERM to mpirun, as Ctrl-C or a batch system sends it, with OpenMPI's default
#    odls_base_sigkill_timeout of 1 s: mpirun sends the ranks SIGCONT, SIGTERM a second later
#    and SIGKILL a second after that, so the tasks in flight are lost but not the finished ones.
start_long killed
kill -TERM "$mpirun_pid"
code=0
wait "$mpirun_pid" || code=$?
before=$(finished_in_log "$work/killed.log")
file=$work/killed.h5
[[ -e $file ]] || file=$work/killed.h5.partial
saved=$(saved_tasks "$file")
echo "mpi: SIGTERM to mpirun: exit $code; ${before:-?} tasks finished before rank 0 had the signal, ${saved:-no} saved"
[[ ${saved:-0} -ge ${before:-1} ]] || fail "SIGTERM to mpirun: ${saved:-no} tasks saved of the ${before:-?} finished: $(cat "$work/killed.log")"
resume_long killed "SIGTERM to mpirun"

# 2. SIGTERM to every rank, as srun and SLURM's --signal deliver it: exactly as in one process.
#    Rank 0 stops handing out tasks, the other ranks finish theirs, every finished task is in
#    a complete file (no partial), and the exit code is 143.
start_long every_rank
pkill -TERM -P "$mpirun_pid" || fail "no rank to signal"
code=0
wait "$mpirun_pid" || code=$?
reported=$(grep -oE 'stopped by signal 15: [0-9]+ of 32 tasks' "$work/every_rank.log" | grep -oE '[0-9]+' | sed -n 2p || true)
before=$(finished_in_log "$work/every_rank.log")
echo "mpi: SIGTERM to every rank: exit $code; ${before:-?} tasks finished before, ${reported:-?} at the stop"
[[ $code == 143 ]] || fail "SIGTERM to every rank: mpirun exited $code, expected 143: $(cat "$work/every_rank.log")"
[[ -e $work/every_rank.h5 && ! -e $work/every_rank.h5.partial ]] || fail "SIGTERM to every rank: no complete file"
[[ -n $reported && $(saved_tasks "$work/every_rank.h5") == "$reported" && $reported -ge ${before:-1} ]] ||
  fail "SIGTERM to every rank: ${reported:-?} tasks reported, $(saved_tasks "$work/every_rank.h5") in the file, ${before:-?} before"
resume_long every_rank "SIGTERM to every rank"

# 3. SIGTERM to mpirun with a kill timeout longer than a task: the ranks have the signal 5 s
#    later and 5 s to finish the tasks in flight, which are kept, as in one process.
start_long patient --mca odls_base_sigkill_timeout 5
kill -TERM "$mpirun_pid"
code=0
wait "$mpirun_pid" || code=$?
reported=$(grep -oE 'stopped by signal 15: [0-9]+ of 32 tasks' "$work/patient.log" | grep -oE '[0-9]+' | sed -n 2p || true)
echo "mpi: SIGTERM to mpirun, odls_base_sigkill_timeout 5: exit $code; ${reported:-?} tasks at the stop"
[[ -e $work/patient.h5 && ! -e $work/patient.h5.partial && -n $reported &&
   $(saved_tasks "$work/patient.h5") == "$reported" ]] ||
  fail "SIGTERM to mpirun with a 5 s kill timeout: not a clean stop: $(cat "$work/patient.log")"
resume_long patient "SIGTERM to mpirun with a 5 s kill timeout"

if ((failures > 0)); then
  echo "mpi: $failures failures"
  exit 1
fi
echo "mpi: every check passed"
