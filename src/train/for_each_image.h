// The parallel loop of the feature extractors (features.cpp), apart so that its failure handling
// is tested on its own (tests/train/for_each_image_test.cpp).
#pragma once

#include <opencv2/core.hpp>
#include <opencv2/core/utility.hpp>

#include <algorithm>
#include <atomic>
#include <exception>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "faceatlas/core/error.h"
#include "faceatlas/core/log.h"

namespace faceatlas::train {

// Runs body(state, i) for every i in [0, files.size()) on up to `threads` threads, each with
// its own state from make_state() (the networks). Progress after every item (false cancels).
// The first failure of a thread stops the others and is rethrown on the calling thread as a
// faceatlas::Error: an Error as it is; a cv::Exception or other exception from body(state, i)
// as kInternal naming files[i] (from make_state(): naming `what`), so a worker never ends the
// process. A cancelled run throws kIo "<what> cancelled". With `single_cv_thread` and more than
// one thread, OpenCV runs one thread inside each (restored after).
template <class MakeState, class Body>
void for_each_image(const std::vector<std::filesystem::path>& files, int threads,
                    const ProgressFn& progress, bool single_cv_thread, const char* what,
                    MakeState make_state, Body body) {
    const std::size_t n = files.size();
    std::atomic<std::size_t> next{0}, done{0};
    std::atomic<bool> cancelled{false};
    std::mutex mu;
    std::optional<Error> failure;
    const int nthreads = std::max(1, static_cast<int>(std::min<std::size_t>(
                                         static_cast<std::size_t>(std::max(threads, 1)), n)));
    const int cv_threads_before = cv::getNumThreads();
    if (single_cv_thread && nthreads > 1) cv::setNumThreads(1);
    auto fail = [&](Error e) {
        std::lock_guard lock(mu);
        if (!failure) failure = std::move(e);
        cancelled = true;
    };
    auto worker = [&]() {
        // SIZE_MAX while make_state() runs: a failure there names no file.
        std::size_t current = static_cast<std::size_t>(-1);
        auto where = [&] { return current < n ? files[current].string() : std::string(what); };
        try {
            auto state = make_state();
            for (std::size_t i = next++; i < n && !cancelled; i = next++) {
                current = i;
                body(state, i);
                const auto d = ++done;
                if (progress) {
                    std::lock_guard lock(mu);
                    if (!progress(d, n)) cancelled = true;
                }
            }
        } catch (const Error& e) {
            fail(e);
        } catch (const cv::Exception& e) {
            fail(Error(ErrorCode::kInternal, std::string(what) + " failed in OpenCV: " + e.what(),
                       where(), "report this with the file named here"));
        } catch (const std::exception& e) {
            fail(Error(ErrorCode::kInternal, std::string(what) + " failed: " + e.what(), where(),
                       "report this with the file named here"));
        } catch (...) {
            fail(Error(ErrorCode::kInternal, std::string(what) + " failed: unknown exception",
                       where(), "report this with the file named here"));
        }
    };
    std::vector<std::thread> pool;
    for (int t = 0; t < nthreads; ++t) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
    cv::setNumThreads(cv_threads_before);
    if (failure) throw *failure;
    if (cancelled) throw Error(ErrorCode::kIo, std::string(what) + " cancelled", "features");
}

}  // namespace faceatlas::train
