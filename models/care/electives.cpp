// SPDX-License-Identifier: MIT
#include "models/care/electives.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "models/care/streams.hpp"

namespace breachsim::models {

namespace {

constexpr double rebooking_limit = sim::days(28.0);  // cancelled operations: docs/sources.md §3
constexpr double theatre_hour = 8.0;                 // lists start at 08:00, clinics at 09:00
constexpr double clinic_hour = 9.0;
// Initial-list patients are numbered from here so that their draws never shift the numbers
// (and so the draws) of referrals when the initial list changes size.
constexpr std::uint32_t initial_list_ids = 1u << 31;
// Weeks of age the initial list's held shares are tabulated for; older patients use the last.
constexpr std::size_t held_table_weeks = 260;
constexpr double weeks_per_year = 365.25 / 7.0;

bool never_held(const sim::config::DistributionSpec& d) {
  return d.kind == sim::Distribution::Kind::constant && d.value == 0.0;
}

// Of initial patients on one pathway aged [w, w + 1) weeks, the share a steady flow of that
// pathway's referrals would have in the earlier stages or lost at that age: its referrals a
// week times the chance of still being held (and not having left), over the initial list's
// patients of that age. The rest are on the treatment list, as a queue ahead of later joiners.
std::vector<double> held_shares(const ElectiveParams& p, const sim::Distribution& before, double referral_share,
                                double initial_share, const sim::Distribution& initial, const sim::Distribution& lost) {
  std::vector<double> share(held_table_weeks, 1.0);
  for (std::size_t w = 0; w < held_table_weeks; ++w) {
    const double mid = static_cast<double>(w) + 0.5;
    double held = (1.0 - p.lost_share) * before.survival(mid) + p.lost_share * lost.survival(mid);
    held *= std::exp(-p.leave_list_per_year * mid / weeks_per_year);
    if (p.validation_weeks > 0.0 && mid > p.validation_weeks) held *= 1.0 - p.validation_removal_share;
    const double of_initial =
        p.initial_list * initial_share * (initial.survival(static_cast<double>(w)) - initial.survival(mid + 0.5));
    if (of_initial > 0.0) share[w] = std::min(1.0, p.referrals_per_week * referral_share * held / of_initial);
  }
  return share;
}

}  // namespace

ListOrder parse_list_order(const std::string& name) {
  if (name == "priority_then_fifo") return ListOrder::priority_then_fifo;
  if (name == "longest_wait_first") return ListOrder::longest_wait_first;
  if (name == "target_chasing") return ListOrder::target_chasing;
  throw std::invalid_argument("unknown waiting list order '" + name + "'");
}

std::vector<double> referral_rate_inputs(const ElectiveParams& p) {
  std::vector<double> inputs{p.referrals_per_week, p.referral_growth_per_year};
  inputs.insert(inputs.end(), p.referrals_by_weekday.begin(), p.referrals_by_weekday.end());
  return inputs;
}

ElectiveSetup::ElectiveSetup(const ElectiveParams& p, const sim::Calendar& calendar)
    : referral_rates(sim::weekly_rates(calendar, p.referrals_per_week, p.referrals_by_weekday, p.referral_growth_per_year,
                                       calendar.month_start(0))),
      admitted_share(p.admitted_share),
      order(parse_list_order(p.order)),
      theatre_slots(sim::spread_over_weekdays(p.theatre_sessions_per_week * p.patients_per_theatre_session)),
      clinic_slots(sim::spread_over_weekdays(p.clinic_sessions_per_week * p.patients_per_clinic_session)),
      leave_rate_per_minute(p.leave_list_per_year / sim::days(365.25)),
      initial_list(static_cast<int>(p.initial_list)),
      initial_admitted_share(p.initial_list_admitted_share),
      initial_weeks(p.initial_list_weeks.build()),
      holds(!(never_held(p.weeks_before_booking_non_admitted) && never_held(p.weeks_before_booking_admitted) &&
              p.lost_share == 0.0)),
      weeks_before_booking{p.weeks_before_booking_non_admitted.build(), p.weeks_before_booking_admitted.build()},
      lost_share(p.lost_share),
      lost_weeks(p.lost_weeks.build()),
      validation_minutes(p.validation_weeks > 0.0 && p.validation_removal_share > 0.0
                             ? p.validation_weeks * sim::minutes_per_week
                             : std::numeric_limits<double>::infinity()),
      validation_share(p.validation_removal_share) {
  const double total = std::accumulate(p.priority_shares.begin(), p.priority_shares.end(), 0.0);
  double running = 0.0;
  for (double share : p.priority_shares) priority_cumulative.push_back(running += share / total);
  priority_cumulative.back() = 1.0;
  if (holds) {
    for (bool admitted : {false, true}) {
      initial_held[pathway(admitted)] =
          held_shares(p, weeks_before_booking[pathway(admitted)], admitted ? p.admitted_share : 1.0 - p.admitted_share,
                      admitted ? p.initial_list_admitted_share : 1.0 - p.initial_list_admitted_share, initial_weeks, lost_weeks);
    }
  }
}

double ElectiveSetup::initial_held_share(bool needs_admission, double weeks) const {
  const std::vector<double>& table = initial_held[pathway(needs_admission)];
  if (table.empty()) return 0.0;
  const auto w = weeks <= 0.0 ? std::size_t{0} : static_cast<std::size_t>(weeks);
  return table[std::min(w, table.size() - 1)];
}

Electives::Electives(const ElectiveSetup& setup, const sim::Calendar& calendar, const sim::StreamKey& key)
    : setup_(&setup),
      calendar_(&calendar),
      key_(key),
      list_(setup.order),
      referral_arrivals_(setup.referral_rates, sim::RandomStream(key, 0, purpose(Purpose::rtt_referrals))) {}

WaitingPatient Electives::new_patient(std::uint64_t id, sim::Time clock_start, double admitted_share,
                                      sim::RandomStream& draws) const {
  const bool admitted = sim::sample_bernoulli(draws, admitted_share);
  const double u = draws.uniform();
  const auto& cumulative = setup_->priority_cumulative;
  const auto priority = static_cast<std::uint8_t>(
      std::min<std::size_t>(std::upper_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin(), 3));
  return WaitingPatient{id, clock_start, priority, admitted};
}

sim::Time Electives::join(const WaitingPatient& p, sim::Time now, sim::RandomStream& pathway) {
  if (setup_->holds) {
    const bool lost = setup_->lost_share > 0.0 && sim::sample_bernoulli(pathway, setup_->lost_share);
    const sim::Distribution& stages =
        lost ? setup_->lost_weeks : setup_->weeks_before_booking[ElectiveSetup::pathway(p.needs_admission)];
    list_.hold(p, now + stages.sample(pathway) * sim::minutes_per_week, lost);
  } else {
    list_.add(p);
  }
  return validated_off_at(p, now, pathway);
}

sim::Time Electives::join_initial(const WaitingPatient& p, sim::Time now, double weeks, sim::RandomStream& pathway) {
  if (setup_->holds && pathway.uniform() < setup_->initial_held_share(p.needs_admission, weeks)) {
    // Still in the earlier stages or lost at `weeks`: which, in proportion to the chance of
    // each lasting that long, and the time left, drawn given that it has.
    const sim::Distribution& stages = setup_->weeks_before_booking[ElectiveSetup::pathway(p.needs_admission)];
    const double in_stages = (1.0 - setup_->lost_share) * stages.survival(weeks);
    const double in_lost = setup_->lost_share * setup_->lost_weeks.survival(weeks);
    const bool lost = in_lost > 0.0 && pathway.uniform() * (in_stages + in_lost) < in_lost;
    const double ends = (lost ? setup_->lost_weeks : stages).sample_above(pathway, weeks);
    list_.hold(p, now + (ends - weeks) * sim::minutes_per_week, lost);
  } else {
    list_.add(p);  // on the treatment list already, in clock order
  }
  return validated_off_at(p, now, pathway);
}

sim::Time Electives::validated_off_at(const WaitingPatient& p, sim::Time now, sim::RandomStream& pathway) const {
  // Patients already past the validation wait (in the initial list) were validated before.
  const sim::Time at = p.clock_start + setup_->validation_minutes;
  if (!std::isfinite(at) || !(at > now) || !sim::sample_bernoulli(pathway, setup_->validation_share))
    return std::numeric_limits<double>::infinity();
  return at;
}

void Electives::schedule_leaving(const WaitingPatient& p, sim::Time now, sim::RandomStream& draws,
                                 sim::Time validated_off_at) {
  sim::Time at = std::numeric_limits<double>::infinity();
  // Exponential, so a patient already on the list at the start leaves as a new one would.
  if (setup_->leave_rate_per_minute > 0.0) at = now + sim::sample_exponential(draws, 1.0 / setup_->leave_rate_per_minute);
  const bool validation = validated_off_at < at;
  if (validation) at = validated_off_at;
  if (!(at < calendar_->end())) return;
  leaving_.push_back({at, p.id, validation});
  std::push_heap(leaving_.begin(), leaving_.end(), std::greater<>{});
}

void Electives::leave_until(sim::Time t, bool inclusive) {
  // Nothing reads the list between a departure and the next clinic, theatre list or month
  // end, so departures wait here rather than each taking a place in the event calendar,
  // which they would otherwise fill (thousands pending, most for patients treated first).
  while (!leaving_.empty() && (leaving_.front().at < t || (inclusive && leaving_.front().at == t))) {
    const Leaving leaving = leaving_.front();
    std::pop_heap(leaving_.begin(), leaving_.end(), std::greater<>{});
    leaving_.pop_back();
    if (list_.remove(leaving.id)) {
      ++month_.left_untreated;
      if (leaving.validation) ++month_.validated_off;
    }
  }
}

void Electives::start(TrustSimulator& sim) {
  for (int k = 0; k < setup_->initial_list; ++k) {
    const std::uint64_t id = initial_list_ids + static_cast<std::uint64_t>(k);
    sim::RandomStream draws(key_, id, purpose(Purpose::rtt_initial_list));
    const double weeks = setup_->initial_weeks.sample(draws);
    const WaitingPatient p =
        new_patient(id, sim.now() - weeks * sim::minutes_per_week, setup_->initial_admitted_share, draws);
    sim::RandomStream pathway(key_, id, purpose(Purpose::rtt_pathway));
    schedule_leaving(p, sim.now(), draws, join_initial(p, sim.now(), weeks, pathway));
  }
  const sim::Time first = referral_arrivals_.next();
  if (std::isfinite(first)) sim.schedule(first, sim::Priority::arrival, {TrustEventKind::rtt_referral, 0});
  schedule_next_day(TrustEventKind::theatre_day, theatre_hour, sim);
  schedule_next_day(TrustEventKind::clinic_day, clinic_hour, sim);
}

int Electives::weekday(sim::Time t) const { return calendar_->hour_of_week(t) / 24; }

void Electives::schedule_next_day(TrustEventKind kind, double hour, TrustSimulator& sim) const {
  const sim::Time day = sim::start_of_day(sim.now());
  sim::Time at = day + sim::hours(hour);
  while (at <= sim.now() || weekday(at) > 4) at += sim::minutes_per_day;
  if (at < calendar_->end()) sim.schedule(at, sim::Priority::seize, {kind, 0});
}

void Electives::on_event(const TrustEvent& e, TrustSimulator& sim) {
  switch (e.kind) {
    case TrustEventKind::rtt_referral: refer(sim); break;
    case TrustEventKind::clinic_day: run_clinic_day(sim); break;
    default: break;
  }
}

void Electives::refer(TrustSimulator& sim) {
  const std::uint64_t id = referrals_++;
  if (id >= initial_list_ids) throw std::overflow_error("more than 2^31 referrals in one trust");
  // The referral is numbered and its draws kept whether or not it is accepted, so the same
  // patients are referred at every sweep point and a restriction only turns some away.
  bool accepted = true;
  if (referral_share_ < 1.0) {
    sim::RandomStream gate(key_, id, purpose(Purpose::referral_restriction));
    accepted = gate.uniform() < referral_share_;
  }
  if (accepted) {
    if (!deferred_.empty() && referral_share_ >= 1.0) release_deferred(sim.now());
    sim::RandomStream draws(key_, id, purpose(Purpose::rtt_patient));
    const WaitingPatient p = new_patient(id, sim.now(), setup_->admitted_share, draws);
    sim::RandomStream pathway(key_, id, purpose(Purpose::rtt_pathway));
    ++month_.clock_starts;
    schedule_leaving(p, sim.now(), draws, join(p, sim.now(), pathway));
  } else {
    // Demand management defers the patient (referral thresholds, advice and guidance); the
    // need does not go away, so the patient is kept and the wait counts from today.
    deferred_.push_back({id, sim.now()});
    ++month_.referrals_restricted;
  }
  const sim::Time next = referral_arrivals_.next();
  if (std::isfinite(next)) sim.schedule(next, sim::Priority::arrival, {TrustEventKind::rtt_referral, 0});
}

void Electives::release_deferred(sim::Time now) {
  for (const Deferred& d : deferred_) {
    // The patient's own draws, as if accepted at referral: the same patient at every sweep point.
    // The pathway's stages start when the commissioner lets the referral through; the clock
    // started at referral.
    sim::RandomStream draws(key_, d.id, purpose(Purpose::rtt_patient));
    const WaitingPatient p = new_patient(d.id, d.referred_at, setup_->admitted_share, draws);
    sim::RandomStream pathway(key_, d.id, purpose(Purpose::rtt_pathway));
    ++month_.clock_starts;
    schedule_leaving(p, now, draws, join(p, now, pathway));
  }
  deferred_.clear();
}

int Electives::theatre_slots_today(sim::Time now) const {
  const int day = weekday(now);
  if (day > 4) return 0;
  return static_cast<int>(std::lround(setup_->theatre_slots[static_cast<std::size_t>(day)] * theatre_factor_));
}

void Electives::run_theatre_day(int slots, Wards& wards, TrustSimulator& sim) {
  // Patients cancelled today rejoin the list only after today's lists, or the same patient
  // would be taken and cancelled again for each remaining slot.
  leave_until(sim.now(), true);
  cancelled_today_.clear();
  for (int slot = 0; slot < slots; ++slot) {
    WaitingPatient p;
    sim::Time cancelled_at = -1.0;
    bool found = false;
    while (!rebook_.empty() && !found) {
      const Cancelled c = rebook_.front();
      rebook_.pop_front();
      if (list_.remove(c.patient.id)) {  // false: left the list meanwhile
        p = c.patient;
        cancelled_at = c.cancelled_at;
        found = true;
      }
    }
    if (!found && !list_.pop_next(true, sim.now(), p)) break;
    bool day_case = false;
    if (wards.admit_elective(p.id, sim, Wards::Planned::routine, &day_case)) {
      ++month_.treated;
      if (sim.now() - p.clock_start > WaitingList::over_18_weeks) ++month_.treated_over_18w;
      ++month_.admissions;
      if (cancelled_at >= 0.0 && sim.now() > cancelled_at + rebooking_limit) {
        ++month_.rebooked_late;
        if (day_case) ++month_.rebooked_late_day_cases;
      }
    } else {
      // The 28 days run from the first cancellation.
      ++month_.cancellations;
      cancelled_today_.push_back({p, cancelled_at >= 0.0 ? cancelled_at : sim.now()});
    }
  }
  for (const Cancelled& c : cancelled_today_) {
    list_.put_back(c.patient);  // still waiting, clock running, place kept
    rebook_.push_back(c);
  }
  schedule_next_day(TrustEventKind::theatre_day, theatre_hour, sim);
}

void Electives::run_clinic_day(TrustSimulator& sim) {
  leave_until(sim.now(), true);
  const int slots = setup_->clinic_slots[static_cast<std::size_t>(weekday(sim.now()))];
  WaitingPatient p;
  for (int slot = 0; slot < slots && list_.pop_next(false, sim.now(), p); ++slot) {
    ++month_.treated;
    ++month_.outpatient_treated;
    if (sim.now() - p.clock_start > WaitingList::over_18_weeks) {
      ++month_.treated_over_18w;
      ++month_.outpatient_treated_over_18w;
    }
  }
  schedule_next_day(TrustEventKind::clinic_day, clinic_hour, sim);
}

ElectiveMonth Electives::close_month(sim::Time month_end) {
  leave_until(month_end, false);
  month_.list = list_.snapshot(month_end);
  month_.referrals_deferred_at_end = static_cast<std::int64_t>(deferred_.size());
  ElectiveMonth m = month_;
  month_ = ElectiveMonth{};
  return m;
}

}  // namespace breachsim::models
