// What one person looks like across their faces: fused gender and age, birth year, date span,
// attribute occurrence, and the order in which their faces are best shown.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "faceatlas/catalog/catalog.h"
#include "faceatlas/vision/attribute_fusion.h"

namespace faceatlas::summary {

// The person summary is the one place that fuses a person's gender, age and birth year; every
// command that prints them (`info --persons`, `cluster --persons-json`, `persons`, `person show`,
// `faces --json`, the report) goes through it, so one person gets the same numbers everywhere.
//
// The fusion is the documented one of docs/QUALITY.md "Attributes" (vision/attribute_fusion.h,
// the rule measured best on utkface-dev: MAE 4.17 / gender 0.9126 against faceres alone 5.86 /
// 0.8437), lifted from one face to a person:
//   * per face:  age_f = w_age * age_faceapi + (1 - w_age) * faceres_top_L(age_probs)
//                z_f   = w_g * logit(p_faceapi) + (1 - w_g) * logit(p_faceres)
//                (fused_face(); faces --json prints these)
//   * gender:    product rule over the faces' fused P(male): P = sigmoid(sum_f z_f), each fused
//                P(male) clipped to [1e-6, 1 - 1e-6]; vote = share of faces with P(male) >= 0.5;
//   * age:       the same fusion applied to the person's inputs: w_age * mean face-api age +
//                (1 - w_age) * faceres_top_L of the face-averaged faceres distribution;
//   * birth year: mean over faces whose photo has a trusted date (EXIF, XMP, manifest; a file
//                time only with trust_file_dates) of (fractional year taken - age_f).
// A one-face person therefore has exactly its face's fused age, P(male) and birth year.
struct SummaryOptions {
    vision::AttributeFusionOptions fusion;  // weights and faceres top-L (5) of the fusion
    bool trust_file_dates = false;          // birth years also from file modification times
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
    double male_vote = 0;     // share of faces whose fused P(male) >= 0.5
    double male_product = 0;  // product rule over the faces' fused P(male) (see SummaryOptions)
    bool male = false;        // decision of the product rule
    double confidence = 0;    // max(male_product, 1 - male_product)
};

struct AgeEstimate {
    double age = 0;     // fused age (see SummaryOptions)
    double spread = 0;  // standard deviation of the face-averaged faceres distribution (years)
    double confidence =
        0;  // mass of the averaged faceres distribution within ±age_confidence_years of `age`
    std::optional<double> birth_year;     // mean over trusted-dated faces of (year - fused age)
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
    std::array<int, 7> expression_counts{};   // faces per argmax expression (face-api order)
    std::array<double, 7> expression_mean{};  // mean of the 7 scores over faces that have them
};

// One face's fused age and P(male) (vision::fuse_age_gender with options.fusion).
vision::FusedAgeGender fused_face(const catalog::FaceRecord& face, const SummaryOptions& options);

// The fractional capture year of a photo when its date is trusted for birth years (EXIF, XMP or
// manifest date; a file time only with options.trust_file_dates), else nullopt.
std::optional<double> trusted_year(const catalog::PhotoRecord& photo,
                                   const SummaryOptions& options);

// One face's birth year: trusted_year(photo) - fused age; nullopt without a trusted date.
std::optional<double> face_birth_year(const catalog::FaceRecord& face,
                                      const catalog::PhotoRecord& photo,
                                      const SummaryOptions& options);

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

// Every person of the catalog with at least one face of a photo with status ok, in
// catalog.persons() order, summarized with `options`.
std::vector<PersonSummary> summarize_persons(catalog::Catalog& catalog,
                                             const SummaryOptions& options = {},
                                             const std::vector<FaceAttributeProb>& attributes = {});

}  // namespace faceatlas::summary
