#include "faceatlas/cluster/centroid_model.h"

#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "faceatlas/cluster/distance.h"
#include "faceatlas/core/error.h"

namespace faceatlas::cluster {

const char* to_string(CentroidAlgorithm algorithm) {
    return algorithm == CentroidAlgorithm::kGmm ? "gmm" : "kmeans";
}

CentroidAlgorithm centroid_algorithm_from_string(std::string_view name) {
    if (name == "kmeans") return CentroidAlgorithm::kKMeans;
    if (name == "gmm") return CentroidAlgorithm::kGmm;
    throw Error(ErrorCode::kInvalidArgument, "unknown algorithm '" + std::string(name) + "'",
                "centroid model", "use kmeans or gmm");
}

CentroidModel centroid_model_from_kmeans(const KMeansResult& result) {
    CentroidModel m;
    m.algorithm = CentroidAlgorithm::kKMeans;
    m.centers = result.centers;
    m.inertia = result.inertia;
    m.trained_on = result.clustering.size();
    return m;
}

CentroidModel centroid_model_from_gmm(const GaussianMixture& gmm) {
    CentroidModel m;
    m.algorithm = CentroidAlgorithm::kGmm;
    const auto k = static_cast<std::size_t>(gmm.num_components());
    m.centers = Matrix(k, gmm.dim());
    for (std::size_t c = 0; c < k; ++c) {
        for (std::size_t j = 0; j < gmm.dim(); ++j) {
            m.centers(c, j) = static_cast<float>(gmm.means()[c][j]);
        }
    }
    m.covariance = gmm.covariance_type();
    m.weights = gmm.weights();
    m.covariances = gmm.covariances();
    return m;
}

namespace {

GaussianMixture to_gmm(const CentroidModel& model) {
    std::vector<std::vector<double>> means(static_cast<std::size_t>(model.k()));
    for (std::size_t c = 0; c < means.size(); ++c) {
        means[c].assign(model.centers.row(c), model.centers.row(c) + model.dim());
    }
    return GaussianMixture::from_parameters(model.covariance, model.weights, std::move(means),
                                            model.covariances);
}

[[noreturn]] void corrupt(const std::filesystem::path& path, const std::string& what) {
    throw Error(ErrorCode::kCorruptData, "bad centroid file: " + what, path.string(),
                "write it again with `faceatlas subdiscriminate --save`");
}

}  // namespace

CentroidAssignment assign_to_centroids(const CentroidModel& model, const MatrixView& x) {
    if (model.k() < 1) throw Error(ErrorCode::kInvalidArgument, "centroid model has no centres");
    if (x.rows > 0 && x.cols != model.dim()) {
        throw Error(ErrorCode::kInvalidArgument,
                    "faces have " + std::to_string(x.cols) + "-d embeddings, the centroids are " +
                        std::to_string(model.dim()) + "-d (" + model.embedding + ")",
                    "classify",
                    "pick the embedding the centroids were trained on (--embedding " +
                        model.embedding + ")");
    }
    check_matrix(x, "assign_to_centroids");
    CentroidAssignment out;
    out.labels.resize(x.rows);
    out.distances.resize(x.rows);
    out.probability.assign(x.rows, 1.0);
    if (x.rows == 0) return out;
    const Matrix d = pairwise_distances(x, model.centers, Metric::kEuclidean);
    const auto k = static_cast<std::size_t>(model.k());
    if (model.algorithm == CentroidAlgorithm::kGmm) {
        const GaussianMixture g = to_gmm(model);
        const std::vector<double> p = g.predict_proba(x);
        for (std::size_t i = 0; i < x.rows; ++i) {
            std::size_t best = 0;
            for (std::size_t c = 1; c < k; ++c) {
                if (p[i * k + c] > p[i * k + best]) best = c;
            }
            out.labels[i] = static_cast<int>(best);
            out.probability[i] = p[i * k + best];
            out.distances[i] = d(i, best);
        }
    } else {
        for (std::size_t i = 0; i < x.rows; ++i) {
            std::size_t best = 0;
            for (std::size_t c = 1; c < k; ++c) {
                if (d(i, c) < d(i, best)) best = c;
            }
            out.labels[i] = static_cast<int>(best);
            out.distances[i] = d(i, best);
        }
    }
    return out;
}

void save_centroid_models(const std::vector<CentroidModel>& models,
                          const std::filesystem::path& path) {
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& m : models) {
        nlohmann::json centers = nlohmann::json::array();
        for (std::size_t c = 0; c < m.centers.rows(); ++c) {
            centers.push_back(std::vector<float>(m.centers.row(c), m.centers.row(c) + m.dim()));
        }
        nlohmann::json j{
            {"embedding", m.embedding},
            {"dim", m.dim()},
            {"algorithm", to_string(m.algorithm)},
            {"k", m.k()},
            {"seed", m.seed},
            {"created", m.created},
            {"faceatlas_version", m.faceatlas_version},
            {"trained_on", m.trained_on},
            {"person_id", m.person_id ? nlohmann::json(*m.person_id) : nlohmann::json()},
            {"centers", std::move(centers)}};
        if (m.algorithm == CentroidAlgorithm::kKMeans) {
            j["inertia"] = m.inertia;
        } else {
            j["covariance"] = m.covariance == CovarianceType::kFull ? "full" : "diag";
            j["weights"] = m.weights;
            j["covariances"] = m.covariances;
        }
        arr.push_back(std::move(j));
    }
    const nlohmann::json doc{{"format", "faceatlas-centroids"}, {"version", 1}, {"models", arr}};
    const std::filesystem::path tmp = path.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        if (!out) {
            throw Error(ErrorCode::kIo, "cannot write", path.string(),
                        "check the folder exists and is writable");
        }
        out << doc.dump(1) << "\n";
        if (!out) throw Error(ErrorCode::kIo, "write failed", path.string());
    }
    std::filesystem::rename(tmp, path);
}

