// faceatlas search IMAGE: the catalog faces and persons nearest to each face in IMAGE. Exact for
// small catalogs; a FAISS index persisted next to the catalog for large ones, kept in step with
// the catalog incrementally (new faces added; rebuilt when faces disappeared).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <set>
#include <unordered_set>

#include "cli_common.h"
#include "face_data.h"
#include "faceatlas/cluster/distance.h"
#include "faceatlas/cluster/vector_index.h"
#include "faceatlas/core/error.h"
#include "faceatlas/vision/analyzer.h"

namespace faceatlas::cli {
namespace {

struct SearchArgs {
    std::string image;
    std::string catalog = "faceatlas.db";
    int top = 20;
    bool json = false;
    std::string embedding = "dlib";
    std::string index = "auto";  // auto, exact, flat, ivf, hnsw
    std::size_t exact_below = 20000;
    bool crops = false;
    float min_score = 0.5f;
};

struct Hit {
    std::size_t face;  // index into CatalogFaces::faces
    float distance;
};

struct IndexReport {
    std::string path;
    std::string kind;
    std::size_t added = 0;
    bool rebuilt = false;
    std::size_t size = 0;
};

// Brings the persisted index in step with the live faces; returns it with a report.
cluster::VectorIndex synced_index(const SearchArgs& a, const CatalogFaces& cf,
                                  const cluster::Matrix& x, cluster::IndexKind kind,
                                  IndexReport* report) {
    const std::string path =
        a.catalog + "." + a.embedding + "." + cluster::to_string(kind) + ".faiss";
    report->path = path;
    report->kind = cluster::to_string(kind);
    std::unordered_set<std::int64_t> live;
    for (const auto& f : cf.faces) live.insert(f.id);
    std::optional<cluster::VectorIndex> index;
    if (std::filesystem::exists(path)) {
        try {
            index.emplace(cluster::VectorIndex::load(path));
            if (index->dim() != x.cols()) index.reset();
        } catch (const Error&) {
            index.reset();  // unreadable: rebuilt below
        }
        if (index) {
            for (auto id : index->ids()) {
                if (!live.count(id)) {  // a face was deleted or re-scanned: FAISS cannot remove it
                    index.reset();
                    break;
                }
            }
        }
        report->rebuilt = !index.has_value();
    }
    if (!index) {
        cluster::VectorIndexOptions o;
        o.kind = kind;
        index.emplace(x.cols(), o);
    }
    std::vector<std::int64_t> new_ids;
    std::vector<float> rows;
    for (std::size_t i = 0; i < cf.faces.size(); ++i) {
        if (index->contains(cf.faces[i].id)) continue;
        new_ids.push_back(cf.faces[i].id);
        rows.insert(rows.end(), x.row(i), x.row(i) + x.cols());
    }
    if (!new_ids.empty()) {
        index->add(cluster::MatrixView{rows.data(), new_ids.size(), x.cols()}, new_ids);
        report->added = new_ids.size();
        try {
            index->save(path);
        } catch (const std::exception& e) {
            std::cerr << "faceatlas: warning: index not saved (" << e.what() << ")\n";
        }
    }
    report->size = index->size();
    return std::move(*index);
}

int run_search(const SearchArgs& a, GlobalOptions& g) {
    if (a.top < 1) throw Error(ErrorCode::kInvalidArgument, "--top must be >= 1", "--top");
    (void)embedding_dim(a.embedding);
    if (!std::filesystem::exists(a.image)) {
        throw Error(ErrorCode::kNotFound, "no such image", a.image, "check the path");
    }
    const CatalogFaces cf = load_catalog_faces(a.catalog, true);
    std::vector<const catalog::FaceRecord*> ptrs;
    for (const auto& f : cf.faces) ptrs.push_back(&f);
    const cluster::Matrix x = embedding_matrix(ptrs, a.embedding);

    vision::AnalyzeOptions ao;
    ao.crops = a.crops;
    ao.min_confidence = a.min_score;
    ao.validate();
    auto analyzer = vision::Analyzer::load(nn::ModelManifest::load_default(resolve_model_dir(g)));
    const vision::ImageResult img = analyzer.analyze_file(a.image, ao);
    if (img.error)
        throw Error(ErrorCode::kCorruptData, *img.error, a.image, "check the image opens");
    const std::size_t nq = img.faces.size();
    cluster::Matrix q(nq, x.cols());
    for (std::size_t i = 0; i < nq; ++i) {
        const auto& e =
            a.embedding == "dlib" ? img.faces[i].embedding_dlib : img.faces[i].embedding_faceres;
        if (e.size() != x.cols()) {
            throw Error(ErrorCode::kInternal, "query face has no " + a.embedding + " embedding",
                        a.image);
        }
        std::copy(e.begin(), e.end(), q.row(i));
    }

    std::map<std::int64_t, std::string> person_names;
    for (const auto& p : cf.catalog->persons()) person_names[p.id] = p.name.value_or("");
    std::map<std::int64_t, std::size_t> row_of;
    for (std::size_t i = 0; i < cf.faces.size(); ++i) row_of[cf.faces[i].id] = i;

    // Candidates: more than --top so that persons can be ranked from them.
    const std::size_t want = std::min<std::size_t>(
        cf.faces.size(), std::max<std::size_t>(static_cast<std::size_t>(a.top) * 5, 100));
    std::string mode = a.index;
    if (mode == "auto") {
        const auto kind = cluster::auto_index_kind(cf.faces.size(), a.exact_below,
                                                   cluster::VectorIndex::available());
        mode = kind ? cluster::to_string(*kind) : "exact";
        if (!kind && cf.faces.size() >= a.exact_below)
            std::cerr << "faceatlas: note: exact search of " << cf.faces.size()
                      << " faces: this faceatlas was built without FAISS (no HNSW index)\n";
    }
    std::vector<std::vector<Hit>> hits(nq);
    IndexReport report;
    if (want > 0 && nq > 0) {
        if (mode == "exact") {
            const cluster::Matrix d =
                cluster::pairwise_distances(q, x, cluster::Metric::kEuclidean);
            for (std::size_t i = 0; i < nq; ++i) {
                std::vector<Hit> all(cf.faces.size());
                for (std::size_t j = 0; j < all.size(); ++j) all[j] = {j, d(i, j)};
                std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(want),
                                  all.end(), [&](const Hit& l, const Hit& r) {
                                      return l.distance != r.distance
                                                 ? l.distance < r.distance
                                                 : cf.faces[l.face].id < cf.faces[r.face].id;
                                  });
                hits[i].assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(want));
            }
        } else {
            const auto index =
                synced_index(a, cf, x, cluster::index_kind_from_string(mode), &report);
            const auto res = index.search(q, static_cast<int>(want));
            for (std::size_t i = 0; i < nq; ++i) {
                for (const auto& n : res[i]) hits[i].push_back({row_of.at(n.id), n.distance});
            }
        }
    }

