#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/slurm/submit on a real SLURM cluster: one node on this machine (slurmctld, slurmd and
# munged on loopback, started here as root and stopped at the end), label `slurm`.
#
#   bash tests/slurm_cluster.sh BREACHSIM SOURCE_DIR WORK_DIR
#
# 1. A sweep as a job array of 3 shards and a merge job waiting for it (afterok): the merged file
#    equals the run in one process (h5diff of every object), and each shard ran on the CPUs
#    SLURM gave it (SLURM_CPUS_PER_TASK threads, as its file says).
# 2. A time limit: shards of a longer run get --time 1, so SLURM sends SIGTERM (--signal
#    B:TERM@120) at once; each keeps its finished tasks, the array fails and the merge is
#    cancelled. The same submission again resumes the shards and merges: again equal to the
#    run in one process.
# Installs slurm-wlm and munge when missing (Debian). Exit 77 (skipped) unless root.
set -euo pipefail

exe=$(readlink -f "$1") source=$(readlink -f "$2") work=$3
cd "$source"
if ((EUID != 0)); then
  echo "slurm: needs root to start the cluster's daemons; skipped"
  exit 77
fi
if ! command -v slurmctld > /dev/null || ! command -v munged > /dev/null; then
  echo "slurm: installing slurm-wlm and munge"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge > /dev/null ||
    { apt-get update -q > /dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q slurm-wlm munge > /dev/null; }
fi

rm -rf "$work"
mkdir -p "$work"
work=$(readlink -f "$work")
# The daemons' state under a short path: munge's socket path is limited to 108 bytes.
cluster=$(mktemp -d /tmp/breachsim-slurm.XXXXXX)
chmod 755 "$cluster"
mkdir -p "$cluster/state" "$cluster/spool" "$cluster/munge"
chown munge:munge "$cluster/munge"
export SLURM_CONF=$cluster/slurm.conf
failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

stop_cluster() {
  for pid_file in "$cluster/slurmd.pid" "$cluster/slurmctld.pid" "$cluster/munge/munged.pid"; do
    [[ -s $pid_file ]] && kill "$(cat "$pid_file")" 2> /dev/null || true
  done
  sleep 1
  rm -rf "$cluster"
}
trap stop_cluster EXIT

