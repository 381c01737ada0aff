// SPDX-License-Identifier: MIT
#include "models/care/wards.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <stdexcept>

#include "models/care/streams.hpp"

namespace breachsim::models {

WardSetup::WardSetup(const BedParams& p, double trim_point_days)
    : beds(static_cast<int>(p.general_acute_beds)),
      zero_day_share(p.emergency_zero_day_share),
      zero_day_hours(p.zero_day_stay_hours.build()),
      emergency_days(p.emergency_stay_days.build()),
      delay_days(p.delayed_transfer_days.build()),
      emergency_days_by_month(relative_profile(p.emergency_stay_by_month, p.emergency_stay_by_month_amplitude)),
      delay_share_by_month(relative_profile(p.delayed_transfer_share_by_month, p.delayed_transfer_share_by_month_amplitude)),
      infection_closed_share(absolute_profile(p.infection_closed_share_by_month, p.infection_closed_share_by_month_scale)),
      day_case_share(p.elective_day_case_share),
      elective_days(p.elective_stay_days.build()),
      cancer_day_case_share(p.cancer_surgery_day_case_share),
      cancer_days(p.cancer_surgery_stay_days.build()),
      early_discharge_minutes(sim::hours(p.early_discharge_hours)),
      window_opens(sim::hours(p.discharge_window_opens_hour)),
      window_closes(sim::hours(p.discharge_window_closes_hour)),
      window_limited(window_opens > 0.0 || window_closes < sim::minutes_per_day),
      early_rationed(window_limited || p.early_discharge_daily_limit_share > 0.0),
      out_of_hours_share(p.out_of_hours_discharge_share),
      held_spread(sim::hours(p.held_discharge_spread_hours)),
      early_daily_limit_share(p.early_discharge_daily_limit_share),
      readmission_after_emergency(p.readmission_share_after_emergency),
      readmission_after_elective(p.readmission_share_after_elective),
      early_factor(p.early_discharge_readmission_factor),
      readmission_days(p.readmission_days.build()),
      trim_minutes(sim::days(trim_point_days)),
      mixed_sex_share(p.mixed_sex_share_at_last_bed),
      mixed_sex_nights(p.mixed_sex_nights) {
  for (double& share : delay_share_by_month) share = std::min(1.0, share * p.delayed_transfer_share);
}

Wards::Wards(const WardSetup& setup, const sim::StreamKey& key)
    : setup_(&setup), key_(key), beds_(2, setup.beds, "beds"), most_open_(setup.beds) {}

void Wards::account(sim::Time now) {
  const double dt = now - last_change_;
  month_.occupied_bed_minutes += static_cast<double>(beds_.busy()) * dt;
  month_.open_bed_minutes += static_cast<double>(beds_.capacity()) * dt;
  month_.infection_closed_bed_minutes += static_cast<double>(closed_) * dt;
  last_change_ = now;
}

void Wards::request_emergency(std::uint32_t ed_slot, bool ahead, TrustSimulator& sim) {
  account(sim.now());
  beds_.enqueue(ed_slot, ahead ? 0 : 1);
  if (beds_.busy() >= beds_.capacity()) discharge_early(sim);
}

bool Wards::in_window(sim::Time t) const {
  const sim::Time minute = sim::time_of_day(t);
  return minute >= setup_->window_opens && minute < setup_->window_closes;
}

bool Wards::next_emergency(std::uint32_t& ed_slot, sim::Time now) {
  account(now);
  return beds_.start_next(ed_slot);
}

bool Wards::discharge_early(TrustSimulator& sim) {
  if (!(setup_->early_discharge_minutes > 0.0) || due_.empty()) return false;
  // Bringing a discharge forward needs a senior review, which happens in the day, for so many
  // patients a day; one refused for either reason is looked at when the window next opens.
  if (setup_->window_limited && !in_window(sim.now())) return wake_at_opening(sim);
  if (setup_->early_daily_limit_share > 0.0) {
    const sim::Time day = sim::start_of_day(sim.now());
    if (day != early_day_) {
      early_day_ = day;
      early_today_ = 0;
    }
    if (static_cast<double>(early_today_) >= setup_->early_daily_limit_share * beds_.capacity())
      return wake_at_opening(sim);
  }
  if (due_.front().due > sim.now() + setup_->early_discharge_minutes) return false;
  ++early_today_;
  end_first_stay(true, sim);
  schedule_next_discharge(sim);
  return true;
}

void Wards::catch_up_early_discharges(TrustSimulator& sim) {
  // Only when early discharges are rationed (by the window or a daily limit): otherwise every
  // request was answered when it was made, and the model stays as it was. Waiting for the
  // instant's last discharge lets the stays held to the opening free their beds before anyone
  // is sent home early.
  if (!setup_->early_rationed || next_discharge_at_ <= sim.now() || (setup_->window_limited && !in_window(sim.now()))) return;
  while (beds_.waiting() > static_cast<std::size_t>(std::max(0, beds_.capacity() - beds_.busy())) &&
         discharge_early(sim)) {
  }
}

sim::Time Wards::next_opening(sim::Time t) const {
  const sim::Time day = sim::start_of_day(t);
  return (t - day < setup_->window_opens ? day : day + sim::minutes_per_day) + setup_->window_opens;
}

bool Wards::wake_at_opening(TrustSimulator& sim) {
  const sim::Time at = next_opening(sim.now());
  if (at < wake_at_) {
    wake_at_ = at;
    schedule_next_discharge(sim);
  }
  return false;
}

void Wards::schedule_next_discharge(TrustSimulator& sim) {
  const sim::Time at = std::min(due_.empty() ? std::numeric_limits<double>::infinity() : due_.front().due, wake_at_);
  if (at == next_discharge_at_) return;
  sim.cancel(next_discharge_);
  next_discharge_at_ = at;
  if (at < std::numeric_limits<double>::infinity())
    next_discharge_ = sim.schedule(at, sim::Priority::release, {TrustEventKind::bed_discharge, 0});
}

void Wards::admit_emergency(std::uint64_t patient, TrustSimulator& sim) {
  // One stream per patient, consumed in a fixed order, so a patient's stay does not change
  // when other patients' do (common random numbers across sweep points).
  sim::RandomStream draws(key_, patient, purpose(Purpose::emergency_stay));
  double minutes, delay = 0.0;
  const bool zero_day = sim::sample_bernoulli(draws, setup_->zero_day_share);
  if (zero_day) {
    minutes = sim::hours(setup_->zero_day_hours.sample(draws));
  } else {
    minutes = sim::days(setup_->emergency_days.sample(draws) * in_month(setup_->emergency_days_by_month, month_of_year_));
    if (sim::sample_bernoulli(draws, in_month(setup_->delay_share_by_month, month_of_year_))) {
      delay = setup_->delay_days.sample(draws);
      minutes += sim::days(delay);
    }
  }
  // The bed has been taken: none left means no choice of bay. Drawn after the stay, so the
  // stay is the same whether or not the draw is made.
  if (beds_.busy() >= beds_.capacity()) {
    ++month_.last_bed_admissions;
    if (sim::sample_bernoulli(draws, setup_->mixed_sex_share)) month_.mixed_sex_days += setup_->mixed_sex_nights;
  }
  // A zero-day stay is an ambulatory one (an assessment unit open round the clock): it ends
  // when planned, at any hour.
  start_stay(patient, minutes, false, !zero_day, sim, delay);
}

bool Wards::admit_elective(std::uint64_t patient, TrustSimulator& sim, Planned kind, bool* day_case_out) {
  account(sim.now());
  if (!beds_.try_take()) return false;
  sim::RandomStream draws(key_, patient, purpose(Purpose::elective_stay));
  const bool cancer = kind == Planned::cancer_surgery;
  const bool day_case = sim::sample_bernoulli(draws, cancer ? setup_->cancer_day_case_share : setup_->day_case_share);
  const double minutes = day_case ? sim::hours(setup_->zero_day_hours.sample(draws))
                                  : sim::days((cancer ? setup_->cancer_days : setup_->elective_days).sample(draws));
  ++(day_case ? month_.elective_day_cases : month_.elective_inpatients);
  if (day_case_out) *day_case_out = day_case;
  // Day cases go home from the day unit when they recover, at any hour.
  start_stay(patient, minutes, true, !day_case, sim);
  return true;
}

void Wards::start_stay(std::uint64_t patient, double minutes, bool elective, bool windowed, TrustSimulator& sim,
                       double delay_days) {
  const sim::Time planned = sim.now() + minutes;
  const sim::Time due = windowed && setup_->window_limited ? discharge_time(planned, patient, elective) : planned;
  if (due != planned) ++month_.held_discharges;
  due_.push_back({due, sim.now(), patient, elective, static_cast<float>(delay_days), static_cast<float>(due - planned)});
  std::push_heap(due_.begin(), due_.end(), std::greater<>());
  if (due < next_discharge_at_) schedule_next_discharge(sim);
}

sim::Time Wards::discharge_time(sim::Time due, std::uint64_t patient, bool elective) const {
  if (in_window(due)) return due;
  // Keyed by the patient alone, so whether a patient leaves at night is the patient's own luck
  // at every sweep point, whenever the stay happens to end.
  sim::RandomStream draws(key_, patient, purpose(elective ? Purpose::elective_discharge_hour : Purpose::emergency_discharge_hour));
  if (sim::sample_bernoulli(draws, setup_->out_of_hours_share)) return due;
  const sim::Time opening = next_opening(due);
  return setup_->held_spread > 0.0 ? opening + setup_->held_spread * draws.uniform() : opening;
}

void Wards::discharge(TrustSimulator& sim) {
  next_discharge_at_ = std::numeric_limits<double>::infinity();  // this event has fired
  // The event is a stay's planned end, or the window's opening after early discharges were
  // refused (or both).
  if (!due_.empty() && due_.front().due <= sim.now()) end_first_stay(false, sim);
  if (wake_at_ <= sim.now()) wake_at_ = std::numeric_limits<double>::infinity();
  schedule_next_discharge(sim);
  catch_up_early_discharges(sim);
}

void Wards::end_first_stay(bool early, TrustSimulator& sim) {
  const Stay s = due_.front();
  std::pop_heap(due_.begin(), due_.end(), std::greater<>());
  due_.pop_back();
  account(sim.now());
  beds_.release();
  ++month_.discharges;
  if (early) ++month_.early_discharges;
  const double beyond_trim = sim.now() - s.admitted - setup_->trim_minutes;
  if (beyond_trim > 0.0) month_.excess_bed_days += beyond_trim / sim::minutes_per_day;
  if (s.delay_days > 0.0f) {
    // The delay is the end of the planned stay: what of it the patient spent in the bed.
    const double fit_to_leave = s.due - static_cast<double>(s.held_minutes) - sim::days(static_cast<double>(s.delay_days));
    const double delayed = sim.now() - fit_to_leave;
    if (delayed > 0.0) {
      ++month_.delayed_transfers;
      month_.delayed_transfer_days += delayed / sim::minutes_per_day;
    }
  }

  // The readmission draw is keyed by the discharged patient, so it is the same patient's
  // luck at every sweep point; only the probability (early or not) may differ.
  const double base = s.elective ? setup_->readmission_after_elective : setup_->readmission_after_emergency;
  const double p = std::min(1.0, early ? base * setup_->early_factor : base);
  sim::RandomStream draws(key_, s.patient, purpose(Purpose::readmission));
  if (!sim::sample_bernoulli(draws, p)) return;
  const sim::Time at = sim.now() + sim::days(setup_->readmission_days.sample(draws));
  if (readmissions_ >= readmission_after_elective_bit) throw std::overflow_error("more than 2^31 readmissions in one trust");
  const std::uint32_t number = readmissions_++;
  sim.schedule(at, sim::Priority::arrival,
               {TrustEventKind::ed_readmission, number | (s.elective ? readmission_after_elective_bit : 0u)});
}

void Wards::set_open_beds(int beds, sim::Time now) {
  account(now);
  // The month's average closures as whole beds: an outbreak's bays open and close within
  // weeks, which a monthly share smooths over.
  closed_ = static_cast<int>(std::lround(beds * in_month(setup_->infection_closed_share, month_of_year_)));
  beds_.set_capacity(beds - closed_);
  most_open_ = std::max(most_open_, beds - closed_);
}

WardMonth Wards::close_month(sim::Time month_end) {
  account(month_end);
  month_.occupied_at_end = occupied();
  WardMonth m = month_;
  month_ = WardMonth{};
  return m;
}

}  // namespace breachsim::models
