// SPDX-License-Identifier: MIT
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "sim/config.hpp"

// Footprints (docs/sources.md §5): from 2016/17 England's trusts and their commissioners were
// grouped into 44 Sustainability and Transformation Plan footprints, and from 2017/18 each
// footprint had a system control total: a plan that must balance in aggregate, so one trust
// may miss its own control total while its footprint delivers, or the reverse. A footprint's
// outturn is its trusts' surplus plus its commissioners' allocation less what they spent;
// its plan is its trusts' control totals plus its commissioners' planned surpluses.
namespace breachsim::models {

struct FootprintParams {
  std::string name;
  std::vector<std::string> trusts;         // names in `trusts`
  std::vector<std::string> commissioners;  // names in `commissioners`

  template <class V>
  void describe(V& v) {
    using sim::config::Doc;
    v.field("name", name, Doc{"", "Footprint name, unique within the scenario (required).", ""});
    v.field("trusts", trusts,
            Doc{"", "Names of its trusts (at least one); a trust belongs to at most one footprint. Its control total counts towards the footprint's plan and its surplus towards the outturn.",
                "docs/sources.md §5: STP footprints grouped the trusts and commissioners of an area"});
    v.field("commissioners", commissioners,
            Doc{"", "Names of its commissioners (may be empty); each needs an allocation (allocation_gbp_per_year > 0) and belongs to at most one footprint. Its planned surplus counts towards the plan and its allocation less spending towards the outturn.",
                "docs/sources.md §5"});
  }
};

// A footprint compiled against the scenario: its members as indices.
struct Footprint {
  std::string name;
  std::vector<std::size_t> trusts, commissioners;
};

// Where one footprint stands at a month end, in the financial year to date (GBP).
struct FootprintToDate {
  double outturn = 0.0;  // its trusts' surplus plus its commissioners' allocation less spending
  double plan = 0.0;     // its trusts' control totals plus its commissioners' planned surpluses
  bool delivered() const { return outturn >= plan; }
};

// Member values of the year to date, each pro rata to the months settled where it is a plan
// or an allocation (MonthEnd::to_date), indexed as the scenario's trusts and commissioners.
struct FootprintMembersToDate {
  std::vector<double> trust_surplus, trust_control_total;
  std::vector<double> commissioner_allocation, commissioner_spend, commissioner_planned_surplus;
};

// The footprint's aggregate: plain sums over its members, so it equals the sum of the members'
// own figures (a trust's surplus as its books post it, a commissioner's spending as it pays).
FootprintToDate footprint_to_date(const Footprint& f, const FootprintMembersToDate& members);

}  // namespace breachsim::models
