// Clustering faces by their predicted attributes (age, gender probabilities, expression
// probabilities, trained attribute probabilities) instead of their identity embedding.
//
// The input is a named table (face id x attribute name -> value); the caller (the CLI) fills it
// from the catalog, so this file knows nothing of OpenCV or SQLite. Selection picks columns,
// z-scores them (ages in years and probabilities in [0, 1] would otherwise not be comparable)
// and multiplies each by a user weight; any algorithm of the cluster library then runs on the
// resulting matrix.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "faceatlas/cluster/clustering.h"
#include "faceatlas/cluster/distance.h"
#include "faceatlas/cluster/linkage.h"
#include "faceatlas/cluster/matrix.h"

namespace faceatlas::cluster {

// One (face, attribute) value, e.g. a row of the catalog's face_attributes table.
struct NamedAttribute {
    std::int64_t face_id = 0;
    std::string name;
    float value = 0;
};

// Per-face attribute values: rows = faces, columns = named attributes; NaN = missing.
class AttributeTable {
  public:
    AttributeTable() = default;
    // requires: face ids distinct (else throws faceatlas::Error).
    explicit AttributeTable(std::vector<std::int64_t> face_ids);

    std::size_t rows() const { return face_ids_.size(); }
    std::size_t cols() const { return names_.size(); }
    const std::vector<std::int64_t>& face_ids() const { return face_ids_; }
    const std::vector<std::string>& names() const { return names_; }
    std::optional<std::size_t> column(std::string_view name) const;
    float at(std::size_t row, std::size_t col) const { return columns_[col][row]; }
    const std::vector<float>& column_values(std::size_t col) const { return columns_[col]; }

    // requires: values.size() == rows(), name new and non-empty (else throws).
    void add_column(std::string name, std::vector<float> values);

    // ensures: one column per distinct name in `rows` (in order of first appearance, after the
    //          existing ones), NaN for faces without a value; rows naming a face id not in the
    //          table are skipped and counted in the return value. A name that already is a
    //          column throws faceatlas::Error.
    std::size_t add_named(const std::vector<NamedAttribute>& rows);

  private:
    std::vector<std::int64_t> face_ids_;
    std::vector<std::string> names_;
    std::vector<std::vector<float>> columns_;
};

enum class MissingValues {
    kError,     // a NaN in a selected column throws, naming the face and the attribute
    kDropRows,  // faces with a NaN in a selected column are left out (listed in the result)
};

struct AttributeSelection {
    std::vector<std::string> attributes;                  // columns to use; empty = every column
    std::vector<std::pair<std::string, double>> weights;  // name -> weight (default 1), >= 0
    bool standardize = true;  // z-score each column (constant columns get scale 1)
    MissingValues missing = MissingValues::kDropRows;
    // ensures: throws faceatlas::Error for a negative/NaN weight or a weight naming an
    //          attribute that is not selected.
    void validate() const;
};

struct SelectedAttributes {
    Matrix x;                            // rows = kept faces, (value - mean) / scale * weight
    Matrix raw;                          // the same cells, unscaled
    std::vector<std::int64_t> face_ids;  // of the kept rows
    std::vector<std::string> names;      // columns of x
    std::vector<double> mean, scale, weight;
    std::vector<std::int64_t> dropped;  // faces left out for missing values
};

// requires: every selected name is a column (else throws kInvalidArgument listing the known
//           columns); selection valid.
// ensures: see SelectedAttributes; columns in the order of selection.attributes.
SelectedAttributes select_attributes(const AttributeTable& table,
                                     const AttributeSelection& selection);

// "a,b,c" -> {a, b, c} (spaces trimmed, empty items rejected with faceatlas::Error).
std::vector<std::string> parse_attribute_list(std::string_view text);
// "a=2,b=0.5" -> {(a, 2), (b, 0.5)}; bad syntax or numbers throw faceatlas::Error.
std::vector<std::pair<std::string, double>> parse_attribute_weights(std::string_view text);

enum class AttributeAlgorithm { kKMeans, kAgglomerative, kDbscan, kGmm };
const char* to_string(AttributeAlgorithm algorithm);
AttributeAlgorithm attribute_algorithm_from_string(std::string_view name);

struct AttributeClusterOptions {
    AttributeAlgorithm algorithm = AttributeAlgorithm::kKMeans;
    int k = 4;                                     // kmeans, agglomerative, gmm
    LinkageMethod linkage = LinkageMethod::kWard;  // agglomerative
    Metric metric = Metric::kEuclidean;            // agglomerative and dbscan
    double eps = 0.5;                              // dbscan (in standardized units)
    int min_samples = 5;                           // dbscan
    int n_init = 10;                               // kmeans restarts / gmm initialisations
    std::uint64_t seed = 0;
    // ensures: throws faceatlas::Error unless k >= 1, eps > 0 and finite, min_samples >= 1,
    //          n_init >= 1, and the linkage/metric pair is valid (ward/centroid/median need
    //          Euclidean).
    void validate() const;
};

// requires: x finite; options valid; k <= x.rows for kmeans/agglomerative/gmm (else throws
//           kInvalidArgument saying how many faces there are).
// ensures: the clustering of the rows of x (DBSCAN noise = kNoise).
Clustering cluster_attributes(const MatrixView& x, const AttributeClusterOptions& options);

// Mean raw value of every attribute per cluster: profile[c][j] over the members of cluster c.
struct ClusterProfile {
    int cluster = 0;  // kNoise for DBSCAN noise
    std::size_t size = 0;
    std::vector<double> mean;
};
// requires: clustering.size() == raw.rows().
std::vector<ClusterProfile> cluster_profiles(const Matrix& raw, const Clustering& clustering);

}  // namespace faceatlas::cluster
