#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Draws the figure that answers a seed story's question (configs/stories/, docs/stories/) from
the story's result file.

    /usr/bin/python3 scripts/story_figures.py NAME RESULT.h5 [--out PNG]
    /usr/bin/python3 scripts/story_figures.py --list

NAME is the story (the config's file name without .yaml: fund_suspension, heavy_penalties,
league_tables, undeliverable_plans, coding_dispute); the default PNG is docs/stories/img/NAME.png
beside this script's repository. The result file is read through scripts/breachsim_results.py;
only finished tasks are used. The deficit waterfalls reuse scripts/breachsim_report.py's chart
when it is there, and draw their own otherwise. Run it with /usr/bin/python3 (Debian's
python3-matplotlib, python3-h5py, python3-numpy, python3-pandas, python3-scipy).

Exit codes: 0 the figure was written; 2 bad usage (an unknown story, a missing or unreadable
result file, a file of another story); 1 the figure could not be drawn or written.
"""

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

try:
    import numpy as np
    import pandas as pd
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    from matplotlib.figure import Figure
    from scipy import stats
    import breachsim_results as br
except ImportError as exc:  # one line, no traceback
    print(f"story_figures: {exc} (apt-get install python3-matplotlib python3-h5py python3-pandas "
          "python3-scipy; run with /usr/bin/python3)", file=sys.stderr)
    sys.exit(1)

STYLE = {"figure.dpi": 100, "savefig.dpi": 100, "font.size": 9, "axes.titlesize": 9.5,
         "axes.labelsize": 8.5, "legend.fontsize": 7.5, "xtick.labelsize": 8, "ytick.labelsize": 8,
         "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3,
         "figure.facecolor": "white"}
COLORS = ["#555555", "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd"]
SEGMENT_COLORS = ["#1a9850", "#91cf60", "#fee08b", "#fc8d59", "#d73027"]


class StoryError(Exception):
    """Bad usage: the file is not a result this story can be drawn from (exit code 2)."""


# -- reading ----------------------------------------------------------------------------------

class Story:
    """A story's result file, with outcomes limited to its finished tasks."""

    def __init__(self, res):
        self.res = res
        self.points = res.points()
        self.labels = list(self.points["name"]) if "name" in self.points else [str(p) for p in self.points["point"]]
        self.months = res.months()
        self.trusts = list(res.trusts()["name"])
        self.baseline = int(res.attrs().get("baseline_point", 0))
        progress = res.progress()
        self.done = progress[progress["complete"]][["point", "replication"]]
        if self.done.empty:
            raise StoryError(f"{res.path}: no finished task to draw from")

    def trust_month(self, metric):
        """Tidy trust-month outcomes of finished tasks, with the financial year."""
        frame = self.res.trust_month(metric).merge(self.done, on=["point", "replication"])
        frame = frame.merge(self.months[["index", "financial_year"]], left_on="month", right_on="index")
        return frame.drop(columns="index").dropna(subset=["value"])

    def national_month(self, metric):
        frame = self.res.national_month(metric).merge(self.done, on=["point", "replication"])
        return frame.dropna(subset=["value"])

    def totals(self, metric, year=None, trust=None, how="sum"):
        """One value per (point, replication): the metric over the run's months (or one financial
        year's) and its trusts (or one trust's), summed or averaged over months."""
        frame = self.trust_month(metric)
        if year is not None:
            frame = frame[frame["financial_year"] == year]
        if trust is not None:
            frame = frame[frame["trust"] == trust]
        per_month = frame.groupby(["point", "replication", "month"])["value"].sum()
        grouped = per_month.groupby(["point", "replication"])
        return grouped.sum() if how == "sum" else grouped.mean()

    def paired(self, metric, year=None, trust=None, how="sum", scale=1.0):
        """Per point but the baseline: the mean of (point - baseline) over the replications finished
        at both, with its 95% t interval. Columns point, label, mean, low, high, n."""
        values = self.totals(metric, year, trust, how).unstack("point") / scale
        rows = []
        for p in range(len(self.points)):
            if p == self.baseline or p not in values:
                continue
            d = (values[p] - values[self.baseline]).dropna().to_numpy()
            mean = d.mean() if d.size else np.nan
            half = stats.t.ppf(0.975, d.size - 1) * d.std(ddof=1) / np.sqrt(d.size) if d.size > 1 else np.nan
            if d.size > 1 and np.ptp(d) == 0:
                half = 0.0
            rows.append({"point": p, "label": self.labels[p], "mean": mean, "low": mean - half,
                         "high": mean + half, "n": d.size})
        return pd.DataFrame(rows)

    def mean_by(self, metric, keys, year=None, how="sum", scale=1.0):
        """The metric over months (a year's, or the run's) per replication and `keys` (a list of
        point, trust), then its mean over replications."""
        frame = self.trust_month(metric)
        if year is not None:
            frame = frame[frame["financial_year"] == year]
        per = frame.groupby(["point", "replication"] + [k for k in keys if k != "point"])["value"]
        per = per.sum() if how == "sum" else per.mean()
        return per.groupby(keys).mean() / scale

    def years(self):
        return list(dict.fromkeys(self.months["financial_year"]))


