// The report's evaluation view (<catalog>.eval.json, written by `faceatlas eval clusters`): the
// metric table and the worst merges (one predicted person holding several true people) and
// splits (one true person spread over several predicted persons), with sample faces.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "faceatlas/eval/clustering_scores.h"

namespace faceatlas::analysis {

inline constexpr int kEvalViewVersion = 2;

// One labelled face: its catalog id, true identity and predicted person (nullopt: unsorted).
struct EvalFace {
    std::int64_t face_id = 0;
    std::string identity;
    std::optional<std::int64_t> person_id;
};

struct EvalMetric {
    std::string name;  // "ARI", "BCubed F", ...
    double value = 0;
};

// The faces one (identity, person) pair shares.
struct ConfusionPart {
    std::string identity;
    std::optional<std::int64_t> person_id;  // nullopt: unsorted
    std::int64_t faces = 0;
    std::vector<std::int64_t> sample_faces;  // the first `sample_faces` of them, in input order
};

// A predicted person holding faces of several true people; parts: one per identity, largest
// first. wrong_faces = faces outside the largest part (how many a split would move).
struct MergeCase {
    std::int64_t person_id = 0;
    std::int64_t faces = 0;
    std::int64_t wrong_faces = 0;
    std::vector<ConfusionPart> parts;
};

// A true person whose faces are in several predicted persons (unsorted faces count as one
// part); parts: one per person, largest first, unsorted last. outside_faces = faces outside the
// largest person (unsorted ones included): how many a merge would gather.
struct SplitCase {
    std::string identity;
    std::int64_t faces = 0;
    std::int64_t outside_faces = 0;
    std::vector<ConfusionPart> parts;
};

struct EvalView {
    int version = kEvalViewVersion;
    std::string created;  // ISO 8601 UTC
    std::string catalog;
    std::string truth;  // the labels file
    std::int64_t faces_scored = 0;
    std::int64_t missing = 0;   // labelled files without a face in the catalog
    std::int64_t unsorted = 0;  // scored faces in no person
    std::vector<EvalMetric> metrics;
    std::vector<MergeCase> merges;  // worst first
    std::vector<SplitCase> splits;  // worst first
};

struct EvalViewOptions {
    std::size_t max_cases = 10;    // merges and splits kept (each)
    std::size_t sample_faces = 6;  // face ids kept per part
    // ensures: throws faceatlas::Error (kInvalidArgument) unless both are >= 1.
    void validate() const;
};

// The metric table in display order (K, C, K/C, ARI, AMI, NMI, homogeneity, completeness,
// V-measure, BCubed P/R/F, pairwise P/R/F, purity).
std::vector<EvalMetric> metric_table(const eval::ClusteringScores& scores);

// ensures: merges = persons with faces of >= 2 identities, sorted by wrong_faces, then faces
//          (descending), then person id; splits = identities in >= 2 parts, sorted by
//          outside_faces, then faces (descending), then identity; at most max_cases of each.
//          Independent of how persons are numbered except for the tie order.
EvalView build_eval_view(const std::vector<EvalFace>& faces, const eval::ClusteringScores& scores,
                         const EvalViewOptions& options = {});

void to_json(nlohmann::json& j, const EvalView& v);
// throws nlohmann::json::exception when a required field is missing or of the wrong type, and
// faceatlas::Error (kUnsupported) for another format or a newer version.
void from_json(const nlohmann::json& j, EvalView& v);

}  // namespace faceatlas::analysis
