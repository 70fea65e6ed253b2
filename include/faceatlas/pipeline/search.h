// Search by face: the catalog faces and persons nearest to query embeddings. Exact for small
// catalogs; a FAISS index persisted next to the catalog for large ones, kept in step with the
// catalog incrementally (new faces added; rebuilt when faces disappeared).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "faceatlas/catalog/catalog.h"
#include "faceatlas/cluster/matrix.h"
#include "faceatlas/pipeline/live_faces.h"

namespace faceatlas::pipeline {

struct SearchOptions {
    int top = 20;                    // faces and persons returned per query (>= 1)
    std::string embedding = "dlib";  // an embedding kind (catalog::embedding_kind)
    // "auto" (exact below `exact_below` faces or without FAISS, else hnsw), "exact", "flat",
    // "ivf" or "hnsw".
    std::string index = "auto";
    std::size_t exact_below = 20000;
    // Throws faceatlas::Error (kInvalidArgument) naming the bad field.
    void validate() const;
};

struct FaceHit {
    std::int64_t face_id = 0;
    std::string file;  // the face's photo
    float distance = 0;
    std::optional<std::int64_t> person_id;
};

struct PersonHit {
    std::int64_t person_id = 0;
    std::string name;    // empty when unnamed
    float distance = 0;  // of the person's closest face among the candidates
    int faces_among_candidates = 0;
};

struct QueryHits {
    std::vector<FaceHit> faces;      // nearest first, at most top
    std::vector<PersonHit> persons;  // nearest first, at most top
};

struct IndexReport {
    std::string path;  // <index_stem>.<embedding>.<kind>.faiss
    std::string kind;
    std::size_t size = 0;   // vectors in the index after the sync
    std::size_t added = 0;  // vectors added by this search
    bool rebuilt = false;   // faces had disappeared (or the file was unreadable)
};

struct SearchResult {
    std::string mode;  // "exact" or the index kind used
    std::size_t catalog_faces = 0;
    std::vector<QueryHits> queries;    // one per query row
    std::optional<IndexReport> index;  // when an index was used
    // auto mode fell back to exact search at >= exact_below faces because FAISS is missing.
    bool exact_without_faiss = false;
};

// The searchable side of a catalog: its live faces, their embeddings and person names.
struct SearchGallery {
    std::string embedding;
    LiveFaces faces;
    cluster::Matrix x;  // one row per face
    std::map<std::int64_t, std::string> person_names;
};
// ensures: the gallery of `embedding` (a kind name). A face with a missing or non-finite
//          embedding throws kCorruptData naming the face and `scan --rescan` (before the caller
//          loads any network).
SearchGallery load_search_gallery(catalog::Catalog& cat, const std::string& embedding);

// requires: gallery.embedding == options.embedding; queries.cols() == its dimension.
// ensures: for each query row, the `top` nearest live faces (Euclidean; ties to the lower face
//          id) and the persons ranked by their closest face among 5 x top (at least 100)
//          candidates. An index is read from and saved to `index_stem` + "." + embedding + "." +
//          kind + ".faiss" (a save that fails is reported in `warning`, not thrown).
SearchResult search_faces(const SearchGallery& gallery, const cluster::Matrix& queries,
                          const std::string& index_stem, const SearchOptions& options,
                          std::string* warning = nullptr);
// The same, loading the gallery from `cat`.
SearchResult search_faces(catalog::Catalog& cat, const cluster::Matrix& queries,
                          const std::string& index_stem, const SearchOptions& options,
                          std::string* warning = nullptr);

}  // namespace faceatlas::pipeline
