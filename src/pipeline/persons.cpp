#include "faceatlas/pipeline/persons.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "faceatlas/catalog/embedding_kind.h"
#include "faceatlas/cluster/condensed_matrix.h"
#include "faceatlas/cluster/dendrogram_cut.h"
#include "faceatlas/cluster/linkage.h"
#include "faceatlas/core/error.h"
#include "faceatlas/pipeline/media.h"

namespace faceatlas::pipeline {
namespace {

// EmbeddingChoice is the typed flag; the registry (embedding_kind.h) holds what it means.
const catalog::EmbeddingKind& kind_of(EmbeddingChoice e) {
    return catalog::embedding_kind(e == EmbeddingChoice::kDlib ? "dlib" : "faceres");
}
const std::vector<float>& embedding_of(const catalog::FaceRecord& f, EmbeddingChoice e) {
    return kind_of(e).of(f);
}
const std::vector<float>& embedding_of(const catalog::TrackRecord& t, EmbeddingChoice e) {
    return kind_of(e).of(t);
}
std::size_t dim_of(EmbeddingChoice e) { return kind_of(e).dim; }

bool trusted(const catalog::PhotoRecord& p, bool trust_file_dates) {
    if (!p.taken_at) return false;
    return p.date_source != "file" && !p.date_source.empty() ? true : trust_file_dates;
}

std::optional<double> photo_year(const catalog::PhotoRecord& p, bool trust_file_dates) {
    if (!trusted(p, trust_file_dates)) return std::nullopt;
    CaptureDate d;
    d.iso = p.taken_at;
    return d.year();
}

void check_finite(const std::vector<float>& v, std::int64_t face_id, const char* what) {
    for (float x : v) {
        if (!std::isfinite(x)) {
            throw Error(ErrorCode::kCorruptData,
                        std::string("face ") + std::to_string(face_id) + " has a NaN/inf " + what +
                            " embedding",
                        "catalog", "re-scan its photo (`faceatlas scan --rescan`) or delete it");
        }
    }
}

struct ItemSource {
    std::vector<std::int64_t> face_ids;
};

}  // namespace

const char* to_string(EmbeddingChoice e) { return kind_of(e).name.data(); }

EmbeddingChoice embedding_from_string(const std::string& name) {
    return catalog::embedding_kind(name).name == "dlib" ? EmbeddingChoice::kDlib
                                                        : EmbeddingChoice::kFaceres;
}

PersonClusteringReport cluster_persons(catalog::Catalog& catalog,
                                       const PersonClusteringOptions& options) {
    cluster::AlbumOptions album = options.album;
    album.metric = kind_of(options.embedding).metric;
    album.validate();
    PersonClusteringReport report;
    report.threshold = album.resolved_threshold();

    std::map<std::int64_t, catalog::PhotoRecord> photos;
    for (auto& p : catalog.photos()) photos.emplace(p.id, std::move(p));
    std::map<std::int64_t, catalog::TrackRecord> tracks;
    for (auto& t : catalog.tracks()) tracks.emplace(t.id, std::move(t));
    std::map<std::int64_t, std::int64_t> pins;
    std::map<std::int64_t, std::vector<std::int64_t>> nots;
    for (const auto& c : catalog.person_constraints()) {
        if (c.kind == catalog::PersonConstraintKind::kIs) {
            pins[c.face_id] = c.person_id;
        } else {
            nots[c.face_id].push_back(c.person_id);
            ++report.not_person_rules;
        }
    }

    std::map<std::string, std::int64_t> group_ids;
    auto group_id = [&](const std::string& key) {
        return group_ids.emplace(key, static_cast<std::int64_t>(group_ids.size())).first->second;
    };
    const std::size_t dim = dim_of(options.embedding);
    const auto last_run = catalog.last_cluster_run();
    const std::int64_t seen_up_to = last_run ? last_run->max_face_id : 0;
    std::int64_t max_face_id = seen_up_to;
    std::vector<cluster::AlbumItem> items;
    std::vector<ItemSource> sources;
    std::vector<float> matrix;
    std::map<std::int64_t, std::size_t> track_item;
    std::map<std::int64_t, std::optional<std::int64_t>> old_person;
    std::size_t pinned = 0;

    for (const auto& f : catalog.faces(true)) {
        const auto pit = photos.find(f.photo_id);
        if (pit == photos.end() || pit->second.status != catalog::MediaStatus::kOk) continue;
        const catalog::PhotoRecord& photo = pit->second;
        ++report.faces;
        old_person[f.id] = f.person_id;
        const bool video = photo.kind == catalog::MediaKind::kVideo || f.frame_index.has_value();
        const std::string group_key =
            video
                ? "v:" + std::to_string(photo.id) + ":" + std::to_string(f.frame_index.value_or(-1))
                : (photo.group ? "g:" + *photo.group : "p:" + std::to_string(photo.id));
        std::optional<double> birth;
        const auto year = photo_year(photo, options.trust_file_dates);
        if (year) birth = *year - f.age_faceres;
        std::size_t index = 0;
        const auto tr = f.track_id ? tracks.find(*f.track_id) : tracks.end();
        if (tr != tracks.end() && embedding_of(tr->second, options.embedding).size() == dim) {
            const auto [pos, inserted] = track_item.emplace(tr->first, items.size());
            index = pos->second;
            if (inserted) {
                const auto& e = embedding_of(tr->second, options.embedding);
                check_finite(e, f.id, to_string(options.embedding));
                matrix.insert(matrix.end(), e.begin(), e.end());
                items.emplace_back();
                sources.emplace_back();
                if (year) items.back().day = *year * 365.25;
                if (year) items.back().birth_year = *year - tr->second.age;
                ++report.tracks;
            }
        } else {
            const auto& e = embedding_of(f, options.embedding);
            if (e.size() != dim) {
                ++report.skipped_faces;
                continue;
            }
            check_finite(e, f.id, to_string(options.embedding));
            matrix.insert(matrix.end(), e.begin(), e.end());
            index = items.size();
            items.emplace_back();
            sources.emplace_back();
            if (year) items.back().day = *year * 365.25;
            items.back().birth_year = birth;
        }
        auto& item = items[index];
        sources[index].face_ids.push_back(f.id);
        max_face_id = std::max(max_face_id, f.id);
        if (sources[index].face_ids.size() == 1)
            item.is_new = f.id > seen_up_to;
        else
            item.is_new = item.is_new || f.id > seen_up_to;
        const auto g = group_id(group_key);
        if (std::find(item.groups.begin(), item.groups.end(), g) == item.groups.end())
            item.groups.push_back(g);
        if (const auto p = pins.find(f.id); p != pins.end() && !item.pinned_person) {
            item.pinned_person = p->second;
            ++pinned;
        }
        if (const auto nt = nots.find(f.id); nt != nots.end())
            for (auto p : nt->second) item.not_persons.push_back(p);
    }
    report.pinned_faces = pinned;
    // A track's previous person: the most frequent among its faces.
    for (std::size_t i = 0; i < items.size(); ++i) {
        std::map<std::int64_t, int> votes;
        for (auto fid : sources[i].face_ids)
            if (const auto& p = old_person[fid]) ++votes[*p];
        int best = 0;
        for (const auto& [p, v] : votes)
            if (v > best) {
                best = v;
                items[i].person = p;
            }
        if (items[i].birth_year) ++report.dated_items;
        if (items[i].is_new) ++report.new_items;
    }
    report.items = items.size();

    const cluster::MatrixView x{matrix.data(), items.size(), dim};
    const cluster::AlbumResult result = cluster::cluster_album(x, items, album);
    report.raw_clusters = result.raw_clusters;
    report.cannot_link_splits = result.cannot_link_splits;
    report.assigned_to_centroid = result.assigned_to_centroid;

    // Persons: kept ids, new ones, and old ones that lost every face.
    std::vector<int> new_index(result.persons.size(), -1);
    int num_new = 0;
    std::set<std::int64_t> kept;
    for (std::size_t p = 0; p < result.persons.size(); ++p) {
        if (result.persons[p].existing) {
            kept.insert(*result.persons[p].existing);
        } else {
            new_index[p] = num_new++;
        }
    }
    std::vector<catalog::FaceAssignment> assignment;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const int p = result.person_of[i];
        for (auto fid : sources[i].face_ids) {
            catalog::FaceAssignment a;
            a.face_id = fid;
            if (p >= 0) {
                const auto& person = result.persons[static_cast<std::size_t>(p)];
                if (person.existing)
                    a.person_id = person.existing;
                else
                    a.new_person = new_index[static_cast<std::size_t>(p)];
            } else {
                ++report.unsorted_faces;
            }
            assignment.push_back(a);
        }
    }
    std::vector<std::int64_t> drop;
    for (const auto& person : catalog.persons()) {
        if (kept.count(person.id)) continue;
        if (person.name) continue;  // a named person stays, even without faces
        drop.push_back(person.id);
    }
    report.new_persons = static_cast<std::size_t>(num_new);
    report.kept_persons = kept.size();
    report.dropped_persons = drop.size();
    for (const auto& person : result.persons) report.persons += person.items.empty() ? 0 : 1;
    if (!options.dry_run)
        catalog.apply_person_assignment(num_new, assignment, drop,
                                        {max_face_id, options.params_json});
    return report;
}

