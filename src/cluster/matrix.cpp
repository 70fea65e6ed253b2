#include "faceatlas/cluster/matrix.h"

#include <cmath>
#include <string>
#include <utility>

#include "faceatlas/core/error.h"

namespace faceatlas::cluster {

Matrix::Matrix(std::size_t rows, std::size_t cols, float fill)
    : values_(rows * cols, fill), rows_(rows), cols_(cols) {}

Matrix::Matrix(std::size_t rows, std::size_t cols, std::vector<float> values)
    : values_(std::move(values)), rows_(rows), cols_(cols) {
    if (values_.size() != rows * cols) {
        throw Error(ErrorCode::kInvalidArgument,
                    "matrix has " + std::to_string(values_.size()) + " values, expected " +
                        std::to_string(rows) + " x " + std::to_string(cols),
                    "faceatlas::cluster::Matrix", "pass rows * cols values, row-major");
    }
}

void check_matrix(const MatrixView& x, std::string_view caller) {
    if (x.rows == 0) return;
    if (x.data == nullptr || x.cols == 0) {
        throw Error(ErrorCode::kInvalidArgument,
                    std::string(caller) + ": vectors have no data or zero dimension",
                    std::string(caller), "pass a non-empty row-major matrix");
    }
    for (std::size_t i = 0; i < x.rows; ++i) {
        const float* r = x.row(i);
        for (std::size_t j = 0; j < x.cols; ++j) {
            if (!std::isfinite(r[j])) {
                throw Error(
                    ErrorCode::kInvalidArgument,
                    std::string(caller) + ": vector " + std::to_string(i) +
                        " has a non-finite value (NaN or Inf) at dimension " + std::to_string(j),
                    std::string(caller), "drop or recompute that embedding before clustering");
            }
        }
    }
}

}  // namespace faceatlas::cluster
