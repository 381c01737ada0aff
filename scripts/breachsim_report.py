#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""One self-contained HTML page from a breachsim result file: what was run, by what, the
model described in the STRESS-DES structure, and the plots of its outcomes.

Command line (run with /usr/bin/python3: it needs Debian's python3-matplotlib, python3-h5py,
python3-numpy, python3-pandas and python3-yaml; `breachsim report` runs this):

    /usr/bin/python3 scripts/breachsim_report.py FILE.h5 --out report.html [--force]

The page holds everything it shows: plots are PNG images inside it, the style sheet is inline,
there is no script and no address outside the page, so it opens offline, in any browser, and
can be mailed as one file. It is written to OUT.partial and renamed to OUT when complete, so
OUT is never half written. Statistics use the finished tasks only; an incomplete file (an
interrupted run, a shard) says so at the top of the page. Format 1 files are read too (their
first-round fines are unknown, so they have no multiplier in parts).

Exit codes: 0 the page was written; 2 bad usage: a missing file, a file that is not a
breachsim result or has a format version this script does not know, an existing OUT without
--force; 1 a fault: the page could not be built or written (one line says why).

Library (each plot function takes tidy data frames and returns a matplotlib Figure, so a
story's figure script can draw the same charts):

    import sys; sys.path.insert(0, "scripts")
    import breachsim_report as report

    page = report.build_report("results/default.h5")    # the whole page as a str
    with report.open_report_data("results/default.h5") as data:
        frame = data.national("cumulative_deficit")     # finished tasks only, with a `label` column
        fig = report.fan_chart_panels([("cumulative deficit", "GBP", frame.rename(columns={"label": "series"}))])
        fig.savefig("deficit.png")
    # also: paired_difference_chart, tornado_chart, waterfall_chart, distribution_chart,
    #       sensitivity_chart, convergence_chart, bump_chart, rank_spread_chart, segment_chart (see their docstrings)
"""

import argparse
import base64
import contextlib
import datetime
import html
import io
import math
import os
import shlex
import sys
import time
import traceback
import warnings
from collections import namedtuple

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

try:
    import numpy as np
    import pandas as pd
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    from matplotlib.ticker import MaxNLocator
    from matplotlib.figure import Figure
    import breachsim_results as br
except ImportError as _exc:
    if __name__ == "__main__":  # command line: one line, no traceback
        print(f"breachsim report: {_exc} (apt-get install python3-matplotlib python3-h5py python3-pandas; "
              "run with /usr/bin/python3)", file=sys.stderr)
        sys.exit(1)
    raise
try:
    import yaml
except ImportError:  # the model description then leaves out what it would read from the config
    yaml = None

__all__ = ["build_report", "open_report_data", "ReportData", "format_value", "probability_text",
           "fan_chart_panels", "draw_fan", "paired_difference_chart", "tornado_chart", "waterfall_chart",
           "distribution_chart", "sensitivity_chart", "convergence_chart", "bump_chart", "rank_spread_chart", "segment_chart", "main"]

PROG = "breachsim report"

# The C++ summary's headline metrics (models/run/summary.cpp), in its order.
HEADLINE = ["ed_breaches_4h", "ed_trolley_waits_12h", "rtt_over_18w", "rtt_over_52w", "cancer_breaches_62d",
            "fines", "income_activity", "cost_agency", "surplus", "cumulative_deficit", "special_measures",
            "cost_control_acting"]
TRENDS = ["ed_breaches_4h", "rtt_over_18w", "cancer_breaches_62d", "fines", "cost_agency", "surplus",
          "cumulative_deficit", "cost_control_acting"]
TRUST_TRENDS = ["ed_breaches_4h", "cumulative_deficit"]
TORNADO = ["cumulative_deficit", "fines", "ed_breaches_4h", "rtt_over_18w"]
# Beyond these, panels and overlays stop being readable; the page says what it left out.
MAX_TRUST_PANELS = 12
MAX_OVERLAID_POINTS = 4
MAX_POINTS_SHOWN = 12
MAX_WATERFALLS = 8
MAX_TORNADO_BARS = 20
MAX_PLAN_POINTS = 4
MAX_LABEL = 48
MAX_CONFIG_BYTES = 256 * 1024
COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
UP, DOWN, TOTAL = "#c0392b", "#27ae60", "#555555"
SEGMENT_COLORS = ["#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027"]
STYLE = {"figure.dpi": 100, "savefig.dpi": 100, "font.size": 9, "axes.titlesize": 9.5, "axes.labelsize": 8.5,
         "legend.fontsize": 8, "xtick.labelsize": 8, "ytick.labelsize": 8, "axes.spines.top": False,
         "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3, "figure.facecolor": "white"}
MULTIPLIER_PARTS = [("first_round_fines", "first-round fines", 1), ("induced_fines", "induced fines", 1),
                    ("lost_income", "lost income", 1), ("cost_change", "cost change", 1),
                    ("interest", "interest", 1), ("returned", "returned to trusts", -1)]


class ReportInputError(Exception):
    """The input is not something this script can report on (exit code 2)."""


# -- numbers, as the C++ summary prints them ---------------------------------------------------

format_value = br.format_value  # the reader's: one formatter for the overview and the page


def signed_value(v, unit, integer=False):
    text = format_value(v, unit, integer)
    return "+" + text if v is not None and np.isfinite(v) and v > 0 else text


def probability_text(p):
    """Whole percentages; near but not at 0 or 1 never prints as 0% or 100%: a finite number of
    replications can claim "never" or "always" only when it is true."""
    if p is None or not np.isfinite(p):
        return "n/a"
    if 0 < p < 0.005:
        return "<1%"
    if 0.995 <= p < 1:
        return ">99%"
    return f"{100 * p:.0f}%"


def interval_text(mid, low, high, unit, integer=False, signed=False):
    fmt = signed_value if signed else format_value
    if mid is None or not np.isfinite(mid):
        return "n/a"
    if low is None or not (np.isfinite(low) and np.isfinite(high)):
        return fmt(mid, unit, integer)
    return f"{fmt(mid, unit, integer)} [{fmt(low, unit, integer)}, {fmt(high, unit, integer)}]"


def axis_scale(values, unit):
    """(divisor, axis label) so that money reads in £k, £m or £bn."""
    if unit != "GBP":
        return 1.0, unit
    finite = np.abs(np.asarray(values, dtype=float))
    finite = finite[np.isfinite(finite)]
    top = finite.max() if finite.size else 0.0
    for divisor, label in ((1e9, "£bn"), (1e6, "£m"), (1e3, "£k")):
        if top >= divisor:
            return divisor, label
    return 1.0, "£"


# -- the data: finished tasks only ----------------------------------------------------------------

class ReportData:
    """What the page needs from an open result file, with outcomes limited to finished tasks.

    `finished[p, r]` is True where task (point p, replication r) is complete and within the
    replications the run asked for (a run with the replication calculator may have fewer than
    its replication dimension). Outcome frames from national() and trust() hold only those tasks,
    whatever the reader puts in the slots of unfinished ones (placeholders or NaN)."""

    def __init__(self, res):
        self.res = res
        self.path = res.path
        self.format_version = res.format_version
        try:
            self.attrs = res.attrs()
            self.points = res.points()
            self.months = res.months()
            self.trusts = res.trusts()
            self.metrics = res.metrics().set_index("name", drop=False)
            progress = res.progress()
        except KeyError as exc:
            raise ReportInputError(f"{res.path}: not a complete breachsim result file ({exc.args[0]})") from None
        self.replications = int(self.attrs.get("replications", 0))
        self.done = _progress_array(progress)
        self.expected = np.broadcast_to(np.arange(self.done.shape[1]) < self.replications, self.done.shape).copy()
        self.finished = self.done & self.expected
        self.baseline = int(self.attrs.get("baseline_point", 0))
        self.swept = [c for c in self.points.columns if c not in ("point", "name", "reference", "config")]
        # Each point's reference (/points `reference`; files before it compared with the baseline).
        self.references = ([int(q) for q in self.points["reference"]] if "reference" in self.points.columns
                           else [self.baseline] * len(self.points))
        self.labels = _short_labels(self.points, self.swept)
        self.differs = point_differences(self.points, self.swept, self.references)
        self.summaries = {name: res.summary(name) for name in res.summary_tables()}
        # A sensitivity study: its points are the rows of a Morris or Sobol design.
        self.study = "sensitivity" in self.summaries
        self.trust_detail = bool(res.metric_names("trust_month"))
        self._national_names = set(res.metric_names("national_month"))
        self._trust_names = set(res.metric_names("trust_month"))
        self._config = None

    @property
    def n_points(self):
        return len(self.points)

    def unit(self, metric):
        return self.metrics.at[metric, "unit"] if metric in self.metrics.index else ""

    def integer(self, metric):
        return metric in self.metrics.index and self.metrics.at[metric, "dtype"] == "int64"

    def over_months(self, metric):
        return self.metrics.at[metric, "over_months"] if metric in self.metrics.index else "sum"

    def has(self, metric, level="national_month"):
        return metric in (self._national_names if level == "national_month" else self._trust_names)

    def _finished_rows(self, frame):
        p = frame["point"].to_numpy()
        r = frame["replication"].to_numpy()
        inside = (p < self.finished.shape[0]) & (r < self.finished.shape[1])
        keep = np.zeros(len(frame), dtype=bool)
        keep[inside] = self.finished[p[inside], r[inside]]
        frame = frame[keep].copy()
        frame["label"] = [self.labels[i] for i in frame["point"]]
        return frame.reset_index(drop=True)

    def national(self, metric):
        """point, replication, month, start_date, value, label: finished tasks only."""
        with warnings.catch_warnings():
            # The reader warns of unfinished tasks (it leaves them out, or older readers read them
            # as placeholders, which _finished_rows drops); the page's banner says so instead.
            warnings.simplefilter("ignore")
            return self._finished_rows(self.res.national_month(metric))

    def trust(self, metric):
        """point, replication, trust, month, start_date, value, label: finished tasks only."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return self._finished_rows(self.res.trust_month(metric))

    def config(self):
        """The baseline point's fully resolved config as a dict ({} without PyYAML or if unreadable)."""
        if self._config is None:
            self._config = {}
            if yaml is not None and "config" in self.points.columns:
                loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
                with contextlib.suppress(yaml.YAMLError, IndexError, KeyError):
                    text = self.points.loc[self.points["point"] == self.baseline, "config"].iloc[0]
                    self._config = yaml.load(text, Loader=loader) or {}
        return self._config

    def run_values(self, frame, metric, by=("point", "replication")):
        """Each task's whole-run value from its months, as the metric's over_months says (a stock's
        last month; a level's plain mean, which orders trusts as the weighted mean would nearly)."""
        rule = self.over_months(metric)
        grouped = frame.sort_values("month").groupby(list(by), sort=True)["value"]
        if rule == "sum":
            return grouped.sum()
        if rule == "last":
            return grouped.last()
        return grouped.mean()


def _progress_array(progress):
    n_points = int(progress["point"].max()) + 1 if len(progress) else 0
    n_reps = int(progress["replication"].max()) + 1 if len(progress) else 0
    done = np.zeros((n_points, n_reps), dtype=bool)
    done[progress["point"].to_numpy(), progress["replication"].to_numpy()] = progress["complete"].to_numpy()
    return done


def _short_path(column):
    return ".".join(column.split(".")[-2:])


def _shortened(name, swept):
    """A point's name with each `dotted.path=value` part cut to its last two keys."""
    for column in swept:
        name = name.replace(column + "=", _short_path(column) + "=")
    return name


def _short_labels(points, swept):
    """Point names for plots: the shortened name where it fits, else P<index> (the points table
    maps them)."""
    labels = []
    for p, name in zip(points["point"], points["name"]):
        name = _shortened(name, swept)
        labels.append(name if len(name) <= MAX_LABEL else f"P{p}")
    return labels


@contextlib.contextmanager
def open_report_data(path):
    """A ReportData over the result file at `path`, closed on leaving the block."""
    with br.open_results(path) as res:
        yield ReportData(res)


def point_differences(points, swept, references):
    """For each point, the swept values it differs from its reference point in (the baseline unless
    monte_carlo.reference_path pairs the points), as short text: the sweep's label where the point's
    name is made of one label per swept path, else path=value."""
    parts_of = {}
    for _, row in points.iterrows():
        base = points.iloc[references[int(row["point"])]]
        labels = _shortened(row["name"], swept).split(", ")
        per_path = len(labels) == len(swept)
        parts = [labels[i] if per_path else f"{_short_path(column)}={row[column]}"
                 for i, column in enumerate(swept) if row[column] != base[column]]
        parts_of[int(row["point"])] = ", ".join(parts) or "same as the baseline"
    return parts_of


def paired_within(data):
    """Whether points are compared with reference points of their own (monte_carlo.reference_path)."""
    return any(q != data.baseline for q in data.references)


def against_text(data):
    """What the points are compared with, for headings and captions."""
    if paired_within(data):
        return "each point's reference point (monte_carlo.reference_path)"
    return f"the baseline ({data.points['name'][data.baseline]})"


def compare_label(data, p):
    """A point named by what differs from the baseline, where that fits, else its label; with
    reference points of their own, its label and its reference's (what differs would repeat)."""
    if paired_within(data):
        return f"{data.labels[p]} vs {data.labels[data.references[p]]}"
    return data.differs[p] if len(data.differs[p]) <= MAX_LABEL else data.labels[p]


def featured_points(data, limit):
    """The points to draw where all would not be readable: the baseline and those whose paired
    difference in cumulative deficit from it is largest (point order kept)."""
    if data.study:  # its points are design rows: the sensitivity section sums them up
        return [data.baseline]
    if data.n_points <= limit:
        return list(range(data.n_points))
    effect = {}
    paired = data.summaries.get("paired_differences")
    if paired is not None:
        rows = paired[paired["metric"] == "cumulative_deficit"]
        effect = {int(p): abs(m) for p, m in zip(rows["point"], rows["mean"]) if np.isfinite(m)}
    others = sorted((p for p in range(data.n_points) if p != data.baseline),
                    key=lambda p: (-effect.get(p, -1.0), not data.finished[p].any(), p))
    return sorted([data.baseline] + others[:limit - 1])


def shown_note(shown, total):
    if len(shown) >= total:
        return ""
    if len(shown) == 1:  # only a sensitivity study features one point
        return f" Only the baseline point of the {total} is shown: the others are the design rows of the study."
    return (f" {len(shown)} of the {total} points are shown: the baseline and the points whose mean "
            "cumulative deficit differs most from it.")


# -- figures --------------------------------------------------------------------------------------

def _grid(n, ncols, width=10.0, panel_height=2.4, fixed_margins=False):
    """n panels in rows of ncols. With fixed_margins, room for titles, numeric tick labels and a
    two-line date axis is set aside in inches instead of measured by constrained layout, which
    draws every figure twice and takes most of a report's time."""
    ncols = max(1, min(ncols, n))
    nrows = math.ceil(n / ncols)
    height = panel_height * nrows + 0.4
    fig = Figure(figsize=(width, height), layout=None if fixed_margins else "constrained")
    if fixed_margins:
        left, right, top, bottom, gap_w, gap_h = 0.75, 0.15, 0.3, 0.5, 0.85, 0.7
        axes_w = (width - left - right - (ncols - 1) * gap_w) / ncols
        axes_h = (height - top - bottom - (nrows - 1) * gap_h) / nrows
        fig.subplots_adjust(left=left / width, right=1 - right / width, top=1 - top / height,
                            bottom=bottom / height, wspace=gap_w / axes_w, hspace=gap_h / axes_h)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes[:n]


def draw_fan(ax, frame, color, label, divisor=1.0):
    """One fan on `ax` from a frame of start_date and value (one row per replication and month):
    the median line, the 50% band (quartiles) and the 90% band (5% to 95%) over replications."""
    if frame.empty:
        return
    q = frame.groupby("start_date")["value"].quantile([0.05, 0.25, 0.5, 0.75, 0.95]).unstack() / divisor
    x = pd.to_datetime(q.index)
    ax.fill_between(x, q[0.05], q[0.95], color=color, alpha=0.14, linewidth=0)
    ax.fill_between(x, q[0.25], q[0.75], color=color, alpha=0.3, linewidth=0)
    ax.plot(x, q[0.5], color=color, linewidth=1.6, label=label, marker="o" if len(x) == 1 else None)


def fan_chart_panels(panels, order=None, ncols=2, width=10.0, colors=None):
    """Small multiples of fan charts. `panels`: (title, unit, frame) with frame columns series,
    replication, start_date, value; each series (e.g. a sweep point) is one fan, coloured by its
    place in `order` (default: order of first appearance), or as `colors` ({series: colour})
    says. Returns a Figure."""
    if order is None:
        order = list(dict.fromkeys(s for _, _, f in panels for s in f["series"]))
    colors = colors or {}
    fig, axes = _grid(len(panels), ncols, width, fixed_margins=True)
    for ax, (title, unit, frame) in zip(axes, panels):
        divisor, unit_label = axis_scale(frame["value"], unit)
        for series, part in frame.groupby("series", sort=False):
            draw_fan(ax, part, colors.get(series, COLORS[order.index(series) % len(COLORS)]), series, divisor)
        ax.set_title(title, loc="left")
        ax.set_ylabel(unit_label)
        locator = mdates.AutoDateLocator(maxticks=8)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    if len(order) > 1 and len(axes):
        axes[0].legend(loc="best", frameon=False)
    return fig


def _interval_panels(frame, sort, bars, ncols=2):
    """Panels of means with 95% intervals, one per metric (frame: metric, unit, label, mean,
    ci95_low, ci95_high); bars for a tornado, dots for a forest plot."""
    metrics = list(dict.fromkeys(frame["metric"]))
    rows = max(frame.groupby("metric").size().max(), 1) if len(frame) else 1
    fig, axes = _grid(len(metrics), ncols, panel_height=0.28 * rows + 1.0)
    order = list(dict.fromkeys(frame["label"]))[::-1]  # top to bottom in the frame's order
    for i, (ax, metric) in enumerate(zip(axes, metrics)):
        part = frame[frame["metric"] == metric]
        if sort:
            part = part.reindex(part["mean"].abs().sort_values(ascending=True).index)
        else:
            part = part.set_index("label", drop=False).reindex(order)
        unit = part["unit"].iloc[0]
        divisor, unit_label = axis_scale(pd.concat([part["ci95_low"], part["ci95_high"], part["mean"]]), unit)
        y = np.arange(len(part))
        mean = part["mean"].to_numpy() / divisor
        low = np.where(np.isfinite(part["ci95_low"]), part["ci95_low"], part["mean"]) / divisor
        high = np.where(np.isfinite(part["ci95_high"]), part["ci95_high"], part["mean"]) / divisor
        colors = [UP if m > 0 else DOWN if m < 0 else TOTAL for m in mean]
        if bars:
            ax.barh(y, mean, color=colors, alpha=0.75, height=0.6)
        ax.errorbar(mean, y, xerr=[mean - low, high - mean], fmt="o" if not bars else "none",
                    color="black", ecolor="black", capsize=3, markersize=4, linewidth=1)
        ax.axvline(0, color="black", linewidth=0.8)
        # In a forest plot every panel has the same rows: only the first column names them.
        ax.set_yticks(y, part["label"] if sort or i % ncols == 0 else [""] * len(y))
        ax.set_title(metric, loc="left")
        ax.set_xlabel(f"difference from the baseline ({unit_label})")
        ax.grid(axis="y", visible=False)
    return fig


def paired_difference_chart(frame, ncols=2):
    """Forest plot: per metric, each point's mean paired difference from the baseline with its 95%
    interval, points in the frame's order. Frame: metric, unit, label, mean, ci95_low, ci95_high."""
    return _interval_panels(frame, sort=False, bars=False, ncols=ncols)


def tornado_chart(frame, ncols=2):
    """Tornado: per metric, the effect of each point's difference from the baseline as bars with
    95% intervals, largest on top. Frame as for paired_difference_chart."""
    return _interval_panels(frame, sort=True, bars=True, ncols=ncols)


def _interval_bar(ax, x, value, low, high, divisor):
    """A part's own 95% interval, drawn at the end of its bar; none where it has no width."""
    if np.isfinite(low) and np.isfinite(high) and high > low:
        ax.errorbar(x, value / divisor, yerr=[[(value - low) / divisor], [(high - value) / divisor]],
                    color="black", capsize=3, linewidth=1)


def _draw_waterfall(ax, row, divisor):
    running = 0.0
    labels = []
    for i, (column, label, sign) in enumerate(MULTIPLIER_PARTS):
        value = sign * row[column]
        low, high = sorted([sign * row[column + "_low"], sign * row[column + "_high"]])
        ax.bar(i, value / divisor, bottom=running / divisor, color=UP if value > 0 else DOWN, width=0.65)
        _interval_bar(ax, i, running + value, running + low, running + high, divisor)
        ax.plot([i + 0.33, i + 0.67], [(running + value) / divisor] * 2, color="#888888", linewidth=0.8)
        running += value
        labels.append(label if sign > 0 else "- " + label)
    n = len(MULTIPLIER_PARTS)
    ax.bar(n, row["delta_deficit"] / divisor, color=TOTAL, width=0.65)
    _interval_bar(ax, n, row["delta_deficit"], row["delta_deficit_low"], row["delta_deficit_high"], divisor)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(range(n + 1), labels + ["= extra deficit"], rotation=35, ha="right")


def waterfall_chart(frame, titles=None, ncols=2):
    """The extra cumulative deficit in its parts, one waterfall per row of a /summary/multiplier
    frame (first-round fines + induced fines + lost income + cost change + interest - returned =
    delta_deficit), each part with its 95% interval. `titles`: one per row."""
    fig, axes = _grid(len(frame), ncols, panel_height=3.3)
    money = frame[[c for c in frame.columns if c.startswith(("delta_deficit", "first_round", "cost_change"))]]
    divisor, unit_label = axis_scale(money.to_numpy().ravel(), "GBP")
    for i, (ax, (_, row)) in enumerate(zip(axes, frame.iterrows())):
        _draw_waterfall(ax, row, divisor)
        ax.set_ylabel(unit_label)
        ax.set_title(titles[i] if titles else f"point {row['point']}", loc="left")
        ax.grid(axis="x", visible=False)
    return fig


def distribution_chart(frame, order, unit="GBP", title=""):
    """One horizontal violin (with a box and the replications as dots) per label. Frame: label,
    value; `order`: the labels top to bottom."""
    fig = Figure(figsize=(10, 0.55 * len(order) + 1.4), layout="constrained")
    ax = fig.subplots()
    divisor, unit_label = axis_scale(frame["value"], unit)
    rng = np.random.default_rng(0)  # jitter only: fixed so the page is the same every time
    for y, label in enumerate(reversed(order)):
        values = frame.loc[frame["label"] == label, "value"].dropna().to_numpy() / divisor
        if values.size >= 8 and np.ptp(values) > 0:  # fewer make a violin out of noise
            parts = ax.violinplot(values, positions=[y], vert=False, widths=0.8, showextrema=False)
            for body in parts["bodies"]:
                body.set_facecolor(COLORS[order.index(label) % len(COLORS)])
                body.set_alpha(0.35)
        if values.size:
            ax.boxplot(values, positions=[y], vert=False, widths=0.25, showfliers=False,
                       medianprops={"color": "black"})
            ax.scatter(values, y + rng.uniform(-0.12, 0.12, values.size), s=9, color="black", alpha=0.5, zorder=3)
    ax.set_yticks(range(len(order)), list(reversed(order)))
    ax.set_ylim(-0.7, len(order) - 0.3)
    ax.set_xlabel(f"{title} ({unit_label})" if title else unit_label)
    ax.grid(axis="y", visible=False)
    return fig


def _whiskers(ax, y, low, high, color="black"):
    """Intervals as lines with end ticks (an interval need not hold its estimate, which error bars
    would refuse); none where a bound is missing."""
    low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    keep = np.isfinite(low) & np.isfinite(high)
    ax.hlines(y[keep], low[keep], high[keep], color=color, linewidth=1)
    ax.plot(np.r_[low[keep], high[keep]], np.r_[y[keep], y[keep]], "|", color=color, markersize=7)


def _morris_bars(ax, part, y):
    divisor, unit_label = axis_scale(part[["mu", "mu_star", "mu_star_low", "mu_star_high"]].to_numpy().ravel(),
                                     part["unit"].iloc[0])
    ax.barh(y, part["mu_star"] / divisor, height=0.6, color=COLORS[0], alpha=0.75, label="μ*, 95% interval")
    _whiskers(ax, y, part["mu_star_low"] / divisor, part["mu_star_high"] / divisor)
    ax.plot(part["mu"] / divisor, y, "D", color=UP, markersize=4, label="μ (signed)")
    ax.set_xlabel(f"change in the output ({unit_label})")


def _sobol_bars(ax, part, y):
    ax.barh(y, part["total"], height=0.7, color=COLORS[0], alpha=0.4, label="ST (total)")
    _whiskers(ax, y + 0.2, part["total_low"], part["total_high"])
    ax.barh(y - 0.12, part["first_order"], height=0.22, color=COLORS[0], label="S (first-order)")
    _whiskers(ax, y - 0.12, part["first_order_low"], part["first_order_high"], "#0b3d6b")
    ax.set_xlabel("share of the output's variance")


def sensitivity_chart(frame, ncols=2):
    """Per output, its groups in rank order, the most influential on top: Morris mu* as the bar with
    its 95% interval and mu as a diamond, or the Sobol total index ST as the bar and the first-order
    S as a thinner one, each with its 95% interval. Frame: rows of /summary/sensitivity with a rank
    (1 or more) and a `unit` column (the output's)."""
    outputs = list(dict.fromkeys(frame["output"]))
    rows = frame.groupby("output").size().max() if len(frame) else 1
    fig, axes = _grid(len(outputs), ncols, panel_height=0.45 * rows + 1.3)
    for ax, output in zip(axes, outputs):
        part = frame[frame["output"] == output].sort_values("rank", ascending=False)
        y = np.arange(len(part), dtype=float)
        (_sobol_bars if part["total"].notna().any() else _morris_bars)(ax, part, y)
        labels = [_short_path(g) for g in part["group"]]
        ax.set_yticks(y, labels if len(set(labels)) == len(labels) else list(part["group"]))
        ax.axvline(0, color="black", linewidth=0.8)
        ax.xaxis.set_major_locator(MaxNLocator(6, steps=[1, 2, 2.5, 5, 10]))
        ax.set_title(output, loc="left", pad=18)
        ax.grid(axis="y", visible=False)
        # Between the title and the panel: inside, it would hide a bar or a whisker.
        ax.legend(loc="lower right", bbox_to_anchor=(1, 1), ncol=2, frameon=False, borderaxespad=0.2)
    return fig


def convergence_chart(frame, ncols=1):
    """Per output, each group's ranking index (Morris mu*, Sobol ST) from the first part of the
    design against the part's size: lines still crossing at the right have not settled their order.
    Frame: rows of /summary/sensitivity_convergence with a `unit` column (the output's)."""
    outputs = list(dict.fromkeys(frame["output"]))
    fig, axes = _grid(len(outputs), ncols)
    sobol = frame["total"].notna().any()
    for ax, output in zip(axes, outputs):
        part = frame[frame["output"] == output]
        measure = part["total"] if sobol else part["mu_star"]
        divisor, unit_label = (1.0, "ST") if sobol else axis_scale(measure.to_numpy(), part["unit"].iloc[0])
        for i, (group, rows) in enumerate(part.groupby("group", sort=False)):
            values = (rows["total"] if sobol else rows["mu_star"]) / divisor
            ax.plot(rows["size"], values, "o-", color=COLORS[i % len(COLORS)], markersize=4,
                    label=_short_path(group))
        ax.set_xscale("log", base=2)
        sizes = sorted(part["size"].unique())
        ax.set_xticks(sizes, [str(int(n)) for n in sizes])
        ax.minorticks_off()
        ax.set_xlabel("base samples (N)" if sobol else "trajectories")
        ax.set_ylabel("ST" if sobol else f"μ* ({unit_label})")
        ax.set_title(output, loc="left")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize="small")
    return fig


