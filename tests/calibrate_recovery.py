#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Test of scripts/calibrate.py on a small scenario whose answer is known: the teaching trust
(configs/teaching/one_trust.yaml) over six months is run at known values of two parameters, its
own figures become the targets, and calibration from a start 15-20% away must bring every target
back within its tolerance (exit 0), write a scenario that validates, and land near the known
values. Then bad specs must be refused with exit status 2 and a message naming the key.

    /usr/bin/python3 tests/calibrate_recovery.py BREACHSIM   (from the repository root)
"""
import glob
import os
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import yaml
    import scipy  # noqa: F401  (scripts/calibrate.py's optimiser)
except ImportError:  # Debian's python3-scipy, -yaml and -h5py: skipped where they are missing
    print("skipped: needs numpy, scipy, yaml and h5py (run with /usr/bin/python3)")
    sys.exit(77)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import calibration_report  # noqa: E402

CONFIG = os.path.join(ROOT, "configs", "teaching", "one_trust.yaml")
CALIBRATE = os.path.join(ROOT, "scripts", "calibrate.py")
# Six months and four replications: a run takes under a second, and each figure moves with its
# parameter by more than the tolerance below over the 20% the start is moved.
FIXED = {"scenario.months": 6, "defaults.ed.treatment_minutes": {"distribution": "lognormal", "mean": 114, "sd": 63}}
REPLICATIONS, SEED = 4, 7
KNOWN = {"defaults.ed.treatment_minutes.mean": 114.0, "defaults.finance.income.unpaid_share_of_other_readmissions": 0.17}
# Relative tolerances of the targets: tight enough that the perturbed start is outside them.
TOLERANCE = {"ed_within_4h": 0.004, "readmission_nonpayment": "3%"}
failures = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        failures.append(what)


def truth(binary, workdir):
    """The figures of the scenario at the known values: the targets."""
    out = os.path.join(workdir, "truth.h5")
    sets = []
    for path, value in {**FIXED, **KNOWN}.items():
        sets += ["--set", f"{path}={yaml.safe_dump(value, default_flow_style=True).strip().removesuffix('...').strip()}"]
    subprocess.run([binary, "run", CONFIG, *sets, "--replications", str(REPLICATIONS), "--seed", str(SEED),
                    "--out", out, "--force", "--quiet"], check=True)
    figures = calibration_report.figures(out)
    return {name: float(np.median(figures[name])) for name in TOLERANCE}


def spec(targets, **changes):
    """A spec starting the treatment time 15% below its known value and the unpaid share 20% above.
    Below, because the trust's A&E is a queue near its capacity: 15% longer treatments tip it
    over (every patient past 4 hours), a flat objective no optimiser can climb out of."""
    s = {"config": CONFIG, "replications": REPLICATIONS, "seed": SEED, "max_evaluations": 30, "xatol": 0.005,
         "set": FIXED,
         "parameters": [{"path": "defaults.ed.treatment_minutes.mean", "low": 80, "high": 130, "start": 114 * 0.85},
                        {"path": "defaults.finance.income.unpaid_share_of_other_readmissions", "low": 0.05,
                         "high": 0.35, "start": 0.17 * 1.2}],
         "targets": [{"figure": f, "value": v, "tolerance": TOLERANCE[f], "source": "the model at known values"}
                     for f, v in targets.items()]}
    s.update(changes)
    return s


def calibrate(binary, workdir, s, name):
    path = os.path.join(workdir, name + ".yaml")
    with open(path, "w") as f:
        yaml.safe_dump(s, f, sort_keys=False)
    return subprocess.run([sys.executable, CALIBRATE, path, "--out", os.path.join(workdir, name + ".out.yaml"),
                           "--binary", binary], capture_output=True, text=True)


def check_shipped_specs():
    """Every shipped spec (configs/**/*_fit.yaml) loads, and names a scenario that exists."""
    import calibrate  # scripts/ is on the path for calibration_report
    shipped = sorted(glob.glob("configs/**/*_fit.yaml", recursive=True))
    check(len(shipped) >= 2, f"the shipped specs are found ({shipped})")
    for path in shipped:
        try:
            loaded = calibrate.load_spec(path)
            check(os.path.exists(loaded["config"]), f"{path}: its scenario {loaded['config']} exists")
        except calibrate.SpecError as error:
            check(False, f"{path}: loads as a calibration spec ({error})")


def main(binary):
    with tempfile.TemporaryDirectory(prefix="calibrate-test-") as workdir:
        targets = truth(binary, workdir)
        result = calibrate(binary, workdir, spec(targets), "recovery")
        print(result.stdout)
        check(result.returncode == 0, f"recovery: every target within tolerance (exit {result.returncode}) {result.stderr}")
        out = os.path.join(workdir, "recovery.out.yaml")
        if os.path.exists(out):
            with open(out) as f:
                tuned = yaml.safe_load(f)
            mean = tuned["defaults"]["ed"]["treatment_minutes"]["mean"]
            share = tuned["defaults"]["finance"]["income"]["unpaid_share_of_other_readmissions"]
            check(abs(mean / 114 - 1) < 0.05, f"recovery: treatment_minutes.mean {mean:g} within 5% of 114")
            check(abs(share / 0.17 - 1) < 0.05, f"recovery: unpaid share {share:g} within 5% of 0.17")
            check(subprocess.run([binary, "validate", out], capture_output=True).returncode == 0,
                  "recovery: the written scenario validates")
        bad = spec(targets)
        bad["parameters"][0]["path"] = "defaults.ed.treatment_minutes_bogus"
        result = calibrate(binary, workdir, bad, "unknown_path")
        check(result.returncode == 2 and "treatment_minutes_bogus" in result.stderr,
              f"unknown parameter path: exit 2 naming it (exit {result.returncode}: {result.stderr.strip()})")
        bad = spec(targets)
        bad["parameters"][1]["start"] = 0.5
        result = calibrate(binary, workdir, bad, "start_out_of_bounds")
        check(result.returncode == 2 and "parameters[1]" in result.stderr and "low < start < high" in result.stderr,
              f"start above high: exit 2 naming the parameter (exit {result.returncode}: {result.stderr.strip()})")
        bad = spec(targets)
        del bad["targets"][0]["source"]
        result = calibrate(binary, workdir, bad, "no_source")
        check(result.returncode == 2 and "targets[0]" in result.stderr and "source" in result.stderr,
              f"a target without a source: exit 2 naming it (exit {result.returncode}: {result.stderr.strip()})")
        bad = spec(targets)
        bad["targets"][0]["figure"] = "four_hour_share"
        result = calibrate(binary, workdir, bad, "unknown_figure")
        check(result.returncode == 2 and "four_hour_share" in result.stderr,
              f"unknown figure: exit 2 naming it (exit {result.returncode}: {result.stderr.strip()})")
        bad = spec(targets, replicatons=3)
        result = calibrate(binary, workdir, bad, "typo")
        check(result.returncode == 2 and "replicatons" in result.stderr,
              f"unknown spec key: exit 2 naming it (exit {result.returncode}: {result.stderr.strip()})")
    check_shipped_specs()
    print(f"{len(failures)} failure(s)" if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(os.path.abspath(sys.argv[1])))
