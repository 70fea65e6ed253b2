// EM for Gaussian mixtures, following sklearn.mixture.GaussianMixture step by step (k-means
// initialisation, reg_covar on the diagonal, precision Cholesky parametrisation, final E-step).
#include "faceatlas/cluster/gaussian_mixture.h"

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>

#include "faceatlas/cluster/kmeans.h"
#include "faceatlas/core/error.h"

namespace faceatlas::cluster {

using MatD = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

void GmmOptions::validate() const {
    if (n_components < 1 || !(reg_covar >= 0) || max_iter < 1 || !(tol >= 0) || n_init < 1) {
        throw Error(ErrorCode::kInvalidArgument,
                    "GMM: need n_components >= 1, reg_covar >= 0, max_iter >= 1, tol >= 0, "
                    "n_init >= 1 (n_components = " +
                        std::to_string(n_components) + ")",
                    "GmmOptions", "fix the option values");
    }
}

namespace {

MatD to_double(const MatrixView& x) {
    MatD m(static_cast<Eigen::Index>(x.rows), static_cast<Eigen::Index>(x.cols));
    for (std::size_t i = 0; i < x.rows; ++i) {
        for (std::size_t j = 0; j < x.cols; ++j) {
            m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = x(i, j);
        }
    }
    return m;
}

double logsumexp(const double* v, std::size_t k) {
    double m = -std::numeric_limits<double>::infinity();
    for (std::size_t c = 0; c < k; ++c) m = std::max(m, v[c]);
    if (!std::isfinite(m)) return m;
    double s = 0;
    for (std::size_t c = 0; c < k; ++c) s += std::exp(v[c] - m);
    return m + std::log(s);
}

}  // namespace

class GmmFitter {
  public:
    // M-step from responsibilities resp (N x K), as sklearn's _estimate_gaussian_parameters.
    static void m_step(GaussianMixture& g, const MatD& x, const MatD& resp, double reg_covar) {
        const Eigen::Index n = x.rows();
        const Eigen::Index d = x.cols();
        const Eigen::Index k = resp.cols();
        const double eps10 = 10 * std::numeric_limits<double>::epsilon();
        Eigen::VectorXd nk = resp.colwise().sum().transpose().array() + eps10;
        const MatD means = (resp.transpose() * x).array().colwise() / nk.array();
        g.dim_ = static_cast<std::size_t>(d);
        g.weights_.assign(static_cast<std::size_t>(k), 0);
        g.means_.assign(static_cast<std::size_t>(k), {});
        g.covariances_.assign(static_cast<std::size_t>(k), {});
        for (Eigen::Index c = 0; c < k; ++c) {
            const auto cu = static_cast<std::size_t>(c);
            g.weights_[cu] = nk(c) / static_cast<double>(n);
            g.means_[cu].assign(means.row(c).data(), means.row(c).data() + d);
            if (g.type_ == CovarianceType::kFull) {
                const MatD diff = x.rowwise() - means.row(c);
                MatD cov = (diff.array().colwise() * resp.col(c).array()).matrix().transpose() *
                           diff / nk(c);
                cov.diagonal().array() += reg_covar;
                g.covariances_[cu].assign(cov.data(), cov.data() + d * d);
            } else {
                Eigen::RowVectorXd var =
                    ((x.array().square().colwise() * resp.col(c).array()).colwise().sum() / nk(c))
                        .matrix();
                // avg_X2 - 2 avg_X_means + avg_means2, i.e. E[x^2] - mean^2 (sklearn's form).
                const Eigen::RowVectorXd m = means.row(c);
                const Eigen::RowVectorXd xm = (resp.col(c).transpose() * x) / nk(c);
                var = var.array() - 2 * (m.array() * xm.array()) + m.array().square() + reg_covar;
                g.covariances_[cu].assign(var.data(), var.data() + d);
            }
        }
        g.compute_cholesky();
    }

    // E-step: fills log_resp, returns the mean log-likelihood.
    static double e_step(const GaussianMixture& g, const MatrixView& x, MatD& log_resp) {
        std::vector<double> w = g.weighted_log_prob(x);
        const std::size_t n = x.rows;
        const auto k = static_cast<std::size_t>(g.num_components());
        log_resp.resize(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(k));
        double total = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const double lse = logsumexp(w.data() + i * k, k);
            total += lse;
            for (std::size_t c = 0; c < k; ++c) {
                log_resp(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(c)) =
                    w[i * k + c] - lse;
            }
        }
        return total / static_cast<double>(n);
    }
};

