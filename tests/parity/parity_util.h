// Shared body of the face_landmark_68 / face_expression parity tests: run a net's forward_raw
// on every reference input of the tfjs harness and compare with the tfjs outputs.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "common/npy.h"

namespace faceatlas::testing {

inline const std::vector<std::string> kParityCases{"random0", "random1", "real0", "real1",
                                                   "real2",   "real3",   "batch4"};

inline std::filesystem::path parity_dir(const std::string& net) {
    return std::filesystem::path(FACEATLAS_BINARY_DIR) / "parity" / net;
}

// Max |a - b| over all values; fails the test on a shape mismatch.
inline float max_abs_error(const NpyArray& expected, const std::vector<float>& actual) {
    EXPECT_EQ(expected.size(), actual.size());
    float worst = 0.f;
    for (std::size_t i = 0; i < std::min(expected.size(), actual.size()); ++i) {
        const float e = std::fabs(expected.data[i] - actual[i]);
        worst = std::isnan(e) ? INFINITY : std::max(worst, e);
    }
    return worst;
}

}  // namespace faceatlas::testing
