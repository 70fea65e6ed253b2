// WeightMap: real face-api/human-models manifests load; broken copies fail with a clear Error.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/require_input.h"
#include "common/temp_dir.h"
#include "faceatlas/core/error.h"
#include "faceatlas/nn/model_manifest.h"
#include "faceatlas/nn/tfjs_weights.h"

namespace fs = std::filesystem;

namespace faceatlas::nn {
namespace {

const fs::path kModels = faceatlas::testing::model_dir();

using faceatlas::testing::TempDir;

fs::path copy_model(const fs::path& dir, const std::string& base) {
    fs::copy_file(kModels / "face-api/model" / (base + "-weights_manifest.json"),
                  dir / (base + "-weights_manifest.json"));
    fs::copy_file(kModels / "face-api/model" / (base + ".bin"), dir / (base + ".bin"));
    return dir / (base + "-weights_manifest.json");
}

std::string error_of(const fs::path& manifest) {
    try {
        WeightMap::load(manifest);
    } catch (const Error& e) {
        return e.what();
    }
    return {};
}

TEST(WeightMap, LoadsEveryShippedFaceApiModel) {
    for (const char* base :
         {"ssd_mobilenetv1_model", "face_landmark_68_model", "face_recognition_model",
          "age_gender_model", "face_expression_model"}) {
        auto w = WeightMap::load(kModels / "face-api/model" /
                                 (std::string(base) + "-weights_manifest.json"));
        EXPECT_GT(w.size(), 10u) << base;
        for (const auto& n : w.names()) {
            const auto& t = w.get(n);
            std::size_t count = 1;
            for (int d : t.shape) count *= static_cast<std::size_t>(d);
            EXPECT_EQ(count, t.size()) << n;
        }
    }
}

TEST(WeightMap, QuantizedValuesStayInsideDeclaredRange) {
    auto w =
        WeightMap::load(kModels / "face-api/model/face_recognition_model-weights_manifest.json");
    const auto& t = w.get("conv32_down/conv/filters", {7, 7, 3, 32});
    // uint8 quantization: min + q*scale, q in [0,255] (values from the manifest).
    const double minv = -0.07101876902229645, scale = 0.0005260649557207145;
    for (float v : t.data) {
        EXPECT_GE(v, minv - 1e-6);
        EXPECT_LE(v, minv + 255 * scale + 1e-6);
    }
}

TEST(WeightMap, LoadsFloat16GraphModelWeights) {
    auto w = WeightMap::load(kModels / "human-models/models/faceres.json");
    const auto& k = w.get("age_pred/kernel", {256, 100});
    double sum = 0;
    for (float v : k.data) {
        ASSERT_TRUE(std::isfinite(v));
        sum += std::abs(v);
    }
    EXPECT_GT(sum, 0.0);
}

TEST(WeightMap, MissingManifestNamesFileAndFix) {
    const std::string msg = error_of("/nonexistent/dir/x-weights_manifest.json");
    EXPECT_NE(msg.find("/nonexistent/dir/x-weights_manifest.json"), std::string::npos) << msg;
    EXPECT_NE(msg.find("fetch_models.sh"), std::string::npos) << msg;
}

TEST(WeightMap, TruncatedBinIsReported) {
    TempDir tmp;
    auto manifest = copy_model(tmp.path(), "age_gender_model");
    fs::resize_file(tmp.path() / "age_gender_model.bin", 1000);
    const std::string msg = error_of(manifest);
    EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
    EXPECT_NE(msg.find(manifest.string()), std::string::npos) << msg;
}

TEST(WeightMap, MissingShardIsReported) {
    TempDir tmp;
    auto manifest = copy_model(tmp.path(), "age_gender_model");
    fs::remove(tmp.path() / "age_gender_model.bin");
    const std::string msg = error_of(manifest);
    EXPECT_NE(msg.find("age_gender_model.bin"), std::string::npos) << msg;
}

TEST(WeightMap, ExtraBytesAreReported) {
    TempDir tmp;
    auto manifest = copy_model(tmp.path(), "age_gender_model");
    std::ofstream(tmp.path() / "age_gender_model.bin", std::ios::app | std::ios::binary) << "xxxx";
    EXPECT_NE(error_of(manifest).find("bytes"), std::string::npos);
}

TEST(WeightMap, ShapeMismatchIsReported) {
    TempDir tmp;
    auto manifest = copy_model(tmp.path(), "face_recognition_model");
    nlohmann::json j;
    std::ifstream(manifest) >> j;
    // Same element count, different shape: loads, but a caller expecting the real shape fails.
    j[0]["weights"][0]["shape"] = {49, 3, 32};
    std::ofstream(manifest) << j.dump();
    auto w = WeightMap::load(manifest);
    try {
        w.get("conv32_down/conv/filters", {7, 7, 3, 32});
        FAIL() << "expected an Error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kCorruptData);
        EXPECT_NE(std::string(e.what()).find("[49,3,32]"), std::string::npos) << e.what();
    }
    EXPECT_THROW(w.get("no/such/tensor"), Error);
}

TEST(WeightMap, InvalidJsonAndUnsupportedDtype) {
    TempDir tmp;
    auto manifest = copy_model(tmp.path(), "age_gender_model");
    std::ofstream(manifest) << "{ not json";
    EXPECT_NE(error_of(manifest).find("JSON"), std::string::npos);
    std::ofstream(manifest)
        << R"([{"paths":["age_gender_model.bin"],"weights":[{"name":"a","shape":[1],"dtype":"complex64"}]}])";
    EXPECT_NE(error_of(manifest).find("complex64"), std::string::npos);
}

TEST(ModelManifest, EveryNetworkResolvesToExistingWeights) {
    auto m = ModelManifest::load_default(kModels);
    for (const char* name : {"ssd_mobilenetv1", "face_landmark_68", "face_recognition",
                             "age_gender", "face_expression", "faceres"}) {
        const auto& info = m.get(name);
        EXPECT_TRUE(fs::exists(info.weights)) << name;
        EXPECT_GT(info.input_width, 0);
        EXPECT_FALSE(info.license.empty());
    }
}

TEST(ModelManifest, MissingModelDirSaysHowToFetch) {
    try {
        ModelManifest::load(fs::path(FACEATLAS_SOURCE_DIR) / "models/manifest.json",
                            "/nonexistent/models");
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("fetch_models.sh"), std::string::npos);
    }
    try {
        ModelManifest::load_default("/nonexistent/models");
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kNotFound);
        EXPECT_EQ(e.context(), "/nonexistent/models");
        EXPECT_NE(std::string(e.what()).find("fetch_models.sh"), std::string::npos);
    }
}

