// The feature extractors' parallel loop: an exception in a worker thread (OpenCV's included)
// comes back to the caller as a faceatlas::Error naming the file instead of std::terminate.
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>

#include "faceatlas/core/error.h"
#include "train/for_each_image.h"

namespace faceatlas::train {
namespace {

std::vector<std::filesystem::path> some_files(std::size_t n) {
    std::vector<std::filesystem::path> files;
    for (std::size_t i = 0; i < n; ++i)
        files.emplace_back("/data/img_" + std::to_string(i) + ".jpg");
    return files;
}

Error error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e;
    }
    return Error(ErrorCode::kInternal, "did not throw");
}

TEST(ForEachImage, VisitsEveryImageOnce) {
    const auto files = some_files(50);
    std::vector<std::atomic<int>> seen(files.size());
    for_each_image(
        files, 4, {}, true, "test", [] { return 0; }, [&](int&, std::size_t i) { ++seen[i]; });
    for (const auto& s : seen) EXPECT_EQ(s.load(), 1);
}

TEST(ForEachImage, OpenCvExceptionInWorkerBecomesErrorNamingTheFile) {
    const auto files = some_files(20);
    for (const int threads : {1, 3}) {
        const Error e = error_of([&] {
            for_each_image(
                files, threads, {}, true, "feature extraction", [] { return 0; },
                [&](int&, std::size_t i) {
                    if (i == 7) CV_Error(cv::Error::StsBadSize, "bad chip size");
                });
        });
        EXPECT_EQ(e.code(), ErrorCode::kInternal) << e.what();
        EXPECT_EQ(e.context(), files[7].string());
        EXPECT_NE(e.message().find("bad chip size"), std::string::npos) << e.message();
    }
}

TEST(ForEachImage, OtherExceptionsBecomeErrorsToo) {
    const auto files = some_files(5);
    const Error e = error_of([&] {
        for_each_image(
            files, 2, {}, false, "activation extraction", [] { return 0; },
            [&](int&, std::size_t i) {
                if (i == 3) throw std::out_of_range("row 9 of 4");
            });
    });
    EXPECT_EQ(e.context(), files[3].string());
    EXPECT_NE(e.message().find("row 9 of 4"), std::string::npos) << e.message();
    // A failure while the per-thread state is made names the step, not a file.
    const Error s = error_of([&] {
        for_each_image(
            files, 2, {}, false, "feature extraction",
            []() -> int {
                throw cv::Exception(cv::Error::StsError, "no net", "load", "net.cpp", 1);
            },
            [&](int&, std::size_t) {});
    });
    EXPECT_EQ(s.code(), ErrorCode::kInternal);
    EXPECT_EQ(s.context(), "feature extraction");
}

TEST(ForEachImage, FaceatlasErrorsPassUnchanged) {
    const auto files = some_files(4);
    const Error e = error_of([&] {
        for_each_image(
            files, 2, {}, false, "x", [] { return 0; },
            [&](int&, std::size_t i) {
                if (i == 2) throw Error(ErrorCode::kCorruptData, "bad weights", "model.bin");
            });
    });
    EXPECT_EQ(e.code(), ErrorCode::kCorruptData);
    EXPECT_EQ(e.context(), "model.bin");
}

}  // namespace
}  // namespace faceatlas::train
