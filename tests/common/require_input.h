// Inputs a test needs from outside the source tree: ../shared/data (labelled dev data),
// models/vendor (scripts/fetch_models.sh) and the parity references (tests/parity/README.md).
//
//     if (!fs::exists(dir / "labels.csv")) FACEATLAS_MISSING_INPUT() << "no faces-dev at " << dir;
//
// is GTEST_SKIP() on a developer machine and a fatal failure when the environment variable CI
// is "true" or "1" (what CI services set), so a CI run cannot pass by skipping every test that
// needs data. Like GTEST_SKIP() it returns from the function (a test body or SetUp()).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace faceatlas::testing {

inline bool under_ci() {
    const char* v = std::getenv("CI");
    return v != nullptr && (std::string(v) == "true" || std::string(v) == "1");
}

// Where the tests read the labelled data and the models: FACEATLAS_TEST_SHARED_DATA /
// FACEATLAS_TEST_MODEL_DIR when set (e.g. to check that a missing input fails under CI),
// else the paths CMake baked in (FACEATLAS_SHARED_DATA, FACEATLAS_MODEL_DIR).
inline std::string shared_data_dir() {
    const char* v = std::getenv("FACEATLAS_TEST_SHARED_DATA");
    return v != nullptr && *v != '\0' ? v : FACEATLAS_SHARED_DATA;
}
inline std::string model_dir() {
    const char* v = std::getenv("FACEATLAS_TEST_MODEL_DIR");
    return v != nullptr && *v != '\0' ? v : FACEATLAS_MODEL_DIR;
}

}  // namespace faceatlas::testing

// GTEST_SKIP() / GTEST_FAIL() chosen at run time; both are this gtest statement with another
// result type.
#define FACEATLAS_MISSING_INPUT()                                                          \
    return ::testing::internal::AssertHelper(                                              \
               ::faceatlas::testing::under_ci() ? ::testing::TestPartResult::kFatalFailure \
                                                : ::testing::TestPartResult::kSkip,        \
               __FILE__, __LINE__,                                                         \
               ::faceatlas::testing::under_ci()                                            \
                   ? "a test input is missing and CI=true (missing inputs fail under CI)"  \
                   : "a test input is missing (skipped; under CI=true this fails)") =      \
               ::testing::Message()
