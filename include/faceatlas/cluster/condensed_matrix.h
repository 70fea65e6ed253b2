// Condensed (upper-triangle) pairwise distance matrix: N(N-1)/2 floats, 4 bytes per pair, in
// scipy's pdist order: (0,1), (0,2), ..., (0,N-1), (1,2), ...
#pragma once

#include <cstddef>
#include <vector>

#include "faceatlas/cluster/distance.h"
#include "faceatlas/cluster/matrix.h"

namespace faceatlas::cluster {

class CondensedMatrix {
  public:
    CondensedMatrix() = default;
    // ensures: size() == n, every pair distance == fill.
    explicit CondensedMatrix(std::size_t n, float fill = 0.0f);
    // requires: values.size() == n(n-1)/2, no NaN and no negative value (+inf is allowed: it
    //           means "never merge"); otherwise throws faceatlas::Error(kInvalidArgument).
    CondensedMatrix(std::size_t n, std::vector<float> values);

    // Number of observations N.
    std::size_t size() const { return n_; }
    std::size_t num_pairs() const { return values_.size(); }

    // requires: i != j, both < n. ensures: scipy's condensed_index.
    static std::size_t index(std::size_t n, std::size_t i, std::size_t j) {
        if (i > j) {
            const std::size_t t = i;
            i = j;
            j = t;
        }
        return n * i - (i * (i + 1)) / 2 + (j - i - 1);
    }
    float operator()(std::size_t i, std::size_t j) const { return values_[index(n_, i, j)]; }
    float& at(std::size_t i, std::size_t j) { return values_[index(n_, i, j)]; }

    float* data() { return values_.data(); }
    const float* data() const { return values_.data(); }
    const std::vector<float>& values() const { return values_; }

  private:
    std::size_t n_ = 0;
    std::vector<float> values_;
};

// requires: finite x (else throws faceatlas::Error).
// ensures: the condensed matrix of distance(x.row(i), x.row(j)), i < j. Euclidean and cosine
//          blocks are computed by a double-precision GEMM (then stored as float), so values match
//          scipy's pdist to float rounding. Memory: 4 bytes per pair + O(block) scratch.
CondensedMatrix condensed_distances(const MatrixView& x, Metric metric);

}  // namespace faceatlas::cluster
