// Unsupervised sub-discrimination models: k-means centroids or a Gaussian mixture fitted on face
// embeddings without labels, saved with their metadata and used later to assign new faces.
//
// File format (JSON, "format": "faceatlas-centroids", "version": 1):
//   { "format", "version", "models": [ {
//       "embedding": "dlib" | "faceres" | ..., "dim": d, "algorithm": "kmeans" | "gmm",
//       "k": K, "seed": s, "created": "2024-...Z", "faceatlas_version": "0.1.0",
//       "trained_on": N faces, "person_id": id or null (intra-person model),
//       "centers": K x d,                     (k-means centroids / GMM means)
//       "inertia": x,                         (k-means only)
//       "covariance": "full" | "diag", "weights": K, "covariances": K x (d*d | d)  (gmm only)
//   } ... ] }
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "faceatlas/cluster/gaussian_mixture.h"
#include "faceatlas/cluster/kmeans.h"
#include "faceatlas/cluster/matrix.h"

namespace faceatlas::cluster {

enum class CentroidAlgorithm { kKMeans, kGmm };

const char* to_string(CentroidAlgorithm algorithm);
// ensures: parses "kmeans" / "gmm"; anything else throws faceatlas::Error.
CentroidAlgorithm centroid_algorithm_from_string(std::string_view name);

struct CentroidModel {
    std::string embedding;  // which embedding the centres live in ("dlib", "faceres")
    CentroidAlgorithm algorithm = CentroidAlgorithm::kKMeans;
    std::uint64_t seed = 0;
    std::string created;  // ISO 8601 UTC
    std::string faceatlas_version;
    std::size_t trained_on = 0;
    std::optional<std::int64_t> person_id;  // set for intra-person models
    Matrix centers;                         // k x dim (GMM: the means)
    double inertia = 0;                     // k-means only
    // GMM only.
    CovarianceType covariance = CovarianceType::kDiagonal;
    std::vector<double> weights;
    std::vector<std::vector<double>> covariances;

    int k() const { return static_cast<int>(centers.rows()); }
    std::size_t dim() const { return centers.cols(); }
};

// ensures: a model holding kmeans' centres (and inertia); metadata left for the caller.
CentroidModel centroid_model_from_kmeans(const KMeansResult& result);
// ensures: a model holding the mixture's parameters (means as centers, weights, covariances).
CentroidModel centroid_model_from_gmm(const GaussianMixture& gmm);

struct CentroidAssignment {
    std::vector<int> labels;          // nearest centre (k-means) / most probable component (GMM)
    std::vector<float> distances;     // Euclidean distance to the assigned centre
    std::vector<double> probability;  // GMM: posterior of the assigned component; k-means: 1
};

// requires: x.cols == model.dim() (else throws faceatlas::Error naming both dimensions and the
//           embedding), x finite.
// ensures: k-means: labels[i] = argmin_c ||x_i - centre_c|| (ties -> lower c);
//          GMM: labels[i] = argmax_c p(c | x_i) with the saved parameters.
CentroidAssignment assign_to_centroids(const CentroidModel& model, const MatrixView& x);

// ensures: writes the models (see the format above); throws kIo naming the file on failure.
void save_centroid_models(const std::vector<CentroidModel>& models,
                          const std::filesystem::path& path);
// ensures: reads what save_centroid_models wrote; throws kNotFound / kCorruptData naming the
//          file and the broken field.
std::vector<CentroidModel> load_centroid_models(const std::filesystem::path& path);

}  // namespace faceatlas::cluster
