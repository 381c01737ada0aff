// SPDX-License-Identifier: MIT
#pragma once
#include "models/care/cancer.hpp"
#include "models/care/conservation.hpp"
#include "models/care/ed.hpp"
#include "models/care/electives.hpp"
#include "models/care/staffing.hpp"
#include "models/care/wards.hpp"

namespace breachsim::models {

// What a trust needs at run time, derived once per scenario and shared by replications.
struct TrustSetup {
  EdSetup ed;
  WardSetup wards;
  ElectiveSetup electives;
  StaffingParams staffing;
  CancerSetup cancer;
};

// What management and commissioners decide for a trust's coming months; the neutral value
// (1, off) leaves the trust as configured.
struct Levers {
  double agency_factor = 1.0;      // multiplies every group's agency share of the gap (at most all of it)
  std::array<bool, staff_group_count> agency_banned{};  // the regulator's bans: no agency cover for the group
  bool recruitment_frozen = false;
  double open_bed_factor = 1.0;    // multiplies the beds the nurses can open (< 1: escalation beds closed)
  double theatre_factor = 1.0;     // multiplies elective theatre sessions (< 1: cancelled, > 1: extra)
  double referral_share = 1.0;     // share of elective referrals the commissioner lets through
  double productivity_factor = 1.0;  // A&E treatment times are divided, theatre lists multiplied by it
  double recruitment_factor = 1.0;   // multiplies every group's recruitment
  int capital_beds = 0;              // beds opened with capital, staffed on top of those the nurses open
  // Posts cost improvement took out of each group's establishment (Staffing::set_establishment_cuts).
  std::array<double, staff_group_count> establishment_cut_wte{};
};

struct TrustMonth {
  EdMonth ed;
  WardMonth wards;
  ElectiveMonth electives;
  CancerMonth cancer;
  StaffLevel staff[staff_group_count];  // as the month started
  double agency_factor = 1.0;            // the agency lever in force this month (Levers::agency_factor)
  int beds_physical = 0;

  // The month's breach counts, from each department in turn (a new department adds its own).
  void add_to(BreachCounts& c) const {
    ed.add_to(c);
    wards.add_to(c);
    electives.add_to(c);
    cancer.add_to(c);
  }
};

// One trust in one replication: a logical process with its own clock and event calendar,
// which no other trust touches between month ends, so trusts can advance in parallel. The
// trust routes events to its departments and carries patients between them.
class Trust {
 public:
  Trust(const TrustSetup& setup, const sim::Calendar& calendar, const sim::StreamKey& key);

  // Staffs the month (leavers, recruits, agency: the capacity they open), runs every event
  // before `month_end` and returns the month's counts. Months must be run in order.
  TrustMonth run_month(sim::Time month_end);

  // Takes effect from the next run_month.
  void set_levers(const Levers& levers) { levers_ = levers; }
  const Levers& levers() const { return levers_; }

  // The engine's model callback (see sim::Simulator).
  void on_event(const TrustEvent& e, TrustSimulator& sim);

  std::uint64_t events() const { return sim_.events_processed(); }
  const EmergencyDepartment& ed() const { return ed_; }
  const Wards& wards() const { return wards_; }
  const Electives& electives() const { return electives_; }
  const Staffing& staffing() const { return staffing_; }
  const CancerPathway& cancer() const { return cancer_; }

 private:
  // Hands every free bed to the emergency patients waiting in A&E, in queue order.
  void admit_waiting();

  void staff_month();
  void run_theatre_day();
  // Patients conserved in every stream and beds within range at the month end; called only in
  // builds that check invariants (sim/invariant.hpp).
  void check_month(const TrustMonth& m, sim::Time month_end);

  const TrustSetup* setup_;
  const sim::Calendar* calendar_;
  TrustSimulator sim_;
  Staffing staffing_;
  EmergencyDepartment ed_;
  Wards wards_;
  Electives electives_;
  CancerPathway cancer_;
  Levers levers_;
  PatientStream ed_patients_{"A&E", "arrivals and readmissions", "left the department"};
  PatientStream rtt_pathways_{"the RTT pathways", "the initial list and clock starts", "treated or left the list"};
  PatientStream cancer_patients_{"the cancer pathway", "urgent referrals", "ruled out or treated"};
  std::uint64_t ed_arrivals_counted_ = 0;  // of ed_.arrivals(), those already in ed_patients_
};

}  // namespace breachsim::models
