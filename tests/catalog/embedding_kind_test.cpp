// The embedding registry: names, dimensions, the metric each is clustered / searched / verified
// with, where records keep them, and the error for an unknown name.
#include <gtest/gtest.h>

#include "faceatlas/catalog/embedding_kind.h"
#include "faceatlas/core/error.h"

namespace faceatlas::catalog {
namespace {

TEST(EmbeddingKind, RegistryNamesDimsMetricsAndFields) {
    ASSERT_EQ(embedding_kinds().size(), 2u);
    const auto& dlib = embedding_kind("dlib");
    const auto& faceres = embedding_kind("faceres");
    EXPECT_EQ(dlib.dim, 128u);
    EXPECT_EQ(faceres.dim, 1024u);
    EXPECT_EQ(dlib.metric, cluster::Metric::kEuclidean);
    EXPECT_EQ(faceres.metric, cluster::Metric::kCosine);
    FaceRecord f;
    f.embedding_dlib = {1.f};
    f.embedding_faceres = {2.f, 3.f};
    TrackRecord t;
    t.embedding_dlib = {4.f};
    t.embedding_faceres = {5.f, 6.f};
    EXPECT_EQ(&dlib.of(f), &f.embedding_dlib);
    EXPECT_EQ(&faceres.of(f), &f.embedding_faceres);
    EXPECT_EQ(&dlib.of(t), &t.embedding_dlib);
    EXPECT_EQ(&faceres.of(t), &t.embedding_faceres);
    EXPECT_EQ(embedding_kind_names(), "dlib or faceres");
}

TEST(EmbeddingKind, UnknownNameListsTheKnownOnes) {
    try {
        (void)embedding_kind("arcface");
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
        EXPECT_NE(std::string(e.what()).find("arcface"), std::string::npos) << e.what();
        EXPECT_EQ(e.hint(), "use dlib or faceres");
    }
}

}  // namespace
}  // namespace faceatlas::catalog
