// SPDX-License-Identifier: MIT
// The A&E switches: ambulance handover delays and chasing the 4-hour line.
#include <catch2/catch.hpp>

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
