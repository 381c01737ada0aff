// SPDX-License-Identifier: MIT
#pragma once
#include <cstdint>
#include <limits>
#include <vector>

#include "models/care/performance.hpp"
#include "models/care/seasons.hpp"
#include "models/care/events.hpp"
#include "sim/config.hpp"
#include "sim/resource.hpp"

// General and acute wards: one pool of beds shared by emergency and elective admissions.
// Emergency patients wait for a bed (in A&E, which is exit block); the wards decide who gets a
// free bed, how long each stay lasts and when in the day it may end: inpatients leave in a
// daytime discharge window, so beds run out overnight while emergency admissions keep coming
// (docs/sources.md §8).
namespace breachsim::models {

struct BedParams {
  double general_acute_beds = 740.0;
  double emergency_zero_day_share = 0.33;
  sim::config::DistributionSpec zero_day_stay_hours = {sim::Distribution::Kind::histogram, 0, 0, 0, {}, {1.0}, {2.0, 12.0}};
  sim::config::DistributionSpec emergency_stay_days = {sim::Distribution::Kind::lognormal, 0.0, 11.5, 14.0, {}, {}, {}};
  std::vector<double> emergency_stay_by_month = {1.03, 1.03, 1.02, 1.00, 0.99, 0.98,
                                                 0.98, 0.98, 0.99, 1.00, 1.00, 1.02};
  double delayed_transfer_share = 0.05;
  std::vector<double> delayed_transfer_share_by_month = {1.03, 1.02, 1.01, 1.00, 0.99, 0.98,
                                                         0.98, 0.98, 0.99, 1.00, 1.01, 1.01};
  sim::config::DistributionSpec delayed_transfer_days = {sim::Distribution::Kind::lognormal, 0.0, 10.0, 10.0, {}, {}, {}};
  std::vector<double> infection_closed_share_by_month = {0.006, 0.006, 0.005, 0.004, 0.002, 0.001,
                                                         0.0005, 0.0002, 0.0005, 0.001, 0.003, 0.005};
  double emergency_stay_by_month_amplitude = 1.0;
  double delayed_transfer_share_by_month_amplitude = 1.0;
  double infection_closed_share_by_month_scale = 1.0;
  double elective_day_case_share = 0.7;
  sim::config::DistributionSpec elective_stay_days = {sim::Distribution::Kind::lognormal, 0.0, 5.0, 5.0, {}, {}, {}};
  double cancer_surgery_day_case_share = 0.1;
  sim::config::DistributionSpec cancer_surgery_stay_days = {sim::Distribution::Kind::lognormal, 0.0, 7.0, 6.0, {}, {}, {}};
  double early_discharge_hours = 24.0;
  double discharge_window_opens_hour = 8.0;
  double discharge_window_closes_hour = 20.0;
  double out_of_hours_discharge_share = 0.1;
  double held_discharge_spread_hours = 0.0;
  double early_discharge_daily_limit_share = 0.02;
  double readmission_share_after_emergency = 0.08;
  double readmission_share_after_elective = 0.03;
  double early_discharge_readmission_factor = 1.5;
  sim::config::DistributionSpec readmission_days = {sim::Distribution::Kind::histogram, 0, 0, 0, {},
                                                    {40, 25, 20, 15}, {0, 7, 14, 21, 30}};
  double mixed_sex_share_at_last_bed = 0.1;
  double mixed_sex_nights = 1.0;

