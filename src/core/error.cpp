#include "faceatlas/core/error.h"

namespace faceatlas {
namespace {
std::string compose(const std::string& message, const std::string& context,
                    const std::string& hint) {
    std::string s = context.empty() ? message : context + ": " + message;
    if (!hint.empty()) s += " (" + hint + ")";
    return s;
}
}  // namespace

const char* to_string(ErrorCode code) {
    switch (code) {
        case ErrorCode::kInvalidArgument:
            return "invalid argument";
        case ErrorCode::kNotFound:
            return "not found";
        case ErrorCode::kCorruptData:
            return "corrupt data";
        case ErrorCode::kIo:
            return "i/o error";
        case ErrorCode::kUnsupported:
            return "unsupported";
        case ErrorCode::kAlignmentFailed:
            return "alignment failed";
        case ErrorCode::kCatalog:
            return "catalog error";
        case ErrorCode::kInternal:
            return "internal error";
    }
    return "error";
}

Error::Error(ErrorCode code, std::string message, std::string context, std::string hint)
    : std::runtime_error(compose(message, context, hint)),
      code_(code),
      message_(std::move(message)),
      context_(std::move(context)),
      hint_(std::move(hint)) {}

}  // namespace faceatlas
