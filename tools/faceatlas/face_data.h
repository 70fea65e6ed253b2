// CLI helpers shared by the clustering/analysis commands: the live faces of a catalog with their
// file names, embedding matrices, and label files keyed by file name.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "faceatlas/catalog/catalog.h"
#include "faceatlas/cluster/matrix.h"
#include "faceatlas/pipeline/live_faces.h"

namespace faceatlas::cli {

// The live faces (pipeline::LiveFaces: faces, paths, file_names) with the catalog they came from.
struct CatalogFaces : pipeline::LiveFaces {
    std::unique_ptr<catalog::Catalog> catalog;
};

// ensures: opens `path` read-only (kNotFound with a hint when it does not exist) and loads the
//          faces of live photos.
CatalogFaces load_catalog_faces(const std::string& path, bool with_embeddings);

// "dlib" -> 128-d, "faceres" -> 1024-d; anything else throws kInvalidArgument.
std::size_t embedding_dim(const std::string& embedding);
const std::vector<float>& embedding_of(const catalog::FaceRecord& face,
                                       const std::string& embedding);
// Rows = the given faces' embeddings (throws kCorruptData for a missing or non-finite one).
using pipeline::embedding_matrix;

// A label CSV keyed by the basename of its `file` column.
struct LabelFile {
    std::string path;
    std::vector<std::string> columns;                         // every column but `file`
    std::map<std::string, std::vector<std::string>> by_file;  // basename -> values
    std::size_t exact_duplicates = 0;                         // rows listed twice, kept once
};
// ensures: reads the CSV; a file listed twice with different values throws kCorruptData naming
//          the line; exact duplicate rows are kept once (counted).
LabelFile read_label_file(const std::string& path, const std::string& file_column = "file");

// Per label row, the index (into faces.faces) of the face catalog::faces_by_file_name assigns to
// that file (its rules: largest face, ties to the lower id; a name shared by two catalog photos
// throws kInvalidArgument instead of mixing their faces); files with no face in the catalog are
// counted in *unmatched. Throws kInvalidArgument when no file matches.
struct LabelledFaces {
    std::vector<std::size_t> face_index;           // into CatalogFaces::faces
    std::vector<std::vector<std::string>> values;  // label values per face
    std::size_t unmatched = 0;                     // label rows without a face
};
LabelledFaces match_labels(const CatalogFaces& faces, const LabelFile& labels);

// "2,4,8" -> {2, 4, 8}; throws kInvalidArgument naming `flag` on bad input.
std::vector<int> parse_int_list(const std::string& text, const std::string& flag);

// ISO 8601 UTC now.
std::string utc_now();

}  // namespace faceatlas::cli
