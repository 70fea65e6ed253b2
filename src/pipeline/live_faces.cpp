#include "faceatlas/pipeline/live_faces.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "faceatlas/catalog/embedding_kind.h"
#include "faceatlas/core/error.h"

namespace faceatlas::pipeline {

LiveFaces live_faces(catalog::Catalog& cat, bool with_embeddings) {
    LiveFaces out;
    std::map<std::int64_t, catalog::PhotoRecord> photos;
    for (auto& p : cat.photos()) photos.emplace(p.id, std::move(p));
    for (auto& f : cat.faces(with_embeddings)) {
        const auto it = photos.find(f.photo_id);
        if (it == photos.end() || it->second.status != catalog::MediaStatus::kOk) continue;
        out.paths.push_back(it->second.path);
        out.file_names.push_back(std::filesystem::path(it->second.path).filename().string());
        out.faces.push_back(std::move(f));
    }
    return out;
}

cluster::Matrix embedding_matrix(const std::vector<const catalog::FaceRecord*>& faces,
                                 const std::string& embedding) {
    const auto& kind = catalog::embedding_kind(embedding);
    const std::size_t d = kind.dim;
    cluster::Matrix m(faces.size(), d);
    for (std::size_t i = 0; i < faces.size(); ++i) {
        const auto& v = kind.of(*faces[i]);
        bool finite = v.size() == d;
        for (std::size_t j = 0; finite && j < d; ++j) finite = std::isfinite(v[j]);
        if (!finite) {
            throw Error(ErrorCode::kCorruptData,
                        "face " + std::to_string(faces[i]->id) + " has no valid " + embedding +
                            " embedding (" + std::to_string(v.size()) + " values or NaN)",
                        "catalog", "re-scan the photo (faceatlas scan --rescan)");
        }
        std::copy(v.begin(), v.end(), m.row(i));
    }
    return m;
}

}  // namespace faceatlas::pipeline
