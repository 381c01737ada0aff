// SPDX-License-Identifier: MIT
// The winter mechanisms (docs/architecture.md "Seasons"): each month-of-year profile acts
// through the model in the month it names, and a flat profile leaves the model as it was
// without seasons. Each test compares a January with a July on the same patients or staff.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "models/care/seasons.hpp"
#include "models/care/trust.hpp"
#include "models/run/run.hpp"

using namespace breachsim;

namespace {

const std::vector<double> flat(12, 1.0);

// A trust with A&E alone and room for everyone: no queue for clinicians or beds, so what a
// patient experiences is what the profiles give them.
models::TrustParams roomy_trust(double arrivals_per_year) {
  models::TrustParams t;
  t.name = "T";
  t.ed.arrivals_per_year = arrivals_per_year;
  t.ed.arrivals_by_month = flat;
  t.ed.clinicians_by_hour = {1000};
  t.beds.general_acute_beds = 20000;
  t.staffing.beds_per_nurse_wte = 1e6;  // every physical bed staffed
  t.elective.referrals_per_week = 0.0;
  t.elective.initial_list = 0.0;
  t.cancer.urgent_referrals_per_week = 0.0;
  t.beds.readmission_share_after_emergency = 0.0;
  t.beds.readmission_share_after_elective = 0.0;
  return t;
}

// January to July 2017, one replication: the months of one trust.
std::vector<models::TrustMonth> january_to_july(const models::TrustParams& t) {
  models::Scenario s;
  s.scenario.first_month = {2017, 1, 1};
  s.scenario.months = 7;
  s.scenario.warmup_months = 0;
  s.trusts.push_back(t);
  const models::ScenarioSetup setup(s);
  models::Trust trust(setup.trust_setups[0], setup.calendar, sim::StreamKey{13, 0, 0});
  std::vector<models::TrustMonth> months;
  for (int m = 0; m < setup.calendar.months(); ++m) months.push_back(trust.run_month(setup.calendar.month_start(m + 1)));
  return months;
}

// A profile's January and July values after scaling to a mean of 1.
double january(const std::vector<double>& p) { return models::in_month(models::relative_profile(p), 1); }
double july(const std::vector<double>& p) { return models::in_month(models::relative_profile(p), 7); }

// Wards on their own: `patients` emergency admissions at time 0 in calendar month
// `month_of_year`; returns every discharge time, sorted, and the month's counts.
// Discharges at any hour: these tests compare drawn stays, which the discharge window would
// hold to the morning (tests/test_exit_block.cpp).
void without_discharge_window(models::BedParams& p) {
  p.discharge_window_opens_hour = 0.0;
  p.discharge_window_closes_hour = 24.0;
  p.early_discharge_daily_limit_share = 0.0;
}

struct WardRun {
  std::vector<double> discharges;
  models::WardMonth month;
};
struct Discharger {
  models::Wards* wards;
  std::vector<double>* times;
  void on_event(const models::TrustEvent&, models::TrustSimulator& sim) {
    times->push_back(sim.now());
    wards->discharge(sim);
  }
};
WardRun admit_in(models::BedParams p, int month_of_year, int patients) {
  p.infection_closed_share_by_month.assign(12, 0.0);  // a bed for everyone
  p.readmission_share_after_emergency = 0.0;          // no events but discharges
  const models::WardSetup setup(p, 1e9);
  models::Wards wards(setup, sim::StreamKey{17, 0, 0});
  models::TrustSimulator sim;
  wards.set_month_of_year(month_of_year);
  wards.set_open_beds(patients, 0.0);
  for (int i = 0; i < patients; ++i) {
    std::uint32_t slot;
    wards.request_emergency(static_cast<std::uint32_t>(i), false, sim);
    REQUIRE(wards.next_emergency(slot, 0.0));
    wards.admit_emergency(static_cast<std::uint64_t>(i), sim);
  }
  WardRun out;
  Discharger d{&wards, &out.discharges};
  sim.run_until(std::numeric_limits<double>::max(), d);
  out.month = wards.close_month(sim.now());
  std::sort(out.discharges.begin(), out.discharges.end());
  return out;
}

}  // namespace

TEST_CASE("a flat profile is exactly 1 in every month, whatever its level", "[winter]") {
  for (double level : {1.0, 0.37, 2.5}) {
    const models::MonthProfile p = models::relative_profile(std::vector<double>(12, level));
    for (double v : p) CHECK(v == 1.0);
  }
  // The defaults are scaled to a mean of 1, so the yearly parameters keep their meaning.
  const models::MonthProfile stay = models::relative_profile(models::BedParams{}.emergency_stay_by_month);
  double sum = 0.0;
  for (double v : stay) sum += v;
  CHECK(sum / 12.0 == Approx(1.0).epsilon(1e-12));
}

