#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Read breachsim result files (HDF5, format versions 1 and 2) into pandas tables or xarray.

The layout is specified in results/FORMAT.md. This module is both a library and a
command-line tool; it needs Debian's python3-h5py, python3-numpy and python3-pandas (and
python3-xarray for to_xarray), so run it with /usr/bin/python3.

Command line:

    /usr/bin/python3 scripts/breachsim_results.py results/default.h5
        one screen: provenance, the points, what the file holds, how many tasks finished
        and the headline national values
    /usr/bin/python3 scripts/breachsim_results.py results/default.h5 --points
        (or --metrics, --trusts, --attrs) every sweep point with its swept values, the
        metric catalogue, the trusts, or every root attribute in full
    /usr/bin/python3 scripts/breachsim_results.py results/default.h5 --metric ed_breaches_4h
        the first rows of that metric's tidy trust-by-month table
    /usr/bin/python3 scripts/breachsim_results.py results/default.h5 --metric fines --national
        the same for the national (all-trust) series
    /usr/bin/python3 scripts/breachsim_results.py results/default.h5 --metric fines --csv fines.csv
        the whole tidy table written as CSV ("-" for standard output)

Exit codes: 0 ok, 2 missing file, not a breachsim result, a format version this reader does
not know, or an unknown metric.

Library:

    import sys; sys.path.insert(0, "scripts")
    from breachsim_results import open_results

    with open_results("results/default.h5") as res:
        print(res.attrs()["seed"], res.metrics()[["name", "unit"]])
        df = res.trust_month("ed_breaches_4h")   # point, replication, trust, month, start_date, value
        by_trust = df.groupby(["point", "trust"])["value"].mean()
        nat = res.national_month("fines")         # point, replication, month, start_date, value
        print(res.schemes())                      # index, name, type, destination
        by_scheme = res.scheme_fines()            # point, replication, trust, month, start_date, scheme, value
        outturn = res.footprint_month("outturn_to_date")  # point, replication, footprint, month, start_date, value
        print(res.summary())                      # /summary/national_run
        mult = res.summary("multiplier")          # per point: the extra deficit in parts, the multiplier
        levy = res.first_round_levy()             # point, replication, value: sanctions on baseline breaches
        plans = res.summary("plan_delivery")      # point, trust, financial_year, months, replications,
                                                  # control_total_met_probability, cip_in_full_probability,
                                                  # cip_delivered_share_mean (files with trust detail)
        ds = res.to_xarray("trust_month", ["fines", "surplus"])  # xarray.Dataset [point, replication, trust, month]