  template <class V>
  void describe(V& v) {
    using sim::config::Doc;
    using sim::config::Range;
    v.field("general_acute_beds", general_acute_beds,
            Doc{"beds", "General and acute beds open (whole number). At most a million, about ten times England's general and acute beds (about 100,000, docs/sources.md §8): a bound on mistakes, not an estimate.",
                "assumption: with the default emergency, elective and readmission demand of a 110k-attendance trust, about 90% occupancy, within the 88-94% England range (docs/sources.md §8)",
                Range::between(1.0, 1e6)});
    v.field("emergency_zero_day_share", emergency_zero_day_share,
            Doc{"share of emergency admissions", "Emergency stays that end the same day (length from zero_day_stay_hours).",
                "docs/sources.md §8: about a third of emergency stays are zero-day", Range::fraction()});
    v.field("zero_day_stay_hours", zero_day_stay_hours,
            Doc{"hours", "Length of a zero-day stay.", "assumption: uniform over 2-12 hours", Range::positive()});
    v.field("emergency_stay_days", emergency_stay_days,
            Doc{"days", "Length of the other emergency stays, before any delayed transfer.",
                "docs/sources.md §8: emergency mean 7.9 days (2019) with a heavy tail; 11.5 days over the two thirds that are not zero-day gives 7.8 overall; sd an assumption",
                Range::positive()});
    v.field("emergency_stay_by_month", emergency_stay_by_month,
            Doc{"relative", "Multiplies emergency_stay_days by the calendar month of admission, January first; scaled to a mean of 1. Winter brings a larger share of older patients with long stays.",
                "docs/sources.md §8 (Seasons): a higher proportion of patients with longer stays in winter; sizes an assumption, chosen so occupancy on the England calibration rises by about 4 points from July-September to January-March (Q3 and Q4 of 2015/16: 89.1% and 91.0%)",
                Range::non_negative(), {12}});
    v.field("emergency_stay_by_month_amplitude", emergency_stay_by_month_amplitude,
            Doc{"multiplier", "How deep this profile's winter is: each month's departure from the year's mean is multiplied by this (0: flat, every month the mean; 2: twice the departure; a month taken below zero is zero). One number a sensitivity study can vary; at most 10, a bound on mistakes.",
                "assumption: 1 is the calibrated winter (occupancy up about 4 points from July-September to January-March); a study might take 0.5-1.5",
                Range::between(0.0, 10.0)});
    v.field("delayed_transfer_share", delayed_transfer_share,
            Doc{"share of stays", "Stays (not zero-day) extended because the medically fit patient waits for social care.",
                "assumption", Range::fraction()});
    v.field("delayed_transfer_share_by_month", delayed_transfer_share_by_month,
            Doc{"relative", "Multiplies delayed_transfer_share by the calendar month of admission, January first; scaled to a mean of 1 (a share above 1 counts as 1).",
                "docs/sources.md §8 (Seasons): delayed days peaked in January 2015, about 3% a day above the trend between the Septembers either side; the shape of the other months an assumption",
                Range::non_negative(), {12}});
    v.field("delayed_transfer_share_by_month_amplitude", delayed_transfer_share_by_month_amplitude,
            Doc{"multiplier", "How deep this profile's winter is: each month's departure from the year's mean is multiplied by this (0: flat, every month the mean; 2: twice the departure; a month taken below zero is zero). One number a sensitivity study can vary; at most 10, a bound on mistakes.",
                "docs/sources.md §8 (Seasons): January 2015 about 3% a day above trend, the shipped profile's peak (1); winters with more delayed days (nearly 4,000 beds a day in 2014/15) argue for up to 2",
                Range::between(0.0, 10.0)});
    v.field("delayed_transfer_days", delayed_transfer_days,
            Doc{"days", "Extra days of a delayed transfer of care.", "assumption", Range::positive()});
    v.field("infection_closed_share_by_month", infection_closed_share_by_month,
            Doc{"share of open beds", "Beds closed to infection (norovirus, diarrhoea and vomiting) through each calendar month, January first: that share of the beds open is closed to new patients for the month (rounded to whole beds; patients already in them stay).",
                "docs/sources.md §8 (Seasons): 560-820 of England's ~100,000 general and acute beds closed a day through recent winters (0.5-0.8%), peaks of 1,200-1,800; the months shaped by the hospital outbreaks of 2016, almost none in summer",
                Range::fraction(), {12}});
    v.field("infection_closed_share_by_month_scale", infection_closed_share_by_month_scale,
            Doc{"multiplier", "Multiplies every month of infection_closed_share_by_month (a share above 1 counts as 1): how bad the norovirus winter is. At most 10, a bound on mistakes.",
                "docs/sources.md §8 (Seasons): the shipped profile's 0.6% in January is about 600 of England's ~100,000 beds; 559 a day in the mild winter of 2015 (0.93), 817 in 2017/18 (1.36), worst days 1,200-1,800 (2-3)",
                Range::between(0.0, 10.0)});
    v.field("elective_day_case_share", elective_day_case_share,
            Doc{"share of elective admissions", "Day cases: a bed for a zero-day stay (length from zero_day_stay_hours).",
                "assumption: most planned procedures are day cases (reference costs price day cases apart, docs/sources.md §4)",
                Range::fraction()});
    v.field("elective_stay_days", elective_stay_days,
            Doc{"days", "Length of an elective inpatient stay (not a day case).",
                "docs/sources.md §8: elective stays about 5 days; sd an assumption", Range::positive()});
    v.field("cancer_surgery_day_case_share", cancer_surgery_day_case_share,
            Doc{"share of cancer operations", "Cancer operations done as day cases (most resections need inpatient stays).",
                "assumption", Range::fraction()});
    v.field("cancer_surgery_stay_days", cancer_surgery_stay_days,
            Doc{"days", "Length of an inpatient stay after cancer surgery.", "assumption: longer than routine elective stays (5 days, docs/sources.md §8)",
                Range::positive()});
    v.field("early_discharge_hours", early_discharge_hours,
            Doc{"hours", "Under bed pressure (an emergency patient waiting for a bed), the inpatient due to leave soonest is discharged at once if due within this many hours; 0 never discharges early.",
                "assumption", Range::non_negative()});
    v.field("discharge_window_opens_hour", discharge_window_opens_hour,
            Doc{"hour of the day", "Inpatients leave the wards between this hour and discharge_window_closes_hour, after the ward round has reviewed them: a stay (not zero-day, not a day case) planned to end outside the window ends at its next opening, unless it is one of the out_of_hours_discharge_share that leave on time; early discharges happen only inside the window. 0 with a closing hour of 24 discharges at any hour (the model before exit block).",
                "docs/sources.md §8 (Exit block): discharges come after the morning ward round and peak in the early afternoon; 08:00 an assumption",
                Range::between(0.0, 24.0)});
    v.field("discharge_window_closes_hour", discharge_window_closes_hour,
            Doc{"hour of the day", "End of the discharge window (exclusive); must be later than discharge_window_opens_hour.",
                "docs/sources.md §8 (Exit block): few patients go home in the late evening or at night; 20:00 an assumption",
                Range::between(0.0, 24.0)});
    v.field("out_of_hours_discharge_share", out_of_hours_discharge_share,
            Doc{"share of stays", "Of the stays planned to end outside the discharge window, those that end on time anyway (deaths, patients who discharge themselves, transfers, wards that discharge at night); the rest wait for the window to open. Zero-day stays and day cases always end on time.",
                "docs/sources.md §8 (Exit block): 3.5% of discharges between 23:00 and 06:00 (FOI of 100 trusts, 2011/12, deaths and self-discharges included), against about 29% of stays planned to end in those 7 hours if ends were spread evenly: about 0.12; 0.1 rounds down for the assessment-unit and maternity discharges in that count",
                Range::fraction()});
    v.field("held_discharge_spread_hours", held_discharge_spread_hours,
            Doc{"hours", "A stay held for the window ends at a time drawn uniformly over this many hours from its opening (the patient's own draw), as the ward round, medicines to take home and transport take the morning; 0 ends every held stay at the opening, before the day's theatre lists (08:00) look for beds.",
                "assumption: 0, because a planned patient here takes a bed on arrival at 08:00, not after theatre, so a spread makes the morning's held beds cancel operations: with 4 hours the England 2015/16 calibration cancelled 2.5 times as many and its RTT share fell from 91% to 82%. The SAFER bundle's third of discharges before midday (docs/sources.md §8, Exit block) argues for a spread once planned admissions take their beds after theatre",
                Range::between(0.0, 24.0)});
    v.field("early_discharge_daily_limit_share", early_discharge_daily_limit_share,
            Doc{"share of open beds per day", "Most early discharges in a day, as a share of the beds open: bringing a discharge forward needs a senior review, pharmacy and transport, which a day's staff can do for only so many patients. 0 sets no limit.",
                "assumption: chosen so that 12-hour trolley waits on the England 2015/16 calibration are in the hundreds to low thousands a year (docs/sources.md §8, Exit block)",
                Range::non_negative()});
    v.field("readmission_share_after_emergency", readmission_share_after_emergency,
            Doc{"share of discharges", "Emergency stays followed by an emergency readmission within 30 days (through A&E).",
                "assumption; docs/sources.md §4 for why readmissions matter to income", Range::fraction()});
    v.field("readmission_share_after_elective", readmission_share_after_elective,
            Doc{"share of discharges", "Elective stays followed by an emergency readmission within 30 days (unpaid from April 2011, docs/sources.md §4).",
                "assumption", Range::fraction()});
    v.field("early_discharge_readmission_factor", early_discharge_readmission_factor,
            Doc{"multiplier", "Readmission share multiplier for patients discharged early under bed pressure (capped at a share of 1).",
                "assumption", Range::at_least(0.0)});
    v.field("readmission_days", readmission_days,
            Doc{"days", "Discharge to readmission, for those readmitted; values beyond 30 days are not 30-day readmissions and should not be given.",
                "assumption: most readmissions come in the first weeks", Range::non_negative()});
    v.field("mixed_sex_share_at_last_bed", mixed_sex_share_at_last_bed,
            Doc{"probability", "Chance that an emergency patient who takes the last free bed is placed in a bay with patients of the other sex (a mixed-sex accommodation breach); with a bed to spare staff find a same-sex bed.",
                "assumption: chosen for a few breaches a month in a trust running at about 90% occupancy; docs/sources.md §3 gives only the fine (£250 per patient-day)", Range::fraction()});
    v.field("mixed_sex_nights", mixed_sex_nights,
            Doc{"patient-days", "Patient-days each mixed-sex placement lasts before the patient is moved (the count the fine is charged on).",
                "assumption: moved the next day", Range::non_negative()});
  }
};

// Derived once per scenario and shared by replications.
struct WardSetup {
  // Stays beyond `trim_point_days` earn excess bed days (a payment rule, counted here).
  WardSetup(const BedParams& p, double trim_point_days);
  int beds;
  double zero_day_share;
  sim::Distribution zero_day_hours, emergency_days, delay_days;
  MonthProfile emergency_days_by_month;  // relative, mean 1
  MonthProfile delay_share_by_month;     // the share itself in each month, at most 1
  MonthProfile infection_closed_share;
  double day_case_share;
  sim::Distribution elective_days;
  double cancer_day_case_share;
  sim::Distribution cancer_days;
  double early_discharge_minutes;
  // The discharge window in minutes after midnight; `window_limited` is false when it is the
  // whole day, which leaves the model as it was before exit block, draw for draw.
  double window_opens, window_closes;
  bool window_limited;
  bool early_rationed;  // early discharges limited by the window or a daily limit
  double out_of_hours_share;
  double held_spread;  // minutes
  double early_daily_limit_share;  // 0: no limit
  double readmission_after_emergency, readmission_after_elective, early_factor;
  sim::Distribution readmission_days;
  double trim_minutes;
  double mixed_sex_share, mixed_sex_nights;
};

struct WardMonth {
  double occupied_bed_minutes = 0.0;
  double open_bed_minutes = 0.0;
  std::int64_t discharges = 0;
  std::int64_t early_discharges = 0;  // discharged before time to make room for an emergency
  std::int64_t held_discharges = 0;   // stays planned to end outside the discharge window, held to its opening
  std::int64_t elective_day_cases = 0;   // planned admissions (routine and cancer surgery) as day cases
  std::int64_t elective_inpatients = 0;  // planned admissions with an overnight stay
  double excess_bed_days = 0.0;          // days beyond the trim point of stays that ended in the month
  std::int64_t last_bed_admissions = 0;  // emergency admissions that took the last free bed
  double mixed_sex_days = 0.0;           // patient-days in mixed-sex accommodation (breaches)
  double infection_closed_bed_minutes = 0.0;  // beds closed to infection, integrated over the month
  std::int64_t occupied_at_end = 0;      // inpatients in a bed at the month end
  // Stays that ended in the month after a delayed transfer of care, and the bed days the
  // delays took (the part actually spent: an early discharge cuts the delay first).
  std::int64_t delayed_transfers = 0;
  double delayed_transfer_days = 0.0;