TEST_CASE("a profile's amplitude stretches its winter, and 1 leaves it as it was", "[winter]") {
  const std::vector<double> sickness = models::StaffingParams{}.sickness_by_month;
  const models::MonthProfile as_given = models::relative_profile(sickness);
  CHECK(models::relative_profile(sickness, 1.0) == as_given);  // bit for bit
  const models::MonthProfile flat_winter = models::relative_profile(sickness, 0.0);
  for (double v : flat_winter) CHECK(v == 1.0);
  const models::MonthProfile deep = models::relative_profile(sickness, 2.0);
  for (std::size_t m = 0; m < 12; ++m) CHECK(deep[m] - 1.0 == Approx(2.0 * (as_given[m] - 1.0)).epsilon(1e-12));
  // Stretched past zero, a month is zero (no negative stay or sickness); the others stretch.
  const std::vector<double> swinging = {1.5, 0.5, 1.5, 0.5, 1.5, 0.5, 1.5, 0.5, 1.5, 0.5, 1.5, 0.5};
  const models::MonthProfile extreme = models::relative_profile(swinging, 3.0);
  CHECK(models::in_month(extreme, 2) == 0.0);
  CHECK(models::in_month(extreme, 1) == 2.5);
  // A share profile scales, and never beyond a share of 1.
  const std::vector<double> closed = models::BedParams{}.infection_closed_share_by_month;
  CHECK(models::absolute_profile(closed, 1.0)[0] == closed[0]);
  CHECK(models::absolute_profile(closed, 2.0)[0] == 2.0 * closed[0]);
  CHECK(models::absolute_profile(closed, 1000.0)[0] == 1.0);
}

TEST_CASE("the amplitude acts through the model: a deeper winter admits more in January", "[winter][ed]") {
  // The same attendances (the same stream) with the admission profile at 0 and at 2: January's
  // share at 2 is the flat share plus twice the shipped departure, within 4 standard errors.
  models::TrustParams t = roomy_trust(300000.0);
  t.ed.admission_share_by_month_amplitude = 0.0;
  const auto flat_months = january_to_july(t);
  t.ed.admission_share_by_month_amplitude = 2.0;
  const auto deep_months = january_to_july(t);
  const double departure = january(t.ed.admission_share_by_month) - 1.0;
  const double n = static_cast<double>(deep_months[0].ed.attendances);
  CHECK(flat_months[0].ed.attendances == deep_months[0].ed.attendances);
  const double p_flat = t.ed.admission_share, p_deep = t.ed.admission_share * (1.0 + 2.0 * departure);
  CHECK(std::fabs(static_cast<double>(flat_months[0].ed.admissions) - p_flat * n) < 4.0 * std::sqrt(n * p_flat * (1 - p_flat)));
  CHECK(std::fabs(static_cast<double>(deep_months[0].ed.admissions) - p_deep * n) < 4.0 * std::sqrt(n * p_deep * (1 - p_deep)));
}

TEST_CASE("winter attendances are admitted more often than summer ones", "[winter][ed]") {
  // Binomial counts of about 25k attendances a month: 4 standard errors of the share is
  // about 0.011 of it, against a January-July gap of 10%.
  models::TrustParams t = roomy_trust(300000.0);
  const auto months = january_to_july(t);
  const double base = t.ed.admission_share;
  for (int m : {0, 6}) {
    const double n = static_cast<double>(months[m].ed.attendances);
    const double p = base * (m == 0 ? january(t.ed.admission_share_by_month) : july(t.ed.admission_share_by_month));
    INFO("month " << m + 1);
    CHECK(std::fabs(static_cast<double>(months[m].ed.admissions) - p * n) < 4.0 * std::sqrt(n * p * (1.0 - p)));
  }
  CHECK(january(t.ed.admission_share_by_month) > 1.05 * july(t.ed.admission_share_by_month));

  // Flat: the same share in both months, the configured one.
  t.ed.admission_share_by_month = flat;
  const auto level = january_to_july(t);
  for (int m : {0, 6}) {
    const double n = static_cast<double>(level[m].ed.attendances);
    CHECK(std::fabs(static_cast<double>(level[m].ed.admissions) - base * n) < 4.0 * std::sqrt(n * base * (1.0 - base)));
  }
}

