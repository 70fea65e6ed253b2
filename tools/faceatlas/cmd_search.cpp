// faceatlas search IMAGE: embeds the faces of IMAGE, asks pipeline::search_faces for the nearest
// catalog faces and persons, renders them.
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
#include "faceatlas/catalog/embedding_kind.h"
#include "faceatlas/core/error.h"
#include "faceatlas/pipeline/search.h"
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

int run_search(const SearchArgs& a, GlobalOptions& g) {
    pipeline::SearchOptions so;
    so.top = a.top;
    so.embedding = a.embedding;
    so.index = a.index;
    so.exact_below = a.exact_below;
    so.validate();
    if (!std::filesystem::exists(a.image)) {
        throw Error(ErrorCode::kNotFound, "no such image", a.image, "check the path");
    }
    auto cat = open_catalog(a.catalog, CatalogAccess::kReadOnly);
    const auto& kind = catalog::embedding_kind(a.embedding);
    // The catalog side first: a broken stored embedding fails before any network is loaded.
    const auto gallery = pipeline::load_search_gallery(*cat, a.embedding);

    vision::AnalyzeOptions ao;
    ao.crops = a.crops;
    ao.min_confidence = a.min_score;
    ao.validate();
    auto analyzer = vision::Analyzer::load(nn::ModelManifest::load_default(resolve_model_dir(g)));
    const vision::ImageResult img = analyzer.analyze_file(a.image, ao);
    if (img.error)
        throw Error(ErrorCode::kCorruptData, *img.error, a.image, "check the image opens");
    const std::size_t nq = img.faces.size();
    cluster::Matrix q(nq, kind.dim);
    for (std::size_t i = 0; i < nq; ++i) {
        const auto& e =
            a.embedding == "dlib" ? img.faces[i].embedding_dlib : img.faces[i].embedding_faceres;
        if (e.size() != kind.dim) {
            throw Error(ErrorCode::kInternal, "query face has no " + a.embedding + " embedding",
                        a.image);
        }
        std::copy(e.begin(), e.end(), q.row(i));
    }

    std::string warning;
    const auto r = pipeline::search_faces(gallery, q, a.catalog, so, &warning);
    if (!warning.empty()) std::cerr << "faceatlas: warning: " << warning << "\n";
    if (r.exact_without_faiss)
        std::cerr << "faceatlas: note: exact search of " << r.catalog_faces
                  << " faces: this faceatlas was built without FAISS (no HNSW index)\n";

    nlohmann::json out_faces = nlohmann::json::array();
    for (std::size_t i = 0; i < nq; ++i) {
        const auto& f = img.faces[i];
        nlohmann::json top = nlohmann::json::array();
        for (const auto& h : r.queries[i].faces)
            top.push_back(
                {{"face_id", h.face_id},
                 {"file", h.file},
                 {"distance", h.distance},
                 {"person_id", h.person_id ? nlohmann::json(*h.person_id) : nlohmann::json()}});
        nlohmann::json persons = nlohmann::json::array();
        for (const auto& p : r.queries[i].persons)
            persons.push_back({{"person_id", p.person_id},
                               {"name", p.name},
                               {"distance", p.distance},
                               {"faces_among_candidates", p.faces_among_candidates}});
        out_faces.push_back({{"box", {f.box[0], f.box[1], f.box[2], f.box[3]}},
                             {"score", f.score},
                             {"faces", top},
                             {"persons", persons}});
    }
    if (a.json) {
        nlohmann::json doc{{"image", a.image},         {"catalog", a.catalog},
                           {"embedding", a.embedding}, {"catalog_faces", r.catalog_faces},
                           {"mode", r.mode},           {"query_faces", out_faces}};
        if (r.index) {
            doc["index"] = {{"path", r.index->path},
                            {"kind", r.index->kind},
                            {"size", r.index->size},
                            {"added", r.index->added},
                            {"rebuilt", r.index->rebuilt}};
        }
        std::cout << doc.dump() << "\n";
        return kExitOk;
    }
    std::printf("%s: %zu face%s; catalog %zu faces, %s search (%s)\n", a.image.c_str(), nq,
                nq == 1 ? "" : "s", r.catalog_faces, r.mode.c_str(), a.embedding.c_str());
    if (r.index) {
        std::printf("index %s: %zu vectors, %zu added%s\n", r.index->path.c_str(), r.index->size,
                    r.index->added, r.index->rebuilt ? ", rebuilt (faces were removed)" : "");
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