def bump_chart(frame, highlight=None):
    """Rank by quarter, one line per trust (1 at the top). Frame: trust, quarter, rank (quarters in
    order of appearance). `highlight`: trusts to colour and name (default: all)."""
    table = frame.pivot(index="trust", columns="quarter", values="rank")
    table = table[list(dict.fromkeys(frame["quarter"]))]
    highlight = list(table.index) if highlight is None else highlight
    fig = Figure(figsize=(10, max(3.0, 0.22 * len(table) + 1.2) if len(table) <= 40 else 7.0),
                 layout="constrained")
    ax = fig.subplots()
    x = np.arange(table.shape[1])
    for i, (trust, ranks) in enumerate(table.iterrows()):
        if trust in highlight:
            color = COLORS[highlight.index(trust) % len(COLORS)]
            ax.plot(x, ranks, marker="o", color=color, linewidth=1.8, markersize=4)
            ax.annotate(trust, (x[-1], ranks.iloc[-1]), xytext=(6, 0), textcoords="offset points",
                        va="center", fontsize=7.5, color=color)
        else:
            ax.plot(x, ranks, color="#cccccc", linewidth=0.7)
    ax.set_xticks(x, table.columns, rotation=30, ha="right")
    ax.set_ylim(len(table) + 0.5, 0.5)
    ax.set_ylabel("rank (1 = best)")
    ax.set_xlim(-0.2, x[-1] + 0.3 if len(x) else 1)
    return fig