TEST_CASE("winter patients take longer to treat than summer ones", "[winter][ed]") {
  // No queue for clinicians or beds, so time in department is the treatment time: its mean
  // (about 25k patients a month, coefficient of variation 0.55) is known to about 0.4%.
  models::TrustParams t = roomy_trust(300000.0);
  auto mean_minutes = [](const models::TrustMonth& m) {
    return m.ed.minutes_in_department / static_cast<double>(m.ed.attendances);
  };
  const auto months = january_to_july(t);
  const double expected = january(t.ed.treatment_minutes_by_month) / july(t.ed.treatment_minutes_by_month);
  CHECK(expected > 1.05);  // the default profile (1.09) is far outside the 2% the means are known to
  CHECK(mean_minutes(months[0]) / mean_minutes(months[6]) == Approx(expected).epsilon(0.02));
  CHECK(mean_minutes(months[0]) == Approx(t.ed.treatment_minutes.mean * january(t.ed.treatment_minutes_by_month)).epsilon(0.02));

  t.ed.treatment_minutes_by_month = flat;
  const auto level = january_to_july(t);
  CHECK(mean_minutes(level[0]) / mean_minutes(level[6]) == Approx(1.0).epsilon(0.02));
  CHECK(mean_minutes(level[6]) == Approx(t.ed.treatment_minutes.mean).epsilon(0.02));
}

TEST_CASE("the same patient admitted in January stays longer than in July", "[winter][wards]") {
  // Every stay is scaled (no zero-day stays, no delays), so each discharge time is the July
  // one times the ratio of the months' factors: the same patients, the same draws.
  models::BedParams p;
  p.emergency_zero_day_share = 0.0;
  p.delayed_transfer_share = 0.0;
  without_discharge_window(p);
  const WardRun jan = admit_in(p, 1, 2000), jul = admit_in(p, 7, 2000);
  const double ratio = january(p.emergency_stay_by_month) / july(p.emergency_stay_by_month);
  CHECK(ratio > 1.04);
  REQUIRE(jan.discharges.size() == jul.discharges.size());
  for (std::size_t i = 0; i < jan.discharges.size(); ++i) CHECK(jan.discharges[i] == Approx(ratio * jul.discharges[i]).epsilon(1e-12));

  p.emergency_stay_by_month = flat;
  CHECK(admit_in(p, 1, 2000).discharges == admit_in(p, 7, 2000).discharges);
}

TEST_CASE("more stays end in a delayed transfer in January than in July", "[winter][wards]") {
  // A patient is delayed when their draw falls below the month's share, so every patient
  // delayed in July is delayed in January too; the counts are binomial around the shares.
  models::BedParams p;
  p.emergency_zero_day_share = 0.0;
  p.delayed_transfer_share = 0.3;
  without_discharge_window(p);
  const int n = 20000;
  const WardRun jan = admit_in(p, 1, n), jul = admit_in(p, 7, n);
  for (const auto& [run, factor] : {std::pair{jan, january(p.delayed_transfer_share_by_month)},
                                    std::pair{jul, july(p.delayed_transfer_share_by_month)}}) {
    const double share = 0.3 * factor;
    CHECK(std::fabs(static_cast<double>(run.month.delayed_transfers) - share * n) < 4.0 * std::sqrt(n * share * (1.0 - share)));
  }
  CHECK(jan.month.delayed_transfers > jul.month.delayed_transfers);
  CHECK(jan.month.delayed_transfer_days > jul.month.delayed_transfer_days);

  p.delayed_transfer_share_by_month = flat;
  const WardRun a = admit_in(p, 1, n), b = admit_in(p, 7, n);
  CHECK(a.month.delayed_transfers == b.month.delayed_transfers);
  CHECK(a.month.delayed_transfer_days == b.month.delayed_transfer_days);
}

TEST_CASE("beds close to infection in winter, as many as the month's share", "[winter][wards]") {
  models::TrustParams t = roomy_trust(20000.0);
  t.beds.general_acute_beds = 1000;
  const auto months = january_to_july(t);
  const auto& share = t.beds.infection_closed_share_by_month;
  for (int m = 0; m < 7; ++m) {
    const double minutes = sim::days(sim::days_in_month(2017, m + 1));
    const double closed = std::lround(1000.0 * share[static_cast<std::size_t>(m)]);
    INFO("month " << m + 1);
    CHECK(months[m].wards.infection_closed_bed_minutes / minutes == Approx(closed));
    CHECK(months[m].wards.open_bed_minutes / minutes == Approx(1000.0 - closed));
  }
  CHECK(months[0].wards.infection_closed_bed_minutes > months[6].wards.infection_closed_bed_minutes);

  t.beds.infection_closed_share_by_month.assign(12, 0.0);
  const auto open = january_to_july(t);
  for (int m : {0, 6}) {
    CHECK(open[m].wards.infection_closed_bed_minutes == 0.0);
    CHECK(open[m].wards.open_bed_minutes == Approx(sim::days(sim::days_in_month(2017, m + 1)) * 1000.0).epsilon(1e-12));
  }
}