GaussianMixture GaussianMixture::from_parameters(CovarianceType type, std::vector<double> weights,
                                                 std::vector<std::vector<double>> means,
                                                 std::vector<std::vector<double>> covariances) {
    const std::size_t k = weights.size();
    const std::size_t d = means.empty() ? 0 : means[0].size();
    const std::size_t cov_size = type == CovarianceType::kFull ? d * d : d;
    bool ok = k >= 1 && d >= 1 && means.size() == k && covariances.size() == k;
    for (std::size_t c = 0; ok && c < k; ++c) {
        ok = means[c].size() == d && covariances[c].size() == cov_size &&
             std::isfinite(weights[c]) && weights[c] >= 0;
    }
    if (!ok) {
        throw Error(ErrorCode::kCorruptData,
                    "GMM parameters: weights, means and covariances do not fit together",
                    "GaussianMixture::from_parameters", "save the mixture again");
    }
    GaussianMixture g;
    g.type_ = type;
    g.dim_ = d;
    g.weights_ = std::move(weights);
    g.means_ = std::move(means);
    g.covariances_ = std::move(covariances);
    g.converged_ = true;
    g.compute_cholesky();
    return g;
}

void GaussianMixture::compute_cholesky() {
    const auto d = static_cast<Eigen::Index>(dim_);
    precision_chol_.assign(covariances_.size(), {});
    for (std::size_t c = 0; c < covariances_.size(); ++c) {
        if (type_ == CovarianceType::kFull) {
            const Eigen::Map<const MatD> cov(covariances_[c].data(), d, d);
            Eigen::LLT<Eigen::MatrixXd> llt(cov);
            if (llt.info() != Eigen::Success) {
                throw Error(ErrorCode::kInvalidArgument,
                            "GMM: covariance of component " + std::to_string(c) +
                                " is not positive definite",
                            "GaussianMixture::fit",
                            "increase reg_covar, reduce n_components, or remove duplicate points");
            }
            // sklearn: prec_chol = solve_triangular(L, I, lower=True).T (upper triangular).
            const Eigen::MatrixXd l = llt.matrixL();
            const Eigen::MatrixXd linv =
                l.triangularView<Eigen::Lower>().solve(Eigen::MatrixXd::Identity(d, d));
            const MatD u = linv.transpose();
            precision_chol_[c].assign(u.data(), u.data() + d * d);
        } else {
            precision_chol_[c].resize(dim_);
            for (std::size_t j = 0; j < dim_; ++j) {
                if (!(covariances_[c][j] > 0)) {
                    throw Error(
                        ErrorCode::kInvalidArgument,
                        "GMM: variance of component " + std::to_string(c) + " is not positive",
                        "GaussianMixture::fit", "increase reg_covar");
                }
                precision_chol_[c][j] = 1.0 / std::sqrt(covariances_[c][j]);
            }
        }
    }
}

std::vector<double> GaussianMixture::weighted_log_prob(const MatrixView& x) const {
    if (x.cols != dim_ && x.rows > 0) {
        throw Error(ErrorCode::kInvalidArgument,
                    "GMM: vectors have dimension " + std::to_string(x.cols) + ", model has " +
                        std::to_string(dim_),
                    "GaussianMixture", "score vectors of the dimension the model was fitted on");
    }
    check_matrix(x, "GaussianMixture");
    const auto n = static_cast<Eigen::Index>(x.rows);
    const auto d = static_cast<Eigen::Index>(dim_);
    const std::size_t k = weights_.size();
    const MatD xd = to_double(x);
    std::vector<double> out(x.rows * k);
    const double log2pi = std::log(2 * std::numbers::pi);
    for (std::size_t c = 0; c < k; ++c) {
        const Eigen::Map<const Eigen::RowVectorXd> mu(means_[c].data(), d);
        Eigen::VectorXd sq;
        double log_det = 0;
        if (type_ == CovarianceType::kFull) {
            const Eigen::Map<const MatD> u(precision_chol_[c].data(), d, d);
            const MatD y = (xd.rowwise() - mu) * u;
            sq = y.rowwise().squaredNorm();
            for (Eigen::Index j = 0; j < d; ++j) log_det += std::log(u(j, j));
        } else {
            const Eigen::Map<const Eigen::RowVectorXd> pc(precision_chol_[c].data(), d);
            const MatD y = ((xd.rowwise() - mu).array().rowwise() * pc.array()).matrix();
            sq = y.rowwise().squaredNorm();
            for (Eigen::Index j = 0; j < d; ++j) log_det += std::log(pc(j));
        }
        const double lw = std::log(weights_[c]);
        for (Eigen::Index i = 0; i < n; ++i) {
            out[static_cast<std::size_t>(i) * k + c] =
                -0.5 * (static_cast<double>(d) * log2pi + sq(i)) + log_det + lw;
        }
    }
    return out;
}

