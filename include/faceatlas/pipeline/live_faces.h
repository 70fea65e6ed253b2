// The faces of a catalog's live photos (status ok), with their photo paths, and their
// embeddings as a matrix: what search, clustering studies and label matching read.
#pragma once

#include <string>
#include <vector>

#include "faceatlas/catalog/catalog.h"
#include "faceatlas/cluster/matrix.h"

namespace faceatlas::pipeline {

struct LiveFaces {
    std::vector<catalog::FaceRecord> faces;  // faces of photos with status ok, by face id
    std::vector<std::string> paths;          // photo path per face
    std::vector<std::string> file_names;     // basename of the photo path per face
};

// ensures: the faces of every photo with status kOk, in Catalog::faces order; embeddings loaded
//          when `with_embeddings`.
LiveFaces live_faces(catalog::Catalog& cat, bool with_embeddings);

// ensures: rows = the given faces' `embedding` vectors (catalog::embedding_kind names it); a
//          face without that embedding (or with a non-finite value) throws kCorruptData naming
//          the face id and `faceatlas scan --rescan` as the fix.
cluster::Matrix embedding_matrix(const std::vector<const catalog::FaceRecord*>& faces,
                                 const std::string& embedding);

}  // namespace faceatlas::pipeline
