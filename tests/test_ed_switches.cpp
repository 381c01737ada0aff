// SPDX-License-Identifier: MIT
// The A&E switches: ambulance handover delays and chasing the 4-hour line.
#include <catch2/catch.hpp>

#include <cmath>

#include "models/run/run.hpp"
#include "models/care/trust.hpp"

using namespace breachsim;

namespace {

struct Ed {
  double attendances = 0, breaches = 0, spike = 0, handovers_30_60 = 0, handovers_over_60 = 0, readmissions = 0;
  std::uint64_t arrivals = 0;
  std::size_t present = 0;
};

Ed run(const models::EdParams& ed, double beds = 740.0) {
  models::Scenario s;
  s.scenario.first_month = {2017, 1, 1};
  s.scenario.months = 3;
  s.scenario.warmup_months = 0;
  models::TrustParams t;
  t.name = "T";
  t.ed = ed;
  t.beds.general_acute_beds = beds;
  s.trusts.push_back(t);
  const models::ScenarioSetup setup(s);
  models::Trust trust(setup.trust_setups[0], setup.calendar, sim::StreamKey{31, 0, 0});
  Ed out;
  for (int m = 0; m < 3; ++m) {
    const auto e = trust.run_month(setup.calendar.month_start(m + 1)).ed;
    out.attendances += static_cast<double>(e.attendances);
    out.breaches += static_cast<double>(e.breaches_4h);
    out.spike += static_cast<double>(e.left_230_240min);
    out.handovers_30_60 += static_cast<double>(e.handovers_30_60min);
    out.handovers_over_60 += static_cast<double>(e.handovers_over_60min);
    out.readmissions += static_cast<double>(e.readmissions);
  }
  out.arrivals = trust.ed().arrivals();
  out.present = trust.ed().patients_present();
  return out;
}

}  // namespace

TEST_CASE("ambulance crews wait to hand over only when the department is full", "[ed][switches]") {
  models::EdParams ed;
  const Ed off = run(ed);
  CHECK(off.handovers_30_60 + off.handovers_over_60 == 0.0);

  ed.ambulance_handover_delays = true;
  ed.cubicles = 1000;  // never full
  const Ed roomy = run(ed);
  CHECK(roomy.handovers_30_60 + roomy.handovers_over_60 == 0.0);
  CHECK(roomy.breaches == off.breaches);  // the switch alone changes nothing

  ed.cubicles = 35;  // near the default trust's busy-hour occupancy
  const Ed crowded = run(ed);
  CHECK(crowded.handovers_30_60 > 100.0);
  CHECK(crowded.handovers_over_60 > 0.0);
  // Everyone who arrived has left, is in the department, or is still with a crew; readmissions
  // come through A&E too. The 4-hour clock runs from arrival, so waiting crews add breaches.
  CHECK(crowded.attendances + static_cast<double>(crowded.present) <=
        static_cast<double>(crowded.arrivals) + crowded.readmissions);
  CHECK(crowded.breaches > off.breaches);
}

TEST_CASE("target chasing makes the spike before 240 minutes", "[ed][switches]") {
  // Same patients with and without chasing (common random numbers): discharges due just after
  // the line are hurried before it, so the last ten minutes fill up and breaches fall.
  models::EdParams ed;
  const Ed honest = run(ed);
  ed.target_chasing = true;
  const Ed chasing = run(ed);
  INFO("230-240 min: " << honest.spike << " -> " << chasing.spike << "; breaches " << honest.breaches << " -> "
                       << chasing.breaches);
  CHECK(chasing.spike > 2.0 * honest.spike);
  CHECK(chasing.breaches < honest.breaches);
  CHECK(chasing.attendances == Approx(honest.attendances).epsilon(0.01));
}

TEST_CASE("patients still in A&E, with a crew or on a ward at a month end are reported, not lost", "[ed][overload]") {
  // A trust with a third of its clinicians and crowded cubicles: the queue grows all quarter.
  models::Scenario s;
  s.scenario.first_month = {2017, 1, 1};
  s.scenario.months = 3;
  s.scenario.warmup_months = 0;
  models::TrustParams t;
  t.name = "T";
  for (double& c : t.ed.clinicians_by_hour) c = std::round(c / 3.0);
  t.ed.ambulance_handover_delays = true;
  t.ed.cubicles = 35;
  s.trusts.push_back(t);
  const models::ScenarioSetup setup(s);
  models::Trust trust(setup.trust_setups[0], setup.calendar, sim::StreamKey{31, 0, 0});
  double attendances = 0, readmissions = 0;
  models::TrustMonth last;
  for (int m = 0; m < 3; ++m) {
    last = trust.run_month(setup.calendar.month_start(m + 1));
    attendances += static_cast<double>(last.ed.attendances);
    readmissions += static_cast<double>(last.ed.readmissions);
    CHECK(last.wards.occupied_at_end == trust.wards().occupied());
  }
  const auto present = static_cast<double>(last.ed.present_at_end);
  const auto with_crews = static_cast<double>(last.ed.awaiting_handover_at_end);
  INFO("present " << present << ", with crews " << with_crews << ", attendances " << attendances);
  CHECK(present == static_cast<double>(trust.ed().patients_present()));
  CHECK(present >= 35.0);      // the department is full...
  CHECK(with_crews > 1000.0);  // ...and the crews' queue has grown over the quarter
  // Every patient who came is counted once: left, still in the department, or with a crew.
  CHECK(static_cast<double>(trust.ed().arrivals()) + readmissions == attendances + present + with_crews);
  CHECK(last.wards.occupied_at_end > 0);

  // In a run the stocks combine over months as stocks do: the run's value is the last month's.
  const models::RunOutcome run = models::run_replications(setup, 31, 1, 1);
  for (const models::Metric m :
       {models::Metric::ed_present_at_end, models::Metric::ed_awaiting_handover_at_end,
        models::Metric::beds_occupied_at_end})
    CHECK(run.national_run(m, 0) == run.trust_month(m, 0, 0, 2));
  CHECK(run.trust_month(models::Metric::ed_awaiting_handover_at_end, 0, 0, 2) == with_crews);
}
