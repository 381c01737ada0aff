// SPDX-License-Identifier: MIT
// Planned care: the waiting list's bookkeeping and the behaviours the issue names: the stages
// of the pathway before the treatment lists, lost pathways and validation, each shown acting
// and not acting.
#include <catch2/catch.hpp>

#include "models/run/run.hpp"
#include "models/care/trust.hpp"

using namespace breachsim;

namespace {

models::Scenario elective_trust(double beds, const std::string& order, double clinics, int months) {
  models::Scenario s;
  s.scenario.first_month = {2017, 1, 1};
  s.scenario.months = months;
  s.scenario.warmup_months = 1;
  models::TrustParams t;
  t.name = "T";
  t.beds.general_acute_beds = beds;
  t.staffing.beds_per_nurse_wte = 1e6;  // every physical bed staffed
  t.elective.order = order;
  t.elective.clinic_sessions_per_week = clinics;
  s.trusts.push_back(t);
  return s;
}

// No stages before the treatment lists, no lost pathways, no validation: every referral is
// bookable at once, as before those mechanisms existed.
void plain_pathways(models::ElectiveParams& e) {
  e.weeks_before_booking_non_admitted = {sim::Distribution::Kind::constant, 0, 0, 0, {}, {}, {}};
  e.weeks_before_booking_admitted = {sim::Distribution::Kind::constant, 0, 0, 0, {}, {}, {}};
  e.lost_share = 0.0;
  e.validation_weeks = 0.0;
}

sim::config::DistributionSpec constant_weeks(double weeks) {
  return {sim::Distribution::Kind::constant, weeks, 0, 0, {}, {}, {}};
}

struct Totals {
  double starts = 0, treated = 0, treated_over_18w = 0, left = 0, validated = 0, admissions = 0, cancellations = 0,
         occupancy = 0;
  models::WaitingList::Snapshot last{0, 0, 0};
  std::vector<models::WaitingList::Snapshot> months;
  std::size_t list_at_end = 0;
  std::uint64_t referrals = 0;
};

Totals run(const models::Scenario& s, std::uint32_t replication, bool count_warmup = true) {
  const models::ScenarioSetup setup(s);
  const auto& cal = setup.calendar;
  models::Trust trust(setup.trust_setups[0], cal, sim::StreamKey{21, replication, 0});
  Totals t;
  for (int m = -cal.warmup_months(); m < cal.months(); ++m) {
    const auto tm = trust.run_month(cal.month_start(m + 1));
    if (m < 0 && !count_warmup) continue;
    t.starts += static_cast<double>(tm.electives.clock_starts);
    t.treated += static_cast<double>(tm.electives.treated);
    t.treated_over_18w += static_cast<double>(tm.electives.treated_over_18w);
    t.left += static_cast<double>(tm.electives.left_untreated);
    t.validated += static_cast<double>(tm.electives.validated_off);
    t.admissions += static_cast<double>(tm.electives.admissions);
    t.cancellations += static_cast<double>(tm.electives.cancellations);
    t.occupancy += tm.wards.occupied_bed_minutes / tm.wards.open_bed_minutes;
    t.last = tm.electives.list;
    t.months.push_back(tm.electives.list);
  }
  t.list_at_end = trust.electives().list().size();
  t.referrals = trust.electives().referrals();
  return t;
}

}  // namespace

TEST_CASE("every pathway is treated, left or still waiting", "[electives]") {
  // initial list + clock starts = treated + left untreated + waiting, exactly, including
  // patients cancelled on the day (they stay on the list).
  for (double beds : {560.0, 760.0}) {
    const auto s = elective_trust(beds, "priority_then_fifo", 91.0, 6);
    const Totals t = run(s, 0);
    INFO("beds " << beds);
    CHECK(t.starts == static_cast<double>(t.referrals));
    CHECK(s.trusts[0].elective.initial_list + t.starts == t.treated + t.left + static_cast<double>(t.list_at_end));
    CHECK(t.last.waiting == static_cast<std::int64_t>(t.list_at_end));
    CHECK(t.last.over_52w <= t.last.over_18w);
    CHECK(t.last.over_18w <= t.last.waiting);
  }
}

TEST_CASE("elective cancellations rise with bed occupancy", "[electives]") {
  const Totals roomy = run(elective_trust(760.0, "priority_then_fifo", 91.0, 6), 0);
  const Totals tight = run(elective_trust(640.0, "priority_then_fifo", 91.0, 6), 0);
  CHECK(tight.occupancy > roomy.occupancy);
  CHECK(tight.cancellations > 5.0 * (roomy.cancellations + 1.0));
  CHECK(tight.admissions < roomy.admissions);
}

