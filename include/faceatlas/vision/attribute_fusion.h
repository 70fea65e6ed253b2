// Fusion of the two age/gender models (face-api's AgeGenderNet and HSE faceres) into one age
// and one P(male), computed from the per-model outputs the catalog stores, so catalogs scanned
// before the fusion existed need no rescan. Computed when read, never stored: used by
// `faceatlas catalog faces` / `catalog export` (age_fused, male_prob_fused) and
// `faceatlas eval attributes` (model name "fused"); scan stores only the per-model outputs.
//
//   age       = w_age * age_faceapi + (1 - w_age) * faceres_expected_age(top_l)
//   P(male)   = sigmoid(w_g * logit(p_faceapi) + (1 - w_g) * logit(p_faceres))
//               (a weighted product rule; probabilities are clipped to [1e-6, 1 - 1e-6])
//
// The defaults were fitted on a seeded half of utkface-dev (scripts/attr_fusion_fit.py) and
// checked on the other half; docs/QUALITY.md "Attributes" has the tables and commands. face-api's
// net is much stronger than faceres on utkface (and may have seen UTKFace in training), so the
// weights lean on it; on other data faceres may deserve more weight.
#pragma once

#include <vector>

namespace faceatlas::vision {

struct AttributeFusionOptions {
    double age_weight_faceapi = 0.85;      // w_age (dev grid 0..1 step 0.025, L = 1..5)
    int faceres_top_l = 5;                 // L of faceres' expected age inside the fusion
    double gender_weight_faceapi = 0.975;  // w_g: faceres adds almost nothing on utkface
    // Throws faceatlas::Error (kInvalidArgument) unless weights are in [0, 1] and
    // 1 <= faceres_top_l <= 100.
    void validate() const;
};

struct FusedAgeGender {
    float age = 0.f;
    float male_prob = 0.f;
};

// `faceres_age_probs` holds faceres' 100 age-bin probabilities (bin i = age i + 1); when it is
// empty (a face stored without them) faceres' stored expected age `age_faceres` is used.
FusedAgeGender fuse_age_gender(float age_faceapi, float male_prob_faceapi, float age_faceres,
                               const std::vector<float>& faceres_age_probs, float male_prob_faceres,
                               const AttributeFusionOptions& options = {});

}  // namespace faceatlas::vision
