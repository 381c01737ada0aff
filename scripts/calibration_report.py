#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Compares a run of configs/calibration/england_2015.yaml with the published 2015/16
aggregates of docs/sources.md (§3 sanctions, §8 magnitudes). Prints one row per figure: the
model's median over replications with its 90% interval, the published figure, and the
ratio; then 4-hour performance and bed occupancy by month and by quarter of the financial
year, and 12-hour trolley waits by quarter. Exit status 1 if any figure marked as checked falls
outside its tolerance (relative, in percentage points where the row says "pt", or a range of
counts), if January-March is not the worst quarter for 4 hours, as it was (docs/sources.md
§8), or if it is not above 81%, the type-1 figure QualityWatch gives for January-March 2017,
then the worst quarter on record (Q4_FLOOR_4H); the others are shown for context (inputs, or
published figures that measure something the model does not). Exit status 2 if the file is not
a breachsim result file with a finished replication, or on bad usage.

    /usr/bin/python3 scripts/calibration_report.py results/england_2015.h5
"""
import sys

try:
    import h5py
    import numpy as np
except ImportError:  # Debian's python3-h5py lives under /usr/bin/python3
    sys.exit("calibration_report.py needs h5py and numpy: run it with /usr/bin/python3")

# England's RTT waiting list in February 2016 (docs/sources.md §8), to put the model's
# 52-week waiters, a share of its own (smaller) list, in England's numbers.
ENGLAND_LIST = 3.7e6

# January-March at type-1 departments: QualityWatch (Nuffield Trust and Health Foundation, "A&E
# waiting times" indicator) gives about 81% within 4 hours in Q4 2016/17, "the worst level since
# the introduction of the four-hour target", so the same quarter of 2015/16 was better
# (docs/sources.md §8): the model's median must be above it.
Q4_FLOOR_4H = 0.81
Q4_FLOOR_SOURCE = ("QualityWatch: type 1 about 81% in Q4 2016/17, the worst quarter on record then, "
                   "so 2015/16's was better")

# figure, published value, source, tolerance: relative (a float), in percentage points of a
# share (("pt", points)), a range of counts (("range", low, high)), or None for context only
PUBLISHED = {
    "performance_fines": (233e6, "NHS Providers 29 Mar 2016: £233m withheld for performance targets", 0.35),
    "readmission_nonpayment": (169e6, "NHS Providers 29 Mar 2016: £169m withheld for readmissions", 0.25),
    "withheld_total": (600e6, "NHS Providers: about £600m withheld in all (the rest not itemised)", None),
    "penalties_hf": (498e6, "Health Foundation: 2015/16 financial penalties £498m", None),
    "ed_within_4h": (0.879, "docs/sources.md §8: 87.9% within 4 h at type-1 departments, the type modelled (91.9% all types)",
                     ("pt", 1.5)),
    "rtt_within_18w": (0.92, "docs/sources.md §8: 92% of the list within 18 weeks in February 2016", 0.03),
    "rtt_over_52w_per_100k": (41.0, "docs/sources.md §8: 52-week waiters per 100,000 on the list at month ends: 1,281 of "
                              "2.63m (49, October 2012), 1,339 of about 3.9m (34, January 2017); the model's mean", 0.35),
    "rtt_over_52w_england": (1310.0, "the same share on England's 3.7m list, against 1,281 (October 2012) and 1,339 "
                             "(January 2017) waiters", None),
    "rtt_over_52w": (1310.0, "52-week waiters at month ends in the model's own list (its trusts refer about half of "
                     "England's clock starts), mean over the months", None),
    "ed_trolley_waits_12h": (2276.0, "docs/sources.md §8 (Exit block): 12-hour trolley waits, 2,276 in January-March 2017/18 "
                             "(66 trusts, a worse year); 2015/16 expects hundreds to low thousands a year: checked above 0 and "
                             "below 4 x 2,276", ("range", 1.0, 4 * 2276.0)),
    "ed_trolley_waits_12h_q4": (1597.0, "docs/sources.md §8: 12-hour trolley waits; none published for 2015/16 there: "
                                "1,597 in January-March 2017, 553 in December 2016; the model's January-March 2016", None),
    "ed_trolley_waits_4_12h": (560398.0, "docs/sources.md §8: 4-12 hour waits from decision to admit, 560,398 in "
                               "2016/17 (108,000 in 2011/12); the model's year", None),
    "cancer_within_62d": (0.85, "docs/sources.md §8: 85% last met December 2015", 0.05),
    "occupancy": (0.914, "docs/sources.md §8: G&A occupancy 88-94% (91.4% Q4 2016/17)", 0.04),
    "deficit": (2.45e9, "docs/sources.md §8: provider sector -£2.45bn (an input here: fixed costs)", None),
    "share_in_deficit": (0.86, "docs/sources.md §8: 86% of acute trusts in deficit (an input here)", None),
    "largest_fine": (23.8e6 * 12 / 11, "Barts Health fined £23.8m in 11 months of 2015/16 (x 12/11)", None),
}


def tolerance_text(tol):
    if isinstance(tol, tuple) and tol[0] == "range":
        return f"{tol[1]:,.0f}-{tol[2]:,.0f}"
    return f"±{tol[1]:g} pt" if isinstance(tol, tuple) else f"±{tol:.0%}"


def within(value, ref, tol):
    if isinstance(tol, tuple) and tol[0] == "range":
        return tol[1] <= value <= tol[2]
    if isinstance(tol, tuple):
        return abs(value - ref) * 100 <= tol[1]
    return abs(value / ref - 1) <= tol


def read(f, metric):
    return f["/outcomes/trust_month/" + metric][0]  # [replication][trust][month], point 0


class NotAResultFile(ValueError):
    """The file is not a breachsim result file, or has no completed replication."""


def compute(path):
    """Reads a result file and returns its figures: a dict with "rows" (figure name to its values
    per completed replication, the figures of PUBLISHED in its order), "extra" (further figures
    per replication that calibration specs may target: scripts/calibrate.py), "seasons",
    "schemes", "fines_by_trust", "deficit_by_trust" and "n" (completed replications).
    Raises NotAResultFile with a sentence when the file is not a finished result file."""
    try:
        opened = h5py.File(path, "r")
    except OSError as error:
        raise NotAResultFile(f"{path}: cannot be read as an HDF5 file ({error})") from None
    with opened as f:
        if f.attrs.get("filetype") != "breachsim-results":
            raise NotAResultFile(f"{path}: not a breachsim result file")
        done = f["/progress"][0].astype(bool)
        if not done.any():
            raise NotAResultFile(f"{path}: no completed replication")
        def m(name):
            return read(f, name)[done].astype(float)
        schemes = {}
        if "/outcomes/scheme_fines" in f:
            # A scenario with regimes names its schemes "<regime>/<scheme>", a group of datasets.
            def add(name, node):
                if isinstance(node, h5py.Dataset):
                    schemes[name] = node[0][done].sum(axis=(1, 2))
            f["/outcomes/scheme_fines"].visititems(add)
        fines = m("fines").sum(axis=(1, 2))
        readm = m("readmission_nonpayment").sum(axis=(1, 2))
        rebook = m("rebooking_nonpayment").sum(axis=(1, 2))
        att, br = m("ed_attendances").sum(axis=(1, 2)), m("ed_breaches_4h").sum(axis=(1, 2))
        waiting, over = m("rtt_waiting")[:, :, -1].sum(axis=1), m("rtt_over_18w")[:, :, -1].sum(axis=1)
        # Month-end 52-week waiters, national, then their share of the national list, both
        # averaged over the months: [replication].
        over_52w = m("rtt_over_52w").sum(axis=1)
        over_52w_share = (over_52w / m("rtt_waiting").sum(axis=1)).mean(axis=1)
        months = f["/months"]["start_date"].astype(str)
        q4 = np.array([d[5:7] in ("01", "02", "03") for d in months])
        trolley_12h_q4 = m("ed_trolley_waits_12h")[:, :, q4].sum(axis=(1, 2))
        trolley_4_12h = (m("ed_trolley_waits_4_12h").sum(axis=(1, 2)) if "ed_trolley_waits_4_12h" in
                         f["/outcomes/trust_month"] else np.full(len(fines), np.nan))
        treated, late = m("cancer_treated").sum(axis=(1, 2)), m("cancer_breaches_62d").sum(axis=(1, 2))
        occupied = (m("bed_occupancy") * m("beds_open")).sum(axis=(1, 2)) / m("beds_open").sum(axis=(1, 2))
        seasons = by_month_and_quarter(f, m)
        deficit_by_trust = m("cumulative_deficit")[:, :, -1]
        fines_by_trust = m("fines").sum(axis=2)
        rows = {
            "performance_fines": fines,
            "readmission_nonpayment": readm,
            "withheld_total": fines + readm + rebook,
            "penalties_hf": fines + readm + rebook,
            "ed_within_4h": 1 - br / att,
            "rtt_within_18w": 1 - over / waiting,
            "rtt_over_52w_per_100k": 1e5 * over_52w_share,
            "rtt_over_52w_england": ENGLAND_LIST * over_52w_share,
            "rtt_over_52w": over_52w.mean(axis=1),
            "ed_trolley_waits_12h": m("ed_trolley_waits_12h").sum(axis=(1, 2)),
            "ed_trolley_waits_12h_q4": trolley_12h_q4,
            "ed_trolley_waits_4_12h": trolley_4_12h,
            "cancer_within_62d": 1 - late / treated,
            "occupancy": occupied,
            "deficit": deficit_by_trust.sum(axis=1),
            "share_in_deficit": (deficit_by_trust > 0).mean(axis=1),
            "largest_fine": fines_by_trust.max(axis=1),
        }
        extra = extra_figures(m, seasons)
    return {"rows": rows, "extra": extra, "seasons": seasons, "schemes": schemes, "n": int(done.sum()),
            "fines_by_trust": fines_by_trust, "deficit_by_trust": deficit_by_trust}


def extra_figures(m, seasons):
    """Figures beyond the report's rows, per replication, for calibration targets: the agency
    share of the pay bill (agency spend over substantive pay plus agency, as the Health
    Foundation's 7% of £48bn counts it, docs/sources.md §7), the quarters' 4-hour performance
    and occupancy (Q4, January-March, is the one England publishes most), the year's income
    from the incentive fund and the sector's surplus (the deficit's sign reversed)."""
    agency, pay = m("cost_agency").sum(axis=(1, 2)), m("cost_pay").sum(axis=(1, 2))
    extra = {
        "agency_share_of_pay": agency / (pay + agency),
        "agency_spend": agency,
        "income_incentives": m("income_incentives").sum(axis=(1, 2)),
        "surplus": m("surplus").sum(axis=(1, 2)),
    }
    for q, within_4h, occupancy in zip(seasons["quarters"], seasons["quarter_4h"], seasons["quarter_occupancy"]):
        extra[f"ed_within_4h_q{q}"] = within_4h
        extra[f"occupancy_q{q}"] = occupancy
    return extra


# The names extra_figures gives (the quarters' only for quarters the run covers), and with the
# report's rows every figure a calibration spec may target.
EXTRA_FIGURES = ("agency_share_of_pay", "agency_spend", "income_incentives", "surplus",
                 *(f"{name}_q{q}" for q in (1, 2, 3, 4) for name in ("ed_within_4h", "occupancy")))
FIGURE_NAMES = (*PUBLISHED, *EXTRA_FIGURES)


def figures(path):
    """Every figure of a result file, name to its values per completed replication: the report's
    rows (PUBLISHED) and extra_figures. The importable entry of scripts/calibrate.py."""
    computed = compute(path)
    return {**computed["rows"], **computed["extra"]}


def main(path):
    try:
        computed = compute(path)
    except NotAResultFile as error:
        print(error, file=sys.stderr)
        return 2
    rows, seasons, schemes = computed["rows"], computed["seasons"], computed["schemes"]
    fines_by_trust, deficit_by_trust = computed["fines_by_trust"], computed["deficit_by_trust"]
    worst = fines_by_trust.argmax(axis=1)

    def fmt(v, ref, key=""):
        if key.startswith(("rtt_over_52w", "ed_trolley")):
            return f"{v:,.0f}" if np.isfinite(v) else "n/a"
        if ref < 2:
            return f"{100 * v:.1f}%"
        return f"£{v / 1e6:,.1f}m"

    failures = 0
    n = computed["n"]
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
        model = f"{fmt(med, ref, key)} [{fmt(lo, ref, key)}, {fmt(hi, ref, key)}]"
        print(f"  {key:24} {model:>30}  {fmt(ref, ref, key):>11} {ratio:6.2f}  {verdict}")
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
    trolley = m("ed_trolley_waits_12h").sum(axis=1)
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
        "quarter_trolley_12h": [trolley[:, quarters == q].sum(axis=1) for q in quarter_list],
    }


def print_seasons(s):
    """Prints the seasonal lines; returns the number of failed checks: January-March not the worst
    4-hour quarter, January-March not above Q4_FLOOR_4H."""
    print("  by month (all replications):")
    print("    " + " ".join(f"{label[2:]:>7}" for label in s["labels"]))
    print("    " + " ".join(f"{100 * v:6.1f}%" for v in s["month_4h"]) + "  within 4 h")
    print("    " + " ".join(f"{100 * v:6.1f}%" for v in s["month_occupancy"]) + "  bed occupancy")
    within = [np.median(v) for v in s["quarter_4h"]]
    occupancy = [np.median(v) for v in s["quarter_occupancy"]]
    names = [f"Q{q}" for q in s["quarters"]]
    print("  by quarter (median over replications): within 4 h " +
          ", ".join(f"{n} {100 * v:.1f}%" for n, v in zip(names, within)) +
          "; bed occupancy " + ", ".join(f"{n} {100 * v:.1f}%" for n, v in zip(names, occupancy)) +
          "; 12-hour trolley waits " + ", ".join(f"{n} {np.median(v):,.0f}" for n, v in zip(names, s["quarter_trolley_12h"])))
    if 4 not in s["quarters"] or len(s["quarters"]) < 2:
        print("  worst 4-hour quarter: not checked (the run does not cover January-March and another quarter)")
        return 0
    worst = names[int(np.argmin(within))]
    ok = worst == "Q4"
    print(f"  worst 4-hour quarter: {worst}; published: Q4, January-March (docs/sources.md §8)  "
          f"{'ok' if ok else 'OUT'}")
    q4 = within[names.index("Q4")]
    above = q4 > Q4_FLOOR_4H
    print(f"  January-March within 4 h: {100 * q4:.1f}%; published: above {100 * Q4_FLOOR_4H:.0f}% "
          f"({Q4_FLOOR_SOURCE}; docs/sources.md §8)  {'ok' if above else 'OUT'}")
    return (0 if ok else 1) + (0 if above else 1)


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        sys.exit(0)
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
