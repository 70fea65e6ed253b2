// Row-major float matrices: a non-owning view every algorithm reads, and an owning Matrix.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace faceatlas::cluster {

// A read-only, row-major view of `rows` vectors of dimension `cols`. The caller keeps `data`
// alive for as long as the view is used. rows == 0 is a valid empty set.
struct MatrixView {
    const float* data = nullptr;
    std::size_t rows = 0;
    std::size_t cols = 0;

    const float* row(std::size_t i) const { return data + i * cols; }
    float operator()(std::size_t i, std::size_t j) const { return data[i * cols + j]; }
    bool empty() const { return rows == 0; }
};

// An owning row-major float matrix (contiguous, rows * cols values).
class Matrix {
  public:
    Matrix() = default;
    // ensures: rows() == rows, cols() == cols, every value == fill.
    Matrix(std::size_t rows, std::size_t cols, float fill = 0.0f);
    // requires: values.size() == rows * cols (else throws faceatlas::Error kInvalidArgument).
    Matrix(std::size_t rows, std::size_t cols, std::vector<float> values);

    std::size_t rows() const { return rows_; }
    std::size_t cols() const { return cols_; }
    float* data() { return values_.data(); }
    const float* data() const { return values_.data(); }
    float* row(std::size_t i) { return values_.data() + i * cols_; }
    const float* row(std::size_t i) const { return values_.data() + i * cols_; }
    float& operator()(std::size_t i, std::size_t j) { return values_[i * cols_ + j]; }
    float operator()(std::size_t i, std::size_t j) const { return values_[i * cols_ + j]; }
    const std::vector<float>& values() const { return values_; }

    MatrixView view() const { return {values_.data(), rows_, cols_}; }
    operator MatrixView() const { return view(); }  // NOLINT(google-explicit-constructor)

  private:
    std::vector<float> values_;
    std::size_t rows_ = 0;
    std::size_t cols_ = 0;
};

// ensures: returns normally when every value of x is finite and (rows == 0 or data != nullptr,
//          cols > 0); otherwise throws faceatlas::Error(kInvalidArgument) naming `caller` and the
//          first offending row.
void check_matrix(const MatrixView& x, std::string_view caller);

}  // namespace faceatlas::cluster
