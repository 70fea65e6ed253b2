// Silhouette against scikit-learn goldens for every metric and noise policy.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "faceatlas/core/error.h"
#include "faceatlas/eval/silhouette.h"
#include "golden.h"

namespace faceatlas::eval {
namespace {

struct Metric {
    const char* name;
    DistanceMetric metric;
};
constexpr Metric kMetrics[] = {{"euclidean", DistanceMetric::kEuclidean},
                               {"cosine", DistanceMetric::kCosine},
                               {"manhattan", DistanceMetric::kManhattan}};

struct Noise {
    const char* name;
    NoiseHandling noise;
};
constexpr Noise kNoise[] = {{"singletons", NoiseHandling::kSingletons},
                            {"exclude", NoiseHandling::kExclude},
                            {"as_label", NoiseHandling::kAsLabel}};

TEST(Silhouette, MatchesSklearnGoldens) {
    const auto cases = test::load_golden("silhouette.json");
    for (const auto& c : cases) {
        const auto X = c.at("X").get<std::vector<std::vector<double>>>();
        const auto labels = c.at("labels").get<std::vector<int>>();
        const std::size_t rows = X.size(), cols = X[0].size();
        std::vector<double> flat;
        std::vector<float> flat32;
        for (const auto& r : X) {
            for (double v : r) {
                flat.push_back(v);
                flat32.push_back(static_cast<float>(v));  // fixtures are float32-exact
            }
        }
        for (const auto& m : kMetrics) {
            for (const auto& nz : kNoise) {
                SCOPED_TRACE(c.at("name").get<std::string>() + " " + m.name + " " + nz.name);
                const auto& want = c.at(m.name).at(nz.name);
                SilhouetteOptions o;
                o.metric = m.metric;
                o.noise = nz.noise;
                o.block_rows = 7;  // odd block size to exercise block edges
                o.threads = 2;
                if (test::golden_is_error(want)) {
                    EXPECT_THROW(silhouette(std::span<const double>(flat), rows, cols, labels, o),
                                 Error);
                    continue;
                }
                const auto r64 = silhouette(std::span<const double>(flat), rows, cols, labels, o);
                const auto r32 = silhouette(std::span<const float>(flat32), rows, cols, labels, o);
                EXPECT_NEAR(r64.score, want.get<double>(), test::kGoldenTol);
                EXPECT_NEAR(r32.score, want.get<double>(), test::kGoldenTol);
                if (nz.noise == NoiseHandling::kSingletons) {
                    const auto samples = c.at(m.name).at("samples_singletons");
                    for (std::size_t i = 0; i < rows; ++i) {
                        EXPECT_NEAR(r64.samples[i], samples[i].get<double>(), test::kGoldenTol);
                    }
                }
                if (nz.noise == NoiseHandling::kExclude) {
                    for (std::size_t i = 0; i < rows; ++i) {
                        EXPECT_EQ(std::isnan(r64.samples[i]), labels[i] == kUnsorted);
                    }
                }
            }
        }
    }
}

TEST(Silhouette, CallbackEqualsBuiltInMetric) {
    std::mt19937 rng(11);
    std::normal_distribution<double> nd;
    const std::size_t n = 150, d = 6;
    std::vector<double> x(n * d);
    for (auto& v : x) v = nd(rng);
    std::vector<int> labels(n);
    for (std::size_t i = 0; i < n; ++i) labels[i] = static_cast<int>(i % 5) - (i % 17 == 0);
    auto l1 = [&](std::size_t i, std::size_t j) {
        double s = 0;
        for (std::size_t c = 0; c < d; ++c) s += std::abs(x[i * d + c] - x[j * d + c]);
        return s;
    };
    SilhouetteOptions o;
    o.metric = DistanceMetric::kManhattan;
    const auto a = silhouette(std::span<const double>(x), n, d, labels, o);
    o.threads = 3;
    o.block_rows = 1;
    const auto b = silhouette(l1, n, labels, o);
    EXPECT_NEAR(a.score, b.score, 1e-12);
    EXPECT_EQ(a.n_clusters, b.n_clusters);
}

TEST(Silhouette, BadInputIsError) {
    const std::vector<double> x = {0, 1, 2, 3};
    EXPECT_THROW(silhouette(std::span<const double>(x), 3, 1, {0, 1, 1}), Error);     // size
    EXPECT_THROW(silhouette(std::span<const double>(x), 4, 1, {0, 0, 0, 0}), Error);  // 1 cluster
    const std::vector<double> bad = {0, NAN, 2, 3};
    EXPECT_THROW(silhouette(std::span<const double>(bad), 4, 1, {0, 0, 1, 1}), Error);
    SilhouetteOptions o;
    o.block_rows = 0;
    EXPECT_THROW(o.validate(), Error);
}

}  // namespace
}  // namespace faceatlas::eval
