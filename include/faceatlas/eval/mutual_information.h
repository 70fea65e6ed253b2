// Information-theoretic clustering scores on a contingency table, mirroring scikit-learn 1.2
// (sklearn.metrics.cluster._supervised) including its limit cases. Natural logarithms.
//
// sklearn limit cases mirrored here (N = items, R = classes, C = clusters):
//   * entropy of an empty labeling is 1.0 (sic, sklearn.metrics.cluster.entropy); a labeling
//     with one distinct value has entropy 0.
//   * mutual information is 0 when R == 1 or C == 1; per-cell terms with |term| < DBL_EPSILON
//     are zeroed before summing and the sum is clipped at 0.
//   * expected mutual information is 0 when R == 1 or C == 1.
//   * AMI and NMI are 1.0 when R == C == 1 or N == 0 ("no split on either side is a perfect
//     match"); NMI is 0 when MI == 0 otherwise. AMI's denominator (mean entropy - EMI) is pushed
//     away from 0 to +-DBL_EPSILON, keeping its sign, as sklearn does; so two identical
//     all-singleton labelings give a floating-point-noise AMI in sklearn and here alike.
//   * homogeneity = MI / H(truth), 1.0 when H(truth) == 0; completeness = MI / H(pred), 1.0 when
//     H(pred) == 0; V-measure (beta = 1) = 0 when both are 0; all three are 1.0 for N == 0.
#pragma once

#include <cstdint>
#include <vector>

#include "faceatlas/eval/contingency.h"

namespace faceatlas::eval {

// Shannon entropy (nats) of a labeling given its group sizes (all > 0) and their total.
double entropy_of_sizes(const std::vector<std::int64_t>& sizes);

// I(truth; pred) in nats.
double mutual_information(const Contingency& c);

// E[I] under the hypergeometric (permutation) model with the table's margins fixed: exactly
// sklearn's expected_mutual_information, evaluated once per distinct (class size, cluster size)
// pair instead of once per (class, cluster) pair, which makes it O(distinct sizes^2 * size)
// instead of O(R * C * size) and lets N = 200k run in milliseconds.
double expected_mutual_information(const Contingency& c);

// Adjusted mutual information with sklearn's default "arithmetic" mean of the entropies.
double adjusted_mutual_information(const Contingency& c);

// Normalized mutual information, arithmetic mean normalizer (sklearn default).
double normalized_mutual_information(const Contingency& c);

struct HomogeneityCompleteness {
    double homogeneity = 1.0;
    double completeness = 1.0;
    double v_measure = 1.0;
};
HomogeneityCompleteness homogeneity_completeness_v(const Contingency& c);

}  // namespace faceatlas::eval
