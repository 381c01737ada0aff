// SPDX-License-Identifier: MIT
// Staff groups: turnover and recruitment, agency cover, and the capacity they open.
#include <catch2/catch.hpp>

#include <cmath>

#include "models/run/run.hpp"
#include "models/care/trust.hpp"

using namespace breachsim;

TEST_CASE("agency covers its share of the gap and open beds follow nurses", "[staffing]") {
  models::StaffingParams p;
  const models::Staffing staff(p, sim::StreamKey{1, 0, 0});
  const auto& nurses = staff.level(models::StaffGroup::ward_nurses);
  // 1090 WTE with 9% vacant: 991.9 in post, 947.3 at work after 4.5% sickness; agency covers
  // 30% of the 142.7 gap: 42.8; available 990.1, opening 742 beds at 0.75 beds per WTE.
  CHECK(nurses.substantive_wte == Approx(991.9));
  CHECK(nurses.agency_wte == Approx(0.3 * (1090.0 - 991.9 * 0.955)));
  CHECK(nurses.available_wte == Approx(991.9 * 0.955 + 0.3 * (1090.0 - 991.9 * 0.955)));
  CHECK(staff.open_beds(740) == 740);
  CHECK(staff.open_beds(800) == 742);
  CHECK(staff.relative_to_baseline(models::StaffGroup::ed_clinicians) == 1.0);
}

TEST_CASE("turnover and recruitment hold vacancies near their long-run rate", "[staffing]") {
  // In post S moves by Poisson leavers (12%/year) and recruits (10% of vacancies a month); its
  // fixed point is E r / (r + t/12) = 0.909 E. Averaged over 10 years of months and 20
  // replications the mean lies within 0.5% of that.
  models::StaffingParams p;
  double total = 0.0;
  int n = 0;
  for (std::uint32_t r = 0; r < 20; ++r) {
    models::Staffing staff(p, sim::StreamKey{2, r, 0});
    for (int m = 0; m < 120; ++m, ++n) {
      staff.start_month(m, m % 12 + 1);
      total += staff.level(models::StaffGroup::ward_nurses).substantive_wte / p.ward_nurses.establishment_wte;
    }
  }
  CHECK(total / n == Approx(0.1 / (0.1 + 0.01)).epsilon(0.005));
}

TEST_CASE("without recruitment staff leave at the turnover rate", "[staffing]") {
  // Expected in post after 12 months: S0 (1 - 0.01)^12 (leavers 1% a month); Poisson noise on
  // ~100 leavers gives an SD of ~10 WTE, so 40 WTE is 4 SD.
  models::StaffingParams p;
  p.ward_nurses.recruited_share_of_vacancies_per_month = 0.0;
  models::Staffing staff(p, sim::StreamKey{3, 0, 0});
  const double start = staff.level(models::StaffGroup::ward_nurses).substantive_wte;
  for (int m = 0; m < 12; ++m) staff.start_month(m, m + 1);
  const double expected = start * std::pow(0.99, 12);
  CHECK(std::fabs(staff.level(models::StaffGroup::ward_nurses).substantive_wte - expected) < 40.0);
}

namespace {

struct Outcome {
  double breaches = 0, cancellations = 0, beds_open = 0, agency = 0, elective_admissions = 0;
};

Outcome run(const models::TrustParams& t) {
  models::Scenario s;
  s.scenario.first_month = {2017, 1, 1};
  s.scenario.months = 6;
  s.scenario.warmup_months = 2;
  s.trusts.push_back(t);
  const auto out = models::run_replications(models::ScenarioSetup(s), 5, 2, 1);
  Outcome o;
  for (std::size_t r = 0; r < 2; ++r) {
    o.breaches += out.national_run(models::Metric::ed_breaches_4h, r);
    o.cancellations += out.national_run(models::Metric::elective_cancellations, r);
    o.beds_open += out.national_run(models::Metric::beds_open, r);
    o.agency += out.national_run(models::Metric::staff_agency_wte, r);
    o.elective_admissions += out.national_run(models::Metric::elective_admissions, r);
  }
  return o;
}

}  // namespace

