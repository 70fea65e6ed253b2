// Pair-counting clustering scores: every unordered pair of items is a "same" or "different"
// decision on each side.
//
//   true positive  pair: same class and same cluster
//   false positive pair: different classes, same cluster
//   false negative pair: same class, different clusters
//   true negative  pair: different classes and different clusters
//
// Pairwise precision = TP / (TP + FP), recall = TP / (TP + FN), F = harmonic mean.
// Limit cases (defined here, no sklearn counterpart): precision is 1 when the clustering
// proposes no pair (nothing wrongly merged), recall is 1 when the truth has no pair (nothing
// to find), F is 0 when precision + recall == 0.
// ARI is sklearn's adjusted_rand_score, computed from the same counts with exact 128-bit
// integer products; it is 1.0 when FP == FN == 0 (including N == 0), as in sklearn.
#pragma once

#include <cstdint>

#include "faceatlas/eval/contingency.h"

namespace faceatlas::eval {

struct PairCounts {
    std::int64_t tp = 0;  // unordered pairs, see file comment
    std::int64_t fp = 0;
    std::int64_t fn = 0;
    std::int64_t tn = 0;
};
PairCounts pair_counts(const Contingency& c);

struct PairwiseScores {
    double precision = 1.0;
    double recall = 1.0;
    double f = 1.0;
};
PairwiseScores pairwise_scores(const Contingency& c);

double adjusted_rand_index(const Contingency& c);

}  // namespace faceatlas::eval
