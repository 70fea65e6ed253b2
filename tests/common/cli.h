// Runs the real faceatlas CLI (FACEATLAS_CLI) as a child process, for integration tests.
#pragma once

#include <sys/resource.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "common/temp_dir.h"

namespace faceatlas::testing {

struct CliRun {
    int code = -1;    // exit status; -1 when killed by a signal
    std::string out;  // stdout
    std::string err;  // stderr
};

inline std::string read_text(const std::filesystem::path& p) {
    std::ifstream f(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// Runs `FACEATLAS_CLI args` through /bin/sh (args are shell words: quote paths with spaces).
inline CliRun run_cli(const std::string& args) {
    TempDir io("cli");
    const std::string cmd = std::string(FACEATLAS_CLI) + " " + args + " >" + (io / "out").string() +
                            " 2>" + (io / "err").string();
    const int st = std::system(cmd.c_str());
    CliRun r;
    r.code = (st != -1 && WIFEXITED(st)) ? WEXITSTATUS(st) : -1;
    r.out = read_text(io / "out");
    r.err = read_text(io / "err");
    return r;
}

// The same, with stderr appended to stdout in `out` (for tests that look for a message and do
// not care which stream carried it).
inline CliRun run_cli_merged(const std::string& args) {
    CliRun r = run_cli(args);
    r.out += r.err;
    return r;
}

// Largest resident set (bytes) of any child process this process has waited for so far
// (getrusage(RUSAGE_CHILDREN).ru_maxrss). gtest_discover_tests runs each test in its own
// process, so inside one test it is the peak of that test's CLI runs.
inline long long peak_child_rss_bytes() {
    rusage u{};
    getrusage(RUSAGE_CHILDREN, &u);
    return static_cast<long long>(u.ru_maxrss) * 1024;
}

}  // namespace faceatlas::testing