TEST_CASE("cutting agency nurses closes beds and planned operations pay for it", "[staffing]") {
  // The lever the money issue's cost_control pulls. Same patients at both settings (common
  // random numbers), so the differences are the policy's. Emergencies keep their priority for
  // beds, so with ~30 fewer beds it is planned care that gives way, not A&E.
  models::TrustParams base;
  base.name = "T";
  models::TrustParams cut = base;
  cut.staffing.ward_nurses.agency_share_of_gap = 0.0;
  const Outcome b = run(base), c = run(cut);
  CHECK(c.agency < b.agency);
  CHECK(c.beds_open < b.beds_open - 2 * 20.0);  // about 30 beds fewer in each replication
  CHECK(c.cancellations > 2.0 * b.cancellations);
  CHECK(c.elective_admissions < b.elective_admissions);
}

TEST_CASE("A&E clinician vacancies thin the roster", "[staffing]") {
  models::TrustParams base;
  base.name = "T";
  models::TrustParams short_staffed = base;
  short_staffed.staffing.ed_clinicians.recruited_share_of_vacancies_per_month = 0.0;
  short_staffed.staffing.ed_clinicians.leavers_per_year = 0.5;
  CHECK(run(short_staffed).breaches > 1.2 * run(base).breaches);
}

TEST_CASE("a safe-staffing floor: agency covers up to it whatever the cut, unless banned", "[staffing]") {
  // 30% vacant: 763 nurses in post, 728.7 at work (4.5% sick). Cut to no agency at all, the
  // floor of 85% of 1,090 (926.5) is still covered by agency; a regulator's ban is absolute.
  models::StaffingParams p;
  p.ward_nurses.vacancy_rate = 0.3;
  p.ward_nurses.recruited_share_of_vacancies_per_month = 0.0;
  p.ward_nurses.leavers_per_year = 0.0;
  p.sickness_by_month.assign(12, 1.0);  // no seasons: the year's 4.5% sick every month
  const double at_work = 1090.0 * 0.7 * 0.955, floor = 0.85 * 1090.0;
  models::Staffing staff(p, sim::StreamKey{4, 0, 0});
  staff.start_month(0, 1, 0.0);
  const auto& nurses = staff.level(models::StaffGroup::ward_nurses);
  CHECK(nurses.available_wte == Approx(floor));
  CHECK(nurses.agency_wte == Approx(floor - at_work));
  staff.start_month(1, 2, 0.0, false, {false, true, false});
  CHECK(nurses.agency_wte == 0.0);
  CHECK(nurses.available_wte == Approx(at_work));
  // Without a floor the cut takes agency to zero.
  p.ward_nurses.floor_share_of_establishment = 0.0;
  models::Staffing no_floor(p, sim::StreamKey{4, 0, 0});
  no_floor.start_month(0, 1, 0.0);
  CHECK(no_floor.level(models::StaffGroup::ward_nurses).agency_wte == 0.0);
  // Above the floor the floor changes nothing: the usual 30% of the gap.
  models::StaffingParams usual;
  models::Staffing above(usual, sim::StreamKey{4, 0, 0});
  const double in_post = above.level(models::StaffGroup::ward_nurses).substantive_wte;
  CHECK(above.level(models::StaffGroup::ward_nurses).agency_wte == Approx(0.3 * (1090.0 - in_post * 0.955)));
}

