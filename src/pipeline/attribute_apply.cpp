#include "faceatlas/pipeline/attribute_apply.h"

#include <array>
#include <map>
#include <set>

#include "faceatlas/catalog/embedding_kind.h"
#include "faceatlas/core/error.h"
#include "faceatlas/pipeline/decode.h"
#include "faceatlas/pipeline/media.h"
#include "faceatlas/vision/attribute_features.h"

namespace faceatlas::pipeline {

const std::vector<float>& embedding_of(const catalog::FaceRecord& f, const std::string& backbone) {
    return catalog::embedding_kind(backbone).of(
        f);  // model backbones are named like the embeddings
}

struct AttributeRunner::Impl {
    // faceres-blocks models: features from the pixels and the stored landmarks, as in training.
    std::optional<vision::AttributeFeatureSpec> spec;
    std::optional<vision::AttributeFeatureExtractor> extractor;
    const attr::ConvSuffix* suffix = nullptr;
    // Set when the features are a stored embedding (the model's backbone, or "faceres" for a
    // faceres-blocks model that reads only pw13@0.25).
    std::string embedding;
};

AttributeRunner::AttributeRunner(const attr::AttributeModel& model, const nn::ModelManifest* models,
                                 const vision::ModelSet* parsed)
    : model_(model), impl_(std::make_unique<Impl>()) {
    if (model.backbone != attr::kBackboneFaceresBlocks) return;
    impl_->spec = vision::AttributeFeatureSpec::from_json(model.preprocessing.at("features"));
    if (impl_->spec->dim() != model.feature_dim)
        throw Error(ErrorCode::kCorruptData, "feature spec size does not match the model",
                    "attribute model");
    impl_->suffix = model.suffix.empty() ? nullptr : &model.suffix;
    // The stored faceres embedding stands in for these features: no second faceres pass.
    if (!impl_->suffix && impl_->spec->is_faceres_embedding()) {
        impl_->embedding = "faceres";
        return;
    }
    if (!models)
        throw Error(ErrorCode::kInvalidArgument, "faceres-blocks models need the networks",
                    "attribute model");
    // The faceres graph a scan already parsed is reused; otherwise faceres is read here.
    if (parsed && parsed->contains("faceres"))
        impl_->extractor.emplace(
            vision::AttributeFeatureExtractor::create(*parsed, *impl_->spec, impl_->suffix));
    else
        impl_->extractor.emplace(
            vision::AttributeFeatureExtractor::load(*models, *impl_->spec, impl_->suffix));
}
AttributeRunner::AttributeRunner(AttributeRunner&&) noexcept = default;
AttributeRunner::~AttributeRunner() = default;

bool AttributeRunner::needs_image() const { return impl_->extractor.has_value(); }

std::vector<std::optional<std::vector<float>>> AttributeRunner::predict(
    const std::vector<const catalog::FaceRecord*>& faces, const cv::Mat& rgb) {
    std::vector<float> x;
    std::vector<std::size_t> rows;  // index into faces of each feature row
    for (std::size_t i = 0; i < faces.size(); ++i) {
        const auto& f = *faces[i];
        if (!needs_image()) {
            const auto& e =
                embedding_of(f, impl_->embedding.empty() ? model_.backbone : impl_->embedding);
            if (static_cast<int>(e.size()) != model_.feature_dim) continue;
            x.insert(x.end(), e.begin(), e.end());
            rows.push_back(i);
            continue;
        }
        if (rgb.empty() || f.landmarks.size() != 136) continue;
        std::array<cv::Point2f, 68> lm;
        for (std::size_t k = 0; k < 68; ++k) lm[k] = {f.landmarks[2 * k], f.landmarks[2 * k + 1]};
        try {
            const auto v = impl_->extractor->compute(rgb, lm, *impl_->spec, nullptr, impl_->suffix);
            x.insert(x.end(), v.begin(), v.end());
            rows.push_back(i);
        } catch (const Error& e) {
            if (e.code() != ErrorCode::kAlignmentFailed) throw;  // a model that does not fit
            // landmarks that cannot be aligned: no features for this face
        }
    }
    std::vector<std::optional<std::vector<float>>> out(faces.size());
    if (rows.empty()) return out;
    const auto p = model_.predict(x.data(), rows.size());
    const auto na = model_.attributes.size();
    for (std::size_t r = 0; r < rows.size(); ++r)
        out[rows[r]] = std::vector<float>(p.begin() + static_cast<std::ptrdiff_t>(r * na),
                                          p.begin() + static_cast<std::ptrdiff_t>((r + 1) * na));
    return out;
}

std::vector<std::vector<std::pair<std::string, float>>> AttributeRunner::label(
    const std::vector<const catalog::FaceRecord*>& faces, const cv::Mat& rgb) {
    const auto probs = predict(faces, rgb);
    std::vector<std::vector<std::pair<std::string, float>>> out(faces.size());
    for (std::size_t i = 0; i < faces.size(); ++i) {
        if (!probs[i]) continue;
        for (std::size_t k = 0; k < model_.attributes.size(); ++k)
            out[i].emplace_back(model_.attributes[k].name, (*probs[i])[k]);
    }
    return out;
}

namespace {

// Face ids that already have every attribute of the model.
std::set<std::int64_t> faces_with_all(catalog::Catalog& cat, const attr::AttributeModel& model) {
    std::set<std::string> names;
    for (const auto& a : model.attributes) names.insert(a.name);
    std::map<std::int64_t, std::size_t> count;
    for (const auto& row : cat.face_attributes())
        if (names.count(row.name)) ++count[row.face_id];
    std::set<std::int64_t> out;
    for (const auto& [id, n] : count)
        if (n == names.size()) out.insert(id);
    return out;
}

}  // namespace

ApplyReport apply_attribute_model(catalog::Catalog& cat, const attr::AttributeModel& model,
                                  const nn::ModelManifest* models, bool recompute,
                                  const vision::ModelSet* parsed) {
    AttributeRunner runner(model, models, parsed);  // a model that does not fit throws here
    ApplyReport report;
    const auto done = recompute ? std::set<std::int64_t>{} : faces_with_all(cat, model);
    const auto all = cat.faces(!runner.needs_image());
    std::map<std::int64_t, std::vector<const catalog::FaceRecord*>> by_photo;
    for (const auto& f : all) {
        if (done.count(f.id)) {
            ++report.already;
            continue;
        }
        by_photo[f.photo_id].push_back(&f);
    }
    std::map<std::int64_t, catalog::PhotoRecord> photos;
    if (runner.needs_image())
        for (auto& p : cat.photos()) photos.emplace(p.id, std::move(p));

    std::vector<catalog::FaceAttribute> rows;
    auto keep = [&](const std::vector<const catalog::FaceRecord*>& faces, const cv::Mat& rgb) {
        const auto labels = runner.label(faces, rgb);
        for (std::size_t i = 0; i < faces.size(); ++i) {
            if (labels[i].empty()) {
                ++report.skipped;
                continue;
            }
            ++report.labelled;
            for (const auto& [name, p] : labels[i]) rows.push_back({faces[i]->id, name, p});
        }
    };
    for (const auto& [pid, faces] : by_photo) {
        if (!runner.needs_image()) {
            keep(faces, cv::Mat());
            continue;
        }
        const auto it = photos.find(pid);
        if (it == photos.end() || it->second.status != catalog::MediaStatus::kOk) {
            report.skipped += faces.size();
            continue;
        }
        const auto& photo = it->second;
        if (photo.kind == catalog::MediaKind::kImage) {
            cv::Mat rgb;
            try {
                rgb = decode_still(photo.path, sniff_media_type(photo.path));
            } catch (const Error&) {
                report.skipped += faces.size();  // the photo cannot be read or decoded now
                continue;
            }
            keep(faces, rgb);
            continue;
        }
        // A video: its frames in order, each frame with faces decoded once.
        std::map<int, std::vector<const catalog::FaceRecord*>> by_frame;
        for (const auto* f : faces) {
            if (f->frame_index)
                by_frame[*f->frame_index].push_back(f);
            else
                ++report.skipped;
        }
        std::optional<VideoFrames> video;
        try {
            video.emplace(photo.path, 1);
        } catch (const Error&) {
            for (const auto& [index, v] : by_frame) report.skipped += v.size();
            continue;
        }
        cv::Mat rgb;
        for (const auto& [index, frame_faces] : by_frame) {
            if (!video->read_at(index, rgb)) {
                report.skipped += frame_faces.size();
                continue;
            }
            keep(frame_faces, rgb);
        }
    }
    if (!rows.empty()) cat.set_face_attributes(rows);
    return report;
}

}  // namespace faceatlas::pipeline
