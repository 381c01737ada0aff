#!/usr/bin/env bash
# The command line as a user meets it: help, options, exit codes, messages, progress in a log,
# refusing to overwrite, and bit-identical outcome datasets whatever the number of threads.
# usage: cli_end_to_end.sh BREACHSIM_EXE SOURCE_DIR WORK_DIR
set -uo pipefail
# shellcheck source=tests/expect.sh
. "$(dirname "${BASH_SOURCE[0]}")/expect.sh"
exe=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$src" || exit 1

expect_exit 0 '^breachsim [0-9]+\.[0-9]+\.[0-9]+ ' -- "$exe" --version
for config in configs/*.yaml configs/*/*.yaml; do  # every shipped scenario loads
  case "$config" in configs/regimes/*) continue ;; esac  # presets, not scenarios
  case "$config" in *_fit.yaml) continue ;; esac  # calibration specs (scripts/calibrate.py), not scenarios
  expect_exit 0 'OK' -- "$exe" validate "$config"
done
# Regime presets: used from any scenario by name; a preset is not a scenario itself.
expect_exit 0 'OK' -- "$exe" validate configs/default.yaml \
  --set 'regimes=[{preset: contract_2015_16, to: 2016-04-01}, {preset: fund_2016_17, from: 2016-04-01}]'
expect_exit 0 'turnaround_team' -- "$exe" run tests/data/small.yaml --set scenario.months=6 \
  --set 'regimes=[{preset: league_tables_2025_26}]' --replications 2 --out "$work/league.h5"

# The conventions of command-line tools (CLI11): help for the program and every command, listing
# every option; --opt=value as well as --opt value; every mistake named, with exit code 2.
expect_help() {  # expect_help COMMAND OPTION...: its help, by --help and -h, lists every OPTION
  local command=$1; shift
  local flag option out
  for flag in --help -h; do
    out=$("$exe" $command $flag 2>&1) || fail "'breachsim $command $flag' exited $?"
    grep -q "^Usage: breachsim $command" <<<"$out" || fail "'breachsim $command $flag' printed no usage: $out"
    for option in "$@"; do
      grep -qE -- "^  $option( [A-Z=]+)?( \.\.\.)?  +[A-Z]" <<<"$out" || fail "'breachsim $command $flag' does not explain $option: $out"
    done
  done
}
expect_help '' --version run validate summary help
expect_help run CONFIG --set --replications --seed --threads --out --force --resume --quiet
expect_help validate CONFIG --set --reference
expect_help summary FILE --metric
expect_exit 0 '^Usage: breachsim run ' -- "$exe" help run
expect_exit 0 '^Usage: breachsim run ' -- "$exe" run tests/data/small.yaml --out "$work/never.h5" -h
[ -e "$work/never.h5" ] && fail "run ... -h ran the scenario"
expect_exit 0 '' -- "$exe" run tests/data/small.yaml --replications=2 --seed=42 --threads=1 --set=scenario.months=4 \
  --out="$work/equals.h5" --quiet
expect_exit 0 '' -- "$exe" run tests/data/small.yaml --replications 2 --seed 42 --threads 1 --set scenario.months=4 \
  --out "$work/spaces.h5" --quiet
h5diff "$work/equals.h5" "$work/spaces.h5" /outcomes /outcomes >/dev/null || fail "--opt=value and --opt value gave other outcomes"
# --replications and --seed are --set shorthands, applied in order with the --set options: the last wins.
expect_exit 0 '' -- "$exe" run tests/data/small.yaml --set monte_carlo.replications=5 --replications 2 --threads=2 \
  --out "$work/order.h5" --quiet
h5diff "$work/equals.h5" "$work/order.h5" /outcomes /outcomes >/dev/null || fail "--replications did not override an earlier --set"
# Every mistake of the command line, the config and the files, with its exit code and message:
# tests/bad_inputs.py (cli.bad_inputs), the catalogue of docs/bad_inputs.md.

# --task reruns one task alone: replication 1 as the whole run had it, and nothing else.
expect_exit 0 '' -- "$exe" run tests/data/small.yaml --replications 2 --seed 42 --set scenario.months=4 --task 0:1 \
  --out "$work/task.h5" --quiet
if /usr/bin/python3 -c 'import h5py' 2>/dev/null; then
  /usr/bin/python3 - "$work/equals.h5" "$work/task.h5" <<'PY' || fail "--task 0:1 did not rerun replication 1 alone"
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as whole, h5py.File(sys.argv[2], "r") as task:
    assert list(task["progress"][0]) == [0, 1], task["progress"][:]
    group = "outcomes/national_month"
    for name in whole[group]:
        a, b = whole[group][name][0, 1], task[group][name][0, 1]
        assert np.array_equal(a, b, equal_nan=True), name
PY
fi

# --set overrides and sweeps.
expect_exit 0 'OK \(scenario .small., 2 trusts, 7 months, 3 replications\)' -- "$exe" validate tests/data/small.yaml \
  --set monte_carlo.replications=3 --set scenario.months=7 --set 'defaults.ed.clinicians_by_hour=[30]'
expect_exit 0 '' -- "$exe" run tests/data/small.yaml --quiet --set monte_carlo.replications=2 --out "$work/set.h5"
expect_exit 0 'sweep over schemes.ed_4h.rate_gbp, defaults.ed.arrivals_per_year: 4 points' -- "$exe" validate tests/data/sweep.yaml
expect_exit 0 '^  0: no fine, defaults.ed.arrivals_per_year=90000  \(baseline\)$' -- "$exe" validate tests/data/sweep.yaml
expect_exit 0 '^  3: fine 120, defaults.ed.arrivals_per_year=110000$' -- "$exe" validate tests/data/sweep.yaml
expect_exit 0 '^  2: fine 120, defaults.ed.arrivals_per_year=90000  \(baseline\)$' -- "$exe" validate tests/data/sweep.yaml \
  --set 'monte_carlo.baseline_point=fine 120, defaults.ed.arrivals_per_year=90000'

# A sweep runs every point on the same patients; identical outcomes on 1 and 2 threads; the
# summary command reads the tables back, for every point or one metric.
sweep="$work/sweep.h5"
expect_exit 0 'Paired differences from the baseline .no fine, defaults.ed.arrivals_per_year=90000.' -- \
  "$exe" run tests/data/sweep.yaml --out "$sweep"
expect_exit 0 '' -- "$exe" run tests/data/sweep.yaml --threads 1 --quiet --out "$work/sweep_1thread.h5"
h5diff "$sweep" "$work/sweep_1thread.h5" /outcomes /outcomes >/dev/null || fail "sweep outcomes differ between 1 and 2 threads"
# The multiplier only where the point differs from the baseline in its sanctions alone.
expect_exit 0 "point 'fine 120, defaults.ed.arrivals_per_year=90000': multiplier [0-9.]+ \[95% CI" -- "$exe" summary "$sweep"
expect_exit 0 "point 'fine 120, defaults.ed.arrivals_per_year=110000': not a multiplier: this point also differs in defaults.ed.arrivals_per_year" -- \
  "$exe" summary "$sweep"
# run and summary print the same multiplier table (summary rebuilds it from the file).
"$exe" run tests/data/sweep.yaml --out "$work/sweep_printed.h5" 2>/dev/null | sed -n '/deficit multiplier/,/^Plans/p' >"$work/run_table.txt"
"$exe" summary "$work/sweep_printed.h5" | sed -n '/deficit multiplier/,/^Plans/p' >"$work/summary_table.txt"
[ -s "$work/run_table.txt" ] || fail "breachsim run printed no multiplier table"
cmp -s "$work/run_table.txt" "$work/summary_table.txt" || fail "breachsim run and summary print different multiplier tables"
expect_exit 0 "minus baseline: \+£" -- "$exe" summary "$sweep" --metric fines
if /usr/bin/python3 -c 'import h5py' 2>/dev/null; then
  /usr/bin/python3 - "$sweep" <<'PY' || fail "the sweep file's points or common random numbers are wrong"
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    points = f["points"][:]
    names = [n.decode() for n in points["name"]]
    assert names == ["no fine, defaults.ed.arrivals_per_year=90000", "no fine, defaults.ed.arrivals_per_year=110000",
                     "fine 120, defaults.ed.arrivals_per_year=90000", "fine 120, defaults.ed.arrivals_per_year=110000"], names
    assert [v.decode() for v in points["schemes.ed_4h.rate_gbp"]] == ["0", "0", "120", "120"]
    assert f.attrs["baseline_point"] == 0 and f["progress"][:].all()
    a = f["outcomes/trust_month/ed_attendances"][:]
    fines = f["outcomes/trust_month/fines"][:]
    assert a.shape[0] == 4 and (a[0] == a[2]).all() and (a[1] == a[3]).all()  # same patients, fine or not
    assert (a[0] != a[1]).any() and fines[0].sum() == 0 and fines[1].sum() == 0 and fines[3].sum() > 0
    levy = f["outcomes/first_round_levy"][:]  # written by the baseline's tasks, for every point
    assert (levy[0] == 0).all() and (levy[2] > 0).all() and (levy[2] == levy[3]).all(), levy
PY
fi

# Interrupted runs: SIGINT and SIGTERM (clean: finish the tasks in flight, keep them) and kill -9
# (the partial file) all leave work that --resume completes, to outcomes identical to a run that
# was never interrupted.
full="$work/uninterrupted.h5"
long_run=(configs/teaching/one_trust.yaml --replications 60 --set output.flush_seconds=0.05 --quiet)
expect_exit 0 '' -- "$exe" run "${long_run[@]}" --out "$full"
for signal in INT TERM KILL; do
  out="$work/interrupted_$signal.h5"
  "$exe" run "${long_run[@]}" --out "$out" & pid=$!
  started=no
  for _ in $(seq 1 200); do  # until a task is durable in the file
    sleep 0.05
    case "$("$exe" summary "$out.partial" --metric fines 2>/dev/null | head -1)" in
      *"("[1-9]*" of 60 tasks finished)"*) started=yes; break ;;
    esac
  done
  kill -"$signal" "$pid"; wait "$pid"; rc=$?
  [ "$started" = yes ] || fail "SIG$signal: no task was ever marked finished in $out.partial"
  if [ "$signal" != KILL ]; then  # a clean stop: 128 + the signal's number (README.md, "Exit codes")
    want=$((128 + $(kill -l "$signal")))
    [ "$rc" = "$want" ] || fail "SIG$signal: exit $rc, expected $want"
    expect_exit 0 'tasks finished\)' -- "$exe" summary "$out"
  else
    [ "$rc" = 137 ] || fail "SIGKILL: exit $rc, expected 137"
    [ -f "$out.partial" ] || fail "kill -9 left no partial file"
    expect_exit 2 'left from an interrupted run; run again with --resume' -- "$exe" run "${long_run[@]}" --out "$out"
  fi
  expect_exit 2 'different file format, config, seed, number of replications or shard \(.*seed [0-9]+ in the file, 7 now' -- \
    "$exe" run "${long_run[@]}" --out "$out" --resume --seed 7
  expect_exit 0 '' -- "$exe" run "${long_run[@]}" --out "$out" --resume
  h5diff "$full" "$out" /outcomes /outcomes >/dev/null || fail "SIG$signal then --resume: outcomes differ from an uninterrupted run"
  h5diff "$full" "$out" /progress /progress >/dev/null || fail "SIG$signal then --resume: not every task is complete"
  [ -e "$out.partial" ] && fail "SIG$signal then --resume: the partial file was left behind"
done

# A second Ctrl-C ends the process at once, the task in flight and all; the tasks finished
# before the first are saved at the first (under mpirun a kill follows the signal within a
# second), not only when the task in flight ends: one thread, so one task in flight, and
# flush_seconds 1000, so no periodic flush comes to the rescue.
slow_run=(configs/teaching/one_trust.yaml --replications 3 --set scenario.months=120 --threads 1
          --set output.flush_seconds=1000)
expect_exit 0 '' -- "$exe" run "${slow_run[@]}" --quiet --out "$work/slow_full.h5"
out="$work/twice.h5"
"$exe" run "${slow_run[@]}" --out "$out" 2>"$work/twice.txt" >/dev/null & pid=$!
saved_count() {
  "$exe" summary "$out.partial" --metric fines 2>/dev/null | head -1 | grep -oE '\([0-9]+ of 3 tasks finished' | grep -oE '[0-9]+' | head -1 || true
}
for _ in $(seq 1 600); do  # until the log says the first task has finished
  sleep 0.05
  grep -qE '\(1 of 3 tasks finished' "$work/twice.txt" && break
done
kill -INT "$pid"
saved=
for _ in $(seq 1 600); do  # until the partial holds it, or the run has ended
  saved=$(saved_count)
  [ "${saved:-0}" -ge 1 ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
kill -INT "$pid" 2>/dev/null; wait "$pid"; rc=$?
[ "${saved:-0}" = 1 ] ||
  fail "two Ctrl-Cs: the finished task was not saved while the task in flight ran (${saved:-no} saved): $(cat "$work/twice.txt")"
[ "$rc" = 130 ] || fail "two Ctrl-Cs: exit $rc, expected 130"
if ! grep -q 'stopped by signal' "$work/twice.txt"; then  # the second signal ended it: the partial has the task
  [ "$(saved_count)" = 1 ] || fail "two Ctrl-Cs: the partial holds $(saved_count) tasks, expected 1"
fi
expect_exit 0 '' -- "$exe" run "${slow_run[@]}" --quiet --out "$out" --resume
h5diff "$work/slow_full.h5" "$out" /outcomes /outcomes >/dev/null || fail "two Ctrl-Cs then --resume: outcomes differ"

# Progress in a log (stderr not a terminal): plain lines, never a carriage return, at tenths of
# the work (simulated months, counted inside running tasks too) and ending at 100%. (The bar
# on a terminal: tests/progress_terminal.py.)
progress_line='^breachsim: +[0-9]+% \([0-9]+ of [0-9]+ tasks finished, [0-9]+ of [0-9]+ months simulated\), [0-9.]+ million events/s, [0-9.]+ s elapsed'
"$exe" run tests/data/small.yaml --replications 10 --out "$work/progress.h5" 2>"$work/progress.txt" >/dev/null ||
  fail "a run for the progress lines failed"
grep -q $'\r' "$work/progress.txt" && fail "carriage returns in a log's progress"
[ "$(grep -cE "$progress_line" "$work/progress.txt")" = "$(grep -c '%' "$work/progress.txt")" ] ||
  fail "progress lines not as expected: $(cat "$work/progress.txt")"
[ "$(tail -1 "$work/progress.txt")" = "$(grep -E '^breachsim: 100% \(10 of 10 tasks finished, 50 of 50 months simulated\)' "$work/progress.txt")" ] ||
  fail "the last progress line is not the one 100% line: $(cat "$work/progress.txt")"
# One long task alone: its months show before it ends.
"$exe" run configs/teaching/one_trust.yaml --replications 1 --threads 1 --set scenario.months=120 \
  --out "$work/one_task.h5" 2>"$work/one_task.txt" >/dev/null || fail "a one-task run failed"
grep -qE '^breachsim: +[1-9][0-9]?% \(0 of 1 tasks finished, [0-9]+ of 123 months simulated\)' "$work/one_task.txt" ||
  fail "no progress shown inside a running task: $(cat "$work/one_task.txt")"

# The replication calculator adds batches of 10 until the 95% interval of the fines is within
# +/- £150k; the file then holds exactly the replications run, the same as a fixed run of that
# many, and an unreachable target stops at max_replications.
adaptive=(configs/teaching/one_trust.yaml --replications 10 --set monte_carlo.target_metric=fines --quiet)
expect_exit 0 '' -- "$exe" run "${adaptive[@]}" --set monte_carlo.target_half_width=150000 --out "$work/adaptive.h5"
ran=$(h5dump -a /replications "$work/adaptive.h5" | grep -oE '\(0\): [0-9]+' | grep -oE '[0-9]+$')
[ -n "$ran" ] && [ "$ran" -gt 10 ] && [ $((ran % 10)) = 0 ] || fail "the calculator ran $ran replications"
expect_exit 0 '' -- "$exe" run configs/teaching/one_trust.yaml --replications "${ran:-0}" --quiet --out "$work/fixed.h5"
h5diff "$work/fixed.h5" "$work/adaptive.h5" /outcomes /outcomes >/dev/null || fail "the calculator's outcomes differ from a fixed run"
half=$("$exe" summary "$work/adaptive.h5" --metric fines | grep -oE 'mean £[0-9.]+k \[95% CI £[0-9.]+k, £[0-9.]+[km]' | head -1)
awk -v s="$half" 'BEGIN { n = split(s, a, /[^0-9.]+/); exit !(a[n] * (s ~ /m$/ ? 1000 : 1) - a[2] <= 150) }' ||
  fail "the calculator stopped with a half-width above the target: $half"
expect_exit 0 '' -- "$exe" run "${adaptive[@]}" --set monte_carlo.target_half_width=1 --set monte_carlo.max_replications=25 \
  --out "$work/capped.h5"
h5dump -a /replications "$work/capped.h5" | grep -qE '\(0\): 25$' || fail "the calculator did not stop at max_replications"
expect_exit 0 'Teaching General Hospital' -- "$exe" run configs/teaching/one_trust.yaml --out "$work/teaching.h5"

small="$work/small.h5"
expect_exit 0 'Seen within 4 hours' -- "$exe" run tests/data/small.yaml --threads 1 --out "$small"
# Plans delivered: a column group per financial year (four months of 2015/16: partial), a row per trust.
expect_exit 0 '^ +2015/16 \(4 of 12 months\)$' -- "$exe" summary "$small"
expect_exit 0 '^  Medium Trust +([0-9]+|<1|>99)% +([0-9]+|<1|>99)% +[0-9]+\.[0-9]{3}$' -- "$exe" summary "$small"
expect_exit 0 '' -- "$exe" run tests/data/small.yaml --threads 2 --quiet --out "$work/small_2threads.h5"
h5diff "$small" "$work/small_2threads.h5" /outcomes /outcomes >/dev/null ||
  fail "outcome datasets differ between 1 and 2 threads: $(h5diff -r "$small" "$work/small_2threads.h5" /outcomes /outcomes | head -5)"
expect_exit 0 '' -- "$exe" run tests/data/small.yaml --threads 2 --quiet --seed 43 --out "$work/other_seed.h5"
h5diff -q "$small" "$work/other_seed.h5" /outcomes /outcomes >/dev/null && fail "a different seed gave the same outcomes"

# output.detail: national keeps the national series only, identical to a full file's.
expect_exit 0 '' -- "$exe" run tests/data/small.yaml --quiet --set output.detail=national --out "$work/national.h5"
h5diff "$small" "$work/national.h5" /outcomes/national_month /outcomes/national_month >/dev/null ||
  fail "national series differ between trust and national detail"
h5dump -H "$work/national.h5" | grep -q '"trust_month"' && fail "output.detail: national still wrote /outcomes/trust_month"
expect_exit 0 'all trusts' -- "$exe" summary "$work/national.h5"
# Without trust series the plans table has its national row alone, and the file no plan_delivery.
"$exe" summary "$work/national.h5" | sed -n '/^Plans delivered/,$p' | grep -q 'Trust' &&
  fail "the plans of a national-detail file show trusts"
expect_exit 0 '^  all trusts +([0-9]+|<1|>99)% +[0-9]+\.[0-9]{3}$' -- "$exe" summary "$work/national.h5"
h5dump -H "$work/national.h5" | grep -q '"plan_delivery"' && fail "output.detail: national wrote /summary/plan_delivery"

# /config alone reproduces the run: the resolved config carries every parameter and the seed.
if /usr/bin/python3 -c 'import h5py' 2>/dev/null; then
  /usr/bin/python3 - "$work/small_2threads.h5" "$work/resolved.yaml" <<'PY' || fail "cannot extract /config"
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    text = f["config"][()]
open(sys.argv[2], "wb").write(text if isinstance(text, bytes) else text.encode())
PY
  # A file from before a metric was added (a compatible change) still summarises.
  cp "$work/small_2threads.h5" "$work/older.h5"
  /usr/bin/python3 -c 'import sys, h5py; f = h5py.File(sys.argv[1], "r+"); del f["outcomes/national_month/league_rank"]' \
    "$work/older.h5" || fail "cannot make an older-style file"
  expect_exit 0 'league_rank +not in this file \(written before the metric existed\)' -- "$exe" summary "$work/older.h5"
  expect_exit 0 '' -- "$exe" run "$work/resolved.yaml" --quiet --out "$work/rerun.h5"
  h5diff "$small" "$work/rerun.h5" /outcomes /outcomes >/dev/null || fail "rerunning /config gave other outcomes"
else
  echo "note: /usr/bin/python3 with h5py not found; skipped the /config rerun check"
fi

before=$(sha256sum "$small")
expect_exit 2 'already exists; use --force' -- "$exe" run tests/data/small.yaml --out "$small"
[ "$before" = "$(sha256sum "$small")" ] || fail "an existing file was changed without --force"
expect_exit 0 '' -- "$exe" run tests/data/small.yaml --quiet --force --replications 2 --out "$small"
[ "$before" != "$(sha256sum "$small")" ] || fail "--force did not rewrite the file"
ls -a "$work" | grep -qE 'tmp|partial' && fail "a temporary file was left behind: $(ls -a "$work")"

h5dump -H "$small" >"$work/header.txt" 2>&1 || fail "h5dump -H cannot read the result file"
for object in '/config' '/trusts' '/metrics' '/months' '/points' '/progress' \
  '/outcomes/trust_month/ed_breaches_4h' '/outcomes/national_month/ed_mean_minutes' '/summary/national_run' \
  '/summary/plan_delivery'; do
  grep -q "\"$object\"" "$work/header.txt" || grep -q "\"${object##*/}\"" "$work/header.txt" ||
    fail "h5dump shows no $object"
done
[ "$(h5dump -a /filetype "$small" | grep -c 'breachsim-results')" -ge 1 ] || fail "root attribute filetype missing"

verdict "cli end-to-end"
