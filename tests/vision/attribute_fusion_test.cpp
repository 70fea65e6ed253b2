// vision/attribute_fusion.h: the documented formula on hand-computed values.
#include "faceatlas/vision/attribute_fusion.h"

#include <gtest/gtest.h>

#include <cmath>

#include "faceatlas/core/error.h"

namespace fv = faceatlas::vision;

TEST(AttributeFusion, WeightedAgeAndLogitMean) {
    std::vector<float> probs(100, 0.f);
    probs[29] = 0.6f;  // age 30
    probs[39] = 0.4f;  // age 40
    fv::AttributeFusionOptions o;
    o.age_weight_faceapi = 0.25;
    o.faceres_top_l = 2;  // faceres age = 0.6 * 30 + 0.4 * 40 = 34
    o.gender_weight_faceapi = 0.5;
    const auto f =
        fv::fuse_age_gender(/*age_faceapi=*/20, /*male faceapi=*/0.9f, /*age_faceres=*/99, probs,
                            /*male faceres=*/0.5f, o);
    EXPECT_NEAR(f.age, 0.25 * 20 + 0.75 * 34, 1e-4);
    // logit(0.5) = 0: sigmoid(0.5 * logit(0.9)) = 1 / (1 + sqrt(1/9)) = 0.75.
    EXPECT_NEAR(f.male_prob, 0.75, 1e-6);
    o.faceres_top_l = 1;  // argmax: 30
    EXPECT_NEAR(fv::fuse_age_gender(20, 0.9f, 99, probs, 0.5f, o).age, 0.25 * 20 + 0.75 * 30, 1e-4);
    // Without stored bins the stored expected age is used.
    EXPECT_NEAR(fv::fuse_age_gender(20, 0.9f, 40, {}, 0.5f, o).age, 0.25 * 20 + 0.75 * 40, 1e-4);
}

TEST(AttributeFusion, ExtremesAndDefaults) {
    fv::AttributeFusionOptions o;
    o.age_weight_faceapi = 1;
    o.gender_weight_faceapi = 1;
    const auto a = fv::fuse_age_gender(31, 0.2f, 50, {}, 0.99f, o);
    EXPECT_FLOAT_EQ(a.age, 31.f);
    EXPECT_NEAR(a.male_prob, 0.2, 1e-6);
    // Probabilities of exactly 0 and 1 are clipped, not infinite.
    const auto b =
        fv::fuse_age_gender(31, 1.f, 50, {}, 0.f, fv::AttributeFusionOptions{0.5, 1, 0.5});
    EXPECT_NEAR(b.male_prob, 0.5, 1e-6);
    // The documented defaults (fitted on utkface-dev's dev half).
    const fv::AttributeFusionOptions d;
    EXPECT_DOUBLE_EQ(d.age_weight_faceapi, 0.85);
    EXPECT_EQ(d.faceres_top_l, 5);
    EXPECT_DOUBLE_EQ(d.gender_weight_faceapi, 0.975);
    o.age_weight_faceapi = 1.5;
    EXPECT_THROW(o.validate(), faceatlas::Error);
    o = {};
    o.faceres_top_l = 0;
    EXPECT_THROW(fv::fuse_age_gender(1, 0.5f, 1, {}, 0.5f, o), faceatlas::Error);
}
