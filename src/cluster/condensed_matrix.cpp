#include "faceatlas/cluster/condensed_matrix.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "cluster/distance_blocks.h"
#include "faceatlas/core/error.h"

namespace faceatlas::cluster {

CondensedMatrix::CondensedMatrix(std::size_t n, float fill)
    : n_(n), values_(n < 2 ? 0 : n * (n - 1) / 2, fill) {}

CondensedMatrix::CondensedMatrix(std::size_t n, std::vector<float> values)
    : n_(n), values_(std::move(values)) {
    const std::size_t expected = n < 2 ? 0 : n * (n - 1) / 2;
    if (values_.size() != expected) {
        throw Error(ErrorCode::kInvalidArgument,
                    "condensed matrix has " + std::to_string(values_.size()) +
                        " values, expected N(N-1)/2 = " + std::to_string(expected),
                    "CondensedMatrix", "pass scipy pdist order: (0,1), (0,2), ..., (N-2,N-1)");
    }
    for (std::size_t k = 0; k < values_.size(); ++k) {
        if (std::isnan(values_[k]) || values_[k] < 0) {
            throw Error(ErrorCode::kInvalidArgument,
                        "condensed matrix entry " + std::to_string(k) + " is NaN or negative",
                        "CondensedMatrix", "distances must be >= 0 (+inf means never merge)");
        }
    }
}

CondensedMatrix condensed_distances(const MatrixView& x, Metric metric) {
    check_matrix(x, "condensed_distances");
    const std::size_t n = x.rows;
    CondensedMatrix out(n);
    if (n < 2) return out;
    const std::vector<double> sq = detail::row_sq_norms(x);
    // Row blocks of the upper triangle; scratch is block x (n - i0) doubles (<= ~8 MB).
    const std::size_t block = std::clamp<std::size_t>(1'000'000 / n, 16, 1024);
    std::vector<double> scratch;
    float* d = out.data();
    for (std::size_t i0 = 0; i0 + 1 < n; i0 += block) {
        const std::size_t nb = std::min(block, n - 1 - i0);
        const std::size_t j0 = i0 + 1;
        const std::size_t nc = n - j0;
        scratch.resize(nb * nc);
        detail::distance_block(x, i0, nb, x, j0, nc, metric, sq, sq, scratch.data());
        for (std::size_t r = 0; r < nb; ++r) {
            const std::size_t i = i0 + r;
            // Row i holds pairs (i, j) for j = i+1 .. n-1, i.e. scratch columns i+1-j0 ...
            const double* src = scratch.data() + r * nc + (i + 1 - j0);
            float* dst = d + CondensedMatrix::index(n, i, i + 1);
            for (std::size_t j = 0; j < n - i - 1; ++j) dst[j] = static_cast<float>(src[j]);
        }
    }
    return out;
}

}  // namespace faceatlas::cluster
