// The report's attribute-clustering view (<catalog>.attr_clusters.json, written by `faceatlas
// cluster-attributes`, plain and --compare). One file with up to four parts:
//   clustering            the last plain run: per group its size, faces, mean attributes and
//                         the attribute-occurrence shares the person sections chart;
//   clustering_unweighted the same run with every weight 1, stored when --weights changed a
//                         weight (the report shows both: before/after the weights);
//   compare               the last --compare run (silhouette per method and k);
//   compare_unweighted    its unweighted baseline when --weights changed a weight.
// Each command replaces only its own parts, so a plain run and a --compare run can share one
// file; every part records the attributes and weights it used.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "faceatlas/analysis/attribute_compare.h"
#include "faceatlas/cluster/attribute_clustering.h"
#include "faceatlas/cluster/clustering.h"

namespace faceatlas::analysis {

inline constexpr int kAttributeViewVersion = 2;

// Share of a group's faces showing one attribute (same meaning as summary::AttributeShare):
// kind "expression" = argmax of the 7 expression_* columns; kind "attribute" = male (male_prob
// >= 0.5) and each trained attribute (probability >= 0.5).
struct AttributeOccurrence {
    std::string name;
    std::string kind;
    double share = 0;
    bool prominent = false;  // share >= prominent_share
};

struct AttributeGroup {
    int cluster = 0;  // cluster::kNoise for DBSCAN noise
    std::int64_t size = 0;
    std::vector<std::int64_t> faces;  // up to sample_faces member face ids, in table order
    std::vector<std::pair<std::string, double>> mean;  // selected attribute -> raw mean
    std::vector<AttributeOccurrence> occurrence;
};

// Which attributes and weights a part used.
struct AttributeSelectionInfo {
    std::vector<std::string> attributes;
    std::vector<double> weights;  // parallel to attributes
    bool standardized = true;
    std::int64_t faces = 0;          // faces clustered
    std::int64_t dropped_faces = 0;  // left out for missing values
};

struct AttributeClusteringPart {
    AttributeSelectionInfo selection;
    std::string algorithm;  // "kmeans", "agglomerative", "dbscan", "gmm"
    std::string method;     // readable, e.g. "kmeans k=4 (seed 0)"
    int clusters = 0;
    std::int64_t noise = 0;
    std::vector<AttributeGroup> groups;  // largest first, noise last
};

struct AttributeComparePart {
    AttributeSelectionInfo selection;
    int k_min = 2, k_max = 2;
    std::int64_t rows = 0;  // faces clustered after subsampling
    bool sampled = false;
    std::vector<AttributeCompareEntry> entries;
};

struct AttributeView {
    int version = kAttributeViewVersion;
    std::string created, catalog;
    double prominent_share = 0.3;
    std::optional<AttributeClusteringPart> clustering, clustering_unweighted;
    std::optional<AttributeComparePart> compare, compare_unweighted;
};

struct AttributeViewOptions {
    double prominent_share = 0.3;  // as summary::SummaryOptions::prominent_share
    std::size_t sample_faces = 24;
    // ensures: throws faceatlas::Error unless prominent_share in [0, 1] and sample_faces >= 1.
    void validate() const;
};

// True when any weight differs from 1 (a weighted run worth an unweighted baseline).
bool has_weights(const cluster::SelectedAttributes& selected);

AttributeSelectionInfo selection_info(const cluster::SelectedAttributes& selected);

// requires: clustering.size() == selected.face_ids.size(); every selected face id is in table.
// ensures: one group per cluster (and one for noise when present); occurrence computed from
//          `table` (all its columns, not only the selected ones).
AttributeClusteringPart describe_attribute_clustering(const cluster::AttributeTable& table,
                                                      const cluster::SelectedAttributes& selected,
                                                      const cluster::Clustering& clustering,
                                                      const std::string& algorithm,
                                                      const std::string& method,
                                                      const AttributeViewOptions& options = {});

// ensures: shares of the faces at `rows` of `table` (see AttributeOccurrence); an empty list
//          when no face carries a value.
std::vector<AttributeOccurrence> attribute_occurrence(const cluster::AttributeTable& table,
                                                      const std::vector<std::size_t>& rows,
                                                      double prominent_share);

void to_json(nlohmann::json& j, const AttributeView& v);
// throws nlohmann::json::exception on a missing/mistyped field, faceatlas::Error (kUnsupported)
// for another format or version.
void from_json(const nlohmann::json& j, AttributeView& v);

}  // namespace faceatlas::analysis
