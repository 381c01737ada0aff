#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The results part of `breachsim serve`'s page: a baseline run and a changed run (the same
config but for the levers, the same seed and replications, one point each) compared on the
same simulated patients.

Command line (run with /usr/bin/python3, which has Debian's python3-matplotlib, python3-h5py,
python3-numpy and python3-pandas; `breachsim serve` runs this after its two runs):

    /usr/bin/python3 scripts/breachsim_live.py BASELINE.h5 CHANGED.h5 --out FRAGMENT.html [--changes TEXT]

It writes an HTML fragment, not a page: one <section class="results" id="results"> with a
heading, a table of whole-run national values (baseline mean, changed mean, and the paired
difference changed - baseline, replication r with replication r, with its 95% t interval;
rows whose interval excludes 0 have class "up" or "down"), a figure of monthly fan charts
with both runs overlaid, a figure of the per-replication difference in the cumulative deficit
at the end, and a one-line note on how the comparison was made. The plots are PNG images
inside it; the page that includes it supplies the style sheet (classes: results, headline,
fan, note, up, down). Each difference cell holds a <span> with data-mean, data-low and
data-high: the unrounded numbers. TEXT (--changes, e.g. "beds -10%, fines x3") names what
changed in the headings and captions; it is escaped.

FRAGMENT is written to FRAGMENT.partial and renamed, so it is never half written. Nothing is
printed on standard output.

Exit codes: 0 the fragment was written; 1 it was not, and one line on standard error,
`breachsim_live: <why>`, says why (a missing or unreadable file, files that cannot be paired:
different replication counts, seeds, trusts or months, more than one sweep point, no
replication finished in both).

The charts, the table and the number formats are scripts/breachsim_report.py's.
"""

import argparse
import math
import os
import sys
import warnings

PROG = "breachsim_live"
HERE = os.path.dirname(os.path.abspath(__file__))

# Rows of the table and panels of the fan charts, in this order (those in both files).
TABLE_METRICS = ["ed_breaches_4h", "ed_trolley_waits_12h", "rtt_over_18w", "rtt_over_52w", "fines",
                 "cumulative_deficit"]
FAN_METRICS = ["ed_breaches_4h", "rtt_over_18w", "fines", "cumulative_deficit"]
DEFICIT = "cumulative_deficit"
BASELINE, CHANGED = "baseline", "changed"
BASELINE_COLOR, CHANGED_COLOR = "#7f7f7f", "#1f77b4"
MAX_LEGEND_CHANGES = 40  # longer --changes texts are named in the caption only


class LiveError(Exception):
    """The two files cannot be compared (the message says why)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 1, as for every other failure
        print(f"{PROG}: {message}", file=sys.stderr)
        sys.exit(1)


# -- statistics -----------------------------------------------------------------------------------

