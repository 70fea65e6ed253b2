#include "faceatlas/eval/clustering_scores.h"

#include "faceatlas/eval/bcubed.h"
#include "faceatlas/eval/contingency.h"
#include "faceatlas/eval/labels.h"
#include "faceatlas/eval/mutual_information.h"
#include "faceatlas/eval/pair_counting.h"
#include "faceatlas/eval/purity.h"

namespace faceatlas::eval {

ClusteringScores score_clustering(const std::vector<int>& truth,
                                  const std::vector<int>& predicted) {
    const Contingency c = make_contingency(truth, expand_unsorted(predicted));
    ClusteringScores s;
    s.n_faces = c.n;
    for (int p : predicted) s.n_unsorted += p == kUnsorted ? 1 : 0;
    s.K = static_cast<std::int64_t>(c.n_cols());
    s.C = static_cast<std::int64_t>(c.n_rows());
    s.K_over_C = s.C == 0 ? 1.0 : static_cast<double>(s.K) / static_cast<double>(s.C);
    s.ARI = adjusted_rand_index(c);
    s.AMI = adjusted_mutual_information(c);
    s.NMI = normalized_mutual_information(c);
    const HomogeneityCompleteness hc = homogeneity_completeness_v(c);
    s.homogeneity = hc.homogeneity;
    s.completeness = hc.completeness;
    s.v_measure = hc.v_measure;
    const BCubedScores b = bcubed_scores(c);
    s.bcubed_precision = b.precision;
    s.bcubed_recall = b.recall;
    s.bcubed_f = b.f;
    const PairwiseScores p = pairwise_scores(c);
    s.pairwise_precision = p.precision;
    s.pairwise_recall = p.recall;
    s.pairwise_f = p.f;
    s.purity = purity(c);
    return s;
}

ClusteringScores score_clustering(const std::vector<std::string>& truth,
                                  const std::vector<int>& predicted) {
    return score_clustering(encode_labels(truth).ids, predicted);
}

void to_json(nlohmann::json& j, const ClusteringScores& s) {
    j = nlohmann::json{{"K", s.K},
                       {"C", s.C},
                       {"K_over_C", s.K_over_C},
                       {"ARI", s.ARI},
                       {"AMI", s.AMI},
                       {"NMI", s.NMI},
                       {"homogeneity", s.homogeneity},
                       {"completeness", s.completeness},
                       {"v_measure", s.v_measure},
                       {"bcubed_precision", s.bcubed_precision},
                       {"bcubed_recall", s.bcubed_recall},
                       {"bcubed_f", s.bcubed_f},
                       {"pairwise_precision", s.pairwise_precision},
                       {"pairwise_recall", s.pairwise_recall},
                       {"pairwise_f", s.pairwise_f},
                       {"purity", s.purity},
                       {"n_faces", s.n_faces},
                       {"n_unsorted", s.n_unsorted}};
}

}  // namespace faceatlas::eval