def open_story(path):
    if not os.path.isfile(path):
        raise StoryError(f"{path}: no such file")
    try:
        res = br.open_results(path)
    except (OSError, br.ResultsFormatError) as exc:
        raise StoryError(str(exc)) from None
    return res


# -- drawing helpers --------------------------------------------------------------------------

def new_figure(width, height):
    matplotlib.rcParams.update(STYLE)
    return Figure(figsize=(width, height), layout="constrained")


def forest(ax, frame, title, unit, colors=None):
    """Paired differences from the baseline as dots with 95% intervals, one row per point."""
    y = np.arange(len(frame))[::-1]
    for i, (_, row) in enumerate(frame.iterrows()):
        color = colors[i] if colors else "black"
        low = row["low"] if np.isfinite(row["low"]) else row["mean"]
        high = row["high"] if np.isfinite(row["high"]) else row["mean"]
        ax.errorbar(row["mean"], y[i], xerr=[[row["mean"] - low], [high - row["mean"]]], fmt="o",
                    color=color, ecolor=color, capsize=3, markersize=5, linewidth=1.2)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, frame["label"])
    ax.set_ylim(-0.6, len(frame) - 0.4)
    ax.set_title(title, loc="left")
    ax.set_xlabel(unit)
    ax.grid(axis="y", visible=False)


def bars_with_ci(ax, x, frame, width, color, label):
    """Bars at x of frame's means with their 95% intervals."""
    mean = frame["mean"].to_numpy()
    low = np.where(np.isfinite(frame["low"]), frame["low"], mean)
    high = np.where(np.isfinite(frame["high"]), frame["high"], mean)
    ax.bar(x, mean, width=width, color=color, label=label)
    ax.errorbar(x, mean, yerr=[mean - low, high - mean], fmt="none", ecolor="black", capsize=2, linewidth=0.9)


def short(name):
    """A trust's first word: the trusts of one story differ in it."""
    return name.split()[0]


# -- (a) the 2015/16 fines and their suspension for the fund -----------------------------------

def fund_suspension(story):
    year = story.years()[-1]
    points = range(len(story.points))
    fig = new_figure(10, 4.3)
    grid = fig.add_gridspec(2, 2, width_ratios=[1.5, 1])
    ax = fig.add_subplot(grid[:, 0])
    fines = story.mean_by("fines", ["point", "trust"], year, scale=1e6)
    incentives = story.mean_by("income_incentives", ["point", "trust"], year, scale=1e6)
    width = 0.8 / len(story.points)
    x = np.arange(len(story.trusts))
    for p in points:
        fund = np.array([incentives[(p, t)] - incentives[(story.baseline, t)] for t in story.trusts])
        paid = np.array([fines[(p, t)] for t in story.trusts])
        xs = x + (p - (len(story.points) - 1) / 2) * width
        ax.bar(xs, fund, width=width * 0.92, color=COLORS[p], label=story.labels[p])
        ax.bar(xs, -paid, width=width * 0.92, color=COLORS[p], alpha=0.45, hatch="///", edgecolor="white")
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(x, [short(t) for t in story.trusts])
    ax.set_ylabel(f"£m in {year}")
    ax.set_title(f"{year} by trust: fund received (up) and fines paid (down, hatched)", loc="left")
    ax.legend(loc="upper left", frameon=False)
    ax.grid(axis="x", visible=False)
    colors = [COLORS[p] for p in points if p != story.baseline]
    deficit = story.paired("surplus", year, scale=-1e6)
    forest(fig.add_subplot(grid[0, 1]), deficit, f"change in the three trusts' deficit, {year}",
           f"£m against '{story.labels[story.baseline]}' (95% CI)", colors)
    breaches = story.paired("ed_breaches_4h", year, scale=1e3)
    forest(fig.add_subplot(grid[1, 1]), breaches, f"change in four-hour breaches, {year}",
           "thousands of patients (95% CI)", colors)
    return fig


# -- (b) heavy penalties and where the money goes -----------------------------------------------

