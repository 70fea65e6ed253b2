#include "faceatlas/cluster/distance.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <string>

#include "cluster/distance_blocks.h"
#include "faceatlas/core/error.h"

namespace faceatlas::cluster {

const char* to_string(Metric metric) {
    switch (metric) {
        case Metric::kEuclidean:
            return "euclidean";
        case Metric::kSquaredEuclidean:
            return "sqeuclidean";
        case Metric::kCosine:
            return "cosine";
        case Metric::kManhattan:
            return "cityblock";
    }
    return "?";
}

Metric metric_from_string(std::string_view name) {
    if (name == "euclidean") return Metric::kEuclidean;
    if (name == "sqeuclidean") return Metric::kSquaredEuclidean;
    if (name == "cosine") return Metric::kCosine;
    if (name == "cityblock" || name == "manhattan") return Metric::kManhattan;
    throw Error(ErrorCode::kInvalidArgument, "unknown metric '" + std::string(name) + "'", "metric",
                "use euclidean, sqeuclidean, cosine or cityblock");
}

double distance(const float* a, const float* b, std::size_t dim, Metric metric) {
    switch (metric) {
        case Metric::kEuclidean:
        case Metric::kSquaredEuclidean: {
            double s = 0;
            for (std::size_t i = 0; i < dim; ++i) {
                const double d = static_cast<double>(a[i]) - b[i];
                s += d * d;
            }
            return metric == Metric::kEuclidean ? std::sqrt(s) : s;
        }
        case Metric::kCosine: {
            double ab = 0, aa = 0, bb = 0;
            for (std::size_t i = 0; i < dim; ++i) {
                ab += static_cast<double>(a[i]) * b[i];
                aa += static_cast<double>(a[i]) * a[i];
                bb += static_cast<double>(b[i]) * b[i];
            }
            if (aa == 0 || bb == 0) return 1.0;
            return std::max(0.0, 1.0 - ab / std::sqrt(aa * bb));
        }
        case Metric::kManhattan: {
            double s = 0;
            for (std::size_t i = 0; i < dim; ++i) s += std::abs(static_cast<double>(a[i]) - b[i]);
            return s;
        }
    }
    return 0;
}

namespace detail {

std::vector<double> row_sq_norms(const MatrixView& x) {
    std::vector<double> out(x.rows);
    for (std::size_t i = 0; i < x.rows; ++i) {
        const float* r = x.row(i);
        double s = 0;
        for (std::size_t j = 0; j < x.cols; ++j) s += static_cast<double>(r[j]) * r[j];
        out[i] = s;
    }
    return out;
}

namespace {

template <typename T>
void block_impl(const MatrixView& x, std::size_t x0, std::size_t nx, const MatrixView& y,
                std::size_t y0, std::size_t ny, Metric metric, const std::vector<double>& x_sq,
                const std::vector<double>& y_sq, T* out) {
    using RowMat = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    using RowMatF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const auto d = static_cast<Eigen::Index>(x.cols);
    const auto rows = static_cast<Eigen::Index>(nx);
    const auto cols = static_cast<Eigen::Index>(ny);
    if (nx == 0 || ny == 0) return;
    if (metric == Metric::kManhattan) {
#pragma omp parallel for schedule(static)
        for (Eigen::Index i = 0; i < rows; ++i) {
            const float* a = x.row(x0 + static_cast<std::size_t>(i));
            for (Eigen::Index j = 0; j < cols; ++j) {
                const float* b = y.row(y0 + static_cast<std::size_t>(j));
                T s = 0;
                for (Eigen::Index k = 0; k < d; ++k) s += std::abs(static_cast<T>(a[k]) - b[k]);
                out[i * cols + j] = s;
            }
        }
        return;
    }
    Eigen::Map<const RowMatF> xa(x.row(x0), rows, d);
    Eigen::Map<const RowMatF> yb(y.row(y0), cols, d);
    Eigen::Map<RowMat> o(out, rows, cols);
    if constexpr (std::is_same_v<T, float>) {
        o.noalias() = xa * yb.transpose();
    } else {
        const RowMat xd = xa.template cast<double>();
        const RowMat yd = yb.template cast<double>();
        o.noalias() = xd * yd.transpose();
    }
#pragma omp parallel for schedule(static)
    for (Eigen::Index i = 0; i < rows; ++i) {
        const T ni = static_cast<T>(x_sq[x0 + static_cast<std::size_t>(i)]);
        T* orow = out + i * cols;
        switch (metric) {
            case Metric::kEuclidean:
            case Metric::kSquaredEuclidean:
                for (Eigen::Index j = 0; j < cols; ++j) {
                    const T nj = static_cast<T>(y_sq[y0 + static_cast<std::size_t>(j)]);
                    T s = std::max(T(0), ni + nj - T(2) * orow[j]);
                    orow[j] = metric == Metric::kEuclidean ? std::sqrt(s) : s;
                }
                break;
            case Metric::kCosine: {
                const T si = std::sqrt(ni);
                for (Eigen::Index j = 0; j < cols; ++j) {
                    const T sj = std::sqrt(static_cast<T>(y_sq[y0 + static_cast<std::size_t>(j)]));
                    orow[j] =
                        (si == 0 || sj == 0) ? T(1) : std::max(T(0), T(1) - orow[j] / (si * sj));
                }
                break;
            }
            case Metric::kManhattan:
                break;
        }
    }
}

}  // namespace

void distance_block(const MatrixView& x, std::size_t x0, std::size_t nx, const MatrixView& y,
                    std::size_t y0, std::size_t ny, Metric metric, const std::vector<double>& x_sq,
                    const std::vector<double>& y_sq, float* out) {
    block_impl<float>(x, x0, nx, y, y0, ny, metric, x_sq, y_sq, out);
}

void distance_block(const MatrixView& x, std::size_t x0, std::size_t nx, const MatrixView& y,
                    std::size_t y0, std::size_t ny, Metric metric, const std::vector<double>& x_sq,
                    const std::vector<double>& y_sq, double* out) {
    block_impl<double>(x, x0, nx, y, y0, ny, metric, x_sq, y_sq, out);
}

}  // namespace detail

Matrix pairwise_distances(const MatrixView& x, const MatrixView& y, Metric metric) {
    check_matrix(x, "pairwise_distances");
    check_matrix(y, "pairwise_distances");
    if (x.rows > 0 && y.rows > 0 && x.cols != y.cols) {
        throw Error(ErrorCode::kInvalidArgument,
                    "pairwise_distances: dimensions differ (" + std::to_string(x.cols) + " vs " +
                        std::to_string(y.cols) + ")",
                    "pairwise_distances", "compare vectors of the same embedding model");
    }
    Matrix out(x.rows, y.rows);
    if (x.rows == 0 || y.rows == 0) return out;
    const std::vector<double> xs = detail::row_sq_norms(x);
    const std::vector<double> ys = detail::row_sq_norms(y);
    constexpr std::size_t kBlock = 4096;
    for (std::size_t i0 = 0; i0 < x.rows; i0 += kBlock) {
        const std::size_t nx = std::min(kBlock, x.rows - i0);
        // Output rows are contiguous, so one block covers all of y.
        detail::distance_block(x, i0, nx, y, 0, y.rows, metric, xs, ys, out.row(i0));
    }
    return out;
}

}  // namespace faceatlas::cluster
