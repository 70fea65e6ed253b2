// One verification report for a list of scored pairs: what `faceatlas eval verification`
// prints. Built from the primitives of roc.h and verification_accuracy.h.
//
// Definitions:
//   accuracy, accuracy_std  kfold_accuracy() over the given folds (LFW protocol: threshold
//                           learned on the other folds, population std over folds)
//   threshold               best_threshold() on all pairs (the operating point to deploy)
//   auc                     roc_auc() (ties count one half)
//   tar_at_far              tar_at_far(roc, far_target); with fewer than 1 / far_target different
//                           pairs this is the TAR at FAR = 0
// Distances: euclidean_distance (dlib: same person below ~0.6) and cosine_distance = 1 - cos
// (faceres). Both require equal, non-zero lengths (else faceatlas::Error kInvalidArgument);
// cosine_distance of a zero vector is 1 (orthogonal to everything).
#pragma once

#include <cstddef>
#include <vector>

#include "faceatlas/eval/roc.h"
#include "faceatlas/eval/verification_accuracy.h"

namespace faceatlas::eval {

struct VerificationReport {
    double accuracy = 0.0;
    double accuracy_std = 0.0;
    double threshold = 0.0;
    double auc = 0.0;
    double far_target = 1e-3;
    double tar_at_far = 0.0;
    std::size_t n_pairs = 0;
    std::vector<FoldAccuracy> folds;
};

// Requires what kfold_accuracy and roc_curve require (equal sizes, finite scores, >= 2 non-empty
// folds, both classes present).
VerificationReport evaluate_verification(const std::vector<double>& scores,
                                         const std::vector<bool>& same,
                                         const std::vector<int>& folds, ScoreKind kind,
                                         double far_target = 1e-3);

double euclidean_distance(const std::vector<float>& a, const std::vector<float>& b);
double cosine_distance(const std::vector<float>& a, const std::vector<float>& b);

}  // namespace faceatlas::eval
