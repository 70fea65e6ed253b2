#include "faceatlas/summary/person_summary.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "faceatlas/core/error.h"
#include "faceatlas/vision/analyzer.h"

namespace faceatlas::summary {
namespace {

constexpr int kAgeBins = 100;
constexpr int kMinAge = 1;  // faceres bins are ages 1..100
constexpr double kProbClip = 0.01;

void bad(const std::string& what) {
    throw Error(ErrorCode::kInvalidArgument, what, "SummaryOptions");
}

std::optional<int> year_of(const std::optional<std::string>& iso) {
    if (!iso || iso->size() < 4) return std::nullopt;
    try {
        return std::stoi(iso->substr(0, 4));
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

GenderEstimate fuse_gender(const std::vector<const catalog::FaceRecord*>& faces,
                           GenderSource source) {
    GenderEstimate g;
    double log_m = 0, log_f = 0;
    int male_votes = 0;
    for (const auto* f : faces) {
        std::vector<float> probs;
        if (source != GenderSource::kFaceApi) probs.push_back(f->male_prob_faceres);
        if (source != GenderSource::kFaceres) probs.push_back(f->male_prob);
        double mean = 0;
        for (const float q : probs) {
            const double p = std::clamp(static_cast<double>(q), kProbClip, 1 - kProbClip);
            log_m += std::log(p);
            log_f += std::log(1 - p);
            mean += q;
        }
        if (mean / static_cast<double>(probs.size()) >= 0.5) ++male_votes;
    }
    g.male_vote = static_cast<double>(male_votes) / static_cast<double>(faces.size());
    // p_m / (p_m + p_f) computed from the log ratio so long products do not underflow.
    g.male_product = 1.0 / (1.0 + std::exp(log_f - log_m));
    g.male = g.male_product >= 0.5;
    g.confidence = std::max(g.male_product, 1 - g.male_product);
    return g;
}

std::optional<AgeEstimate> fuse_age(const std::vector<const catalog::FaceRecord*>& faces,
                                    const std::map<std::int64_t, catalog::PhotoRecord>& photos,
                                    const SummaryOptions& o) {
    std::vector<double> avg(kAgeBins, 0.0);
    int n = 0;
    for (const auto* f : faces) {
        if (f->age_probs.size() != kAgeBins) continue;
        for (int i = 0; i < kAgeBins; ++i)
            avg[static_cast<std::size_t>(i)] += f->age_probs[static_cast<std::size_t>(i)];
        ++n;
    }
    if (n == 0) return std::nullopt;
    const double total = std::accumulate(avg.begin(), avg.end(), 0.0);
    if (total <= 0) return std::nullopt;
    for (double& v : avg) v /= total;

    AgeEstimate a;
    std::vector<int> idx(kAgeBins);
    std::iota(idx.begin(), idx.end(), 0);
    std::partial_sort(idx.begin(), idx.begin() + o.age_top_l, idx.end(), [&](int x, int y) {
        return avg[static_cast<std::size_t>(x)] > avg[static_cast<std::size_t>(y)];
    });
    double num = 0, den = 0;
    for (int k = 0; k < o.age_top_l; ++k) {
        const double p = avg[static_cast<std::size_t>(idx[static_cast<std::size_t>(k)])];
        num += p * (kMinAge + idx[static_cast<std::size_t>(k)]);
        den += p;
    }
    a.age = den > 0 ? num / den : 0;
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
        if (const auto y = year_of(it->second.taken_at))
            births.push_back(*y - static_cast<double>(f->age_faceres));
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
    if (age_top_l < 1 || age_top_l > kAgeBins) bad("age_top_l must be in [1, 100]");
    if (!(age_confidence_years >= 0)) bad("age_confidence_years must be >= 0");
    if (!(attribute_threshold >= 0 && attribute_threshold <= 1))
        bad("attribute_threshold must be in [0, 1]");
    if (!(prominent_share >= 0 && prominent_share <= 1)) bad("prominent_share must be in [0, 1]");
    if (representatives < 0) bad("representatives must be >= 0");
    if (!(quality_size_ref > 0) || !(quality_blur_ref > 0))
        bad("quality_size_ref and quality_blur_ref must be > 0");
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

    s.gender = fuse_gender(faces, o.gender_source);
    s.age = fuse_age(faces, photos, o);
    s.attributes = attribute_shares(faces, attributes, o);
    return s;
}

}  // namespace faceatlas::summary
