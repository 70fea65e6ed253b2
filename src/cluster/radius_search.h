// Internal: exact fixed-radius neighbour search (blocked GEMM + exact re-check near the radius).
#pragma once

#include <cstddef>
#include <vector>

#include "faceatlas/cluster/distance.h"
#include "faceatlas/cluster/matrix.h"

namespace faceatlas::cluster::detail {

// Compressed sparse rows: neighbours of i are indices[offsets[i] .. offsets[i+1]), ascending,
// with their distances. Self is not included.
struct NeighborLists {
    std::vector<std::size_t> offsets;
    std::vector<int> indices;
    std::vector<float> distances;
};

// ensures: j is listed for i iff distance(i, j) <= radius (inclusive) or < radius (!inclusive),
//          decided in double precision for pairs whose float GEMM distance is within a
//          rounding margin of the radius.
NeighborLists radius_neighbors(const MatrixView& x, Metric metric, double radius, bool inclusive,
                               std::size_t block_rows);

}  // namespace faceatlas::cluster::detail