def rank_spread_chart(frame, order=None):
    """Each trust's rank over replications at one quarter: median (dot), 50% and 90% ranges,
    trusts in `order` (default: by median). Frame: trust, replication, rank."""
    stats = frame.groupby("trust")["rank"].quantile([0.05, 0.25, 0.5, 0.75, 0.95]).unstack()
    stats = stats.reindex(order) if order is not None else stats.sort_values([0.5, 0.05])
    fig = Figure(figsize=(10, 3.6), layout="constrained")
    ax = fig.subplots()
    x = np.arange(len(stats))
    ax.vlines(x, stats[0.05], stats[0.95], color="#1f77b4", alpha=0.35, linewidth=4 if len(x) <= 40 else 1.5)
    ax.vlines(x, stats[0.25], stats[0.75], color="#1f77b4", linewidth=4 if len(x) <= 40 else 1.5)
    ax.plot(x, stats[0.5], "o", color="black", markersize=3)
    ax.set_ylim(len(stats) + 0.5, 0.5)
    ax.set_ylabel("rank (1 = best)")
    if len(x) <= 30:
        ax.set_xticks(x, stats.index, rotation=40, ha="right", fontsize=7)
    else:
        ax.set_xticks([])
        ax.set_xlabel(f"{len(x)} trusts, ordered by median rank")
    return fig


def segment_chart(frame, order):
    """Share of replications in each oversight segment (1 best to 4, 5 intensive support), one bar
    per trust in `order`. Frame: trust, replication, segment."""
    shares = (frame.groupby("trust")["segment"].value_counts(normalize=True).unstack(fill_value=0.0)
              .reindex(index=order, columns=[1, 2, 3, 4, 5], fill_value=0.0))
    fig = Figure(figsize=(10, 3.4), layout="constrained")
    ax = fig.subplots()
    x = np.arange(len(shares))
    bottom = np.zeros(len(shares))
    for segment, color in zip(shares.columns, SEGMENT_COLORS):
        ax.bar(x, shares[segment], bottom=bottom, color=color, width=0.85, label=f"segment {segment}")
        bottom += shares[segment].to_numpy()
    ax.set_ylabel("share of replications")
    ax.set_ylim(0, 1.14)  # room for the legend above the bars
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1])
    if len(x) <= 30:
        ax.set_xticks(x, shares.index, rotation=40, ha="right", fontsize=7)
    else:
        ax.set_xticks([])
        ax.set_xlabel(f"{len(x)} trusts, ordered by median rank")
    ax.legend(ncol=5, loc="upper center", frameon=False)
    ax.grid(visible=False)
    return fig


# -- HTML -----------------------------------------------------------------------------------------

Cell = namedtuple("Cell", "text colspan cls style", defaults=(1, "", ""))
Section = namedtuple("Section", "anchor title body")


def esc(text):
    return html.escape(str(text), quote=True)