def _waterfall_titles(story, frame):
    titles = []
    for _, row in frame.iterrows():
        label = story.labels[int(row["point"])]
        if np.isfinite(row.get("multiplier", np.nan)):
            titles.append(f"{label}: multiplier {row['multiplier']:.2f} "
                          f"[{row['multiplier_low']:.2f}, {row['multiplier_high']:.2f}]")
        else:
            titles.append(label)
    return titles


def _own_waterfalls(frame, titles):
    parts = [("first_round_fines", "first-round fines", 1), ("induced_fines", "induced fines", 1),
             ("lost_income", "lost income", 1), ("cost_change", "cost change", 1),
             ("interest", "interest", 1), ("returned", "- returned to trusts", -1)]
    fig = new_figure(10, 6.6)
    axes = fig.subplots(2, 2).ravel()
    for ax, (_, row), title in zip(axes, frame.iterrows(), titles):
        running = 0.0
        for i, (column, _, sign) in enumerate(parts):
            value = sign * row[column] / 1e6
            ax.bar(i, value, bottom=running, color="#c0392b" if value > 0 else "#27ae60", width=0.65)
            running += value
        ax.bar(len(parts), row["delta_deficit"] / 1e6, color="#555555", width=0.65)
        lo, hi = row["delta_deficit_low"] / 1e6, row["delta_deficit_high"] / 1e6
        ax.errorbar(len(parts), row["delta_deficit"] / 1e6, yerr=[[row["delta_deficit"] / 1e6 - lo],
                    [hi - row["delta_deficit"] / 1e6]], color="black", capsize=3)
        ax.axhline(0, color="black", linewidth=0.8)
        ax.margins(y=0.08)
        ax.set_xticks(range(len(parts) + 1), [p[1] for p in parts] + ["= extra deficit"], rotation=35, ha="right")
        ax.set_ylabel("£m")
        ax.set_title(title, loc="left")
    for ax in axes[len(frame):]:
        ax.set_visible(False)
    return fig


def heavy_penalties(story):
    frame = story.res.summary("multiplier")
    if frame.empty:
        raise StoryError(f"{story.res.path}: no /summary/multiplier rows (a run of one point?)")
    titles = _waterfall_titles(story, frame)
    try:
        import breachsim_report as report
        matplotlib.rcParams.update(STYLE)
        fig = report.waterfall_chart(frame, titles=titles, ncols=2)
        fig.set_size_inches(10, 6.6)
    except (ImportError, AttributeError, KeyError, TypeError) as exc:  # the report's chart is not there
        print(f"story_figures: drawing the waterfalls here (breachsim_report: {exc})", file=sys.stderr)
        fig = _own_waterfalls(frame, titles)
    fig.suptitle("The extra cumulative deficit over two years against no fines, in its parts (95% CI)",
                 x=0.01, ha="left", fontsize=9.5)
    return fig


# -- (c) league tables, their consequences, the stigma and an agency ban ------------------------

def league_tables(story):
    fig = new_figure(10, 6.4)
    grid = fig.add_gridspec(2, 2)
    ax = fig.add_subplot(grid[0, 0])
    league = 1 if len(story.points) > 1 else story.baseline
    seg = story.trust_month("league_segment")
    seg = seg[(seg["point"] == league) & (seg["value"] > 0)]
    # the ranking of each quarter, read at its quarter end (later months repeat it)
    quarter_ends = story.months[story.months["start_date"].str[5:7].isin(["03", "06", "09", "12"])]["index"]
    seg = seg[seg["month"].isin(quarter_ends)]
    shares = (seg.groupby("trust")["value"].value_counts(normalize=True).unstack(fill_value=0.0)
              .reindex(index=story.trusts, columns=[1, 2, 3, 4, 5], fill_value=0.0))
    x = np.arange(len(story.trusts))
    bottom = np.zeros(len(x))
    for segment, color in zip(shares.columns, SEGMENT_COLORS):
        ax.bar(x, shares[segment], bottom=bottom, color=color, width=0.7, label=f"{segment}")
        bottom += shares[segment].to_numpy()
    turnaround = story.mean_by("turnaround_team", ["point", "trust"], how="mean")
    for i, t in enumerate(story.trusts):
        ax.text(i, 1.03, f"team {turnaround[(league, t)]:.0%}", ha="center", fontsize=7.5)
    ax.set_xticks(x, [short(t) for t in story.trusts])
    ax.set_ylim(0, 1.22)
    ax.set_yticks([0, 0.25, 0.5, 0.75, 1])
    ax.set_ylabel("share of quarter ends")
    ax.set_title(f"segments under '{story.labels[league]}' (5 = intensive support);\n"
                 "team: share of months with a turnaround team", loc="left")
    ax.legend(title="segment", ncol=5, loc="upper center", bbox_to_anchor=(0.5, -0.1), frameon=False)
    ax.grid(visible=False)
    others = [p for p in range(len(story.points)) if p != story.baseline]
    years = len(story.years())
    panels = [(grid[0, 1], "ed_breaches_4h", "four-hour breaches", "patients a year"),
              (grid[1, 0], "ed_trolley_waits_12h", "12-hour trolley waits", "patients a year"),
              (grid[1, 1], "rtt_over_18w", "patients waiting over 18 weeks", "mean of month ends")]
    width = 0.8 / max(1, len(others))
    for spec, metric, title, unit in panels:
        ax = fig.add_subplot(spec)
        how = "mean" if metric == "rtt_over_18w" else "sum"
        for k, p in enumerate(others):
            rows = []
            for t in story.trusts:
                d = story.paired(metric, trust=t, how=how, scale=1 if how == "mean" else years)
                rows.append(d[d["point"] == p].iloc[0])
            frame = pd.DataFrame(rows)
            bars_with_ci(ax, x + (k - (len(others) - 1) / 2) * width, frame, width * 0.92, COLORS[p], story.labels[p])
        ax.axhline(0, color="black", linewidth=0.8)
        ax.set_xticks(x, [short(t) for t in story.trusts])
        ax.set_ylabel(unit)
        ax.set_title(f"change in {title} (95% CI)", loc="left")
        ax.grid(axis="x", visible=False)
        if metric == "ed_breaches_4h":
            ax.legend(frameon=False, loc="lower left")
    fig.suptitle(f"Each trust against '{story.labels[story.baseline]}', on the same patients", x=0.01, ha="left",
                 fontsize=9.5)
    return fig


