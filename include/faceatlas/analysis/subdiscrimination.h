// Sub-discrimination: cluster face embeddings without labels into k groups and ask which
// labelled attribute (gender, race, age band, family, ...) best explains the split, over several
// seeds (mean +- std). Following "sub-discrimination" studies of face embeddings, where the
// first splits follow skin tone, then gender, then age.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "faceatlas/cluster/centroid_model.h"
#include "faceatlas/cluster/matrix.h"

namespace faceatlas::analysis {

// One label column over the rows of the embedding matrix. labels[i] = -1: no label for row i
// (that row is left out of this column's scores).
struct LabelColumn {
    std::string name;
    std::vector<int> labels;
    std::vector<std::string> values;  // values[label] is the label's text
};

// Encodes strings (empty = missing) into a LabelColumn.
LabelColumn make_label_column(std::string name, const std::vector<std::string>& values);

struct SubdiscriminationOptions {
    std::vector<int> ks{2, 4, 8};
    cluster::CentroidAlgorithm algorithm = cluster::CentroidAlgorithm::kKMeans;
    int seeds = 5;  // runs per k, with seeds seed, seed + 1, ...
    std::uint64_t seed = 0;
    int n_init = 1;  // restarts inside one run (k-means / GMM)
    // GMM covariance: diagonal (a full 1024 x 1024 covariance per component is not estimable
    // from a few thousand faces).
    cluster::CovarianceType covariance = cluster::CovarianceType::kDiagonal;
    // ensures: throws faceatlas::Error unless every k >= 1, seeds >= 1, n_init >= 1.
    void validate() const;
};

struct SplitScore {
    double mean = 0;
    double std = 0;  // population std over seeds
    std::vector<double> per_seed;
};

struct ColumnExplanation {
    int k = 0;
    std::string column;
    std::size_t labelled = 0;  // rows with a label in this column
    int classes = 0;
    double chance = 0;    // share of the majority class (purity of one cluster)
    SplitScore accuracy;  // Hungarian best-match accuracy (eval::best_match_accuracy)
    SplitScore purity;    // sum over clusters of the majority count / labelled
    SplitScore ami;       // adjusted mutual information (chance-corrected)
};

struct SubdiscriminationResult {
    std::vector<ColumnExplanation> rows;  // by k, then column order
    std::vector<std::string> best_by_k;   // per options.ks: the column with the highest mean AMI
    std::vector<cluster::CentroidModel> models;  // per k: the model of the first seed
};

// requires: x finite, x.rows >= max k (else throws kInvalidArgument), every column has x.rows
//           labels.
SubdiscriminationResult subdiscriminate(const cluster::MatrixView& x,
                                        const std::vector<LabelColumn>& columns,
                                        const SubdiscriminationOptions& options);

// Fits one model (no labels needed): k-means (k-means++ seeding) or a GMM, with the given seed.
cluster::CentroidModel fit_centroid_model(const cluster::MatrixView& x, int k,
                                          const SubdiscriminationOptions& options,
                                          std::uint64_t seed);

}  // namespace faceatlas::analysis