TEST_CASE("target chasing abandons the patients already past 18 weeks", "[electives]") {
  // The initial list holds about 8% past 18 weeks. With clinics to spare, treating the
  // longest waiters first clears them; chasing the 18-week line treats those about to cross
  // it instead, so the ones already over wait on and become 52-week waiters, the perverse
  // effect of targets (docs/sources.md §2-3). Same patients (common random numbers), two orders;
  // every patient bookable from referral, so only the order differs.
  auto longest = elective_trust(760.0, "longest_wait_first", 86.0, 18);
  auto chasing = elective_trust(760.0, "target_chasing", 86.0, 18);
  plain_pathways(longest.trusts[0].elective);
  plain_pathways(chasing.trusts[0].elective);
  const Totals fifo = run(longest, 0);
  const Totals chase = run(chasing, 0);
  INFO("longest first: over 18w " << fifo.last.over_18w << ", over 52w " << fifo.last.over_52w);
  INFO("target chasing: over 18w " << chase.last.over_18w << ", over 52w " << chase.last.over_52w);
  CHECK(fifo.last.over_18w == 0);
  CHECK(chase.last.over_52w > 300);
  CHECK(chase.last.over_18w >= chase.last.over_52w);
  CHECK(chase.treated == Approx(fifo.treated).epsilon(0.02));  // same capacity, used either way
}

TEST_CASE("without pathway stages every referral is bookable at once", "[electives][pathway]") {
  // The mechanisms off: nobody is ever held, lost or validated off, and the list is what
  // referrals and treatment leave (the behaviour before they existed; configs and the golden
  // scenario reproduced it exactly).
  auto s = elective_trust(760.0, "priority_then_fifo", 91.0, 6);
  plain_pathways(s.trusts[0].elective);
  const Totals t = run(s, 0);
  for (const auto& m : t.months) {
    CHECK(m.held == 0);
    CHECK(m.lost == 0);
  }
  CHECK(t.validated == 0.0);
  CHECK(t.starts + s.trusts[0].elective.initial_list == t.treated + t.left + static_cast<double>(t.list_at_end));
}

TEST_CASE("holding patients for no time changes nothing", "[electives][pathway]") {
  // A lost share with a zero delay sends every referral through the holds, released at the
  // next clinic or theatre list in the order they were referred: the same patients are
  // treated on the same days as without holds.
  auto plain = elective_trust(760.0, "priority_then_fifo", 91.0, 6);
  plain_pathways(plain.trusts[0].elective);
  auto held = plain;
  held.trusts[0].elective.lost_share = 0.5;
  held.trusts[0].elective.lost_weeks = constant_weeks(0.0);
  const Totals a = run(plain, 0), b = run(held, 0);
  CHECK(a.treated == b.treated);
  CHECK(a.treated_over_18w == b.treated_over_18w);
  CHECK(a.admissions == b.admissions);
  CHECK(a.left == b.left);
  CHECK(a.last.waiting == b.last.waiting);
  CHECK(a.last.over_18w == b.last.over_18w);
}

TEST_CASE("the stages before the treatment list keep patients waiting, clock running", "[electives][pathway]") {
  // Ample clinics and theatres: without stages patients are treated within days; with every
  // pathway taking 20 weeks before it can be booked, every patient referred in the run is
  // treated past 18 weeks, and the list holds about 20 weeks of referrals, nearly all held.
  auto s = elective_trust(900.0, "priority_then_fifo", 120.0, 12);
  plain_pathways(s.trusts[0].elective);
  s.trusts[0].elective.theatre_sessions_per_week = 90.0;
  s.trusts[0].elective.initial_list = 0.0;
  s.trusts[0].elective.leave_list_per_year = 0.0;
  const Totals quick = run(s, 0);
  s.trusts[0].elective.weeks_before_booking_non_admitted = constant_weeks(20.0);
  s.trusts[0].elective.weeks_before_booking_admitted = constant_weeks(20.0);
  const Totals slow = run(s, 0);
  INFO("quick: treated " << quick.treated << ", over 18 weeks " << quick.treated_over_18w);
  INFO("slow: treated " << slow.treated << ", over 18 weeks " << slow.treated_over_18w << ", list " << slow.last.waiting
                        << ", held " << slow.last.held);
  CHECK(quick.treated_over_18w == 0.0);
  CHECK(quick.last.held == 0);
  CHECK(slow.treated > 0.0);
  CHECK(slow.treated_over_18w == slow.treated);  // all of them, none before 20 weeks
  CHECK(slow.treated < 0.75 * quick.treated);     // the first 20 weeks' referrals wait
  const double weekly = s.trusts[0].elective.referrals_per_week;
  CHECK(static_cast<double>(slow.last.waiting) == Approx(20.0 * weekly).epsilon(0.08));
  CHECK(static_cast<double>(slow.last.held) > 0.95 * static_cast<double>(slow.last.waiting));
}

