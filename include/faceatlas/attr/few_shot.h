// User-defined attributes from a handful of examples: L2-regularised logistic regression on
// L2-normalised embeddings (plain C++, no LibTorch). With one example per side it reduces to
// (a scaled) nearest-centroid direction; more examples let it weigh dimensions.
//
// Stored as a small JSON file: {"format": "faceatlas-user-attribute", "version": 1, "name",
// "backbone", "dim", "weight": [...], "bias", "positives", "negatives"}.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace faceatlas::attr {

inline constexpr const char* kUserAttributeFormat = "faceatlas-user-attribute";
inline constexpr int kUserAttributeVersion = 1;

struct FewShotOptions {
    double l2 = 1e-2;          // ridge penalty on the weights (per example, scaled by 1/n)
    int max_iterations = 200;  // Newton / IRLS iterations at most
    double tolerance = 1e-6;   // stop when the largest weight change is below this
    void validate() const;
};

struct UserAttribute {
    std::string name;
    std::string backbone;
    int dim = 0;
    std::vector<float> weight;
    float bias = 0.f;
    int positives = 0;
    int negatives = 0;

    // P(attribute) for one embedding of `dim` values (normalised inside).
    float probability(const float* embedding) const;
};

// `positives`/`negatives` are embeddings of `dim` values each. Throws kInvalidArgument when
// either side is empty or the sizes disagree.
UserAttribute fit_user_attribute(const std::string& name, const std::string& backbone,
                                 const std::vector<std::vector<float>>& positives,
                                 const std::vector<std::vector<float>>& negatives,
                                 const FewShotOptions& options = {});

void save_user_attribute(const UserAttribute& a, const std::filesystem::path& path);  // atomic
// Throws kNotFound, kUnsupported (other format / newer version), kCorruptData.
UserAttribute load_user_attribute(const std::filesystem::path& path);

}  // namespace faceatlas::attr
