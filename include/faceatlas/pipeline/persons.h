// Persons in the catalog: identity clustering (cluster::cluster_album over the catalog's faces
// and video tracks) and the user's person edits, which later runs respect.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "faceatlas/catalog/catalog.h"
#include "faceatlas/cluster/album.h"
#include "faceatlas/cluster/person_attributes.h"

namespace faceatlas::pipeline {

enum class EmbeddingChoice { kDlib, kFaceres };

const char* to_string(EmbeddingChoice e);
// ensures: "dlib" or "faceres"; anything else throws faceatlas::Error(kInvalidArgument).
EmbeddingChoice embedding_from_string(const std::string& name);

struct PersonClusteringOptions {
    EmbeddingChoice embedding = EmbeddingChoice::kDlib;  // sets album.metric (Euclidean/cosine)
    cluster::AlbumOptions album;
    // Capture dates from the file's modification time ("file") are not trusted for birth years
    // and day spans unless this is set: a copied file carries the copy's date.
    bool trust_file_dates = false;
    bool dry_run = false;            // compute, but leave the catalog unchanged
    std::string params_json = "{}";  // recorded with the run
};

struct PersonClusteringReport {
    std::size_t faces = 0;  // faces considered (photo status ok)
    std::size_t items = 0;  // clustering items (a track counts once)
    std::size_t tracks = 0;
    std::size_t skipped_faces = 0;  // no embedding of the chosen kind
    std::size_t dated_items = 0;    // items with a birth year (birth-year term active for them)
    std::size_t persons = 0;        // persons with faces after the run
    std::size_t unsorted_faces = 0;
    std::size_t new_persons = 0;
    std::size_t kept_persons = 0;
    std::size_t dropped_persons = 0;
    std::size_t pinned_faces = 0;
    std::size_t not_person_rules = 0;
    int raw_clusters = 0;
    int cannot_link_splits = 0;
    std::size_t assigned_to_centroid = 0;
    std::size_t new_items = 0;  // items with a face newer than the previous run
    double threshold = 0;       // the threshold used
};

// requires: catalog writable unless options.dry_run.
// ensures: clusters every face of ok photos (tracks as one item with their mean embedding, all
//          faces of a track get its person) with the album rules, stores the persons (kept ids,
//          new persons, unnamed persons left without faces deleted, named ones kept).
//          Faces with a NaN/inf embedding -> faceatlas::Error naming the face.
PersonClusteringReport cluster_persons(catalog::Catalog& catalog,
                                       const PersonClusteringOptions& options);

// Person edits, remembered as constraints (see Catalog::pin_face / add_not_person).
// ensures: every face of `others` is pinned to `into`; the others are deleted. Unknown ids and
//          `into` listed among `others` throw faceatlas::Error.
void merge_persons(catalog::Catalog& catalog, std::int64_t into,
                   const std::vector<std::int64_t>& others);

struct SplitOptions {
    std::vector<std::int64_t> faces;  // these faces become a new person; empty: re-cluster
    double threshold = -1;  // re-cluster by average linkage at this height; < 0: 0.75 x default
    EmbeddingChoice embedding = EmbeddingChoice::kDlib;
};
// ensures: the person's faces are split; the part holding most faces keeps the id, every other
//          part becomes a new person whose faces are pinned to it and marked "not" the original.
//          Returns the new person ids (empty when nothing split).
std::vector<std::int64_t> split_person(catalog::Catalog& catalog, std::int64_t person,
                                       const SplitOptions& options);

}  // namespace faceatlas::pipeline
