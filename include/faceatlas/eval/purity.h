// Purity: how much of each predicted cluster belongs to its majority class.
//
//   purity = (1/N) * sum over clusters of (count of the cluster's most frequent class)
// Limit case: N == 0 gives 1. Purity is 1 for all-singleton clusterings, so report it next to
// K/C or a recall-type score, never alone.
#pragma once

#include <cstdint>
#include <vector>

#include "faceatlas/eval/contingency.h"

namespace faceatlas::eval {

double purity(const Contingency& c);

struct ClusterPurity {
    int cluster = 0;        // predicted label as given
    std::int64_t size = 0;  // items in the cluster
    int majority = 0;       // most frequent truth label in it (ties: smallest label)
    std::int64_t majority_count = 0;
    double purity = 1.0;  // majority_count / size
};

// One entry per distinct predicted label, ascending. Labels are taken as given (a kUnsorted
// group is one column here; expand_unsorted() first to see unsorted faces as singletons).
// This is the "purity per column" of the class x cluster table, e.g. per cluster gender purity.
// Requires truth.size() == predicted.size() (else faceatlas::Error).
std::vector<ClusterPurity> per_cluster_purity(const std::vector<int>& truth,
                                              const std::vector<int>& predicted);

}  // namespace faceatlas::eval