def figure_html(fig, alt, caption=""):
    """The figure as a PNG inside the page (base64), with its alt text and caption."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", facecolor="white")
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    cap = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f'<figure><img src="data:image/png;base64,{data}" alt="{esc(alt)}">{cap}</figure>\n'


def table_html(head, body, cls="", row_classes=None):
    """A table; each row a list of cells, each a str (escaped here) or a Cell (its text is HTML).
    `row_classes`: one class (str, "" for none) per body row, for its <tr>."""
    def cell(c, tag):
        if not isinstance(c, Cell):
            return f"<{tag}>{esc(c)}</{tag}>"
        attrs = (f' colspan="{c.colspan}"' if c.colspan > 1 else "") + (f' class="{c.cls}"' if c.cls else "") \
            + (f' style="{c.style}"' if c.style else "")
        return f"<{tag}{attrs}>{c.text}</{tag}>"
    rows = ["<tr>" + "".join(cell(c, "th") for c in row) + "</tr>" for row in head]
    classes = list(row_classes or ())
    classes += [""] * (len(body) - len(classes))
    rows += [(f'<tr class="{esc(k)}">' if k else "<tr>") + "".join(cell(c, "td") for c in row) + "</tr>"
             for row, k in zip(body, classes)]
    # Wide tables scroll inside their box instead of widening the page.
    return f'<div class="scroll"><table class="{cls}">' + "\n".join(rows) + "</table></div>\n"


def num(text, style=""):
    return Cell(esc(text), 1, "num", style)


def probability_cell(p):
    """A probability, its background shaded from red (0) to green (1) so a table reads as a map."""
    if p is None or not np.isfinite(p):
        return num("n/a")
    hue = int(120 * p)
    return num(probability_text(p), f"background:hsl({hue},60%,85%)")


def details(summary, body, open_=False):
    return f"<details{' open' if open_ else ''}><summary>{summary}</summary>\n{body}</details>\n"


def code(text):
    return f"<code>{esc(text)}</code>"


# -- sections -------------------------------------------------------------------------------------

def completeness_banner(data):
    """The statement at the top of an incomplete file's page, or "" for a complete one."""
    shard = data.attrs.get("shard")
    expected, finished = int(data.expected.sum()), int(data.finished.sum())
    missing_summary = not data.summaries
    if finished == expected and not shard and not missing_summary:
        return ""
    lines = []
    if shard:
        own = _shard_tasks(data, shard)
        own_done = int((own & data.finished).sum())
        lines.append(f"This file is shard {esc(shard)} of a run: it holds {finished} of the run's {expected} tasks "
                     f"(sweep point × replication); the other shards' files hold the rest, and "
                     f"{code('breachsim merge OUT.h5 SHARD.h5...')} puts them together. Statistics on this page "
                     "use this shard's tasks only.")
        if own_done < int(own.sum()):
            lines.append(f"{int(own.sum()) - own_done} of the shard's own {int(own.sum())} tasks are unfinished: "
                         f"{code(_resume_command(data))} completes it.")
    elif finished < expected:
        lines.append(f"This file is incomplete: {finished} of {expected} tasks (sweep point × replication) are "
                     f"finished. Every statistic and plot on this page uses the finished tasks only. "
                     f"{code('breachsim run')} with the same arguments and {code('--resume')} completes it: "
                     f"{code(_resume_command(data))}")
    affected = [(p, int(data.finished[p].sum()), int(data.expected[p].sum())) for p in range(data.n_points)
                if data.finished[p].sum() < data.expected[p].sum()]
    if missing_summary:
        lines.append("The file has no /summary tables (a run killed before it could write them): the sections "
                     "built from them are left out.")
    text = "".join(f"<p>{line}</p>" for line in lines)
    if affected and data.n_points > 1:
        items = "".join(f"<li>{esc(data.points['name'][p])}: {done} of {want} replications finished</li>"
                        for p, done, want in affected[:20])
        more = f"<li>and {len(affected) - 20} more points</li>" if len(affected) > 20 else ""
        text += f"<p>Points affected:</p><ul>{items}{more}</ul>"
    return f'<div class="banner" id="incomplete"><strong>Incomplete results.</strong>{text}</div>\n'


