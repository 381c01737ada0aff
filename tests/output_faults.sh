#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Output that survives faults (issue 14): a full disk when the file is created, in the middle
# of a run and at its final copy; a damaged partial; places where the output cannot be opened;
# kill -9 at any moment. Every failure must exit 1 with one line naming the file, what failed
# and what to do: never a signal, a hang or HDF5's error stack. What is left must be the
# previous complete file, nothing, or a partial that --resume completes to outcomes identical
# (h5diff) to a run never interrupted.
#
# usage: output_faults.sh CASE BREACHSIM_EXE SOURCE_DIR WORK_DIR
#   CASE: file_size_limit (any user: ulimit -f), disk_full (root: small tmpfs mounts; exit 77
#   otherwise), damaged_partial, bad_paths, kill9
set -uo pipefail
# shellcheck source=tests/expect.sh
. "$(dirname "${BASH_SOURCE[0]}")/expect.sh"
EXPECT_TIMEOUT=60  # every case here must end within a minute
case_name=$1 exe=$2 src=$3 work=$4
umount "$work/mnt" "$work/locked" 2>/dev/null  # left mounted by a run that was itself killed
rm -rf "$work" && mkdir -p "$work" && cd "$src" || exit 1

# A run quick enough to repeat; its tasks are streamed into the file after the layout, so a
# limit anywhere from the layout's end to the final size stops it part way. `reference` is the
# same run never interrupted, `final_kb` its size.
runs=(tests/data/small.yaml --quiet)
reference="$work/reference.h5"
make_reference() {  # flushed only at its end, which changes no outcome, only the time a run takes
  "$exe" run "${runs[@]}" --set output.flush_seconds=30 --out "$reference" --force ||
    { echo "FAIL: the reference run failed"; exit 1; }
  final_kb=$(($(stat -c %s "$reference") / 1024))
}
make_reference

# expect_failure LABEL PATTERN -- command...: exit 1 within 60 s, one line matching PATTERN,
# nothing of HDF5's own printing.
expect_failure() {
  local label=$1 pattern=$2; shift 3
  local out rc
  out=$(timeout 60 "$@" 2>&1); rc=$?
  [ "$rc" = 1 ] || fail "$label: exit $rc, expected 1: $out"
  [ "$(printf '%s\n' "$out" | grep -c .)" = 1 ] || fail "$label: expected one line, got: $out"
  grep -qE -- "$pattern" <<<"$out" || fail "$label: output lacks /$pattern/: $out"
  grep -qE 'HDF5-DIAG|H5[A-Z][a-z]*close failed|~DataSet|~H5File' <<<"$out" && fail "$label: HDF5 printed: $out"
  last_message=$out
}
# identical OUT LABEL: the outcomes and /progress of OUT are those of the uninterrupted run.
identical() {
  h5diff "$reference" "$1" /outcomes /outcomes >/dev/null && h5diff "$reference" "$1" /progress /progress >/dev/null ||
    fail "$2: outcomes differ from an uninterrupted run"
}
# completes OUT LABEL: what a failed run of `runs` left is completed (--resume, or a plain rerun
# when it left nothing), to identical outcomes and without a partial left behind.
completes() {
  local out=$1 label=$2
  if [ -e "$out.partial" ]; then
    expect_exit 2 'left from (an interrupted run; run again with --resume|a run interrupted before)' -- \
      "$exe" run "${runs[@]}" --out "$out"
    expect_exit 0 '' -- "$exe" run "${runs[@]}" --out "$out" --resume
  elif [ ! -e "$out" ]; then
    expect_exit 0 '' -- "$exe" run "${runs[@]}" --out "$out"
  fi
  identical "$out" "$label"
  [ -e "$out.partial" ] || [ -e "$out.partial.new" ] && fail "$label: a partial was left after completing"
}

