#include "faceatlas/catalog/truth_match.h"

#include <filesystem>
#include <unordered_map>

#include "faceatlas/core/error.h"

namespace faceatlas::catalog {

const FaceRecord* FacesByFileName::find(const std::string& file_name) const {
    const std::string base = std::filesystem::path(file_name).filename().string();
    if (ambiguous.count(base) != 0) {
        throw Error(ErrorCode::kInvalidArgument, "several catalog photos are named " + base,
                    "truth matching", "evaluate a catalog holding one copy of each labelled file");
    }
    const auto it = faces.find(base);
    return it == faces.end() ? nullptr : &it->second;
}

FacesByFileName faces_by_file_name(Catalog& catalog, bool with_embeddings) {
    FacesByFileName out;
    std::unordered_map<std::int64_t, std::string> base_of;  // kOk photo id -> basename
    std::map<std::string, int> photos_named;
    for (const auto& p : catalog.photos()) {
        if (p.status != MediaStatus::kOk) continue;
        auto base = std::filesystem::path(p.path).filename().string();
        ++photos_named[base];
        base_of.emplace(p.id, std::move(base));
    }
    for (const auto& [base, n] : photos_named)
        if (n > 1) out.ambiguous.insert(base);

    for (auto& f : catalog.faces(with_embeddings)) {
        const auto it = base_of.find(f.photo_id);
        if (it == base_of.end() || out.ambiguous.count(it->second) != 0) continue;
        auto [slot, inserted] = out.faces.try_emplace(it->second, f);
        if (!inserted && (f.face_size > slot->second.face_size ||
                          (f.face_size == slot->second.face_size && f.id < slot->second.id)))
            slot->second = std::move(f);
    }
    for (const auto& [id, base] : base_of)
        if (out.ambiguous.count(base) == 0 && out.faces.count(base) == 0)
            ++out.photos_without_faces;
    return out;
}

}  // namespace faceatlas::catalog
