#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The catalogue of bad inputs and faults: what a user can get wrong, or what can go wrong
around a run, with the exit code and the message breachsim must answer with.

    /usr/bin/python3 tests/bad_inputs.py BREACHSIM SOURCE_DIR WORK_DIR    run every case
    /usr/bin/python3 tests/bad_inputs.py --markdown                        the catalogue as docs/bad_inputs.md

Each case is one command (after a setup that makes its files), its expected exit code (README,
"Exit codes") and a regular expression its stderr and stdout must match; every case is also
checked to answer within its time limit, without a crash (a signal), in at most three lines,
and without C++ library text (std::, basic_string, what()). The flows with more than one
command (SIGINT, SIGTERM and kill -9 then --resume, a full disk at every stage, damaged files
of four kinds) are in cli_end_to_end.sh and output_faults.sh; the table in docs/bad_inputs.md
lists them too. The test also checks that docs/bad_inputs.md is this catalogue.

Exit codes: 0 every case answered as expected, 1 some did not, 2 bad usage.
"""

import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time

SMALL = "tests/data/small.yaml"
ONE = "configs/teaching/one_trust.yaml"
LOCATED = r"^[^ ]*{file}:\d+:\d+: "  # file:line:column at the start of a config message


class Case:
    def __init__(self, area, what, args, code, pattern, setup=None, limit=None, timeout=60, check=None, lines=2):
        self.area, self.what, self.args, self.code, self.pattern = area, what, args, code, pattern
        self.lines = lines  # at most: a message and a hint, unless the case lists several problems
        self.setup, self.limit, self.timeout, self.check = setup, limit, timeout, check


def config_with(name, change):
    """A setup writing WORK/name: small.yaml with `change(text)` applied."""
    def setup(ctx):
        with open(os.path.join(SMALL), encoding="utf-8") as f:
            text = f.read()
        data = change(text)
        mode = "wb" if isinstance(data, bytes) else "w"
        with open(os.path.join(ctx.work, name), mode) as f:
            f.write(data)
    return setup


def replace(old, new):
    def change(text):
        assert old in text, old
        return text.replace(old, new, 1)
    return change


def appended(extra):
    return lambda text: text + extra


# --- the catalogue ------------------------------------------------------------------------

CASES = [
    # The command line: every mistake names the option, exit 2, and says where the help is.
    Case("command line", "no command at all", [], 2, r"^Usage: breachsim ", lines=40),
    Case("command line", "an unknown command", ["frobnicate"], 2, r"unknown command 'frobnicate'"),
    Case("command line", "a misspelt command", ["runn", SMALL], 2, r"unknown command 'runn'; did you mean 'run'\?"),
    Case("command line", "a misspelt option", ["run", SMALL, "--thread", "2"], 2,
         r"unknown option '--thread' for run; did you mean '--threads'\?"),
    Case("command line", "a misspelt option, --opt=value form", ["run", SMALL, "--thread=2"], 2,
         r"unknown option '--thread' for run; did you mean '--threads'\?"),
    Case("command line", "an unknown option of validate", ["validate", SMALL, "--bogus"], 2,
         r"unknown option '--bogus' for validate"),
    Case("command line", "an unknown one-letter option", ["summary", "results", "-x"], 2, r"unknown option '-x' for summary"),
    Case("command line", "an unknown option before any command", ["--bogus"], 2, r"unknown option '--bogus'"),
    Case("command line", "two configs", ["run", SMALL, "tests/data/sweep.yaml"], 2,
         r"run takes one CONFIG \(got 'tests/data/small.yaml' and 'tests/data/sweep.yaml'\)"),
    Case("command line", "two configs to validate", ["validate", "a.yaml", "b.yaml"], 2,
         r"validate takes one CONFIG \(got 'a.yaml' and 'b.yaml'\)"),
    Case("command line", "two result files", ["summary", "a.h5", "b.h5"], 2, r"summary takes one FILE"),
    Case("command line", "replications zero", ["run", SMALL, "--replications", "0"], 2,
         r"--replications: expects a whole number from 1 to 10000000 \(got '0'\)"),
    Case("command line", "replications not a number", ["run", SMALL, "--replications=abc"], 2,
         r"--replications: expects a whole number from 1 to 10000000 \(got 'abc'\)"),
    Case("command line", "replications a fraction", ["run", SMALL, "--replications", "2.5"], 2,
         r"--replications: expects a whole number .*\(got '2.5'\)"),
    Case("command line", "a negative seed", ["run", SMALL, "--seed", "-5"], 2,
         r"--seed: expects a whole number from 0 to 9223372036854775807 \(got '-5'\)"),
    Case("command line", "a seed past 2^63-1", ["run", SMALL, "--seed", "9223372036854775808"], 2,
         r"--seed: expects a whole number"),
    Case("command line", "threads zero", ["run", SMALL, "--threads", "0"], 2,
         r"--threads: expects a whole number from 1 to 4096 \(got '0'\)"),
    Case("command line", "threads empty", ["run", SMALL, "--threads", ""], 2, r"--threads: expects a whole number"),
    Case("command line", "validate's threads too many", ["validate", SMALL, "--threads", "5000"], 2,
         r"--threads: expects a whole number from 1 to 4096 \(got '5000'\)"),
    Case("command line", "an empty output name", ["run", SMALL, "--out", ""], 2, r"--out: needs a value, not an empty one"),
    Case("command line", "an output name missing (--out=)", ["run", SMALL, "--out="], 2, r"--out needs a value"),
    Case("command line", "an output name missing at the end", ["run", SMALL, "--out"], 2, r"--out needs a value"),
    Case("command line", "an option where the output name should be", ["run", SMALL, "--out", "--force"], 2,
         r"--out: needs a value, not the option '--force'"),
    Case("command line", "an empty --set", ["run", SMALL, "--set", ""], 2, r"--set: needs a value, not an empty one"),
    Case("command line", "a --set without its value", ["validate", SMALL, "--set"], 2, r"--set needs a value"),
    Case("command line", "a --set without '='", ["validate", SMALL, "--set", "scenario.months"], 2,
         r"^--set scenario.months: expected --set dotted.path=value$"),
    Case("command line", "summary's metric missing", ["summary", "results/x.h5", "--metric"], 2, r"--metric needs a value"),
    Case("command line", "summary's metric empty", ["summary", "results/x.h5", "--metric", ""], 2,
         r"--metric: needs a value, not an empty one"),
    Case("command line", "a value given to a flag", ["run", SMALL, "--force=1"], 2, r"--force takes no value"),
    Case("command line", "a value given to --quiet", ["run", SMALL, "--quiet=no"], 2, r"--quiet takes no value"),
    Case("command line", "--resume with --force", ["run", SMALL, "--resume", "--force"], 2,
         r"--resume completes an existing file and --force replaces it: give one"),
    Case("command line", "--task with --resume", ["run", SMALL, "--task", "0:0", "--resume"], 2,
         r"--task reruns one task into a new file and --resume completes an existing one: give one"),
    Case("command line", "--task not POINT:REPLICATION", ["run", SMALL, "--task", "1-2"], 2,
         r"--task: expects POINT:REPLICATION, two whole numbers such as 0:17 \(got '1-2'\)"),
    Case("command line", "--task past the last replication", ["run", SMALL, "--replications", "2", "--task", "0:2",
                                                             "--out", "{work}/never.h5"], 2,
         r"^breachsim: --task: no replication 2 of a run with 2 replications \(0 to 1\)$",
         check=lambda ctx: ctx.absent("never.h5", "never.h5.partial")),
    Case("command line", "--shard not K/N", ["run", SMALL, "--shard", "3"], 2,
         r"--shard: '3' is not a shard: write K/N, shard K of N counted from 1, such as 3/8"),
    Case("command line", "--shard 0/N", ["run", SMALL, "--shard", "0/3"], 2, r"--shard: '0/3': K must be from 1 to N"),
    Case("command line", "more shards than tasks", ["run", SMALL, "--replications", "2", "--shard", "1/3",
                                                    "--out", "{work}/never.h5"], 2,
         r"^breachsim: --shard 1/3: 3 shards of a run of 2 tasks: use at most 2 shards$",
         check=lambda ctx: ctx.absent("never.h5", "never.h5.partial")),
    Case("command line", "--shard with --task", ["run", SMALL, "--shard", "1/2", "--task", "0:0"], 2,
         r"--task runs one task and --shard a share of them: give one"),
    Case("command line", "--shard with the replication calculator",
         ["run", SMALL, "--shard", "1/2", "--set", "monte_carlo.target_half_width=1000"], 2,
         r"--shard 1/2: the replication calculator .* set monte_carlo.target_half_width=0 and monte_carlo.replications"),
    Case("command line", "merge without shards", ["merge", "{work}/merged.h5"], 2,
         r"merge expects the merged file and the files of every shard: breachsim merge OUT SHARD\.\.\."),
    Case("files", "merge of a file that does not exist", ["merge", "{work}/merged.h5", "{work}/no_such.h5"], 2,
         r"no_such.h5: no such file"),
    Case("command line", "validate without a config", ["validate"], 2, r"validate expects a CONFIG file \(or --reference\)"),
    Case("command line", "--reference with a config", ["validate", SMALL, "--reference"], 2,
         r"--reference prints the reference of every key and checks no config: give it alone"),
    Case("command line", "summary without a file", ["summary"], 2, r"FILE is required"),
    Case("command line", "help for an unknown command", ["help", "frob"], 2, r"no command named 'frob'"),

    # Files where a config or a result is expected.
    Case("files", "a config that does not exist", ["validate", "tests/data/no_such.yaml"], 2,
         r"^tests/data/no_such.yaml: cannot open the file \(No such file or directory\)$"),
    Case("files", "a directory as the config of run", ["run", "configs/"], 2, r"^configs/: is a directory, not a config file$"),
    Case("files", "a directory as the config of validate", ["validate", "configs"], 2,
         r"^configs: is a directory, not a config file$"),
    Case("files", "an empty config", ["validate", "{work}/empty.yaml"], 2, r"empty.yaml: .*empty",
         setup=config_with("empty.yaml", lambda text: "")),
    Case("files", "a directory as the result file", ["summary", "configs"], 2, r"^breachsim: configs: is a directory, not a result file$"),
    Case("files", "a result file that does not exist", ["summary", "no_such.h5"], 2, r"^breachsim: no_such.h5: no such file$"),
    Case("files", "a config given as the result file", ["summary", SMALL], 1, r"not a breachsim result file|cannot open"),
    Case("files", "an unknown metric", ["summary", "{work}/done.h5", "--metric", "finez"], 2, r"no metric named 'finez'",
         setup=lambda ctx: ctx.finished_run("done.h5")),
    Case("files", "a report without a file", ["report"], 2, r"FILE is required"),
    Case("files", "a report of a file that does not exist", ["report", "no_such.h5"], 2, r"^breachsim: no_such.h5: no such file$"),
    Case("files", "a config given as the report's result file", ["report", SMALL, "--out", "{work}/small.html"], 2,
         r"^breachsim report: .*small.yaml: not an HDF5 file"),
    Case("output", "a report onto an existing page without --force", ["report", "{work}/done.h5", "--out", "{work}/page.html"], 2,
         r"page.html exists; --force to overwrite",
         setup=lambda ctx: (ctx.finished_run("done.h5"), ctx.write("page.html", "mine"), ctx.remember("page.html")),
         check=lambda ctx: ctx.unchanged("page.html")),
    Case("output", "a report into a missing directory", ["report", "{work}/done.h5", "--out", "{work}/no_dir/page.html"], 1,
         r"cannot write .*no_dir/page.html: No such file or directory", setup=lambda ctx: ctx.finished_run("done.h5")),

    # The live page's server: its options, and a port another server has.
    Case("command line", "serve on a port past 65535", ["serve", "--port", "70000"], 2,
         r"--port: expects a whole number from 0 to 65535 \(got '70000'\)"),
    Case("command line", "serve bound to a host name, not an address", ["serve", "--bind", "localhost"], 2,
         r"--bind localhost: not an IP address"),
    Case("command line", "serve given a config", ["serve", SMALL], 2, r"serve takes no arguments, only options"),
    Case("command line", "serve with a zero time limit", ["serve", "--time-limit", "0"], 2,
         r"--time-limit: expects a whole number from 1 to 86400 \(got '0'\)"),
    Case("output", "serve on a port another server has", ["serve", "--port", "{port}"], 1,
         r"^breachsim: error: cannot listen on 127.0.0.1 port \d+: Address already in use \(another server has it: "
         r"--port another, or 0\)$", setup=lambda ctx: ctx.occupy_port(), timeout=30),

    # The config: every problem with file:line:column and the key path, exit 2.
    Case("config", "a YAML syntax error", ["validate", "tests/data/syntax_error.yaml"], 2,
         LOCATED.format(file="syntax_error.yaml")),
    Case("config", "a tab in the indentation", ["validate", "{work}/tab.yaml"], 2, LOCATED.format(file="tab.yaml") + r"YAML syntax error: .*indented with a tab: YAML indents with spaces only",
         setup=config_with("tab.yaml", replace("  name: small", "\tname: small"))),
    Case("config", "a stray comma after a block list", ["validate", "{work}/comma.yaml"], 2,
         LOCATED.format(file="comma.yaml") + r"YAML syntax error: unexpected ',' outside any \[ \] list or \{ \} map",
         setup=lambda ctx: ctx.write("comma.yaml", "- name: Small Trust\n  size_class: small\n, \n"), timeout=10),
    Case("config", "a line indented less than the lines above it", ["validate", "{work}/outdented.yaml"], 2,
         LOCATED.format(file="outdented.yaml") + r"YAML syntax error: the document ended on a line above; .*indentation",
         setup=config_with("outdented.yaml", replace("schema_version: 1\n", "  schema_version: 1\n"))),
    Case("config", "a key given twice", ["validate", "{work}/twice.yaml"], 2,
         LOCATED.format(file="twice.yaml") + r"scenario.months: .*(twice|duplicate)",
         setup=config_with("twice.yaml", replace("  months: 4\n", "  months: 4\n  months: 5\n"))),
    Case("config", "a misspelt key, with the suggestion", ["validate", "tests/data/many_errors.yaml"], 2,
         r"many_errors.yaml:8:3: monte_carlo: unknown key 'seeed'; did you mean 'seed'\?", lines=20),
    Case("config", "a word where a number belongs", ["validate", "{work}/word.yaml"], 2,
         LOCATED.format(file="word.yaml") + r"trusts\[0\].ed.arrivals_per_year: ",
         setup=config_with("word.yaml", replace("arrivals_per_year: 70000", "arrivals_per_year: lots"))),
    Case("config", "NaN", ["validate", "{work}/nan.yaml"], 2, LOCATED.format(file="nan.yaml") + r"trusts\[0\].ed.arrivals_per_year: ",
         setup=config_with("nan.yaml", replace("arrivals_per_year: 70000", "arrivals_per_year: .nan"))),
    Case("config", "an impossible date", ["validate", "{work}/date.yaml"], 2,
         LOCATED.format(file="date.yaml") + r"scenario.start_date: ",
         setup=config_with("date.yaml", replace("2015-04-01", "2015-02-30"))),
    Case("config", "a negative number of months", ["validate", "{work}/months.yaml"], 2,
         LOCATED.format(file="months.yaml") + r"scenario.months: must be in \[1, 1200\] \(got -3\)",
         setup=config_with("months.yaml", replace("months: 4", "months: -3"))),
    Case("config", "an absurd number of attendances", ["validate", "{work}/absurd.yaml"], 2,
         LOCATED.format(file="absurd.yaml") + r"trusts\[0\].ed.arrivals_per_year: must be in \(0, 5e\+07\] \(got 1e15\)",
         setup=config_with("absurd.yaml", replace("arrivals_per_year: 70000", "arrivals_per_year: 1e15"))),
    Case("config", "a share above 1 by --set", ["run", SMALL, "--set", "trusts[1].ed.admission_share=2"], 2,
         r"^--set trusts\[1\]\.ed\.admission_share=2: trusts\[1\]\.ed\.admission_share: must be in \[0, 1\] \(got 2\)$"),
    Case("config", "a misspelt key by --set", ["validate", SMALL, "--set", "defaults.ed.arrivls_per_year=1"], 2,
         r"defaults.ed: unknown key 'arrivls_per_year'; did you mean 'arrivals_per_year'\?"),
    Case("config", "a misspelt choice in a list", ["validate", SMALL, "--set", "regulator.league_table.indicators=[ed_4h, finanse]"], 2,
         r"regulator.league_table.indicators\[1\]: must be one of .* \(got 'finanse'\); did you mean 'finance'\?"),
    Case("config", "a list of the wrong length", ["validate", "{work}/hours.yaml"], 2,
         LOCATED.format(file="hours.yaml") + r"trusts\[0\].ed.clinicians_by_hour: ",
         setup=config_with("hours.yaml", replace("clinicians_by_hour: [12, 11, 10, 9, 8,", "clinicians_by_hour: [12, 11,"))),
    Case("config", "text that is not UTF-8", ["validate", "{work}/latin1.yaml"], 2,
         LOCATED.format(file="latin1.yaml") + r".*UTF-8",
         setup=config_with("latin1.yaml", lambda text: text.replace("Small Trust", "Small Trust \xe9").encode("latin-1"))),
    Case("config", "a --set value that is not UTF-8", ["validate", SMALL, "--set", b"trusts[0].name=Caf\xe9"], 2, r"UTF-8"),
    Case("config", "a second YAML document", ["validate", "{work}/two_docs.yaml"], 2,
         LOCATED.format(file="two_docs.yaml") + r".*(second|one) (YAML )?document",
         setup=config_with("two_docs.yaml", appended("---\nschema_version: 1\n"))),
    Case("config", "two trusts of one name", ["validate", "{work}/same_name.yaml"], 2,
         LOCATED.format(file="same_name.yaml") + r"trusts\[1\].name: ",
         setup=config_with("same_name.yaml", replace("- name: Medium Trust", "- name: Small Trust"))),
    Case("config", "a trust's commissioner that does not exist", ["validate", SMALL, "--set", "trusts[0].commissioner=Nobody"], 2,
         r"trusts\[0\].commissioner: "),
    Case("config", "the wrong schema version", ["validate", "{work}/schema.yaml"], 2,
         LOCATED.format(file="schema.yaml") + r"schema_version: ",
         setup=config_with("schema.yaml", replace("schema_version: 1", "schema_version: 7"))),
    Case("config", "a regime preset run as a scenario", ["validate", "configs/regimes/fund_2016_17.yaml"], 2,
         r"regime: this file is a regime preset, not a scenario"),
    Case("config", "overlapping regimes", ["validate", "configs/default.yaml", "--set",
                                           "regimes=[{preset: fund_2017_18}, {preset: fund_2016_17}]"], 2,
         r"regimes\[1\].incentive_fund: in force 2016-04-01 to 2100-01-01, overlapping regimes\[0\].incentive_fund"),
    Case("config", "a sweep value out of range", ["validate", "{work}/bad_sweep.yaml"], 2,
         LOCATED.format(file="bad_sweep.yaml") + r"sweep\[1\]\.values\[1\]: defaults\.ed\.arrivals_per_year: must be in",
         setup=lambda ctx: ctx.write("bad_sweep.yaml", open("tests/data/sweep.yaml").read().replace(
             "values: [90000, 110000]", "values: [90000, -1]"))),
    Case("config", "a sweep over a key that does not exist", ["validate", "{work}/sweep_path.yaml"], 2,
         LOCATED.format(file="sweep_path.yaml") + r"sweep\[0\]",
         setup=config_with("sweep_path.yaml", appended("sweep:\n  - {path: schemes.ed_4h.rate_gbpp, values: [1, 2]}\n"))),
    Case("config", "incentive fund shares that do not sum to 1 (a rule across keys)", ["validate", "{work}/fund.yaml"], 2,
         LOCATED.format(file="fund.yaml") + r"incentive_fund.finance_share: finance_share, ed_share, rtt_share and "
         r"cancer_share must sum to 1 \(got 1.2\)",
         setup=config_with("fund.yaml", appended("incentive_fund:\n  finance_share: 0.9\n"))),
    Case("config", "a period that ends before it starts", ["validate", "{work}/period.yaml"], 2,
         LOCATED.format(file="period.yaml") + r"incentive_fund.to: must be after from \(2016-04-01\)",
         setup=config_with("period.yaml", appended("incentive_fund:\n  from: 2016-04-01\n  to: 2016-01-01\n"))),

    # Memory: estimated before anything is built (docs/architecture.md, "Memory and time").
    Case("memory", "a run estimated above the memory limit (ulimit -v)",
         ["run", ONE, "--set", "defaults.elective.initial_list=2e6", "--threads", "2", "--out", "{work}/big.h5"], 2,
         r"the run needs about .* of memory .*more than the .* this process may use, set by the address-space limit "
         r"\(ulimit -v\)\. Run it with fewer --threads", limit=250 * 10**6,
         check=lambda ctx: ctx.absent("big.h5", "big.h5.partial")),
    Case("memory", "a config too large to read in memory", ["validate", "{work}/huge.yaml"], 2,
         r"huge.yaml: reading this .* file needs about .* of memory, more than", limit=250 * 10**6,
         setup=lambda ctx: ctx.write("huge.yaml", "# " + "x" * 3_000_000 + "\n" + open(SMALL).read())),

    # The output file: refused before the run (exit 2) or a fault (exit 1), never overwritten.
    Case("output", "an existing output without --force", ["run", SMALL, "--out", "{work}/done.h5", "--quiet"], 2,
         r"done.h5' already exists; use --force to overwrite it or choose another --out", setup=lambda ctx: ctx.remember("done.h5"),
         check=lambda ctx: ctx.unchanged("done.h5")),
    Case("output", "a partial left by an interrupted run", ["run", SMALL, "--out", "{work}/left.h5", "--quiet"], 2,
         r"left from an interrupted run; run again with --resume", setup=lambda ctx: ctx.partial_run("left.h5")),
    Case("output", "--resume with nothing to resume", ["run", SMALL, "--out", "{work}/nothing.h5", "--resume"], 2,
         r"--resume: there is neither .*nothing.h5 nor .*nothing.h5.partial to complete"),
    Case("output", "--resume with another seed", ["run", SMALL, "--out", "{work}/left.h5", "--resume", "--seed", "7"], 2,
         r"different file format, config, seed, number of replications or shard \(.*seed 42 in the file, 7 now",
         setup=lambda ctx: ctx.partial_run("left.h5")),
    Case("output", "--resume with another config", ["run", SMALL, "--out", "{work}/left.h5", "--resume", "--set",
                                                     "scenario.months=3"], 2, r"the config differs",
         setup=lambda ctx: ctx.partial_run("left.h5")),
    Case("output", "an output under /proc", ["run", SMALL, "--out", "/proc/no/such/dir/x.h5"], 1,
         r"^breachsim: error: cannot write the output file /proc/no/such/dir/x.h5: "),
    Case("output", "an output inside a file", ["run", SMALL, "--out", "{work}/plain.txt/x.h5"], 1,
         r"cannot write the output file .*plain.txt/x.h5: .*plain.txt' .* is a file, not a directory",
         setup=lambda ctx: ctx.write("plain.txt", "not a directory\n")),
    Case("output", "a partial that is a dangling symbolic link", ["run", SMALL, "--out", "{work}/link.h5", "--force"], 1,
         r"symbolic link", setup=lambda ctx: ctx.symlink("/nonexistent/target", "link.h5.partial")),
    Case("output", "a partial cut to half its size", ["run", SMALL, "--out", "{work}/cut.h5", "--resume"], 1,
         r"cut.h5.partial.*(damaged|cut short|not a complete)", setup=lambda ctx: ctx.cut_partial("cut.h5"), timeout=30),
    Case("output", "a result file cut to half its size", ["summary", "{work}/cutdone.h5"], 1,
         r"cutdone.h5", setup=lambda ctx: ctx.cut_finished("cutdone.h5"), timeout=30),
    Case("output", "a file-size limit (ulimit -f) reached mid-run", ["run", SMALL, "--out", "{work}/fsize.h5", "--quiet"], 1,
         r"fsize.h5", limit=("fsize", 40_000), check=lambda ctx: ctx.absent("fsize.h5")),
    Case("output", "a second writer of the same output", ["run", ONE, "--out", "{work}/busy.h5", "--force", "--quiet",
                                                          "--replications", "2"], 1,
         r"'.*busy.h5.partial' is being written by another running process; wait for it to finish or choose another --out",
         setup=lambda ctx: ctx.start_writer("busy.h5"), check=lambda ctx: ctx.writer_finishes("busy.h5")),
    Case("output", "out of memory during a run (--ignore-memory-limit under ulimit -v)",
         ["run", ONE, "--set", "defaults.elective.initial_list=2e6", "--set", "scenario.months=2", "--set",
          "scenario.warmup_months=0", "--replications", "4", "--threads", "2", "--out", "{work}/oom.h5",
          "--ignore-memory-limit", "--quiet"], 1,
         r"out of memory during the run: the finished tasks are in .*oom.h5.partial; the same command with fewer "
         r"--threads and --resume completes the run", limit=250 * 10**6),
]

# The flows of more than one command, in the other tests (listed in docs/bad_inputs.md).
FLOWS = [
    ("signals", "Ctrl-C (SIGINT) during a run: exit 130, finished tasks kept, --resume gives outcomes identical "
                "to an uninterrupted run", "cli.end_to_end"),
    ("signals", "SIGTERM during a run: exit 143, then --resume, identical outcomes", "cli.end_to_end"),
    ("signals", "kill -9 during a run: exit 137, the partial refused without --resume, then --resume, identical "
                "outcomes", "cli.end_to_end, faults.kill9"),
    ("signals", "Ctrl-C in a terminal: acknowledged at once, the bar stops", "cli.progress_terminal"),
    ("output", "a full disk before the first task, during the tasks and during the final copy: exit 1, the previous "
               "file untouched or a partial that --resume completes once there is room", "faults.disk_full"),
    ("output", "a partial damaged four ways (cut, superblock, object header, heap): refused within seconds",
     "faults.damaged_partial"),
    ("output", "the file-size limit at every stage of a run", "faults.file_size_limit"),
    ("output", "paths that cannot be opened (under /proc, a dangling link, an unwritable directory)", "faults.bad_paths"),
]


# --- running -------------------------------------------------------------------------------

class Context:
    def __init__(self, exe, work):
        self.exe, self.work = exe, work
        self.background = None

    def path(self, name):
        return os.path.join(self.work, name)

    def write(self, name, text):
        with open(self.path(name), "w") as f:
            f.write(text)

    def symlink(self, target, name):
        os.symlink(target, self.path(name))

    def finished_run(self, name):
        if not os.path.exists(self.path(name)):
            subprocess.run([self.exe, "run", SMALL, "--out", self.path(name), "--quiet", "--replications", "2"], check=True)

    def partial_run(self, name):
        """A partial file as kill -9 leaves it: the run's partial, copied before it is committed."""
        if os.path.exists(self.path(name + ".partial")):
            return
        self.finished_run("done.h5")
        shutil.copy(self.path("done.h5"), self.path(name + ".partial"))

    def cut_partial(self, name):
        self.finished_run("done.h5")
        size = os.path.getsize(self.path("done.h5"))
        with open(self.path("done.h5"), "rb") as f, open(self.path(name + ".partial"), "wb") as out:
            out.write(f.read(size // 2))

    def cut_finished(self, name):
        self.cut_partial(name)
        os.replace(self.path(name + ".partial"), self.path(name))

    def start_writer(self, name):
        self.background = subprocess.Popen([self.exe, "run", ONE, "--out", self.path(name), "--quiet", "--force",
                                            "--replications", "30", "--threads", "1"])
        for _ in range(200):
            if os.path.exists(self.path(name + ".partial")):
                return
            time.sleep(0.05)

    def writer_finishes(self, name):
        code = self.background.wait(timeout=300)
        out = subprocess.run([self.exe, "summary", self.path(name)], capture_output=True, text=True)
        if code != 0 or "30 replications" not in out.stdout.splitlines()[0]:
            return f"the first writer was disturbed: exit {code}, summary {out.stdout[:200]!r}"
        return None

    def remember(self, name):
        self.finished_run(name)
        with open(self.path(name), "rb") as f:
            self.remembered = f.read()

    def unchanged(self, name):
        with open(self.path(name), "rb") as f:
            return None if f.read() == self.remembered else f"{name} was changed"

    def occupy_port(self):
        """A port something else listens on, as another server would (kept open until the end)."""
        if getattr(self, "listener", None) is None:
            self.listener = socket.socket()
            self.listener.bind(("127.0.0.1", 0))
            self.listener.listen(1)
        self.port = self.listener.getsockname()[1]

    def absent(self, *names):
        left = [n for n in names if os.path.exists(self.path(n))]
        return f"left {', '.join(left)} behind" if left else None


def limits(limit):
    def apply():
        if limit is None:
            return
        if isinstance(limit, tuple):
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit[1], limit[1]))
        else:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return apply


