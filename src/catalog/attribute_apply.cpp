#include "faceatlas/catalog/attribute_apply.h"

#include <array>
#include <map>
#include <optional>

#include "faceatlas/core/error.h"
#include "faceatlas/vision/attribute_features.h"
#include "faceatlas/vision/image_io.h"

namespace faceatlas::catalog {

const std::vector<float>& embedding_of(const FaceRecord& f, const std::string& backbone) {
    return backbone == attr::kBackboneDlib ? f.embedding_dlib : f.embedding_faceres;
}

namespace {
// faceres-blocks models: features from the photo and the stored landmarks, as in training.
void block_features(Catalog& cat, const attr::AttributeModel& model, const nn::ModelManifest& models,
                    const std::vector<FaceRecord>& faces, std::vector<float>& x, std::vector<std::int64_t>& ids,
                    std::size_t& skipped) {
    const auto spec = vision::AttributeFeatureSpec::from_json(model.preprocessing.at("features"));
    if (spec.dim() != model.feature_dim)
        throw Error(ErrorCode::kCorruptData, "feature spec size does not match the model", "attribute model");
    const auto* suffix = model.suffix.empty() ? nullptr : &model.suffix;
    auto ex = vision::AttributeFeatureExtractor::load(models, spec, suffix);
    std::map<std::int64_t, PhotoRecord> photos;
    for (auto& p : cat.photos()) photos.emplace(p.id, std::move(p));
    std::map<std::int64_t, std::vector<const FaceRecord*>> by_photo;
    for (const auto& f : faces) by_photo[f.photo_id].push_back(&f);
    for (const auto& [pid, fs] : by_photo) {
        const auto it = photos.find(pid);
        std::optional<cv::Mat> img;
        if (it != photos.end() && it->second.kind == MediaKind::kImage)
            if (auto r = vision::load_image_rgb(it->second.path)) img = r.value();
        for (const auto* f : fs) {
            if (!img || f->frame_index || f->landmarks.size() != 136) {
                ++skipped;  // video frame, missing photo, no landmarks
                continue;
            }
            std::array<cv::Point2f, 68> lm;
            for (int k = 0; k < 68; ++k)
                lm[static_cast<std::size_t>(k)] = {f->landmarks[static_cast<std::size_t>(2 * k)],
                                                   f->landmarks[static_cast<std::size_t>(2 * k + 1)]};
            try {
                const auto v = ex.compute(*img, lm, spec, nullptr, suffix);
                x.insert(x.end(), v.begin(), v.end());
                ids.push_back(f->id);
            } catch (const Error& e) {
                if (e.code() != ErrorCode::kAlignmentFailed)
                    throw;  // a model that does not fit its graph
                ++skipped;  // landmarks that cannot be aligned
            }
        }
    }
}
}  // namespace

std::size_t apply_attribute_model(Catalog& cat, const attr::AttributeModel& model,
                                  const nn::ModelManifest* models, std::size_t* skipped_faces) {
    const bool blocks = model.backbone == attr::kBackboneFaceresBlocks;
    const auto faces = cat.faces(!blocks);
    std::vector<float> x;
    std::vector<std::int64_t> ids;
    std::size_t skipped = 0;
    if (blocks) {
        if (!models)
            throw Error(ErrorCode::kInvalidArgument, "faceres-blocks models need the networks", "attribute model");
        block_features(cat, model, *models, faces, x, ids, skipped);
    } else {
        for (const auto& f : faces) {
            const auto& e = embedding_of(f, model.backbone);
            if (static_cast<int>(e.size()) != model.feature_dim) {
                ++skipped;
                continue;
            }
            x.insert(x.end(), e.begin(), e.end());
            ids.push_back(f.id);
        }
    }
    if (skipped_faces) *skipped_faces = skipped;
    if (ids.empty()) return 0;
    const auto p = model.predict(x.data(), ids.size());
    std::vector<FaceAttribute> rows;
    const auto na = model.attributes.size();
    for (std::size_t i = 0; i < ids.size(); ++i)
        for (std::size_t k = 0; k < na; ++k) rows.push_back({ids[i], model.attributes[k].name, p[i * na + k]});
    cat.set_face_attributes(rows);
    return ids.size();
}

}  // namespace faceatlas::catalog