def _shard_tasks(data, shard):
    """The tasks of shard K/N (results/FORMAT.md, "Shards"): numbers r * points + p from
    floor((K-1) T / N) to floor(K T / N) - 1."""
    own = np.zeros_like(data.expected)
    with contextlib.suppress(ValueError):
        k, n = (int(x) for x in str(shard).split("/"))
        total = data.n_points * data.replications
        for task in range((k - 1) * total // n, k * total // n):
            r, p = divmod(task, data.n_points)
            if r < own.shape[1]:
                own[p, r] = True
    return own


def _resume_command(data):
    command = data.attrs.get("command_line", "breachsim run CONFIG")
    try:
        words = [w for w in shlex.split(command) if w != "--force"]
        return shlex.join(words + ["--resume"])
    except ValueError:
        return command + " --resume"


def section_provenance(data):
    a = data.attrs
    rows = [("scenario", a.get("scenario_name", "?")), ("file", data.path),
            ("format version", data.format_version),
            ("breachsim", f"{a.get('breachsim_version', '?')} (git commit {a.get('git_commit', '?')})"),
            ("build", a.get("build", "?")), ("libraries", a.get("library_versions", "?")),
            ("created (UTC)", a.get("created_utc", "?")), ("command line", a.get("command_line", "?")),
            ("config file", a.get("config_file", "?")), ("config sha256", a.get("config_sha256", "?")),
            ("seed", a.get("seed", "?")), ("replications", _replications_text(data)),
            ("points", f"{data.n_points} (baseline: {data.points['name'][data.baseline]})"),
            ("months", f"{a.get('months', '?')} from {a.get('first_month', '?')}, after {a.get('warmup_months', '?')} "
                       "warm-up months simulated and discarded"),
            ("trusts", len(data.trusts)), ("threads", a.get("threads", "?"))]
    for key in ("shard", "merged_shards"):
        if key in a:
            rows.append((key.replace("_", " "), a[key]))
    body = table_html([], [[k, str(v)] for k, v in rows], "kv")
    body += _points_table(data)
    with contextlib.suppress(KeyError):  # a file without /config still has the rest
        what = "the config as read, with its sweep" if data.swept else "the fully resolved config"
        body += _config_block(f"/config: {what}", data.res.config(), "print(res.config())")
    if data.swept and "config" in data.points.columns:
        text = data.points.loc[data.points["point"] == data.baseline, "config"].iloc[0]
        body += _config_block("the baseline point's fully resolved config (/points)", text,
                              f'print(res.points()["config"][{data.baseline}])')
    return Section("provenance", "Scenario and provenance", body)


def _config_block(title, text, reader_call):
    """A config in a collapsed block; one too big to be worth copying into the page (a national
    scenario's is a megabyte) is named with the reader call that prints it."""
    size = f"{len(text) / 1024:.0f} KB"
    if len(text) > MAX_CONFIG_BYTES:
        return (f"<p>{esc(title)}: {size}, not copied into this page; the reader prints it: "
                f"{code(reader_call)} (scripts/breachsim_results.py).</p>")
    return details(f"{esc(title)} ({size})", f'<pre class="config">{esc(text)}</pre>')


def _replications_text(data):
    config = data.config().get("monte_carlo", {})
    text = f"{data.replications} per point"
    if float(config.get("target_half_width", 0) or 0) > 0:
        text += (f" (replication calculator: until the 95% interval of {config.get('target_metric')} is within "
                 f"±{config.get('target_half_width')} at every point, at most {config.get('max_replications')})")
    return text


def _points_table(data):
    head = [["point", "short name", "name", "replications finished"]
            + [Cell(esc(c).replace(".", ".<wbr>")) for c in data.swept]]
    body = []
    for _, row in data.points.head(200).iterrows():
        p = int(row["point"])
        name = row["name"] + (" (baseline)" if p == data.baseline else "")
        body.append([str(p), data.labels[p], name, f"{int(data.finished[p].sum())} of {int(data.expected[p].sum())}"]
                    + [str(row[c]) for c in data.swept])
    note = f"<p>The first 200 of {data.n_points} points.</p>" if data.n_points > 200 else ""
    title = "<h3>Sweep points</h3>" if data.swept else "<h3>Point</h3>"
    if not data.swept:
        return title + table_html(head, body) + note
    if data.study:
        return ("<h3>Design rows</h3>" + details(
            f"The {data.n_points} points: each sets the config paths to one row of the sensitivity study's design, "
            "on the same simulated patients", table_html(head, body) + note))
    intro = (f"<p>{data.n_points} points, the cartesian product of {len(data.swept)} swept config path(s); each "
             "runs the same simulated patients (common random numbers). Plots name a point by its short name, "
             "and comparisons with the baseline by the swept values it changes.</p>")
    return title + intro + table_html(head, body) + note


def section_headline(data):
    summary = data.summaries.get("national_run")
    if summary is None or summary.empty:
        return None
    shown = featured_points(data, MAX_OVERLAID_POINTS)
    metrics = [m for m in HEADLINE if m in set(summary["metric"])]
    head = [["metric"] + [Cell(esc(data.labels[p]) + (" (baseline)" if p == data.baseline and data.n_points > 1
                                                      else ""), 1, "num") for p in shown]]
    body = []
    for metric in metrics:
        rule = data.over_months(metric)
        note = "" if rule == "sum" else " (at the end)" if rule == "last" else " (mean)"
        cells = [Cell(esc(metric) + f'<span class="note">{esc(note)}</span>')]
        for p in shown:
            row = summary[(summary["point"] == p) & (summary["metric"] == metric)]
            if row.empty or not row["replications"].iloc[0]:
                cells.append(num("no finished replication"))
                continue
            r = row.iloc[0]
            integer = data.integer(metric)
            interval = f"[{format_value(r['q05'], r['unit'], integer)}, {format_value(r['q95'], r['unit'], integer)}]"
            cells.append(Cell(f"{esc(format_value(r['median'], r['unit'], integer))}<br>"
                              f'<span class="note">{esc(interval)}</span>', 1, "num"))
        body.append(cells)
    reps = summary.groupby("point")["replications"].max()
    body.append(["replications"] + [num(str(int(reps.get(p, 0)))) for p in shown])
    caption = ("<p>Whole-run national values: median [90% interval over replications], from /summary/national_run. "
               "Counts and money are summed over trusts and months, averaged over months where marked (mean), "
               "taken at the last month where marked (at the end)." + shown_note(shown, data.n_points) + "</p>")
    return Section("headline", "Headline outcomes", caption + table_html(head, body, "wide"))


SENSITIVITY_UNITS = {"multiplier": "fraction", "extra_deficit": "GBP"}  # the outputs that are not metrics


def study_method(table):
    """The study's method, "sobol" or "morris", from the measures /summary/sensitivity fills (None if
    no output has any)."""
    return "sobol" if table["total"].notna().any() else "morris" if table["mu_star"].notna().any() else None


def _sensitivity_rows(part, unit, sobol):
    """Table rows of one output's groups in rank order; a group whose interval of the ranking measure
    reaches the next group's is too close to rank."""
    low, high = ("total_low", "total_high") if sobol else ("mu_star_low", "mu_star_high")
    records = list(part.sort_values("rank").itertuples(index=False))
    rows = []
    for r, below in zip(records, records[1:] + [None]):
        close = below is not None and getattr(r, low) <= getattr(below, high)
        if sobol:
            measures = [interval_text(r.total, r.total_low, r.total_high, "fraction"),
                        interval_text(r.first_order, r.first_order_low, r.first_order_high, "fraction")]
        else:
            measures = [interval_text(r.mu_star, r.mu_star_low, r.mu_star_high, unit),
                        signed_value(r.mu, unit), format_value(r.sigma, unit)]
        rows.append([num(str(r.rank)), r.group] + [num(m) for m in measures]
                    + [f"too close to rank: its interval reaches rank {below.rank}'s" if close else ""])
    return rows


def _sensitivity_table(part, sobol):
    """One output's table, or the line that says why it has no indices."""
    own = part[part["rank"] > 0]
    if own.empty:
        why = next((str(w).strip() for w in part["missing"] if str(w).strip()), "no reason recorded")
        return f"<p>No indices: {esc(why.rstrip('.'))}.</p>"
    measures = ["ST [95% CI]", "S [95% CI]"] if sobol else ["μ* [95% CI]", "μ", "σ"]
    head = [["rank", "group"] + [Cell(esc(h), 1, "num") for h in measures] + ["note"]]
    return table_html(head, _sensitivity_rows(own, own["unit"].iloc[0], sobol))


def _sensitivity_caption(data, method):
    morris = ("Morris elementary effects. The bar is μ*, the mean absolute change in the output when the assumption "
              "moves across its whole range (low to high), the others held where the design put them: the longer, "
              "the more that assumption decides the answer. The diamond is μ, the same change with its sign: near "
              "μ* it goes one way, near zero the assumption pushes both ways. σ (tables) is the spread of those "
              "changes: large beside μ*, the assumption acts through interactions with others or non-linearly. ")
    sobol = ("Sobol indices. The wide bar is the total index ST, the share of the output's variance the assumption "
             "takes part in, alone or with others; the thin bar is the first-order index S, the share it explains "
             "alone; a gap between them is interaction. Shares run from 0 to 1; estimates from few samples can "
             "fall outside. ")
    return ({"morris": morris, "sobol": sobol}.get(method, morris + sobol)
            + "Whiskers and brackets: 95% bootstrap intervals. Each design row's output is the mean of the run's "
            f"{data.replications} replication(s) on the same simulated patients, so the Monte Carlo noise is in the "
            "rows and in these intervals: more replications narrow them. Too close to rank: the interval of the "
            "ranking measure (" + ("ST" if method == "sobol" else "μ*") + ") reaches the next group's, so their "
            "order is not settled.")


def _convergence_figure(data):
    """The convergence chart, when the file has the table and it has more than one design size."""
    table = data.summaries.get("sensitivity_convergence")
    if table is None or table["size"].nunique() < 2:
        return ""
    table = table.assign(unit=[SENSITIVITY_UNITS.get(o) or data.unit(o) for o in table["output"]])
    sobol = table["total"].notna().any()
    caption = ("Would a smaller study have given the same answer? Each group's ranking index ("
               + ("ST" if sobol else "μ*") + ") computed from the first part of the design alone: the first "
               + ("eighth, quarter and half of the base samples" if sobol else "quarter and half of the trajectories")
               + ", then all of them (the table above). Lines that level off and stay apart have settled; lines "
               "still moving or crossing at the right would move again with a larger design.")
    return figure_html(convergence_chart(table), "the sensitivity indices as the design grows", esc(caption))


def section_sensitivity(data):
    table = data.summaries.get("sensitivity")
    if table is None:
        return None
    table = table.assign(unit=[SENSITIVITY_UNITS.get(o) or data.unit(o) for o in table["output"]])
    method = study_method(table)
    ranked = table[table["rank"] > 0]
    caption = esc(_sensitivity_caption(data, method))
    body = figure_html(sensitivity_chart(ranked), "sensitivity of each output to the study's assumptions",
                       caption) if len(ranked) else f"<p>{caption}</p>"
    for output, part in table.groupby("output", sort=False):
        body += f"<h3>{esc(output)}</h3>" + _sensitivity_table(part, method == "sobol")
    body += _convergence_figure(data)
    tables = ", ".join(t for t in data.summaries if t != "sensitivity")
    body += (f"<p>A study's {data.n_points} points are its design rows (Design rows, under Scenario and "
             "provenance), so the sections that compare points (paired differences, the multiplier's waterfalls, "
             "the tornado chart) are left out and the others show the baseline point only; every row's results "
             f"are in the file's /summary tables ({esc(tables)}).</p>")
    return Section("sensitivity", "Sensitivity: which assumptions decide the answer", body)


def _trend_title(data, metric):
    rule = data.over_months(metric)
    when = "in the month" if rule == "sum" else "at the month end" if rule == "last" else "monthly"
    return f"{metric} ({when})"


def section_national_trends(data):
    metrics = [m for m in TRENDS if data.has(m)]
    if not metrics or not data.finished.any():
        return None
    shown = featured_points(data, MAX_OVERLAID_POINTS)
    order = [data.labels[p] for p in shown]
    panels = []
    for metric in metrics:
        frame = data.national(metric)
        frame = frame[frame["point"].isin(shown)].rename(columns={"label": "series"})
        panels.append((_trend_title(data, metric), data.unit(metric), frame))
    fig = fan_chart_panels(panels, order)
    caption = ("National series by month, every trust summed (or averaged, as the metric catalogue says): median "
               "line, 50% band (quartiles) and 90% band (5% to 95%) over the finished replications of each point."
               + shown_note(shown, data.n_points))
    return Section("national-trends", "National trends",
                   figure_html(fig, "fan charts of national headline metrics by month", esc(caption)))


def _trusts_to_show(data, frame, metric):
    """All trusts up to MAX_TRUST_PANELS, else the half with the largest and half with the smallest
    median whole-run value at the baseline (at the points shown if the baseline has no finished
    task), and the sentence that says so."""
    names = list(data.trusts["name"])
    if len(names) <= MAX_TRUST_PANELS:
        return names, ""
    base = frame[frame["point"] == data.baseline]
    where = "at the baseline" if len(base) else "at the points shown"
    base = base if len(base) else frame
    if base.empty:
        return names[:MAX_TRUST_PANELS], f" The first {MAX_TRUST_PANELS} of {len(names)} trusts."
    medians = data.run_values(base, metric, ("trust", "point", "replication")).groupby("trust").median()
    medians = medians.sort_values()
    half = MAX_TRUST_PANELS // 2
    chosen = list(medians.index[-half:][::-1]) + list(medians.index[:half][::-1])
    note = (f" {MAX_TRUST_PANELS} of {len(names)} trusts: the {half} with the largest and the {half} with the "
            f"smallest median whole-run {metric} {where}, largest first.")
    return chosen, note


def section_trust_trends(data):
    metrics = [m for m in TRUST_TRENDS if data.has(m, "trust_month")]
    if not metrics:
        note = "<p>This file has national series only (output.detail: national): no per-trust results.</p>"
        return Section("trusts", "Trusts", note)
    if not data.finished.any():
        return None
    shown = featured_points(data, 2)
    order = [data.labels[p] for p in shown]
    body = ""
    for metric in metrics:
        frame = data.trust(metric)
        frame = frame[frame["point"].isin(shown)]
        trusts, note = _trusts_to_show(data, frame, metric)
        panels = [(t if len(t) <= 38 else t[:36] + "…", data.unit(metric),
                   frame[frame["trust"] == t].rename(columns={"label": "series"})) for t in trusts]
        fig = fan_chart_panels(panels, order, ncols=3 if len(panels) > 4 else 2, width=11)
        caption = (f"{_trend_title(data, metric)} by trust: median, 50% and 90% bands over replications"
                   f" ({', '.join(order)}).{note}")
        body += figure_html(fig, f"fan charts of {metric} by trust", esc(caption))
    return Section("trusts", "Trusts", body)


def section_deficit_distribution(data):
    if not data.has("cumulative_deficit") or not data.finished.any():
        return None
    frame = data.national("cumulative_deficit")
    frame = frame[frame["month"] == frame["month"].max()]
    shown = featured_points(data, 30)
    order = [data.labels[p] for p in shown]
    frame = frame[frame["point"].isin(shown)]
    fig = distribution_chart(frame, order, "GBP", "cumulative deficit at the end, all trusts")
    body = []
    for p in shown:
        values = frame.loc[frame["point"] == p, "value"].to_numpy()
        if values.size == 0:
            body.append([data.labels[p], "0", num("no finished replication"), num("n/a")])
            continue
        q = np.quantile(values, [0.05, 0.5, 0.95])
        body.append([data.labels[p], str(values.size), num(interval_text(q[1], q[0], q[2], "GBP")),
                     probability_cell(float(np.mean(values > 0)))])
    table = table_html([["point", "replications", Cell("median [90% interval]", 1, "num"),
                         Cell("in deficit", 1, "num")]], body)
    caption = ("Cumulative deficit of all trusts together at the last reported month, one dot per replication; "
               "violin where there are eight or more; box: quartiles and median. In deficit: the share of "
               "replications whose cumulative deficit is above zero." + shown_note(shown, data.n_points))
    return Section("deficit-distribution", "Cumulative deficit at the end",
                   figure_html(fig, "distribution of the cumulative deficit at the end by point", esc(caption)) + table)


def _paired_frame(data, metrics, points):
    paired = data.summaries.get("paired_differences")
    if paired is None or paired.empty:
        return pd.DataFrame()
    frame = paired[paired["metric"].isin(metrics) & paired["point"].isin(points)].copy()
    frame = frame[frame["replications"] > 0]  # a point with no pair finished at both has nothing to show
    frame["metric"] = pd.Categorical(frame["metric"], [m for m in metrics if m in set(frame["metric"])])
    frame = frame.sort_values(["metric", "point"])
    frame["metric"] = frame["metric"].astype(str)
    return frame


def section_paired_differences(data):
    points = [p for p in featured_points(data, MAX_POINTS_SHOWN + 1) if p != data.references[p]]
    frame = _paired_frame(data, HEADLINE, points)
    if frame.empty:
        return None
    frame["label"] = [compare_label(data, p) for p in frame["point"]]
    # A metric no point changes at all would be a panel of dots on zero: name it instead.
    moved = frame.groupby("metric", sort=False)[["mean", "ci95_low", "ci95_high"]].apply(
        lambda g: bool((g.fillna(0.0) != 0.0).to_numpy().any()))
    unmoved = [m for m, changed in moved.items() if not changed]
    drawn = frame[~frame["metric"].isin(unmoved)]
    body = []
    for _, r in frame.iterrows():
        reduction = "identical in every pair" if np.isinf(r["variance_reduction"]) else \
            f"x{r['variance_reduction']:.1f}" if np.isfinite(r["variance_reduction"]) else "n/a"
        body.append([r["label"], r["metric"],
                     num(interval_text(r["mean"], r["ci95_low"], r["ci95_high"], r["unit"],
                                       data.integer(r["metric"]), signed=True)),
                     num(reduction), num(str(int(r["replications"])))])
    table = table_html([["point", "metric", Cell("mean [95% CI]", 1, "num"),
                         Cell("CRN variance reduction", 1, "num"), Cell("pairs", 1, "num")]], body)
    if len(body) > 40:
        table = details(f"The table ({len(body)} rows)", table)
    caption = (f"Each point's whole-run national value minus that of {against_text(data)}, replication by replication "
               "(the same simulated patients at both): mean and 95% confidence interval, from "
               "/summary/paired_differences. The variance reduction says how many times more replications "
               "independent sampling would need for the same interval."
               + (f" Identical at every point, so not drawn: {', '.join(unmoved)}." if unmoved else "")
               + shown_note(points, data.n_points - 1))
    figure = figure_html(paired_difference_chart(drawn), "forest plot of paired differences",
                         esc(caption)) if len(drawn) else f"<p>{esc(caption)}</p>"
    heading = "Paired differences from the reference points" if paired_within(data) else \
        "Paired differences from the baseline"
    return Section("paired-differences", heading, figure + table)


def _multiplier_row_html(data, r):
    def money(column):
        return num(interval_text(r[column], r[column + "_low"], r[column + "_high"], "GBP", signed=True))
    multiplier = interval_text(r["multiplier"], r["multiplier_low"], r["multiplier_high"], "fraction")
    if not np.isfinite(r["multiplier"]):
        multiplier = ("not defined: differs in " + r["differs_in"]) if r.get("differs_in") else \
            "not defined: no first-round fines"
    return [compare_label(data, int(r["point"])), num(multiplier), money("delta_deficit")] + \
        [money(c) for c, _, _ in MULTIPLIER_PARTS] + \
        [num(probability_text(r["share_deepened"])), num(str(int(r["replications"])))]


def section_multiplier(data):
    if data.format_version < 2 and "deficit_multiplier" in data.summaries:
        old = data.summaries["deficit_multiplier"]
        body = ("<p>A format 1 file: its first-round fines are unknown, so it has no multiplier in parts. Its "
                "/summary/deficit_multiplier (extra deficit over every extra fine levied) as stored:</p>"
                + table_html([list(old.columns)], [[f"{v:.6g}" if isinstance(v, float) else str(v) for v in row]
                                                   for row in old.itertuples(index=False)]))
        return Section("multiplier", "The deficit multiplier of fines", body)
    table = data.summaries.get("multiplier")
    if table is None or table.empty:
        return None
    # Points with a multiplier first (a change of sanctions alone), then the largest extra deficits.
    ranked = table[table["replications"] > 0].assign(
        key=lambda t: list(zip(~np.isfinite(t["multiplier"]), -t["delta_deficit"].abs())))
    shown = ranked.sort_values("key").head(MAX_WATERFALLS).sort_values("point").reset_index(drop=True)
    titles = []
    for _, r in shown.iterrows():
        m = (f"multiplier {interval_text(r['multiplier'], r['multiplier_low'], r['multiplier_high'], 'fraction')}"
             if np.isfinite(r["multiplier"]) else "no multiplier: not a change of sanctions alone"
             if r.get("differs_in") else "no multiplier: no first-round fines")
        titles.append(f"{compare_label(data, int(r['point']))}\n{m}")
    head = [["point", Cell("multiplier [95% CI]", 1, "num"), Cell("extra deficit", 1, "num")]
            + [Cell(esc(label), 1, "num") for _, label, _ in MULTIPLIER_PARTS]
            + [Cell("deepened", 1, "num"), Cell("pairs", 1, "num")]]
    rows = [_multiplier_row_html(data, r) for _, r in table.head(200).iterrows()]
    caption = (f"The extra cumulative deficit of each point against {against_text(data)} at the end, in its "
               "parts: first-round fines (the point's sanctions on the reference's own breaches, less the reference's "
               "fines: the bill if nobody responded) + induced fines (on the breaches the response added) + lost "
               "income + cost change + interest - fines returned to trusts = extra deficit. Means over paired "
               "replications; whiskers: each part's own 95% interval. The multiplier is the extra deficit per pound "
               "of first-round fines, given only where a point differs from its reference in its sanctions alone "
               "(results/FORMAT.md)."
               + (f" {len(shown)} of the {len(table)} points are drawn: those with a multiplier first, then those "
                  "with the largest extra deficit." if len(shown) < len(table) else ""))
    figure = figure_html(waterfall_chart(shown, titles), "waterfall of the extra deficit in its parts",
                         esc(caption)) if len(shown) else f"<p>{esc(caption)} No point has a finished pair.</p>"
    return Section("multiplier", "The deficit multiplier of fines",
                   figure + "<p>mean [95% CI] over paired replications; deepened: share of replications whose cumulative "
                     "deficit the point deepened.</p>" + table_html(head, rows, "wide"))


def section_tornado(data):
    if data.n_points <= 2 and len(data.swept) <= 1:
        return None
    points = [p for p in range(data.n_points) if p != data.baseline]
    frame = _paired_frame(data, TORNADO, points)
    if frame.empty:
        return None
    frame["label"] = [compare_label(data, p) for p in frame["point"]]
    frame = (frame.assign(size=frame["mean"].abs()).sort_values("size", ascending=False)
             .groupby("metric", sort=False).head(MAX_TORNADO_BARS))
    frame["metric"] = pd.Categorical(frame["metric"], [m for m in TORNADO if m in set(frame["metric"])])
    frame = frame.sort_values("metric")
    frame["metric"] = frame["metric"].astype(str)
    fig = tornado_chart(frame)
    caption = ("The effect on headline whole-run outcomes of each point's difference from the baseline (named by "
               "the swept values it changes), mean paired difference with its 95% interval, largest on top"
               + (f"; the {MAX_TORNADO_BARS} largest of {len(points)} per metric" if len(points) > MAX_TORNADO_BARS
                  else "") + ". Red: the outcome rises; green: it falls.")
    return Section("tornado", "Sensitivity: tornado chart",
                   figure_html(fig, "tornado chart of effects on headline outcomes", esc(caption)))


def _plans_table(data, plans, point_name):
    part = plans[plans["point"] == point_name]
    years = list(dict.fromkeys(part["financial_year"]))
    months = part.groupby("financial_year")["months"].max()
    head = [[""] + [Cell(esc(y + ("" if months[y] >= 12 else f" ({months[y]} of 12 months)")), 3) for y in years],
            ["trust"] + [Cell(t, 1, "num") for _ in years for t in ("CT met", "CIP full", "CIP mean")]]
    body = []
    for trust in dict.fromkeys(part["trust"]):
        rows = part[part["trust"] == trust].set_index("financial_year")
        cells = [trust]
        for y in years:
            r = rows.loc[y]
            cells += [probability_cell(r["control_total_met_probability"]),
                      probability_cell(r["cip_in_full_probability"]), num(format_value(r["cip_delivered_share_mean"],
                                                                                      "fraction"))]
        body.append(cells)
    means = part.groupby("financial_year")[["control_total_met_probability", "cip_delivered_share_mean"]].mean()
    body.append([Cell("<strong>all trusts</strong>")] + [c for y in years for c in (
        probability_cell(means.at[y, "control_total_met_probability"]), num(""),
        num(format_value(means.at[y, "cip_delivered_share_mean"], "fraction")))])
    return table_html(head, body, "wide"), len(body) - 1, int(part["replications"].max())


def point_heading(data, p):
    """A point's name as the plans and footprints tables head it, the baseline marked."""
    return f"{esc(data.points['name'][p])}{' (baseline)' if p == data.baseline else ''}"


def section_plans(data):
    plans = data.summaries.get("plan_delivery")
    if plans is None or plans.empty:
        return None
    shown = featured_points(data, MAX_PLAN_POINTS)
    body = ("<p>By financial year, over the finished replications: <b>CT met</b>, the probability the trust met "
            "its control total (year-to-date surplus at the year's last reported month, pro rata for a partial "
            "year); <b>CIP full</b>, the probability it delivered its cost improvement plan in full; <b>CIP "
            "mean</b>, the mean share of the plan delivered (docs/management.md). All trusts: the mean share of "
            "trusts meeting the control total." + shown_note(shown, data.n_points) + "</p>")
    for p in shown:
        table, trusts, reps = _plans_table(data, plans, data.points["name"][p])
        title = f"{point_heading(data, p)}, {reps} replications"
        if trusts > MAX_TRUST_PANELS:
            body += f"<h3>{title}</h3>" + details(f"{trusts} trusts: show the table", table)
        else:
            body += f"<h3>{title}</h3>" + table
    return Section("plans", "Plans delivered", body)


def _footprint_rows(data, table, members, point_name):
    rows = []
    part = table[table["point"] == point_name]
    for _, r in part.iterrows():
        rows.append([r["footprint"], r["financial_year"], num(format_value(r["plan"], "GBP")),
                     num(interval_text(r["outturn_mean"], r["outturn_ci95_low"], r["outturn_ci95_high"], "GBP")),
                     probability_cell(r["delivered_probability"]), probability_cell(r["trusts_all_met_probability"]),
                     probability_cell(r["delivered_while_a_trust_missed_probability"]),
                     probability_cell(r["missed_while_every_trust_met_probability"])])
        if members is not None:
            own = members[(members["point"] == point_name) & (members["footprint"] == r["footprint"])
                          & (members["financial_year"] == r["financial_year"])]
            for _, m in own.iterrows():
                rows.append([Cell("&nbsp;&nbsp;" + esc(m["trust"]), 2, "member"), num(""), num(""),
                             probability_cell(m["control_total_met_probability"]), num(""), num(""), num("")])
    return rows


def section_footprints(data):
    table = data.summaries.get("footprints")
    if table is None or table.empty:
        return None
    members = data.summaries.get("footprint_trusts")
    head = [["footprint", "year", Cell("plan", 1, "num"), Cell("outturn mean [95% CI]", 1, "num"),
             Cell("delivered", 1, "num"), Cell("every trust met", 1, "num"),
             Cell("delivered, a trust missed", 1, "num"), Cell("missed, every trust met", 1, "num")]]
    shown = featured_points(data, MAX_PLAN_POINTS)
    body = ("<p>Footprints group trusts with their commissioners, whose plans must balance together "
            "(docs/sources.md §5). Plan: the trusts' control totals plus the commissioners' planned surpluses; "
            "outturn: the trusts' surplus plus the commissioners' allocation less what they paid; delivered: the "
            "probability the outturn reached the plan. Under each footprint, each member trust's probability of "
            "meeting its own control total, in the delivered column." + shown_note(shown, data.n_points) + "</p>")
    for p in shown:
        body += f"<h3>{point_heading(data, p)}</h3>"
        body += table_html(head, _footprint_rows(data, table, members, data.points["name"][p]), "wide")
    return Section("footprints", "Footprint plans", body)


# -- league tables --------------------------------------------------------------------------------

def _league_configured(config):
    """Whether the regulator ranks trusts: in its own section or in a regime switched on."""
    sections = [config.get("regulator") or {}] + [r.get("regulator") or {} for r in config.get("regimes") or []]
    return any((s.get("league_table") or {}).get("enabled") for s in sections)


def _quarter_ends(data):
    """(month index, label) of each quarter's last reported month."""
    months = data.months
    ends = months.groupby(["financial_year", "fy_quarter"], sort=False)["index"].max()
    return [(int(i), f"{fy} Q{q}") for (fy, q), i in ends.items()]


def _league_arrays(data):
    """ranks and segments [point][replication][trust][quarter] at quarter ends where ranked
    (NaN for unfinished tasks), quarter labels and the points that ranked."""
    if not (data.has("league_rank", "trust_month") and data.has("league_segment", "trust_month")):
        return None
    ends = _quarter_ends(data)
    index = [i for i, _ in ends]
    out = []
    for metric in ("league_rank", "league_segment"):
        frame = data.trust(metric)
        frame = frame[frame["month"].isin(index)]
        trust_index = {t: i for i, t in enumerate(data.trusts["name"])}
        array = np.full(data.finished.shape + (len(data.trusts), len(index)), np.nan)
        array[frame["point"].to_numpy(), frame["replication"].to_numpy(),
              frame["trust"].map(trust_index).to_numpy(), [index.index(m) for m in frame["month"]]] = frame["value"]
        out.append(array)
    ranks, segments = out
    ranked_quarters = np.nanmax(np.nan_to_num(ranks, nan=0.0), axis=(0, 1, 2)) > 0
    points = [p for p in range(data.n_points) if np.nanmax(np.nan_to_num(ranks[p], nan=0.0), initial=0) > 0]
    if not points or not ranked_quarters.any():
        return None
    labels = [label for (_, label), keep in zip(ends, ranked_quarters) if keep]
    return ranks[..., ranked_quarters], segments[..., ranked_quarters], labels, points


def luck_table(ranks):
    """Per quarter, from ranks [replication][trust][quarter] of one point: the mean standard deviation
    of a trust's rank over replications, and the share of all rank variance that is within trusts
    (0: every replication ranks every trust the same; near 1: the ranks are a lottery)."""
    rows = []
    for q in range(ranks.shape[2]):
        x = ranks[:, :, q]
        x = x[~np.isnan(x).any(axis=1)]
        if x.shape[0] < 2:
            rows.append((np.nan, np.nan, np.nan))
            continue
        within = x.var(axis=0, ddof=1).mean()
        total = x.var(ddof=1)
        wide = np.mean(np.quantile(x, 0.95, axis=0) - np.quantile(x, 0.05, axis=0) >= x.shape[1] / 2)
        rows.append((float(np.sqrt(x.var(axis=0, ddof=1)).mean()), float(within / total) if total > 0 else np.nan,
                     float(wide)))
    return rows


def _median_replication(ranks):
    """The replication whose ranks are closest to the median ranks (sum of absolute differences)."""
    finished = [r for r in range(ranks.shape[0]) if not np.isnan(ranks[r]).any()]
    median = np.median(ranks[finished], axis=0)
    return min(finished, key=lambda r: np.abs(ranks[r] - median).sum())


def section_league(data):
    arrays = _league_arrays(data)
    if arrays is None:
        if _league_configured(data.config()) and not data.trust_detail:
            return Section("league", "League tables", "<p>The regulator ranks trusts here, but a file with national "
                           "series only has no per-trust ranks to show.</p>")
        return None
    ranks, segments, quarters, points = arrays
    p = data.baseline if data.baseline in points else points[0]
    names = list(data.trusts["name"])
    rep = _median_replication(ranks[p])
    last = ranks[p][:, :, -1]
    done = ~np.isnan(last).any(axis=1)
    # Trusts by median rank in the last quarter, ties broken by the mean rank.
    median_last = pd.Series(np.median(last[done], axis=0) + 1e-6 * np.mean(last[done], axis=0),
                            index=names).sort_values(kind="stable")
    highlight = list(median_last.index) if len(names) <= MAX_TRUST_PANELS else \
        list(median_last.index[:MAX_TRUST_PANELS // 2]) + list(median_last.index[-(MAX_TRUST_PANELS // 2):])
    bump = pd.DataFrame([(names[t], quarters[q], ranks[p, rep, t, q]) for t in range(len(names))
                         for q in range(len(quarters))], columns=["trust", "quarter", "rank"])
    body = (f"<p>The regulator's quarterly league table at point {esc(data.points['name'][p])}: rank 1 is the best; "
            "segments 1 (best) to 4, 5 for intensive support (docs/sources.md §6).</p>")
    note = "" if len(names) <= MAX_TRUST_PANELS else \
        (f" Coloured: the {len(highlight)} trusts with the best and worst median rank in the last quarter; "
         "grey: the rest.")
    body += figure_html(bump_chart(bump, highlight), "bump chart of league rank by quarter",
                        esc(f"Rank by quarter in replication {rep}, the replication whose ranks are closest to the "
                            f"median ranks over replications.{note}"))
    spread = pd.DataFrame([(names[t], r, last[r, t]) for r in np.flatnonzero(done) for t in range(len(names))],
                          columns=["trust", "replication", "rank"])
    seg = pd.DataFrame([(names[t], r, int(segments[p, r, t, -1])) for r in np.flatnonzero(done)
                        for t in range(len(names))], columns=["trust", "replication", "segment"])
    body += figure_html(rank_spread_chart(spread, list(median_last.index)), "rank over replications by trust",
                        esc(f"Each trust's rank in {quarters[-1]} over {int(done.sum())} replications: median (dot), "
                            "50% range (dark) and 90% range (light). The same trust, the same policies, only the "
                            "random draws differ: the spread is the luck in the table."))
    body += figure_html(segment_chart(seg, list(median_last.index)), "oversight segment shares by trust",
                        esc(f"Share of replications placing each trust in each segment in {quarters[-1]}."))
    body += _luck_html(data, ranks, quarters, points)
    return Section("league", "League tables", body)


def _luck_html(data, ranks, quarters, points):
    head = [["point", "quarter", Cell("mean SD of a trust's rank", 1, "num"),
             Cell("share of rank variance that is luck", 1, "num"),
             Cell("trusts whose 90% range spans half the table", 1, "num")]]
    body = []
    for p in [q for q in featured_points(data, MAX_PLAN_POINTS) if q in points]:
        for quarter, (sd, share, wide) in zip(quarters, luck_table(ranks[p])):
            body.append([data.labels[p], quarter, num(format_value(sd, "")), num(format_value(share, "fraction")),
                         probability_cell(wide) if np.isfinite(wide) else num("n/a")])
    return ("<h3>How much of the table is luck</h3><p>Over replications (the same trusts and policies, other random "
            "draws): the mean standard deviation of a trust's rank; the share of the variance of all ranks that is "
            "within trusts, 0 if every replication ranked every trust the same and about 1 if the ranks were drawn "
            "by lot; and the share of trusts whose 90% range of ranks covers half the table or more. It needs two "
            "replications or more.</p>" + table_html(head, body))


# -- the model description (STRESS-DES) -----------------------------------------------------------

def section_model(data):
    """STRESS-DES (Monks et al. 2019, Journal of Simulation 13(1):55-67): objectives, logic, data,
    experimentation, implementation, code access; from the file where it can, else fixed text that
    describes the model (README.md, docs/architecture.md, docs/management.md)."""
    items = _stress_objectives(data) + _stress_logic(data) + _stress_data(data) + _stress_experimentation(data) \
        + _stress_implementation(data)
    body = ("<p>Reported in the structure of STRESS-DES, the guideline for reporting discrete-event simulation "
            "studies (Monks T, Currie CSM, Onggo BS, Robinson S, Kunc M, Taylor SJE. Strengthening the reporting of "
            "empirical simulation studies: introducing the STRESS guidelines. <i>Journal of Simulation</i> "
            "2019;13(1):55–67). Values come from this file; the description of the model from the pages cited, "
            "which give the detail and the source of every default.</p>")
    rows = [[Cell(esc(n), 1, "item"), Cell(esc(title)), Cell(text)] for n, title, text in items]
    body += table_html([["", "item", "this study"]], rows, "stress")
    body += _metrics_catalogue(data)
    return Section("model", "Model description (STRESS-DES)", body)


def _stress_objectives(data):
    swept = ", ".join(code(c) for c in data.swept) or "nothing (one scenario)"
    method = (study_method(data.summaries["sensitivity"]) or "") if data.study else ""
    return [
        ("1.1", "Purpose of the model",
         "To estimate what performance fines and incentives do to English NHS acute trusts once trusts, "
         "commissioners and the regulator respond: whether fines deepen deficits by more or less than their face "
         "value (the deficit multiplier of fines) and what they do to waits (README.md; docs/sources.md §1)."),
        ("1.2", "Model outputs",
         f"{len(data.metrics)} metrics by month, per trust and nationally (the catalogue below: breaches of each "
         "standard, waiting lists, activity, income, costs, fines and where they went, surplus, cumulative deficit, "
         "debt, management and regulator states); over replications, medians with 90% intervals, means with 95% "
         "confidence intervals, paired differences from the baseline point, the extra deficit in its parts with the "
         "multiplier, and the probability each trust and footprint delivers its financial plan (results/FORMAT.md)."),
        ("1.3", "Experimentation aims",
         f"{data.n_points} design rows of a {esc(method.capitalize())} sensitivity study varying {swept}, on the "
         "same simulated patients: how much each assumption decides each output (Sensitivity section)."
         if data.study else
         f"{data.n_points} point(s) varying {swept}, each compared with the baseline "
         f"{code(data.points['name'][data.baseline])} on the same simulated patients."),
    ]


def _stress_logic(data):
    loop = ("A&amp;E arrivals and referrals → queues for clinicians, beds, theatre and clinic slots → waits → "
            "breaches of the standards → fines, unpaid activity, incentive money → income and expenditure → "
            "surplus or deficit, cash, loans, interest → management response (agency cover, recruitment, "
            "sessions) → next month's capacity → waits …")
    return [
        ("2.1", "Base model overview diagram", f'<p class="loop">{loop}</p>(docs/sources.md §1; the month as the '
         "code runs it: docs/architecture.md, \"A month, as the code runs it\")"),
        ("2.2", "Base model logic",
         "Every trust simulates its patients one by one on its own event calendar to each month end: A&amp;E "
         "arrivals by hour, weekday and month, a rostered clinician queue, admission to a shared pool of general "
         "and acute beds emptied in the day (exit block and 12-hour trolley waits overnight); planned care on the "
         "referral-to-treatment pathway with stages before the list, theatre and clinic sessions, cancellations, "
         "validation and lost pathways; the urgent cancer pathway; readmissions; staff groups with vacancies, "
         "sickness and agency cover. Trusts interact only at month ends, when each month is settled in named "
         "stages: measure, earn, spend, fine (and send the fines to their destination), pools and incentive fund, "
         "commissioners, balance sheet, management, footprints, oversight (docs/architecture.md)."),
        ("2.3", "Scenario logic", _scenario_logic(data)),
        ("2.4", "Algorithms",
         "Management (docs/management.md): cost control while the accrued year-to-date surplus is more than 1% of "
         "income behind plan (halves agency cover, freezes recruitment for at most six months, never below the "
         "safe-staffing floors); protecting performance while A&amp;E or the waiting list misses its standard "
         "(buys agency cover and theatre sessions unless 2% behind plan). Fines under each scheme's counting rule, "
         "caps and waivers (docs/sources.md §3); cost improvement with diminishing returns, part of it taken as "
         "posts; league-table ranking and segmentation (docs/sources.md §6). First-round fines: at the baseline, "
         "every point's sanctions levied in the shadow on the baseline's own breaches (results/FORMAT.md)."),
        ("2.5", "Components",
         "<b>Entities:</b> patients (A&amp;E attendances, RTT pathways, cancer pathways), trusts, commissioners, "
         "the regulator. <b>Activities:</b> A&amp;E treatment, bed stays, operations and clinic appointments. "
         "<b>Resources:</b> A&amp;E clinicians by rostered hour and cubicles, general and acute beds, theatre and "
         "clinic sessions, staff groups (A&amp;E clinicians, ward nurses, theatre teams). <b>Queues:</b> A&amp;E "
         "first come first served; beds first come first served (planned admissions take a bed only if one is "
         "free); the waiting list in the configured order (clinical priority then first come first served by "
         "default). <b>Entry and exit:</b> non-homogeneous Poisson arrivals and referrals; patients leave when "
         "discharged, treated, removed at validation or leaving the list untreated."),
    ]


def _scenario_logic(data):
    if not data.swept:
        return "One scenario: no sweep."
    base = data.points.iloc[data.baseline]
    items = "".join(
        f"<li>{esc(row['name'])}: " + ", ".join(f"{code(c)} = {code(row[c])}" for c in data.swept if row[c] != base[c])
        + "</li>" for p, row in data.points.head(12).iterrows() if p != data.baseline)
    more = f"<li>… {data.n_points - 12} more (Sweep points table)</li>" if data.n_points > 12 else ""
    return (f"Each point is the whole config with the swept paths ({', '.join(code(c) for c in data.swept)}) set to "
            f"its values; compared with the baseline it changes:<ul>{items}{more}</ul>")


def _stress_data(data):
    config = data.config()
    return [
        ("3.1", "Data sources",
         "Published NHS figures, contracts and guidance, each default's source named in configs/REFERENCE.md and "
         f"collected in docs/sources.md; this scenario's config: {code(data.attrs.get('config_file', '?'))}."),
        ("3.2", "Pre-processing",
         "None at run time: the model reads no patient-level data. Scenario generators "
         "(scripts/make_default_config.py, scripts/make_national_config.py) scale each trust's volumes to its "
         "A&amp;E attendances and document every spread."),
        ("3.3", "Input parameters", _input_parameters(data, config)),
        ("3.4", "Assumptions",
         "Values labelled <i>assumption</i> in configs/REFERENCE.md are choices, often calibrated, not sourced "
         "facts; the behavioural ones decide the answer most (management's bounds, docs/management.md; the "
         "sensitivity of the multiplier to them: README.md). Costs are in constant prices; beds are one pool, not "
         "wards by specialty."),
    ]


def _input_parameters(data, config):
    trusts = data.trusts
    parts = [f"{len(trusts)} trust(s)" + (f" in {trusts['region'].nunique()} region(s)" if "region" in trusts else "")]
    schemes = data.res.schemes()
    if len(schemes):
        rates = config.get("schemes", {}) or {}
        parts.append("fine schemes: " + ", ".join(
            f"{esc(s.name)} ({esc(s.type)}, {esc(s.destination)}"
            + (f", £{rates[s.name]['rate_gbp']}" if isinstance(rates.get(s.name), dict) and 'rate_gbp' in rates[s.name]
               else "") + ")" for s in schemes.itertuples()))
    else:
        parts.append("no fine schemes")
    policies = []
    for policy in ("cost_control", "protect_performance", "reinvest_fines"):
        on = sum(bool(((t.get("management") or {}).get(policy) or {}).get("enabled")) for t in config.get("trusts", []))
        if config.get("trusts"):
            policies.append(f"{policy} in {on} of {len(config['trusts'])} trusts")
    if policies:
        parts.append("management at the baseline: " + ", ".join(policies))
    regimes = [r.get("name", "?") for r in (config.get("regimes") or [])]
    if regimes:
        parts.append("regimes switched on: " + ", ".join(esc(r) for r in regimes))
    if config.get("commissioners"):
        parts.append(f"{len(config['commissioners'])} commissioner(s)")
    footprints = data.res.footprints()
    if len(footprints):
        parts.append(f"{footprints['footprint'].nunique()} footprint(s)")
    trust_table = table_html([["trust", "region", "size class", Cell("A&amp;E arrivals a year", 1, "num")]],
                             [[t.name, t.region, t.size_class, num(f"{t.ed_arrivals_per_year:,.0f}")]
                              for t in trusts.itertuples()])
    return "; ".join(parts) + ". Every value: the resolved config (Scenario and provenance)." + \
        details(f"The {len(trusts)} trusts", trust_table)


def _stress_experimentation(data):
    a = data.attrs
    config = data.config().get("monte_carlo", {})
    adaptive = float(config.get("target_half_width", 0) or 0) > 0
    return [
        ("4.1", "Initialisation",
         f"{a.get('warmup_months', '?')} warm-up month(s) simulated before {a.get('first_month', '?')} and discarded; "
         "the waiting list starts at its configured size and age profile (elective.initial_list)."),
        ("4.2", "Run length", f"{a.get('months', '?')} reported months from {a.get('first_month', '?')} "
                              "(a terminating simulation over the financial years of interest)."),
        ("4.3", "Estimation approach",
         f"{data.replications} replication(s) per point" + (
             f", chosen by the replication calculator: batches until the 95% interval of {config.get('target_metric')}"
             f" was within ±{config.get('target_half_width')} at every point (at most {config.get('max_replications')})"
             if adaptive else "") + f", seed {a.get('seed', '?')}. Medians and 5%-95% quantiles over replications; "
         "means with Student-t 95% confidence intervals; differences between points paired by replication on "
         "common random numbers, with the variance reduction achieved; the multiplier's interval by the delta "
         "method (docs/sources.md §1)."),
    ]


def _stress_implementation(data):
    a = data.attrs
    return [
        ("5.1", "Software or programming language",
         f"breachsim {esc(a.get('breachsim_version', '?'))}, C++17 ({esc(a.get('build', '?'))}); libraries: "
         f"{esc(a.get('library_versions', '?'))}. This page: scripts/breachsim_report.py (Python, matplotlib)."),
        ("5.2", "Random sampling",
         "Counter-based Philox streams keyed by (seed, replication, trust, named purpose), so a patient has the "
         "same draws at every sweep point and results do not depend on threads; distributions written in the "
         "project so every machine draws the same numbers (docs/architecture.md)."),
        ("5.3", "Model execution",
         "Next-event time advance, events ordered by (time, priority, sequence); each trust its own event "
         "calendar, trusts synchronised at month ends; tasks (point, replication) run in parallel with oneTBB "
         f"({a.get('threads', '?')} thread(s) here), the outcomes identical whatever the threads, shards or MPI "
         "ranks."),
        ("5.4", "System specification",
         f"{esc(a.get('build', '?'))}; the file does not record the machine. Created "
         f"{esc(a.get('created_utc', '?'))}."),
        ("6", "Code access",
         f"breachsim {esc(a.get('breachsim_version', '?'))} at git commit {code(a.get('git_commit', '?'))} "
         "(a -dirty suffix: uncommitted changes), MIT licence (LICENSE); rerun with "
         f"{code(a.get('command_line', '?'))}, which gives the same outcomes for the same config and seed."),
    ]


def _metrics_catalogue(data):
    rows = [[m.name, m.unit, m.aggregation, m.over_months, m.description] for m in data.metrics.itertuples()]
    return details(f"The metric catalogue ({len(rows)} metrics, /metrics)",
                   table_html([["metric", "unit", "national", "over months", "description"]], rows, "catalogue"))


# -- the page -------------------------------------------------------------------------------------

# Results first; the model description, reference material, last.
SECTIONS = [section_provenance, section_headline, section_sensitivity, section_national_trends,
            section_trust_trends, section_deficit_distribution, section_paired_differences, section_multiplier,
            section_tornado, section_plans, section_footprints, section_league, section_model]
# The sections that compare points one by one: a sensitivity study's points are design rows, which
# its own section sums up.
COMPARING_SECTIONS = (section_paired_differences, section_multiplier, section_tornado)

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif;max-width:1150px;
 margin:0 auto;padding:1em 1.5em 4em;color:#1d1d1d;line-height:1.45;background:#fff}
h1{font-size:1.7em;margin-bottom:0.2em} h2{border-bottom:2px solid #ddd;margin-top:2.2em;padding-bottom:0.2em}
h3{margin-bottom:0.3em} .sub{color:#555;margin-top:0}
table{border-collapse:collapse;font-size:0.86em;margin:0.6em 0}
th,td{border:1px solid #d8d8d8;padding:2px 7px;text-align:left;vertical-align:top}
th{background:#f3f3f3} .num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
table.kv td:first-child{font-weight:600;white-space:nowrap} table.stress td.item{font-weight:600;white-space:nowrap}
td.member{color:#444} .note{color:#666;font-size:0.9em}
.banner{border:4px solid #b00000;background:#ffe8e8;padding:0.6em 1.2em;margin:1em 0 1.5em;font-size:1.05em}
.banner strong{color:#b00000;font-size:1.2em}
figure{margin:1em 0} figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:0.9em;color:#444;max-width:60em}
.scroll{overflow-x:auto;max-width:100%}
code,pre{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,monospace;font-size:0.88em}
pre.config{max-height:40em;overflow:auto;background:#f7f7f7;padding:0.6em;border:1px solid #ddd}
details{margin:0.6em 0} summary{cursor:pointer;color:#1f4f8f}
nav.toc{background:#f7f7f7;border:1px solid #e3e3e3;padding:0.4em 1em} nav.toc ol{margin:0.3em 0}
p.loop{font-style:italic}
@media print{details{display:block} .banner{break-inside:avoid} figure{break-inside:avoid}}
"""


def build_report(path):
    """The report of the result file at `path` as one self-contained HTML page (str)."""
    with open_report_data(path) as data, matplotlib.rc_context(STYLE):
        banner = completeness_banner(data)
        builds = [b for b in SECTIONS if not (data.study and b in COMPARING_SECTIONS)]
        sections = [s for s in (build(data) for build in builds) if s is not None]
        return _page(data, banner, sections)


def _page(data, banner, sections):
    a = data.attrs
    title = f"breachsim report: {a.get('scenario_name', '?')}"
    toc = "".join(f'<li><a href="#{s.anchor}">{esc(s.title)}</a></li>' for s in sections)
    body = "".join(f'<section id="{s.anchor}">\n<h2>{esc(s.title)}</h2>\n{s.body}</section>\n' for s in sections)
    trusts = f"{len(data.trusts)} trust{'s' if len(data.trusts) != 1 else ''}"
    subtitle = (f"Scenario <b>{esc(a.get('scenario_name', '?'))}</b>: {trusts}, {a.get('months', '?')} months from "
                f"{esc(a.get('first_month', '?'))}, {data.n_points} point(s) × {data.replications} replication(s); "
                f"file {code(os.path.basename(data.path))}, written {esc(a.get('created_utc', '?'))} by breachsim "
                f"{esc(a.get('breachsim_version', '?'))}. Page made "
                f"{datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')}.")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            f"<h1>{esc(title)}</h1>\n<p class=\"sub\">{subtitle}</p>\n{banner}"
            f"<nav class=\"toc\"><b>Contents</b><ol>{toc}</ol></nav>\n{body}</body>\n</html>\n")


# -- command line ---------------------------------------------------------------------------------

def write_atomically(out, text):
    """Writes OUT.partial beside OUT and renames it over OUT, so OUT is never half written."""
    partial = out + ".partial"
    with contextlib.suppress(FileNotFoundError):
        os.unlink(partial)  # a stale one from a killed report; unlink, never follow a symbolic link
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(partial, out)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(partial)
        raise


def _fault(exc):
    """One line for an unexpected error: what, and where in this script."""
    where = ""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == os.path.abspath(__file__)]
    if frames:
        where = f" (at breachsim_report.py:{frames[-1].lineno} in {frames[-1].name})"
    return f"{type(exc).__name__}: {exc}{where}"


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog=PROG, description="Write one self-contained HTML page (plots inside, no network) from a breachsim "
                               "result file.")
    parser.add_argument("file", help="result file (.h5)")
    parser.add_argument("--out", required=True, metavar="R.html", help="the page to write")
    parser.add_argument("--force", action="store_true", help="overwrite an existing OUT")
    args = parser.parse_args(argv)
    if not os.path.exists(args.file):
        print(f"{PROG}: {args.file}: no such file", file=sys.stderr)
        return 2
    if os.path.isdir(args.file):
        print(f"{PROG}: {args.file} is a directory, not a result file", file=sys.stderr)
        return 2
    if os.path.isdir(args.out):
        print(f"{PROG}: {args.out} is a directory; --out needs a file name", file=sys.stderr)
        return 2
    if os.path.lexists(args.out) and not args.force:
        print(f"{PROG}: {args.out} exists; --force to overwrite", file=sys.stderr)
        return 2
    start = time.monotonic()
    try:
        page = build_report(args.file)
    except (FileNotFoundError, br.ResultsFormatError, ReportInputError) as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a fault: one line, no traceback
        print(f"{PROG}: cannot build the report of {args.file}: {_fault(exc)}", file=sys.stderr)
        return 1
    try:
        write_atomically(args.out, page)
    except OSError as exc:
        print(f"{PROG}: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"{PROG}: wrote {args.out} ({len(page.encode('utf-8')) / 1e6:.1f} MB) in {time.monotonic() - start:.1f} s")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
