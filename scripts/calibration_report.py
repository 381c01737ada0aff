#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Compares a run of configs/calibration/england_2015.yaml with the published 2015/16
aggregates of docs/sources.md (§3 sanctions, §8 magnitudes). Prints one row per figure: the
model's median over replications with its 90% interval, the published figure, and the
ratio; then 4-hour performance and bed occupancy by month and by quarter of the financial
year. Exit status 1 if any figure marked as checked falls outside its tolerance (relative, or
in percentage points where the row says "pt"), or if January-March is not the worst quarter
for 4 hours, as it was (docs/sources.md §8); the others are shown for context (inputs, or
published figures that measure something the model does not).

    /usr/bin/python3 scripts/calibration_report.py results/england_2015.h5
"""
import sys

try:
    import h5py
    import numpy as np
except ImportError:  # Debian's python3-h5py lives under /usr/bin/python3
    sys.exit("calibration_report.py needs h5py and numpy: run it with /usr/bin/python3")

# figure, published value, source, tolerance: relative (a float), in percentage points of a
# share (("pt", points)), or None for context only
PUBLISHED = {
    "performance_fines": (233e6, "NHS Providers 29 Mar 2016: £233m withheld for performance targets", 0.35),
    "readmission_nonpayment": (169e6, "NHS Providers 29 Mar 2016: £169m withheld for readmissions", 0.25),
    "withheld_total": (600e6, "NHS Providers: about £600m withheld in all (the rest not itemised)", None),
    "penalties_hf": (498e6, "Health Foundation: 2015/16 financial penalties £498m", None),
    "ed_within_4h": (0.879, "docs/sources.md §8: 87.9% within 4 h at type-1 departments, the type modelled (91.9% all types)",
                     ("pt", 1.5)),
    "rtt_within_18w": (0.92, "DOMAIN §8: 92% of the list within 18 weeks in February 2016", 0.03),
    "cancer_within_62d": (0.85, "DOMAIN §8: 85% last met December 2015", 0.05),
    "occupancy": (0.914, "DOMAIN §8: G&A occupancy 88-94% (91.4% Q4 2016/17)", 0.04),
    "deficit": (2.45e9, "DOMAIN §8: provider sector -£2.45bn (an input here: fixed costs)", None),
    "share_in_deficit": (0.86, "DOMAIN §8: 86% of acute trusts in deficit (an input here)", None),
    "largest_fine": (23.8e6 * 12 / 11, "Barts Health fined £23.8m in 11 months of 2015/16 (x 12/11)", None),
}


def tolerance_text(tol):
    return f"±{tol[1]:g} pt" if isinstance(tol, tuple) else f"±{tol:.0%}"


def within(value, ref, tol):
    if isinstance(tol, tuple):
        return abs(value - ref) * 100 <= tol[1]
    return abs(value / ref - 1) <= tol


def read(f, metric):
    return f["/outcomes/trust_month/" + metric][0]  # [replication][trust][month], point 0


def main(path):
    with h5py.File(path, "r") as f:
        if f.attrs.get("filetype") != "breachsim-results":
            sys.exit(f"{path}: not a breachsim result file")
        done = f["/progress"][0].astype(bool)
        if not done.any():
            sys.exit(f"{path}: no completed replication")
        def m(name):
            return read(f, name)[done].astype(float)
        schemes = {}
        if "/outcomes/scheme_fines" in f:
            for name in f["/outcomes/scheme_fines"]:
                schemes[name] = f["/outcomes/scheme_fines/" + name][0][done].sum(axis=(1, 2))
        fines = m("fines").sum(axis=(1, 2))
        readm = m("readmission_nonpayment").sum(axis=(1, 2))
        rebook = m("rebooking_nonpayment").sum(axis=(1, 2))
        att, br = m("ed_attendances").sum(axis=(1, 2)), m("ed_breaches_4h").sum(axis=(1, 2))
        waiting, over = m("rtt_waiting")[:, :, -1].sum(axis=1), m("rtt_over_18w")[:, :, -1].sum(axis=1)
        treated, late = m("cancer_treated").sum(axis=(1, 2)), m("cancer_breaches_62d").sum(axis=(1, 2))
        occupied = (m("bed_occupancy") * m("beds_open")).sum(axis=(1, 2)) / m("beds_open").sum(axis=(1, 2))
        seasons = by_month_and_quarter(f, m)
        deficit_by_trust = m("cumulative_deficit")[:, :, -1]
        fines_by_trust = m("fines").sum(axis=2)
        worst = fines_by_trust.argmax(axis=1)
        rows = {
            "performance_fines": fines,
            "readmission_nonpayment": readm,
            "withheld_total": fines + readm + rebook,
            "penalties_hf": fines + readm + rebook,
            "ed_within_4h": 1 - br / att,
            "rtt_within_18w": 1 - over / waiting,
            "cancer_within_62d": 1 - late / treated,
            "occupancy": occupied,
            "deficit": deficit_by_trust.sum(axis=1),
            "share_in_deficit": (deficit_by_trust > 0).mean(axis=1),
            "largest_fine": fines_by_trust.max(axis=1),
        }

    def fmt(v, ref):
        if ref < 2:
            return f"{100 * v:.1f}%"
        return f"£{v / 1e6:,.1f}m"

    failures = 0
    n = int(done.sum())
    print(f"{path}: {n} replication(s); model median [90% interval] vs published 2015/16")
    print(f"  {'figure':24} {'model':>30}  {'published':>11} {'ratio':>6}  check")
    for key, values in rows.items():
        ref, source, tol = PUBLISHED[key]
        med, lo, hi = np.median(values), np.quantile(values, 0.05), np.quantile(values, 0.95)
        ratio = med / ref
        if tol is None:
            verdict = "context"
        elif within(med, ref, tol):
            verdict = f"ok ({tolerance_text(tol)})"
        else:
            verdict = f"OUT ({tolerance_text(tol)})"
            failures += 1
        model = f"{fmt(med, ref)} [{fmt(lo, ref)}, {fmt(hi, ref)}]"
        print(f"  {key:24} {model:>30}  {fmt(ref, ref):>11} {ratio:6.2f}  {verdict}")
        print(f"  {'':24} {source}")
    failures += print_seasons(seasons)
    print("  performance fines by scheme (median):")
    for name, values in schemes.items():
        print(f"    {name:28} £{np.median(values) / 1e6:8.1f}m")
    print(f"  most fined trust: {fmt(np.median(fines_by_trust.max(axis=1)), 1e9)} a year; its cumulative deficit "
          f"{fmt(np.median(deficit_by_trust[np.arange(len(worst)), worst]), 1e9)} "
          f"(Barts 2014/15: fined £52.7m on a £79.6m deficit, under the heavier 2014/15 rates)")
    return 1 if failures else 0


def by_month_and_quarter(f, m):
    """4-hour performance and bed occupancy of England (all replications pooled) by month and
    by quarter of the financial year, and the per-replication quarters."""
    months = f["/months"][()]
    labels = [row["start_date"].decode()[:7] for row in months]
    quarters = np.array([int(row["fy_quarter"]) for row in months])
    att, br = m("ed_attendances").sum(axis=1), m("ed_breaches_4h").sum(axis=1)  # [replication][month]
    occ, beds = (m("bed_occupancy") * m("beds_open")).sum(axis=1), m("beds_open").sum(axis=1)
    quarter_list = sorted(set(quarters))
    def share(num, den, cols):
        return num[..., cols].sum(axis=-1) / den[..., cols].sum(axis=-1)
    return {
        "labels": labels,
        "month_4h": 1 - br.sum(axis=0) / att.sum(axis=0),
        "month_occupancy": occ.sum(axis=0) / beds.sum(axis=0),
        "quarters": quarter_list,
        "quarter_4h": [1 - share(br, att, quarters == q) for q in quarter_list],  # each per replication
        "quarter_occupancy": [share(occ, beds, quarters == q) for q in quarter_list],
    }


def print_seasons(s):
    """Prints the seasonal lines; returns 1 if January-March is not the worst 4-hour quarter."""
    print("  by month (all replications):")
    print("    " + " ".join(f"{label[2:]:>7}" for label in s["labels"]))
    print("    " + " ".join(f"{100 * v:6.1f}%" for v in s["month_4h"]) + "  within 4 h")
    print("    " + " ".join(f"{100 * v:6.1f}%" for v in s["month_occupancy"]) + "  bed occupancy")
    within = [np.median(v) for v in s["quarter_4h"]]
    occupancy = [np.median(v) for v in s["quarter_occupancy"]]
    names = [f"Q{q}" for q in s["quarters"]]
    print("  by quarter (median over replications): within 4 h " +
          ", ".join(f"{n} {100 * v:.1f}%" for n, v in zip(names, within)) +
          "; bed occupancy " + ", ".join(f"{n} {100 * v:.1f}%" for n, v in zip(names, occupancy)))
    if 4 not in s["quarters"] or len(s["quarters"]) < 2:
        print("  worst 4-hour quarter: not checked (the run does not cover January-March and another quarter)")
        return 0
    worst = names[int(np.argmin(within))]
    ok = worst == "Q4"
    print(f"  worst 4-hour quarter: {worst}; published: Q4, January-March (docs/sources.md §8)  "
          f"{'ok' if ok else 'OUT'}")
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
