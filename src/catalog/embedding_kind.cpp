#include "faceatlas/catalog/embedding_kind.h"

#include "faceatlas/core/error.h"

namespace faceatlas::catalog {

const std::vector<EmbeddingKind>& embedding_kinds() {
    static const std::vector<EmbeddingKind> kinds = {
        {"dlib", 128, cluster::Metric::kEuclidean, &FaceRecord::embedding_dlib,
         &TrackRecord::embedding_dlib},
        {"faceres", 1024, cluster::Metric::kCosine, &FaceRecord::embedding_faceres,
         &TrackRecord::embedding_faceres},
    };
    return kinds;
}

std::string embedding_kind_names() {
    std::string out;
    const auto& kinds = embedding_kinds();
    for (std::size_t i = 0; i < kinds.size(); ++i) {
        if (i > 0) out += i + 1 == kinds.size() ? " or " : ", ";
        out += kinds[i].name;
    }
    return out;
}

const EmbeddingKind& embedding_kind(std::string_view name) {
    for (const auto& k : embedding_kinds())
        if (k.name == name) return k;
    throw Error(ErrorCode::kInvalidArgument, "unknown embedding '" + std::string(name) + "'",
                "--embedding", "use " + embedding_kind_names());
}

}  // namespace faceatlas::catalog
