// What one person looks like across their faces: fused gender and age, birth year, date span,
// attribute occurrence, and the order in which their faces are best shown.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "faceatlas/catalog/catalog.h"

namespace faceatlas::summary {

// Which gender probabilities are fused: faceres, face-api, or both (each face contributes both
// nets' probabilities to the product rule; its vote is their mean). On grey LFW crops faceres
// leans male (faces-dev sample: 0.8 for women face-api puts at 0.01), so both is the default.
enum class GenderSource { kFaceres, kFaceApi, kBoth };

struct SummaryOptions {
    GenderSource gender_source = GenderSource::kBoth;
    int age_top_l = 2;  // HSE: expected value over the 2 most probable age bins
    float age_confidence_years =
        5.f;  // age confidence = mass of the fused distribution within ±this
    float attribute_threshold = 0.5f;  // a face shows an attribute when its probability >= this
    float prominent_share = 0.3f;      // attributes shown by >= this share of faces are prominent
    int representatives = 3;           // faces put first by closeness to the embedding centroid
    float quality_size_ref = 100.f;    // face size (px) at which the size term of quality saturates
    float quality_blur_ref = 100.f;    // Laplacian variance at which the blur term is 0.5
    void validate() const;             // throws faceatlas::Error (kInvalidArgument)
};

// Per-face attribute probability (attribute models once they exist; mirrors the catalog row).
struct FaceAttributeProb {
    std::int64_t face_id = 0;
    std::string name;
    float prob = 0.f;
};

struct GenderEstimate {
    double male_vote = 0;  // share of faces with P(male) >= 0.5 (mean of the sources)
    double male_product =
        0;              // product rule: prod p / (prod p + prod (1 - p)), p clipped to [0.01, 0.99]
    bool male = false;  // decision of the product rule
    double confidence = 0;  // max(male_product, 1 - male_product)
};

struct AgeEstimate {
    double age = 0;     // expected value over the top-L bins of the face-averaged distribution
    double spread = 0;  // standard deviation of the face-averaged distribution (years)
    double confidence =
        0;  // probability mass of the averaged distribution within ±age_confidence_years
    std::optional<double> birth_year;     // mean over faces with a date of (year taken - age)
    std::optional<double> birth_year_sd;  // their standard deviation (0 with one dated face)
};

struct AttributeShare {
    std::string name;
    std::string kind;  // "expression" (argmax of the 7 face-api scores) or "attribute"
    double share = 0;  // faces showing it / faces that carry this kind of value
    bool prominent = false;
};

struct PersonSummary {
    std::int64_t person_id = 0;
    std::optional<std::string> name;
    std::vector<std::int64_t> face_ids;   // representatives first, then by decreasing quality
    int representatives = 0;              // how many of face_ids were placed by centroid distance
    std::vector<std::int64_t> photo_ids;  // distinct media, oldest first (undated last)
    int photos = 0;                       // images among photo_ids
    int videos = 0;
    GenderEstimate gender;
    std::optional<AgeEstimate> age;  // absent when no face has an age distribution
    std::optional<std::string> first_date, last_date;  // ISO 8601, from the media dates
    std::vector<AttributeShare>
        attributes;  // expressions in face-api order, then attributes by name
};

// Quality in [0, 1] used to order faces: score x size term x blur term (documented in
// SummaryOptions). Higher is better.
float face_quality(const catalog::FaceRecord& face, const SummaryOptions& options);

// `faces` are the person's faces (any order, at least one); `photos` maps photo id to its record;
// `attributes` may hold rows of other faces (ignored).
PersonSummary summarize_person(const catalog::PersonRecord& person,
                               const std::vector<const catalog::FaceRecord*>& faces,
                               const std::map<std::int64_t, catalog::PhotoRecord>& photos,
                               const std::vector<FaceAttributeProb>& attributes,
                               const SummaryOptions& options);

}  // namespace faceatlas::summary
