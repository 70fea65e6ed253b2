// Library code never prints: it reports through a sink the caller supplies.
#pragma once

#include <functional>
#include <string_view>

namespace faceatlas {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// A sink is a cheap value; the default one drops everything.
struct LogSink {
    std::function<void(LogLevel, std::string_view)> fn;
    void operator()(LogLevel level, std::string_view msg) const {
        if (fn) fn(level, msg);
    }
};

// Progress and cancellation: return false from the callback to cancel.
using ProgressFn = std::function<bool(std::size_t done, std::size_t total)>;

}  // namespace faceatlas
