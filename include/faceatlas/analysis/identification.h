// Closed-set identification with few gallery photos per person (the PubFig83 protocol of the
// HSE faceres paper): for R photos per person, persons with more than R photos take part; R of
// their photos (drawn at random) form the gallery, the rest are probes; each probe gets the
// identity of its nearest gallery photo (1-NN); rank-1 accuracy is averaged over random splits.
#pragma once

#include <cstdint>
#include <vector>

#include "faceatlas/cluster/distance.h"
#include "faceatlas/cluster/matrix.h"

namespace faceatlas::analysis {

struct IdentificationOptions {
    std::vector<int> gallery_sizes{1, 2, 3};  // R values
    int splits = 10;                          // random splits per R
    std::uint64_t seed = 0;                   // split s uses std::mt19937_64(seed + s)
    cluster::Metric metric = cluster::Metric::kEuclidean;
    // ensures: throws faceatlas::Error unless every R >= 1 and splits >= 1.
    void validate() const;
};

struct IdentificationRow {
    int gallery_per_person = 0;
    std::size_t persons = 0;  // persons with more than R photos
    std::size_t gallery = 0;  // persons * R
    std::size_t probes = 0;   // photos of those persons not in the gallery
    double mean = 0;          // rank-1 accuracy, mean over splits
    double std = 0;           // population std over splits
    std::vector<double> per_split;
};

// requires: identity.size() == x.rows, identity[i] >= 0, x finite.
// ensures: one row per R; a row with persons == 0 has mean = std = NaN and no splits.
//          Distance ties go to the gallery photo listed first.
std::vector<IdentificationRow> identification_accuracy(const cluster::MatrixView& x,
                                                       const std::vector<int>& identity,
                                                       const IdentificationOptions& options);

}  // namespace faceatlas::analysis
