// SPDX-License-Identifier: MIT
#include "models/care/trust.hpp"

#include <cmath>

#include "sim/invariant.hpp"

namespace breachsim::models {

Trust::Trust(const TrustSetup& setup, const sim::Calendar& calendar, const sim::StreamKey& key)
    : setup_(&setup),
      calendar_(&calendar),
      staffing_(setup.staffing, key),
      ed_(setup.ed, calendar, key),
      wards_(setup.wards, key),
      electives_(setup.electives, calendar, key),
      cancer_(setup.cancer, calendar, key) {
  sim_.reserve(4096);
  rtt_pathways_.came_in = setup.electives.initial_list;
  ed_.start(sim_);
  electives_.start(sim_);
  cancer_.start(sim_);
}

TrustMonth Trust::run_month(sim::Time month_end) {
  const sim::ClockScope clock(sim_.clock());  // the month start's checks know their time too
  staff_month();
  TrustMonth m;
  for (std::size_t g = 0; g < staff_group_count; ++g) m.staff[g] = staffing_.level(static_cast<StaffGroup>(g));
  m.beds_physical = setup_->wards.beds;
  m.agency_factor = levers_.agency_factor;
  sim_.run_until(month_end, *this);
  m.ed = ed_.close_month(month_end);
  m.wards = wards_.close_month(month_end);
  m.electives = electives_.close_month(month_end);
  m.cancer = cancer_.close_month(month_end);
  if constexpr (sim::invariants_checked) check_month(m, month_end);
  return m;
}

void Trust::check_month(const TrustMonth& m, sim::Time month_end) {
  const auto arrived = static_cast<std::int64_t>(ed_.arrivals() - ed_arrivals_counted_);
  ed_arrivals_counted_ = ed_.arrivals();
  ed_patients_.close_month(arrived + m.ed.readmissions, m.ed.attendances,
                           m.ed.present_at_end + m.ed.awaiting_handover_at_end, month_end);
  rtt_pathways_.close_month(m.electives.clock_starts, m.electives.treated + m.electives.left_untreated,
                            m.electives.list.waiting, month_end);
  cancer_patients_.close_month(m.cancer.referrals, m.cancer.ruled_out + m.cancer.treated, m.cancer.on_pathway,
                               month_end);
  check_beds(m.wards.occupied_at_end, static_cast<std::int64_t>(wards_.stays()), wards_.most_beds_open(), month_end);
}

void Trust::staff_month() {
  // The calendar month, asked once here: the seasonal profiles of every department follow it.
  const int month_of_year = calendar_->month_of_year(sim_.now());
  staffing_.set_establishment_cuts(levers_.establishment_cut_wte);
  staffing_.start_month(calendar_->month_index(sim_.now()), month_of_year, levers_.agency_factor,
                        levers_.recruitment_frozen, levers_.agency_banned, levers_.recruitment_factor);
  ed_.set_month_of_year(month_of_year);
  wards_.set_month_of_year(month_of_year);
  ed_.set_treatment_scale(1.0 / levers_.productivity_factor);
  ed_.set_staff_factor(staffing_.relative_to_baseline(StaffGroup::ed_clinicians), sim_);
  electives_.set_theatre_factor(staffing_.relative_to_baseline(StaffGroup::theatre_teams) * levers_.theatre_factor *
                                levers_.productivity_factor);
  electives_.set_referral_share(levers_.referral_share);
  const int open = staffing_.open_beds(setup_->wards.beds);
  wards_.set_open_beds(
      (levers_.open_bed_factor == 1.0 ? open : static_cast<int>(std::floor(open * levers_.open_bed_factor))) +
          levers_.capital_beds,
      sim_.now());
  admit_waiting();  // beds opened this month go to those already waiting
}

void Trust::on_event(const TrustEvent& e, TrustSimulator& sim) {
  switch (e.kind) {
    case TrustEventKind::ed_arrival:
    case TrustEventKind::ed_roster_change:
    case TrustEventKind::ed_readmission:
      ed_.on_event(e, sim);
      break;
    case TrustEventKind::ed_treatment_end:
      // Exit block: an admitted patient stays in A&E until a bed is free.
      if (ed_.finish_treatment(e.id, sim)) {
        wards_.request_emergency(e.id, ed_.chased_for_bed(e.id, sim.now()), sim);
        admit_waiting();
      }
      break;
    case TrustEventKind::bed_discharge:
      wards_.discharge(sim);
      admit_waiting();
      break;
    case TrustEventKind::theatre_day:
      run_theatre_day();
      break;
    case TrustEventKind::cancer_referral:
    case TrustEventKind::diagnostic_day:
    case TrustEventKind::cancer_decision:
    case TrustEventKind::cancer_treatment:
      cancer_.on_event(e, sim);
      break;
    case TrustEventKind::rtt_referral:
    case TrustEventKind::clinic_day:
      electives_.on_event(e, sim);
      break;
  }
}

void Trust::run_theatre_day() {
  // Cancer surgery goes first on the day's lists; routine electives get the slots left.
  const int slots = electives_.theatre_slots_today(sim_.now());
  int used = 0;
  std::uint32_t patient;
  while (used < slots && cancer_.take_surgical_patient(sim_.now(), patient)) {
    ++used;
    if (wards_.admit_elective(cancer_.bed_patient_id(patient), sim_, Wards::Planned::cancer_surgery))
      cancer_.surgery_done(patient, sim_.now());
    else cancer_.surgery_cancelled(patient);
  }
  electives_.run_theatre_day(slots - used, wards_, sim_);
}

void Trust::admit_waiting() {
  std::uint32_t ed_slot;
  while (wards_.next_emergency(ed_slot, sim_.now())) wards_.admit_emergency(ed_.depart_admitted(ed_slot, sim_), sim_);
}

}  // namespace breachsim::models
