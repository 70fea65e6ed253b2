// Internal: blocked distance kernels shared by pairwise/condensed/k-NN/DBSCAN code.
#pragma once

#include <cstddef>
#include <vector>

#include "faceatlas/cluster/distance.h"
#include "faceatlas/cluster/matrix.h"

namespace faceatlas::cluster::detail {

// Squared L2 norm of every row, accumulated in double.
std::vector<double> row_sq_norms(const MatrixView& x);

// out (row-major nx x ny) = distance(x.row(x0 + i), y.row(y0 + j)). x_sq / y_sq are row_sq_norms
// of x and y (only read for Euclidean/cosine). The float version uses a float GEMM, the double
// version a double GEMM.
void distance_block(const MatrixView& x, std::size_t x0, std::size_t nx, const MatrixView& y,
                    std::size_t y0, std::size_t ny, Metric metric, const std::vector<double>& x_sq,
                    const std::vector<double>& y_sq, float* out);
void distance_block(const MatrixView& x, std::size_t x0, std::size_t nx, const MatrixView& y,
                    std::size_t y0, std::size_t ny, Metric metric, const std::vector<double>& x_sq,
                    const std::vector<double>& y_sq, double* out);

}  // namespace faceatlas::cluster::detail
