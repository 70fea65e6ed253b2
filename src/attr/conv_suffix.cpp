#include "faceatlas/attr/conv_suffix.h"

#include <Eigen/Core>
#include <algorithm>

#include "faceatlas/core/error.h"

namespace faceatlas::attr {

void ConvSuffix::validate() const {
    auto bad = [](const std::string& what) {
        throw Error(ErrorCode::kCorruptData, what, "attribute model suffix");
    };
    if (blocks.empty()) return;
    if (first_block < 1 || first_block + static_cast<int>(blocks.size()) - 1 != 13)
        bad("suffix blocks must run from first_block to faceres block 13");
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        const auto& b = blocks[i];
        const auto C = static_cast<std::size_t>(b.channels), O = static_cast<std::size_t>(b.out);
        if (b.channels < 1 || b.out < 1 || (b.stride != 1 && b.stride != 2))
            bad("bad suffix block shape");
        if (i > 0 && blocks[i - 1].out != b.channels) bad("suffix block channels do not chain");
        if (b.dw_weight.size() != C * 9 || b.dw_scale.size() != C || b.dw_shift.size() != C ||
            b.pw_weight.size() != O * C || b.pw_bias.size() != O)
            bad("suffix block " + std::to_string(first_block + static_cast<int>(i)) +
                " has inconsistent weight sizes");
        if (!(b.dw_clip > 0) || !(b.pw_clip > 0)) bad("suffix clip values must be positive");
    }
}

std::vector<float> ConvSuffix::forward(const float* x, int H, int W, int& Ho, int& Wo) const {
    using Mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    std::vector<float> cur(
        x, x + static_cast<std::size_t>(blocks.empty() ? 0 : blocks[0].channels) * H * W);
    int h = H, w = W;
    for (const auto& b : blocks) {
        const int C = b.channels;
        // TF SAME: output ceil(h / s); the extra padding row/column goes bottom/right.
        const int oh = (h + b.stride - 1) / b.stride, ow = (w + b.stride - 1) / b.stride;
        const int pad_h = std::max((oh - 1) * b.stride + 3 - h, 0),
                  pad_w = std::max((ow - 1) * b.stride + 3 - w, 0);
        const int top = pad_h / 2, left = pad_w / 2;
        Mat dw(C, oh * ow);
        for (int c = 0; c < C; ++c) {
            const float* in = cur.data() + static_cast<std::size_t>(c) * h * w;
            const float* k = b.dw_weight.data() + static_cast<std::size_t>(c) * 9;
            for (int y = 0; y < oh; ++y)
                for (int xo = 0; xo < ow; ++xo) {
                    float s = 0;
                    for (int ky = 0; ky < 3; ++ky) {
                        const int iy = y * b.stride + ky - top;
                        if (iy < 0 || iy >= h) continue;
                        for (int kx = 0; kx < 3; ++kx) {
                            const int ix = xo * b.stride + kx - left;
                            if (ix < 0 || ix >= w) continue;
                            s += in[iy * w + ix] * k[ky * 3 + kx];
                        }
                    }
                    dw(c, y * ow + xo) = std::clamp(s * b.dw_scale[static_cast<std::size_t>(c)] +
                                                        b.dw_shift[static_cast<std::size_t>(c)],
                                                    0.f, b.dw_clip);
                }
        }
        Eigen::Map<const Mat> pw(b.pw_weight.data(), b.out, C);
        Mat out = pw * dw;
        for (int o = 0; o < b.out; ++o)
            for (int j = 0; j < oh * ow; ++j)
                out(o, j) =
                    std::clamp(out(o, j) + b.pw_bias[static_cast<std::size_t>(o)], 0.f, b.pw_clip);
        cur.assign(out.data(), out.data() + out.size());
        h = oh;
        w = ow;
    }
    Ho = h;
    Wo = w;
    return cur;
}

}  // namespace faceatlas::attr