Unfinished tasks. A task (point, replication) holds results only where /progress is 1: a run
that was interrupted, or one shard's file of a sharded run, keeps placeholder zeros in the
other tasks' slots. The tidy tables (trust_month, national_month, scheme_fines,
footprint_month, first_round_levy) never return those as values: by default they leave out
the rows of unfinished tasks (unfinished="drop", the values keep the stored dtype), or, with
unfinished="nan", keep every row and give those rows NaN (the values then float64, if any
task is unfinished). to_xarray gives NaN. Whenever rows are dropped or set to NaN, an
UnfinishedTasksWarning says how many tasks are unfinished and what completes them. A
first-round levy slot is written by the baseline point's task of its replication, so it is
that task which must have finished.
"""

import argparse
import os
import shutil
import sys
import warnings

FORMAT_VERSION = 2  # the newest format version this reader understands (1: no first-round levy)
FILETYPE = "breachsim-results"
UNFINISHED_RULES = ("drop", "nan")


def _missing(package, exc):
    hint = ""
    if os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3"):
        hint = f" (and run this with /usr/bin/python3, not {sys.executable})"
    message = f"breachsim_results needs {package}: apt-get install python3-{package}{hint}"
    if __name__ == "__main__":  # command line: one line, no traceback
        print(message, file=sys.stderr)
        sys.exit(1)
    return ImportError(message)


try:
    import numpy as np
except ImportError as _exc:
    raise _missing("numpy", _exc) from _exc
try:
    import h5py
except ImportError as _exc:
    raise _missing("h5py", _exc) from _exc
try:
    import pandas as pd
except ImportError as _exc:
    raise _missing("pandas", _exc) from _exc

__all__ = ["open_results", "ResultsFile", "ResultsFormatError", "UnfinishedTasksWarning", "FORMAT_VERSION",
           "UNFINISHED_RULES"]


class ResultsFormatError(Exception):
    """The file is not a breachsim result file this reader can read."""


class UnfinishedTasksWarning(UserWarning):
    """Some tasks of the file had not finished: their rows were left out or read NaN."""


# Columns (and their types) of the tables a file may lack or leave empty.
_SCHEMES_COLUMNS = {"index": np.int64, "name": object, "type": object, "destination": object}
_FOOTPRINTS_COLUMNS = {"footprint": np.int64, "name": object, "member_kind": object, "member_index": np.int64,
                       "member": object}
_SCHEME_FINES_COLUMNS = {"point": np.int64, "replication": np.int64, "trust": object, "month": np.int64,
                         "start_date": object, "scheme": object, "value": np.float64}
_LEVY_COLUMNS = {"point": np.int64, "replication": np.int64, "value": np.float64}

# The dimensions of each /outcomes group's arrays (FORMAT.md, "Outcome arrays").
_LEVEL_DIMS = {"trust_month": ("point", "replication", "trust", "month"),
               "national_month": ("point", "replication", "month"),
               "scheme_fines": ("point", "replication", "trust", "month"),
               "footprint_month": ("point", "replication", "footprint", "month")}


def _empty_frame(columns):
    return pd.DataFrame({name: np.zeros(0, dtype=dtype) for name, dtype in columns.items()})


def _text(value):
    """An HDF5 string (bytes, str, numpy scalar or 1-element array) as str."""
    if isinstance(value, np.ndarray):
        if value.size != 1:
            return value
        value = value.reshape(-1)[0]
    if isinstance(value, (bytes, np.bytes_)):
        return value.decode("utf-8")
    if isinstance(value, np.str_):
        return str(value)
    return value


def _plain(value):
    """An attribute value as a plain Python str/int/float (or list for arrays)."""
    value = _text(value)
    if isinstance(value, np.ndarray):
        return [_plain(v) for v in value.tolist()]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _decode_frame(array):
    """A compound (structured) array as a DataFrame with byte strings decoded."""
    frame = pd.DataFrame({name: array[name] for name in array.dtype.names})
    for name in frame.columns:
        kind = array.dtype[name].kind
        if kind == "S" or (kind == "O" and len(frame) and isinstance(frame[name].iloc[0], bytes)):
            frame[name] = [v.decode("utf-8") if isinstance(v, bytes) else v for v in frame[name]]
    return frame


def _is_scale(obj):
    """A dimension scale (a coordinate array such as /outcomes/trust), not an outcome."""
    return isinstance(obj, h5py.Dataset) and h5py.h5ds.is_scale(obj.id)


def _blank_unfinished(data, done):
    """data, whose first two dimensions are point and replication, with NaN in the slots of
    the tasks `done` marks False (as float64); unchanged, dtype and all, if every task is done."""
    if done.all():
        return data
    data = data.astype(np.float64)
    data[~done] = np.nan
    return data


class ResultsFile:
    """An open result file. Use `open_results(path)`, preferably in a `with` block."""

    def __init__(self, path):
        self.path = os.fspath(path)
        if not os.path.exists(self.path):
            raise FileNotFoundError(f"{self.path}: no such file")
        try:
            self._file = h5py.File(self.path, "r")
        except OSError as exc:
            try:  # the <file>.partial of a killed run is still marked as open by its SWMR writer
                self._file = h5py.File(self.path, "r", swmr=True)
            except OSError:
                raise ResultsFormatError(f"{self.path}: not an HDF5 file ({exc})") from None
        try:
            self._check_version()
        except BaseException:
            self._file.close()
            raise

    def _check_version(self):
        attrs = self._file.attrs
        filetype = _text(attrs.get("filetype"))
        if filetype != FILETYPE:
            raise ResultsFormatError(
                f"{self.path}: not a breachsim result file "
                f"(filetype={filetype!r}, expected {FILETYPE!r})")
        raw = _plain(attrs.get("format_version"))
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ResultsFormatError(
                f"{self.path}: format_version attribute missing or not an integer ({raw!r})")
        if raw > FORMAT_VERSION:
            raise ResultsFormatError(
                f"{self.path}: format_version {raw} is newer than this reader knows "
                f"({FORMAT_VERSION}); use the breachsim_results.py of the breachsim that wrote it")
        if raw < 1:
            raise ResultsFormatError(f"{self.path}: invalid format_version {raw}")
        self.format_version = raw

    # -- lifetime -------------------------------------------------------------------------
    def close(self):
        self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def __repr__(self):
        return f"<breachsim results {self.path!r} format {self.format_version}>"

    # -- metadata -------------------------------------------------------------------------
    def attrs(self):
        """The root attributes (provenance) as a dict of plain Python values."""
        return {key: _plain(value) for key, value in self._file.attrs.items()}

    def config(self):
        """The fully resolved YAML config the run used."""
        return _text(self._dataset("config")[()])

    def _dataset(self, path):
        try:
            return self._file[path]
        except KeyError:
            raise KeyError(f"{self.path}: no dataset {path!r}") from None

    def _table(self, path):
        return _decode_frame(self._dataset(path)[()])

    def trusts(self):
        """index, name, region, size_class, ed_arrivals_per_year: one row per trust."""
        return self._table("trusts")

    def months(self):
        """index, start_date, financial_year, fy_quarter: one row per simulated month."""
        return self._table("months")

    def metrics(self):
        """The metric catalogue: name, unit, description, aggregation, dtype."""
        return self._table("metrics")

    def points(self):
        """point plus one column per swept config path: one row per sweep point."""
        return self._table("points")

    def schemes(self):
        """index, name, type, destination: one row per fine scheme of the config, in its order.
        Empty (with these columns) for a config without schemes."""
        if "schemes" not in self._file:  # written before schemes were stored: there were none
            return _empty_frame(_SCHEMES_COLUMNS)
        return self._table("schemes")

    def footprints(self):
        """footprint, name, member_kind, member_index, member: one row per member (trust or
        commissioner) of each footprint (FORMAT.md). Empty for a file without footprints."""
        if "footprints" not in self._file:  # written before footprints existed: there were none
            return _empty_frame(_FOOTPRINTS_COLUMNS)
        return self._table("footprints")

    def summary(self, table="national_run"):
        """A table under /summary (default national_run) as a DataFrame."""
        return self._table(f"summary/{table}")

    def summary_tables(self):
        """Names of the tables under /summary."""
        return sorted(self._file["summary"].keys()) if "summary" in self._file else []

    def progress(self):
        """point, replication, complete (bool): which tasks had finished when the file was written."""
        done = self.finished()
        p, r = np.indices(done.shape)
        return pd.DataFrame({"point": p.ravel(), "replication": r.ravel(), "complete": done.ravel()})

    def finished(self):
        """Bool array [point][replication]: True where the task had finished (/progress is 1)."""
        return self._dataset("progress")[()] == 1

    def metric_names(self, level="trust_month"):
        """Metrics stored at `level` ("trust_month", "national_month", or the schemes of
        "scheme_fines" and series of "footprint_month"); dimension scales are not metrics."""
        group = self._file.get(f"outcomes/{level}")
        if group is None:
            return []
        return sorted(name for name, obj in group.items() if not _is_scale(obj))

    # -- outcomes -------------------------------------------------------------------------
    def _check_rule(self, unfinished):
        if unfinished not in UNFINISHED_RULES:
            raise ValueError(f"unfinished={unfinished!r}: expected one of {', '.join(UNFINISHED_RULES)}")

    def _warn_unfinished(self, unfinished, stacklevel):
        """Says how many tasks are unfinished, what became of their rows and what completes them;
        `stacklevel` points the warning at the caller of the public method."""
        done = self.finished()
        fate = "their rows are left out (unfinished='nan' keeps them as NaN)" if unfinished == "drop" \
            else "their values read NaN"
        shard = _text(self._file.attrs.get("shard"))
        if shard is not None:
            remedy = f"this is shard {shard}'s file: `breachsim merge` of all the shards' files gives the whole run"
        else:
            remedy = "`breachsim run` with the same arguments and --resume completes them"
        warnings.warn(f"{self.path}: {int((~done).sum())} of {done.size} tasks (point, replication) are "
                      f"unfinished; {fate}; {remedy}", UnfinishedTasksWarning, stacklevel=stacklevel + 1)

    def _tidy(self, data, labels, done, unfinished):
        """The tidy table of `data`, an array whose first two dimensions are point and
        replication: one row per element in C order, with, per dimension, the columns
        `labels` gives ({column: labels by position}) and last `value`. Slots of the tasks
        `done` marks False are dropped or read NaN, as `unfinished` says."""
        self._check_rule(unfinished)
        index = np.indices(data.shape, dtype=np.int64).reshape(data.ndim, -1)
        if unfinished == "drop":
            keep = done[index[0], index[1]]
            index, values = index[:, keep], data.reshape(-1)[keep]
        else:
            values = _blank_unfinished(data, done).reshape(-1)
        columns = {}
        for axis, axis_labels in enumerate(labels):
            for name, by_position in axis_labels.items():
                columns[name] = by_position[index[axis]]
        columns["value"] = values
        if not done.all():
            self._warn_unfinished(unfinished, stacklevel=3)
        return pd.DataFrame(columns)

    def _task_labels(self, shape):
        return [{"point": np.arange(shape[0], dtype=np.int64)}, {"replication": np.arange(shape[1], dtype=np.int64)}]

    def _month_labels(self, n_months):
        index, start_date = self._month_columns(n_months)
        return {"month": index, "start_date": start_date}

    def _outcome(self, level, metric):
        path = f"outcomes/{level}/{metric}"
        if path not in self._file or _is_scale(self._file[path]):
            known = ", ".join(self.metric_names(level)) or "none"
            raise KeyError(f"{self.path}: no metric {metric!r} in /outcomes/{level} (known: {known})")
        data = self._file[path][()]
        rank = len(_LEVEL_DIMS[level])
        if data.ndim != rank:
            raise ResultsFormatError(f"{self.path}: /{path} has {data.ndim} dimensions, expected {rank}")
        return data

    def _month_columns(self, n_months):
        months = self.months()
        if len(months) != n_months:
            raise ResultsFormatError(
                f"{self.path}: /months has {len(months)} rows but outcomes have {n_months} months")
        return months["index"].to_numpy(), months["start_date"].to_numpy(dtype=object)

    def _trust_names(self, n_trusts, what):
        names = self.trusts()["name"].to_numpy(dtype=object)
        if len(names) != n_trusts:
            raise ResultsFormatError(
                f"{self.path}: /trusts has {len(names)} rows but {what} has {n_trusts} trusts")
        return names

    def _footprint_names(self, n_footprints):
        table = self.footprints().drop_duplicates("footprint").sort_values("footprint")
        if list(table["footprint"]) != list(range(n_footprints)):
            raise ResultsFormatError(f"{self.path}: /footprints names footprints {list(table['footprint'])} "
                                     f"but the footprint outcomes have {n_footprints}")
        return table["name"].to_numpy(dtype=object)

    def trust_month(self, metric, unfinished="drop"):
        """Tidy table of /outcomes/trust_month/<metric>: one row per (point, replication,
        trust, month) of the finished tasks, in that order, with columns point, replication,
        trust (name), month (index), start_date, value. `unfinished`: "drop" (default) leaves
        out the rows of unfinished tasks, "nan" keeps them with NaN values (module docstring)."""
        data = self._outcome("trust_month", metric)
        labels = self._task_labels(data.shape) + [{"trust": self._trust_names(data.shape[2], metric)},
                                                  self._month_labels(data.shape[3])]
        return self._tidy(data, labels, self.finished(), unfinished)

    def national_month(self, metric, unfinished="drop"):
        """Tidy table of /outcomes/national_month/<metric>: point, replication, month,
        start_date, value, for the finished tasks (`unfinished` as in trust_month)."""
        data = self._outcome("national_month", metric)
        labels = self._task_labels(data.shape) + [self._month_labels(data.shape[2])]
        return self._tidy(data, labels, self.finished(), unfinished)

    def footprint_month(self, series="outturn_to_date", unfinished="drop"):
        """Tidy table of /outcomes/footprint_month/<series> ("outturn_to_date" or
        "plan_to_date", GBP in the financial year to date): point, replication, footprint
        (name), month, start_date, value, for the finished tasks (`unfinished` as in
        trust_month). A file without footprints gives a KeyError."""
        data = self._outcome("footprint_month", series)
        labels = self._task_labels(data.shape) + [{"footprint": self._footprint_names(data.shape[2])},
                                                  self._month_labels(data.shape[3])]
        return self._tidy(data, labels, self.finished(), unfinished)

    def _scheme_arrays(self, names):
        """The /outcomes/scheme_fines arrays of the schemes `names`, stacked along a last axis."""
        if "outcomes/trust_month" not in self._file:
            raise KeyError(f"{self.path}: no fines by scheme in a file without trust detail (output.detail: national)")
        arrays = []
        for name in names:
            path = f"outcomes/scheme_fines/{name}"
            if path not in self._file:
                raise ResultsFormatError(f"{self.path}: /schemes lists {name!r} but there is no /{path}")
            data = self._outcome("scheme_fines", name)
            if arrays and data.shape != arrays[0].shape:
                raise ResultsFormatError(
                    f"{self.path}: /{path} has shape {data.shape}, /outcomes/scheme_fines/{names[0]} {arrays[0].shape}")
            arrays.append(data)
        return np.stack(arrays, axis=-1)  # [point][replication][trust][month][scheme]

    def _scheme_selection(self, schemes):
        names = list(self.schemes()["name"])
        if schemes is None:
            return names
        wanted = [schemes] if isinstance(schemes, str) else list(schemes)
        unknown = [name for name in wanted if name not in names]
        if unknown:
            known = ", ".join(names) or "none"
            raise KeyError(f"{self.path}: no scheme {unknown[0]!r} in /schemes (known: {known})")
        return [name for name in names if name in wanted]

    def scheme_fines(self, schemes=None, unfinished="drop"):
        """Tidy table of /outcomes/scheme_fines: one row per (point, replication, trust, month,
        scheme) of the finished tasks, in that order with the schemes in /schemes order, and
        columns point, replication, trust (name), month (index), start_date, scheme (name),
        value (GBP the scheme levied, after its own caps, waivers and suspensions and the
        trust's overall caps: summed over schemes it is trust_month("fines")). `schemes`: a
        scheme name or a list of them to keep (default: all); an unknown name is a KeyError.
        A file without schemes gives an empty table with these columns. `unfinished` as in
        trust_month."""
        names = self._scheme_selection(schemes)
        if not names:
            self._check_rule(unfinished)
            return _empty_frame(_SCHEME_FINES_COLUMNS)
        data = self._scheme_arrays(names)
        labels = self._task_labels(data.shape) + [
            {"trust": self._trust_names(data.shape[2], "/outcomes/scheme_fines")},
            self._month_labels(data.shape[3]), {"scheme": np.array(names, dtype=object)}]
        return self._tidy(data, labels, self.finished(), unfinished)

    def first_round_levy(self, unfinished="drop"):
        """Tidy table of /outcomes/first_round_levy: point, replication, value (GBP the point's
        sanctions levied on its reference point's breaches of that replication, over the run and
        all trusts; less the reference's fines, the first-round fines of /summary/multiplier).
        The reference is the baseline unless monte_carlo.reference_path pairs the points
        (/points `reference`). The reference's task of a replication writes that replication's
        levy, so its progress decides which rows are dropped (or NaN with unfinished="nan").
        Empty for files of format 1, which lack it."""
        if "outcomes/first_round_levy" not in self._file:
            self._check_rule(unfinished)
            return _empty_frame(_LEVY_COLUMNS)
        data = self._dataset("outcomes/first_round_levy")[()]
        baseline = int(_plain(self._file.attrs.get("baseline_point", 0)))
        points = self.points()
        references = (points["reference"].to_numpy(dtype=int) if "reference" in points.columns
                      else np.full(data.shape[0], baseline))
        done = self.finished()[references]
        return self._tidy(data, self._task_labels(data.shape), done, unfinished)

    def to_xarray(self, level="trust_month", metrics=None):
        """The outcome arrays of `level` ("trust_month", "national_month", "scheme_fines" or
        "footprint_month") as an xarray.Dataset, one variable per metric (or scheme, or
        footprint series) of `metrics` (a name or a list; default all), with dimensions
        point, replication, trust or footprint, month and coordinates: point (index) with
        point_name, replication, trust or footprint (names), month (datetime64, the month's
        first day) with financial_year, and finished [point, replication]. Unfinished tasks
        read NaN (the variable then float64; otherwise the stored dtype); each variable's
        attrs hold unit (also as "units", the name xarray's plots label axes with) and
        description; the Dataset's attrs hold the root attributes. Works on files with or
        without HDF5 dimension scales."""
        try:
            import xarray as xr
        except ImportError as exc:
            raise _missing("xarray", exc) from exc
        if level not in _LEVEL_DIMS:
            raise ValueError(f"level={level!r}: expected one of {', '.join(_LEVEL_DIMS)}")
        known = self.metric_names(level)
        if not known:
            raise KeyError(f"{self.path}: no /outcomes/{level} in this file")
        names = known if metrics is None else [metrics] if isinstance(metrics, str) else list(metrics)
        unknown = [name for name in names if name not in known]
        if unknown:
            raise KeyError(f"{self.path}: no metric {unknown[0]!r} in /outcomes/{level} (known: {', '.join(known)})")
        if not names:
            raise ValueError("to_xarray(metrics=[]): name at least one metric, or None for all")
        dims, done, variables = _LEVEL_DIMS[level], self.finished(), {}
        for name in names:
            data = self._outcome(level, name)
            attrs = {key: _plain(self._file[f"outcomes/{level}/{name}"].attrs.get(key, ""))
                     for key in ("unit", "description")}
            attrs["units"] = attrs["unit"]
            variables[name] = (dims, _blank_unfinished(data, done), attrs)
        if not done.all():
            self._warn_unfinished("nan", stacklevel=2)
        return xr.Dataset(variables, coords=self._xarray_coords(dims, data.shape, done),
                          attrs=dict(self.attrs(), source=self.path))

    def _xarray_coords(self, dims, shape, done):
        _, start_date = self._month_columns(shape[-1])
        coords = {"point": ("point", np.arange(shape[0], dtype=np.int64)),
                  "point_name": ("point", self.points()["name"].to_numpy(dtype=object)),
                  "replication": ("replication", np.arange(shape[1], dtype=np.int64)),
                  "month": ("month", pd.to_datetime(start_date).to_numpy()),
                  "financial_year": ("month", self.months()["financial_year"].to_numpy(dtype=object)),
                  "finished": (("point", "replication"), done)}
        if "trust" in dims:
            coords["trust"] = ("trust", self._trust_names(shape[2], "the outcomes"))
        if "footprint" in dims:
            coords["footprint"] = ("footprint", self._footprint_names(shape[2]))
        return coords

    def raw(self, path):
        """Any dataset as a numpy array, e.g. raw("outcomes/trust_month/fines"), as stored:
        unfinished tasks' placeholders included (finished() says which tasks hold results)."""
        return self._dataset(path)[()]


def open_results(path):
    """Opens a breachsim result file. Raises FileNotFoundError for a missing file and
    ResultsFormatError for a file that is not a breachsim result or has a format version
    newer than this reader (FORMAT_VERSION)."""
    return ResultsFile(path)


# -- command line -----------------------------------------------------------------------

WIDTH = 100  # the overview and the listings fit a screen this wide

# The metrics `breachsim summary` heads its report with (models/run/summary.cpp, `headline`).
HEADLINE = ["ed_breaches_4h", "ed_trolley_waits_12h", "rtt_over_18w", "rtt_over_52w", "cancer_breaches_62d",
            "fines", "income_activity", "cost_agency", "surplus", "cumulative_deficit", "special_measures",
            "cost_control_acting"]
# How /summary/national_run took each metric over the months: a total needs no note.
_OVER_RUN = {"run total": "", "run mean": ", mean", "run end": ", at end"}


def _fit(text, width=WIDTH):
    """text on one line, cut to `width` characters with an ellipsis."""
    text = " ".join(str(text).splitlines()).rstrip()
    return text if len(text) <= width else text[:width - 1] + "…"


def _count(n, noun):
    return f"{n} {noun}" + ("" if n == 1 else "s")


def format_value(value, unit, integer=False):
    """As `breachsim summary` prints it (models/run/summary.cpp): money in £k/£m/£bn, fractions
    to three places, counts whole; "n/a" for what is not a finite number."""
    if value is None or not np.isfinite(value):
        return "n/a"
    if unit == "GBP":
        sign, a = "-" if value < 0 else "", abs(value)
        for scale, suffix, digits in [(1e9, "bn", 2), (1e6, "m", 2), (1e3, "k", 1), (1.0, "", 0)]:
            if a >= scale or scale == 1.0:
                return f"{sign}£{a / scale:.{digits}f}{suffix}"
    if unit == "fraction":
        return f"{value:.3f}"
    if unit == "%":
        return f"{100.0 * value:.1f}%"
    return f"{value:.0f}" if integer or abs(value) >= 1000.0 else f"{value:.1f}"


def _month_label(date):
    return str(date)[:7]  # YYYY-MM of a YYYY-MM-DD start date


def _overview_header(res, a, points):
    """The provenance, the scenario, the tasks and what the file holds: a line each."""
    months, done = res.months(), res.finished()
    commit = str(a.get("git_commit", "?"))
    commit = commit[:12] + ("-dirty" if commit.endswith("-dirty") else "") if len(commit) > 12 else commit
    span = f"{_month_label(months['start_date'].iloc[0])} to {_month_label(months['start_date'].iloc[-1])}" \
        if len(months) else "none"
    trusts, footprints = len(res.trusts()), res.footprints()["footprint"].nunique()
    contents = [f"{len(res.metrics())} metrics (--metrics)", f"{_count(trusts, 'trust')} (--trusts)",
                _count(len(res.schemes()), "fine scheme")] + ([_count(footprints, "footprint")] if footprints else [])
    if not res.metric_names("trust_month"):
        contents.append("national series only")
    tasks = (f"{int(done.sum())} of {done.size} finished ({_count(len(points), 'point')} x "
             f"{_count(done.shape[1], 'replication')})" + (f", shard {a['shard']}'s file" if "shard" in a else ""))
    lines = [
        f"file      {res.path} ({a.get('filetype')}, format {a.get('format_version')})",
        f"written   {a.get('created_utc', '?')} by breachsim {a.get('breachsim_version', '?')} "
        f"(git {commit}, {a.get('build', '?')})",
        f"command   {a.get('command_line', '?')}",
        f"scenario  '{a.get('scenario_name', '?')}': {_count(trusts, 'trust')}, {len(months)} months {span} "
        f"after {a.get('warmup_months', '?')} of warm-up, seed {a.get('seed', '?')}",
        f"config    sha256 {a.get('config_sha256', '?')}",
        f"tasks     {tasks}",
        "contents  " + ", ".join(contents),
    ]
    if not done.all():
        lines.append("          unfinished tasks are left out of tables; " + (
            "`breachsim merge` joins all the shards' files" if "shard" in a
            else "the run's command with --resume completes them"))
    return [_fit(line) for line in lines]


def _overview_points(points, baseline, most=8):
    """The points by name, the baseline marked; at most `most` of them."""
    if len(points) == 1:
        return [_fit(f"points    1 (no sweep): 0 '{points['name'].iloc[0]}'")]
    lines = [f"points    {len(points)}, baseline {baseline} (--points lists them with their swept values)"]
    for p, name in zip(points["point"].head(most), points["name"].head(most)):
        lines.append(_fit(f"  {p:>3}  {name}" + (" (baseline)" if p == baseline else "")))
    if len(points) > most:
        lines.append(f"  ... and {len(points) - most} more (--points)")
    return lines


def _headline(res, points, baseline):
    """The headline metrics' whole-run national means, a column per point (as many as fit)."""
    if "national_run" not in res.summary_tables():
        return ["no /summary/national_run (a partial file): `breachsim summary FILE` computes it"]
    table = res.summary()
    catalogue = res.metrics().set_index("name")
    rows = [m for m in HEADLINE if m in set(table["metric"]) and m in catalogue.index]
    order = [baseline] + [p for p in points["point"] if p != baseline]
    cell, label = 14, 36  # a value column's width; the metric and unit columns' together
    shown = order[:(WIDTH - label) // (cell + 1)]
    names = dict(zip(points["point"], points["name"]))
    lines = ["Headline national values: whole-run means over finished replications (summed over trusts",
             "and months; 'mean': averaged over months; 'at end': at the last month)",
             f"  {'metric':<21}{'unit':<13}" + "".join(" " + _fit(f"{p}: {names[p]}", cell).rjust(cell)
                                                      for p in shown)]
    for metric in rows:
        unit, integer = catalogue.at[metric, "unit"], catalogue.at[metric, "dtype"] == "int64"
        of_metric = table[table["metric"] == metric]
        means = dict(zip(of_metric["point"], of_metric["mean"]))
        values = "".join(" " + format_value(means.get(p), unit, integer).rjust(cell) for p in shown)
        over = _OVER_RUN.get(of_metric["statistic"].iloc[0], "")
        lines.append(f"  {metric:<21}{unit + over:<13}" + values)
    if "multiplier" in res.summary_tables() and len(points) > 1:
        multiplier = res.summary("multiplier")
        values = dict(zip(multiplier["point"], multiplier["multiplier"]))
        lines.append(f"  {'deficit multiplier':<21}{'GBP per GBP':<13}" + "".join(
            " " + ("" if p == baseline else format_value(values.get(p), "fraction", False)).rjust(cell)
            for p in shown))
        lines.append("  (extra cumulative deficit per £ of first-round fines; n/a: differs in more than sanctions)")
    if len(shown) < len(order):
        lines.append(f"  ({len(order) - len(shown)} more points: `breachsim summary FILE` shows every point)")
    return lines


def _print_overview(res):
    a = res.attrs()
    points = res.points()
    baseline = int(a.get("baseline_point", 0))
    lines = _overview_header(res, a, points) + _overview_points(points, baseline) + [""]
    lines += _headline(res, points, baseline) + [
        "",
        "More: --metric NAME [--national] [--csv OUT] prints one metric's table; --points, --metrics,",
        "--trusts, --attrs list those in full; `breachsim summary FILE` prints medians with intervals,",
        "paired differences, the multiplier and plans delivered; in Python, res.summary(TABLE).",
    ]
    print("\n".join(lines))


def _print_listing(res, what):
    """--points, --metrics, --trusts or --attrs: one line (or a few) per item."""
    if what == "attrs":  # in full: this is where the truncated provenance lines lead
        for key, value in res.attrs().items():
            print(f"{key:<18} {value}")
    elif what == "points":
        points = res.points()
        baseline = int(res.attrs().get("baseline_point", 0))
        swept = [c for c in points.columns if c not in ("point", "name", "reference", "config")]
        for row in points.to_dict("records"):
            print(_fit(f"{row['point']:>3}  {row['name']}" + (" (baseline)" if row["point"] == baseline else "")))
            for path in swept:
                print(_fit(f"       {path}: {row[path]}"))
        print("(each point's fully resolved config: res.points()['config'] in Python)")
    elif what == "metrics":
        metrics, trust_level = res.metrics(), set(res.metric_names("trust_month"))
        width = max([len(name) for name in metrics["name"]] + [4])
        for name, unit, description in zip(metrics["name"], metrics["unit"], metrics["description"]):
            level = "trust" if name in trust_level else "national"
            print(_fit(f"{name:<{width}}  {unit:<9} {level:<8}  {description}"))
    else:
        trusts = res.trusts()
        for index, name, region, size in zip(trusts["index"], trusts["name"], trusts["region"], trusts["size_class"]):
            print(_fit(f"{index:>4}  {name}  ({region}, {size})"))


def _print_metric(res, args, prog):
    level = "national_month" if args.national else "trust_month"
    if not args.national and args.metric not in res.metric_names("trust_month") \
            and args.metric in res.metric_names("national_month"):
        level = "national_month"  # a national-only metric
    frame = res.national_month(args.metric) if level == "national_month" else res.trust_month(args.metric)
    if args.csv:
        frame.to_csv(sys.stdout if args.csv == "-" else args.csv, index=False)
        if args.csv != "-":
            print(f"{prog}: wrote {len(frame)} rows of {level}/{args.metric} to {args.csv}")
        return
    unit = _text(res._file[f"outcomes/{level}/{args.metric}"].attrs.get("unit", ""))
    print(f"{level}/{args.metric} [{unit}]: {len(frame)} rows; first {min(args.rows, len(frame))}:")
    with pd.option_context("display.width", shutil.get_terminal_size().columns):
        print(frame.head(args.rows).to_string(index=False))


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="breachsim_results.py",
        description="Show a breachsim result file: a one-screen overview, a listing, or one "
                    "metric as a tidy table.")
    parser.add_argument("file", help="result file (.h5)")
    shown = parser.add_mutually_exclusive_group()
    shown.add_argument("--metric", help="show this metric as a tidy table")
    for what, text in [("points", "every sweep point with its swept values"), ("metrics", "the metric catalogue"),
                       ("trusts", "the trusts"), ("attrs", "every root attribute (provenance) in full")]:
        shown.add_argument(f"--{what}", dest="listing", action="store_const", const=what, help=f"list {text}")
    parser.add_argument("--national", action="store_true",
                        help="with --metric: the national series instead of per trust")
    parser.add_argument("--csv", metavar="OUT", help="with --metric: write the whole table to OUT ('-' = stdout)")
    parser.add_argument("--rows", type=int, default=20, help="rows to print with --metric (default 20)")
    args = parser.parse_args(argv)
    if args.csv and not args.metric:
        parser.error("--csv needs --metric")

    prog = "breachsim_results"
    # One line per warning, not the source line Python shows by default.
    warnings.formatwarning = lambda message, category, *rest: f"{prog}: warning: {message}\n"
    try:
        with open_results(args.file) as res:
            if args.metric:
                _print_metric(res, args, prog)
            elif args.listing:
                _print_listing(res, args.listing)
            else:
                _print_overview(res)
            return 0
    except (FileNotFoundError, ResultsFormatError) as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 2
    except KeyError as exc:
        print(f"{prog}: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # e.g. piped into head
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
