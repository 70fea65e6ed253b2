// The report's sub-discrimination view (<catalog>.subdiscrimination.json, written by `faceatlas
// subdiscriminate`): per k the group sizes and the faces nearest each group's centroid, the
// majority label per group and the accuracy table when labels were given.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "faceatlas/analysis/subdiscrimination.h"

namespace faceatlas::analysis {

inline constexpr int kSubdiscriminationViewVersion = 2;

// The most common label of one column among a group's labelled faces.
struct GroupMajority {
    std::string column;
    std::string value;
    double share = 0;  // of the group's faces labelled in this column
};

struct SubGroup {
    int group = 0;
    std::int64_t size = 0;
    std::vector<std::int64_t> nearest_faces;  // closest to the centroid first
    std::vector<GroupMajority> majority;      // one per label column (empty without labels)
};

struct SubRun {
    int k = 0;
    std::uint64_t seed = 0;  // the model's seed (the first of the seeds)
    std::vector<SubGroup> groups;
};

struct SubdiscriminationView {
    int version = kSubdiscriminationViewVersion;
    std::string created, catalog;
    std::string embedding;  // "dlib" / "faceres"
    std::string algorithm;  // "kmeans" / "gmm"
    std::optional<std::int64_t> person_id;
    std::int64_t faces = 0;
    int seeds = 1;
    std::string labels;  // the labels file, empty when none
    std::vector<SubRun> runs;
    std::vector<ColumnExplanation> accuracy;  // empty without labels
    std::vector<std::string> best_by_k;       // parallel to runs when labels were given
};

// requires: result.models[i] were fitted on x (rows parallel to face_ids), columns as passed to
//           subdiscriminate (may be empty).
// ensures: one run per model; groups in centroid order with their sizes under
//          assign_to_centroids, nearest_faces = up to `nearest` member faces by distance to the
//          centre (ties by face order); algorithm/embedding/catalog/created left to the caller.
SubdiscriminationView build_subdiscrimination_view(const SubdiscriminationResult& result,
                                                   const cluster::MatrixView& x,
                                                   const std::vector<std::int64_t>& face_ids,
                                                   const std::vector<LabelColumn>& columns,
                                                   std::size_t nearest = 8);

// One row of the accuracy table as JSON ({k, column, labelled, classes, chance, accuracy,
// purity, ami}; scores as {mean, std, per_seed}): the view's "accuracy" rows and the rows of
// `faceatlas subdiscriminate --json`.
void to_json(nlohmann::json& j, const ColumnExplanation& e);
void from_json(const nlohmann::json& j, ColumnExplanation& e);

void to_json(nlohmann::json& j, const SubdiscriminationView& v);
// throws nlohmann::json::exception on a missing/mistyped field, faceatlas::Error (kUnsupported)
// for another format or version.
void from_json(const nlohmann::json& j, SubdiscriminationView& v);

}  // namespace faceatlas::analysis
