// Average pooling of one CHW feature map over a grid x grid partition of its plane: what the
// attribute features read from a faceres layer (vision::AttributeFeatureExtractor) and what the
// LibTorch-free finetuned suffix (attr::ConvSuffix) produces, so both use this one definition.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace faceatlas {

// Appends grid * grid * C means to `out`, cell-major: for each cell (rows of cells top to bottom,
// cells left to right), the C channel means. Cell (gy, gx) covers rows [gy H / g, (gy + 1) H / g)
// and columns [gx W / g, (gx + 1) W / g), at least one of each.
inline void grid_mean_pool(const float* chw, int C, int H, int W, int grid,
                           std::vector<float>& out) {
    for (int gy = 0; gy < grid; ++gy)
        for (int gx = 0; gx < grid; ++gx) {
            const int y0 = gy * H / grid, y1 = std::max(y0 + 1, (gy + 1) * H / grid);
            const int x0 = gx * W / grid, x1 = std::max(x0 + 1, (gx + 1) * W / grid);
            const double inv = 1.0 / ((y1 - y0) * (x1 - x0));
            for (int ch = 0; ch < C; ++ch) {
                const float* q =
                    chw + static_cast<std::size_t>(ch) * static_cast<std::size_t>(H) * W;
                double s = 0;
                for (int y = y0; y < y1; ++y)
                    for (int x = x0; x < x1; ++x) s += q[y * W + x];
                out.push_back(static_cast<float>(s * inv));
            }
        }
}

}  // namespace faceatlas
