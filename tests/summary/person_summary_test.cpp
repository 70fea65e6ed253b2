// Person summaries against hand-computed values: product-rule gender, averaged top-L age,
// birth year, representative order, attribute shares.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "faceatlas/core/error.h"
#include "faceatlas/summary/person_summary.h"

namespace fs = faceatlas::summary;
using faceatlas::catalog::FaceRecord;
using faceatlas::catalog::PersonRecord;
using faceatlas::catalog::PhotoRecord;

namespace {

FaceRecord face(std::int64_t id, std::int64_t photo, float male_faceres, float male_faceapi) {
    FaceRecord f;
    f.id = id;
    f.photo_id = photo;
    f.male_prob_faceres = male_faceres;
    f.male_prob = male_faceapi;
    f.score = 0.9f;
    f.face_size = 100;
    f.blur = 100;
    return f;
}

std::vector<const FaceRecord*> ptrs(const std::vector<FaceRecord>& v) {
    std::vector<const FaceRecord*> p;
    for (const auto& f : v) p.push_back(&f);
    return p;
}

std::map<std::int64_t, PhotoRecord> photos_with_dates(
    std::vector<std::optional<std::string>> dates) {
    std::map<std::int64_t, PhotoRecord> m;
    for (std::size_t i = 0; i < dates.size(); ++i) {
        PhotoRecord p;
        p.id = static_cast<std::int64_t>(i + 1);
        p.path = "/p" + std::to_string(i + 1) + ".jpg";
        p.taken_at = dates[i];
        if (p.taken_at) p.date_source = "exif";
        m[p.id] = p;
    }
    return m;
}

}  // namespace

TEST(PersonSummary, GenderProductRuleAndVote) {
    std::vector<FaceRecord> faces = {face(1, 1, 0.9f, 0.5f), face(2, 1, 0.4f, 0.5f),
                                     face(3, 1, 0.3f, 0.5f)};
    fs::SummaryOptions o;
    o.fusion.gender_weight_faceapi = 0;  // faceres only: the plain product rule
    const auto s = fs::summarize_person(PersonRecord{7, "x", 3}, ptrs(faces),
                                        photos_with_dates({"2020-01-01"}), {}, o);
    const double pm = 0.9 * 0.4 * 0.3, pf = 0.1 * 0.6 * 0.7;
    EXPECT_NEAR(s.gender.male_product, pm / (pm + pf), 1e-6);
    EXPECT_NEAR(s.gender.male_vote, 1.0 / 3.0, 1e-9);
    EXPECT_TRUE(s.gender.male);  // one confident face outweighs two unsure ones
    EXPECT_NEAR(s.gender.confidence, pm / (pm + pf), 1e-6);

    // The default (the documented fusion): each face's P(male) is sigmoid(0.975 logit(face-api)
    // + 0.025 logit(faceres)); face-api's 0.5 adds nothing, so the person's log odds are 0.025
    // times the faceres ones. (The old kBoth summed both nets' log odds at full weight.)
    const auto b = fs::summarize_person(PersonRecord{7, "x", 3}, ptrs(faces),
                                        photos_with_dates({"2020-01-01"}), {}, {});
    const double z = 0.025 * std::log(pm / pf);
    EXPECT_NEAR(b.gender.male_product, 1 / (1 + std::exp(-z)), 1e-6);
    EXPECT_NEAR(b.gender.male_vote, 1.0 / 3.0, 1e-9);  // fused P > 0.5 for face 1 only
}

