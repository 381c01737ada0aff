// SPDX-License-Identifier: MIT
// The deficit multiplier of fines on real runs (docs/sources.md §1, models/run/summary.hpp):
// the shadow levy of every point's sanctions on the baseline's breaches, the extra deficit in
// its parts, the multiplier named only for points that differ in sanctions alone, the same
// table from a run and from its file, and a baseline the shadow levies leave untouched.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "models/run/layout.hpp"
#include "models/run/output.hpp"
#include "models/run/run_control.hpp"
#include "models/run/scenario.hpp"
#include "models/run/sensitivity_summary.hpp"
#include "sim/config.hpp"
#include "sim/result_file.hpp"

using namespace breachsim;
using models::Metric;
namespace fs = std::filesystem;

namespace {

std::string unique_name(const std::string& name, const std::string& ext) {
  return (fs::temp_directory_path() / ("breachsim_test_multiplier_" + name + "_" + std::to_string(getpid()) + ext))
      .string();
}

// tests/data/multiplier.yaml with a sweep appended, written where the test can load it.
struct SweepConfig {
  std::string path;
  SweepConfig(const std::string& name, const std::string& sweep) : path(unique_name(name, ".yaml")) {
    std::ifstream in("tests/data/multiplier.yaml");
    std::stringstream text;
    text << in.rdbuf() << sweep;
    std::ofstream(path) << text.str();
  }
  ~SweepConfig() { fs::remove(path); }
};

// A result file of this process, removed (with any partial) at the end.
struct TempResult {
  std::string path;
  explicit TempResult(const std::string& name) : path(unique_name(name, ".h5")) {}
  ~TempResult() {
    fs::remove(path);
    fs::remove(sim::ResultFile::partial_path(path));
  }
};

// Cost control that acts as soon as a trust falls behind its plan. The income puts the trusts
// about on plan without fines (350m before cost improvement took pay savings as posts, whose
// smaller agency gap saves money from May: 347m since).
const std::vector<std::string> responding = {"defaults.management.cost_control.enabled=true",
                                             "defaults.management.cost_control.trigger_share_of_income=0.001",
                                             "defaults.finance.income.other_income_gbp_per_year=347e6"};

const char* fines_sweep = "sweep:\n  - {path: defaults.finance.fined, values: [false, true], labels: [off, on]}\n";

// The sweep run as `breachsim run --set ...` runs it, streamed into `out`.
models::RunTotals run_sweep(const std::string& config, const std::vector<std::string>& sets, const std::string& out) {
  const models::Sweep sweep = models::load_sweep(config, sets);
  const models::PlannedRun run = models::plan_run(sweep, Metric::cumulative_deficit, 2, "test_multiplier");
  models::RunStart start = models::fresh_start(run);
  auto file = sim::ResultFile::create(out, true);
  models::write_layout(file, run.spec, start.extent);
  file.start_streaming();
  const std::atomic<bool> stop{false};
  models::RunTotals totals = models::run_batches(file, run, std::move(start.prior), start.extent, stop);
  models::finish_run(file, totals, start.replace_summary);
  return totals;
}

double levy(const models::NationalRuns& runs, std::size_t p, std::size_t r) {
  return runs.first_round_levy[p * runs.replications + r];
}

// The printed multiplier section, without the run's title.
std::string multiplier_section(const models::NationalRuns& runs) {
  std::ostringstream out;
  models::print_summary(out, runs, "");
  const std::string text = out.str();
  const auto from = text.find("The deficit multiplier"), to = text.find("Plans delivered");
  REQUIRE(from != std::string::npos);
  return text.substr(from, to - from);
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("the extra deficit is the sum of its parts when management responds to the fines", "[multiplier][threads]") {
  const SweepConfig config("parts", fines_sweep);
  const TempResult file("parts");
  // With this income the trusts are about on plan without fines, so cost control acts more
  // often where they are fined.
  const auto totals = run_sweep(config.path, responding, file.path);
  const auto rows = models::deficit_multipliers(totals.runs);
  REQUIRE(rows.size() == 1);
  const auto& d = rows[0];
  REQUIRE(d.replications == 3);
  // The response moved more than the fines: breaches differ, so some fines were induced.
  REQUIRE(d.cost_change.mean != 0.0);
  REQUIRE(d.induced_fines.mean != 0.0);
  const double parts = d.first_round_fines.mean + d.induced_fines.mean + d.lost_income.mean + d.cost_change.mean +
                       d.interest.mean - d.returned.mean;
  INFO("parts " << parts << ", extra deficit " << d.delta_deficit.mean);
  CHECK(std::fabs(parts - d.delta_deficit.mean) <= 1e-9 * std::fabs(d.delta_deficit.mean));
  CHECK(d.differs_in.empty());
  CHECK(std::isfinite(d.multiplier));
  CHECK(d.multiplier == Approx(d.delta_deficit.mean / d.first_round_fines.mean));

  SECTION("breachsim summary reads the same table back from the file") {
    const models::SavedRun saved = models::read_saved_run(file.path);
    CHECK(saved.runs.first_round_levy == totals.runs.first_round_levy);
    CHECK(multiplier_section(saved.runs) == multiplier_section(totals.runs));
    const sim::ResultReader in(file.path);
    const sim::Table table = in.read_table(models::layout::multiplier);
    REQUIRE(!table.empty());
    CHECK(table.front().name == "point");
    CHECK(table.back().name == "differs_in");
    CHECK_FALSE(in.exists("/summary/deficit_multiplier"));
  }
}

TEST_CASE("without a management response the first-round fines are the fines, and the multiplier is explained",
          "[multiplier][threads]") {
  // The baseline fines already; the point doubles the A&E rate.
  const SweepConfig config("explained", "sweep:\n  - {path: schemes.ed_4h.rate_gbp, values: [120, 240]}\n");
  const TempResult file("explained");
  const auto totals = run_sweep(config.path, {}, file.path);
  const models::NationalRuns& runs = totals.runs;
  for (std::size_t r = 0; r < runs.replications; ++r) {
    // The baseline's levy of its own sanctions is its fines; the point's, on breaches it shares.
    CHECK(levy(runs, 0, r) == runs.value(0, r, Metric::fines));
    CHECK(levy(runs, 1, r) == runs.value(1, r, Metric::fines));
    CHECK(runs.value(0, r, Metric::ed_breaches_4h) == runs.value(1, r, Metric::ed_breaches_4h));
  }
  const auto rows = models::deficit_multipliers(runs);
  REQUIRE(rows.size() == 1);
  const auto& d = rows[0];
  REQUIRE(d.first_round_fines.mean > 0.0);
  CHECK(d.induced_fines.mean == 0.0);
  CHECK(d.induced_fines.high == 0.0);
  CHECK(d.lost_income.mean == 0.0);
  CHECK(d.cost_change.mean == 0.0);
  // What is left is what the fines cost on top of their face value: interest on the borrowing
  // they forced, less the reinvested and pooled fines that came back.
  const double explained = 1.0 + (d.interest.mean - d.returned.mean) / d.first_round_fines.mean;
  CHECK(d.multiplier == Approx(explained).epsilon(1e-9));
  CHECK(d.returned.mean != 0.0);  // pools paid the trusts in deficit differently: the term is exercised
}

TEST_CASE("the shadow levy of a per-incident scheme is its rate times the baseline's incidents", "[multiplier][threads]") {
  // Only mixed-sex accommodation is fined, per patient-day and only at the second point, at a
  // rate punitive enough that cost control closes beds there and the point's own mixed-sex
  // days differ from the baseline's: the levy must count the baseline's. No overall cap. (At
  // £300,000 a day, seven days' fines left the trust within its plan once summer sickness fell
  // with the seasons; at £3m it falls behind, halves agency cover and closes beds.)
  const SweepConfig config("incidents", "sweep:\n  - {path: schemes.msa.rate_gbp, values: [0, 3000000]}\n");
  const TempResult file("incidents");
  std::vector<std::string> sets = responding;
  sets.push_back("schemes={msa: {type: per_incident, incident: mixed_sex_accommodation, rate_gbp: 1}}");
  sets.push_back("trusts[1].finance.fines_cap_share_of_contract_month=0");
  run_sweep(config.path, sets, file.path);
  const sim::ResultReader in(file.path);
  const std::string days = models::layout::national_month("mixed_sex_breaches");
  const auto counts = in.read_doubles(days);
  const auto levied = in.read_doubles(models::layout::first_round_levy);
  const auto dims = in.dims(days);
  const std::size_t R = dims.at(1), M = dims.at(2);
  REQUIRE(levied.size() == 2 * R);
  std::size_t differ = 0;
  for (std::size_t r = 0; r < R; ++r) {
    double baseline_days = 0.0, point_days = 0.0;
    for (std::size_t m = 0; m < M; ++m) {
      baseline_days += counts[(0 * R + r) * M + m];
      point_days += counts[(1 * R + r) * M + m];
    }
    REQUIRE(baseline_days > 0.0);
    differ += point_days != baseline_days ? 1 : 0;
    CHECK(levied[0 * R + r] == 0.0);  // the baseline's own rate is 0
    CHECK(levied[1 * R + r] == 3000000.0 * baseline_days);
  }
  CHECK(differ > 0);
}

TEST_CASE("a point that differs in more than sanctions gets no multiplier, and says in what", "[multiplier][threads]") {
  const SweepConfig config("differs", std::string(fines_sweep) +
                                          "  - {path: defaults.finance.costs.cip_target_share, values: [0.03, 0.05]}\n");
  const TempResult file("differs");
  const auto totals = run_sweep(config.path, {"monte_carlo.replications=2", "scenario.months=4"}, file.path);
  const auto rows = models::deficit_multipliers(totals.runs);
  // Points: (off, 0.03) the baseline, (off, 0.05), (on, 0.03), (on, 0.05).
  REQUIRE(rows.size() == 3);
  const std::vector<std::string> cip = {"defaults.finance.costs.cip_target_share"};
  CHECK(rows[0].differs_in == cip);
  CHECK(std::isnan(rows[0].multiplier));
  CHECK(rows[1].differs_in.empty());
  CHECK(std::isfinite(rows[1].multiplier));
  CHECK(rows[2].differs_in == cip);
  CHECK(std::isnan(rows[2].multiplier));
  CHECK(std::isnan(rows[2].low));
  // Its extra deficit is still broken down: the savings are a cost change.
  CHECK(rows[2].cost_change.mean < 0.0);

  const std::string printed = multiplier_section(models::read_saved_run(file.path).runs);
  INFO(printed);
  CHECK(contains(printed, "point 'on, defaults.finance.costs.cip_target_share=0.05': not a multiplier: this point also "
                          "differs in defaults.finance.costs.cip_target_share"));
  CHECK(contains(printed, "point 'on, defaults.finance.costs.cip_target_share=0.03': multiplier "));
  const sim::Table table = sim::ResultReader(file.path).read_table(models::layout::multiplier);
  const auto& differs = std::get<std::vector<std::string>>(table.back().values);
  CHECK(differs == std::vector<std::string>{cip[0], "", cip[0]});
}

TEST_CASE("reference_path pairs each point with fines with the same point without: a multiplier at every cip share",
          "[multiplier][threads]") {
  // Points: (0.03, off) the baseline, (0.03, on), (0.05, off), (0.05, on).
  const std::string sweep = "sweep:\n  - {path: defaults.finance.costs.cip_target_share, values: [0.03, 0.05]}\n"
                            "  - {path: defaults.finance.fined, values: [false, true], labels: [off, on]}\n";
  const SweepConfig config("paired", sweep);
  const std::vector<std::string> sets = {"monte_carlo.replications=3", "scenario.months=4",
                                         "monte_carlo.reference_path=defaults.finance.fined"};
  CHECK(models::load_sweep(config.path, sets).references == std::vector<std::size_t>{0, 0, 2, 2});
  const TempResult file("paired");
  const auto totals = run_sweep(config.path, sets, file.path);
  const auto rows = models::deficit_multipliers(totals.runs);
  REQUIRE(rows.size() == 2);  // the points without fines are their own references
  CHECK(rows[0].point == 1);
  CHECK(rows[1].point == 3);
  // Each pair's multiplier is exactly that of a two-point run of its cip share alone: the same
  // tasks (seed, replication, scenario), the levy on the pair's own unfined breaches.
  for (const auto& [row, cip] : {std::pair{rows[0], "0.03"}, std::pair{rows[1], "0.05"}}) {
    INFO("cip_target_share " << cip);
    const SweepConfig alone(std::string("alone") + cip, fines_sweep);
    const TempResult alone_file(std::string("alone") + cip);
    const auto alone_totals =
        run_sweep(alone.path,
                  {"monte_carlo.replications=3", "scenario.months=4",
                   std::string("defaults.finance.costs.cip_target_share=") + cip},
                  alone_file.path);
    const auto expected = models::deficit_multipliers(alone_totals.runs).at(0);
    REQUIRE(std::isfinite(row.multiplier));
    CHECK(row.multiplier == expected.multiplier);
    CHECK(row.low == expected.low);
    CHECK(row.first_round_fines.mean == expected.first_round_fines.mean);
    CHECK(row.delta_deficit.mean == expected.delta_deficit.mean);
    CHECK(row.differs_in.empty());
  }
  // The file says each point's reference, and reading it back gives the same table.
  const models::SavedRun saved = models::read_saved_run(file.path);
  CHECK(saved.runs.references == std::vector<std::size_t>{0, 0, 2, 2});
  const std::string printed = multiplier_section(saved.runs);
  INFO(printed);
  CHECK(contains(printed, "each point against its reference point (monte_carlo.reference_path)"));
  CHECK(contains(printed, "point 'defaults.finance.costs.cip_target_share=0.05, on' against "
                          "'defaults.finance.costs.cip_target_share=0.05, off': multiplier "));
  for (std::size_t r = 0; r < 3; ++r) {
    CHECK(std::isfinite(levy(saved.runs, 1, r)));
    CHECK(std::isfinite(levy(saved.runs, 3, r)));
  }
}

// A Morris study over two assumptions of cost control, one of which the scenario ignores (its
// protect_performance policy is off), explaining the multiplier and the 4-hour breaches.
const char* study_section =
    "sensitivity:\n"
    "  method: morris\n"
    "  trajectories: 3\n"
    "  bootstrap: 200\n"
    "  factors:\n"
    "    - {path: defaults.management.cost_control.agency_factor, low: 0.2, high: 0.8}\n"
    "    - {path: defaults.management.protect_performance.agency_factor, low: 1.5, high: 3}\n"
    "  outputs: [multiplier, ed_breaches_4h, fines]\n";

TEST_CASE("a sensitivity study's design rows are the run's points, with and without fines", "[multiplier]") {
  const SweepConfig config("study_points", study_section);
  const models::Sweep sweep = models::load_sweep(config.path, responding);
  REQUIRE(sweep.study);
  const models::SensitivityStudy& study = *sweep.study;
  REQUIRE(study.paired);  // the multiplier needs each row with and without fines
  REQUIRE(study.rows() == 9);  // 3 trajectories of 2 groups + 1
  REQUIRE(sweep.points.size() == 18);
  CHECK(sweep.paths == std::vector<std::string>{"defaults.management.cost_control.agency_factor",
                                                "defaults.management.protect_performance.agency_factor",
                                                "defaults.finance.fined"});
  for (std::size_t row = 0; row < study.rows(); ++row) {
    const auto values = sim::sensitivity::factor_values(study.factors, study.unit_points()[row]);
    for (std::size_t f = 0; f < 2; ++f) {
      const models::SweepPoint& point = sweep.points[2 * row + f];
      CHECK(point.name == "row " + std::to_string(row) + (f ? ", fines" : ", no fines"));
      CHECK(point.scenario.trusts[0].management.cost_control.agency_factor == values[0]);
      CHECK(point.scenario.trusts[1].management.protect_performance.agency_factor == values[1]);
      CHECK(point.scenario.trusts[0].finance.fined == (f == 1));
      CHECK(sweep.references[2 * row + f] == 2 * row);
    }
  }
}

TEST_CASE("a study's indices: an assumption the model ignores moves nothing, exactly", "[multiplier][threads]") {
  const SweepConfig config("study_run", study_section);
  const TempResult file("study_run");
  std::vector<std::string> sets = responding;
  sets.insert(sets.end(), {"monte_carlo.replications=2", "scenario.months=4"});
  const auto totals = run_sweep(config.path, sets, file.path);
  const models::SavedRun saved = models::read_saved_run(file.path);
  REQUIRE(saved.runs.study);  // remade from /config
  const auto outputs = models::sensitivity_outputs(*saved.runs.study, saved.runs);
  REQUIRE(outputs.size() == 3);
  for (const models::SensitivityOutput& o : outputs) {
    INFO(o.output << ": " << o.missing);
    if (!o.missing.empty()) continue;  // a multiplier undefined at some row is said, not guessed
    REQUIRE(o.morris);
    const auto& ignored = o.morris->groups[1];
    CHECK(ignored.name == "defaults.management.protect_performance.agency_factor");
    // Common random numbers: the same patients whatever the ignored value, so every effect is 0.
    CHECK(ignored.mu_star.value == 0.0);
    CHECK(ignored.sigma == 0.0);
    CHECK(models::ranked_groups(o).front() == 0);
  }
  CHECK(outputs[1].missing.empty());  // 4-hour breaches are defined at every row
  CHECK(outputs[1].morris->groups[0].mu_star.value > 0.0);
  // The same outputs from the run in memory and from the file; the table has them ranked.
  const auto in_memory = models::sensitivity_outputs(*saved.runs.study, totals.runs);
  for (std::size_t k = 0; k < outputs.size(); ++k) CHECK(in_memory[k].rows == outputs[k].rows);
  const sim::Table table = sim::ResultReader(file.path).read_table(models::layout::sensitivity);
  CHECK(std::get<std::vector<std::string>>(table.at(0).values).front() == "multiplier");
  // Convergence: 3 trajectories are too few to halve, so one size, the whole, per group of each
  // output with indices, its mu* the table's.
  const sim::Table convergence = sim::ResultReader(file.path).read_table(models::layout::sensitivity_convergence);
  const auto& names = std::get<std::vector<std::string>>(convergence.at(0).values);
  const auto& groups = std::get<std::vector<std::string>>(convergence.at(1).values);
  const auto& sizes = std::get<std::vector<std::int64_t>>(convergence.at(2).values);
  const auto& mu_star = std::get<std::vector<double>>(convergence.at(3).values);
  bool found = false;
  for (std::size_t i = 0; i < names.size(); ++i) {
    CHECK(sizes[i] == 3);
    if (names[i] == "ed_breaches_4h" && groups[i] == outputs[1].morris->groups[0].name) {
      CHECK(mu_star[i] == outputs[1].morris->groups[0].mu_star.value);
      found = true;
    }
  }
  CHECK(found);
  std::ostringstream printed;
  models::print_summary(printed, saved.runs, "");
  CHECK(contains(printed.str(), "Sensitivity (Morris elementary effects, 9 design rows: 3 trajectories at 4 levels"));
}

TEST_CASE("a sensitivity study's problems are reported at their key paths", "[multiplier]") {
  const auto refusal = [](const std::string& section, const std::string& extra = "") {
    const SweepConfig config("study_refusal", extra + section);
    try {
      models::load_sweep(config.path);
    } catch (const sim::config::ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  using Catch::Matchers::Contains;
  const std::string one_factor = "  factors:\n    - {path: defaults.management.cost_control.agency_factor, low: 0.2, high: 0.8}\n";
  CHECK_THAT(refusal("sensitivity:\n  method: sobol\n" + one_factor + "  outputs: [finez]\n"),
             Contains("sensitivity.outputs: 'finez' is neither a metric"));
  CHECK_THAT(refusal("sensitivity:\n  method: moris\n" + one_factor), Contains("sensitivity.method"));
  CHECK_THAT(refusal("sensitivity:\n  factors:\n    - {path: defaults.beds.general_acute_beds, low: 800, high: 700}\n"),
             Contains("sensitivity.factors[0]"));
  CHECK_THAT(refusal("sensitivity:\n  factors:\n    - {path: scenario.months, low: 3, high: 6}\n"),
             Contains("sensitivity.factors[0].path: every point must have the same calendar"));
  CHECK_THAT(refusal("sensitivity:\n" + one_factor, fines_sweep), Contains("a sweep or a sensitivity study, not both"));
  CHECK_THAT(refusal("sensitivity:\n  outputs: [fines]\n"), Contains("sensitivity.factors: missing"));
  CHECK_THAT(refusal("sensitivity:\n  factors:\n    - {path: defaults.beds.general_acute_beds, low: 700}\n"),
             Contains("sensitivity.factors[0].high: missing"));
  CHECK(refusal("sensitivity:\n" + one_factor) == "(accepted)");
  // Whole-number keys: a Sobol design's values are not whole unless the factor says so.
  const std::string beds = "sensitivity:\n  method: sobol\n  base_samples: 4\n  factors:\n"
                           "    - {path: defaults.beds.general_acute_beds, low: 700, high: 710";
  CHECK_THAT(refusal(beds + "}\n"), Contains("must be a whole number of beds"));
  CHECK(refusal(beds + ", integer: true}\n") == "(accepted)");
  // The study's own fines switch cannot be a factor when its outputs are about fines.
  CHECK_THAT(refusal("sensitivity:\n  factors:\n    - {path: defaults.finance.fined, low: 0, high: 1}\n"),
             Contains("sensitivity.factors[0].path: the study runs every row without and with fines"));
}

TEST_CASE("reference_path must name a swept path", "[multiplier]") {
  const SweepConfig config("bad_reference", fines_sweep);
  const auto refusal = [&](const std::string& set) {
    try {
      models::load_sweep(config.path, {set});
    } catch (const sim::config::ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  CHECK_THAT(refusal("monte_carlo.reference_path=defaults.finance.costs.cip_target_share"),
             Catch::Matchers::Contains("monte_carlo.reference_path: 'defaults.finance.costs.cip_target_share' is not "
                                       "swept; the swept paths are ['defaults.finance.fined']"));
  CHECK_THAT(refusal("monte_carlo.reference_path=[1, 2]"),
             Catch::Matchers::Contains("monte_carlo.reference_path: expected a swept path"));
  CHECK(refusal("monte_carlo.reference_path=defaults.finance.fined") == "(accepted)");
}

TEST_CASE("the shadow levies leave the baseline's outcomes bit for bit as they were", "[multiplier][threads]") {
  // The golden scenario switches on every money feature, waivers and management included; eight
  // months from October 2015 reach the incentive fund that suspends schemes from April 2016.
  const models::Sweep sweep = models::load_sweep("tests/golden/scenario.yaml", {"scenario.months=8"});
  REQUIRE(sweep.points.size() == 2);
  const models::ScenarioSetup off(sweep.points[0].scenario, sweep.schemes), on(sweep.points[1].scenario, sweep.schemes);
  for (std::uint32_t r = 0; r < 2; ++r) {
    const auto alone = models::simulate_replication(off, 424242, r);
    const auto shadowed = models::simulate_replication(off, 424242, r, {&off, &on});
    CHECK(alone.first_round_levy.empty());
    REQUIRE(shadowed.first_round_levy.size() == 2);
    CHECK(shadowed.values == alone.values);
    CHECK(shadowed.scheme_fines == alone.scheme_fines);
    CHECK(shadowed.pool_balance == alone.pool_balance);
    CHECK(shadowed.events == alone.events);
    CHECK(shadowed.first_round_levy[0] == 0.0);  // fines off
    CHECK(shadowed.first_round_levy[1] > 0.0);
  }
}

TEST_CASE("sanctions are schemes, finance.fined and the overall fine caps, wherever they are set", "[multiplier]") {
  for (const char* key : {"schemes", "schemes.ed_4h.rate_gbp", "regimes[1].schemes.ae.rate_gbp", "defaults.finance.fined",
                          "trusts[3].finance.fined", "defaults.finance.fines_cap_share_of_contract_month",
                          "trusts[0].finance.fines_cap_share_of_contract_year"})
    CHECK(models::is_sanction_key(key));
  for (const char* key : {"incentive_fund.enabled", "regimes[0].preset", "regimes[0].incentive_fund.ed_share",
                          "defaults.finance", "defaults.finance.takes_incentive_fund", "trusts[1].finance.costs.cip_target_share",
                          "defaults.management.cost_control.enabled", "finance.fined", "trusts.finance.fined", "not a path["})
    CHECK_FALSE(models::is_sanction_key(key));

  using V = std::vector<std::string>;
  // Scalars: the swept path itself.
  CHECK(models::non_sanction_differences({"defaults.finance.fined"}, {"true"}, {"false"}).empty());
  CHECK(models::non_sanction_differences({"incentive_fund.enabled"}, {"true"}, {"false"}) == V{"incentive_fund.enabled"});
  CHECK(models::non_sanction_differences({"incentive_fund.enabled"}, {"true"}, {"true"}).empty());
  // Maps and lists key by key, a key on one side only differing.
  CHECK(models::non_sanction_differences({"defaults.finance"}, {"{fined: true, contract_value_gbp_per_year: 1}"},
                                         {"{fined: false, contract_value_gbp_per_year: 1}"})
            .empty());
  CHECK(models::non_sanction_differences({"defaults.finance"}, {"{fined: true, takes_incentive_fund: false}"},
                                         {"{fined: false}"}) == V{"defaults.finance.takes_incentive_fund"});
  CHECK(models::non_sanction_differences({"regimes"}, {"[{preset: a, schemes: {x: {rate_gbp: 2}}}]"},
                                         {"[{preset: a, schemes: {x: {rate_gbp: 1}}}]"})
            .empty());
  CHECK(models::non_sanction_differences({"regimes"}, {"[{preset: a}]"}, {"[{preset: b}]"}) == V{"regimes[0].preset"});
  CHECK(models::non_sanction_differences({"regimes"}, {"[{preset: a}, {preset: b}]"}, {"[{preset: a}]"}) == V{"regimes"});
  // Several swept paths: only the ones that differ, only those that are not sanctions.
  CHECK(models::non_sanction_differences({"schemes.ed_4h.rate_gbp", "defaults.ed.arrivals_per_year"}, {"120", "90000"},
                                         {"0", "90000"})
            .empty());
}
