// vision::ModelSet: weights parsed once per process, shared by per-thread sessions.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <thread>
#include <vector>

#include <opencv2/core/utility.hpp>

#include "faceatlas/core/error.h"
#include "faceatlas/nn/model_manifest.h"
#include "faceatlas/vision/analyzer.h"
#include "faceatlas/vision/attribute_features.h"
#include "faceatlas/vision/faceres.h"
#include "faceatlas/vision/model_set.h"

namespace faceatlas::vision {
namespace {

namespace fs = std::filesystem;
const fs::path kDemo = fs::path(FACEATLAS_MODEL_DIR) / "face-api" / "demo";

std::vector<fs::path> samples() {
    return {kDemo / "sample1.jpg", kDemo / "sample2.jpg", kDemo / "sample3.jpg",
            kDemo / "sample4.jpg"};
}

// Largest absolute difference between two results over every float they carry; -1 when the
// structure (face count, vector sizes, gender) differs.
double max_diff(const ImageResult& a, const ImageResult& b) {
    if (a.faces.size() != b.faces.size()) return -1;
    double d = 0;
    auto upd = [&](float x, float y) { d = std::max(d, std::abs(double(x) - double(y))); };
    for (std::size_t i = 0; i < a.faces.size(); ++i) {
        const auto& f = a.faces[i];
        const auto& g = b.faces[i];
        if (f.gender != g.gender || f.embedding_dlib.size() != g.embedding_dlib.size() ||
            f.embedding_faceres.size() != g.embedding_faceres.size())
            return -1;
        for (int k = 0; k < 4; ++k) upd(f.box[k], g.box[k]);
        upd(f.score, g.score);
        for (int k = 0; k < 68; ++k) upd(f.landmarks[k][0], g.landmarks[k][0]);
        upd(f.age, g.age);
        upd(f.age_faceres, g.age_faceres);
        upd(f.gender_prob, g.gender_prob);
        upd(f.gender_faceres_prob, g.gender_faceres_prob);
        for (int k = 0; k < 7; ++k) upd(f.expression[k], g.expression[k]);
        for (std::size_t k = 0; k < f.embedding_dlib.size(); ++k)
            upd(f.embedding_dlib[k], g.embedding_dlib[k]);
        for (std::size_t k = 0; k < f.embedding_faceres.size(); ++k)
            upd(f.embedding_faceres[k], g.embedding_faceres[k]);
    }
    return d;
}

TEST(ModelSet, TwoAnalyzersOnTwoThreadsMatchOneAnalyzerSerially) {
    const auto manifest = nn::ModelManifest::load_default(FACEATLAS_MODEL_DIR);
    const ModelSet set(manifest, ModelSet::analyzer_networks());
    const auto files = samples();
    const AnalyzeOptions options;

    // One OpenCV thread for both runs (as the scanner's workers run): how OpenCV splits a
    // layer over threads changes float summation order, so only equal settings compare bit for bit.
    const int cv_threads = cv::getNumThreads();
    cv::setNumThreads(1);
    std::vector<ImageResult> serial;
    {
        auto analyzer = Analyzer::load(manifest);  // its own private set
        for (const auto& f : files) serial.push_back(analyzer.analyze_file(f, options));
    }
    // Two sessions of one set, run at the same time.
    std::vector<ImageResult> parallel(files.size());
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t)
        threads.emplace_back([&, t] {
            auto analyzer = Analyzer::create(set);
            for (std::size_t i = static_cast<std::size_t>(t); i < files.size(); i += 2)
                parallel[i] = analyzer.analyze_file(files[i], options);
        });
    for (auto& th : threads) th.join();
    cv::setNumThreads(cv_threads);

    std::size_t faces = 0;
    for (std::size_t i = 0; i < files.size(); ++i) {
        ASSERT_FALSE(serial[i].error) << *serial[i].error;
        ASSERT_FALSE(parallel[i].error) << *parallel[i].error;
        faces += serial[i].faces.size();
        const double d = max_diff(serial[i], parallel[i]);
        ASSERT_GE(d, 0) << files[i] << ": different faces";
        EXPECT_EQ(d, 0.0) << files[i] << ": not bit-identical (max |diff| " << d << ")";
    }
    EXPECT_GT(faces, 4u);
}

TEST(ModelSet, ParsesEachWeightFileOnceAndSessionsShareIt) {
    const auto manifest = nn::ModelManifest::load_default(FACEATLAS_MODEL_DIR);
    auto ids = ModelSet::analyzer_networks();
    ids.push_back("faceres");  // asked twice: read once
    const ModelSet set(manifest, ids);
    EXPECT_EQ(set.files_parsed(), 6u);
    EXPECT_EQ(set.networks().size(), 6u);
    EXPECT_GT(set.parse_seconds(), 0.0);
    // One parsed graph for the analyzer's faceres and the attribute features.
    const nn::GraphDef* faceres = &set.graph("faceres");
    const auto t0 = std::chrono::steady_clock::now();
    auto a1 = Analyzer::create(set);
    const auto t1 = std::chrono::steady_clock::now();
    auto a2 = Analyzer::create(set);
    // The split bench/README.md reports: parsing once vs building one session of the six.
    std::cout << "parse " << set.parse_seconds() << " s, one Analyzer session "
              << std::chrono::duration<double>(t1 - t0).count() << " s\n";
    auto ex = AttributeFeatureExtractor::create(set, std::vector<std::string>{"pw11"});
    EXPECT_EQ(&set.graph("faceres"), faceres);
    EXPECT_EQ(set.files_parsed(), 6u);
    EXPECT_EQ(&set.weights("face_recognition"), &set.weights("face_recognition"));
    // A network the set was not created with is refused, naming it.
    try {
        (void)FaceresNet::create(set, "faceres_deep");
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
        EXPECT_NE(std::string(e.what()).find("faceres_deep"), std::string::npos) << e.what();
    }
    EXPECT_THROW((void)set.weights("faceres"), Error);  // a graph model, not layers weights
}

TEST(ModelSet, MissingWeightFileNamesTheFile) {
    const fs::path empty = fs::temp_directory_path() / "faceatlas_model_set_test_empty";
    fs::create_directories(empty);
    const auto manifest = nn::ModelManifest::load_default(empty);
    try {
        const ModelSet set(manifest, {"face_recognition"});
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kNotFound) << e.what();
        EXPECT_NE(e.context().find("face_recognition_model-weights_manifest.json"),
                  std::string::npos)
            << e.context();
        EXPECT_FALSE(e.hint().empty());
    }
    try {
        const ModelSet set(manifest, {"faceres"});
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kNotFound) << e.what();
        EXPECT_NE(e.context().find("faceres.json"), std::string::npos) << e.context();
    }
    fs::remove_all(empty);
}

}  // namespace
}  // namespace faceatlas::vision