# --- a full disk, as a file-size limit gives it to any user (EFBIG; SIGXFSZ is ignored) -------
file_size_limit() {
  # When the file is created: nothing is left, and an existing complete file stays as it was.
  expect_failure "limit at create" "'$work/create.h5.partial': cannot write to it: .*File too large.*nothing was kept" -- \
    bash -c "ulimit -f 16; exec $exe run ${runs[*]} --out $work/create.h5"
  [ -z "$(ls "$work" | grep create)" ] || fail "limit at create left: $(ls "$work")"
  cp "$reference" "$work/kept.h5" && before=$(sha256sum <"$work/kept.h5")
  expect_failure "limit at create, --force" "File too large" -- \
    bash -c "ulimit -f 16; exec $exe run ${runs[*]} --out $work/kept.h5 --force"
  [ "$before" = "$(sha256sum <"$work/kept.h5")" ] || fail "a failed --force run changed the previous file"
  [ -e "$work/kept.h5.partial" ] && fail "a failed --force run left a partial"
  # Part way: limits from inside the layout (nothing kept) to the final size.
  local stopped=0 limit
  for percent in 60 80 95; do
    limit=$((final_kb * percent / 100))
    out="$work/limit$percent.h5"
    expect_failure "limit ${limit} KB" "File too large.*(run the same command with --resume|nothing was kept)" -- \
      bash -c "ulimit -f $limit; exec $exe run ${runs[*]} --out $out"
    if [ -e "$out.partial" ]; then
      stopped=$((stopped + 1))
      grep -q -- '--resume' <<<"$last_message" || fail "limit $limit KB kept a partial but did not say --resume"
      # The same limit again fails again, at once, and leaves the partial as resumable as it was.
      expect_failure "limit ${limit} KB, --resume" "File too large.*--resume" -- \
        bash -c "ulimit -f $limit; exec $exe run ${runs[*]} --out $out --resume"
    fi
    completes "$out" "limit $limit KB"
  done
  [ "$stopped" -ge 2 ] || fail "only $stopped file-size limits stopped a run part way (expected at least 2)"
}

# --- a full file system (root: small tmpfs mounts) -----------------------------------------
mnt="$work/mnt"
mount_tmpfs() {  # mount_tmpfs SIZE_KB: a fresh, empty file system of that size at $mnt
  umount "$mnt" 2>/dev/null
  mount -t tmpfs -o "size=$1k" tmpfs "$mnt" || fail "cannot mount a tmpfs of $1 KB"
}
disk_full() {
  if [ "$(id -u)" != 0 ]; then
    echo "skipped: mounting a small tmpfs needs root (the file-size-limit case covers a full disk for any user)"
    exit 77
  fi
  mkdir -p "$mnt"
  if ! mount -t tmpfs -o size=64k tmpfs "$mnt" 2>/dev/null; then
    echo "skipped: cannot mount a tmpfs here (a container without CAP_SYS_ADMIN?)"
    exit 77
  fi
  trap 'umount "$mnt" 2>/dev/null' EXIT
  # Flushed after every task, so that the partial outgrows the final file (SWMR leaves a dead
  # copy of the partly filled chunks at each flush) and the final copy beside it needs room.
  runs=(tests/data/small.yaml --replications 12 --set output.flush_seconds=0.001 --quiet)
  make_reference
  # Too small for the run: refused before the first task, with the estimate, leaving nothing.
  mount_tmpfs $((final_kb / 2))
  expect_failure "small disk" "need about [0-9.]+ [kMG]B of disk, but only [0-9.]+ [kMG]B are free in '$mnt'; free some space" -- \
    "$exe" run "${runs[@]}" --out "$mnt/small.h5"
  [ -z "$(ls "$mnt")" ] || fail "a run refused for space left: $(ls "$mnt")"
  # Room for the tasks but not always for the final copy beside the partial: each size either
  # finishes or leaves what --resume completes, and some stop at the final copy.
  local at_copy=0 size result rc
  for percent in 160 185 210 235 260; do
    size=$((final_kb * percent / 100))
    mount_tmpfs "$size"
    result=$(timeout 60 "$exe" run "${runs[@]}" --out "$mnt/copy.h5" 2>&1); rc=$?
    case $rc in
      0) ;;
      1) [ "$(grep -c . <<<"$result")" = 1 ] || fail "disk of $size KB: more than one line: $result"
         grep -q "copy.h5.partial.new': cannot write to it: the file system is full.*--resume" <<<"$result" &&
           at_copy=$((at_copy + 1)) ;;
      *) fail "disk of $size KB: exit $rc: $result" ;;
    esac
    mount -o remount,size=8m "$mnt"
    completes "$mnt/copy.h5" "disk of $size KB"
  done
  [ "$at_copy" -ge 1 ] || fail "no disk size stopped a run at its final copy"
  # Filled by someone else mid-run, once the partial has outgrown the final file (flushed tasks
  # leave dead space): what was saved is kept for --resume.
  runs=(tests/data/small.yaml --replications 40 --set output.flush_seconds=0.001 --quiet)
  make_reference
  mount_tmpfs 8192
  "$exe" run "${runs[@]}" --out "$mnt/filled.h5" 2>"$work/filled.txt" & pid=$!
  for _ in $(seq 1 2000); do
    [ "$(stat -c %s "$mnt/filled.h5.partial" 2>/dev/null || echo 0)" -gt $((final_kb * 1024 * 11 / 10)) ] && break
    sleep 0.005
  done
  dd if=/dev/zero of="$mnt/filler" bs=64k 2>/dev/null
  wait "$pid"; rc=$?
  [ "$rc" = 1 ] || fail "a run on a disk filled mid-run exited $rc: $(cat "$work/filled.txt")"
  # (On a machine slow enough, the check of the disk before a batch's first task may see it full first.)
  grep -qE "filled.h5(.partial(.new)?': cannot write to it: the file system is full|': .* need about).*--resume" \
    "$work/filled.txt" ||
    fail "no message for the disk filled mid-run: $(cat "$work/filled.txt")"
  rm -f "$mnt/filler"
  completes "$mnt/filled.h5" "disk filled mid-run"
}

