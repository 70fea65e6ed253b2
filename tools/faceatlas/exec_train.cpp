// `faceatlas train ...`: runs the sibling executable faceatlas-train with the same arguments
// (execv, no shell), so the faceatlas binary does not link LibTorch.
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "cli_common.h"
#include "faceatlas/core/error.h"

namespace faceatlas::cli {
namespace {

constexpr const char* kTrainExe = "faceatlas-train";

bool executable(const std::filesystem::path& p) {
    std::error_code ec;
    return std::filesystem::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

}  // namespace

std::filesystem::path find_train_executable() {
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    std::filesystem::path beside;
    if (!ec) {
        beside = self.parent_path() / kTrainExe;
        if (executable(beside)) return beside;
    }
    if (const char* path = std::getenv("PATH"); path && *path) {
        std::stringstream dirs(path);
        for (std::string dir; std::getline(dirs, dir, ':');)
            if (!dir.empty() && executable(std::filesystem::path(dir) / kTrainExe))
                return std::filesystem::path(dir) / kTrainExe;
    }
    throw Error(ErrorCode::kNotFound,
                std::string(kTrainExe) + " was not found beside faceatlas or on PATH",
                beside.empty() ? std::string(kTrainExe) : beside.string(),
                "install faceatlas-train beside faceatlas (it is built with "
                "-DFACEATLAS_WITH_TRAIN=ON) or put its folder on PATH");
}

void exec_train(int argc, char** argv) {
    const auto exe = find_train_executable();
    std::vector<char*> args(argv, argv + argc);
    std::string arg0 = exe.string();
    args[0] = arg0.data();
    args.push_back(nullptr);
    ::execv(exe.c_str(), args.data());
    throw Error(ErrorCode::kInternal, std::string("cannot run: ") + std::strerror(errno),
                exe.string(), "check that the file is an executable faceatlas-train");
}

}  // namespace faceatlas::cli