# Two free loopback ports for the daemons.
read -r ctld_port slurmd_port < <(/usr/bin/python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
cpus=$(nproc)
cat > "$SLURM_CONF" << EOF
ClusterName=breachsim-test
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$cluster/munge/munge.socket.2
StateSaveLocation=$cluster/state
SlurmdSpoolDir=$cluster/spool
SlurmctldPidFile=$cluster/slurmctld.pid
SlurmdPidFile=$cluster/slurmd.pid
SlurmctldLogFile=$cluster/slurmctld.log
SlurmdLogFile=$cluster/slurmd.log
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
KillWait=30
MinJobAge=3600
NodeName=localhost NodeHostname=$(hostname) CPUs=$cpus RealMemory=2000 State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
t0=$SECONDS
runuser -u munge -- /usr/sbin/munged --socket="$cluster/munge/munge.socket.2" \
  --pid-file="$cluster/munge/munged.pid" --log-file="$cluster/munge/munged.log" --seed-file="$cluster/munge/seed"
slurmctld -c -i
slurmd
for _ in $(seq 120); do
  [[ $(sinfo -h -o %T 2> /dev/null) == idle ]] && break
  sleep 1
done
[[ $(sinfo -h -o %T) == idle ]] || {
  echo "slurm: the node did not come up:"
  tail -n 20 "$cluster/slurmctld.log" "$cluster/slurmd.log"
  exit 1
}
echo "slurm: one-node cluster ($cpus CPUs) up in $((SECONDS - t0)) s"

# wait_for JOB...: until no job of these is pending or running (SLURM's own word for them).
wait_for() {
  for _ in $(seq 900); do
    [[ -z $(squeue -h -j "$(IFS=,; echo "$*")" 2> /dev/null) ]] && return 0
    sleep 1
  done
  fail "jobs $* still queued after 15 minutes"
  squeue
  return 1
}
job_states() {  # the states of a job's tasks (an array's every task), sorted and counted
  scontrol show job "$1" 2> /dev/null | sed -n 's/^ *JobState=\([A-Z_]*\).*/\1/p' | sort | uniq -c | xargs
}
same_run() {  # file-a file-b what: every object equal
  local object
  for object in outcomes summary config points trusts months metrics schemes progress; do
    h5diff -q "$1" "$2" "/$object" "/$object" > /dev/null 2>&1 || fail "$3: /$object differs from the run in one process"
  done
}
submit() {  # output of scripts/slurm/submit: "array job A: ..." and "merge job M after it: ..."
  local out
  out=$(cd "$work" && "$source/scripts/slurm/submit" --breachsim "$exe" "$@")
  echo "$out" | sed 's/^/slurm:   /' >&2
  echo "$(sed -n 's/^array job \([0-9]*\):.*/\1/p' <<< "$out") $(sed -n 's/^merge job \([0-9]*\) after.*/\1/p' <<< "$out")"
}

# 1. A sweep in 3 shards, each on every CPU of the node (so one at a time), and its merge.
sweep=(--replications 4 --set scenario.months=3)
"$exe" run tests/data/sweep.yaml "${sweep[@]}" --quiet --out "$work/one_process.h5"
read -r array merge < <(submit "$source/tests/data/sweep.yaml" --shards 3 --cpus "$cpus" --dir "$work/results" --name sweep -- "${sweep[@]}")
wait_for "$array" "$merge"
[[ $(job_states "$array") == "3 COMPLETED" ]] || fail "array $array: $(job_states "$array"), not 3 COMPLETED"
[[ $(job_states "$merge") == "1 COMPLETED" ]] || fail "merge $merge: $(job_states "$merge")"
if [[ -f $work/results/sweep.h5 ]]; then
  same_run "$work/one_process.h5" "$work/results/sweep.h5" "the merged job array"
  threads=$(/usr/bin/python3 -c 'import h5py, sys; print(h5py.File(sys.argv[1])["/"].attrs["threads"])' \
    "$work/results/sweep.shard-2-of-3.h5")
  [[ $threads == "$cpus" ]] || fail "shard 2 ran $threads threads, not the $cpus CPUs of its allocation"
  grep -q "merged 3 shards" "$work"/breachsim-merge-"$merge".log || fail "the merge job's log lacks its report"
  grep -q "^breachsim: shard 3/3 (SLURM job ${array}_3): 100% (" "$work/breachsim-shard-${array}_3.log" ||
    fail "shard 3's progress lines do not say whose they are: $(cat "$work/breachsim-shard-${array}_3.log")"
else
  fail "no merged file $work/results/sweep.h5"
  cat "$work"/breachsim-*.log || true
fi

# 2. A time limit stops the shards; the same submission again completes them.
long=(--replications 48 --set scenario.months=12)
read -r array merge < <(submit "$source/configs/default.yaml" --shards 2 --cpus 1 --time 1 --dir "$work/results" --name timed -- "${long[@]}")
"$exe" run configs/default.yaml "${long[@]}" --quiet --out "$work/timed_one_process.h5" &
one=$!
wait_for "$array" "$merge"
states=$(job_states "$array")
[[ $states == *COMPLETED* ]] && fail "array $array with a 1-minute limit: $states; the test needs longer shards"
grep -q "terminated (SIGTERM): finishing the tasks in flight" "$work"/breachsim-shard-"$array"_1.log ||
  fail "shard 1 did not hear SIGTERM before its time limit: $(cat "$work"/breachsim-shard-"$array"_1.log)"
[[ $(job_states "$merge") == "1 CANCELLED" ]] || fail "the merge after a failed array: $(job_states "$merge"), not CANCELLED"
[[ -e $work/results/timed.h5 ]] && fail "a merged file after a failed array"
kept=$(/usr/bin/python3 -c '
import h5py, sys
f = sys.argv[1]
for name in (f, f + ".partial"):
    try:
        print(int(h5py.File(name, "r")["progress"][()].sum())); break
    except OSError:
        pass
else:
    print(0)' "$work/results/timed.shard-1-of-2.h5")
((kept > 0)) || fail "shard 1 kept no finished task when its time ran out"
echo "slurm: the time limit stopped the array ($states); shard 1 kept $kept tasks"
read -r array merge < <(submit "$source/configs/default.yaml" --shards 2 --cpus 1 --dir "$work/results" --name timed -- "${long[@]}")
wait_for "$array" "$merge"
wait "$one"
[[ $(job_states "$array") == "2 COMPLETED" ]] || fail "the resubmitted array $array: $(job_states "$array")"
grep -q "resuming: $kept tasks already done" "$work"/breachsim-shard-"$array"_1.log ||
  fail "the resubmitted shard 1 did not resume its $kept tasks: $(head -n 3 "$work"/breachsim-shard-"$array"_1.log)"
if [[ -f $work/results/timed.h5 ]]; then
  same_run "$work/timed_one_process.h5" "$work/results/timed.h5" "the array stopped by its time limit and resubmitted"
else
  fail "no merged file after the resubmission"
  cat "$work"/breachsim-merge-"$merge".log || true
fi

echo "slurm: $((SECONDS - t0)) s in all"
if ((failures > 0)); then
  echo "slurm: $failures failures; the daemons' logs:"
  tail -n 30 "$cluster/slurmctld.log"
  exit 1
fi
echo "slurm: every check passed"
