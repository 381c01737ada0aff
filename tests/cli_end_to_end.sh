#!/usr/bin/env bash
# The command line as a user meets it: exit codes, messages, refusing to overwrite, and
# bit-identical outcome datasets whatever the number of threads.
# usage: cli_end_to_end.sh BREACHSIM_EXE SOURCE_DIR WORK_DIR
set -uo pipefail
exe=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cd "$src" || exit 1
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
expect_exit() {  # expect_exit CODE PATTERN -- command...
  local want=$1 pattern=$2; shift 3
  local out rc
  out=$("$@" 2>&1); rc=$?
  [ "$rc" = "$want" ] || fail "'$*' exited $rc, expected $want; output: $out"
  [ -z "$pattern" ] || grep -qE -- "$pattern" <<<"$out" || fail "'$*' output lacks /$pattern/: $out"
}

expect_exit 0 '^breachsim [0-9]+\.[0-9]+\.[0-9]+ ' -- "$exe" --version
expect_exit 2 'unknown command' -- "$exe" frobnicate
expect_exit 2 "unknown option '--thread'" -- "$exe" run tests/data/small.yaml --thread 2
expect_exit 2 '--replications expects a whole number' -- "$exe" run tests/data/small.yaml --replications 0
expect_exit 2 'no_such.yaml: cannot open' -- "$exe" run tests/data/no_such.yaml
expect_exit 2 'many_errors.yaml:8:3: monte_carlo: unknown key .seeed.; did you mean .seed.\?' -- \
  "$exe" validate tests/data/many_errors.yaml
expect_exit 0 'OK' -- "$exe" validate configs/default.yaml
expect_exit 0 'Teaching General Hospital' -- "$exe" run configs/teaching/one_trust.yaml --out "$work/teaching.h5"
expect_exit 2 'cannot write the output file' -- "$exe" run tests/data/small.yaml --out /proc/no/such/dir/x.h5

small="$work/small.h5"
expect_exit 0 'Seen within 4 hours' -- "$exe" run tests/data/small.yaml --threads 1 --out "$small"
expect_exit 0 '' -- "$exe" run tests/data/small.yaml --threads 2 --quiet --out "$work/small_2threads.h5"
h5diff "$small" "$work/small_2threads.h5" /outcomes /outcomes >/dev/null ||
  fail "outcome datasets differ between 1 and 2 threads: $(h5diff -r "$small" "$work/small_2threads.h5" /outcomes /outcomes | head -5)"
expect_exit 0 '' -- "$exe" run tests/data/small.yaml --threads 2 --quiet --seed 43 --out "$work/other_seed.h5"
h5diff -q "$small" "$work/other_seed.h5" /outcomes /outcomes >/dev/null && fail "a different seed gave the same outcomes"

# /config alone reproduces the run: the resolved config carries every parameter and the seed.
if /usr/bin/python3 -c 'import h5py' 2>/dev/null; then
  /usr/bin/python3 - "$work/small_2threads.h5" "$work/resolved.yaml" <<'PY' || fail "cannot extract /config"
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    text = f["config"][()]
open(sys.argv[2], "wb").write(text if isinstance(text, bytes) else text.encode())
PY
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
ls -a "$work" | grep -q 'tmp' && fail "a temporary file was left behind: $(ls -a "$work")"

h5dump -H "$small" >"$work/header.txt" 2>&1 || fail "h5dump -H cannot read the result file"
for object in '/config' '/trusts' '/metrics' '/months' '/points' '/progress' \
  '/outcomes/trust_month/ed_breaches_4h' '/outcomes/national_month/ed_mean_minutes' '/summary/national_run'; do
  grep -q "\"$object\"" "$work/header.txt" || grep -q "\"${object##*/}\"" "$work/header.txt" ||
    fail "h5dump shows no $object"
done
[ "$(h5dump -a /filetype "$small" | grep -c 'breachsim-results')" -ge 1 ] || fail "root attribute filetype missing"

if [ "$failures" -gt 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "cli end-to-end: all checks passed"
