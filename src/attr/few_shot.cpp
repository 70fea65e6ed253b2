#include "faceatlas/attr/few_shot.h"

#include <Eigen/Dense>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "faceatlas/attr/attribute_model.h"
#include "faceatlas/core/error.h"

namespace faceatlas::attr {
namespace {

Eigen::VectorXd normalised(const float* v, int dim) {
    Eigen::VectorXd x(dim);
    for (int i = 0; i < dim; ++i) x[i] = v[i];
    const double n = x.norm();
    if (n > 0) x /= n;
    return x;
}

}  // namespace

void FewShotOptions::validate() const {
    if (!(l2 > 0)) throw Error(ErrorCode::kInvalidArgument, "l2 must be > 0", "FewShotOptions");
    if (max_iterations < 1)
        throw Error(ErrorCode::kInvalidArgument, "max_iterations must be >= 1", "FewShotOptions");
}

float UserAttribute::probability(const float* embedding) const {
    const auto x = normalised(embedding, dim);
    double z = bias;
    for (int i = 0; i < dim; ++i) z += weight[static_cast<std::size_t>(i)] * x[i];
    return static_cast<float>(1.0 / (1.0 + std::exp(-z)));
}

UserAttribute fit_user_attribute(const std::string& name, const std::string& backbone,
                                 const std::vector<std::vector<float>>& positives,
                                 const std::vector<std::vector<float>>& negatives,
                                 const FewShotOptions& options) {
    options.validate();
    if (positives.empty() || negatives.empty())
        throw Error(ErrorCode::kInvalidArgument,
                    "a user attribute needs at least one positive and one negative example", name,
                    "pass faces or images to both --positive and --negative");
    const int dim = static_cast<int>(positives.front().size());
    if (dim == 0) throw Error(ErrorCode::kInvalidArgument, "empty embedding", name);
    const int n = static_cast<int>(positives.size() + negatives.size());
    Eigen::MatrixXd x(n, dim + 1);  // last column: bias
    Eigen::VectorXd y(n), sw(n);
    int r = 0;
    // Each side weighs as much as the other, whatever the counts.
    for (int side = 0; side < 2; ++side) {
        const auto& set = side == 0 ? positives : negatives;
        for (const auto& e : set) {
            if (static_cast<int>(e.size()) != dim)
                throw Error(ErrorCode::kInvalidArgument, "examples have different embedding sizes",
                            name);
            x.row(r).head(dim) = normalised(e.data(), dim).transpose();
            x(r, dim) = 1.0;
            y[r] = side == 0 ? 1.0 : 0.0;
            sw[r] = 0.5 * n / static_cast<double>(set.size());
            ++r;
        }
    }
    // Newton's method on the weighted, ridge-penalised log loss (no penalty on the bias).
    Eigen::VectorXd w = Eigen::VectorXd::Zero(dim + 1);
    Eigen::VectorXd pen = Eigen::VectorXd::Constant(dim + 1, options.l2 * n);
    pen[dim] = 1e-8;
    for (int it = 0; it < options.max_iterations; ++it) {
        const Eigen::VectorXd z = x * w;
        const Eigen::VectorXd p = z.unaryExpr([](double v) { return 1.0 / (1.0 + std::exp(-v)); });
        const Eigen::VectorXd g = x.transpose() * (sw.cwiseProduct(p - y)) + pen.cwiseProduct(w);
        const Eigen::VectorXd s =
            sw.cwiseProduct(p.cwiseProduct((1.0 - p.array()).matrix())).cwiseMax(1e-12);
        // Solve (X^T S X + P) d = g in the dual form when dim > n (n x n system).
        Eigen::VectorXd d;
        if (dim + 1 > n) {
            // (X^T S X + P)^-1 = P^-1 - P^-1 X^T (S^-1 + X P^-1 X^T)^-1 X P^-1
            const Eigen::VectorXd pinv = pen.cwiseInverse();
            const Eigen::MatrixXd xp = x * pinv.asDiagonal();
            Eigen::MatrixXd m = xp * x.transpose();
            m.diagonal() += s.cwiseInverse();
            const Eigen::VectorXd pg = pinv.cwiseProduct(g);
            d = pg - pinv.cwiseProduct(x.transpose() * m.ldlt().solve(x * pg));
        } else {
            Eigen::MatrixXd h = x.transpose() * s.asDiagonal() * x;
            h.diagonal() += pen;
            d = h.ldlt().solve(g);
        }
        w -= d;
        if (d.cwiseAbs().maxCoeff() < options.tolerance) break;
    }
    UserAttribute a;
    a.name = name;
    a.backbone = backbone;
    a.dim = dim;
    a.weight.resize(static_cast<std::size_t>(dim));
    for (int i = 0; i < dim; ++i) a.weight[static_cast<std::size_t>(i)] = static_cast<float>(w[i]);
    a.bias = static_cast<float>(w[dim]);
    a.positives = static_cast<int>(positives.size());
    a.negatives = static_cast<int>(negatives.size());
    return a;
}

void save_user_attribute(const UserAttribute& a, const std::filesystem::path& path) {
    nlohmann::json j{{"format", kUserAttributeFormat},
                     {"version", kUserAttributeVersion},
                     {"name", a.name},
                     {"backbone", a.backbone},
                     {"dim", a.dim},
                     {"weight", a.weight},
                     {"bias", a.bias},
                     {"positives", a.positives},
                     {"negatives", a.negatives}};
    write_file_atomic(path, j.dump() + "\n");
}

UserAttribute load_user_attribute(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in)
        throw Error(
            ErrorCode::kNotFound, "no such user attribute", path.string(),
            "create it with `faceatlas attribute learn NAME --positive ... --negative ...`");
    std::stringstream ss;
    ss << in.rdbuf();
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(ss.str());
    } catch (const std::exception& e) {
        throw Error(ErrorCode::kCorruptData, std::string("not JSON: ") + e.what(), path.string());
    }
    if (!j.is_object() || j.value("format", "") != kUserAttributeFormat)
        throw Error(ErrorCode::kUnsupported, "not a faceatlas user attribute", path.string());
    if (j.value("version", 0) > kUserAttributeVersion)
        throw Error(ErrorCode::kUnsupported, "user attribute version is newer than this faceatlas",
                    path.string(), "upgrade faceatlas or learn the attribute again");
    UserAttribute a;
    try {
        a.name = j.at("name").get<std::string>();
        a.backbone = j.at("backbone").get<std::string>();
        a.dim = j.at("dim").get<int>();
        a.weight = j.at("weight").get<std::vector<float>>();
        a.bias = j.at("bias").get<float>();
        a.positives = j.value("positives", 0);
        a.negatives = j.value("negatives", 0);
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::kCorruptData, e.what(), path.string());
    }
    if (a.dim < 1 || a.weight.size() != static_cast<std::size_t>(a.dim))
        throw Error(ErrorCode::kCorruptData, "weight size differs from dim", path.string());
    return a;
}

}  // namespace faceatlas::attr
