// Matching catalog faces to ground-truth files by file name: the one matcher of every
// evaluation (`eval pairs`/verification, `eval clusters`, `eval identification`,
// `subdiscriminate` through the CLI's match_labels).
//
// Truth files (labels.csv, pairs.txt) name images by basename ("Aaron_Peirsol_0002.jpg"); the
// catalog stores absolute paths. Rules:
//   * only photos with status kOk count (skipped and deleted ones have no faces to evaluate);
//   * the key is the file name without folders, compared exactly (case-sensitive);
//   * a file with several faces is represented by its largest face (face_size, ties: the lower
//     face id), the face a crop or a labelled portrait is about;
//   * two catalog photos with the same basename make that name ambiguous: it is listed in
//     `ambiguous` and has no face, so an evaluation cannot silently pick the wrong one.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>

#include "faceatlas/catalog/catalog.h"

namespace faceatlas::catalog {

struct FacesByFileName {
    std::map<std::string, FaceRecord> faces;  // basename -> its largest face
    std::set<std::string> ambiguous;          // basenames of more than one photo
    std::size_t photos_without_faces = 0;     // kOk photos where no face was found

    // The face of `file_name` (folders in it are ignored), or nullopt when the catalog has no
    // photo of that name or no face in it. Throws faceatlas::Error kInvalidArgument when the
    // name is ambiguous (the message names it and says to scan one copy only).
    const FaceRecord* find(const std::string& file_name) const;
};

FacesByFileName faces_by_file_name(Catalog& catalog, bool with_embeddings = true);

}  // namespace faceatlas::catalog
