#include "faceatlas/summary/album_summary.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <opencv2/core.hpp>

#include "faceatlas/core/error.h"

namespace faceatlas::summary {

void AlbumOptions::validate() const {
    person.validate();
    if (demography_persons < 0)
        throw Error(ErrorCode::kInvalidArgument, "demography_persons must be >= 0", "AlbumOptions");
    for (std::size_t i = 0; i < age_band_edges.size(); ++i)
        if (age_band_edges[i] <= 0 || (i > 0 && age_band_edges[i] <= age_band_edges[i - 1]))
            throw Error(ErrorCode::kInvalidArgument,
                        "age_band_edges must be positive and increasing", "AlbumOptions");
}

std::vector<std::pair<float, float>> project_2d(const std::vector<std::vector<float>>& rows,
                                                std::vector<double>* explained) {
    std::vector<std::pair<float, float>> out(rows.size(), {0.f, 0.f});
    if (explained) explained->assign(2, 0.0);
    if (rows.size() < 2) return out;
    const int n = static_cast<int>(rows.size());
    const int d = static_cast<int>(rows[0].size());
    cv::Mat data(n, d, CV_64F);
    for (int i = 0; i < n; ++i) {
        const auto& r = rows[static_cast<std::size_t>(i)];
        if (static_cast<int>(r.size()) != d)
            throw Error(ErrorCode::kInvalidArgument, "rows of different lengths", "project_2d");
        for (int j = 0; j < d; ++j) data.at<double>(i, j) = r[static_cast<std::size_t>(j)];
    }
    cv::Mat mean;
    cv::reduce(data, mean, 0, cv::REDUCE_AVG);
    data -= cv::repeat(mean, n, 1);
    const double total = cv::sum(data.mul(data))[0];
    if (total <= 1e-12) return out;
    cv::Mat cov = data.t() * data;  // d x d (embeddings are short: 128)
    cv::Mat evals, evecs;
    cv::eigen(cov, evals, evecs);
    for (int c = 0; c < std::min(2, d); ++c) {
        cv::Mat v = evecs.row(c).t();
        double lo, hi;
        cv::minMaxLoc(v, &lo, &hi);
        if (-lo > hi) v = -v;
        cv::Mat proj = data * v;
        for (int i = 0; i < n; ++i) {
            auto& p = out[static_cast<std::size_t>(i)];
            (c == 0 ? p.first : p.second) = static_cast<float>(proj.at<double>(i));
        }
        if (explained)
            (*explained)[static_cast<std::size_t>(c)] = std::max(0.0, evals.at<double>(c)) / total;
    }
    return out;
}

AlbumSummary summarize_album(catalog::Catalog& catalog, const AlbumOptions& o,
                             const std::vector<FaceAttributeProb>& attributes) {
    o.validate();
    AlbumSummary a;
    std::map<std::int64_t, catalog::PhotoRecord> photos;
    for (auto& p : catalog.photos()) {
        if (p.status != catalog::MediaStatus::kOk) continue;
        (p.kind == catalog::MediaKind::kVideo ? a.overview.videos : a.overview.photos) += 1;
        if (p.taken_at) {
            if (!a.overview.first_date || *p.taken_at < *a.overview.first_date)
                a.overview.first_date = p.taken_at;
            if (!a.overview.last_date || *p.taken_at > *a.overview.last_date)
                a.overview.last_date = p.taken_at;
        }
        photos.emplace(p.id, std::move(p));
    }
    std::vector<catalog::FaceRecord> faces;
    for (auto& f : catalog.faces(true))
        if (photos.count(f.photo_id)) faces.push_back(std::move(f));
    a.overview.faces = static_cast<std::int64_t>(faces.size());

    std::map<std::int64_t, std::vector<const catalog::FaceRecord*>> by_person;
    for (const auto& f : faces) {
        if (f.person_id)
            by_person[*f.person_id].push_back(&f);
        else
            ++a.overview.unsorted_faces;
    }
    for (const auto& p : catalog.persons()) {
        const auto it = by_person.find(p.id);
        if (it == by_person.end()) continue;
        a.persons.push_back(summarize_person(p, it->second, photos, attributes, o.person));
    }
    a.overview.persons = static_cast<std::int64_t>(a.persons.size());
    std::stable_sort(a.persons.begin(), a.persons.end(),
                     [](const PersonSummary& x, const PersonSummary& y) {
                         return x.face_ids.size() > y.face_ids.size();
                     });

    // Demography of the largest persons.
    const auto band_name = [&](std::size_t b) {
        const auto& e = o.age_band_edges;
        if (b == e.size()) return std::to_string(e.empty() ? 0 : e.back()) + "+";
        const int lo = b == 0 ? 0 : e[b - 1];
        return std::to_string(lo) + "-" + std::to_string(e[b] - 1);
    };
    for (std::size_t b = 0; b <= o.age_band_edges.size(); ++b)
        a.demography.push_back({band_name(b), 0, 0});
    const std::size_t top =
        std::min<std::size_t>(a.persons.size(), static_cast<std::size_t>(o.demography_persons));
    for (std::size_t i = 0; i < top; ++i) {
        const auto& p = a.persons[i];
        ++a.demography_persons;
        if (!p.age) {
            ++a.demography_unknown_age;
            continue;
        }
        std::size_t b = 0;
        while (b < o.age_band_edges.size() && p.age->age >= o.age_band_edges[b]) ++b;
        (p.gender.male ? a.demography[b].male : a.demography[b].female) += 1;
    }

    // Map of faces.
    std::vector<std::vector<float>> rows;
    std::vector<const catalog::FaceRecord*> mapped;
    for (const auto& f : faces)
        if (!f.embedding_dlib.empty() &&
            (rows.empty() || f.embedding_dlib.size() == rows[0].size())) {
            rows.push_back(f.embedding_dlib);
            mapped.push_back(&f);
        }
    const auto xy = project_2d(rows, &a.map_explained);
    for (std::size_t i = 0; i < mapped.size(); ++i)
        a.map.push_back({mapped[i]->id, mapped[i]->person_id, xy[i].first, xy[i].second});
    return a;
}

}  // namespace faceatlas::summary
