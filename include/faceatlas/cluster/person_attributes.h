// A person's attributes fused from all of its faces (Savchenko, "Efficient facial
// representations for age, gender and identity recognition in organizing photo albums", 2019):
// gender by voting and by the product rule, age by the expected value of the top-L age
// outputs of the averaged age distribution, birth year from dated faces, expression histogram.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <vector>

namespace faceatlas::cluster {

inline constexpr std::size_t kAgeBins = 100;    // faceres: bin k is age k + 1
inline constexpr std::size_t kExpressions = 7;  // face-api expression order

struct FaceAttributes {
    float male_prob = 0.5f;            // P(male) of one face
    std::vector<float> age_probs;      // kAgeBins probabilities (empty = unknown)
    std::vector<float> expression;     // kExpressions probabilities (empty = unknown)
    std::optional<double> photo_year;  // fractional capture year, when the date is trusted
};

struct PersonAttributes {
    std::size_t faces = 0;
    double male_vote = 0.5;            // share of faces with male_prob >= 0.5
    double male_product = 0.5;         // product rule: prod p / (prod p + prod (1 - p))
    bool male = false;                 // product-rule decision
    std::optional<double> age;         // top-L expected age of the mean age distribution
    std::optional<double> birth_year;  // mean over dated faces of photo_year - top-L face age
    std::array<int, kExpressions> expression_counts{};   // argmax histogram
    std::array<double, kExpressions> expression_mean{};  // mean probabilities
};

// requires: probs non-empty, top_l >= 1.
// ensures: sum_{k in top-L bins} (k + 1) p_k / sum_{k in top-L} p_k (ages are bin + 1).
double top_l_expected_age(const std::vector<float>& probs, int top_l = 3);

// ensures: fused attributes; probabilities are clamped to [1e-6, 1 - 1e-6] for the product rule;
//          age vectors of a size other than kAgeBins and expression vectors of a size other than
//          kExpressions are ignored. Empty input -> faces == 0 and the defaults.
PersonAttributes fuse_person_attributes(const std::vector<FaceAttributes>& faces, int top_l = 3);

}  // namespace faceatlas::cluster
