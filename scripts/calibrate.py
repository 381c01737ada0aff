#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Tunes named config parameters of a scenario to published targets, with common random numbers,
and writes the calibrated scenario (docs/calibration.md explains the method and the spec).

    /usr/bin/python3 scripts/calibrate.py SPEC.yaml --out CALIBRATED.yaml
        [--binary build/cli/breachsim] [--max-evaluations N] [--threads T]

SPEC is a YAML calibration spec (configs/calibration/england_2015_fit.yaml is one): the
scenario to tune, its replications and the one seed of every evaluation, the parameters (any
path `breachsim run --set` accepts, with bounds and a start) and the targets (figures of
scripts/calibration_report.py with the published value, a tolerance and a source). Each
evaluation runs the scenario with the parameters set; the objective is the sum over targets of
((model median - target) / tolerance)^2, minimised over the parameters scaled to [0, 1] by
their bounds with scipy's Nelder-Mead (bounded) or Powell. Prints a line per evaluation, then
the fit against each target and the tuned values, and writes the scenario with the tuned
values set at their paths.

Exit status: 0 when every target is within its tolerance at the best parameters; 1 when one or
more is not; 2 for a bad spec, a bad option or a config breachsim refuses (its message passes
through); 3 when a run of breachsim fails for another reason (its message passes through).
"""
import argparse
import copy
import datetime
import os
import shutil
import subprocess
import sys
import tempfile
import time

try:
    import numpy as np
    import yaml
    from scipy.optimize import minimize
except ImportError:  # Debian's python3-scipy and python3-yaml live under /usr/bin/python3
    sys.exit("calibrate.py needs numpy, scipy and yaml: run it with /usr/bin/python3")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import calibration_report  # noqa: E402  (the figures of a result file, shared with the report)

METHODS = ("nelder-mead", "powell")
# Spec keys and their defaults; a key not listed here is a typo the spec should hear about.
SPEC_KEYS = {"config": None, "replications": None, "seed": None, "method": "nelder-mead",
             "max_evaluations": 40, "initial_step": 0.2, "xatol": 0.01, "fatol": 0.05,
             "set": {}, "parameters": None, "targets": None, "description": ""}
PARAMETER_KEYS = {"path", "low", "high", "start", "integer", "source"}
TARGET_KEYS = {"figure", "value", "tolerance", "source"}


class SpecError(Exception):
    """A bad calibration spec: the message names the file and the key."""


class RunFailed(Exception):
    """breachsim refused or failed a run: exit_code is its status, message its stderr."""

    def __init__(self, exit_code, message):
        super().__init__(message)
        self.exit_code = exit_code


class BudgetSpent(Exception):
    """The evaluations allowed (--max-evaluations) are used up: the optimiser stops there."""


def number(value, where):
    """A spec number: YAML reads 169e6 (no dot) as text, so text that parses as a float is one."""
    if isinstance(value, bool):
        raise SpecError(f"{where}: expected a number, got {value!r}")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise SpecError(f"{where}: expected a number, got {value!r}") from None


def load_spec(path):
    """Reads and checks a calibration spec; returns it as a dict with defaults filled in and the
    config's path resolved against the spec's folder."""
    try:
        with open(path) as f:
            raw = yaml.safe_load(f)
    except OSError as error:
        raise SpecError(f"{path}: cannot be read ({error.strerror})") from None
    except yaml.YAMLError as error:
        raise SpecError(f"{path}: not valid YAML ({error})") from None
    if not isinstance(raw, dict):
        raise SpecError(f"{path}: a calibration spec is a map of keys (config, replications, seed, parameters, targets)")
    for key in raw:
        if key not in SPEC_KEYS:
            raise SpecError(f"{path}: unknown key '{key}'; the keys are {', '.join(SPEC_KEYS)}")
    spec = {key: raw.get(key, default) for key, default in SPEC_KEYS.items()}
    for key in ("config", "replications", "seed", "parameters", "targets"):
        if raw.get(key) is None:
            raise SpecError(f"{path}: key '{key}' is missing")
    spec["config"] = os.path.join(os.path.dirname(os.path.abspath(path)), str(spec["config"]))
    if not os.path.isfile(spec["config"]):
        raise SpecError(f"{path}: config: no file {spec['config']}")
    for key in ("replications", "seed", "max_evaluations"):
        value = number(spec[key], f"{path}: {key}")
        if value != int(value) or value < (0 if key == "seed" else 1):
            raise SpecError(f"{path}: {key}: expected a whole number of at least {0 if key == 'seed' else 1}")
        spec[key] = int(value)
    if spec["method"] not in METHODS:
        raise SpecError(f"{path}: method: '{spec['method']}' is not one of {', '.join(METHODS)}")
    for key in ("initial_step", "xatol", "fatol"):
        spec[key] = number(spec[key], f"{path}: {key}")
        if spec[key] <= 0:
            raise SpecError(f"{path}: {key}: must be above 0")
    if not isinstance(spec["set"], dict):
        raise SpecError(f"{path}: set: expected a map of config paths to values")
    spec["parameters"] = [check_parameter(p, f"{path}: parameters[{i}]") for i, p in enumerate(listed(spec, "parameters", path))]
    spec["targets"] = [check_target(t, f"{path}: targets[{i}]") for i, t in enumerate(listed(spec, "targets", path))]
    spec["path"] = path
    return spec


def listed(spec, key, path):
    if not isinstance(spec[key], list) or not spec[key]:
        raise SpecError(f"{path}: {key}: expected a list of at least one entry")
    return spec[key]


def check_keys(m, allowed, required, where, missing_note=""):
    """A spec entry must be a map of known keys with the required ones present."""
    if not isinstance(m, dict):
        raise SpecError(f"{where}: expected a map with {', '.join(required[:-1])} and {required[-1]}")
    for key in m:
        if key not in allowed:
            raise SpecError(f"{where}: unknown key '{key}'; the keys are {', '.join(sorted(allowed))}")
    for key in required:
        if key not in m:
            raise SpecError(f"{where}: key '{key}' is missing{missing_note}")


def check_parameter(p, where):
    check_keys(p, PARAMETER_KEYS, ("path", "low", "high", "start"), where)
    out = {"path": str(p["path"]), "integer": bool(p.get("integer", False)), "source": p.get("source", "")}
    for key in ("low", "high", "start"):
        out[key] = number(p[key], f"{where}.{key}")
    if not out["low"] < out["start"] < out["high"]:
        raise SpecError(f"{where}: needs low < start < high, got low {out['low']:g}, start {out['start']:g}, "
                        f"high {out['high']:g}")
    return out


def check_target(t, where):
    check_keys(t, TARGET_KEYS, ("figure", "value", "tolerance", "source"), where, " (every target needs a source)")
    figure = str(t["figure"])
    if figure not in calibration_report.FIGURE_NAMES:
        raise SpecError(f"{where}.figure: unknown figure '{figure}'; the figures are "
                        f"{', '.join(calibration_report.FIGURE_NAMES)}")
    value = number(t["value"], f"{where}.value")
    tolerance = t["tolerance"]
    # A tolerance is in the figure's units, or "N%" of the target's value.
    if isinstance(tolerance, str) and tolerance.strip().endswith("%"):
        tolerance = abs(value) * number(tolerance.strip()[:-1], f"{where}.tolerance") / 100
    else:
        tolerance = number(tolerance, f"{where}.tolerance")
    if tolerance <= 0:
        raise SpecError(f"{where}.tolerance: must be above 0")
    return {"figure": figure, "value": value, "tolerance": tolerance, "source": str(t["source"]),
            "tolerance_text": str(t["tolerance"])}


def yaml_value(value):
    """A value as one line of YAML, the form `breachsim run --set PATH=VALUE` reads."""
    text = yaml.safe_dump(value, default_flow_style=True, width=1 << 20).strip()
    return text[:-len("\n...")].strip() if text.endswith("\n...") else text


class Evaluator:
    """Runs the scenario at parameter values and returns its figures (medians over the
    replications), every run with the spec's seed and replications: common random numbers, so
    the same values give the same figures and nearby values mostly the same patients."""

    def __init__(self, spec, binary, workdir, budget, threads):
        self.spec, self.binary, self.workdir, self.budget, self.threads = spec, binary, workdir, budget, threads
        self.cache = {}  # parameter values as passed to breachsim -> (objective, medians)
        self.runs = 0
        self.seconds = 0.0

    def values(self, x):
        """Parameter values from the point x in [0, 1]^n, rounded as passed on the command line."""
        out = []
        for p, u in zip(self.spec["parameters"], np.clip(x, 0.0, 1.0)):
            v = p["low"] + float(u) * (p["high"] - p["low"])
            out.append(round(v) if p["integer"] else float(f"{v:.6g}"))
        return tuple(out)

    def set_options(self, values):
        options = []
        for path, value in self.spec["set"].items():
            options += ["--set", f"{path}={yaml_value(value)}"]
        for p, value in zip(self.spec["parameters"], values):
            options += ["--set", f"{p['path']}={yaml_value(value)}"]
        return options

    def validate(self, values):
        """breachsim validate at these values: a bad path fails here, before any run."""
        result = subprocess.run([self.binary, "validate", self.spec["config"]] + self.set_options(values),
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise RunFailed(result.returncode, (result.stderr or result.stdout).strip())

    def run(self, values):
        """The medians of every figure at these values (cached)."""
        if values in self.cache:
            return self.cache[values]
        if self.runs >= self.budget:
            raise BudgetSpent()
        out = os.path.join(self.workdir, "evaluation.h5")
        command = [self.binary, "run", self.spec["config"], *self.set_options(values),
                   "--replications", str(self.spec["replications"]), "--seed", str(self.spec["seed"]),
                   "--out", out, "--force", "--quiet"]
        if self.threads:
            command += ["--threads", str(self.threads)]
        started = time.monotonic()
        result = subprocess.run(command, capture_output=True, text=True)
        elapsed = time.monotonic() - started
        if result.returncode != 0:
            raise RunFailed(result.returncode, (result.stderr or result.stdout).strip())
        figures = calibration_report.figures(out)
        medians = {}
        for t in self.spec["targets"]:
            if t["figure"] not in figures:
                raise SpecError(f"{self.spec['path']}: targets: the run has no figure '{t['figure']}' (a quarter "
                                f"the scenario's months do not cover?)")
            medians[t["figure"]] = float(np.median(figures[t["figure"]]))
        objective = sum(((medians[t["figure"]] - t["value"]) / t["tolerance"]) ** 2 for t in self.spec["targets"])
        self.runs += 1
        self.seconds += elapsed
        self.cache[values] = (objective, medians)
        values_text = "  ".join(f"{short(p['path'])}={v:g}" for p, v in zip(self.spec["parameters"], values))
        model = ", ".join(f"{t['figure']} {shown_value(t['figure'], medians[t['figure']])}" for t in self.spec["targets"])
        print(f"evaluation {self.runs:3d}: {values_text}  objective {objective:.4g}  ({elapsed:.1f} s)  [{model}]",
              flush=True)
        return self.cache[values]

    def objective(self, x):
        return self.run(self.values(x))[0]

    def best(self):
        values = min(self.cache, key=lambda v: self.cache[v][0])
        return values, self.cache[values]


def short(path):
    """The last two parts of a config path, enough to tell the parameters apart on a line."""
    return ".".join(path.split(".")[-2:])


def optimise(spec, evaluator):
    """Minimises the objective from the spec's start with scipy, in coordinates scaled to [0, 1]
    by the bounds; stops when the method converges or the evaluations run out."""
    p = spec["parameters"]
    x0 = np.array([(q["start"] - q["low"]) / (q["high"] - q["low"]) for q in p])
    step = spec["initial_step"]
    options = {"xatol": spec["xatol"], "fatol": spec["fatol"]} if spec["method"] == "nelder-mead" else \
              {"xtol": spec["xatol"], "ftol": spec["fatol"]}
    if spec["method"] == "nelder-mead":
        # scipy's default first simplex moves each coordinate by 5% of its value, a tiny and uneven
        # step in scaled coordinates; a step of initial_step of the range along each axis (away
        # from the nearer bound) samples each parameter's effect at a distance the noise left by
        # common random numbers does not swamp.
        simplex = [x0]
        for i in range(len(x0)):
            vertex = x0.copy()
            vertex[i] += step if x0[i] + step <= 1.0 else -step
            simplex.append(vertex)
        options["initial_simplex"] = np.array(simplex)
    else:
        options["direc"] = np.eye(len(x0)) * step
    try:
        minimize(evaluator.objective, x0, method="Nelder-Mead" if spec["method"] == "nelder-mead" else "Powell",
                 bounds=[(0.0, 1.0)] * len(x0), options=options)
        return "converged"
    except BudgetSpent:
        return f"stopped after {evaluator.runs} evaluations (--max-evaluations)"


def fit_rows(spec, medians):
    """One row per target: figure, model, target, tolerance, within, source."""
    rows = []
    for t in spec["targets"]:
        model = medians[t["figure"]]
        rows.append({"figure": t["figure"], "model": model, "target": t["value"], "tolerance": t["tolerance"],
                     "within": abs(model - t["value"]) <= t["tolerance"], "source": t["source"]})
    return rows


MONEY = ("performance_fines", "readmission_nonpayment", "withheld_total", "penalties_hf", "deficit", "largest_fine",
         "agency_spend", "income_incentives", "surplus")


def shown_value(figure, value):
    """A figure's value in its natural unit: money in £m, shares in %, counts to a decimal."""
    if figure in MONEY:
        return f"£{value / 1e6:,.1f}m" if abs(value) >= 1e6 else f"£{value / 1e3:,.1f}k"
    if figure.startswith(("ed_within", "rtt_within", "cancer_within", "occupancy", "share_", "agency_share")):
        return f"{100 * value:.2f}%"
    return f"{value:,.1f}"


