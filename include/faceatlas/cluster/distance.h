// Vector distances and blocked pairwise distance matrices.
#pragma once

#include <cstddef>
#include <string_view>

#include "faceatlas/cluster/matrix.h"

namespace faceatlas::cluster {

enum class Metric {
    kEuclidean,         // ||a - b||
    kSquaredEuclidean,  // ||a - b||^2
    kCosine,            // 1 - a.b / (|a| |b|); a zero vector is at distance 1 from everything
    kManhattan,         // sum |a_i - b_i| (scipy "cityblock")
};

const char* to_string(Metric metric);
// ensures: parses "euclidean", "sqeuclidean", "cosine", "cityblock"/"manhattan"; anything else
//          throws faceatlas::Error(kInvalidArgument).
Metric metric_from_string(std::string_view name);

// requires: a and b point to dim floats.
// ensures: the distance in double precision (the reference the blocked kernels approximate).
double distance(const float* a, const float* b, std::size_t dim, Metric metric);

// requires: x.cols == y.cols; finite values (else throws faceatlas::Error).
// ensures: returns D (x.rows x y.rows) with D(i, j) = distance(x.row(i), y.row(j)), computed in
//          blocks; Euclidean/cosine use one GEMM per block (float, ~1e-6 relative error; tiny
//          negative squared distances are clamped to 0).
Matrix pairwise_distances(const MatrixView& x, const MatrixView& y, Metric metric);

}  // namespace faceatlas::cluster
