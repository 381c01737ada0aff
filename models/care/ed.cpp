// SPDX-License-Identifier: MIT
#include "models/care/ed.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "models/care/streams.hpp"
#include "models/care/wards.hpp"

namespace breachsim::models {

namespace {

constexpr double breach_minutes = 240.0;         // the 4-hour standard (docs/sources.md §2)
constexpr double trolley_wait_minutes = 720.0;   // decision to admit -> bed, 12 hours (docs/sources.md §2)
constexpr double long_admission_wait_minutes = 240.0;  // and over 4 hours, published apart (docs/sources.md §8)
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

std::vector<double> arrival_rate_inputs(const EdParams& params) {
  const sim::HourOfWeekValues per_minute = arrival_rate_per_minute(params);
  const sim::MonthOfYearValues factors = month_factors(params);
  std::vector<double> inputs(per_minute.begin(), per_minute.end());
  inputs.insert(inputs.end(), factors.begin(), factors.end());
  return inputs;
}

EdSetup::EdSetup(const EdParams& params, const sim::Calendar& calendar)
    : arrival_rates(calendar, arrival_rate_per_minute(params), month_factors(params)),
      roster(roster_of(params)),
      treatment(params.treatment_minutes.build()),
      treatment_by_month(relative_profile(params.treatment_minutes_by_month, params.treatment_minutes_by_month_amplitude)),
      admission_share_by_month(relative_profile(params.admission_share_by_month, params.admission_share_by_month_amplitude)),
      handover_delays(params.ambulance_handover_delays),
      ambulance_share(params.ambulance_share),
      cubicles(static_cast<std::size_t>(params.cubicles)),
      target_chasing(params.target_chasing),
      chase_window(params.target_chasing_window_minutes) {
  for (double& share : admission_share_by_month) share = std::min(1.0, share * params.admission_share);
}

EmergencyDepartment::EmergencyDepartment(const EdSetup& setup, const sim::Calendar& calendar,
                                         const sim::StreamKey& key)
    : setup_(&setup),
      calendar_(&calendar),
      key_(key),
      arrivals_(setup.arrival_rates, sim::RandomStream(key, 0, purpose(Purpose::ed_arrivals))),
      clinicians_(1, setup.roster.servers_at(calendar, 0.0), "A&E clinicians") {}

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
  const std::uint64_t number = arrivals_so_far_++;
  if (setup_->handover_delays) {
    sim::RandomStream draws(key_, number, purpose(Purpose::ambulance));
    if (sim::sample_bernoulli(draws, setup_->ambulance_share) && (present_ >= setup_->cubicles || !ambulances_.empty())) {
      ambulances_.push_back({number, sim.now()});  // the crew waits with the patient
    } else {
      enter(number, false, sim.now(), sim);
    }
  } else {
    enter(number, false, sim.now(), sim);
  }
  const sim::Time next = arrivals_.next();
  if (std::isfinite(next)) sim.schedule(next, sim::Priority::arrival, {TrustEventKind::ed_arrival, 0});
}

void EmergencyDepartment::readmit(std::uint32_t id, TrustSimulator& sim) {
  ++month_.readmissions;
  if (id & readmission_after_elective_bit) ++month_.readmissions_after_elective;
  // Numbered apart from ordinary arrivals, so readmissions never shift their draws.
  enter(readmission_numbers | (id & ~readmission_after_elective_bit), true, sim.now(), sim);
}

void EmergencyDepartment::hand_over_waiting(TrustSimulator& sim) {
  while (!ambulances_.empty() && present_ < setup_->cubicles) {
    const Ambulance a = ambulances_.front();
    ambulances_.pop_front();
    const double wait = sim.now() - a.arrival;
    if (wait > 60.0) ++month_.handovers_over_60min;
    else if (wait > 30.0) ++month_.handovers_30_60min;
    enter(a.number, false, a.arrival, sim);  // the 4-hour clock started at arrival
  }
}

void EmergencyDepartment::enter(std::uint64_t number, bool readmission, sim::Time arrival, TrustSimulator& sim) {
  account_occupancy(sim.now());
  std::uint32_t slot;
  if (free_slots_.empty()) {
    slot = static_cast<std::uint32_t>(patients_.size());
    patients_.push_back({});
  } else {
    slot = free_slots_.back();
    free_slots_.pop_back();
  }
  patients_[slot] = Patient{arrival, sim.now(), number, readmission, month_of_year_};
  ++present_;
  if (clinicians_.request(slot, 0)) begin_treatment(slot, sim);
}

void EmergencyDepartment::begin_treatment(std::uint32_t slot, TrustSimulator& sim) {
  const Patient& p = patients_[slot];
  sim::RandomStream draws(key_, p.number, purpose(Purpose::ed_treatment));
  sim::Time end =
      sim.now() + setup_->treatment.sample(draws) * treatment_scale_ * in_month(setup_->treatment_by_month, p.month_of_year);
  const sim::Time line = p.arrival + breach_minutes;
  if (setup_->target_chasing && end > line && end <= line + setup_->chase_window && !admitted(p)) {
    // Chasing the line: the discharge is hurried into the last ten minutes before it.
    end = std::max(sim.now(), line - 10.0 * draws.uniform_positive());
  }
  sim.schedule(end, sim::Priority::release, {TrustEventKind::ed_treatment_end, slot});
}

bool EmergencyDepartment::admitted(const Patient& p) const {
  if (p.readmission) return true;
  // Keyed by the patient alone, so asking early gives the answer finish_treatment() gets.
  sim::RandomStream decision(key_, p.number, purpose(Purpose::admission_decision));
  return sim::sample_bernoulli(decision, in_month(setup_->admission_share_by_month, p.month_of_year));
}

bool EmergencyDepartment::chased_for_bed(std::uint32_t slot, sim::Time now) const {
  const sim::Time line = patients_[slot].arrival + breach_minutes;
  return setup_->target_chasing && now <= line && now >= line - setup_->chase_window;
}

bool EmergencyDepartment::finish_treatment(std::uint32_t slot, TrustSimulator& sim) {
  Patient& p = patients_[slot];
  p.decision = sim.now();
  clinicians_.release();
  std::uint32_t next;
  while (clinicians_.start_next(next)) begin_treatment(next, sim);
  if (admitted(p)) return true;
  depart(slot, sim);
  return false;
}

std::uint64_t EmergencyDepartment::depart_admitted(std::uint32_t slot, TrustSimulator& sim) {
  const sim::Time now = sim.now();
  const Patient p = patients_[slot];
  ++month_.admissions;
  if (now > p.decision + trolley_wait_minutes) ++month_.trolley_waits_12h;
  else if (now > p.decision + long_admission_wait_minutes) ++month_.trolley_waits_4_12h;
  depart(slot, sim);
  return p.number;
}

void EmergencyDepartment::depart(std::uint32_t slot, TrustSimulator& sim) {
  const sim::Time now = sim.now();
  account_occupancy(now);
  const Patient& p = patients_[slot];
  ++month_.attendances;
  month_.minutes_in_department += now - p.arrival;
  // Against the deadline as a time: (arrival + 240) - arrival can round above 240, which
  // would count a patient who left at exactly four hours as a breach.
  if (now > p.arrival + breach_minutes) ++month_.breaches_4h;
  else if (now > p.arrival + breach_minutes - 10.0) ++month_.left_230_240min;
  --present_;
  free_slots_.push_back(slot);
  if (setup_->handover_delays) hand_over_waiting(sim);
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
  month_.present_at_end = static_cast<std::int64_t>(present_);
  month_.awaiting_handover_at_end = static_cast<std::int64_t>(ambulances_.size());
  EdMonth m = month_;
  month_ = EdMonth{};
  return m;
}

}  // namespace breachsim::models