TEST_CASE("lost pathways make 52-week waiters; none are lost without them", "[electives][pathway]") {
  // A tenth of pathways lost for 60 weeks: at the end of an 18-month run the lost are about
  // referrals x a tenth x 60 weeks, and those lost more than 52 weeks ago wait past 52 weeks.
  auto s = elective_trust(900.0, "priority_then_fifo", 120.0, 18);
  plain_pathways(s.trusts[0].elective);
  s.trusts[0].elective.theatre_sessions_per_week = 90.0;
  s.trusts[0].elective.initial_list = 0.0;
  s.trusts[0].elective.leave_list_per_year = 0.0;
  const Totals none = run(s, 0);
  s.trusts[0].elective.lost_share = 0.1;
  s.trusts[0].elective.lost_weeks = constant_weeks(60.0);
  const Totals lost = run(s, 0);
  const double weekly = s.trusts[0].elective.referrals_per_week;
  INFO("lost " << lost.last.lost << ", over 52 weeks " << lost.last.over_52w);
  CHECK(none.last.over_52w == 0);
  CHECK(none.last.lost == 0);
  // Referrals of the last 60 weeks are still lost (the run is 19 months: 82 weeks).
  CHECK(static_cast<double>(lost.last.lost) == Approx(0.1 * weekly * 60.0).epsilon(0.1));
  // Those referred 52 to 60 weeks before the end.
  CHECK(static_cast<double>(lost.last.over_52w) == Approx(0.1 * weekly * 8.0).epsilon(0.2));
  CHECK(lost.last.over_52w <= lost.last.lost);
}

TEST_CASE("validation removes its share of the patients still waiting at the validation wait", "[electives][pathway]") {
  // Every pathway takes 20 weeks, so every patient is still waiting at 12 weeks; validation
  // there removes a tenth of them. Without validation nobody leaves (no leaving hazard).
  auto s = elective_trust(900.0, "priority_then_fifo", 120.0, 12);
  plain_pathways(s.trusts[0].elective);
  s.trusts[0].elective.theatre_sessions_per_week = 90.0;
  s.trusts[0].elective.initial_list = 0.0;
  s.trusts[0].elective.leave_list_per_year = 0.0;
  s.trusts[0].elective.weeks_before_booking_non_admitted = constant_weeks(20.0);
  s.trusts[0].elective.weeks_before_booking_admitted = constant_weeks(20.0);
  s.trusts[0].elective.validation_removal_share = 0.1;
  const Totals off = run(s, 0);  // validation_weeks 0: nobody validated
  s.trusts[0].elective.validation_weeks = 12.0;
  const Totals on = run(s, 0);
  CHECK(off.left == 0.0);
  CHECK(off.validated == 0.0);
  CHECK(on.left == on.validated);
  // Those referred at least 12 weeks before the end: 13 months of referrals less 12 weeks.
  const double reached = on.starts - 12.0 * s.trusts[0].elective.referrals_per_week;
  CHECK(on.validated == Approx(0.1 * reached).epsilon(0.1));
}

TEST_CASE("the initial list is split as a steady flow of referrals would have it", "[electives][pathway]") {
  // Stages of exactly 6 weeks: initial patients younger than 6 weeks are held (up to what a
  // steady flow of referrals holds at that age), older ones are on the treatment lists.
  models::ElectiveParams p;
  plain_pathways(p);
  p.weeks_before_booking_non_admitted = constant_weeks(6.0);
  p.weeks_before_booking_admitted = constant_weeks(6.0);
  p.leave_list_per_year = 0.0;
  p.referrals_per_week = 1000.0;
  p.admitted_share = 0.25;
  p.initial_list = 12000.0;
  p.initial_list_admitted_share = 0.25;
  p.initial_list_weeks = {sim::Distribution::Kind::histogram, 0, 0, 0, {}, {1.0}, {0.0, 12.0}};  // 1,000 a week of age
  const sim::Calendar cal({2017, 1, 1}, 0, 12);
  const models::ElectiveSetup setup(p, cal);
  // 750 non-admitted referrals a week against 750 initial non-admitted patients a week of age.
  CHECK(setup.initial_held_share(false, 2.5) == Approx(1.0));
  CHECK(setup.initial_held_share(true, 5.5) == Approx(1.0));
  CHECK(setup.initial_held_share(false, 6.5) == 0.0);
  CHECK(setup.initial_held_share(true, 11.0) == 0.0);
  // Twice the initial patients of that age: half of them held.
  p.initial_list = 24000.0;
  const models::ElectiveSetup doubled(p, cal);
  CHECK(doubled.initial_held_share(false, 2.5) == Approx(0.5));
  // Without stages nobody is held.
  plain_pathways(p);
  CHECK(models::ElectiveSetup(p, cal).initial_held_share(false, 2.5) == 0.0);
}
