#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The R reader, scripts/breachsim_results.R, against a real result file and the Python reader.
#
#   bash tests/test_results_reader_r.sh SOURCE_DIR RESULT_FILE WORK_DIR
#
# Installs R and hdf5r when either is missing (scripts/setup.sh --packages-only r-base-core
# r-cran-hdf5r, which needs root or password-less sudo); skipped (exit 77) when it cannot. Then
# writes into WORK_DIR, with the Python reader and h5py: CSVs of an int64 and a float64 trust-month
# metric, a national metric and the trusts, months and national_run tables; copies of RESULT_FILE
# with some tasks marked unfinished, another filetype and a newer format_version; and a synthetic
# file whose four dimensions all differ in length, holding values that encode their own indices
# (1000 point + 100 replication + 10 trust + month), with UTF-8 trust names. tests/test_results_reader.R
# checks the R reader against all of them (its header lists the checks).
#
# Exit codes: 0 passed, 1 a check failed (each failure is named), 2 bad usage, 77 skipped.
set -euo pipefail

if (($# != 3)); then
  echo "usage: bash tests/test_results_reader_r.sh SOURCE_DIR RESULT_FILE WORK_DIR" >&2
  exit 2
fi
source_dir=$(readlink -f "$1") result=$(readlink -f "$2") work=$3
python=/usr/bin/python3

have_r() {
  command -v Rscript > /dev/null &&
    Rscript -e 'quit(status = if (requireNamespace("hdf5r", quietly = TRUE)) 0 else 1)' > /dev/null 2>&1
}

if ! have_r; then
  echo "r-reader: R or hdf5r missing; installing r-base-core and r-cran-hdf5r (scripts/setup.sh --packages-only)"
  status=0
  bash "$source_dir/scripts/setup.sh" --packages-only r-base-core r-cran-hdf5r || status=$?
  # setup.sh exits 2 when it may not install (not root, no sudo): R cannot be had here, which says
  # nothing of the reader. Any other failure (apt-get failed) is this test's: CI relies on it
  # installing what it needs.
  if ((status == 2)); then
    echo "r-reader SKIP: scripts/setup.sh may not install R and hdf5r here (not root, no sudo);" \
      "as root: apt-get install r-base-core r-cran-hdf5r"
    exit 77
  elif ((status != 0)); then
    echo "r-reader FAIL: scripts/setup.sh could not install R and hdf5r (exit $status, see build/setup-apt-*.log)"
    exit 1
  fi
  if ! have_r; then
    echo "r-reader SKIP: Rscript or the R package hdf5r still missing after scripts/setup.sh" \
      "(not a Debian system? install R and hdf5r, e.g. install.packages(\"hdf5r\"))"
    exit 77
  fi
fi
if ! "$python" -c 'import h5py, numpy, pandas' 2> /dev/null; then
  echo "r-reader SKIP: /usr/bin/python3 lacks h5py, numpy or pandas (apt-get install python3-h5py python3-pandas)"
  exit 77
fi
[[ -f $result ]] || { echo "r-reader FAIL: no result file $result"; exit 1; }

rm -rf "$work"
mkdir -p "$work"
work=$(readlink -f "$work")

# The Python reader's tidy tables, through its command line as a user would write them.
python_csv() { # python_csv OUT ARGS...: one tidy table written by the Python reader
  local out=$1; shift
  "$python" "$source_dir/scripts/breachsim_results.py" "$result" "$@" --csv "$work/$out" > /dev/null ||
    { echo "r-reader FAIL: the Python reader could not write $out (breachsim_results.py $* --csv)"; exit 1; }
}
python_csv int_metric.csv --metric ed_breaches_4h
python_csv float_metric.csv --metric surplus
python_csv national.csv --metric fines --national

# The rest through the Python reader's library and h5py.
"$python" - "$source_dir" "$result" "$work" << 'PY' || { echo "r-reader FAIL: could not write the test files"; exit 1; }
import os, shutil, sys
import h5py, numpy as np

source_dir, result, work = sys.argv[1:]
sys.path.insert(0, os.path.join(source_dir, "scripts"))
import breachsim_results as br

with br.open_results(result) as res:
    res.trusts().to_csv(os.path.join(work, "trusts.csv"), index=False)
    res.months().to_csv(os.path.join(work, "months.csv"), index=False)
    res.summary("national_run").to_csv(os.path.join(work, "national_run.csv"), index=False)


def copy(name):
    path = os.path.join(work, name)
    shutil.copyfile(result, path)
    return h5py.File(path, "r+")


# The last replication of every point unfinished: its slots keep their (real) values, so a
# reader that ignored /progress would return them.
with copy("incomplete.h5") as f:
    f["progress"][:, -1] = 0
with copy("other_filetype.h5") as f:
    f.attrs["filetype"] = "something-else"
with copy("newer.h5") as f:
    f.attrs["format_version"] = np.int64(br.FORMAT_VERSION + 1)

# A synthetic file with every dimension of a different length, values encoding their indices.
P, R, T, M = 2, 3, 4, 5
text = h5py.string_dtype("utf-8")
p, r, t, m = np.indices((P, R, T, M), dtype=np.int64)
code = 1000 * p + 100 * r + 10 * t + m
names = ["Hôpital Saint-Étienne", "King’s Trust", "Ünïversity — North", "Plain Trust"]


def table(f, path, columns):
    dtype = np.dtype([(name, text if isinstance(values[0], str) else np.asarray(values).dtype)
                      for name, values in columns])
    rows = np.empty(len(columns[0][1]), dtype=dtype)
    for name, values in columns:
        rows[name] = values
    f.create_dataset(path, data=rows)


with h5py.File(os.path.join(work, "synthetic.h5"), "w") as f:
    f.attrs.update({"filetype": "breachsim-results", "format_version": np.int64(2),
                    "points": np.int64(P), "replications": np.int64(R), "months": np.int64(M),
                    "baseline_point": np.int64(0), "first_month": "2015-04-01"})
    table(f, "trusts", [("index", np.arange(T)), ("name", names)])
    table(f, "months", [("index", np.arange(M)),
                        ("start_date", [f"2015-{4 + i:02d}-01" for i in range(M)])])
    table(f, "points", [("point", np.arange(P)), ("name", ["baseline", "other"])])
    table(f, "schemes", [("index", np.arange(2)), ("name", ["a", "b"]), ("type", ["x", "x"]),
                         ("destination", ["withheld", "withheld"])])
    progress = np.ones((P, R), dtype=np.int8)
    progress[0, 2] = progress[1, 0] = 0  # not a whole replication: catches a mixed-up task index
    f["progress"] = progress
    f["outcomes/trust_month/count"] = code
    f["outcomes/trust_month/money"] = code + 0.25
    f["outcomes/national_month/count"] = 100 * p[:, :, 0, :] + 10 * r[:, :, 0, :] + m[:, :, 0, :]
    f["outcomes/scheme_fines/a"] = code + 0.125
    f["outcomes/scheme_fines/b"] = code + 0.5
    levy = (10 * p[:, :, 0, 0] + r[:, :, 0, 0] + 0.5).astype(np.float64)
    levy[:, 2] = np.nan  # the baseline's task of replication 2 has not run
    f["outcomes/first_round_levy"] = levy
PY

cd "$source_dir"
Rscript tests/test_results_reader.R "$source_dir" "$result" "$work"
