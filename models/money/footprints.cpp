// SPDX-License-Identifier: MIT
#include "models/money/footprints.hpp"

namespace breachsim::models {

FootprintToDate footprint_to_date(const Footprint& f, const FootprintMembersToDate& m) {
  FootprintToDate out;
  for (std::size_t t : f.trusts) {
    out.outturn += m.trust_surplus.at(t);
    out.plan += m.trust_control_total.at(t);
  }
  // A commissioner that spends less than its allocation adds the rest to the footprint's
  // balance; one that overspends takes it away, whichever of its trusts the money went to.
  for (std::size_t c : f.commissioners) {
    out.outturn += m.commissioner_allocation.at(c) - m.commissioner_spend.at(c);
    out.plan += m.commissioner_planned_surplus.at(c);
  }
  return out;
}

}  // namespace breachsim::models