// load_default uses the manifest compiled in from models/manifest.json: the same entries as
// the file, wherever the model directory is.
TEST(ModelManifest, BuiltInManifestEqualsTheFile) {
    const auto file =
        ModelManifest::load(fs::path(FACEATLAS_SOURCE_DIR) / "models/manifest.json", kModels);
    const auto built_in = ModelManifest::load_default(kModels);
    ASSERT_EQ(file.all().size(), built_in.all().size());
    for (const auto& [name, info] : file.all()) {
        const auto& b = built_in.all().at(name);
        EXPECT_EQ(b.weights, info.weights) << name;
        EXPECT_EQ(b.input_width, info.input_width) << name;
        EXPECT_EQ(b.mean, info.mean) << name;
        EXPECT_EQ(b.std, info.std) << name;
        EXPECT_EQ(b.color_order, info.color_order) << name;
    }
}

TEST(ModelInfo, RequireInputNamesTheEntryAndWhatTheNetNeeds) {
    ModelInfo info;
    info.name = "age_gender";
    info.input_width = info.input_height = 112;
    info.color_order = "RGB";
    EXPECT_NO_THROW(info.require_input(112, 112));
    EXPECT_NO_THROW(info.require_input(112, 112, {"BGR", "RGB"}));
    info.input_height = 96;
    try {
        info.require_input(112, 112);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kCorruptData);
        const std::string what = e.what();
        EXPECT_NE(what.find("'age_gender' says input 112x96 RGB"), std::string::npos) << what;
        EXPECT_NE(what.find("needs 112x112 RGB"), std::string::npos) << what;
    }
    info.input_height = 112;
    EXPECT_THROW(info.require_input(112, 112, {"BGR"}), Error);
}

}  // namespace
}  // namespace faceatlas::nn
