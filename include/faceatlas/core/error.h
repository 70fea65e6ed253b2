// Errors for expected failures (bad input, missing model, corrupt file) are one typed
// exception, caught once at the CLI edge; internal invariants use assert.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace faceatlas {

enum class ErrorCode {
    kInvalidArgument,  // caller passed a bad value (CLI flag, option out of range)
    kNotFound,         // file, model, face or person missing
    kCorruptData,      // file exists but its contents are wrong (truncated, bad shape)
    kIo,               // read/write failed
    kUnsupported,      // valid input we cannot handle (format, version)
    kAlignmentFailed,  // a face's landmarks cannot be aligned (degenerate or not finite)
    kCatalog,          // catalog/database failure
    kInternal,         // a bug: should never reach a user
};

const char* to_string(ErrorCode code);

// An expected failure. `context` names the thing (usually a file), `hint` says what to do.
class Error : public std::runtime_error {
  public:
    Error(ErrorCode code, std::string message, std::string context = {}, std::string hint = {});

    ErrorCode code() const { return code_; }
    const std::string& message() const { return message_; }
    const std::string& context() const { return context_; }
    const std::string& hint() const { return hint_; }

  private:
    ErrorCode code_;
    std::string message_;
    std::string context_;
    std::string hint_;
};

// expected-like result for APIs where failure is a normal outcome (one bad image in a batch).
template <typename T>
class Result {
  public:
    Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
    Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

    bool ok() const { return std::holds_alternative<T>(v_); }
    explicit operator bool() const { return ok(); }
    const T& value() const& {
        if (!ok()) throw std::get<Error>(v_);
        return std::get<T>(v_);
    }
    T& value() & {
        if (!ok()) throw std::get<Error>(v_);
        return std::get<T>(v_);
    }
    T&& value() && {
        if (!ok()) throw std::get<Error>(v_);
        return std::get<T>(std::move(v_));
    }
    const Error& error() const { return std::get<Error>(v_); }

  private:
    std::variant<T, Error> v_;
};

}  // namespace faceatlas