# -- (d) plans that must balance though undeliverable ------------------------------------------

def undeliverable_plans(story):
    fig = new_figure(10, 4.2)
    grid = fig.add_gridspec(2, 2, width_ratios=[1.4, 1])
    ax = fig.add_subplot(grid[:, 0])
    plans = story.res.summary("plan_delivery")
    footprints = story.res.summary("footprints") if "footprints" in story.res.summary_tables() else pd.DataFrame()
    names = story.labels
    measures = [("trusts meeting their control totals", plans, "control_total_met_probability"),
                ("CIP delivered (mean share of the plan)", plans, "cip_delivered_share_mean"),
                ("footprint delivering its plan", footprints, "delivered_probability")]
    x = np.arange(len(names))
    width = 0.8 / len(measures)
    for k, (label, table, column) in enumerate(measures):
        if table.empty:
            continue
        values = [table.loc[table["point"] == n, column].mean() for n in names]
        ax.bar(x + (k - 1) * width, values, width=width * 0.92, color=COLORS[k + 1], label=label)
        for xi, v in zip(x + (k - 1) * width, values):
            ax.text(xi, v + 0.015, f"{v:.0%}", ha="center", fontsize=7.5)
    ax.set_xticks(x, names)
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("probability or share (mean over trusts and years)")
    ax.set_title("how often the plan is delivered", loc="left")
    ax.legend(frameon=False, loc="upper right")
    ax.grid(axis="x", visible=False)
    colors = [COLORS[p + 3] for p in range(len(names)) if p != story.baseline]
    forest(fig.add_subplot(grid[0, 1]), story.paired("surplus", scale=-1e6),
           "change in the trusts' deficit over the two years", f"£m against '{names[story.baseline]}' (95% CI)", colors)
    forest(fig.add_subplot(grid[1, 1]), story.paired("ed_breaches_4h", scale=1e3),
           "change in four-hour breaches over the two years", "thousands of patients (95% CI)", colors)
    return fig


# -- (e) a coding dispute, and penal interest ---------------------------------------------------

def _point(story, coding, penal):
    """The point whose name is '<coding>, <penal>'."""
    name = f"{coding}, {penal}"
    if name not in story.labels:
        raise StoryError(f"{story.res.path}: no point named {name!r} (points: {', '.join(story.labels)})")
    return story.labels.index(name)


def _difference(story, metric, a, b, trust=None, scale=1.0, how="sum"):
    """Mean of point a minus point b over paired replications, with its 95% t interval."""
    values = story.totals(metric, trust=trust, how=how).unstack("point") / scale
    d = (values[a] - values[b]).dropna().to_numpy()
    half = stats.t.ppf(0.975, d.size - 1) * d.std(ddof=1) / np.sqrt(d.size) if d.size > 1 else np.nan
    return {"mean": d.mean(), "low": d.mean() - half, "high": d.mean() + half}


