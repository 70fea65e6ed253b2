// ROC curve, AUC and TAR at a fixed FAR for face verification scores.
//
// A verification trial is a pair of faces with a score and a flag `same` (same identity).
// ScoreKind says which way the score points: kSimilarity accepts a pair as "same" when
// score >= threshold, kDistance when score <= threshold.
//
// roc_curve() returns one point per distinct score, ordered from the strictest threshold to the
// most permissive, preceded by the point (fpr, tpr) = (0, 0) whose threshold accepts nothing
// (+inf for similarities, -inf for distances). For similarities this equals sklearn's
// roc_curve(same, score, drop_intermediate=False) except for that first threshold (sklearn 1.2
// writes max + 1, later versions inf). For distances it equals sklearn on -score.
// roc_auc() integrates the curve with the trapezoid rule, which equals sklearn's
// roc_auc_score (ties between a same and a different pair count one half).
// Requires finite scores, scores.size() == same.size(), at least one same and one different
// pair (sklearn raises ValueError for one class as well); else faceatlas::Error.
//
// TAR at FAR f: the operating point with the highest true accept rate whose false accept rate
// is <= f, i.e. threshold = the most permissive distinct score such that the fraction of
// different pairs accepted is at most f. With N different pairs that is at most floor(f * N)
// false accepts, so FAR = 1e-3 needs at least 1000 different pairs to be better than FAR = 0.
#pragma once

#include <cstdint>
#include <vector>

namespace faceatlas::eval {

enum class ScoreKind { kSimilarity, kDistance };

struct RocPoint {
    double threshold = 0.0;  // accept iff score >= threshold (similarity) / <= (distance)
    std::int64_t false_accepts = 0;
    std::int64_t true_accepts = 0;
    double fpr = 0.0;  // false accept rate, FAR
    double tpr = 0.0;  // true accept rate, TAR
};

struct RocCurve {
    ScoreKind kind = ScoreKind::kSimilarity;
    std::int64_t n_same = 0;
    std::int64_t n_different = 0;
    std::vector<RocPoint> points;  // fpr and tpr non-decreasing; first (0,0), last (1,1)
};

RocCurve roc_curve(const std::vector<double>& scores, const std::vector<bool>& same,
                   ScoreKind kind = ScoreKind::kSimilarity);

double roc_auc(const RocCurve& curve);
double roc_auc(const std::vector<double>& scores, const std::vector<bool>& same,
               ScoreKind kind = ScoreKind::kSimilarity);

struct TarAtFar {
    double far_target = 0.0;
    double threshold = 0.0;  // may be +-inf when no score is strict enough
    double far = 0.0;        // achieved, <= far_target
    double tar = 0.0;
};

// Requires 0 <= far_target <= 1 (else faceatlas::Error).
TarAtFar tar_at_far(const RocCurve& curve, double far_target);

}  // namespace faceatlas::eval
