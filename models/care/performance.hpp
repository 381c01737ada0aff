// SPDX-License-Identifier: MIT
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

// One performance record per trust-month: the breach counts every department contributes and
// the share within each access standard over the month, the quarter to date and the financial
// year to date. Built once at the month end (PerformanceLedger::measure); fines, CQUIN, the
// incentive fund, the league table, capital rewards and management all read it, so no stage
// recomputes a share (docs/architecture.md).
namespace breachsim::models {

struct TrustMonth;

// The counts of one trust-month that the standards and fines are measured on (whole numbers
// held as double). Each department adds its own (its Month struct's add_to).
struct BreachCounts {
  double ed_attendances = 0, ed_breaches_4h = 0, ed_trolley_waits_12h = 0;
  double emergency_admissions = 0;                                      // the base of 12-hour waits
  double ambulance_handovers_30_60min = 0, ambulance_handovers_over_60min = 0;
  double rtt_waiting = 0, rtt_over_18w = 0, rtt_over_52w = 0;          // month-end snapshot
  double rtt_admitted_treated = 0, rtt_admitted_treated_over_18w = 0;   // clocks stopped in the month
  double rtt_non_admitted_treated = 0, rtt_non_admitted_treated_over_18w = 0;
  double cancer_treated = 0, cancer_breaches_62d = 0;
  double urgent_operations_cancelled_twice = 0;
  double mixed_sex_accommodation_days = 0;
};

// The access standards a share within is measured for.
enum class Standard : std::uint8_t {
  ed_4h,       // attendances that left A&E within 4 hours
  ed_12h,      // emergency admissions without a 12-hour trolley wait
  rtt_18w,     // the month-end waiting list within 18 weeks (a snapshot)
  cancer_62d,  // cancer patients treated within 62 days of referral
};
inline constexpr std::size_t standard_count = 4;

enum class Period : std::uint8_t { month, quarter, year };  // to date, in financial quarters and years

// Patients counted for a standard, and of them those who breached it.
struct Tally {
  double total = 0, breaches = 0;
  // One division, so that exactly 95% compares equal to 0.95; 1 when nobody was counted.
  double within() const { return total > 0.0 ? 1.0 - breaches / total : 1.0; }
  double per_1000() const { return total > 0.0 ? 1000.0 * breaches / total : 0.0; }
};

struct PerformanceRecord {
  BreachCounts counts;  // the month's
  std::array<std::array<Tally, standard_count>, 3> tallies{};  // [period][standard]

  const Tally& tally(Standard s, Period p) const {
    return tallies[static_cast<std::size_t>(p)][static_cast<std::size_t>(s)];
  }
  double within(Standard s, Period p) const { return tally(s, p).within(); }
};

// The month's counts of a trust, from each of its departments.
BreachCounts count_breaches(const TrustMonth& tm);

// Every trust's running quarter and year, in one replication.
class PerformanceLedger {
 public:
  explicit PerformanceLedger(std::size_t trusts) : records_(trusts) {}

  // Called once per reported month, months in order: `new_quarter` and `new_year` say the
  // month opens a financial quarter or year (the run's first month opens both). The waiting
  // list is judged at the month end, so its quarter and year values are the month's snapshot.
  const PerformanceRecord& measure(std::size_t trust, const TrustMonth& tm, bool new_quarter, bool new_year);
  const PerformanceRecord& operator[](std::size_t trust) const { return records_[trust]; }
  std::size_t size() const { return records_.size(); }

 private:
  std::vector<PerformanceRecord> records_;
};

}  // namespace breachsim::models