def coding_dispute(story):
    honest6 = _point(story, "honest coding", "penal 6%")
    richer6 = _point(story, "richer coding", "penal 6%")
    honest35 = _point(story, "honest coding", "no penal rate")
    coder = story.trusts[-1]
    fig = new_figure(10, 4.4)
    grid = fig.add_gridspec(2, 2, width_ratios=[1.25, 1])
    ax = fig.add_subplot(grid[:, 0])
    rows = [("coding uplift the trust kept", _difference(story, "coding_uplift", richer6, honest6, coder, 1e6)),
            ("extra the commissioner paid", _difference(story, "commissioner_payments", richer6, honest6, None, 1e6)),
            ("penal interest (6% against 3.5%)", _difference(story, "interest", honest6, honest35, coder, 1e6)),
            ("change in the trust's deficit", _difference(story, "surplus", richer6, honest6, coder, -1e6))]
    frame = pd.DataFrame([dict(label=label, **r) for label, r in rows])
    y = np.arange(len(frame))[::-1]
    colors = ["#2ca02c", "#9467bd", "#d62728", "#555555"]
    ax.barh(y, frame["mean"], color=colors, height=0.6)
    ax.errorbar(frame["mean"], y, xerr=[frame["mean"] - frame["low"], frame["high"] - frame["mean"]],
                fmt="none", ecolor="black", capsize=3)
    for yi, m in zip(y, frame["mean"]):
        ax.text(m, yi + 0.33, f"{m:+.2f}", ha="center", fontsize=7.5)
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(y, frame["label"])
    ax.set_xlabel("£m over the two years (paired means, 95% CI)")
    ax.set_title(f"the money: {short(coder)} codes 3% richer", loc="left")
    ax.grid(axis="y", visible=False)
    held = story.trust_month("rtt_referrals_restricted")
    waits = story.trust_month("rtt_over_52w")
    for spec, frame_m, title, unit in [(grid[0, 1], held, "elective referrals held back by the commissioner",
                                        "referrals a month (both trusts)"),
                                       (grid[1, 1], waits, "patients waiting over 52 weeks", "at month end (both trusts)")]:
        ax = fig.add_subplot(spec)
        for p, color in [(honest6, COLORS[0]), (richer6, COLORS[2])]:
            part = frame_m[frame_m["point"] == p].groupby(["replication", "start_date"])["value"].sum()
            mean = part.groupby("start_date").mean()
            ax.plot(pd.to_datetime(mean.index), mean.to_numpy(), color=color, label=story.labels[p], linewidth=1.5)
        ax.set_title(title, loc="left")
        ax.set_ylabel(unit)
        locator = mdates.AutoDateLocator(maxticks=6)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        if spec == grid[0, 1]:
            ax.legend(frameon=False, loc="upper left")
    return fig


STORIES = {
    "fund_suspension": fund_suspension,
    "heavy_penalties": heavy_penalties,
    "league_tables": league_tables,
    "undeliverable_plans": undeliverable_plans,
    "coding_dispute": coding_dispute,
}


def draw(name, path, out):
    """Draws story `name` from result file `path` into the PNG `out`."""
    if name not in STORIES:
        raise StoryError(f"unknown story {name!r} (stories: {', '.join(STORIES)})")
    with open_story(path) as res:
        scenario = ""
        try:
            import yaml
            scenario = (yaml.safe_load(res.config()) or {}).get("scenario", {}).get("name", "")
        except Exception:  # no PyYAML: the check below is skipped
            scenario = ""
        if scenario and scenario != name:
            raise StoryError(f"{path}: a run of scenario {scenario!r}, not of the story {name!r}")
        fig = STORIES[name](Story(res))
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    fig.savefig(out, dpi=100)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(prog="story_figures.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("name", nargs="?", help="the story: " + ", ".join(STORIES))
    parser.add_argument("result", nargs="?", help="the story's result file (.h5)")
    parser.add_argument("--out", help="the PNG to write (default docs/stories/img/NAME.png)")
    parser.add_argument("--list", action="store_true", help="list the stories and exit")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(STORIES))
        return 0
    if not args.name or not args.result:
        parser.print_usage(sys.stderr)
        print("story_figures.py: error: NAME and RESULT are required", file=sys.stderr)
        return 2
    out = args.out or os.path.normpath(os.path.join(HERE, "..", "docs", "stories", "img", f"{args.name}.png"))
    try:
        written = draw(args.name, args.result, out)
    except StoryError as exc:
        print(f"story_figures.py: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a fault while drawing or writing: one line says which
        print(f"story_figures.py: could not draw {args.name}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(f"{written}: {os.path.getsize(written) / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