    nlohmann::json out_faces = nlohmann::json::array();
    for (std::size_t i = 0; i < nq; ++i) {
        const auto& f = img.faces[i];
        nlohmann::json top = nlohmann::json::array();
        for (std::size_t t = 0; t < hits[i].size() && t < static_cast<std::size_t>(a.top); ++t) {
            const auto& face = cf.faces[hits[i][t].face];
            top.push_back({{"face_id", face.id},
                           {"file", cf.paths[hits[i][t].face]},
                           {"distance", hits[i][t].distance},
                           {"person_id",
                            face.person_id ? nlohmann::json(*face.person_id) : nlohmann::json()}});
        }
        // Persons: distance of their closest face among the candidates.
        std::map<std::int64_t, std::pair<float, int>> best;
        for (const auto& h : hits[i]) {
            const auto& face = cf.faces[h.face];
            if (!face.person_id) continue;
            auto [it, inserted] = best.emplace(*face.person_id, std::make_pair(h.distance, 0));
            it->second.first = std::min(it->second.first, h.distance);
            ++it->second.second;
        }
        std::vector<std::pair<float, std::int64_t>> order;
        for (const auto& [p, v] : best) order.emplace_back(v.first, p);
        std::sort(order.begin(), order.end());
        nlohmann::json persons = nlohmann::json::array();
        for (std::size_t t = 0; t < order.size() && t < static_cast<std::size_t>(a.top); ++t) {
            const auto p = order[t].second;
            persons.push_back({{"person_id", p},
                               {"name", person_names[p]},
                               {"distance", order[t].first},
                               {"faces_among_candidates", best[p].second}});
        }
        out_faces.push_back({{"box", {f.box[0], f.box[1], f.box[2], f.box[3]}},
                             {"score", f.score},
                             {"faces", top},
                             {"persons", persons}});
    }
    if (a.json) {
        nlohmann::json doc{{"image", a.image},
                           {"catalog", a.catalog},
                           {"embedding", a.embedding},
                           {"catalog_faces", cf.faces.size()},
                           {"mode", mode},
                           {"query_faces", out_faces}};
        if (mode != "exact") {
            doc["index"] = {{"path", report.path},
                            {"kind", report.kind},
                            {"size", report.size},
                            {"added", report.added},
                            {"rebuilt", report.rebuilt}};
        }
        std::cout << doc.dump() << "\n";
        return kExitOk;
    }
    std::printf("%s: %zu face%s; catalog %zu faces, %s search (%s)\n", a.image.c_str(), nq,
                nq == 1 ? "" : "s", cf.faces.size(), mode.c_str(), a.embedding.c_str());
    if (mode != "exact") {
        std::printf("index %s: %zu vectors, %zu added%s\n", report.path.c_str(), report.size,
                    report.added, report.rebuilt ? ", rebuilt (faces were removed)" : "");
    }
    for (std::size_t i = 0; i < nq; ++i) {
        const auto& jf = out_faces[i];
        std::printf("face %zu  box %.0f,%.0f,%.0f,%.0f\n", i + 1, img.faces[i].box[0],
                    img.faces[i].box[1], img.faces[i].box[2], img.faces[i].box[3]);
        for (const auto& t : jf["faces"]) {
            std::printf("  %8lld  %.4f  %-8s %s\n", t["face_id"].get<long long>(),
                        t["distance"].get<double>(),
                        t["person_id"].is_null()
                            ? "-"
                            : std::to_string(t["person_id"].get<long long>()).c_str(),
                        std::filesystem::path(t["file"].get<std::string>()).filename().c_str());
        }
        if (!jf["persons"].empty()) {
            std::printf("  persons:");
            for (const auto& p : jf["persons"]) {
                const std::string name = p["name"].get<std::string>();
                std::printf(" %lld%s%s (%.3f)", p["person_id"].get<long long>(),
                            name.empty() ? "" : " ", name.c_str(), p["distance"].get<double>());
            }
            std::printf("\n");
        }
    }
    return kExitOk;
}

}  // namespace

