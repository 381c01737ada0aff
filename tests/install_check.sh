#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `cmake --install` into a temporary prefix, then the installed program as a user meets it:
# its help, shipped scenarios validated, the default scenario and the regime presets found in
# the installation (not in the source tree), the Python reader and the licence in their
# places (README.md, "Installing").
# usage: install_check.sh BUILD_DIR WORK_DIR
set -uo pipefail
# shellcheck source=tests/expect.sh
. "$(dirname "${BASH_SOURCE[0]}")/expect.sh"
build=$1 work=$2
prefix="$work/prefix"
rm -rf "$work" && mkdir -p "$work" || exit 1
cmake --install "$build" --prefix "$prefix" >"$work/install.log" 2>&1 || {
  cat "$work/install.log"
  echo "FAIL: cmake --install"
  exit 1
}
exe="$prefix/bin/breachsim" share="$prefix/share/breachsim"

[ -x "$exe" ] || fail "no executable at $exe"
expect_exit 0 'Usage: breachsim \[OPTIONS\] \[SUBCOMMAND\]' -- "$exe" --help
expect_exit 0 '--replications N' -- "$exe" run --help
expect_exit 0 '^breachsim [0-9]+\.[0-9]+\.[0-9]+ ' -- "$exe" --version
expect_exit 0 'OK \(scenario .default.' -- "$exe" validate "$share/configs/default.yaml"
expect_exit 0 'OK' -- "$exe" validate "$share/configs/teaching/one_trust.yaml"
[ -f "$share/configs/regimes/contract_2015_16.yaml" ] || fail "the regime presets are not installed"
# A preset only the installation has: found, so presets come from beside the executable.
cp "$share/configs/regimes/fund_2016_17.yaml" "$share/configs/regimes/installed_only.yaml"
expect_exit 0 'OK' -- "$exe" validate "$share/configs/default.yaml" --set 'regimes=[{preset: installed_only}]'
# With no CONFIG, the installed default scenario (a month of it), from outside the source tree.
expect_exit 0 "^breachsim: $share/configs/default.yaml: 5 trusts x 1 months" -- \
  bash -c "cd '$work' && '$exe' run --replications 1 --set scenario.months=1 --out '$work/default.h5'"
[ -x "$share/scripts/breachsim_results.py" ] || fail "the Python reader is not installed (executable)"
if /usr/bin/python3 -c 'import h5py, pandas' 2>/dev/null; then
  expect_exit 0 'usage: breachsim_results' -- /usr/bin/python3 "$share/scripts/breachsim_results.py" --help
fi
grep -q 'MIT License' "$prefix/share/doc/breachsim/LICENSE" || fail "no LICENSE in share/doc/breachsim"

verdict "install ($prefix)"
