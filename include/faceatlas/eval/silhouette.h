// Mean silhouette coefficient (Rousseeuw 1987) with scikit-learn's semantics
// (sklearn.metrics.silhouette_score / silhouette_samples, 1.2):
//
//   a(i) = mean distance from i to the other members of its cluster
//   b(i) = min over other clusters C of the mean distance from i to the members of C
//   s(i) = (b - a) / max(a, b);  s(i) = 0 when i is alone in its cluster, and 0 when a = b = 0
//   score = mean of s(i) over the scored items
//
// Requires 2 <= number of clusters <= number of scored items - 1, else faceatlas::Error
// (kInvalidArgument): sklearn raises ValueError there too.
//
// Distances (computed in double from float or double rows; d(i, i) = 0):
//   kEuclidean  sqrt(sum (x - y)^2). sklearn uses the |x|^2 - 2xy + |y|^2 expansion; the
//               direct form here is more accurate and agrees to ~1e-12 on sane data.
//   kCosine     1 - x.y / (|x| |y|), clipped to [0, 2]; a zero row has distance 1 to every other
//               row (sklearn's normalize() leaves zero rows at zero).
//   kManhattan  sum |x - y|.
//
// Noise: the label `noise_label` (default kUnsorted = -1) is handled per NoiseHandling:
//   kSingletons (default) each noise item is its own cluster, as in ClusteringScores: it scores 0
//                         and is a candidate nearest cluster for everybody else.
//   kExclude              noise items are dropped before anything is computed (what HDBSCAN users
//                         usually report); their per-sample value is NaN.
//   kAsLabel              sklearn on the raw labels: all noise items form one cluster.
//
// Cost: O(N^2 d) time, O(N + threads * block_rows * K) memory (never the N x N matrix), so
// N = 20k with 128-d embeddings needs a few MB.
#pragma once

#include <cstddef>
#include <functional>
#include <span>
#include <vector>

#include "faceatlas/eval/labels.h"

namespace faceatlas::eval {

enum class DistanceMetric { kEuclidean, kCosine, kManhattan };
enum class NoiseHandling { kSingletons, kExclude, kAsLabel };

struct SilhouetteOptions {
    DistanceMetric metric = DistanceMetric::kEuclidean;  // ignored by the callback overload
    NoiseHandling noise = NoiseHandling::kSingletons;
    int noise_label = kUnsorted;
    std::size_t block_rows = 64;  // rows that share one pass over the data; >= 1
    int threads = 1;              // worker threads; 0 = std::thread::hardware_concurrency()

    void validate() const;  // throws faceatlas::Error (kInvalidArgument)
};

struct SilhouetteResult {
    double score = 0.0;           // mean silhouette over the scored items
    std::vector<double> samples;  // one per input row; NaN for rows excluded as noise
    std::size_t n_scored = 0;     // rows that took part
    std::size_t n_clusters = 0;   // clusters after noise handling
};

// Distance between rows i and j of the caller's data (indices into the original rows).
using DistanceFn = std::function<double(std::size_t i, std::size_t j)>;

// `data` is row-major rows x cols. Requires data.size() == rows * cols and
// labels.size() == rows, finite values (else faceatlas::Error).
SilhouetteResult silhouette(std::span<const float> data, std::size_t rows, std::size_t cols,
                            const std::vector<int>& labels, const SilhouetteOptions& options = {});
SilhouetteResult silhouette(std::span<const double> data, std::size_t rows, std::size_t cols,
                            const std::vector<int>& labels, const SilhouetteOptions& options = {});

// Precomputed/custom distances: calls distance(i, j) for every ordered pair of distinct scored
// rows (N^2 - N calls, from `threads` threads at once, so it must be thread-safe). The
// diagonal is taken as 0, like sklearn's check on metric="precomputed".
SilhouetteResult silhouette(const DistanceFn& distance, std::size_t rows,
                            const std::vector<int>& labels, const SilhouetteOptions& options = {});

}  // namespace faceatlas::eval
