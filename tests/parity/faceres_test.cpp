// faceres (HSE MobileNet, TFJS graph model) against the upstream tfjs outputs.
// References: $FACEATLAS_BINARY_DIR/parity/faceres/<case>/{input,features,age,gender}.npy.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>

#include "common/npy.h"
#include "common/require_input.h"
#include "faceatlas/nn/model_manifest.h"
#include "faceatlas/vision/faceres.h"
#include "parity_util.h"

namespace faceatlas::vision {
namespace {

namespace fs = std::filesystem;
using testing::cosine;
using testing::read_npy;

const fs::path kRefDir = fs::path(FACEATLAS_BINARY_DIR) / "parity" / "faceres";

struct Errors {
    double max_abs = 0;  // max |a - b|
    double max_rel = 0;  // max |a - b| / max(1, |b|)
};

Errors compare(const std::vector<float>& got, const std::vector<float>& want) {
    Errors e;
    for (std::size_t i = 0; i < want.size(); ++i) {
        const double d = std::abs(static_cast<double>(got[i]) - want[i]);
        e.max_abs = std::max(e.max_abs, d);
        e.max_rel = std::max(e.max_rel, d / std::max(1.0, std::abs(static_cast<double>(want[i]))));
    }
    return e;
}

class FaceresParity : public ::testing::TestWithParam<std::string> {
  protected:
    static void SetUpTestSuite() {
        if (!fs::exists(kRefDir)) return;
        net_ = new FaceresNet(
            FaceresNet::load(nn::ModelManifest::load_default(faceatlas::testing::model_dir())));
    }
    static void TearDownTestSuite() {
        delete net_;
        net_ = nullptr;
    }
    static FaceresNet* net_;
};
FaceresNet* FaceresParity::net_ = nullptr;

TEST_P(FaceresParity, MatchesTfjs) {
    const fs::path dir = kRefDir / GetParam();
    if (!fs::exists(dir / "input.npy"))
        FACEATLAS_MISSING_INPUT() << "no reference at " << dir
                                  << "; run the parity_reference fixture (ctest -L parity) "
                                  << "or tests/parity's `npm run reference`";
    const auto input = read_npy((dir / "input.npy").string());
    const auto features = read_npy((dir / "features.npy").string());
    const auto age = read_npy((dir / "age.npy").string());
    const auto gender = read_npy((dir / "gender.npy").string());
    ASSERT_EQ(input.shape.size(), 4u);
    ASSERT_EQ(input.shape[1], 224);
    ASSERT_EQ(input.shape[2], 224);
    ASSERT_EQ(input.shape[3], 3);
    const int n = input.shape[0];
    ASSERT_EQ(features.size(), static_cast<std::size_t>(n) * 1024);
    ASSERT_EQ(age.size(), static_cast<std::size_t>(n) * 100);
    ASSERT_EQ(gender.size(), static_cast<std::size_t>(n));

    const auto raw = net_->forward_raw(input.data.data(), n);
    ASSERT_EQ(raw.n, n);

    const Errors ef = compare(raw.features, features.data);
    const Errors ea = compare(raw.age, age.data);
    const Errors eg = compare(raw.gender, gender.data);
    double min_cos = 1;
    for (int i = 0; i < n; ++i)
        min_cos = std::min(
            min_cos, cosine(raw.features.data() + i * 1024, features.data.data() + i * 1024, 1024));
    RecordProperty("features_max_abs", std::to_string(ef.max_abs));
    RecordProperty("age_max_abs", std::to_string(ea.max_abs));
    RecordProperty("gender_max_abs", std::to_string(eg.max_abs));
    std::printf(
        "[faceres %s] n=%d features: max abs %.3g, max rel %.3g, min cosine %.8f | age max abs "
        "%.3g | "
        "gender max abs %.3g\n",
        GetParam().c_str(), n, ef.max_abs, ef.max_rel, min_cos, ea.max_abs, eg.max_abs);
    EXPECT_GE(min_cos, 0.9999);
    EXPECT_LE(ef.max_rel, 1e-3);  // absolute for |x| <= 1, relative above
    EXPECT_LE(ea.max_abs, 1e-3);
    EXPECT_LE(eg.max_abs, 1e-3);
}

INSTANTIATE_TEST_SUITE_P(Cases, FaceresParity,
                         ::testing::Values("random0", "random1", "real0", "real1", "real2", "real3",
                                           "batch4"));

}  // namespace
}  // namespace faceatlas::vision