def run_case(ctx, case):
    """None when the case answered as catalogued, else what went wrong."""
    if case.setup:
        case.setup(ctx)
    args = [a.replace("{work}", ctx.work).replace("{port}", str(getattr(ctx, "port", ""))) if isinstance(a, str) else a
            for a in case.args]
    try:
        done = subprocess.run([ctx.exe] + args, capture_output=True, timeout=case.timeout, preexec_fn=limits(case.limit))
    except subprocess.TimeoutExpired:
        return f"no answer within {case.timeout} s (a hang)"
    text = (done.stderr + done.stdout).decode("utf-8", "replace").strip()
    problems = []
    if done.returncode < 0:
        problems.append(f"killed by signal {-done.returncode} (a crash)")
    elif done.returncode != case.code:
        problems.append(f"exit {done.returncode}, expected {case.code}")
    if not re.search(case.pattern, text, re.MULTILINE):
        problems.append(f"message does not match /{case.pattern}/")
    if re.search(r"std::|basic_string|what\(\)|terminate called", text):
        problems.append("C++ library text in the message")
    if case.code != 0 and len(text.splitlines()) > case.lines:
        problems.append(f"{len(text.splitlines())} lines, not a message and a hint")
    if case.check:
        problem = case.check(ctx)
        if problem:
            problems.append(problem)
    return "; ".join(problems) + f"\n    output: {text[:600]}" if problems else None


