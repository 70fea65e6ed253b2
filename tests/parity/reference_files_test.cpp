// The parity reference directory written by tests/parity/reference.mjs is complete and follows
// the file contract (tests/parity/README.md): every net, case and output with its shape, inputs
// as RGB 0..255, and the detector pipeline samples.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/npy.h"
#include "common/require_input.h"

namespace faceatlas::parity {
namespace {

namespace fs = std::filesystem;
using testing::NpyArray;
using testing::read_npy;

const fs::path kReferenceDir = fs::path(FACEATLAS_BINARY_DIR) / "parity";

// One row of the contract: output name and its shape after the batch dimension N.
struct OutputSpec {
    std::string name;
    std::vector<int> dims;  // without N
    enum class Kind { kAny, kProbability, kSoftmax } kind = Kind::kAny;
};

struct NetSpec {
    std::string name;
    int input_size;
    std::vector<OutputSpec> outputs;
};

// Names the parameter in test output instead of gtest's byte dump.
void PrintTo(const NetSpec& net, std::ostream* os) { *os << net.name; }

using Kind = OutputSpec::Kind;
const std::vector<NetSpec> kContract = {
    {"ssd_mobilenetv1", 512, {{"boxes", {5118, 4}}, {"scores", {5118}, Kind::kProbability}}},
    {"face_landmark_68", 112, {{"landmarks", {136}}}},
    {"face_recognition", 150, {{"descriptor", {128}}}},
    {"age_gender", 112, {{"age", {}}, {"gender", {2}, Kind::kSoftmax}}},
    {"face_expression", 112, {{"expressions", {7}, Kind::kSoftmax}}},
    {"faceres",
     224,
     {{"features", {1024}}, {"age", {100}, Kind::kSoftmax}, {"gender", {1}, Kind::kProbability}}},
};
const std::vector<std::pair<std::string, int>> kCases = {
    {"random0", 1}, {"random1", 1}, {"real0", 1}, {"real1", 1},
    {"real2", 1},   {"real3", 1},   {"batch4", 4}};

#define SKIP_IF_NO_REFERENCES()                                                     \
    if (!fs::exists(kReferenceDir / "manifest.json"))                               \
    FACEATLAS_MISSING_INPUT()                                                       \
        << "no parity references in " << kReferenceDir                              \
        << ": run `ctest -R parity_reference` (needs node and `cd tests/parity && " \
           "npm ci`)"

std::vector<int> with_batch(int n, const std::vector<int>& dims) {
    std::vector<int> shape{n};
    shape.insert(shape.end(), dims.begin(), dims.end());
    return shape;
}

bool all_finite(const NpyArray& a) {
    return std::all_of(a.data.begin(), a.data.end(), [](float v) { return std::isfinite(v); });
}

class ReferenceNet : public ::testing::TestWithParam<NetSpec> {};

TEST_P(ReferenceNet, EveryCaseHasInputAndOutputsWithContractShapes) {
    SKIP_IF_NO_REFERENCES();
    const NetSpec& net = GetParam();
    for (const auto& [name, n] : kCases) {
        SCOPED_TRACE(net.name + "/" + name);
        const fs::path dir = kReferenceDir / net.name / name;
        const NpyArray input = read_npy((dir / "input.npy").string());
        EXPECT_EQ(input.shape, (std::vector<int>{n, net.input_size, net.input_size, 3}));
        const auto [lo, hi] = std::minmax_element(input.data.begin(), input.data.end());
        EXPECT_GE(*lo, 0.f);
        EXPECT_LE(*hi, 255.f);
        EXPECT_GT(*hi - *lo, 50.f) << "input looks normalised or blank; contract says 0..255";
        for (const OutputSpec& out : net.outputs) {
            SCOPED_TRACE(out.name);
            const NpyArray a = read_npy((dir / (out.name + ".npy")).string());
            ASSERT_EQ(a.shape, with_batch(n, out.dims));
            EXPECT_TRUE(all_finite(a));
            if (out.kind == Kind::kProbability) {
                for (float v : a.data) ASSERT_TRUE(v >= 0.f && v <= 1.f) << v;
            }
            if (out.kind == Kind::kSoftmax) {
                const std::size_t row = a.size() / static_cast<std::size_t>(n);
                for (int b = 0; b < n; ++b) {
                    double sum = 0;
                    for (std::size_t i = 0; i < row; ++i) sum += a.data[b * row + i];
                    EXPECT_NEAR(sum, 1.0, 1e-4) << "row " << b;
                }
            }
        }
    }
}

TEST_P(ReferenceNet, Batch4InputIsTheFourRealCasesStacked) {
    SKIP_IF_NO_REFERENCES();
    const NetSpec& net = GetParam();
    const fs::path dir = kReferenceDir / net.name;
    const NpyArray batch = read_npy((dir / "batch4" / "input.npy").string());
    const std::size_t per = batch.size() / 4;
    for (int i = 0; i < 4; ++i) {
        const NpyArray one = read_npy((dir / ("real" + std::to_string(i)) / "input.npy").string());
        ASSERT_EQ(one.size(), per);
        EXPECT_TRUE(std::equal(one.data.begin(), one.data.end(), batch.data.begin() + i * per))
            << "batch4 row " << i << " differs from real" << i;
    }
}

INSTANTIATE_TEST_SUITE_P(Contract, ReferenceNet, ::testing::ValuesIn(kContract),
                         [](const auto& info) { return info.param.name; });

// The 112x112 face-api nets get real cases as crops (crop.npy) that face-api pads and resizes
// itself; at least one is tall and one wide, so both padding axes are exercised.
TEST(ReferenceFiles, FaceNetRealCasesKeepTheOriginalCrop) {
    SKIP_IF_NO_REFERENCES();
    int nets = 0;
    for (const NetSpec& net : kContract) {
        if (net.input_size != 112) continue;  // the others are fed whole resized images
        ++nets;
        int tall = 0, wide = 0;
        for (int i = 0; i < 4; ++i) {
            const fs::path file =
                kReferenceDir / net.name / ("real" + std::to_string(i)) / "crop.npy";
            ASSERT_TRUE(fs::exists(file)) << file;
            const NpyArray crop = read_npy(file.string());
            ASSERT_EQ(crop.shape.size(), 3u);
            EXPECT_EQ(crop.shape[2], 3);
            const auto [lo, hi] = std::minmax_element(crop.data.begin(), crop.data.end());
            EXPECT_GE(*lo, 0.f);
            EXPECT_LE(*hi, 255.f);
            tall += crop.shape[0] > crop.shape[1];
            wide += crop.shape[0] < crop.shape[1];
        }
        EXPECT_GE(tall, 1) << net.name;
        EXPECT_GE(wide, 1) << net.name;
    }
    EXPECT_EQ(nets, 3);  // face_landmark_68, age_gender, face_expression
}

TEST(ReferenceFiles, ManifestListsOnlyExistingFiles) {
    SKIP_IF_NO_REFERENCES();
    std::ifstream f(kReferenceDir / "manifest.json");
    const auto manifest = nlohmann::json::parse(f);
    EXPECT_EQ(manifest.at("format"), "faceatlas-parity-reference");
    const auto& files = manifest.at("files");
    EXPECT_GT(files.size(), 100u);
    for (const auto& file : files) {
        EXPECT_TRUE(fs::exists(kReferenceDir / file.get<std::string>())) << file;
    }
}

TEST(ReferenceFiles, DetectorPipelineHasEveryDemoSample) {
    SKIP_IF_NO_REFERENCES();
    int samples = 0;
    for (const auto& entry :
         fs::directory_iterator(fs::path(faceatlas::testing::model_dir()) / "face-api/demo")) {
        const std::string file = entry.path().filename().string();
        if (file.rfind("sample", 0) != 0 || entry.path().extension() != ".jpg") continue;
        ++samples;
        const std::string stem = entry.path().stem().string();
        SCOPED_TRACE(stem);
        const fs::path dir = kReferenceDir / "detector_pipeline" / stem;
        const NpyArray image = read_npy((dir / "image.npy").string());
        ASSERT_EQ(image.shape.size(), 3u);
        EXPECT_EQ(image.shape[2], 3);
        std::ifstream jf(dir / "detections.json");
        ASSERT_TRUE(jf) << dir / "detections.json";
        const auto dets = nlohmann::json::parse(jf);
        ASSERT_TRUE(dets.is_array());
        EXPECT_FALSE(dets.empty()) << "face-api finds faces in every demo photo";
        for (const auto& d : dets) {
            const auto box = d.at("box").get<std::vector<double>>();
            const double score = d.at("score").get<double>();
            ASSERT_EQ(box.size(), 4u);
            EXPECT_GE(score, 0.5);
            EXPECT_LE(score, 1.0);
            EXPECT_GE(box[0], 0.0);
            EXPECT_GE(box[1], 0.0);
            EXPECT_GT(box[2], 0.0);
            EXPECT_GT(box[3], 0.0);
            EXPECT_LE(box[0] + box[2], image.shape[1] + 1.0);
            EXPECT_LE(box[1] + box[3], image.shape[0] + 1.0);
        }
    }
    EXPECT_EQ(samples, 6);
}

}  // namespace
}  // namespace faceatlas::parity
