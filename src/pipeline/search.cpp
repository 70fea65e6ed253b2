#include "faceatlas/pipeline/search.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <unordered_set>

#include "faceatlas/catalog/embedding_kind.h"
#include "faceatlas/cluster/distance.h"
#include "faceatlas/cluster/vector_index.h"
#include "faceatlas/core/error.h"
#include "faceatlas/pipeline/live_faces.h"

namespace faceatlas::pipeline {

void SearchOptions::validate() const {
    if (top < 1) throw Error(ErrorCode::kInvalidArgument, "--top must be >= 1", "--top");
    (void)catalog::embedding_kind(embedding);  // throws naming the known kinds
    static const char* kModes[] = {"auto", "exact", "flat", "ivf", "hnsw"};
    if (std::none_of(std::begin(kModes), std::end(kModes),
                     [&](const char* m) { return index == m; }))
        throw Error(ErrorCode::kInvalidArgument, "unknown index '" + index + "'", "--index",
                    "use auto, exact, flat, ivf or hnsw");
}

namespace {

struct Hit {
    std::size_t face;  // index into LiveFaces::faces
    float distance;
};

// Brings the persisted index in step with the live faces.
cluster::VectorIndex synced_index(const std::string& path, const LiveFaces& lf,
                                  const cluster::Matrix& x, cluster::IndexKind kind,
                                  IndexReport& report, std::string* warning) {
    report.path = path;
    report.kind = cluster::to_string(kind);
    std::unordered_set<std::int64_t> live;
    for (const auto& f : lf.faces) live.insert(f.id);
    std::optional<cluster::VectorIndex> index;
    std::error_code ec;
    if (std::filesystem::exists(path, ec)) {
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
        report.rebuilt = !index.has_value();
    }
    if (!index) {
        cluster::VectorIndexOptions o;
        o.kind = kind;
        index.emplace(x.cols(), o);
    }
    std::vector<std::int64_t> new_ids;
    std::vector<float> rows;
    for (std::size_t i = 0; i < lf.faces.size(); ++i) {
        if (index->contains(lf.faces[i].id)) continue;
        new_ids.push_back(lf.faces[i].id);
        rows.insert(rows.end(), x.row(i), x.row(i) + x.cols());
    }
    if (!new_ids.empty()) {
        index->add(cluster::MatrixView{rows.data(), new_ids.size(), x.cols()}, new_ids);
        report.added = new_ids.size();
        try {
            index->save(path);
        } catch (const std::exception& e) {
            if (warning) *warning = std::string("index not saved (") + e.what() + ")";
        }
    }
    report.size = index->size();
    return std::move(*index);
}

}  // namespace

SearchGallery load_search_gallery(catalog::Catalog& cat, const std::string& embedding) {
    SearchGallery g;
    g.embedding = std::string(catalog::embedding_kind(embedding).name);
    g.faces = live_faces(cat, true);
    std::vector<const catalog::FaceRecord*> ptrs;
    for (const auto& f : g.faces.faces) ptrs.push_back(&f);
    g.x = embedding_matrix(ptrs, embedding);
    for (const auto& p : cat.persons()) g.person_names[p.id] = p.name.value_or("");
    return g;
}

SearchResult search_faces(catalog::Catalog& cat, const cluster::Matrix& queries,
                          const std::string& index_stem, const SearchOptions& options,
                          std::string* warning) {
    options.validate();  // before reading the catalog
    return search_faces(load_search_gallery(cat, options.embedding), queries, index_stem, options,
                        warning);
}

SearchResult search_faces(const SearchGallery& gallery, const cluster::Matrix& queries,
                          const std::string& index_stem, const SearchOptions& options,
                          std::string* warning) {
    options.validate();
    const auto& kind = catalog::embedding_kind(options.embedding);
    if (gallery.embedding != kind.name)
        throw Error(
            ErrorCode::kInvalidArgument,
            "the gallery holds " + gallery.embedding + " embeddings, not " + options.embedding,
            "search");
    if (queries.cols() != kind.dim)
        throw Error(ErrorCode::kInvalidArgument,
                    "query has " + std::to_string(queries.cols()) + " values, " +
                        options.embedding + " embeddings have " + std::to_string(kind.dim),
                    "search");
    const LiveFaces& lf = gallery.faces;
    const cluster::Matrix& x = gallery.x;

    SearchResult out;
    out.catalog_faces = lf.faces.size();
    std::map<std::int64_t, std::size_t> row_of;
    for (std::size_t i = 0; i < lf.faces.size(); ++i) row_of[lf.faces[i].id] = i;

    // Candidates: more than `top` so that persons can be ranked from them.
    const std::size_t nq = queries.rows();
    const std::size_t want = std::min<std::size_t>(
        lf.faces.size(), std::max<std::size_t>(static_cast<std::size_t>(options.top) * 5, 100));
    out.mode = options.index;
    if (out.mode == "auto") {
        const auto k = cluster::auto_index_kind(lf.faces.size(), options.exact_below,
                                                cluster::VectorIndex::available());
        out.mode = k ? cluster::to_string(*k) : "exact";
        out.exact_without_faiss = !k && lf.faces.size() >= options.exact_below;
    }
    std::vector<std::vector<Hit>> hits(nq);
    if (want > 0 && nq > 0) {
        if (out.mode == "exact") {
            const cluster::Matrix d =
                cluster::pairwise_distances(queries, x, cluster::Metric::kEuclidean);
            for (std::size_t i = 0; i < nq; ++i) {
                std::vector<Hit> all(lf.faces.size());
                for (std::size_t j = 0; j < all.size(); ++j) all[j] = {j, d(i, j)};
                std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(want),
                                  all.end(), [&](const Hit& l, const Hit& r) {
                                      return l.distance != r.distance
                                                 ? l.distance < r.distance
                                                 : lf.faces[l.face].id < lf.faces[r.face].id;
                                  });
                hits[i].assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(want));
            }
        } else {
            IndexReport report;
            const std::string path =
                index_stem + "." + options.embedding + "." + out.mode + ".faiss";
            const auto index = synced_index(path, lf, x, cluster::index_kind_from_string(out.mode),
                                            report, warning);
            out.index = report;
            const auto res = index.search(queries, static_cast<int>(want));
            for (std::size_t i = 0; i < nq; ++i)
                for (const auto& n : res[i]) hits[i].push_back({row_of.at(n.id), n.distance});
        }
    } else if (out.mode != "exact") {
        out.index = IndexReport{};
    }

    const auto top = static_cast<std::size_t>(options.top);
    for (std::size_t i = 0; i < nq; ++i) {
        QueryHits q;
        for (std::size_t t = 0; t < hits[i].size() && t < top; ++t) {
            const auto& face = lf.faces[hits[i][t].face];
            q.faces.push_back(
                {face.id, lf.paths[hits[i][t].face], hits[i][t].distance, face.person_id});
        }
        // Persons: distance of their closest face among the candidates.
        std::map<std::int64_t, std::pair<float, int>> best;
        for (const auto& h : hits[i]) {
            const auto& face = lf.faces[h.face];
            if (!face.person_id) continue;
            auto [it, inserted] = best.emplace(*face.person_id, std::make_pair(h.distance, 0));
            it->second.first = std::min(it->second.first, h.distance);
            ++it->second.second;
        }
        std::vector<std::pair<float, std::int64_t>> order;
        for (const auto& [p, v] : best) order.emplace_back(v.first, p);
        std::sort(order.begin(), order.end());
        for (std::size_t t = 0; t < order.size() && t < top; ++t) {
            const auto p = order[t].second;
            const auto name = gallery.person_names.find(p);
            q.persons.push_back({p, name == gallery.person_names.end() ? "" : name->second,
                                 order[t].first, best[p].second});
        }
        out.queries.push_back(std::move(q));
    }
    return out;
}

}  // namespace faceatlas::pipeline