# --- a damaged partial: refused quickly with a message, never a hang -----------------------
damaged_partial() {
  local base="$work/base.h5" size object_headers object_header heap name out start
  bash -c "ulimit -f $((final_kb * 90 / 100)); exec $exe run ${runs[*]} --out $base" 2>/dev/null
  [ -e "$base.partial" ] || { fail "no partial to damage"; return; }
  size=$(stat -c %s "$base.partial")
  object_headers=$(grep -obUa OHDR "$base.partial" | cut -d: -f1)
  object_header=$(sed -n "$(($(wc -l <<<"$object_headers") / 2))p" <<<"$object_headers")
  heap=$(grep -obUa GCOL "$base.partial" | head -1 | cut -d: -f1)
  for name in half superblock object_header heap; do
    p="$work/$name.h5.partial"
    cp "$base.partial" "$p"
    case $name in
      half) truncate -s $((size / 2)) "$p" ;;
      superblock) dd if=/dev/urandom of="$p" bs=1 count=2048 conv=notrunc status=none ;;
      object_header) dd if=/dev/urandom of="$p" bs=1 seek="$object_header" count=2048 conv=notrunc status=none ;;
      # The global heap holds the strings and has no checksum: zeros make HDF5 1.10 loop for ever.
      heap) dd if=/dev/zero of="$p" bs=1 seek=$((heap + 16)) count=2048 conv=notrunc status=none ;;
    esac
    out="$work/$name.h5"
    start=$(date +%s)
    expect_failure "--resume of a partial damaged ($name)" "$name.h5.partial.*(damaged|cannot be resumed).*--force" -- \
      "$exe" run "${runs[@]}" --out "$out" --resume
    [ $(($(date +%s) - start)) -le 20 ] || fail "$name: refusing the damaged partial took over 20 s"
    # (The looping heap costs the patience of the check once more: once is enough.)
    [ "$name" = heap ] || expect_failure "summary of a partial damaged ($name)" "$name.h5.partial.*(damaged|cannot open)" -- \
      "$exe" summary "$out.partial"
    expect_exit 0 '' -- "$exe" run "${runs[@]}" --out "$out" --force
    identical "$out" "--force over a damaged partial ($name)"
  done
}

