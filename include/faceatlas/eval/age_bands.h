// The 8 Adience age groups (Levi & Hassner 2015) and age-estimation scores built on them.
//
// Bands (years, inclusive): 0-2, 4-6, 8-13, 15-20, 25-32, 38-43, 48-53, 60+.
// Adience leaves gaps between the groups (3, 7, 14, 21-24, ...), so an age is assigned to the
// NEAREST band: distance(age, [lo, hi]) = max(lo - age, 0, age - hi) (0 inside the band;
// 60+ is [60, inf)), the band with the smallest distance wins and a tie goes to the LOWER band.
// Examples: 3 -> 0-2 (1 year to both 0-2 and 4-6), 2.6 -> 0-2, 3.5 -> 4-6, 14 -> 8-13,
// 22 -> 15-20, 23 -> 25-32, 35 -> 25-32 (3 vs 3: tie, lower), 36 -> 38-43, 56 -> 48-53,
// 57 -> 60+, -1 -> 0-2. Real-valued ages (model outputs) use the same rule.
//
//   band_accuracy(truth, predicted)    fraction whose predicted age falls in the true band
//   within_accuracy(truth, pred, tol)  fraction with |predicted - truth| <= tol (default 5)
// Requires equal, non-empty sizes and finite ages (else faceatlas::Error).
#pragma once

#include <array>
#include <string>
#include <vector>

namespace faceatlas::eval {

struct AgeBand {
    double lo;
    double hi;  // +inf for the open last band
};

inline constexpr int kAdienceBandCount = 8;

const std::array<AgeBand, kAdienceBandCount>& adience_bands();
// Band index 0..7 of an age; NaN/inf ages are faceatlas::Error.
int adience_band(double age);
// "0-2", "4-6", ..., "60+".
std::string adience_band_name(int band);

double band_accuracy(const std::vector<double>& truth, const std::vector<double>& predicted);
double within_accuracy(const std::vector<double>& truth, const std::vector<double>& predicted,
                       double tolerance = 5.0);

}  // namespace faceatlas::eval
