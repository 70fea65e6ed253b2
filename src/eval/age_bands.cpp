#include "faceatlas/eval/age_bands.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "faceatlas/core/error.h"

namespace faceatlas::eval {
namespace {

void check(const std::vector<double>& truth, const std::vector<double>& predicted,
           const char* what) {
    if (truth.size() != predicted.size() || truth.empty()) {
        throw Error(ErrorCode::kInvalidArgument,
                    std::to_string(truth.size()) + " true ages and " +
                        std::to_string(predicted.size()) + " predictions",
                    what, "pass one prediction per face, at least one face");
    }
}

}  // namespace

const std::array<AgeBand, kAdienceBandCount>& adience_bands() {
    static constexpr std::array<AgeBand, kAdienceBandCount> kBands = {{
        {0, 2},
        {4, 6},
        {8, 13},
        {15, 20},
        {25, 32},
        {38, 43},
        {48, 53},
        {60, std::numeric_limits<double>::infinity()},
    }};
    return kBands;
}

int adience_band(double age) {
    if (!std::isfinite(age)) {
        throw Error(ErrorCode::kInvalidArgument, "age is not finite", "adience_band",
                    "drop faces without an age estimate");
    }
    int best = 0;
    double best_d = std::numeric_limits<double>::infinity();
    const auto& bands = adience_bands();
    for (int b = 0; b < kAdienceBandCount; ++b) {
        const double d = std::max({bands[b].lo - age, 0.0, age - bands[b].hi});
        if (d < best_d) {  // strict: ties keep the lower band
            best_d = d;
            best = b;
        }
    }
    return best;
}

std::string adience_band_name(int band) {
    static const char* const kNames[kAdienceBandCount] = {"0-2",   "4-6",   "8-13",  "15-20",
                                                          "25-32", "38-43", "48-53", "60+"};
    if (band < 0 || band >= kAdienceBandCount) {
        throw Error(ErrorCode::kInvalidArgument, "band index out of range", "adience_band_name",
                    "bands are 0..7");
    }
    return kNames[band];
}

double band_accuracy(const std::vector<double>& truth, const std::vector<double>& predicted) {
    check(truth, predicted, "band_accuracy");
    std::size_t ok = 0;
    for (std::size_t i = 0; i < truth.size(); ++i) {
        ok += adience_band(truth[i]) == adience_band(predicted[i]) ? 1 : 0;
    }
    return static_cast<double>(ok) / static_cast<double>(truth.size());
}

double within_accuracy(const std::vector<double>& truth, const std::vector<double>& predicted,
                       double tolerance) {
    check(truth, predicted, "within_accuracy");
    std::size_t ok = 0;
    for (std::size_t i = 0; i < truth.size(); ++i) {
        if (!std::isfinite(truth[i]) || !std::isfinite(predicted[i])) {
            throw Error(ErrorCode::kInvalidArgument, "age is not finite", "within_accuracy",
                        "drop faces without an age estimate");
        }
        ok += std::abs(predicted[i] - truth[i]) <= tolerance ? 1 : 0;
    }
    return static_cast<double>(ok) / static_cast<double>(truth.size());
}

}  // namespace faceatlas::eval
