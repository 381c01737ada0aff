// SPDX-License-Identifier: MIT
#include "models/ed.hpp"

#include <cmath>
#include <numeric>

#include "models/streams.hpp"
#include "models/wards.hpp"

namespace breachsim::models {

namespace {

constexpr double breach_minutes = 240.0;         // the 4-hour standard (DOMAIN.md §2)
constexpr double trolley_wait_minutes = 720.0;   // decision to admit -> bed, 12 hours (DOMAIN.md §2)
constexpr std::uint64_t readmission_numbers = std::uint64_t{1} << 62;
constexpr int month_lengths[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};


sim::HourOfWeekValues arrival_rate_per_minute(const EdParams& p) {
  sim::HourOfWeekValues shape{};
  for (std::size_t how = 0; how < 168; ++how) {
    const double hourly = p.arrivals_by_hour.size() == 168 ? p.arrivals_by_hour[how] : p.arrivals_by_hour[how % 24];
    shape[how] = hourly * p.arrivals_by_weekday[how / 24];
  }
  const double shape_mean = std::accumulate(shape.begin(), shape.end(), 0.0) / 168.0;
  const double per_minute = p.arrivals_per_year / (365.0 * sim::minutes_per_day);
  for (double& s : shape) s = per_minute * s / shape_mean;
  return shape;
}

sim::MonthOfYearValues month_factors(const EdParams& p) {
  // Weighted by month length so that a 365-day year receives arrivals_per_year in total.
  double weighted = 0.0;
  for (std::size_t m = 0; m < 12; ++m) weighted += p.arrivals_by_month[m] * month_lengths[m];
  sim::MonthOfYearValues f{};
  for (std::size_t m = 0; m < 12; ++m) f[m] = p.arrivals_by_month[m] * 365.0 / weighted;
  return f;
}

sim::Roster roster_of(const EdParams& p) {
  sim::HourOfWeekValues servers{};
  for (std::size_t how = 0; how < 168; ++how) {
    const auto& c = p.clinicians_by_hour;
    servers[how] = c.size() == 1 ? c[0] : c.size() == 24 ? c[how % 24] : c[how];
  }
  return sim::Roster(servers);
}

}  // namespace

EdSetup::EdSetup(const EdParams& params, const sim::Calendar& calendar)
    : arrival_rates(calendar, arrival_rate_per_minute(params), month_factors(params)),
      roster(roster_of(params)),
      treatment(params.treatment_minutes.build()),
      admission_share(params.admission_share) {
}

EmergencyDepartment::EmergencyDepartment(const EdSetup& setup, const sim::Calendar& calendar,
                                         const sim::StreamKey& key)
    : setup_(&setup),
      calendar_(&calendar),
      key_(key),
      arrivals_(setup.arrival_rates, sim::RandomStream(key, 0, purpose(Purpose::ed_arrivals))),
      clinicians_(1, setup.roster.servers_at(calendar, 0.0)) {}

void EmergencyDepartment::start(TrustSimulator& sim) {
  const sim::Time first = arrivals_.next();
  if (std::isfinite(first)) sim.schedule(first, sim::Priority::arrival, {TrustEventKind::ed_arrival, 0});
  const sim::Time change = setup_->roster.next_change_after(*calendar_, sim.now());
  if (std::isfinite(change)) sim.schedule(change, sim::Priority::capacity, {TrustEventKind::ed_roster_change, 0});
}

void EmergencyDepartment::on_event(const TrustEvent& e, TrustSimulator& sim) {
  switch (e.kind) {
    case TrustEventKind::ed_arrival: arrive(sim); break;
    case TrustEventKind::ed_readmission: readmit(e.id, sim); break;
    default: change_roster(sim); break;
  }
}

void EmergencyDepartment::account_occupancy(sim::Time now) {
  month_.occupancy_minutes += static_cast<double>(present_) * (now - last_change_);
  last_change_ = now;
}

void EmergencyDepartment::arrive(TrustSimulator& sim) {
  enter(arrivals_so_far_++, false, sim);
  const sim::Time next = arrivals_.next();
  if (std::isfinite(next)) sim.schedule(next, sim::Priority::arrival, {TrustEventKind::ed_arrival, 0});
}

void EmergencyDepartment::readmit(std::uint32_t id, TrustSimulator& sim) {
  ++month_.readmissions;
  if (id & readmission_after_elective_bit) ++month_.readmissions_after_elective;
  // Numbered apart from ordinary arrivals, so readmissions never shift their draws.
  enter(readmission_numbers | (id & ~readmission_after_elective_bit), true, sim);
}

void EmergencyDepartment::enter(std::uint64_t number, bool readmission, TrustSimulator& sim) {
  account_occupancy(sim.now());
  std::uint32_t slot;
  if (free_slots_.empty()) {
    slot = static_cast<std::uint32_t>(patients_.size());
    patients_.push_back({});
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
  }
  patients_[slot] = Patient{sim.now(), sim.now(), number, readmission};
  ++present_;
  if (clinicians_.request(slot, 0)) begin_treatment(slot, sim);
}

void EmergencyDepartment::begin_treatment(std::uint32_t slot, TrustSimulator& sim) {
  sim::RandomStream draws(key_, patients_[slot].number, purpose(Purpose::ed_treatment));
  const double minutes = setup_->treatment.sample(draws);
  sim.schedule(sim.now() + minutes, sim::Priority::release, {TrustEventKind::ed_treatment_end, slot});
}

bool EmergencyDepartment::finish_treatment(std::uint32_t slot, TrustSimulator& sim) {
  Patient& p = patients_[slot];
  p.decision = sim.now();
  clinicians_.release();
  std::uint32_t next;
  while (clinicians_.start_next(next)) begin_treatment(next, sim);
  if (p.readmission) return true;
  sim::RandomStream decision(key_, p.number, purpose(Purpose::admission_decision));
  if (sim::sample_bernoulli(decision, setup_->admission_share)) return true;
  depart(slot, sim.now());
  return false;
}

std::uint64_t EmergencyDepartment::depart_admitted(std::uint32_t slot, sim::Time now) {
  const Patient p = patients_[slot];
  ++month_.admissions;
  if (now > p.decision + trolley_wait_minutes) ++month_.trolley_waits_12h;
  depart(slot, now);
  return p.number;
}

void EmergencyDepartment::depart(std::uint32_t slot, sim::Time now) {
  account_occupancy(now);
  const Patient& p = patients_[slot];
  ++month_.attendances;
  month_.minutes_in_department += now - p.arrival;
  // Against the deadline as a time: (arrival + 240) - arrival can round above 240, which
  // would count a patient who left at exactly four hours as a breach.
  if (now > p.arrival + breach_minutes) ++month_.breaches_4h;
  --present_;
  free_slots_.push_back(slot);
}

void EmergencyDepartment::staff_roster(TrustSimulator& sim) {
  const double rostered = setup_->roster.servers_at(*calendar_, sim.now());
  clinicians_.set_capacity(static_cast<int>(std::lround(rostered * staff_factor_)));
  std::uint32_t next;
  while (clinicians_.start_next(next)) begin_treatment(next, sim);
}

void EmergencyDepartment::change_roster(TrustSimulator& sim) {
  staff_roster(sim);
  const sim::Time change = setup_->roster.next_change_after(*calendar_, sim.now());
  if (std::isfinite(change)) sim.schedule(change, sim::Priority::capacity, {TrustEventKind::ed_roster_change, 0});
}

void EmergencyDepartment::set_staff_factor(double factor, TrustSimulator& sim) {
  staff_factor_ = factor;
  staff_roster(sim);
}

EdMonth EmergencyDepartment::close_month(sim::Time month_end) {
  account_occupancy(month_end);
  EdMonth m = month_;
  month_ = EdMonth{};
  return m;
}

}  // namespace breachsim::models