  // The wards' part of the month's performance record.
  void add_to(BreachCounts& c) const { c.mixed_sex_accommodation_days = mixed_sex_days; }
};

// A readmission scheduled at a discharge travels in the event id: the readmission's number
// in the low 31 bits, and whether it follows elective care in the top bit.
inline constexpr std::uint32_t readmission_after_elective_bit = 1u << 31;

class Wards {
 public:
  Wards(const WardSetup& setup, const sim::StreamKey& key);

  // An emergency patient (A&E slot `ed_slot`) joins the queue for a bed, first come first
  // served (those `ahead` first: target chasing) and ahead of any elective admission. Under
  // pressure, inside the discharge window and the day's limit, the inpatient due out soonest
  // may be discharged early to make room. The caller then admits with next_emergency().
  void request_emergency(std::uint32_t ed_slot, bool ahead, TrustSimulator& sim);
  // The next waiting emergency patient to take a free bed, if any.
  bool next_emergency(std::uint32_t& ed_slot, sim::Time now);
  // Starts the stay of an admitted emergency patient (A&E patient number `patient`) and
  // schedules the discharge.
  void admit_emergency(std::uint64_t patient, TrustSimulator& sim);
  // A planned admission on the day (`patient` numbers the stay's draws): takes a bed only if
  // one is free and no emergency patient is waiting for it; returns false when the operation
  // must be cancelled for want of a bed. Cancer surgery has its own stay lengths.
  enum class Planned : std::uint8_t { routine, cancer_surgery };
  // `day_case`, when given, is set to whether the admission is a day case.
  bool admit_elective(std::uint64_t patient, TrustSimulator& sim, Planned kind = Planned::routine,
                      bool* day_case = nullptr);
  // Called for every bed_discharge event: the stay due out now ends, freeing its bed, and
  // may schedule a readmission; after the instant's last one, inside the window, early
  // discharges for those still waiting (the morning after a night of exit block).
  void discharge(TrustSimulator& sim);

