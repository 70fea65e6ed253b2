// Gaussian mixture model fitted by EM (as sklearn.mixture.GaussianMixture, init from k-means).
#pragma once

#include <cstdint>
#include <vector>

#include "faceatlas/cluster/clustering.h"
#include "faceatlas/cluster/matrix.h"

namespace faceatlas::cluster {

enum class CovarianceType {
    kFull,      // one full d x d covariance per component
    kDiagonal,  // one diagonal covariance per component
};

struct GmmOptions {
    int n_components = 1;
    CovarianceType covariance = CovarianceType::kFull;
    double reg_covar = 1e-6;  // added to the covariance diagonal (keeps it positive definite)
    int max_iter = 100;       // EM iterations per initialisation
    double tol = 1e-3;        // stop when the mean log-likelihood gains less than tol
    int n_init = 1;           // initialisations; the highest final lower bound wins
    std::uint64_t seed = 0;   // seeds the k-means initialisation (one k-means++ run per init)
    // ensures: throws faceatlas::Error unless n_components >= 1, reg_covar >= 0,
    //          max_iter >= 1, tol >= 0, n_init >= 1.
    void validate() const;
};

// A fitted mixture. Values are double precision.
class GaussianMixture {
  public:
    // requires: x finite, n_components <= x.rows (else throws faceatlas::Error).
    // ensures: responsibilities initialised from one k-means run (hard labels), then EM until the
    //          mean log-likelihood changes less than tol or max_iter; a final E-step makes
    //          predict(x) consistent with the parameters (as sklearn).
    static GaussianMixture fit(const MatrixView& x, const GmmOptions& options);
    // Rebuilds a fitted mixture from saved parameters (centroid files).
    // requires: K >= 1 weights, K means of equal dimension d >= 1, K covariances of d*d (full)
    //           or d (diagonal) values, positive definite (else throws faceatlas::Error).
    static GaussianMixture from_parameters(CovarianceType type, std::vector<double> weights,
                                           std::vector<std::vector<double>> means,
                                           std::vector<std::vector<double>> covariances);

    int num_components() const { return static_cast<int>(weights_.size()); }
    std::size_t dim() const { return dim_; }
    const std::vector<double>& weights() const { return weights_; }
    // means()[c] has dim() values.
    const std::vector<std::vector<double>>& means() const { return means_; }
    // covariances()[c]: dim*dim row-major (full) or dim values (diagonal).
    const std::vector<std::vector<double>>& covariances() const { return covariances_; }
    CovarianceType covariance_type() const { return type_; }
    bool converged() const { return converged_; }
    int iterations() const { return iterations_; }
    // Mean log-likelihood per sample at the end of fit.
    double lower_bound() const { return lower_bound_; }

    // requires: x.cols == dim(), finite. ensures: log p(x_i) per row.
    std::vector<double> score_samples(const MatrixView& x) const;
    // ensures: mean of score_samples (sklearn's score).
    double score(const MatrixView& x) const;
    // ensures: row-major x.rows x K posterior probabilities (rows sum to 1).
    std::vector<double> predict_proba(const MatrixView& x) const;
    // ensures: argmax of predict_proba per row.
    std::vector<int> predict(const MatrixView& x) const;
    // ensures: Bayesian information criterion -2 * score * N + p * ln N, p = free parameters.
    double bic(const MatrixView& x) const;
    // ensures: number of free parameters (sklearn's _n_parameters).
    int num_parameters() const;

  private:
    // log N(x_i | c) + log w_c, row-major N x K.
    std::vector<double> weighted_log_prob(const MatrixView& x) const;
    void compute_cholesky();

    CovarianceType type_ = CovarianceType::kFull;
    std::size_t dim_ = 0;
    std::vector<double> weights_;
    std::vector<std::vector<double>> means_;
    std::vector<std::vector<double>> covariances_;
    // Precision Cholesky factors: full: upper-triangular U with P = U U^T (sklearn), row-major;
    // diagonal: 1 / sqrt(var).
    std::vector<std::vector<double>> precision_chol_;
    bool converged_ = false;
    int iterations_ = 0;
    double lower_bound_ = 0;

    friend class GmmFitter;
};

}  // namespace faceatlas::cluster
