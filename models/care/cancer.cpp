// SPDX-License-Identifier: MIT
#include "models/care/cancer.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <sstream>
#include <stdexcept>

#include "models/care/streams.hpp"

namespace breachsim::models {

namespace {

constexpr double diagnostic_hour = 8.5;  // sessions start at 08:30
constexpr sim::Time standard_62d = sim::days(62.0);

}  // namespace

void check_cancer(const CancerParams& p, const std::string& path, sim::config::Diagnostics& d) {
  if (p.patients_per_diagnostic_session != std::floor(p.patients_per_diagnostic_session))
    d.error_at(path + ".patients_per_diagnostic_session", "must be a whole number");
  if (std::all_of(p.referrals_by_weekday.begin(), p.referrals_by_weekday.end(), [](double x) { return x == 0.0; }))
    d.error_at(path + ".referrals_by_weekday", "must not all be zero");
  if (p.urgent_referrals_per_week > 0.0 && p.diagnostic_sessions_per_week * p.patients_per_diagnostic_session < 0.5)
    d.error_at(path + ".diagnostic_sessions_per_week",
               "no diagnostic capacity while urgent referrals arrive: no patient would ever be diagnosed");
}

std::vector<double> referral_rate_inputs(const CancerParams& p) {
  std::vector<double> inputs{p.urgent_referrals_per_week, p.referral_growth_per_year};
  inputs.insert(inputs.end(), p.referrals_by_weekday.begin(), p.referrals_by_weekday.end());
  return inputs;
}

CancerSetup::CancerSetup(const CancerParams& p, const sim::Calendar& calendar)
    : referral_rates(sim::weekly_rates(calendar, p.urgent_referrals_per_week, p.referrals_by_weekday,
                                       p.referral_growth_per_year, calendar.month_start(0))),
      conversion_share(p.conversion_share),
      surgical_share(p.surgical_share),
      diagnostic_slots(sim::spread_over_weekdays(p.diagnostic_sessions_per_week * p.patients_per_diagnostic_session)),
      first_seen_days(p.first_seen_days.build()),
      decision_days(p.decision_days.build()),
      surgery_ready_days(p.surgery_ready_days.build()),
      non_surgical_days(p.non_surgical_days.build()) {}

CancerPathway::CancerPathway(const CancerSetup& setup, const sim::Calendar& calendar, const sim::StreamKey& key)
    : setup_(&setup),
      calendar_(&calendar),
      key_(key),
      referral_arrivals_(setup.referral_rates, sim::RandomStream(key, 0, purpose(Purpose::cancer_referrals))) {}

void CancerPathway::start(TrustSimulator& sim) {
  const sim::Time first = referral_arrivals_.next();
  if (first < calendar_->end()) sim.schedule(first, sim::Priority::arrival, {TrustEventKind::cancer_referral, 0});
  schedule_next_diagnostic_day(sim);
}

void CancerPathway::schedule_next_diagnostic_day(TrustSimulator& sim) const {
  const sim::Time day = sim::start_of_day(sim.now());
  sim::Time at = day + sim::hours(diagnostic_hour);
  while (at <= sim.now() || weekday(at) > 4) at += sim::minutes_per_day;
  if (at < calendar_->end()) sim.schedule(at, sim::Priority::seize, {TrustEventKind::diagnostic_day, 0});
}

void CancerPathway::on_event(const TrustEvent& e, TrustSimulator& sim) {
  switch (e.kind) {
    case TrustEventKind::cancer_referral: refer(sim); break;
    case TrustEventKind::diagnostic_day: run_diagnostic_day(sim); break;
    case TrustEventKind::cancer_decision: decide(e.id, sim); break;
    case TrustEventKind::cancer_treatment:
      expect(e.id, Stage::awaiting_treatment, "non-surgical treatment", sim.now());
      treat(e.id, sim.now(), false);
      break;
    default: break;
  }
}

void CancerPathway::set_stage(std::uint32_t slot, Stage stage) {
  Patient& p = patients_[slot];
  --in_stage_[static_cast<std::size_t>(p.stage)];
  ++in_stage_[static_cast<std::size_t>(stage)];
  p.stage = stage;
}

void CancerPathway::end_pathway(std::uint32_t slot) {
  set_stage(slot, Stage::free);
  free_.push_back(slot);
}

void CancerPathway::expect(std::uint32_t slot, Stage stage, const char* what, sim::Time now) const {
  if (slot < patients_.size() && patients_[slot].stage == stage) return;
  std::ostringstream msg;
  msg << "cancer pathway: " << what << " for patient slot " << slot;
  if (slot < patients_.size())
    msg << " (referral " << patients_[slot].number << ", " << stage_name(patients_[slot].stage) << ")";
  msg << " at " << now << " min; expected a patient " << stage_name(stage);
  throw std::logic_error(msg.str());
}

void CancerPathway::refer(TrustSimulator& sim) {
  const std::uint64_t number = referrals_++;
  if (number >= cancer_bed_ids) throw std::overflow_error("more than 2^40 cancer referrals in one trust");
  std::uint32_t slot;
  if (free_.empty()) {
    if (patients_.size() >= std::numeric_limits<std::uint32_t>::max())
      throw std::overflow_error("more than 2^32 cancer patients on the pathway at once");
    slot = static_cast<std::uint32_t>(patients_.size());
    patients_.emplace_back();
    ++in_stage_[static_cast<std::size_t>(Stage::free)];
  } else {
    slot = free_.back();
    free_.pop_back();
  }
  // One stream per patient, consumed in a fixed order: the two yes/no draws first (one
  // uniform each), then the delays, whose draw counts depend on their distributions.
  sim::RandomStream draws(key_, number, purpose(Purpose::cancer_patient));
  Patient& p = patients_[slot];
  p.number = number;
  p.referred_at = sim.now();
  p.diagnosed = sim::sample_bernoulli(draws, setup_->conversion_share);
  p.surgical = sim::sample_bernoulli(draws, setup_->surgical_share);
  const sim::Time first_seen = sim::days(setup_->first_seen_days.sample(draws));
  p.decision_delay = sim::days(setup_->decision_days.sample(draws));
  p.ready_delay = sim::days(setup_->surgery_ready_days.sample(draws));
  p.treatment_delay = sim::days(setup_->non_surgical_days.sample(draws));
  p.cancellations = 0;
  set_stage(slot, Stage::awaiting_diagnostics);
  // The diagnostic queue is first come first served from the first appointment, so it is
  // ordered by that time; no event is needed for the appointment itself.
  diagnostics_.push_back({p.referred_at + first_seen, number, slot});
  std::push_heap(diagnostics_.begin(), diagnostics_.end(), std::greater<>());
  ++month_.referrals;

  const sim::Time next = referral_arrivals_.next();
  if (next < calendar_->end()) sim.schedule(next, sim::Priority::arrival, {TrustEventKind::cancer_referral, 0});
}

void CancerPathway::run_diagnostic_day(TrustSimulator& sim) {
  const sim::Time now = sim.now();
  int slots = setup_->diagnostic_slots[static_cast<std::size_t>(weekday(now))];
  while (slots > 0 && !diagnostics_.empty() && diagnostics_.front().at <= now) {
    const std::uint32_t slot = diagnostics_.front().slot;
    std::pop_heap(diagnostics_.begin(), diagnostics_.end(), std::greater<>());
    diagnostics_.pop_back();
    --slots;
    ++month_.tested;
    const Patient& p = patients_[slot];
    if (!p.diagnosed) {
      ++month_.ruled_out;
      end_pathway(slot);
      continue;
    }
    ++month_.diagnosed;
    set_stage(slot, Stage::awaiting_decision);
    // Beyond the horizon the patient simply stays awaiting a decision: still on the pathway.
    const sim::Time at = now + p.decision_delay;
    if (at < calendar_->end()) sim.schedule(at, sim::Priority::arrival, {TrustEventKind::cancer_decision, slot});
  }
  schedule_next_diagnostic_day(sim);
}

void CancerPathway::decide(std::uint32_t slot, TrustSimulator& sim) {
  expect(slot, Stage::awaiting_decision, "treatment decision", sim.now());
  const Patient& p = patients_[slot];
  if (p.surgical) {
    set_stage(slot, Stage::awaiting_surgery);
    // Listed lazily, by the next theatre day that asks: no event needed.
    preparing_.push_back({sim.now() + p.ready_delay, p.number, slot});
    std::push_heap(preparing_.begin(), preparing_.end(), std::greater<>());
    return;
  }
  set_stage(slot, Stage::awaiting_treatment);
  const sim::Time at = sim.now() + p.treatment_delay;
  if (at < calendar_->end()) sim.schedule(at, sim::Priority::release, {TrustEventKind::cancer_treatment, slot});
}

void CancerPathway::treat(std::uint32_t slot, sim::Time now, bool surgical) {
  ++month_.treated;
  if (surgical) ++month_.treated_surgical;
  // Compared as times, strictly: a patient treated exactly 62 days after referral met the
  // standard (docs/sources.md §2: "> 62 days").
  if (now > patients_[slot].referred_at + standard_62d) ++month_.breaches_62d;
  end_pathway(slot);
}

bool CancerPathway::take_surgical_patient(sim::Time now, std::uint32_t& patient) {
  // Patients cancelled on an earlier theatre day go back in front of everyone, in the order
  // they were taken; rebook_ is served from its back, so they are pushed in reverse.
  if (!cancelled_today_.empty() && now > cancelled_at_) {
    for (auto it = cancelled_today_.rbegin(); it != cancelled_today_.rend(); ++it) rebook_.push_back(*it);
    cancelled_today_.clear();
  }
  while (!preparing_.empty() && preparing_.front().at <= now) {
    const Queued q = preparing_.front();
    std::pop_heap(preparing_.begin(), preparing_.end(), std::greater<>());
    preparing_.pop_back();
    surgery_.push_back({patients_[q.slot].referred_at, q.number, q.slot});
    std::push_heap(surgery_.begin(), surgery_.end(), std::greater<>());
  }
  if (!rebook_.empty()) {
    patient = rebook_.back();
    rebook_.pop_back();
  } else if (!surgery_.empty()) {
    patient = surgery_.front().slot;
    std::pop_heap(surgery_.begin(), surgery_.end(), std::greater<>());
    surgery_.pop_back();
  } else {
    return false;
  }
  set_stage(patient, Stage::in_theatre);
  last_take_ = now;
  return true;
}

void CancerPathway::surgery_done(std::uint32_t patient, sim::Time now) {
  expect(patient, Stage::in_theatre, "surgery done", now);
  treat(patient, now, true);
}

void CancerPathway::surgery_cancelled(std::uint32_t patient) {
  expect(patient, Stage::in_theatre, "surgery cancelled", last_take_);
  Patient& p = patients_[patient];
  ++month_.surgical_cancellations;
  if (p.cancellations > 0) ++month_.repeat_cancellations;
  if (p.cancellations < std::numeric_limits<std::uint8_t>::max()) ++p.cancellations;
  set_stage(patient, Stage::awaiting_surgery);
  // Held back for the rest of this theatre day: no bed has come free at this instant, so
  // offering the same patient again would only cancel them again for each remaining slot.
  cancelled_today_.push_back(patient);
  cancelled_at_ = last_take_;
}

const char* CancerPathway::stage_name(Stage s) {
  switch (s) {
    case Stage::free: return "not on the pathway";
    case Stage::awaiting_diagnostics: return "awaiting diagnostics";
    case Stage::awaiting_decision: return "awaiting a decision";
    case Stage::awaiting_surgery: return "awaiting surgery";
    case Stage::in_theatre: return "in theatre";
    case Stage::awaiting_treatment: return "awaiting non-surgical treatment";
    case Stage::count: break;
  }
  return "in an unknown stage";
}

std::uint64_t CancerPathway::bed_patient_id(std::uint32_t patient) const {
  return cancer_bed_ids + patients_[patient].number;
}

CancerMonth CancerPathway::close_month(sim::Time month_end) {
  month_.on_pathway = static_cast<std::int64_t>(on_pathway());
  month_.awaiting_diagnostics = static_cast<std::int64_t>(awaiting_diagnostics());
  month_.awaiting_surgery = static_cast<std::int64_t>(awaiting_surgery() + in_theatre());
  std::int64_t over = 0;
  for (const Patient& p : patients_)
    if (p.stage != Stage::free && month_end > p.referred_at + standard_62d) ++over;
  month_.over_62d_on_pathway = over;
  CancerMonth m = month_;
  month_ = CancerMonth{};
  return m;
}

}  // namespace breachsim::models