TEST(PersonSummary, OneFacePersonHasItsFacesFusedValues) {
    FaceRecord f = face(1, 1, 0.3f, 0.8f);
    f.age = 41.f;
    f.age_probs.assign(100, 0.f);
    f.age_probs[29] = 0.6f;  // age 30
    f.age_probs[34] = 0.3f;  // age 35
    f.age_probs[59] = 0.1f;  // age 60
    std::vector<FaceRecord> faces = {f};
    auto photos = photos_with_dates({"2000-07-01"});
    const fs::SummaryOptions o;
    const auto s = fs::summarize_person(PersonRecord{1, {}, 1}, ptrs(faces), photos, {}, o);
    const auto fused = fs::fused_face(f, o);
    // By hand: top-5 (all three bins) expected age = 30*0.6 + 35*0.3 + 60*0.1 = 34.5.
    EXPECT_NEAR(fused.age, 0.85 * 41 + 0.15 * 34.5, 1e-4);
    const double z = 0.975 * std::log(0.8 / 0.2) + 0.025 * std::log(0.3 / 0.7);
    EXPECT_NEAR(fused.male_prob, 1 / (1 + std::exp(-z)), 1e-6);
    ASSERT_TRUE(s.age);
    EXPECT_NEAR(s.age->age, fused.age, 1e-4);
    EXPECT_NEAR(s.gender.male_product, fused.male_prob, 1e-6);
    ASSERT_TRUE(s.age->birth_year);
    const double year = 2000 + 181 / 365.25;  // 1 July: day 181 (0-based)
    EXPECT_NEAR(*s.age->birth_year, year - fused.age, 1e-4);
    EXPECT_NEAR(*fs::face_birth_year(f, photos.at(1), o), *s.age->birth_year, 1e-9);
    // A file time is not trusted for birth years unless asked.
    photos.at(1).date_source = "file";
    EXPECT_FALSE(
        fs::summarize_person(PersonRecord{1, {}, 1}, ptrs(faces), photos, {}, o).age->birth_year);
    fs::SummaryOptions trust;
    trust.trust_file_dates = true;
    EXPECT_TRUE(fs::summarize_person(PersonRecord{1, {}, 1}, ptrs(faces), photos, {}, trust)
                    .age->birth_year);
}

TEST(PersonSummary, GenderProductDoesNotUnderflowWithManyFaces) {
    std::vector<FaceRecord> faces;
    for (int i = 0; i < 2000; ++i) faces.push_back(face(i + 1, 1, 0.2f, 0.2f));
    const auto s = fs::summarize_person(PersonRecord{1, {}, 2000}, ptrs(faces),
                                        photos_with_dates({{}}), {}, {});
    EXPECT_FALSE(s.gender.male);
    EXPECT_NEAR(s.gender.confidence, 1.0, 1e-9);
    EXPECT_TRUE(std::isfinite(s.gender.male_product));
}

TEST(PersonSummary, AgeIsTopLExpectationOfTheAveragedDistribution) {
    std::vector<FaceRecord> faces = {face(1, 1, 0.5f, 0.5f), face(2, 2, 0.5f, 0.5f)};
    faces[0].age_probs.assign(100, 0.f);
    faces[1].age_probs.assign(100, 0.f);
    faces[0].age_probs[29] = 1.f;  // age 30
    faces[1].age_probs[29] = 0.5f;
    faces[1].age_probs[39] = 0.5f;  // age 40
    faces[0].age_faceres = 30;
    faces[1].age_faceres = 35;
    // faceres alone with top-2 (the old default), so the hand-computed values below hold.
    fs::SummaryOptions o;
    o.fusion.age_weight_faceapi = 0;
    o.fusion.faceres_top_l = 2;
    const auto s =
        fs::summarize_person(PersonRecord{1, {}, 2}, ptrs(faces),
                             photos_with_dates({"2010-05-01T10:00:00", "2020-01-01"}), {}, o);
    ASSERT_TRUE(s.age);
    // averaged: p(30) = 0.75, p(40) = 0.25; top-2 expectation = 32.5; sd =
    // sqrt(0.75*6.25+0.25*56.25)
    EXPECT_NEAR(s.age->age, 32.5, 1e-6);
    EXPECT_NEAR(s.age->spread, std::sqrt(0.75 * 6.25 + 0.25 * 56.25), 1e-6);
    EXPECT_NEAR(s.age->confidence, 0.75, 1e-6);  // only age 30 is within +-5 of 32.5
    ASSERT_TRUE(s.age->birth_year);
    // Birth years use the fractional capture year (1 May = day 120) and each face's fused age
    // (30 and 35 here), as the clustering's birth-year term does.
    const double y1 = 2010 + 120 / 365.25;
    EXPECT_NEAR(*s.age->birth_year, ((y1 - 30) + (2020 - 35)) / 2.0, 1e-6);
    EXPECT_NEAR(*s.age->birth_year_sd, std::abs((y1 - 30) - (2020 - 35)) / 2, 1e-6);
    EXPECT_EQ(s.first_date.value(), "2010-05-01T10:00:00");
    EXPECT_EQ(s.last_date.value(), "2020-01-01");
    EXPECT_EQ(s.photos, 2);
    EXPECT_EQ(s.photo_ids, (std::vector<std::int64_t>{1, 2}));
}

TEST(PersonSummary, NoAgeWithoutDistributions) {
    std::vector<FaceRecord> faces = {face(1, 1, 0.5f, 0.5f)};
    const auto s =
        fs::summarize_person(PersonRecord{1, {}, 1}, ptrs(faces), photos_with_dates({{}}), {}, {});
    EXPECT_FALSE(s.age);
    EXPECT_FALSE(s.first_date);
}