def fit_table(spec, values, objective, medians):
    """The fit as lines of text: a row per target, then the tuned values."""
    lines = [f"{'figure':26} {'model':>12} {'target':>12} {'tolerance':>11}  within  source"]
    for r in fit_rows(spec, medians):
        lines.append(f"{r['figure']:26} {shown_value(r['figure'], r['model']):>12} {shown_value(r['figure'], r['target']):>12} "
                     f"{'±' + shown_value(r['figure'], r['tolerance']):>11}  {'yes' if r['within'] else 'NO':6}  {r['source']}")
    lines.append(f"objective {objective:.4g} (sum of squared misses in tolerances)")
    for p, v in zip(spec["parameters"], values):
        lines.append(f"{p['path']}: {v:g} (start {p['start']:g}, bounds {p['low']:g}-{p['high']:g})")
    return lines


def set_path(document, path, value):
    """Sets a config path (a.b.c, with list items as trusts[2]) in a loaded YAML document,
    creating maps on the way as `breachsim run --set` would."""
    node, parts = document, []
    for part in path.split("."):
        name, _, rest = part.partition("[")
        parts.append(name)
        parts += [int(i) for i in rest.rstrip("]").split("][")] if rest else []
    for i, key in enumerate(parts[:-1]):
        if isinstance(key, int):
            node = node[key]
            continue
        if not isinstance(node.get(key), (dict, list)):
            node[key] = [] if isinstance(parts[i + 1], int) else {}
        node = node[key]
    node[parts[-1]] = value


