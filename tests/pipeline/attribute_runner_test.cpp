// AttributeRunner without networks: a faceres-blocks model that reads only pw13@0.25 (the stored
// faceres embedding bit for bit, tests/vision/attribute_features_test.cpp) runs on the stored
// embedding and gives what the same head gives as a faceres model; other block sets need pixels.
#include <gtest/gtest.h>

#include "faceatlas/attr/attribute_model.h"
#include "faceatlas/core/error.h"
#include "faceatlas/pipeline/attribute_apply.h"
#include "faceatlas/vision/attribute_features.h"

namespace faceatlas::pipeline {
namespace {

attr::AttributeModel head(const std::string& backbone, const std::string& features) {
    attr::AttributeModel m;
    m.backbone = backbone;
    const auto spec = vision::AttributeFeatureSpec::parse(features);
    m.feature_dim = spec.dim();
    if (backbone == attr::kBackboneFaceresBlocks) m.preprocessing["features"] = spec.to_json();
    m.attributes = {{"Smiling"}, {"Eyeglasses"}};
    attr::DenseLayer d;
    d.in = m.feature_dim;
    d.out = 2;
    d.weight.resize(static_cast<std::size_t>(d.in) * 2);
    for (std::size_t i = 0; i < d.weight.size(); ++i)
        d.weight[i] = static_cast<float>((i * 7919) % 13) / 13.f - 0.5f;
    d.bias = {0.1f, -0.2f};
    d.activation = attr::Activation::kSigmoid;
    m.layers = {d};
    m.validate();
    return m;
}

TEST(AttributeRunner, Pw13AtQuarterPaddingReadsTheStoredFaceresEmbedding) {
    const auto blocks = head(attr::kBackboneFaceresBlocks, "pw13@0.25");
    auto faceres = head(attr::kBackboneFaceres, "pw13@0.25");
    faceres.preprocessing = nlohmann::json::object();
    // No networks needed: no manifest is passed.
    AttributeRunner rb(blocks, nullptr), rf(faceres, nullptr);
    EXPECT_FALSE(rb.needs_image());
    catalog::FaceRecord f, bare;
    f.embedding_faceres.resize(1024);
    for (std::size_t i = 0; i < 1024; ++i) f.embedding_faceres[i] = static_cast<float>(i % 17) / 40;
    const auto pb = rb.predict({&f, &bare}, {});
    const auto pf = rf.predict({&f, &bare}, {});
    ASSERT_TRUE(pb[0] && pf[0]);
    EXPECT_EQ(*pb[0], *pf[0]);
    EXPECT_FALSE(pb[1]);  // a face without the embedding gets no features
}

TEST(AttributeRunner, OtherBlocksNeedTheNetworks) {
    EXPECT_TRUE(vision::AttributeFeatureSpec::parse("pw13@0.25").is_faceres_embedding());
    EXPECT_FALSE(vision::AttributeFeatureSpec::parse("pw13g2@0.25").is_faceres_embedding());
    EXPECT_FALSE(vision::AttributeFeatureSpec::parse("pw13@0.25,pw11@0.25").is_faceres_embedding());
    const auto two = head(attr::kBackboneFaceresBlocks, "pw13@0.25,pw13g2@0.6");
    EXPECT_THROW(AttributeRunner(two, nullptr), Error);
    const auto wide = head(attr::kBackboneFaceresBlocks, "pw13@0.6");
    EXPECT_THROW(AttributeRunner(wide, nullptr), Error);
}

}  // namespace
}  // namespace faceatlas::pipeline
