// The faceatlas::Error code a call throws, kInternal when it does not throw: for tests that
// assert which kind of expected failure a bad input gives.
#pragma once

#include <functional>

#include "faceatlas/core/error.h"

namespace faceatlas::testing {

inline ErrorCode code_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.code();
    }
    return ErrorCode::kInternal;  // did not throw
}

}  // namespace faceatlas::testing
