#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""How the deficit multiplier moves with the behavioural assumptions that decide it.

Runs `breachsim run CONFIG` once with the shipped values and once per alternative value of
each assumption below, every run a fines-off / fines-on pair over the same patients, and
prints the multiplier and the parts of the extra deficit (/summary/multiplier) side by side.
The assumptions are the management responses of docs/management.md that move money against
breaches: how hard cost control cuts agency cover, whether it also cuts beds and sessions
under tariff, and when protecting performance stops spending.

    /usr/bin/python3 scripts/multiplier_sensitivity.py [--config configs/default.yaml]
        [--replications 10] [--breachsim build/cli/breachsim] [--shipped-only] [--keep DIR]

A config with a sweep of its own is run as it is (it must be a pair: the default scenario's
fines off / fines on); one without gets the pair appended, so England 2015/16 with and
without its sanctions is `--config configs/calibration/england_2015.yaml --shipped-only`.
"""
import argparse
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import breachsim_results  # noqa: E402

# Appended to a config without a sweep of its own (--set cannot set a sweep).
FINES_SWEEP = "\nsweep:\n  - {path: defaults.finance.fined, values: [false, true], labels: [fines off, fines on]}\n"
MANAGEMENT = "defaults.management"

# (label, config path, alternative values); the shipped value is what the config says.
ASSUMPTIONS = [
    ("cost control: agency cover kept while behind plan", f"{MANAGEMENT}.cost_control.agency_factor", [0.25, 1.0]),
    ("cost control: also cuts beds and sessions under tariff", f"{MANAGEMENT}.cost_control.cut_capacity_under_tariff",
     ["true"]),
    ("protect performance: stops at this share behind plan", f"{MANAGEMENT}.protect_performance.stop_behind_plan_share",
     [0.0, 1.0]),
]

PARTS = ["first_round_fines", "induced_fines", "lost_income", "cost_change", "interest", "returned", "delta_deficit"]


def paired_config(config, directory):
    """The config itself if it has a sweep (the default scenario's is fines off / on), else a
    copy with the fines-off / fines-on sweep appended."""
    with open(config) as f:
        text = f.read()
    if any(line.startswith("sweep:") for line in text.splitlines()):
        return config
    paired = os.path.join(directory, "paired_" + os.path.basename(config))
    with open(paired, "w") as f:
        f.write(text + FINES_SWEEP)
    return paired


def run(binary, config, replications, sets, out):
    """The multiplier row of the run's one point besides the baseline."""
    command = [binary, "run", config, "--replications", str(replications), "--quiet", "--out", out]
    for s in sets:
        command += ["--set", s]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    with breachsim_results.open_results(out) as res:
        rows = res.summary("multiplier")
        if len(rows) != 1:
            sys.exit(f"{config}: expected a sweep of two points (fines off, fines on), found {len(rows) + 1}")
        row = rows.iloc[0].copy()
        paired = res.summary("paired_differences")
        extra = paired[(paired["point"] == row["point"]) & (paired["metric"] == "ed_breaches_4h")]
        row["extra_breaches_4h"] = extra["mean"].iloc[0]
    return row


def millions(x):
    return f"{x / 1e6:+7.1f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="configs/default.yaml")
    parser.add_argument("--replications", type=int, default=10)
    parser.add_argument("--breachsim", default="build/cli/breachsim")
    parser.add_argument("--shipped-only", action="store_true", help="only the shipped values: the headline answer")
    parser.add_argument("--keep", help="directory to keep the result files in (default: a temporary one)")
    args = parser.parse_args()

    directory = args.keep or tempfile.mkdtemp(prefix="breachsim_sensitivity_")
    os.makedirs(directory, exist_ok=True)
    config = paired_config(args.config, directory)
    cases = [("shipped values", None, None)]
    if not args.shipped_only:
        for label, path, values in ASSUMPTIONS:
            cases += [(label, path, v) for v in values]

    print(f"{args.config}, {args.replications} replications a run; the extra cumulative deficit of fines on "
          "against fines off (same patients) in £m, mean over replications")
    print(f"  {'assumption':56} {'value':>6}  {'multiplier [95% CI]':>22}  "
          + " ".join(f"{p.replace('_', ' ')[:11]:>11}" for p in PARTS) + "  extra 4h breaches")
    for i, (label, path, value) in enumerate(cases):
        out = os.path.join(directory, f"case{i}.h5")
        if os.path.exists(out):
            os.remove(out)
        row = run(args.breachsim, config, args.replications, [f"{path}={value}"] if path else [], out)
        interval = f"{row['multiplier']:.3f} [{row['multiplier_low']:.3f}, {row['multiplier_high']:.3f}]"
        shown = "" if value is None else str(value)
        print(f"  {label:56} {shown:>6}  {interval:>22}  " + " ".join(f"{millions(row[p]):>11}" for p in PARTS)
              + f"  {row['extra_breaches_4h']:+17,.0f}")
        sys.stdout.flush()
    if not args.keep:
        print(f"(result files in {directory})")


if __name__ == "__main__":
    main()
