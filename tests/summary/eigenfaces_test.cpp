// Eigenfaces against a naive reference (cv::PCA on the same grey data), plus the edge cases:
// one face, identical faces, faces of different sizes, empty input.
#include <gtest/gtest.h>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "faceatlas/core/error.h"
#include "faceatlas/summary/album_summary.h"
#include "faceatlas/summary/eigenfaces.h"

namespace fs = faceatlas::summary;

namespace {

std::vector<cv::Mat> random_faces(int n, int size, std::uint64_t seed) {
    cv::RNG rng(seed);
    std::vector<cv::Mat> v;
    for (int i = 0; i < n; ++i) {
        cv::Mat m(size, size, CV_8UC3);
        rng.fill(m, cv::RNG::UNIFORM, 0, 256);
        v.push_back(m);
    }
    return v;
}

}  // namespace

TEST(Eigenfaces, ExplainedVarianceMatchesNaivePca) {
    const int size = 16;
    const auto faces = random_faces(7, size, 42);
    const auto e = fs::compute_eigenfaces(faces, {.size = size, .components = 4});
    ASSERT_EQ(e.components.size(), 4u);
    cv::Mat data(7, size * size, CV_64F);
    for (int i = 0; i < 7; ++i) {
        cv::Mat g;
        cv::cvtColor(faces[static_cast<std::size_t>(i)], g, cv::COLOR_BGR2GRAY);
        g.reshape(1, 1).convertTo(data.row(i), CV_64F);
    }
    cv::PCA pca(data, cv::Mat(), cv::PCA::DATA_AS_ROW);  // all components
    const double total = cv::sum(pca.eigenvalues)[0];
    for (int k = 0; k < 4; ++k)
        EXPECT_NEAR(e.explained[static_cast<std::size_t>(k)], pca.eigenvalues.at<double>(k) / total,
                    1e-6)
            << k;
    for (std::size_t k = 1; k < 4; ++k) EXPECT_LE(e.explained[k], e.explained[k - 1]);
    EXPECT_EQ(e.mean.type(), CV_8UC3);
    EXPECT_EQ(e.components[0].type(), CV_8UC1);
    EXPECT_EQ(e.components[0].rows, size);
}

TEST(Eigenfaces, OneVaryingPatternIsOneComponent) {
    // faces = base + a_i * pattern: PC1 explains (almost) everything.
    std::vector<cv::Mat> faces;
    for (int i = 0; i < 5; ++i) {
        cv::Mat m(20, 20, CV_8UC3, cv::Scalar(100, 100, 100));
        cv::rectangle(m, cv::Rect(5, 5, 10, 10), cv::Scalar::all(100 + 30 * i), cv::FILLED);
        faces.push_back(m);
    }
    const auto e = fs::compute_eigenfaces(faces, {.size = 20, .components = 3});
    ASSERT_GE(e.components.size(), 1u);
    EXPECT_GT(e.explained[0], 0.999);
    // The component lights up inside the square, and stays at grey 128 outside it.
    EXPECT_EQ(e.components[0].at<unsigned char>(0, 0), 128);
    EXPECT_EQ(e.components[0].at<unsigned char>(10, 10), 255);
}

TEST(Eigenfaces, OneFaceHasNoComponentsAndIsItsOwnMean) {
    auto faces = random_faces(1, 32, 1);
    const auto e = fs::compute_eigenfaces(faces, {.size = 32, .components = 5});
    EXPECT_EQ(e.faces, 1);
    EXPECT_TRUE(e.components.empty());
    EXPECT_EQ(cv::norm(e.mean, faces[0], cv::NORM_INF), 0);
}

TEST(Eigenfaces, IdenticalFacesHaveNoComponents) {
    auto f = random_faces(1, 24, 3)[0];
    const auto e = fs::compute_eigenfaces({f, f.clone(), f.clone()}, {.size = 24, .components = 5});
    EXPECT_TRUE(e.components.empty());
}

TEST(Eigenfaces, DifferentSizesAndGreyInputsAreResized) {
    std::vector<cv::Mat> faces = {cv::Mat(160, 160, CV_8UC3, cv::Scalar(10, 20, 30)),
                                  cv::Mat(80, 80, CV_8UC3, cv::Scalar(50, 60, 70)),
                                  cv::Mat(200, 200, CV_8UC1, cv::Scalar(90))};
    cv::randu(faces[1], 0, 255);
    const auto e = fs::compute_eigenfaces(faces, {.size = 48, .components = 5});
    EXPECT_EQ(e.mean.size(), cv::Size(48, 48));
    EXPECT_EQ(e.components.size(), 2u);  // at most faces - 1
}

TEST(Eigenfaces, RejectsEmptyInput) {
    EXPECT_THROW(fs::compute_eigenfaces({}), faceatlas::Error);
    EXPECT_THROW(fs::compute_eigenfaces({cv::Mat()}), faceatlas::Error);
    EXPECT_THROW(fs::compute_eigenfaces(random_faces(2, 8, 1), {.size = 2, .components = 1}),
                 faceatlas::Error);
}

TEST(Project2d, PointsOnALineUseOneAxis) {
    std::vector<std::vector<float>> rows;
    for (int i = 0; i < 10; ++i) rows.push_back({1.f * i, 2.f * i, -1.f * i});
    std::vector<double> explained;
    const auto xy = fs::project_2d(rows, &explained);
    ASSERT_EQ(xy.size(), 10u);
    EXPECT_NEAR(explained[0], 1.0, 1e-9);
    EXPECT_NEAR(explained[1], 0.0, 1e-9);
    // distances along the line are preserved
    EXPECT_NEAR(std::abs(xy[9].first - xy[0].first), 9 * std::sqrt(6.0), 1e-3);
    EXPECT_NEAR(xy[3].second, 0.0, 1e-3);
}

TEST(Project2d, FewerThanTwoRows) {
    EXPECT_EQ(fs::project_2d({}).size(), 0u);
    const auto one = fs::project_2d({{1.f, 2.f}});
    ASSERT_EQ(one.size(), 1u);
    EXPECT_EQ(one[0].first, 0.f);
}
