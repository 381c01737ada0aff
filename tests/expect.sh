# SPDX-License-Identifier: MIT
# Sourced by the shell tests: count failures, check a command's exit code and output, and end
# with a verdict. Every command is bounded by `timeout` (EXPECT_TIMEOUT seconds, default 600),
# so a hang fails the test instead of stalling the suite.
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
expect_exit() {  # expect_exit CODE PATTERN -- command...
  local want=$1 pattern=$2; shift 3
  local out rc
  out=$(timeout "${EXPECT_TIMEOUT:-600}" "$@" 2>&1); rc=$?
  [ "$rc" = "$want" ] || fail "'$*' exited $rc, expected $want; output: $out"
  [ -z "$pattern" ] || grep -qE -- "$pattern" <<<"$out" || fail "'$*' output lacks /$pattern/: $out"
}
# verdict NAME: exits 1 with the count if anything failed, 0 otherwise.
verdict() {
  if [ "$failures" -gt 0 ]; then
    echo "$failures failure(s)"
    exit 1
  fi
  echo "$1: all checks passed"
}