TEST_CASE("a recruitment freeze holds staff down only to the safe-staffing floor", "[staffing]") {
  // Frozen for four years at 12% turnover, in-post staff fall 1% a month without a floor (to
  // about 0.91 x 0.99^48 = 56% of establishment); with the floor, recruiting resumes whenever
  // they are below 85%, so they fall to it and hover within a month's leavers of it.
  models::StaffingParams p;
  models::StaffingParams unfloored = p;
  unfloored.ward_nurses.floor_share_of_establishment = 0.0;
  models::Staffing floored(p, sim::StreamKey{5, 0, 0}), falling(unfloored, sim::StreamKey{5, 0, 0});
  double lowest = 1e9;
  for (int m = 0; m < 48; ++m) {
    floored.start_month(m, m % 12 + 1, 1.0, true);
    falling.start_month(m, m % 12 + 1, 1.0, true);
    if (m >= 24) lowest = std::min(lowest, floored.level(models::StaffGroup::ward_nurses).substantive_wte);
  }
  CHECK(falling.level(models::StaffGroup::ward_nurses).substantive_wte < 0.6 * 1090.0);
  CHECK(lowest > 0.83 * 1090.0);
  CHECK(lowest < 0.85 * 1090.0);
  // And agency keeps those at work at the floor at least.
  CHECK(floored.level(models::StaffGroup::ward_nurses).available_wte >= 0.85 * 1090.0 - 1e-9);
}

TEST_CASE("a cut establishment: less agency at once, staff fall by turnover, never dismissed", "[staffing]") {
  // Cost improvement's vacancy control takes 100 of 1,090 nurse posts. No seasons, so the
  // year's 4.5% sick every month.
  models::StaffingParams p;
  p.sickness_by_month.assign(12, 1.0);
  models::Staffing cut(p, sim::StreamKey{6, 0, 0}), full(p, sim::StreamKey{6, 0, 0});
  cut.set_establishment_cuts({0.0, 100.0, 0.0});
  CHECK(cut.establishment(models::StaffGroup::ward_nurses) == 990.0);
  CHECK(full.establishment(models::StaffGroup::ward_nurses) == 1090.0);
  cut.start_month(0, 1);
  full.start_month(0, 1);
  const auto& nurses = cut.level(models::StaffGroup::ward_nurses);
  // Agency covers 30% of a gap 100 WTE smaller: 30 WTE fewer at once.
  const double in_post = nurses.substantive_wte;
  CHECK(nurses.agency_wte == Approx(0.3 * (990.0 - in_post * 0.955)));
  // With recruitment stopped in both, the cut changes nobody in post: staff are not dismissed,
  // even above the new establishment (991.9 in post against 990 posts).
  models::StaffingParams frozen = p;
  frozen.ward_nurses.recruited_share_of_vacancies_per_month = 0.0;
  models::Staffing a(frozen, sim::StreamKey{7, 0, 0}), b(frozen, sim::StreamKey{7, 0, 0});
  a.set_establishment_cuts({0.0, 100.0, 0.0});
  for (int m = 0; m < 6; ++m) {
    a.start_month(m, m + 1);
    b.start_month(m, m + 1);
    CHECK(a.level(models::StaffGroup::ward_nurses).substantive_wte ==
          b.level(models::StaffGroup::ward_nurses).substantive_wte);
  }
  // Over years, in post settles near the long-run 0.909 of the smaller establishment (0.5%,
  // as for the full one above), and the capacity the nurses open falls with it.
  double total = 0.0;
  int n = 0;
  for (int m = 1; m < 240; ++m) {
    cut.start_month(m, m % 12 + 1);
    full.start_month(m, m % 12 + 1);
    if (m >= 60) total += nurses.substantive_wte / 990.0, ++n;
  }
  CHECK(total / n == Approx(0.1 / (0.1 + 0.01)).epsilon(0.005));
  CHECK(cut.relative_to_baseline(models::StaffGroup::ward_nurses) < 0.95);
  CHECK(cut.open_beds(1000) < full.open_beds(1000));
  // Restoring the posts restores recruitment to them.
  cut.set_establishment_cuts({});
  CHECK(cut.establishment(models::StaffGroup::ward_nurses) == 1090.0);
}