GaussianMixture GaussianMixture::fit(const MatrixView& x, const GmmOptions& options) {
    options.validate();
    check_matrix(x, "GaussianMixture::fit");
    if (static_cast<std::size_t>(options.n_components) > x.rows) {
        throw Error(ErrorCode::kInvalidArgument,
                    "GMM: n_components = " + std::to_string(options.n_components) +
                        " exceeds the number of points (" + std::to_string(x.rows) + ")",
                    "GmmOptions::n_components", "use n_components <= number of points");
    }
    const MatD xd = to_double(x);
    const auto n = static_cast<Eigen::Index>(x.rows);
    const auto k = static_cast<Eigen::Index>(options.n_components);
    GaussianMixture best;
    double best_bound = -std::numeric_limits<double>::infinity();
    bool have_best = false;
    for (int init = 0; init < options.n_init; ++init) {
        KMeansOptions ko;
        ko.k = options.n_components;
        ko.n_init = 1;
        ko.seed = options.seed + static_cast<std::uint64_t>(init);
        const KMeansResult km = kmeans(x, ko);
        MatD resp = MatD::Zero(n, k);
        for (Eigen::Index i = 0; i < n; ++i)
            resp(i, km.clustering.labels[static_cast<std::size_t>(i)]) = 1;
        GaussianMixture g;
        g.type_ = options.covariance;
        GmmFitter::m_step(g, xd, resp, options.reg_covar);
        double bound = -std::numeric_limits<double>::infinity();
        MatD log_resp;
        for (int it = 1; it <= options.max_iter; ++it) {
            const double prev = bound;
            const double lpn = GmmFitter::e_step(g, x, log_resp);
            GmmFitter::m_step(g, xd, log_resp.array().exp().matrix(), options.reg_covar);
            bound = lpn;
            g.iterations_ = it;
            if (std::abs(bound - prev) < options.tol) {
                g.converged_ = true;
                break;
            }
        }
        g.lower_bound_ = bound;
        if (!have_best || bound > best_bound) {
            best = std::move(g);
            best_bound = bound;
            have_best = true;
        }
    }
    return best;
}

std::vector<double> GaussianMixture::score_samples(const MatrixView& x) const {
    const std::vector<double> w = weighted_log_prob(x);
    const std::size_t k = weights_.size();
    std::vector<double> out(x.rows);
    for (std::size_t i = 0; i < x.rows; ++i) out[i] = logsumexp(w.data() + i * k, k);
    return out;
}

double GaussianMixture::score(const MatrixView& x) const {
    const std::vector<double> s = score_samples(x);
    double t = 0;
    for (double v : s) t += v;
    return s.empty() ? 0.0 : t / static_cast<double>(s.size());
}

std::vector<double> GaussianMixture::predict_proba(const MatrixView& x) const {
    std::vector<double> w = weighted_log_prob(x);
    const std::size_t k = weights_.size();
    for (std::size_t i = 0; i < x.rows; ++i) {
        const double lse = logsumexp(w.data() + i * k, k);
        for (std::size_t c = 0; c < k; ++c) w[i * k + c] = std::exp(w[i * k + c] - lse);
    }
    return w;
}

std::vector<int> GaussianMixture::predict(const MatrixView& x) const {
    const std::vector<double> w = weighted_log_prob(x);
    const std::size_t k = weights_.size();
    std::vector<int> out(x.rows);
    for (std::size_t i = 0; i < x.rows; ++i) {
        const double* r = w.data() + i * k;
        out[i] = static_cast<int>(std::max_element(r, r + k) - r);
    }
    return out;
}

int GaussianMixture::num_parameters() const {
    const auto k = static_cast<int>(weights_.size());
    const auto d = static_cast<int>(dim_);
    const int cov = type_ == CovarianceType::kFull ? k * d * (d + 1) / 2 : k * d;
    return cov + k * d + k - 1;
}

double GaussianMixture::bic(const MatrixView& x) const {
    const auto n = static_cast<double>(x.rows);
    return -2 * score(x) * n + num_parameters() * std::log(n);
}

}  // namespace faceatlas::cluster
