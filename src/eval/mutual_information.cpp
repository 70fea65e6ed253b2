#include "faceatlas/eval/mutual_information.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace faceatlas::eval {
namespace {

constexpr double kEps = std::numeric_limits<double>::epsilon();

std::int64_t total(const std::vector<std::int64_t>& sizes) {
    std::int64_t n = 0;
    for (auto s : sizes) n += s;
    return n;
}

// Distinct values of `sizes` with their multiplicities, ascending.
std::vector<std::pair<std::int64_t, std::int64_t>> size_histogram(
    const std::vector<std::int64_t>& sizes) {
    std::map<std::int64_t, std::int64_t> h;
    for (auto s : sizes) ++h[s];
    return {h.begin(), h.end()};
}

}  // namespace

double entropy_of_sizes(const std::vector<std::int64_t>& sizes) {
    const std::int64_t n = total(sizes);
    if (n == 0) return 1.0;  // sklearn's value for an empty labeling
    if (sizes.size() == 1) return 0.0;
    const double sum = static_cast<double>(n);
    const double log_sum = std::log(sum);
    double h = 0.0;
    for (auto s : sizes) {
        const double p = static_cast<double>(s);
        h += (p / sum) * (std::log(p) - log_sum);
    }
    return -h;
}

double mutual_information(const Contingency& c) {
    if (c.n_rows() == 1 || c.n_cols() == 1 || c.n == 0) return 0.0;
    const double n = static_cast<double>(c.n);
    const double log_n = std::log(n);
    double mi = 0.0;
    for (const auto& cell : c.cells) {
        const double nz = static_cast<double>(cell.count);
        const double p = nz / n;
        const std::int64_t outer = c.row_sums[static_cast<std::size_t>(cell.row)] *
                                   c.col_sums[static_cast<std::size_t>(cell.col)];
        const double log_outer = -std::log(static_cast<double>(outer)) + log_n + log_n;
        const double term = p * (std::log(nz) - log_n) + p * log_outer;
        if (std::abs(term) >= kEps) mi += term;  // sklearn zeroes |term| < eps
    }
    return std::max(mi, 0.0);
}

double expected_mutual_information(const Contingency& c) {
    if (c.n_rows() <= 1 || c.n_cols() <= 1) return 0.0;
    const std::int64_t n_int = c.n;
    const double n = static_cast<double>(n_int);
    // lgf[k] = log(k!) for k = 0..N, shared by every term below.
    std::vector<double> lgf(static_cast<std::size_t>(n_int) + 1);
    for (std::size_t k = 0; k < lgf.size(); ++k) lgf[k] = std::lgamma(static_cast<double>(k) + 1.0);
    const double log_n = std::log(n);
    const double gln_n = lgf[static_cast<std::size_t>(n_int)];
    const auto rows = size_histogram(c.row_sums);
    const auto cols = size_histogram(c.col_sums);
    double emi = 0.0;
    for (const auto& [a, mult_a] : rows) {
        const double log_a = std::log(static_cast<double>(a));
        const double gln_a = lgf[static_cast<std::size_t>(a)];
        const double gln_na = lgf[static_cast<std::size_t>(n_int - a)];
        for (const auto& [b, mult_b] : cols) {
            const double log_b = std::log(static_cast<double>(b));
            const double gln_b = lgf[static_cast<std::size_t>(b)];
            const double gln_nb = lgf[static_cast<std::size_t>(n_int - b)];
            const std::int64_t start = std::max<std::int64_t>(1, a + b - n_int);
            const std::int64_t end = std::min(a, b);
            double sum = 0.0;
            for (std::int64_t nij = start; nij <= end; ++nij) {
                const double dnij = static_cast<double>(nij);
                const double term2 = (log_n + std::log(dnij)) - log_a - log_b;
                const double gln = gln_a + gln_b + gln_na + gln_nb - gln_n -
                                   lgf[static_cast<std::size_t>(nij)] -
                                   lgf[static_cast<std::size_t>(a - nij)] -
                                   lgf[static_cast<std::size_t>(b - nij)] -
                                   lgf[static_cast<std::size_t>(n_int - a - b + nij)];
                sum += (dnij / n) * term2 * std::exp(gln);
            }
            emi += static_cast<double>(mult_a * mult_b) * sum;
        }
    }
    return emi;
}

double adjusted_mutual_information(const Contingency& c) {
    if ((c.n_rows() == 1 && c.n_cols() == 1) || c.n == 0) return 1.0;
    const double mi = mutual_information(c);
    const double emi = expected_mutual_information(c);
    const double normalizer = 0.5 * (entropy_of_sizes(c.row_sums) + entropy_of_sizes(c.col_sums));
    double denominator = normalizer - emi;
    denominator = denominator < 0 ? std::min(denominator, -kEps) : std::max(denominator, kEps);
    return (mi - emi) / denominator;
}

double normalized_mutual_information(const Contingency& c) {
    if ((c.n_rows() == 1 && c.n_cols() == 1) || c.n == 0) return 1.0;
    const double mi = mutual_information(c);
    if (mi == 0.0) return 0.0;
    const double normalizer = 0.5 * (entropy_of_sizes(c.row_sums) + entropy_of_sizes(c.col_sums));
    return mi / normalizer;
}

HomogeneityCompleteness homogeneity_completeness_v(const Contingency& c) {
    HomogeneityCompleteness r;
    if (c.n == 0) return r;
    const double h_true = entropy_of_sizes(c.row_sums);
    const double h_pred = entropy_of_sizes(c.col_sums);
    const double mi = mutual_information(c);
    r.homogeneity = h_true != 0.0 ? mi / h_true : 1.0;
    r.completeness = h_pred != 0.0 ? mi / h_pred : 1.0;
    if (r.homogeneity + r.completeness == 0.0) {
        r.v_measure = 0.0;
    } else {
        r.v_measure = 2.0 * r.homogeneity * r.completeness / (r.homogeneity + r.completeness);
    }
    return r;
}

}  // namespace faceatlas::eval
