// Shared helpers for the cluster tests: golden fixture loading and naive reference algorithms.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "faceatlas/cluster/condensed_matrix.h"
#include "faceatlas/cluster/linkage.h"
#include "faceatlas/cluster/matrix.h"

namespace faceatlas::cluster::testing {

inline nlohmann::json load_golden(const std::string& name) {
    const std::string path = std::string(FACEATLAS_SOURCE_DIR) + "/tests/cluster/golden/" + name;
    std::ifstream in(path);
    if (!in) throw std::runtime_error("missing golden file " + path);
    return nlohmann::json::parse(in);
}

inline Matrix matrix_from_json(const nlohmann::json& rows) {
    const std::size_t n = rows.size();
    const std::size_t d = n ? rows[0].size() : 0;
    Matrix m(n, d);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < d; ++j) m(i, j) = static_cast<float>(rows[i][j].get<double>());
    }
    return m;
}

inline std::vector<int> labels_from_json(const nlohmann::json& v, int offset = 0) {
    std::vector<int> out;
    for (const auto& x : v) out.push_back(x.get<int>() + offset);
    return out;
}

// Gaussian blobs, float32, seeded.
inline Matrix make_blobs(std::size_t n, std::size_t d, int centers, float spread, float scale,
                         std::uint64_t seed, std::vector<int>* truth = nullptr) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    Matrix c(static_cast<std::size_t>(centers), d);
    for (std::size_t i = 0; i < c.rows(); ++i) {
        for (std::size_t j = 0; j < d; ++j) c(i, j) = normal(rng) * scale;
    }
    Matrix x(n, d);
    if (truth) truth->resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t k = i % static_cast<std::size_t>(centers);
        if (truth) (*truth)[i] = static_cast<int>(k);
        for (std::size_t j = 0; j < d; ++j) x(i, j) = c(k, j) + normal(rng) * spread;
    }
    return x;
}

inline void expect_linkage_equal(const Linkage& got, const nlohmann::json& z,
                                 const std::string& what, double rel = 1e-5) {
    ASSERT_EQ(got.steps.size(), z.size()) << what;
    for (std::size_t k = 0; k < z.size(); ++k) {
        const LinkageStep& s = got.steps[k];
        const double h = z[k][2].get<double>();
        EXPECT_EQ(s.a, z[k][0].get<int>()) << what << " row " << k;
        EXPECT_EQ(s.b, z[k][1].get<int>()) << what << " row " << k;
        EXPECT_NEAR(s.distance, h, rel * std::max(1.0, std::abs(h))) << what << " row " << k;
        EXPECT_EQ(s.size, z[k][3].get<int>()) << what << " row " << k;
    }
}

// scipy's naive O(N^3) linkage (Lance-Williams on a full double matrix, global minimum search
// each step); steps in merge order with scipy node ids. The reference for the fast paths.
inline Linkage naive_linkage(const CondensedMatrix& dm, LinkageMethod method) {
    const std::size_t n = dm.size();
    Linkage out;
    out.num_observations = n;
    if (n < 2) return out;
    std::vector<double> d(n * n, 0.0);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j)
            if (i != j) d[i * n + j] = dm(i, j);
    std::vector<int> id(n);
    std::vector<int> size(n, 1);
    for (std::size_t i = 0; i < n; ++i) id[i] = static_cast<int>(i);
    for (std::size_t k = 0; k + 1 < n; ++k) {
        double best = std::numeric_limits<double>::infinity();
        std::size_t x = 0, y = 0;
        for (std::size_t i = 0; i < n; ++i) {
            if (id[i] < 0) continue;
            for (std::size_t j = i + 1; j < n; ++j) {
                if (id[j] < 0) continue;
                if (d[i * n + j] < best) {
                    best = d[i * n + j];
                    x = i;
                    y = j;
                }
            }
        }
        const double nx = size[x], ny = size[y];
        out.steps.push_back(
            {std::min(id[x], id[y]), std::max(id[x], id[y]), best, size[x] + size[y]});
        for (std::size_t i = 0; i < n; ++i) {
            if (id[i] < 0 || i == x || i == y) continue;
            const double dxi = d[x * n + i], dyi = d[y * n + i], dxy = best, ni = size[i];
            double v = 0;
            switch (method) {
                case LinkageMethod::kSingle:
                    v = std::min(dxi, dyi);
                    break;
                case LinkageMethod::kComplete:
                    v = std::max(dxi, dyi);
                    break;
                case LinkageMethod::kAverage:
                    v = (nx * dxi + ny * dyi) / (nx + ny);
                    break;
                case LinkageMethod::kWeighted:
                    v = 0.5 * (dxi + dyi);
                    break;
                case LinkageMethod::kCentroid:
                    v = std::sqrt(std::max(
                        0.0, (nx * dxi * dxi + ny * dyi * dyi - nx * ny * dxy * dxy / (nx + ny)) /
                                 (nx + ny)));
                    break;
                case LinkageMethod::kMedian:
                    v = std::sqrt(std::max(0.0, 0.5 * (dxi * dxi + dyi * dyi) - 0.25 * dxy * dxy));
                    break;
                case LinkageMethod::kWard: {
                    const double t = 1.0 / (nx + ny + ni);
                    v = std::sqrt(std::max(0.0, (ni + nx) * t * dxi * dxi +
                                                    (ni + ny) * t * dyi * dyi -
                                                    ni * t * dxy * dxy));
                    break;
                }
            }
            d[y * n + i] = d[i * n + y] = v;
        }
        id[x] = -1;
        size[y] += size[x];
        id[y] = static_cast<int>(n + k);
    }
    return out;
}

}  // namespace faceatlas::cluster::testing