TEST(PersonSummary, RepresentativesClosestToCentroidThenQuality) {
    std::vector<FaceRecord> faces;
    const std::vector<std::vector<float>> e = {
        {0.f, 1.f}, {1.f, 0.3f}, {1.f, -0.3f}, {1.f, 0.02f}, {1.f, 0.5f}};
    for (int i = 0; i < 5; ++i) {
        faces.push_back(face(i + 1, 1, 0.5f, 0.5f));
        faces.back().embedding_dlib = e[static_cast<std::size_t>(i)];
        faces.back().face_size = 20.f * static_cast<float>(i + 1);  // quality grows with id
    }
    // Brute-force reference: cosine to the mean of the normalised embeddings.
    double cx = 0, cy = 0;
    for (const auto& v : e) {
        const double n = std::hypot(v[0], v[1]);
        cx += v[0] / n, cy += v[1] / n;
    }
    std::vector<std::pair<double, std::int64_t>> cos;
    for (int i = 0; i < 5; ++i) {
        const auto& v = e[static_cast<std::size_t>(i)];
        cos.emplace_back(-(v[0] * cx + v[1] * cy) / std::hypot(v[0], v[1]) / std::hypot(cx, cy),
                         i + 1);
    }
    std::sort(cos.begin(), cos.end());
    fs::SummaryOptions o;
    o.representatives = 2;
    const auto s =
        fs::summarize_person(PersonRecord{1, {}, 5}, ptrs(faces), photos_with_dates({{}}), {}, o);
    ASSERT_EQ(s.face_ids.size(), 5u);
    EXPECT_EQ(s.representatives, 2);
    EXPECT_EQ(s.face_ids[0], cos[0].second);
    EXPECT_EQ(s.face_ids[1], cos[1].second);
    // The other three follow by decreasing quality, i.e. decreasing id here.
    std::vector<std::int64_t> rest;
    for (int i = 2; i < 5; ++i) rest.push_back(cos[static_cast<std::size_t>(i)].second);
    std::sort(rest.rbegin(), rest.rend());
    EXPECT_EQ(std::vector<std::int64_t>(s.face_ids.begin() + 2, s.face_ids.end()), rest);
}

TEST(PersonSummary, QualityTerms) {
    fs::SummaryOptions o;
    auto f = face(1, 1, 0.5f, 0.5f);
    f.score = 0.8f;
    f.face_size = 50;
    f.blur = 300;
    EXPECT_NEAR(fs::face_quality(f, o), 0.8 * 0.5 * 0.75, 1e-6);
}

TEST(PersonSummary, AttributeSharesAndProminence) {
    std::vector<FaceRecord> faces;
    for (int i = 0; i < 4; ++i) {
        faces.push_back(face(i + 1, 1, 0.5f, 0.5f));
        faces.back().expression.assign(7, 0.f);
        faces.back().expression[i < 3 ? 1 : 0] = 1.f;  // 3 happy, 1 neutral
    }
    std::vector<fs::FaceAttributeProb> attrs = {{1, "Eyeglasses", 0.9f},
                                                {2, "Eyeglasses", 0.2f},
                                                {3, "Eyeglasses", 0.1f},
                                                {4, "Eyeglasses", 0.1f},
                                                {99, "Eyeglasses", 1.0f}};  // other person: ignored
    const auto s = fs::summarize_person(PersonRecord{1, {}, 4}, ptrs(faces),
                                        photos_with_dates({{}}), attrs, {});
    ASSERT_EQ(s.attributes.size(), 8u);
    EXPECT_EQ(s.attributes[0].name, "neutral");
    EXPECT_NEAR(s.attributes[0].share, 0.25, 1e-9);
    EXPECT_FALSE(s.attributes[0].prominent);
    EXPECT_EQ(s.attributes[1].name, "happy");
    EXPECT_NEAR(s.attributes[1].share, 0.75, 1e-9);
    EXPECT_TRUE(s.attributes[1].prominent);
    EXPECT_EQ(s.attributes[7].kind, "attribute");
    EXPECT_NEAR(s.attributes[7].share, 0.25, 1e-9);
    EXPECT_FALSE(s.attributes[7].prominent);
}

TEST(PersonSummary, RejectsNoFacesAndBadOptions) {
    EXPECT_THROW(fs::summarize_person(PersonRecord{1, {}, 0}, {}, {}, {}, {}), faceatlas::Error);
    fs::SummaryOptions o;
    o.fusion.faceres_top_l = 0;
    EXPECT_THROW(o.validate(), faceatlas::Error);
}
