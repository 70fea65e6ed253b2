// BCubed precision / recall / F (Bagga & Baldwin 1998; Amigo, Gonzalo, Artiles & Verdejo 2009).
//
// For item e with class L(e) and cluster C(e), correctness(e, e') = 1 iff L(e) == L(e') and
// C(e) == C(e'). Then
//   precision = mean over e of |{e' : C(e') == C(e), L(e') == L(e)}| / |{e' : C(e') == C(e)}|
//   recall    = mean over e of |{e' : C(e') == C(e), L(e') == L(e)}| / |{e' : L(e') == L(e)}|
//   F         = 2 P R / (P + R)   (Amigo et al.'s F with alpha = 0.5 on the averaged P and R)
// Each item counts itself (e' ranges over all items including e), so singletons are precise.
// Computed from the contingency table: P = sum_ij n_ij^2 / b_j / N, R = sum_ij n_ij^2 / a_i / N.
// Limit case: N == 0 gives P = R = F = 1 (nothing to get wrong).
#pragma once

#include "faceatlas/eval/contingency.h"

namespace faceatlas::eval {

struct BCubedScores {
    double precision = 1.0;
    double recall = 1.0;
    double f = 1.0;
};
BCubedScores bcubed_scores(const Contingency& c);

}  // namespace faceatlas::eval
