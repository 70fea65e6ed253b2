#include "faceatlas/vision/attribute_fusion.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "faceatlas/core/error.h"

namespace faceatlas::vision {

void AttributeFusionOptions::validate() const {
    auto bad = [](const std::string& what) {
        throw Error(ErrorCode::kInvalidArgument, what, "AttributeFusionOptions");
    };
    if (!(age_weight_faceapi >= 0 && age_weight_faceapi <= 1))
        bad("age_weight_faceapi must be in [0, 1]");
    if (!(gender_weight_faceapi >= 0 && gender_weight_faceapi <= 1))
        bad("gender_weight_faceapi must be in [0, 1]");
    if (faceres_top_l < 1 || faceres_top_l > 100) bad("faceres_top_l must be in [1, 100]");
}

namespace {

// Same rule as FaceresOutput::age_expected (ties to the lower bin), over any number of bins.
double expected_top_l(const std::vector<float>& p, int top_l) {
    const int l = std::min<int>(top_l, static_cast<int>(p.size()));
    std::vector<int> idx(p.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::partial_sort(idx.begin(), idx.begin() + l, idx.end(),
                      [&](int a, int b) { return p[a] > p[b] || (p[a] == p[b] && a < b); });
    double num = 0, den = 0;
    for (int k = 0; k < l; ++k) {
        num += static_cast<double>(p[idx[k]]) * idx[k];
        den += p[idx[k]];
    }
    return 1.0 + (den > 0 ? num / den : idx[0]);
}

double logit(double p) {
    p = std::clamp(p, 1e-6, 1 - 1e-6);
    return std::log(p / (1 - p));
}

}  // namespace

FusedAgeGender fuse_age_gender(float age_faceapi, float male_prob_faceapi, float age_faceres,
                               const std::vector<float>& faceres_age_probs, float male_prob_faceres,
                               const AttributeFusionOptions& options) {
    options.validate();
    const double fr_age = faceres_age_probs.empty()
                              ? age_faceres
                              : expected_top_l(faceres_age_probs, options.faceres_top_l);
    const double wa = options.age_weight_faceapi, wg = options.gender_weight_faceapi;
    const double z = wg * logit(male_prob_faceapi) + (1 - wg) * logit(male_prob_faceres);
    FusedAgeGender out;
    out.age = static_cast<float>(wa * age_faceapi + (1 - wa) * fr_age);
    out.male_prob = static_cast<float>(1 / (1 + std::exp(-z)));
    return out;
}

}  // namespace faceatlas::vision
