// Identity clustering of a photo album: the rules that turn a generic clustering of face
// embeddings into persons. Plain items in, person assignments out; no catalog, no OpenCV.
//
// Rules (in order):
//   1. Distance: d(i, j) = base(x_i, x_j) + w * |b_i - b_j| / birth_year_scale, base = Euclidean
//      (dlib) or cosine (faceres) distance, b the estimated birth year; the birth-year term is
//      dropped for a pair where either item has no birth year (no trusted capture date). The
//      composite distance feeds the linkage methods; the vector-space algorithms (rank-order,
//      DBSCAN, k-means, chinese whispers, GMM) see the base metric only.
//   2. Clustering with the chosen algorithm; noise points become singletons.
//   3. Cannot-link: items sharing a group (same photo, same video frame), items pinned to two
//      different persons, and an item vs. the items of a person it was declared "not" are never
//      in one cluster: each violating cluster is split by complete linkage with those distances
//      set to +inf (split_cannot_link).
//   4. Clusters with fewer than min_size items, or whose dated items span fewer than min_days
//      days, are dissolved: their items become unsorted.
//   5. Stable persons: each surviving cluster is matched to the previous person holding a strict
//      majority of its previously assigned items (greedy by overlap, one cluster per person);
//      unmatched clusters become new persons. Pinned items (user's move/merge/split) always go
//      to their pinned person. An unsorted, unpinned new item joins the nearest kept previous
//      person whose centroid lies within assign_threshold (and which it may link to).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "faceatlas/cluster/distance.h"
#include "faceatlas/cluster/matrix.h"

namespace faceatlas::cluster {

enum class AlbumAlgorithm {
    kSingle,
    kAverage,
    kComplete,
    kWeighted,
    kMedian,
    kCentroid,
    kWard,
    kRankOrder,
    kDbscan,
    kKMeans,
    kChineseWhispers,
    kGmm,
};

const char* to_string(AlbumAlgorithm algorithm);
// ensures: parses the CLI names (average, single, ..., rank-order, dbscan, kmeans,
//          chinese-whispers, gmm); anything else throws faceatlas::Error(kInvalidArgument).
AlbumAlgorithm album_algorithm_from_string(std::string_view name);
// ensures: true for the agglomerative (linkage) algorithms, which use the composite distance.
bool is_linkage(AlbumAlgorithm algorithm);

// Calibrated default distance thresholds (docs/QUALITY.md, "Identity clustering": chosen on
// half of the faces-dev identities, maximising BCubed F; the other half is held out).
// requires: metric is kEuclidean (dlib 128-d) or kCosine (faceres 1024-d).
// ensures: the threshold of `algorithm` for that embedding; for rank-order the rank-order
//          distance threshold; for k-means/GMM the average-linkage threshold used to pick k.
double default_album_threshold(AlbumAlgorithm algorithm, Metric metric);

struct AlbumItem {
    // Groups (photo id, video frame): two items sharing any group are different persons.
    std::vector<std::int64_t> groups;
    std::optional<double> birth_year;    // estimated; nullopt = no trusted capture date
    std::optional<double> day;           // capture date in days (any epoch); nullopt = unknown
    std::optional<std::int64_t> person;  // person before this run
    std::optional<std::int64_t> pinned_person;  // user-fixed person (move / merge / split)
    std::vector<std::int64_t> not_persons;      // user-declared: never these persons
    // Added since the previous run: only new items may join a kept person by centroid distance
    // (so running twice on an unchanged album gives the same persons).
    bool is_new = true;
};

struct AlbumOptions {
    AlbumAlgorithm algorithm = AlbumAlgorithm::kAverage;
    Metric metric = Metric::kEuclidean;  // kEuclidean (dlib) or kCosine (faceres)
    // Cut height (linkage), eps (DBSCAN), edge threshold (chinese whispers), rank-order
    // distance threshold (rank-order); < 0: default_album_threshold(algorithm, metric).
    double threshold = -1;
    double birth_year_weight = 0.1;  // w >= 0 (0.1 as in the HSE paper)
    double birth_year_scale = 10.0;  // years: a 10-year gap adds w to the distance
    int min_size = 2;                // items (a video track is one item)
    double min_days = 0;             // 0 = off
    // Unsorted items join a kept previous person whose centroid is closer than this;
    // < 0: 0.9 * the linkage threshold of the metric; 0 = never.
    double assign_threshold = -1;
    int k = 0;                   // k-means / GMM clusters; 0 = the average-linkage cluster count
    int dbscan_min_samples = 2;  // DBSCAN core point: neighbours incl. itself
    std::uint64_t seed = 0;      // k-means, GMM, chinese whispers
    // ensures: throws faceatlas::Error(kInvalidArgument) on a NaN/negative weight or scale <= 0,
    //          min_size < 1, min_days < 0 or NaN, k < 0, dbscan_min_samples < 1, or a metric other
    //          than Euclidean/cosine.
    void validate() const;
    // ensures: the threshold actually used (resolves the < 0 default).
    double resolved_threshold() const;
    double resolved_assign_threshold() const;
};

struct AlbumPerson {
    std::optional<std::int64_t> existing;  // previous person id kept; nullopt = new person
    std::vector<int> items;                // item indices, increasing
};

struct AlbumResult {
    std::vector<int> person_of;        // per item: index into persons, -1 = unsorted
    std::vector<AlbumPerson> persons;  // kept persons by id, then new ones
    int raw_clusters = 0;              // clusters before the cannot-link / size rules
    int cannot_link_splits = 0;        // extra clusters made by the cannot-link split
    std::size_t unsorted = 0;          // items left unsorted
    std::size_t assigned_to_centroid = 0;
};

// requires: embeddings.rows == items.size(), finite values (NaN/Inf -> faceatlas::Error naming
//           the row); options valid.
// ensures: the rules above; deterministic for a given seed. Empty input -> empty result.
AlbumResult cluster_album(const MatrixView& embeddings, const std::vector<AlbumItem>& items,
                          const AlbumOptions& options);

// ensures: true when items a and b may never share a person (rule 3).
bool album_cannot_link(const AlbumItem& a, const AlbumItem& b);

}  // namespace faceatlas::cluster