TEST_CASE("more staff are off sick in January than in July, and fewer beds open", "[winter][staffing]") {
  // The same staff in post in both months: only sickness differs.
  models::StaffingParams p;
  for (auto* g : {&p.ed_clinicians, &p.ward_nurses, &p.theatre_teams}) {
    g->leavers_per_year = 0.0;  // nobody leaves or joins, so the baseline is the staff in post
    g->recruited_share_of_vacancies_per_month = 0.0;
  }
  models::Staffing jan(p, sim::StreamKey{7, 0, 0}), jul(p, sim::StreamKey{7, 0, 0});
  jan.start_month(0, 1);
  jul.start_month(0, 7);
  const auto nurses = models::StaffGroup::ward_nurses;
  const double in_post = jan.level(nurses).substantive_wte;
  REQUIRE(in_post == jul.level(nurses).substantive_wte);
  const double rate = p.ward_nurses.sickness_rate;
  const double f_jan = january(p.sickness_by_month), f_jul = july(p.sickness_by_month);
  CHECK(f_jan > 1.15 * f_jul);
  const double at_work_jan = in_post * (1.0 - rate * f_jan), at_work_jul = in_post * (1.0 - rate * f_jul);
  const double gap = p.ward_nurses.establishment_wte;
  CHECK(jan.level(nurses).available_wte == Approx(at_work_jan + p.ward_nurses.agency_share_of_gap * (gap - at_work_jan)));
  CHECK(jul.level(nurses).available_wte == Approx(at_work_jul + p.ward_nurses.agency_share_of_gap * (gap - at_work_jul)));
  CHECK(jan.relative_to_baseline(models::StaffGroup::ed_clinicians) < 1.0);
  CHECK(jul.relative_to_baseline(models::StaffGroup::ed_clinicians) > 1.0);
  CHECK(jan.open_beds(2000) < jul.open_beds(2000));

  p.sickness_by_month = flat;
  models::Staffing a(p, sim::StreamKey{7, 0, 0}), b(p, sim::StreamKey{7, 0, 0});
  a.start_month(0, 1);
  b.start_month(0, 7);
  for (std::size_t g = 0; g < models::staff_group_count; ++g) {
    const auto group = static_cast<models::StaffGroup>(g);
    CHECK(a.level(group).available_wte == b.level(group).available_wte);
    CHECK(a.relative_to_baseline(group) == 1.0);
  }
}

TEST_CASE("the trust tells every department the calendar month", "[winter]") {
  // Through the whole trust: January's A&E roster and open beds are the sickest, and with
  // every profile flat the months differ only by their patients.
  models::TrustParams t = roomy_trust(20000.0);
  t.staffing.beds_per_nurse_wte = 0.75;  // nurses decide the beds again
  t.beds.general_acute_beds = 2000;
  for (auto* g : {&t.staffing.ed_clinicians, &t.staffing.ward_nurses, &t.staffing.theatre_teams}) {
    g->leavers_per_year = 0.0;  // the same staff in post all year
    g->recruited_share_of_vacancies_per_month = 0.0;
  }
  const auto months = january_to_july(t);
  const auto nurses = static_cast<std::size_t>(models::StaffGroup::ward_nurses);
  CHECK(months[0].staff[nurses].available_wte < months[6].staff[nurses].available_wte);
  CHECK(months[0].wards.open_bed_minutes / sim::days(31) < months[6].wards.open_bed_minutes / sim::days(31));

  t.staffing.sickness_by_month = flat;
  t.beds.infection_closed_share_by_month.assign(12, 0.0);
  const auto level = january_to_july(t);
  CHECK(level[0].staff[nurses].available_wte == level[6].staff[nurses].available_wte);
  CHECK(level[0].wards.open_bed_minutes / sim::days(31) == Approx(level[6].wards.open_bed_minutes / sim::days(31)).epsilon(1e-12));
}
