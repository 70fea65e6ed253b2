// Every clustering score against ground truth in one typed result.
//
// Input: truth[i] is the identity of face i (ints, or strings via the overload); predicted[i]
// its cluster id, kUnsorted (-1) for a face left unsorted. Unsorted faces are scored as
// singleton clusters (see labels.h), so leaving a face unsorted costs recall, never precision.
//
// Requires: truth.size() == predicted.size(), else faceatlas::Error (kInvalidArgument).
// Empty input is allowed and mirrors sklearn, which returns 1.0 for ARI, AMI, NMI,
// homogeneity, completeness and V-measure on empty labelings; BCubed, pairwise and purity are
// then 1 as well (nothing to get wrong), K = C = n_faces = 0 and K_over_C = 1.
// Score definitions and their limit cases: mutual_information.h, pair_counting.h, bcubed.h,
// purity.h.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace faceatlas::eval {

struct ClusteringScores {
    std::int64_t K = 0;     // predicted clusters, each unsorted face counted as one
    std::int64_t C = 0;     // ground-truth identities
    double K_over_C = 1.0;  // K / C (1 when both are 0)
    double ARI = 1.0;       // adjusted Rand index (sklearn adjusted_rand_score)
    double AMI = 1.0;       // adjusted mutual info, arithmetic (sklearn default)
    double NMI = 1.0;       // normalized mutual info, arithmetic
    double homogeneity = 1.0;
    double completeness = 1.0;
    double v_measure = 1.0;
    double bcubed_precision = 1.0;
    double bcubed_recall = 1.0;
    double bcubed_f = 1.0;
    double pairwise_precision = 1.0;
    double pairwise_recall = 1.0;
    double pairwise_f = 1.0;
    double purity = 1.0;
    std::int64_t n_faces = 0;
    std::int64_t n_unsorted = 0;  // faces predicted kUnsorted (included in K as singletons)
};

ClusteringScores score_clustering(const std::vector<int>& truth, const std::vector<int>& predicted);
ClusteringScores score_clustering(const std::vector<std::string>& truth,
                                  const std::vector<int>& predicted);

// nlohmann ADL hook: `nlohmann::json j = scores;` gives an object keyed by the field names.
void to_json(nlohmann::json& j, const ClusteringScores& s);

}  // namespace faceatlas::eval