def markdown():
    lines = ["# Bad inputs and faults", "",
             "What breachsim answers when something is wrong: generated from the catalogue in",
             "`tests/bad_inputs.py` (`/usr/bin/python3 tests/bad_inputs.py --markdown > docs/bad_inputs.md`),",
             "which the test `cli.bad_inputs` runs case by case: the exit code (README.md, \"Exit codes\")",
             "and a pattern the message must match, each answered within its time limit, with no crash,",
             "in a message and a hint at most, and without C++ library text. "
             f"{len(CASES)} cases, then the flows of several commands that other tests run.", "",
             "| area | what is wrong | command | exit | the message matches |", "|---|---|---|---|---|"]
    for c in CASES:
        command = " ".join(["breachsim"] + [a if isinstance(a, str) else a.decode("latin-1") for a in c.args])
        command = command.replace("{work}/", "").replace("|", "\\|")
        extra = {None: ""}.get(c.limit, " (under ulimit -f)" if isinstance(c.limit, tuple) else " (under ulimit -v)")
        pattern = c.pattern.replace("|", "\\|")
        lines.append(f"| {c.area} | {c.what}{extra} | `{command}` | {c.code} | `{pattern}` |")
    lines += ["", "## Flows in other tests", "", "| area | what happens | test |", "|---|---|---|"]
    for area, what, test in FLOWS:
        lines.append(f"| {area} | {what} | `{test}` |")
    return "\n".join(lines) + "\n"


def main():
    if sys.argv[1:] == ["--markdown"]:
        sys.stdout.write(markdown())
        return 0
    if len(sys.argv) != 4:
        print(__doc__)
        return 2
    exe, source, work = sys.argv[1:]
    exe = os.path.abspath(exe)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    os.chdir(source)
    ctx = Context(exe, os.path.abspath(work))
    failures = 0
    for case in CASES:
        problem = run_case(ctx, case)
        if problem:
            failures += 1
            print(f"FAIL [{case.area}] {case.what}: {problem}")
    with open("docs/bad_inputs.md") as f:
        if f.read() != markdown():
            failures += 1
            print("FAIL docs/bad_inputs.md is not the catalogue: regenerate it with "
                  "/usr/bin/python3 tests/bad_inputs.py --markdown > docs/bad_inputs.md")
    if failures:
        print(f"bad-inputs: {failures} of {len(CASES)} cases failed")
        return 1
    print(f"bad-inputs OK: {len(CASES)} cases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