def write_scenario(spec, values, lines, status, evaluator, out):
    """Writes the spec's scenario with the fixed settings and tuned values at their paths, under a
    header recording the spec, the fit and the date."""
    with open(spec["config"]) as f:
        document = yaml.safe_load(f)
    for path, value in spec["set"].items():
        set_path(document, path, copy.deepcopy(value))  # a copy: a parameter may set a key inside it
    for p, value in zip(spec["parameters"], values):
        set_path(document, p["path"], value)
    header = [f"Calibrated by scripts/calibrate.py on {datetime.date.today().isoformat()} from the spec "
              f"{os.path.relpath(spec['path'])}", f"scenario {os.path.relpath(spec['config'])}, "
              f"{spec['replications']} replications, seed {spec['seed']} (common random numbers), "
              f"{spec['method']}: {status}; {evaluator.runs} evaluations, {evaluator.seconds:.0f} s of runs."]
    header += [f"set: {path} = {yaml_value(value)}" for path, value in spec["set"].items()]
    header += ["The fit (model medians):"] + lines
    text = "".join(f"# {line}\n" for line in header)
    text += yaml.safe_dump(document, sort_keys=False, default_flow_style=None, width=120, allow_unicode=True)
    with open(out, "w") as f:
        f.write(text)


def calibrate(args):
    """The whole calibration; returns the exit status."""
    spec = load_spec(args.spec)
    if args.max_evaluations is not None:
        spec["max_evaluations"] = args.max_evaluations
    workdir = tempfile.mkdtemp(prefix="calibrate-")
    try:
        evaluator = Evaluator(spec, args.binary, workdir, spec["max_evaluations"], args.threads)
        start = evaluator.values([(p["start"] - p["low"]) / (p["high"] - p["low"]) for p in spec["parameters"]])
        evaluator.validate(start)
        print(f"{spec['path']}: {len(spec['parameters'])} parameters, {len(spec['targets'])} targets, "
              f"{spec['replications']} replications, seed {spec['seed']}, {spec['method']}, "
              f"at most {spec['max_evaluations']} evaluations", flush=True)
        status = optimise(spec, evaluator)
        values, (objective, medians) = evaluator.best()
        lines = fit_table(spec, values, objective, medians)
        print(f"{status}; {evaluator.runs} evaluations, {evaluator.seconds:.0f} s of runs; the best:")
        print("\n".join("  " + line for line in lines))
        write_scenario(spec, values, lines, status, evaluator, args.out)
        check = subprocess.run([args.binary, "validate", args.out], capture_output=True, text=True)
        if check.returncode != 0:
            raise RunFailed(3, f"{args.out}: the calibrated scenario does not validate: {check.stderr.strip()}")
        print(f"wrote {args.out} (breachsim validate: OK)")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    missed = [r["figure"] for r in fit_rows(spec, medians) if not r["within"]]
    if missed:
        print(f"{len(missed)} of {len(spec['targets'])} targets outside their tolerance: {', '.join(missed)}.")
        return 1
    print("every target within its tolerance.")
    return 0


