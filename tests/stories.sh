#!/bin/bash
# SPDX-License-Identifier: MIT
# The seed stories (configs/stories/, docs/stories/): every story config is valid, runs to a
# complete result file with 2 replications at each of its points, and scripts/story_figures.py
# draws its figure from that file; every story has its page, the page embeds its figure and the
# index links it. A story config that stops validating or running, a figure that cannot be drawn
# from the story's outcomes, or a page that goes missing fails this test.
#
#   bash tests/stories.sh BREACHSIM_BINARY SOURCE_DIR WORK_DIR
#
# The five stories at 2 replications a point are 40 tasks, about 30 s of CPU (15 s on 2 idle
# cores); the checks and figures add about 4 s of CPU a story. Measured: 72 s wall (51 s of CPU)
# on the 2-core build machine at load average 8. PYTHON overrides /usr/bin/python3.
set -u

if [ $# -ne 3 ]; then
  echo "usage: bash tests/stories.sh BREACHSIM_BINARY SOURCE_DIR WORK_DIR" >&2
  exit 2
fi
BIN=$1
SRC=$2
WORK=$3/stories
PYTHON=${PYTHON:-/usr/bin/python3}
STORIES_DIR=$SRC/configs/stories
DOCS=$SRC/docs/stories
FIGURES=$SRC/scripts/story_figures.py

failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

[ -x "$BIN" ] || { echo "FAIL: $BIN is not an executable" >&2; exit 1; }
[ -f "$FIGURES" ] || { echo "FAIL: no $FIGURES" >&2; exit 1; }
rm -rf "$WORK"
mkdir -p "$WORK"

shopt -s nullglob
configs=("$STORIES_DIR"/*.yaml)
if [ ${#configs[@]} -eq 0 ]; then
  echo "FAIL: no story configs in $STORIES_DIR" >&2
  exit 1
fi
known=$("$PYTHON" "$FIGURES" --list) || { echo "FAIL: $FIGURES --list" >&2; exit 1; }

# Checks a finished result file: every task complete, 2 replications, the expected points.
check_file() {
  "$PYTHON" - "$1" "$2" "$SRC/scripts" <<'EOF'
import sys
sys.path.insert(0, sys.argv[3])
from breachsim_results import open_results
path, points = sys.argv[1], int(sys.argv[2])
with open_results(path) as res:
    progress = res.progress()
    assert len(res.points()) == points, f"{len(res.points())} points in the file, {points} in the config"
    assert progress["complete"].all(), f"unfinished tasks: {progress[~progress['complete']].values.tolist()}"
    assert progress["replication"].nunique() == 2, "not 2 replications"
    for table in ("national_run", "paired_differences", "plan_delivery"):
        assert table in res.summary_tables(), f"no /summary/{table}"
    surplus = res.trust_month("surplus")["value"]
    assert surplus.notna().all(), "a surplus is missing"
EOF
}

for config in "${configs[@]}"; do
  name=$(basename "$config" .yaml)
  echo "== $name"
  if ! grep -qx "$name" <<<"$known"; then
    fail "$name: scripts/story_figures.py does not know this story"
  fi
  if ! out=$("$BIN" validate "$config" 2>&1); then
    fail "$name: breachsim validate failed:"$'\n'"$out"
    continue
  fi
  points=$(sed -n 's/^sweep over .*: \([0-9][0-9]*\) points$/\1/p' <<<"$out")
  [ -n "$points" ] || points=1
  result=$WORK/$name.h5
  start=$(date +%s%N)
  if ! "$BIN" run "$config" --replications 2 --out "$result" --quiet > "$WORK/$name.txt" 2>&1; then
    fail "$name: breachsim run failed:"$'\n'"$(tail -5 "$WORK/$name.txt")"
    continue
  fi
  ms=$((($(date +%s%N) - start) / 1000000))
  echo "   ran $points points x 2 replications in $((ms / 1000)).$((ms % 1000 / 100)) s"
  if ! check=$(check_file "$result" "$points" 2>&1); then
    fail "$name: incomplete result file: $check"
    continue
  fi
  if ! "$BIN" summary "$result" > /dev/null 2>&1; then
    fail "$name: breachsim summary cannot read $result"
  fi
  png=$WORK/$name.png
  if ! drawn=$("$PYTHON" "$FIGURES" "$name" "$result" --out "$png" 2>&1); then
    fail "$name: story_figures.py could not draw it: $drawn"
  elif [ ! -s "$png" ] || [ "$(head -c 4 "$png" | tail -c 3)" != "PNG" ]; then
    fail "$name: $png is not a PNG"
  else
    echo "   $drawn"
  fi
  page=$DOCS/$name.md
  if [ ! -f "$page" ]; then
    fail "$name: no page $page"
  else
    grep -q "img/$name.png" "$page" || fail "$name: $page does not embed img/$name.png"
    grep -q "configs/stories/$name.yaml" "$page" || fail "$name: $page does not give the command with its config"
    [ -f "$DOCS/img/$name.png" ] || fail "$name: no figure docs/stories/img/$name.png"
  fi
  grep -q "($name.md)" "$DOCS/README.md" 2>/dev/null || fail "$name: docs/stories/README.md does not link $name.md"
done

# A figure asked of another story's file is refused (exit 2), not drawn wrong.
first=$(basename "${configs[0]}" .yaml)
other=$(basename "${configs[1]:-${configs[0]}}" .yaml)
if [ "$first" != "$other" ] && [ -f "$WORK/$first.h5" ]; then
  "$PYTHON" "$FIGURES" "$other" "$WORK/$first.h5" --out "$WORK/wrong.png" > /dev/null 2>&1
  code=$?
  [ $code -eq 2 ] || fail "story_figures.py drew $other from $first's file (exit $code, expected 2)"
fi

if [ $failures -ne 0 ]; then
  echo "$failures failure(s)" >&2
  exit 1
fi
echo "all ${#configs[@]} stories: valid, run, complete, drawn, documented"