Command register_search(CLI::App& root, GlobalOptions& g) {
    auto a = std::make_shared<SearchArgs>();
    auto* app = root.add_subcommand(
        "search", "find the catalog faces and persons nearest to the faces in an image");
    app->add_option("image", a->image, "image file")->required();
    app->add_option("--catalog", a->catalog, "catalog file")->capture_default_str();
    app->add_option("--top", a->top, "faces and persons listed per query face")
        ->capture_default_str();
    app->add_flag("--json", a->json, "JSON output");
    app->add_option("--embedding", a->embedding, "dlib or faceres")
        ->check(CLI::IsMember({"dlib", "faceres"}))
        ->capture_default_str();
    app->add_option(
           "--index", a->index,
           "auto (exact below --exact-below faces or without FAISS, else hnsw), exact, flat, "
           "ivf or hnsw")
        ->check(CLI::IsMember({"auto", "exact", "flat", "ivf", "hnsw"}))
        ->capture_default_str();
    app->add_option("--exact-below", a->exact_below, "auto: exact search below this many faces")
        ->capture_default_str();
    app->add_flag("--crops", a->crops, "treat the image as one face crop (no detector)");
    app->add_option("--min-score", a->min_score, "detector score threshold")
        ->check(CLI::Range(0.0, 1.0))
        ->capture_default_str();
    return {app, [a, &g]() { return run_search(*a, g); }};
}

}  // namespace faceatlas::cli
