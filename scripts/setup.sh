#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Brings a checkout to a built state: installs the missing Debian packages, configures
# build/ once (Release, Ninja when available) and builds. Called by scripts/run and
# scripts/test before they do anything; safe and quick to repeat (one dpkg-query call and a
# no-op build when nothing changed). Exit codes: 0 ready, 2 packages missing and no way to
# install them here (the command to run is printed), 1 any other failure (its log is shown).
#
# Sourcing works too: the body then runs in a child bash, so `set -e` and `exit` never reach
# the caller's shell.
#
#   scripts/setup.sh --packages-only [PACKAGE...]   only the package check and install, of the
#       packages below and those named (scripts/sanitize: clang-14 for the fuzz build alone)
if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
  bash "${BASH_SOURCE[0]}" "$@"
  return $?
fi
set -euo pipefail

root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)
build="$root/build"

# Everything needed to build and test (README.md: the two commands).
packages=(cmake g++ ninja-build libboost-dev libtbb-dev libhdf5-dev hdf5-tools catch2 libcli11-dev
          libyaml-cpp-dev librandom123-dev python3-h5py python3-numpy python3-pandas
          python3-matplotlib python3-xarray python3-h5netcdf python3-scipy python3-yaml)
packages_only=false
if [[ ${1:-} == --packages-only ]]; then
  packages_only=true
  shift
  packages+=("$@")
fi

say() { printf 'breachsim: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# Runs a step with its output going to build/setup-<name>.log; on failure shows that log
# (the last 2000 lines of it) and stops.
step() {
  local name=$1; shift
  local log="$build/setup-$name.log"
  if ! "$@" >"$log" 2>&1; then
    say "$name failed: $*"
    say "---- output ($log) ----"
    tail -n 2000 "$log" >&2
    say "---- end of output ----"
    die "$name failed; full output in $log"
  fi
}

mkdir -p "$build" || die "cannot create $build"

# Two setups at once (scripts/run and scripts/test in two terminals) would race on build/.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$build/.setup.lock"
  if ! flock -n 9; then
    say "waiting for another setup/build of this checkout to finish"
    flock 9
  fi
fi

# --- packages -------------------------------------------------------------------------
missing_packages() {
  local -A installed=()
  local name status
  # One call for all packages; unknown ones are reported on stderr and simply not listed.
  while IFS=$'\t' read -r name status; do
    [[ $status == "install ok installed" ]] && installed[$name]=1
  done < <(dpkg-query -W -f='${Package}\t${Status}\n' "${packages[@]}" 2>/dev/null || true)
  local p
  for p in "${packages[@]}"; do
    [[ -n ${installed[$p]:-} ]] || printf '%s\n' "$p"
  done
}

if ! command -v dpkg-query >/dev/null 2>&1; then
  say "packages: not a Debian/Ubuntu system (no dpkg-query); skipping the check."
  say "packages: you need the equivalents of: ${packages[*]}"
else
  mapfile -t missing < <(missing_packages)
  if ((${#missing[@]} == 0)); then
    say "packages: all ${#packages[@]} present"
  else
    if ((EUID == 0)); then
      as_root=()
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      as_root=(sudo -n)
    else
      say "packages missing: ${missing[*]}"
      say "install them with:"
      printf '  sudo apt-get install %s\n' "${missing[*]}" >&2
      say "then run this command again."
      exit 2
    fi
    say "packages: installing ${missing[*]} (log: build/setup-apt-*.log)"
    # Wait for an apt/dpkg lock held by e.g. unattended-upgrades instead of failing at once.
    apt_opts=(-o DPkg::Lock::Timeout=600)
    step apt-update "${as_root[@]}" apt-get "${apt_opts[@]}" update
    step apt-install "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
      apt-get "${apt_opts[@]}" install -y --no-install-recommends "${missing[@]}"
    mapfile -t still < <(missing_packages)
    ((${#still[@]} == 0)) ||
      die "packages still missing after apt-get install: ${still[*]} (see build/setup-apt-install.log)"
    say "packages: installed ${missing[*]}"
  fi
fi

$packages_only && exit 0

# --- configure (once) -----------------------------------------------------------------
if [[ -f "$build/CMakeCache.txt" ]]; then
  say "configure: already done (build/CMakeCache.txt)"
else
  command -v cmake >/dev/null 2>&1 || die "cmake not found; install the cmake package"
  generator=()
  gen_name="Unix Makefiles"
  if command -v ninja >/dev/null 2>&1; then
    generator=(-G Ninja)
    gen_name=Ninja
  fi
  say "configure: Release, $gen_name (log: build/setup-configure.log)"
  if ! cmake -S "$root" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
       >"$build/setup-configure.log" 2>&1; then
    # Without a cache the next run configures again instead of building a broken tree.
    rm -f "$build/CMakeCache.txt"
    say "---- output (build/setup-configure.log) ----"
    tail -n 2000 "$build/setup-configure.log" >&2
    say "---- end of output ----"
    die "configure failed; full output in $build/setup-configure.log"
  fi
fi

# --- build ----------------------------------------------------------------------------
jobs=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
say "build: $jobs jobs (log: build/setup-build.log)"
step build cmake --build "$build" -j "$jobs"
say "build: ok"