std::vector<CentroidModel> load_centroid_models(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) {
        throw Error(ErrorCode::kNotFound, "cannot read the centroid file", path.string(),
                    "create it with `faceatlas subdiscriminate --save FILE`");
    }
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        corrupt(path, std::string("not JSON (") + e.what() + ")");
    }
    if (!doc.is_object() || doc.value("format", "") != "faceatlas-centroids") {
        corrupt(path, "not a faceatlas centroid file (\"format\" is not \"faceatlas-centroids\")");
    }
    if (doc.value("version", 0) != 1) corrupt(path, "unsupported version");
    std::vector<CentroidModel> models;
    try {
        for (const auto& j : doc.at("models")) {
            CentroidModel m;
            m.embedding = j.at("embedding").get<std::string>();
            m.algorithm = centroid_algorithm_from_string(j.at("algorithm").get<std::string>());
            m.seed = j.at("seed").get<std::uint64_t>();
            m.created = j.value("created", "");
            m.faceatlas_version = j.value("faceatlas_version", "");
            m.trained_on = j.value("trained_on", std::size_t{0});
            if (j.contains("person_id") && !j["person_id"].is_null()) {
                m.person_id = j["person_id"].get<std::int64_t>();
            }
            const auto dim = j.at("dim").get<std::size_t>();
            const auto k = j.at("k").get<std::size_t>();
            const auto& centers = j.at("centers");
            if (k < 1 || dim < 1 || centers.size() != k) corrupt(path, "k does not match centers");
            std::vector<float> v;
            v.reserve(k * dim);
            for (const auto& row : centers) {
                if (row.size() != dim) corrupt(path, "a centre does not have `dim` values");
                for (const auto& x : row) v.push_back(x.get<float>());
            }
            m.centers = Matrix(k, dim, std::move(v));
            check_matrix(m.centers, "centroid file " + path.string());
            if (m.algorithm == CentroidAlgorithm::kKMeans) {
                m.inertia = j.value("inertia", 0.0);
            } else {
                const auto cov = j.at("covariance").get<std::string>();
                if (cov != "full" && cov != "diag")
                    corrupt(path, "covariance must be full or diag");
                m.covariance = cov == "full" ? CovarianceType::kFull : CovarianceType::kDiagonal;
                m.weights = j.at("weights").get<std::vector<double>>();
                m.covariances = j.at("covariances").get<std::vector<std::vector<double>>>();
                (void)to_gmm(m);  // validates shapes and positive definiteness now
            }
            models.push_back(std::move(m));
        }
    } catch (const nlohmann::json::exception& e) {
        corrupt(path, e.what());
    }
    if (models.empty()) corrupt(path, "no models");
    return models;
}

}  // namespace faceatlas::cluster