def main():
    parser = argparse.ArgumentParser(description="Tunes config parameters to published targets (docs/calibration.md).")
    parser.add_argument("spec", help="the calibration spec (YAML)")
    parser.add_argument("--out", required=True, help="where to write the calibrated scenario (YAML)")
    parser.add_argument("--binary", default="build/cli/breachsim", help="the breachsim binary (default %(default)s)")
    parser.add_argument("--max-evaluations", type=int, default=None,
                        help="at most this many runs of the scenario (default: the spec's max_evaluations, else 40)")
    parser.add_argument("--threads", type=int, default=None, help="worker threads of each run (default: every core)")
    args = parser.parse_args()
    if args.max_evaluations is not None and args.max_evaluations < 1:
        parser.error("--max-evaluations: expected at least 1")
    if not os.access(args.binary, os.X_OK):
        print(f"calibrate.py: --binary {args.binary}: no such executable (build breachsim, or point --binary at it)",
              file=sys.stderr)
        return 2
    try:
        return calibrate(args)
    except SpecError as error:
        print(f"calibrate.py: {error}", file=sys.stderr)
        return 2
    except RunFailed as error:
        print(f"calibrate.py: breachsim failed (exit status {error.exit_code}): {error}", file=sys.stderr)
        return 2 if error.exit_code == 2 else 3


if __name__ == "__main__":
    sys.exit(main())
