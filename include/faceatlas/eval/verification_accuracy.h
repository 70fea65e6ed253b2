// Verification accuracy with the LFW "unrestricted, labeled outside data" protocol:
// 10-fold cross-validated accuracy at a learned threshold.
//
// Protocol (Huang et al. 2007, LFW technical report; pairs.txt has 10 sets of 300 same + 300
// different pairs):
//   for each fold k:
//     threshold_k = the threshold with the highest accuracy on the pairs of the other folds
//     accuracy_k  = accuracy of threshold_k on fold k
//   report mean and standard deviation of accuracy_k.
// Details fixed here:
//   * A pair is predicted "same" iff score >= t (kSimilarity) or score <= t (kDistance).
//   * Candidate thresholds are the midpoints between consecutive distinct training scores plus
//     "accept nothing" and "accept everything" (+-inf). Ties in training accuracy go to the most
//     permissive threshold (the one accepting the most pairs).
//   * std is the population standard deviation (ddof = 0), as numpy.std in the usual LFW
//     evaluation scripts (facenet, insightface).
//   * `folds[i]` is the fold of pair i, 0..n_folds-1; every fold must be non-empty. Use
//     contiguous_folds() for LFW files read without fold information.
// Requires scores.size() == same.size() == folds.size(), finite scores, n_folds >= 2
// (else faceatlas::Error).
#pragma once

#include <cstddef>
#include <vector>

#include "faceatlas/eval/roc.h"

namespace faceatlas::eval {

struct FoldAccuracy {
    int fold = 0;
    double threshold = 0.0;       // learned on the other folds
    double train_accuracy = 0.0;  // on the other folds
    double accuracy = 0.0;        // on this fold
    std::size_t n_pairs = 0;      // pairs in this fold
};

struct CrossValidatedAccuracy {
    double mean = 0.0;
    double std = 0.0;
    std::vector<FoldAccuracy> folds;
};

CrossValidatedAccuracy kfold_accuracy(const std::vector<double>& scores,
                                      const std::vector<bool>& same, const std::vector<int>& folds,
                                      ScoreKind kind = ScoreKind::kSimilarity);

struct ThresholdAccuracy {
    double threshold = 0.0;
    double accuracy = 0.0;
};

// Best single threshold on all given pairs (the training step above).
// Requires non-empty input of equal sizes, finite scores.
ThresholdAccuracy best_threshold(const std::vector<double>& scores, const std::vector<bool>& same,
                                 ScoreKind kind = ScoreKind::kSimilarity);

// Accuracy of a fixed threshold (same decision rule). Requires equal sizes, non-empty.
double accuracy_at_threshold(const std::vector<double>& scores, const std::vector<bool>& same,
                             double threshold, ScoreKind kind = ScoreKind::kSimilarity);

// Fold ids for n pairs split into n_folds contiguous blocks of (nearly) equal size, the layout of
// LFW's pairs.txt: fold = i * n_folds / n. Requires 1 <= n_folds <= n.
std::vector<int> contiguous_folds(std::size_t n, int n_folds);

}  // namespace faceatlas::eval
