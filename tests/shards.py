#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Shards and merge: a run split with `run --shard K/N` and put together with `merge` is the
run one process writes.

    /usr/bin/python3 tests/shards.py BREACHSIM SOURCE_DIR WORK_DIR

For a sweep whose baseline is not point 0 (its tasks write every point's first-round levy), the
same sweep with its points paired by monte_carlo.reference_path (two reference points' tasks
write the levies), and for the default scenario (footprints, two points, trust detail), runs the whole run in one
process on two threads and the shards on one thread each, merges them given in a shuffled
order, and checks with h5diff that every dataset and table of the merged file (outcomes,
summary, config, points, trusts, months, metrics, schemes, footprints, progress) equals the
whole run's, that the root attributes do but for the volatile ones, that `summary` prints the
same tables, and that a shard run twice gives the same file (its outcomes). Then the
refusals: a missing shard, a shard given twice, shards of different seeds or splits, an
unfinished shard (with the command that completes it), a file that is no shard, an existing
output, a damaged shard (exit 1); and a shard stopped by SIGINT and completed with --resume merges like the others.

Exit codes: 0 every check passed, 1 a check failed, 2 bad usage.
"""

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time

failures = 0


def fail(message):
    global failures
    failures += 1
    print("FAIL: " + message)


def check(condition, message):
    if not condition:
        fail(message)
    return condition


VOLATILE = {"command_line", "created_utc", "threads", "config_file", "shard", "merged_shards"}


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    exe, source, work = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3]
    os.chdir(source)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    import h5py  # Debian's python3-h5py

    def run(args, code=0, expect=None):
        p = subprocess.run([exe] + args, capture_output=True, text=True, timeout=600)
        out = p.stdout + p.stderr
        if p.returncode != code:
            fail(f"{' '.join(args)}: exit {p.returncode}, expected {code}:\n{out}")
        elif expect and expect not in out:
            fail(f"{' '.join(args)}: output lacks {expect!r}:\n{out}")
        return out

    def path(name):
        return os.path.join(work, name)

    def same_file(a, b, what):
        """Every object equal (h5diff), and the root attributes but the volatile ones."""
        with h5py.File(a, "r") as fa, h5py.File(b, "r") as fb:
            check(sorted(fa.keys()) == sorted(fb.keys()), f"{what}: objects {sorted(fa.keys())} vs {sorted(fb.keys())}")
            names = sorted(fa.keys())
            for key in set(fa.attrs) | set(fb.attrs):
                if key in VOLATILE:
                    continue
                va, vb = fa.attrs.get(key), fb.attrs.get(key)
                check(va is not None and vb is not None and va == vb, f"{what}: root attribute {key}: {va!r} vs {vb!r}")
        for name in names:
            p = subprocess.run(["h5diff", "-r", a, b, "/" + name, "/" + name], capture_output=True, text=True)
            check(p.returncode == 0, f"{what}: /{name} differs (h5diff exit {p.returncode}):\n{p.stdout[-2000:]}")

    def shards_and_merge(config, options, n, tag):
        whole = path(f"{tag}-whole.h5")
        run(["run", config, "--threads", "2", "--quiet", "--out", whole] + options)
        files = []
        for k in range(1, n + 1):
            f = path(f"{tag}.shard-{k}-of-{n}.h5")
            run(["run", config, "--threads", "1", "--quiet", "--shard", f"{k}/{n}", "--out", f] + options)
            files.append(f)
        shuffled = files[:]
        random.Random(7).shuffle(shuffled)
        merged = path(f"{tag}-merged.h5")
        out = run(["merge", merged] + shuffled, expect=f"merged {n} shards")
        same_file(whole, merged, f"{tag}: merged {n} shards against the whole run")
        with h5py.File(merged, "r") as f:
            check(f.attrs.get("merged_shards") == n, f"{tag}: merged_shards {f.attrs.get('merged_shards')}")
            check("shard" not in f.attrs, f"{tag}: the merged file still has a shard attribute")
        with h5py.File(files[0], "r") as f:
            check(f.attrs.get("shard") == f"1/{n}", f"{tag}: shard attribute {f.attrs.get('shard')!r}")
        summary_whole = run(["summary", whole])
        summary_merged = run(["summary", merged])
        check(summary_whole == summary_merged, f"{tag}: summary differs:\n{summary_whole}\n---\n{summary_merged}")
        return whole, files, merged, out

    # A sweep of four points whose baseline is point 2: 4 x 4 = 16 tasks in 3 uneven shards, the
    # baseline's tasks in all of them.
    sweep_options = ["--replications", "4", "--set", "scenario.months=3",
                     "--set", "monte_carlo.baseline_point=fine 120, defaults.ed.arrivals_per_year=90000"]
    whole, sweep_shards, merged, _ = shards_and_merge("tests/data/sweep.yaml", sweep_options, 3, "sweep")
    with h5py.File(merged, "r") as f:
        check(f.attrs["baseline_point"] == 2, "sweep: the baseline should be point 2")
        levy = f["outcomes/first_round_levy"][()]
        check(not (levy != levy).any(), "sweep: a first-round levy is NaN in the merged file")

    # The same sweep with each fined point paired with the unfined one of its demand level
    # (monte_carlo.reference_path): the levies come from the tasks of two reference points,
    # spread over the shards.
    paired_options = ["--replications", "4", "--set", "scenario.months=3",
                      "--set", "monte_carlo.reference_path=schemes.ed_4h.rate_gbp"]
    _, _, paired, _ = shards_and_merge("tests/data/sweep.yaml", paired_options, 3, "paired")
    with h5py.File(paired, "r") as f:
        references = list(f["points"]["reference"])
        check(references == [0, 1, 0, 1], f"paired: references {references}, expected [0, 1, 0, 1]")
        levy = f["outcomes/first_round_levy"][()]
        check(not (levy != levy).any(), "paired: a first-round levy is NaN in the merged file")

    # The default scenario: footprints, 2 points; every task its own shard.
    default_options = ["--replications", "3", "--set", "scenario.months=12"]
    shards_and_merge("configs/default.yaml", default_options, 6, "default")

    # A shard run again is the same shard.
    again = path("sweep-again.h5")
    run(["run", "tests/data/sweep.yaml", "--threads", "2", "--quiet", "--shard", "2/3", "--out", again] + sweep_options)
    same_file(sweep_shards[1], again, "shard 2/3 run twice")

    # The refusals (exit 2), each naming its problem.
    a, b, c = sweep_shards
    run(["merge", path("x.h5"), a, c], 2, "1 of the 3 shards is missing: 2/3")
    run(["merge", path("x.h5"), a, b, b, c], 2, "shard 2/3 is given twice")
    run(["merge", path("x.h5"), a, b, c, whole], 2, "is not a shard's file")
    run(["merge", merged, a, b, c], 2, "already exists")
    other_seed = path("seed.shard-2-of-3.h5")
    run(["run", "tests/data/sweep.yaml", "--quiet", "--shard", "2/3", "--seed", "7", "--out", other_seed] + sweep_options)
    run(["merge", path("x.h5"), a, other_seed, c], 2, "seed 7 against 42")
    half = path("half.shard-1-of-2.h5")
    run(["run", "tests/data/sweep.yaml", "--quiet", "--shard", "1/2", "--out", half] + sweep_options)
    run(["merge", path("x.h5"), a, half], 2, "shards of different splits")
    unfinished = path("unfinished.shard-2-of-3.h5")
    shutil.copy(b, unfinished)
    with h5py.File(unfinished, "r+") as f:
        progress = f["progress"][()]
        done = list(zip(*progress.nonzero()))
        f["progress"][done[0]] = 0
    out = run(["merge", path("x.h5"), a, unfinished, c], 2, "has 1 of its")
    check("--shard 2/3" in out and "--resume" in out, f"the unfinished shard's advice lacks its command:\n{out}")
    check(not os.path.exists(path("x.h5")) and not os.path.exists(path("x.h5.partial")),
          "a refused merge left a file behind")
    # A damaged shard (bytes overwritten in its data, as by a bad copy between machines) is
    # found before anything is written: merge copies most chunks as they are stored.
    damaged = path("damaged.shard-2-of-3.h5")
    shutil.copy(b, damaged)
    size = os.path.getsize(damaged)
    with open(damaged, "r+b") as f:
        f.seek(size // 3)
        f.write(bytes(random.Random(3).getrandbits(8) for _ in range(size // 3)))
    run(["merge", path("x.h5"), a, damaged, c], 1, "run that shard again")
    check(not os.path.exists(path("x.h5")) and not os.path.exists(path("x.h5.partial")),
          "a merge refused for a damaged shard left a file behind")
    # --resume of a shard file as another shard, or as a whole run, is refused.
    run(["run", "tests/data/sweep.yaml", "--quiet", "--shard", "3/3", "--resume", "--out", b] + sweep_options, 2,
        "shard 2/3 in the file, shard 3/3 now")
    run(["run", "tests/data/sweep.yaml", "--quiet", "--resume", "--out", b] + sweep_options, 2,
        "shard 2/3 in the file, a whole run now")

    # A shard stopped by SIGINT, then completed with --resume, merges like the others.
    stopped = path("stopped.shard-1-of-3.h5")
    long_options = ["--replications", "8", "--set", "scenario.months=24"]
    cmd = [exe, "run", "tests/data/sweep.yaml", "--threads", "1", "--shard", "1/3", "--out", stopped] + long_options
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Once its partial file exists the run has started (it answers signals from then on; a
    # sanitizer build on a loaded machine can take more than a second to get there), then a
    # moment for some tasks to finish.
    deadline = time.monotonic() + 120
    while not os.path.exists(stopped + ".partial") and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=300)
    if check(proc.returncode in (0, 130), f"the stopped shard exited {proc.returncode}:\n{err}") and proc.returncode == 130:
        with h5py.File(stopped, "r") as f:
            kept = int(f["progress"][()].sum())
        if kept < 10:  # shard 1 of 3 of 32 tasks has 10; a fast machine may finish before the signal
            run(["merge", path("y.h5"), stopped, b, c], 2, f"has {10 - kept} of its 10 tasks unfinished")
        check("tasks are in" in err and "of the shard's 10 tasks" in err,
              f"the stop message does not count the shard's own tasks:\n{err}")
        run(["run", "tests/data/sweep.yaml", "--threads", "2", "--quiet", "--shard", "1/3", "--resume", "--out",
             stopped] + long_options)
    # The shard's estimate is of its own 10 of the 32 tasks, not of the whole run's.
    whole_out = run(["validate", "tests/data/sweep.yaml"] + long_options)
    events = [re.search(r"estimate: peak memory .*?, ([\d.]+) million events", text)
              for text in (whole_out, err)]
    if check(all(events), f"no estimate line:\n{whole_out}\n{err}"):
        whole, mine = (float(m.group(1)) for m in events)
        check(abs(mine - whole * 10 / 32) <= 0.01 * whole,
              f"shard 1/3's estimate is {mine} million events, the whole run's {whole} million (10 of 32 tasks)")
    rest = []
    for k in (2, 3):
        f = path(f"long.shard-{k}-of-3.h5")
        run(["run", "tests/data/sweep.yaml", "--threads", "2", "--quiet", "--shard", f"{k}/3", "--out", f] + long_options)
        rest.append(f)
    long_whole = path("long-whole.h5")
    run(["run", "tests/data/sweep.yaml", "--threads", "2", "--quiet", "--out", long_whole] + long_options)
    run(["merge", path("long-merged.h5"), stopped] + rest)
    same_file(long_whole, path("long-merged.h5"), "a shard stopped and resumed, merged")

    print(f"shards: {failures} failures" if failures else "shards: every check passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
