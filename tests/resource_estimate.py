#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The memory and time estimate of `breachsim validate` against what runs use.

    /usr/bin/python3 tests/resource_estimate.py BREACHSIM SOURCE_DIR WORK_DIR

For scenarios each dominated by a different part of the estimate (the program itself, a long
waiting list, many trusts, trusts of every size, many sweep points of a long run, the many
points of a sensitivity study that share their rate tables), runs `breachsim validate` for the
estimate and `breachsim run` with the same options, and checks that the estimated peak memory
is within 35% of the run's peak resident memory (getrusage of the child) and the estimated
events within 15% of the events the run reports. Then checks the refusals: under a ulimit of
the address space a run estimated above it is refused with exit 2 before anything is written,
and with --ignore-memory-limit it runs, runs out of memory and says so in a sentence (exit 1)
without a std:: word, leaving a partial file that --resume completes.

Peak memory depends on the allocator and the build: a sanitizer build's is several times a
Release build's, so the harness labels this test `memory` and the sanitizer runs leave it out.

Exit codes: 0 every check passed, 1 a check failed, 2 bad usage.
"""

import os
import re
import resource
import subprocess
import sys
import tempfile

MEMORY_TOLERANCE = 0.35
EVENT_TOLERANCE = 0.15
UNITS = {"bytes": 1, "kB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12}

failures = 0


def fail(message):
    global failures
    failures += 1
    print("FAIL: " + message)


def run(command, limit_bytes=None):
    """(exit code, stdout, stderr, peak resident bytes) of a child, optionally under RLIMIT_AS."""
    def limit():
        if limit_bytes:
            resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen(command, stdout=out, stderr=err, text=True, preexec_fn=limit)
        # wait4 gives this child's own peak (RUSAGE_CHILDREN would be the largest so far).
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return child.returncode, out.read(), err.read(), usage.ru_maxrss * 1024


def estimate(breachsim, config, options):
    code, out, err, _ = run([breachsim, "validate", config] + options)
    if code != 0:
        fail(f"validate {config} {options}: exit {code}: {err.strip()}")
        return None, None
    m = re.search(r"estimate: peak memory about ([\d.]+) (\w+) .*?, ([\d.]+)( million| billion)? events", out)
    if not m:
        fail(f"validate {config}: no estimate line in: {out!r}")
        return None, None
    scale = {" million": 1e6, " billion": 1e9, None: 1}[m.group(4)]
    return float(m.group(1)) * UNITS[m.group(2)], float(m.group(3)) * scale


def check_case(breachsim, work, name, config, options):
    memory, events = estimate(breachsim, config, options)
    if memory is None:
        return
    out_file = os.path.join(work, name + ".h5")
    code, out, err, peak = run([breachsim, "run", config, "--out", out_file, "--force"] + options)
    if code != 0:
        fail(f"{name}: run exit {code}: {err.strip()}")
        return
    m = re.search(r"([\d.]+) million events in", out)
    ran = float(m.group(1)) * 1e6 if m else float("nan")
    print(f"{name}: memory estimated {memory / 1e6:.0f} MB, used {peak / 1e6:.0f} MB; "
          f"events estimated {events / 1e6:.3g} million, ran {ran / 1e6:.3g} million")
    if abs(memory - peak) > MEMORY_TOLERANCE * peak:
        fail(f"{name}: estimated peak memory {memory / 1e6:.0f} MB is not within "
             f"{MEMORY_TOLERANCE:.0%} of the {peak / 1e6:.0f} MB the run used")
    if not abs(events - ran) <= EVENT_TOLERANCE * ran:
        fail(f"{name}: estimated {events:.3g} events, the run reports {ran:.3g}")


def write_copies(source_dir, work, copies):
    """The teaching trust `copies` times over, as one scenario (names made unique)."""
    text = open(os.path.join(source_dir, "configs/teaching/one_trust.yaml")).read()
    head, trust = text.split("trusts:\n", 1)
    body = "".join(trust.replace("Teaching General Hospital", f"Trust {i}") for i in range(copies))
    path = os.path.join(work, f"copies_{copies}.yaml")
    with open(path, "w") as f:
        f.write(head + "trusts:\n" + body)
    return path


def write_sweep(config, work):
    """The teaching trust with four sweep points (--set cannot add a sweep)."""
    path = os.path.join(work, "sweep.yaml")
    with open(path, "w") as f:
        f.write(open(config).read() + "sweep:\n  - {path: schemes.ed_4h.rate_gbp, values: [100, 120, 140, 160]}\n")
    return path


def write_study(config, work, trajectories=16):
    """The teaching trust under a Morris study of `trajectories` (16: 64 rows, each with and
    without fines, 128 points that share their rate tables: none of the factors changes demand)."""
    path = os.path.join(work, f"study_{trajectories}.yaml")
    with open(path, "w") as f:
        f.write(open(config).read() + """sensitivity:
  method: morris
  trajectories: TRAJECTORIES
  factors:
    - {path: defaults.management.cost_control.agency_factor, low: 0.2, high: 0.8}
    - {path: defaults.beds.general_acute_beds, low: 400, high: 460, integer: true}
    - {path: defaults.finance.costs.cip_target_share, low: 0.01, high: 0.05}
  outputs: [multiplier]
