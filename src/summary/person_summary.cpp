#include "faceatlas/summary/person_summary.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "faceatlas/core/error.h"
#include "faceatlas/pipeline/media.h"
#include "faceatlas/vision/analyzer.h"

namespace faceatlas::summary {
namespace {

constexpr int kAgeBins = 100;
constexpr int kMinAge = 1;          // faceres bins are ages 1..100
constexpr double kProbClip = 1e-6;  // as vision::fuse_age_gender

void bad(const std::string& what) {
    throw Error(ErrorCode::kInvalidArgument, what, "SummaryOptions");
}

GenderEstimate fuse_gender(const std::vector<const catalog::FaceRecord*>& faces,
                           const SummaryOptions& o) {
    GenderEstimate g;
    double z = 0;
    int male_votes = 0;
    for (const auto* f : faces) {
        const double p =
            std::clamp(static_cast<double>(fused_face(*f, o).male_prob), kProbClip, 1 - kProbClip);
        z += std::log(p) - std::log1p(-p);
        if (p >= 0.5) ++male_votes;
    }
    g.male_vote = static_cast<double>(male_votes) / static_cast<double>(faces.size());
    // sigmoid of the summed log odds, clamped so long products neither overflow nor underflow.
    g.male_product = 1.0 / (1.0 + std::exp(-std::clamp(z, -700.0, 700.0)));
    g.male = g.male_product >= 0.5;
    g.confidence = std::max(g.male_product, 1 - g.male_product);
    return g;
}

std::optional<AgeEstimate> fuse_age(const std::vector<const catalog::FaceRecord*>& faces,
                                    const std::map<std::int64_t, catalog::PhotoRecord>& photos,
                                    const SummaryOptions& o) {
    std::vector<double> avg(kAgeBins, 0.0);
    double faceapi_sum = 0;
    int n = 0;
    for (const auto* f : faces) {
        if (f->age_probs.size() != kAgeBins) continue;
        for (int i = 0; i < kAgeBins; ++i)
            avg[static_cast<std::size_t>(i)] += f->age_probs[static_cast<std::size_t>(i)];
        faceapi_sum += f->age;
        ++n;
    }
    if (n == 0) return std::nullopt;
    const double total = std::accumulate(avg.begin(), avg.end(), 0.0);
    if (total <= 0) return std::nullopt;
    for (double& v : avg) v /= total;

    AgeEstimate a;
    // The person's age is the face fusion applied to the person's inputs (mean face-api age,
    // averaged faceres distribution), so a one-face person gets exactly its face's fused age.
    const std::vector<float> avg_f(avg.begin(), avg.end());
    a.age = vision::fuse_age_gender(static_cast<float>(faceapi_sum / n), 0.5f, 0.f, avg_f, 0.5f,
                                    o.fusion)
                .age;
    double mean = 0;
    for (int i = 0; i < kAgeBins; ++i) mean += avg[static_cast<std::size_t>(i)] * (kMinAge + i);
    double var = 0, near = 0;
    for (int i = 0; i < kAgeBins; ++i) {
        const double p = avg[static_cast<std::size_t>(i)];
        const double age = kMinAge + i;
        var += p * (age - mean) * (age - mean);
        if (std::abs(age - a.age) <= o.age_confidence_years) near += p;
    }
    a.spread = std::sqrt(var);
    a.confidence = near;

    std::vector<double> births;
    for (const auto* f : faces) {
        const auto it = photos.find(f->photo_id);
        if (it == photos.end()) continue;
        if (const auto b = face_birth_year(*f, it->second, o)) births.push_back(*b);
    }
    if (!births.empty()) {
        const double m =
            std::accumulate(births.begin(), births.end(), 0.0) / static_cast<double>(births.size());
        double v = 0;
        for (double b : births) v += (b - m) * (b - m);
        a.birth_year = m;
        a.birth_year_sd = std::sqrt(v / static_cast<double>(births.size()));
    }
    return a;
}

std::vector<AttributeShare> attribute_shares(const std::vector<const catalog::FaceRecord*>& faces,
                                             const std::vector<FaceAttributeProb>& attributes,
                                             const SummaryOptions& o) {
    std::vector<AttributeShare> out;
    std::array<int, 7> counts{};
    int with_expr = 0;
    for (const auto* f : faces) {
        if (f->expression.size() != 7) continue;
        const auto best =
            std::max_element(f->expression.begin(), f->expression.end()) - f->expression.begin();
        ++counts[static_cast<std::size_t>(best)];
        ++with_expr;
    }
    if (with_expr > 0)
        for (std::size_t i = 0; i < 7; ++i) {
            const double share = static_cast<double>(counts[i]) / with_expr;
            out.push_back({std::string(vision::kExpressionNames[i]), "expression", share,
                           share >= o.prominent_share});
        }

    std::set<std::int64_t> ids;
    for (const auto* f : faces) ids.insert(f->id);
    std::map<std::string, std::pair<int, int>>
        attr;  // name -> (faces showing it, faces with a value)
    for (const auto& a : attributes) {
        if (!ids.count(a.face_id)) continue;
        auto& c = attr[a.name];
        ++c.second;
        if (a.prob >= o.attribute_threshold) ++c.first;
    }
    for (const auto& [name, c] : attr) {
        const double share = c.second > 0 ? static_cast<double>(c.first) / c.second : 0.0;
        out.push_back({name, "attribute", share, share >= o.prominent_share});
    }
    return out;
}

std::vector<float> normalized(const std::vector<float>& v) {
    double n = 0;
    for (float x : v) n += static_cast<double>(x) * x;
    n = std::sqrt(n);
    std::vector<float> o(v);
    if (n > 0)
        for (float& x : o) x = static_cast<float>(x / n);
    return o;
}

}  // namespace

void SummaryOptions::validate() const {
    fusion.validate();
    if (!(age_confidence_years >= 0)) bad("age_confidence_years must be >= 0");
    if (!(attribute_threshold >= 0 && attribute_threshold <= 1))
        bad("attribute_threshold must be in [0, 1]");
    if (!(prominent_share >= 0 && prominent_share <= 1)) bad("prominent_share must be in [0, 1]");
    if (representatives < 0) bad("representatives must be >= 0");
    if (!(quality_size_ref > 0) || !(quality_blur_ref > 0))
        bad("quality_size_ref and quality_blur_ref must be > 0");
}

vision::FusedAgeGender fused_face(const catalog::FaceRecord& f, const SummaryOptions& o) {
    return vision::fuse_age_gender(f.age, f.male_prob, f.age_faceres, f.age_probs,
                                   f.male_prob_faceres, o.fusion);
}

std::optional<double> trusted_year(const catalog::PhotoRecord& p, const SummaryOptions& o) {
    if (!p.taken_at || p.date_source.empty()) return std::nullopt;
    if (p.date_source == "file" && !o.trust_file_dates) return std::nullopt;
    pipeline::CaptureDate d;
    d.iso = p.taken_at;
    return d.year();
}

std::optional<double> face_birth_year(const catalog::FaceRecord& f, const catalog::PhotoRecord& p,
                                      const SummaryOptions& o) {
    const auto y = trusted_year(p, o);
    if (!y) return std::nullopt;
    return *y - static_cast<double>(fused_face(f, o).age);
}

float face_quality(const catalog::FaceRecord& f, const SummaryOptions& o) {
    const float size = std::clamp(f.face_size / o.quality_size_ref, 0.f, 1.f);
    const float blur = std::max(f.blur, 0.f) / (std::max(f.blur, 0.f) + o.quality_blur_ref);
    return std::clamp(f.score, 0.f, 1.f) * size * blur;
}

PersonSummary summarize_person(const catalog::PersonRecord& person,
                               const std::vector<const catalog::FaceRecord*>& faces,
                               const std::map<std::int64_t, catalog::PhotoRecord>& photos,
                               const std::vector<FaceAttributeProb>& attributes,
                               const SummaryOptions& o) {
    o.validate();
    if (faces.empty())
        throw Error(ErrorCode::kInvalidArgument,
                    "person " + std::to_string(person.id) + " has no faces", "summarize_person",
                    "summarize persons with at least one face");
    PersonSummary s;
    s.person_id = person.id;
    s.name = person.name;

    // Representatives: closest (cosine) to the mean of the L2-normalised dlib embeddings.
    std::vector<float> centroid;
    for (const auto* f : faces) {
        if (f->embedding_dlib.empty()) continue;
        const auto e = normalized(f->embedding_dlib);
        if (centroid.empty()) centroid.assign(e.size(), 0.f);
        if (e.size() != centroid.size()) continue;
        for (std::size_t i = 0; i < e.size(); ++i) centroid[i] += e[i];
    }
    centroid = normalized(centroid);
    struct Ranked {
        const catalog::FaceRecord* face;
        double distance;  // 1 - cosine to the centroid; +inf without an embedding
        float quality;
    };
    std::vector<Ranked> ranked;
    for (const auto* f : faces) {
        double d = std::numeric_limits<double>::infinity();
        if (!centroid.empty() && f->embedding_dlib.size() == centroid.size()) {
            const auto e = normalized(f->embedding_dlib);
            double dot = 0;
            for (std::size_t i = 0; i < e.size(); ++i)
                dot += static_cast<double>(e[i]) * centroid[i];
            d = 1 - dot;
        }
        ranked.push_back({f, d, face_quality(*f, o)});
    }
    const auto by_quality = [](const Ranked& a, const Ranked& b) {
        if (a.quality != b.quality) return a.quality > b.quality;
        return a.face->id < b.face->id;
    };
    std::sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
        if (a.distance != b.distance) return a.distance < b.distance;
        return a.face->id < b.face->id;
    });
    std::size_t reps = 0;
    while (reps < ranked.size() && static_cast<int>(reps) < o.representatives &&
           std::isfinite(ranked[reps].distance))
        ++reps;
    std::sort(ranked.begin() + static_cast<std::ptrdiff_t>(reps), ranked.end(), by_quality);
    s.representatives = static_cast<int>(reps);
    for (const auto& r : ranked) s.face_ids.push_back(r.face->id);

    // Media, dates.
    std::set<std::int64_t> seen;
    std::vector<const catalog::PhotoRecord*> media;
    for (const auto* f : faces) {
        if (!seen.insert(f->photo_id).second) continue;
        const auto it = photos.find(f->photo_id);
        if (it != photos.end()) media.push_back(&it->second);
    }
    std::sort(media.begin(), media.end(),
              [](const catalog::PhotoRecord* a, const catalog::PhotoRecord* b) {
                  if (a->taken_at.has_value() != b->taken_at.has_value())
                      return a->taken_at.has_value();
                  if (a->taken_at && *a->taken_at != *b->taken_at)
                      return *a->taken_at < *b->taken_at;
                  return a->id < b->id;
              });
    for (const auto* p : media) {
        s.photo_ids.push_back(p->id);
        (p->kind == catalog::MediaKind::kVideo ? s.videos : s.photos) += 1;
        if (p->taken_at) {
            if (!s.first_date || *p->taken_at < *s.first_date) s.first_date = p->taken_at;
            if (!s.last_date || *p->taken_at > *s.last_date) s.last_date = p->taken_at;
        }
    }

    s.gender = fuse_gender(faces, o);
    s.age = fuse_age(faces, photos, o);
    s.attributes = attribute_shares(faces, attributes, o);
    int with_expr = 0;
    for (const auto* f : faces) {
        if (f->expression.size() != 7) continue;
        const auto best =
            std::max_element(f->expression.begin(), f->expression.end()) - f->expression.begin();
        ++s.expression_counts[static_cast<std::size_t>(best)];
        for (std::size_t k = 0; k < 7; ++k) s.expression_mean[k] += f->expression[k];
        ++with_expr;
    }
    if (with_expr > 0)
        for (auto& m : s.expression_mean) m /= with_expr;
    return s;
}

std::vector<PersonSummary> summarize_persons(catalog::Catalog& cat, const SummaryOptions& o,
                                             const std::vector<FaceAttributeProb>& attributes) {
    std::map<std::int64_t, catalog::PhotoRecord> photos;
    for (auto& p : cat.photos())
        if (p.status == catalog::MediaStatus::kOk) photos.emplace(p.id, std::move(p));
    const auto all = cat.faces(true);
    std::map<std::int64_t, std::vector<const catalog::FaceRecord*>> by_person;
    for (const auto& f : all)
        if (f.person_id && photos.count(f.photo_id)) by_person[*f.person_id].push_back(&f);
    std::vector<PersonSummary> out;
    for (const auto& p : cat.persons()) {
        const auto it = by_person.find(p.id);
        if (it != by_person.end())
            out.push_back(summarize_person(p, it->second, photos, attributes, o));
    }
    return out;
}

}  // namespace faceatlas::summary
