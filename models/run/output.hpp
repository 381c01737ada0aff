// SPDX-License-Identifier: MIT
#pragma once
#include <iosfwd>
#include <string>
#include <vector>

#include "models/run/run.hpp"
#include "models/run/summary.hpp"
#include "sim/result_file.hpp"

namespace breachsim::models {

// 2: /summary/multiplier (the multiplier of first-round fines, with its parts) replaced
// /summary/deficit_multiplier, and /outcomes/first_round_levy was added.
inline constexpr std::int64_t result_format_version = 2;

// Provenance that only the caller knows.
struct RunProvenance {
  std::string command_line;
  std::uint64_t seed = 0;
  int threads = 0;
  std::string shard;  // "K/N" for a shard's file (run --shard); empty otherwise
};

// The sweep points as the run saw them: names, one value (YAML text) per swept path, the
// baseline, and the config text stored in /config (empty: the resolved YAML of point 0).
struct PointsTable {
  std::vector<std::string> paths;
  std::vector<std::string> names;
  std::vector<std::vector<std::string>> values;  // [point][path]
  std::size_t baseline = 0;
  std::vector<std::size_t> references;  // [point] (Sweep::references); empty: the baseline for all
  std::string config_text;

  std::size_t reference(std::size_t point) const { return references.empty() ? baseline : references.at(point); }
};

// The tables and attributes of the layout (results/FORMAT.md) that do not depend on the
// outcomes: root attributes, /config, /points, /trusts, /months, /metrics, /schemes.
void write_static(sim::ResultFile& file, const std::vector<const ScenarioSetup*>& setups, const PointsTable& points,
                  const RunProvenance& provenance, std::size_t replications);
// The /summary tables: national_run per point, paired_differences, multiplier and plan_delivery.
void write_summary(sim::ResultFile& file, const NationalRuns& runs);
// What a file gets once its outcomes are complete (after finish_streaming()): the /summary
// tables and the outcome datasets' dimension scales.
void write_final_objects(sim::ResultFile& file, const NationalRuns& runs);

// "Scenario 'x': 5 trusts, 24 months (2015-04 to 2017-03), 64 replications ..."
std::string run_title(const ScenarioSetup& setup, std::size_t points, std::size_t replications);

// A finished (or interrupted) run read back from its file, for `breachsim summary`.
struct SavedRun {
  NationalRuns runs;
  std::string title;
  // What a resumed run must agree with.
  std::string config_sha256;
  std::uint64_t seed = 0;
  std::int64_t format_version = 0;
  bool has_summary = false;
  std::string shard;  // the root attribute `shard` ("K/N") of a shard's file; empty otherwise
};
// Throws sim::OutputError for a file that is not a breachsim result or is of a newer format,
// sim::OutputDamaged (saying to start over with --force) for one HDF5 cannot read.
SavedRun read_saved_run(const std::string& path);
// [point]: the point each point of a result file is compared with (its /points `reference`
// column; the baseline for every point in a file written before it existed).
std::vector<std::size_t> point_references(const sim::ResultReader& in);

std::string library_versions();
// "2026-12-06T23:32:09Z": now, as the root attribute created_utc has it.
std::string utc_now();

}  // namespace breachsim::models