  // Called at each month start with its calendar month (1-12), before set_open_beds: stays
  // that start from now on have that month's lengths and delays.
  void set_month_of_year(int month_of_year) { month_of_year_ = month_of_year; }
  // Beds the staff can keep open this month, less the month's share closed to infection (no
  // patient is moved out when it falls).
  void set_open_beds(int beds, sim::Time now);
  WardMonth close_month(sim::Time month_end);
  int occupied() const { return beds_.busy(); }
  std::size_t waiting() const { return beds_.waiting(); }
  std::size_t stays() const { return due_.size(); }  // inpatient stays under way
  int most_beds_open() const { return most_open_; }   // the most open at once, over the run

 private:
  struct Stay {
    sim::Time due;  // planned discharge
    sim::Time admitted;
    std::uint64_t patient;
    bool elective;
    float delay_days;  // of the stay, a delayed transfer of care after the patient was fit to leave (fits the padding)
    float held_minutes;  // past the planned end, waiting for the discharge window to open
    bool operator>(const Stay& o) const {
      return due > o.due || (due == o.due && (patient > o.patient || (patient == o.patient && elective > o.elective)));
    }
  };

  void account(sim::Time now);
  // `windowed`: the stay keeps to the discharge window (not a zero-day stay or a day case).
  void start_stay(std::uint64_t patient, double minutes, bool elective, bool windowed, TrustSimulator& sim,
                  double delay_days = 0.0);
  // When a stay planned to end at `due` ends: at the next window opening if `due` falls
  // outside the window, unless the patient is one of those who leave out of hours anyway.
  sim::Time discharge_time(sim::Time due, std::uint64_t patient, bool elective) const;
  bool in_window(sim::Time t) const;
  sim::Time next_opening(sim::Time t) const;  // the first window opening after t
  // Asks for a bed_discharge event at the next window opening, when the ward round will look
  // again at those waiting; returns false (no early discharge now).
  bool wake_at_opening(TrustSimulator& sim);
  // Ends the stay due out soonest (the head of due_).
  void end_first_stay(bool early, TrustSimulator& sim);
  bool discharge_early(TrustSimulator& sim);
  // After the last discharge of an instant inside the window: early discharges for the
  // emergency patients still waiting (those who came when none could be made).
  void catch_up_early_discharges(TrustSimulator& sim);
  void schedule_next_discharge(TrustSimulator& sim);

  const WardSetup* setup_;
  sim::StreamKey key_;
  sim::ServerPool beds_;
  // Inpatients, a min-heap by planned discharge. Only its head has an event in the calendar,
  // which would otherwise hold one per occupied bed and be several times deeper.
  std::vector<Stay> due_;
  sim::EventHandle next_discharge_;
  sim::Time next_discharge_at_ = std::numeric_limits<double>::infinity();
  sim::Time wake_at_ = std::numeric_limits<double>::infinity();  // a window opening the wards wait for
  std::uint32_t readmissions_ = 0;
  int most_open_ = 0;
  // Early discharges made on the day starting at `early_day_` (its midnight), against the daily limit.
  sim::Time early_day_ = -1.0;
  int early_today_ = 0;
  int month_of_year_ = 1;
  int closed_ = 0;  // beds closed to infection this month
  sim::Time last_change_ = 0.0;
  WardMonth month_;
};

}  // namespace breachsim::models