# --- where the output cannot be opened ------------------------------------------------------
bad_paths() {
  ln -s "$work/nowhere" "$work/dangling.h5.partial"
  for mode in "" --force --resume; do
    expect_failure "dangling symbolic link, run $mode" "dangling.h5.partial' is a symbolic link" -- \
      "$exe" run "${runs[@]}" --out "$work/dangling.h5" $mode
  done
  echo "someone else's file" >"$work/target.txt"
  ln -s "$work/target.txt" "$work/linked.h5.partial"
  expect_failure "symbolic link to a file" "linked.h5.partial' is a symbolic link.*remove it" -- \
    "$exe" run "${runs[@]}" --out "$work/linked.h5" --force
  [ "$(cat "$work/target.txt")" = "someone else's file" ] || fail "--force wrote through a symbolic link"
  expect_failure "output under /proc" \
    "(cannot create '/proc/breachsim-fault-test.h5.partial'|cannot write in the output directory '/proc').*choose another --out" -- \
    "$exe" run "${runs[@]}" --out /proc/breachsim-fault-test.h5
  local locked="$work/locked"
  mkdir -p "$locked"
  if [ "$(id -u)" = 0 ]; then  # root writes anywhere it has permission bits against it: a read-only mount
    if mount -t tmpfs -o ro,size=64k tmpfs "$locked" 2>/dev/null; then
      trap 'umount "$locked" 2>/dev/null' EXIT
      expect_failure "read-only directory" "cannot write in the output directory '$locked'.*read-only.*choose another --out" -- \
        "$exe" run "${runs[@]}" --out "$locked/x.h5"
      umount "$locked"
    else
      echo "note: cannot mount a read-only tmpfs here; the unwritable directory was not tried"
    fi
  else
    chmod 555 "$locked"
    expect_failure "unwritable directory" "cannot write in the output directory '$locked'.*Permission denied.*choose another --out" -- \
      "$exe" run "${runs[@]}" --out "$locked/x.h5"
    chmod 755 "$locked"
  fi
}

# --- kill -9 at any moment, --resume (or --force, when it died before its first task) --------
kill9() {
  local runs=(tests/data/small.yaml --replications 12 --set output.flush_seconds=0.05 --quiet) delay said
  "$exe" run "${runs[@]}" --out "$work/reference12.h5" || fail "the reference run failed"
  for delay in 0.02 0.15 0.5; do
    out="$work/killed$delay.h5"
    "$exe" run "${runs[@]}" --out "$out" & pid=$!
    sleep "$delay"
    kill -9 "$pid"; wait "$pid" 2>/dev/null
    if [ -e "$out.partial" ]; then
      said=$("$exe" run "${runs[@]}" --out "$out" 2>&1)
      if grep -q 'run again with --resume to complete it' <<<"$said"; then
        expect_exit 0 '' -- "$exe" run "${runs[@]}" --out "$out" --resume
      else
        # Killed before its first task was saved: said so, refused by --resume, redone by --force.
        grep -q 'interrupted before its first task was saved.*--force' <<<"$said" ||
          fail "kill -9 after ${delay} s: a plain run says neither --resume nor --force: $said"
        expect_failure "kill -9 after ${delay} s, --resume" "(cannot be resumed|interrupted before its first task).*--force" -- \
          "$exe" run "${runs[@]}" --out "$out" --resume
        expect_exit 0 '' -- "$exe" run "${runs[@]}" --out "$out" --force
      fi
    fi
    [ -e "$out" ] || expect_exit 0 '' -- "$exe" run "${runs[@]}" --out "$out"
    h5diff "$work/reference12.h5" "$out" /outcomes /outcomes >/dev/null ||
      fail "kill -9 after ${delay} s, then completed: outcomes differ from an uninterrupted run"
  done
}

case $case_name in
  file_size_limit | disk_full | damaged_partial | bad_paths | kill9) "$case_name" ;;
  *) echo "unknown case '$case_name'"; exit 2 ;;
esac
verdict "output faults ($case_name)"