def _t_coverage(t, df):
    """P(|T| < t) for Student's t with integer df >= 1 (Abramowitz and Stegun 26.7.3-4)."""
    theta = math.atan(t / math.sqrt(df))
    s, c2 = math.sin(theta), math.cos(theta) ** 2
    term, total = 1.0, 1.0
    if df % 2 == 0:
        for k in range(1, df // 2):
            term *= c2 * (2 * k - 1) / (2 * k)
            total += term
        return s * total
    if df == 1:
        return 2.0 * theta / math.pi
    for k in range(1, (df - 1) // 2):
        term *= c2 * (2 * k) / (2 * k + 1)
        total += term
    return 2.0 / math.pi * (theta + s * math.cos(theta) * total)


def t_critical_95(df):
    """Two-sided 95% Student t critical value (12.706 for df 1, 2.228 for df 10, 1.960 for large df):
    what sim::student_t_critical(df, 0.95) gives, without importing scipy. Bisection on the exact
    distribution function up to df 1000, beyond it the Cornish-Fisher series (A&S 26.7.5), exact
    there to better than 1e-12."""
    if df < 1:
        return math.inf
    if df > 1000:
        z, v = 1.959963984540054, float(df)
        return (z + (z ** 3 + z) / (4 * v) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * v ** 2)
                + (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / (384 * v ** 3)
                + (79 * z ** 9 + 776 * z ** 7 + 1482 * z ** 5 - 1920 * z ** 3 - 945 * z) / (92160 * v ** 4))
    low, high = 0.0, 2.0
    while _t_coverage(high, df) < 0.95:
        low, high = high, 2.0 * high
    while True:
        mid = 0.5 * (low + high)
        if mid in (low, high):
            return mid
        if _t_coverage(mid, df) < 0.95:
            low = mid
        else:
            high = mid


def mean_interval(values):
    """Mean and 95% t interval over replications (NaN interval with fewer than two)."""
    n = len(values)
    if n == 0:
        return math.nan, math.nan, math.nan
    mean = float(sum(values) / n)
    if n < 2:
        return mean, math.nan, math.nan
    sd = math.sqrt(float(sum((v - mean) ** 2 for v in values)) / (n - 1))
    half = t_critical_95(n - 1) * sd / math.sqrt(n)
    return mean, mean - half, mean + half


# -- the two files ---------------------------------------------------------------------------------

class Pair:
    """Two open ReportData, checked to be comparable, with the replications finished in both."""

    def __init__(self, report, base, changed):
        self.report, self.base, self.changed = report, base, changed
        self._frames = {}
        for data in (base, changed):
            if data.n_points != 1:
                raise LiveError(f"{data.path} holds {data.n_points} sweep points; the comparison needs one run "
                                "without a sweep in each file")
        if base.replications != changed.replications:
            raise LiveError(f"the files have different replication counts ({base.replications} in {base.path}, "
                            f"{changed.replications} in {changed.path}); the comparison pairs replication r of one "
                            "with replication r of the other")
        seeds = (base.attrs.get("seed"), changed.attrs.get("seed"))
        if seeds[0] != seeds[1]:
            raise LiveError(f"the files have different seeds ({seeds[0]} in {base.path}, {seeds[1]} in "
                            f"{changed.path}): their replications are not the same patients")
        names = (list(base.trusts["name"]), list(changed.trusts["name"]))
        if names[0] != names[1]:
            raise LiveError(f"the files have different trusts ({len(names[0])} in {base.path}, {len(names[1])} in "
                            f"{changed.path}{', named differently' if len(names[0]) == len(names[1]) else ''})")
        months = (list(base.months["start_date"]), list(changed.months["start_date"]))
        if months[0] != months[1]:
            raise LiveError(f"the files have different months ({_months_text(months[0])} in {base.path}, "
                            f"{_months_text(months[1])} in {changed.path})")
        width = min(base.finished.shape[1], changed.finished.shape[1])
        both = base.finished[0, :width] & changed.finished[0, :width]
        self.replications = [r for r in range(width) if both[r]]
        if not self.replications:
            raise LiveError(f"no replication finished in both {base.path} and {changed.path}")
        self.metrics = [m for m in dict.fromkeys(TABLE_METRICS + FAN_METRICS) if base.has(m) and changed.has(m)]

    def frame(self, data, metric):
        """data.national(metric) of the paired replications (read once)."""
        key = (id(data), metric)
        if key not in self._frames:
            frame = data.national(metric)
            self._frames[key] = frame[(frame["point"] == 0) & frame["replication"].isin(self.replications)]
        return self._frames[key]

    def run_values(self, data, metric):
        """Each paired replication's whole-run national value, as the metric catalogue says: summed over
        months, averaged, or the last month's (a stock)."""
        values = data.run_values(self.frame(data, metric), metric, by=("replication",))
        return values.reindex(self.replications).to_numpy(dtype=float)


def _months_text(dates):
    return f"{len(dates)} from {dates[0]}" if dates else "none"


# -- the fragment ----------------------------------------------------------------------------------

def _over_months_note(pair, metric):
    rule = pair.base.over_months(metric)
    return "" if rule == "sum" else " (at the end)" if rule == "last" else " (monthly mean)"


def headline_table(pair):
    report = pair.report
    Cell, num, esc = report.Cell, report.num, report.esc
    head = [["metric", Cell("baseline mean", 1, "num"), Cell("changed mean", 1, "num"),
             Cell("changed &minus; baseline, paired [95% CI]", 1, "num")]]
    body, classes = [], []
    for metric in (m for m in TABLE_METRICS if m in pair.metrics):
        unit = pair.base.unit(metric)
        base = pair.run_values(pair.base, metric)
        changed = pair.run_values(pair.changed, metric)
        mean, low, high = mean_interval(changed - base)
        text = report.interval_text(mean, low, high, unit, signed=True)
        note = _over_months_note(pair, metric)
        body.append([Cell(esc(metric) + (f'<span class="note">{esc(note)}</span>' if note else "")),
                     num(report.format_value(float(base.mean()), unit)),
                     num(report.format_value(float(changed.mean()), unit)),
                     Cell(f'<span data-mean="{mean!r}" data-low="{low!r}" data-high="{high!r}">{esc(text)}</span>',
                          1, "num")])
        classes.append("up" if low > 0 else "down" if high < 0 else "")
    return report.table_html(head, body, "headline", classes)


def _legend_label(changes):
    if changes and len(changes) <= MAX_LEGEND_CHANGES:
        return f"{CHANGED} ({changes.replace('$', chr(92) + '$')})"  # no mathtext in a legend
    return CHANGED


def fan_figure(pair, changes):
    report = pair.report
    pd = report.pd
    label = _legend_label(changes)
    panels = []
    for metric in (m for m in FAN_METRICS if m in pair.metrics):
        frame = pd.concat([pair.frame(pair.base, metric).assign(series=BASELINE),
                           pair.frame(pair.changed, metric).assign(series=label)], ignore_index=True)
        panels.append((report._trend_title(pair.base, metric), pair.base.unit(metric), frame))
    if not panels:
        return ""
    fig = report.fan_chart_panels(panels, [BASELINE, label], colors={BASELINE: BASELINE_COLOR, label: CHANGED_COLOR})
    caption = (f"National series by month, all trusts: median line, 50% band (quartiles) and 90% band (5% to 95%) "
               f"over the {len(pair.replications)} replications; baseline grey, changed"
               + (f" ({changes})" if changes else "") + " blue.")
    return '<div class="fan">' + report.figure_html(fig, "fan charts by month, baseline and changed overlaid",
                                                    report.esc(caption)) + "</div>\n"


def deficit_strip_chart(report, differences, mean, low, high, unit="GBP"):
    """The paired differences as dots (one per replication, jittered up and down), with their
    mean and 95% interval below and a line at zero. Returns a Figure."""
    np = report.np
    width, height = 10.0, 2.1
    fig = report.Figure(figsize=(width, height))
    fig.subplots_adjust(left=1.45 / width, right=1 - 0.3 / width, top=1 - 0.2 / height, bottom=0.55 / height)
    ax = fig.subplots()
    divisor, unit_label = report.axis_scale(np.concatenate([differences, [mean, low, high]]), unit)
    jitter = np.random.default_rng(0).uniform(-0.2, 0.2, differences.size)  # fixed: the same picture each time
    colors = [report.UP if d > 0 else report.DOWN if d < 0 else report.TOTAL for d in differences]
    ax.scatter(differences / divisor, 1 + jitter, s=24, c=colors, alpha=0.8, edgecolors="none", zorder=3)
    if math.isfinite(low) and math.isfinite(high):
        ax.errorbar([mean / divisor], [0], xerr=[[(mean - low) / divisor], [(high - mean) / divisor]], fmt="o",
                    color="black", ecolor="black", capsize=4, markersize=5, linewidth=1.2)
    else:
        ax.plot([mean / divisor], [0], "o", color="black", markersize=5)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks([0, 1], ["mean [95% CI]", "replications"])
    ax.set_ylim(-0.6, 1.45)
    ax.set_xlabel(f"changed \u2212 baseline, cumulative deficit at the end ({unit_label})")
    ax.grid(axis="y", visible=False)
    return fig


def deficit_figure(pair, changes):
    if DEFICIT not in pair.metrics:
        return ""
    report = pair.report
    differences = pair.run_values(pair.changed, DEFICIT) - pair.run_values(pair.base, DEFICIT)
    mean, low, high = mean_interval(differences)
    fig = deficit_strip_chart(report, differences, mean, low, high, pair.base.unit(DEFICIT))
    deeper = int((differences > 0).sum())
    caption = ("Cumulative deficit of all trusts at the last month, changed" + (f" ({changes})" if changes else "")
               + f" minus baseline, one dot per replication (the same patients in both runs): deeper in {deeper} "
               f"of {differences.size} (red), shallower in {int((differences < 0).sum())} (green). Below: the mean "
               f"difference with its 95% interval, {report.interval_text(mean, low, high, 'GBP', signed=True)}.")
    return report.figure_html(fig, "paired differences of the cumulative deficit at the end, by replication",
                              report.esc(caption))


def build_fragment(pair, changes=""):
    report = pair.report
    esc = report.esc
    n = len(pair.replications)
    heading = f"Baseline and changed, {n} replications on the same patients"
    if changes:
        heading += f" \u2014 changed: {changes}"
    shortfall = ""
    if n < pair.base.replications:
        shortfall = (f" ({pair.base.replications - n} of the {pair.base.replications} replications are left out: "
                     "they had not finished in both files)")
    seed = pair.base.attrs.get("seed", "?")
    with report.matplotlib.rc_context(report.STYLE):
        table = headline_table(pair)
        fans = fan_figure(pair, changes)
        strip = deficit_figure(pair, changes)
    note = (f"Common random numbers: replication r of both runs (seed {seed}) simulates the same patients, so each "
            f"difference is replication r of the changed run minus replication r of the baseline; intervals are "
            f"95% Student t intervals over the {n} replications{shortfall}.")
    return (f'<section class="results" id="results">\n<h2>{esc(heading)}</h2>\n'
            f"<h3>Whole run, all trusts</h3>\n"
            f"<p>Counts and fines summed over the {len(pair.base.months)} months, waiting lists averaged over them "
            f"(monthly mean), the cumulative deficit at the last month (at the end); means over replications.</p>\n"
            f"{table}"
            + (f"<h3>By month</h3>\n{fans}" if fans else "")
            + (f"<h3>Cumulative deficit at the end, replication by replication</h3>\n{strip}" if strip else "")
            + f'<p class="note">{esc(note)}</p>\n</section>\n')


# -- command line ----------------------------------------------------------------------------------

def _load_report():
    sys.path.insert(0, HERE)
    try:
        import breachsim_report
    except ImportError as exc:
        raise LiveError(f"{exc} (run with /usr/bin/python3, which has python3-matplotlib, python3-h5py, "
                        "python3-pandas)") from None
    return breachsim_report


def _one_line(text):
    return " ".join(str(text).split())


def run(args):
    for path in (args.baseline, args.changed):
        if not os.path.exists(path):
            raise LiveError(f"{path}: no such file")
        if os.path.isdir(path):
            raise LiveError(f"{path} is a directory, not a result file")
    if os.path.isdir(args.out):
        raise LiveError(f"{args.out} is a directory; --out needs a file name")
    report = _load_report()
    br = report.br
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unfinished tasks are said in the note; nothing else belongs on stderr
            with report.open_report_data(args.baseline) as base, report.open_report_data(args.changed) as changed:
                fragment = build_fragment(Pair(report, base, changed), args.changes.strip())
    except (FileNotFoundError, br.ResultsFormatError, report.ReportInputError) as exc:
        raise LiveError(str(exc)) from None
    except LiveError:
        raise
    except Exception as exc:  # a fault: one line, no traceback
        raise LiveError(f"cannot compare {args.baseline} and {args.changed}: {type(exc).__name__}: {exc}") from None
    try:
        report.write_atomically(args.out, fragment)
    except OSError as exc:
        raise LiveError(f"cannot write {args.out}: {exc.strerror or exc}") from None


def main(argv=None):
    parser = _Parser(prog=PROG, description="Write the HTML fragment that compares a changed run with its baseline "
                                            "(same seed and replications: the same patients).")
    parser.add_argument("baseline", metavar="BASELINE.h5", help="the baseline run's result file")
    parser.add_argument("changed", metavar="CHANGED.h5", help="the changed run's result file")
    parser.add_argument("--out", required=True, metavar="FRAGMENT.html", help="the fragment to write")
    parser.add_argument("--changes", default="", metavar="TEXT", help='what changed, e.g. "beds -10%%, fines x3"')
    args = parser.parse_args(argv)
    try:
        run(args)
    except LiveError as exc:
        print(f"{PROG}: {_one_line(exc)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
