#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <list>

#include "cluster_test_util.h"
#include "common/temp_dir.h"
#include "faceatlas/cluster/centroid_model.h"
#include "faceatlas/cluster/distance.h"
#include "faceatlas/core/error.h"

namespace faceatlas::cluster {
namespace {

using testing::make_blobs;

// `name` in a fresh scratch folder, removed when the test process ends.
std::filesystem::path tmp(const char* name) {
    static std::list<faceatlas::testing::TempDir> dirs;
    return dirs.emplace_back("centroid_model") / name;
}

TEST(CentroidModel, KMeansRoundTripAndArgminAssignment) {
    const Matrix x = make_blobs(300, 12, 4, 1.0f, 3.0f, 21);
    KMeansOptions ko;
    ko.k = 4;
    ko.seed = 3;
    CentroidModel m = centroid_model_from_kmeans(kmeans(x, ko));
    m.embedding = "test";
    m.seed = 3;
    m.created = "2024-01-01T00:00:00Z";
    m.faceatlas_version = "0.1.0";
    m.person_id = 42;
    const auto path = tmp("faceatlas_centroids_test.json");
    save_centroid_models({m}, path);
    const auto back = load_centroid_models(path);
    ASSERT_EQ(back.size(), 1u);
    const auto& b = back[0];
    EXPECT_EQ(b.embedding, "test");
    EXPECT_EQ(b.k(), 4);
    EXPECT_EQ(b.dim(), 12u);
    EXPECT_EQ(b.seed, 3u);
    EXPECT_EQ(b.created, m.created);
    EXPECT_EQ(b.person_id, std::optional<std::int64_t>(42));
    EXPECT_EQ(b.centers.values(), m.centers.values());  // float32 survives JSON exactly
    const Matrix q = make_blobs(50, 12, 4, 2.0f, 3.0f, 22);
    const auto a = assign_to_centroids(b, q);
    for (std::size_t i = 0; i < q.rows(); ++i) {
        int best = 0;
        double bd = 1e300;
        for (int c = 0; c < 4; ++c) {
            const double d = distance(q.row(i), b.centers.row(static_cast<std::size_t>(c)), 12,
                                      Metric::kEuclidean);
            if (d < bd) {
                bd = d;
                best = c;
            }
        }
        EXPECT_EQ(a.labels[i], best);
        EXPECT_NEAR(a.distances[i], bd, 1e-4);
    }
    std::filesystem::remove(path);
}

TEST(CentroidModel, GmmRoundTripPredictsLikeTheFit) {
    const Matrix x = make_blobs(200, 3, 3, 0.5f, 4.0f, 8);
    for (CovarianceType t : {CovarianceType::kDiagonal, CovarianceType::kFull}) {
        GmmOptions go;
        go.n_components = 3;
        go.covariance = t;
        const auto g = GaussianMixture::fit(x, go);
        CentroidModel m = centroid_model_from_gmm(g);
        m.embedding = "test";
        const auto path = tmp("faceatlas_gmm_test.json");
        save_centroid_models({m, m}, path);
        const auto back = load_centroid_models(path);
        ASSERT_EQ(back.size(), 2u);
        const auto a = assign_to_centroids(back[1], x);
        EXPECT_EQ(a.labels, g.predict(x));
        const auto p = g.predict_proba(x);
        for (std::size_t i = 0; i < x.rows(); ++i) {
            EXPECT_NEAR(a.probability[i], p[i * 3 + static_cast<std::size_t>(a.labels[i])], 1e-9);
        }
        std::filesystem::remove(path);
    }
}

TEST(CentroidModel, BadFilesAndDimensions) {
    CentroidModel m;
    m.embedding = "dlib";
    m.centers = Matrix(2, 4, 1.0f);
    m.centers(1, 0) = 5;
    EXPECT_THROW(assign_to_centroids(m, Matrix(3, 128, 0.f)), Error);  // 4-d centroids, 128-d faces
    Matrix nan(1, 4, 0.f);
    nan(0, 1) = std::nanf("");
    EXPECT_THROW(assign_to_centroids(m, nan), Error);
    EXPECT_THROW(load_centroid_models("/nonexistent/c.json"), Error);
    const auto path = tmp("faceatlas_bad_centroids.json");
    auto write = [&](const std::string& s) { std::ofstream(path) << s; };
    write("not json");
    EXPECT_THROW(load_centroid_models(path), Error);
    write(R"({"format":"other","version":1,"models":[]})");
    EXPECT_THROW(load_centroid_models(path), Error);
    write(
        R"({"format":"faceatlas-centroids","version":1,"models":[{"embedding":"dlib","algorithm":"kmeans","seed":0,"dim":3,"k":2,"centers":[[1,2,3],[1,2]]}]})");
    EXPECT_THROW(load_centroid_models(path), Error);  // ragged centre
    write(
        R"({"format":"faceatlas-centroids","version":1,"models":[{"embedding":"dlib","algorithm":"gmm","seed":0,"dim":1,"k":1,"centers":[[1]],"covariance":"diag","weights":[1],"covariances":[[-1]]}]})");
    EXPECT_THROW(load_centroid_models(path), Error);  // negative variance
    std::filesystem::remove(path);
}

}  // namespace
}  // namespace faceatlas::cluster