void merge_persons(catalog::Catalog& catalog, std::int64_t into,
                   const std::vector<std::int64_t>& others) {
    const auto persons = catalog.persons();
    auto known = [&](std::int64_t id) {
        return std::any_of(persons.begin(), persons.end(),
                           [&](const catalog::PersonRecord& p) { return p.id == id; });
    };
    for (auto id : others) {
        if (id == into)
            throw Error(ErrorCode::kInvalidArgument,
                        "cannot merge person " + std::to_string(id) + " into itself",
                        "person merge", "list the target once, then the persons to merge into it");
    }
    for (auto id : std::vector<std::int64_t>{into}) {
        if (!known(id))
            throw Error(ErrorCode::kNotFound, "no person " + std::to_string(id), "person merge",
                        "list persons with `faceatlas persons`");
    }
    for (auto id : others)
        if (!known(id))
            throw Error(ErrorCode::kNotFound, "no person " + std::to_string(id), "person merge",
                        "list persons with `faceatlas persons`");
    const std::set<std::int64_t> from(others.begin(), others.end());
    for (const auto& f : catalog.faces(false))
        if (f.person_id && from.count(*f.person_id)) catalog.pin_face(f.id, into);
    for (auto id : from) catalog.delete_person(id);
}

std::vector<std::int64_t> split_person(catalog::Catalog& catalog, std::int64_t person,
                                       const SplitOptions& options) {
    const auto persons = catalog.persons();
    if (std::none_of(persons.begin(), persons.end(),
                     [&](const catalog::PersonRecord& p) { return p.id == person; }))
        throw Error(ErrorCode::kNotFound, "no person " + std::to_string(person), "person split",
                    "list persons with `faceatlas persons`");
    std::vector<catalog::FaceRecord> faces;
    for (auto& f : catalog.faces(true))
        if (f.person_id == person) faces.push_back(std::move(f));
    std::vector<std::vector<std::int64_t>> parts;
    if (!options.faces.empty()) {
        std::set<std::int64_t> chosen(options.faces.begin(), options.faces.end());
        std::vector<std::int64_t> moved;
        for (const auto& f : faces)
            if (chosen.erase(f.id)) moved.push_back(f.id);
        if (!chosen.empty())
            throw Error(ErrorCode::kInvalidArgument,
                        "face " + std::to_string(*chosen.begin()) + " is not a face of person " +
                            std::to_string(person),
                        "person split --faces",
                        "list the person's faces with `faceatlas faces --json`");
        if (moved.size() == faces.size())
            throw Error(ErrorCode::kInvalidArgument, "--faces lists every face of the person",
                        "person split", "name the faces that should leave, not all of them");
        if (!moved.empty()) parts.push_back(moved);
    } else {
        if (faces.size() < 2) return {};
        const auto metric = kind_of(options.embedding).metric;
        const double t = options.threshold > 0
                             ? options.threshold
                             : 0.75 * cluster::default_album_threshold(
                                          cluster::AlbumAlgorithm::kAverage, metric);
        const std::size_t dim = dim_of(options.embedding);
        std::vector<float> m;
        std::vector<std::int64_t> ids;
        for (const auto& f : faces) {
            const auto& e = embedding_of(f, options.embedding);
            if (e.size() != dim) continue;
            check_finite(e, f.id, to_string(options.embedding));
            m.insert(m.end(), e.begin(), e.end());
            ids.push_back(f.id);
        }
        if (ids.size() < 2) return {};
        const cluster::MatrixView x{m.data(), ids.size(), dim};
        const auto flat =
            cluster::cut_by_distance(cluster::linkage(cluster::condensed_distances(x, metric),
                                                      cluster::LinkageMethod::kAverage),
                                     t);
        auto groups = flat.members();
        std::stable_sort(groups.begin(), groups.end(),
                         [](const auto& a, const auto& b) { return a.size() > b.size(); });
        for (std::size_t g = 1; g < groups.size(); ++g) {
            std::vector<std::int64_t> part;
            for (int i : groups[g]) part.push_back(ids[static_cast<std::size_t>(i)]);
            parts.push_back(part);
        }
    }
    std::vector<std::int64_t> created;
    for (const auto& part : parts) {
        const auto id = catalog.create_person();
        created.push_back(id);
        for (auto fid : part) {
            catalog.pin_face(fid, id);
            catalog.add_not_person(fid, person);
        }
    }
    return created;
}

}  // namespace faceatlas::pipeline
