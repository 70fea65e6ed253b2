#include "faceatlas/cluster/person_attributes.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace faceatlas::cluster {

double top_l_expected_age(const std::vector<float>& probs, int top_l) {
    if (probs.empty() || top_l < 1) return 0;
    std::vector<std::size_t> idx(probs.size());
    std::iota(idx.begin(), idx.end(), 0);
    const std::size_t l = std::min(idx.size(), static_cast<std::size_t>(top_l));
    std::partial_sort(idx.begin(), idx.begin() + static_cast<std::ptrdiff_t>(l), idx.end(),
                      [&](std::size_t a, std::size_t b) {
                          return probs[a] != probs[b] ? probs[a] > probs[b] : a < b;
                      });
    double num = 0;
    double den = 0;
    for (std::size_t k = 0; k < l; ++k) {
        num += static_cast<double>(idx[k] + 1) * probs[idx[k]];
        den += probs[idx[k]];
    }
    return den > 0 ? num / den : static_cast<double>(idx[0] + 1);
}

PersonAttributes fuse_person_attributes(const std::vector<FaceAttributes>& faces, int top_l) {
    PersonAttributes out;
    out.faces = faces.size();
    if (faces.empty()) return out;
    double votes = 0;
    double log_odds = 0;
    std::vector<double> age_sum(kAgeBins, 0.0);
    std::size_t with_age = 0;
    std::size_t with_expr = 0;
    double birth_sum = 0;
    std::size_t dated = 0;
    for (const auto& f : faces) {
        const double p = std::clamp(static_cast<double>(f.male_prob), 1e-6, 1 - 1e-6);
        votes += p >= 0.5 ? 1 : 0;
        log_odds += std::log(p) - std::log1p(-p);
        if (f.age_probs.size() == kAgeBins) {
            for (std::size_t k = 0; k < kAgeBins; ++k) age_sum[k] += f.age_probs[k];
            ++with_age;
            if (f.photo_year) {
                birth_sum += *f.photo_year - top_l_expected_age(f.age_probs, top_l);
                ++dated;
            }
        }
        if (f.expression.size() == kExpressions) {
            const auto best = std::max_element(f.expression.begin(), f.expression.end());
            ++out.expression_counts[static_cast<std::size_t>(best - f.expression.begin())];
            for (std::size_t k = 0; k < kExpressions; ++k)
                out.expression_mean[k] += f.expression[k];
            ++with_expr;
        }
    }
    out.male_vote = votes / static_cast<double>(faces.size());
    out.male_product = 1.0 / (1.0 + std::exp(-std::clamp(log_odds, -700.0, 700.0)));
    out.male = out.male_product >= 0.5;
    if (with_age > 0) {
        std::vector<float> mean(kAgeBins);
        for (std::size_t k = 0; k < kAgeBins; ++k)
            mean[k] = static_cast<float>(age_sum[k] / static_cast<double>(with_age));
        out.age = top_l_expected_age(mean, top_l);
    }
    if (dated > 0) out.birth_year = birth_sum / static_cast<double>(dated);
    if (with_expr > 0)
        for (auto& m : out.expression_mean) m /= static_cast<double>(with_expr);
    return out;
}

}  // namespace faceatlas::cluster