output:
  detail: national
""".replace("TRAJECTORIES", str(trajectories)))
    return path


def check_refusals(breachsim, source_dir, work):
    config = os.path.join(source_dir, "configs/teaching/one_trust.yaml")
    big = ["--set", "defaults.elective.initial_list=2e6", "--set", "scenario.months=2", "--set",
           "scenario.warmup_months=0", "--replications", "4", "--threads", "2", "--quiet"]
    limit = 250 * 1000 * 1000
    out_file = os.path.join(work, "refused.h5")
    for path in (out_file, out_file + ".partial"):
        if os.path.exists(path):
            os.remove(path)
    code, _, err, _ = run([breachsim, "run", config, "--out", out_file] + big, limit)
    if code != 2 or "needs about" not in err or "ulimit -v" not in err or "--ignore-memory-limit" not in err:
        fail(f"a run estimated above the address-space limit: exit {code} (expected 2): {err.strip()}")
    if os.path.exists(out_file + ".partial") or os.path.exists(out_file):
        fail("a refused run wrote its output file")
    code, _, err, _ = run([breachsim, "run", config, "--out", out_file, "--ignore-memory-limit"] + big, limit)
    if code != 1 or "out of memory" not in err or "std::" in err or "--resume" not in err:
        fail(f"a run that runs out of memory: exit {code} (expected 1, a sentence): {err.strip()}")
    code, _, err, _ = run([breachsim, "run", config, "--out", out_file, "--resume"] + big)
    if code != 0 or not os.path.exists(out_file):
        fail(f"--resume after running out of memory: exit {code}: {err.strip()}")
    print("refusals: checked")


def main():
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    breachsim, source_dir, work = sys.argv[1:]
    os.makedirs(work, exist_ok=True)
    one = os.path.join(source_dir, "configs/teaching/one_trust.yaml")
    short = ["--set", "scenario.months=3", "--set", "scenario.warmup_months=0"]
    cases = [
        ("one_trust", one, ["--replications", "1", "--threads", "1"] + short),
        ("fifty_trusts", write_copies(source_dir, work, 50), ["--replications", "2", "--threads", "2"] + short),
        ("sweep_long_run", write_sweep(one, work), ["--replications", "1", "--threads", "1",
                                                     "--set", "scenario.months=120"]),
        ("long_list", one, ["--replications", "2", "--threads", "2", "--set", "defaults.elective.initial_list=1e6"]
         + short),
        # Five trusts from 75k to 340k attendances, every capacity scaled with them: the events
        # of a trust grow with its size, not by a fixed amount a trust.
        ("five_trusts", os.path.join(source_dir, "configs/default.yaml"),
         ["--replications", "1", "--threads", "2"] + short),
        # Without sharing, its rate tables alone would be 27 MB.
        ("sensitivity_study", write_study(one, work), ["--replications", "1", "--threads", "2", "--set",
                                                       "scenario.months=12", "--set", "scenario.warmup_months=0"]),
        # 640 points over 24 months: the writer's chunks stop growing at 1 MiB a dataset, which a
        # cost per point-month (the estimate before) put at 2.6 times the run's memory. A trust a
        # tenth of the teaching one's volumes, so that it takes seconds.
        ("large_study", write_study(one, work, 80),
         ["--replications", "1", "--threads", "2", "--set", "scenario.months=24", "--set", "scenario.warmup_months=0",
          "--set", "defaults.ed.arrivals_per_year=11000", "--set", "defaults.elective.referrals_per_week=115",
          "--set", "defaults.cancer.urgent_referrals_per_week=29"]),
    ]
    for name, config, options in cases:
        check_case(breachsim, work, name, config, options)
    check_refusals(breachsim, source_dir, work)
    if failures:
        print(f"resource-estimate: {failures} check(s) failed")
        return 1
    print("resource-estimate OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
