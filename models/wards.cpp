// SPDX-License-Identifier: MIT
#include "models/wards.hpp"

#include "models/streams.hpp"

namespace breachsim::models {

WardSetup::WardSetup(const BedParams& p)
    : beds(static_cast<int>(p.general_acute_beds)),
      zero_day_share(p.emergency_zero_day_share),
      zero_day_hours(p.zero_day_stay_hours.build()),
      emergency_days(p.emergency_stay_days.build()),
      delay_days(p.delayed_transfer_days.build()),
      delay_share(p.delayed_transfer_share),
      day_case_share(p.elective_day_case_share),
      elective_days(p.elective_stay_days.build()) {}

Wards::Wards(const WardSetup& setup, const sim::StreamKey& key)
    : setup_(&setup), key_(key), beds_(1, setup.beds) {}

void Wards::account(sim::Time now) {
  const double dt = now - last_change_;
  month_.occupied_bed_minutes += static_cast<double>(beds_.busy()) * dt;
  month_.open_bed_minutes += static_cast<double>(beds_.capacity()) * dt;
  last_change_ = now;
}

bool Wards::request_emergency(std::uint32_t ed_slot, sim::Time now) {
  account(now);
  return beds_.request(ed_slot, 0);
}

bool Wards::next_emergency(std::uint32_t& ed_slot, sim::Time now) {
  account(now);
  return beds_.start_next(ed_slot);
}

void Wards::admit_emergency(std::uint64_t patient, TrustSimulator& sim) {
  // One stream per patient, consumed in a fixed order, so a patient's stay does not change
  // when other patients' do (common random numbers across sweep points).
  sim::RandomStream draws(key_, patient, purpose(Purpose::emergency_stay));
  double minutes;
  if (sim::sample_bernoulli(draws, setup_->zero_day_share)) {
    minutes = sim::hours(setup_->zero_day_hours.sample(draws));
  } else {
    minutes = sim::days(setup_->emergency_days.sample(draws));
    if (sim::sample_bernoulli(draws, setup_->delay_share)) minutes += sim::days(setup_->delay_days.sample(draws));
  }
  start_stay(patient, minutes, sim);
}

bool Wards::admit_elective(std::uint64_t referral, TrustSimulator& sim) {
  account(sim.now());
  if (!beds_.try_take()) return false;
  sim::RandomStream draws(key_, referral, purpose(Purpose::elective_stay));
  const double minutes = sim::sample_bernoulli(draws, setup_->day_case_share)
                             ? sim::hours(setup_->zero_day_hours.sample(draws))
                             : sim::days(setup_->elective_days.sample(draws));
  start_stay(referral, minutes, sim);
  return true;
}

void Wards::start_stay(std::uint64_t patient, double minutes, TrustSimulator& sim) {
  std::uint32_t stay;
  if (free_stays_.empty()) {
    stay = static_cast<std::uint32_t>(stays_.size());
    stays_.push_back({});
  } else {
    stay = free_stays_.back();
    free_stays_.pop_back();
  }
  stays_[stay] = Stay{patient, sim.now()};
  sim.schedule(sim.now() + minutes, sim::Priority::release, {TrustEventKind::bed_discharge, stay});
}

void Wards::discharge(std::uint32_t stay, sim::Time now) {
  account(now);
  beds_.release();
  ++month_.discharges;
  free_stays_.push_back(stay);
}

WardMonth Wards::close_month(sim::Time month_end) {
  account(month_end);
  WardMonth m = month_;
  month_ = WardMonth{};
  return m;
}

}  // namespace breachsim::models
