// Attribute models (faceatlas train attributes, user attributes) applied to faces. One code
// path: the scanner's workers run an AttributeRunner on the image they have just decoded and
// analysed (scan --attributes: no second read of any photo, GIF or video frame), and
// `attributes predict` (apply_attribute_model) runs the same runner on the faces that lack the
// model's output, decoding each of their photos once.
#pragma once

#include <cstddef>
#include <memory>
#include <opencv2/core.hpp>
#include <optional>
#include <string>
#include <vector>

#include "faceatlas/attr/attribute_model.h"
#include "faceatlas/catalog/catalog.h"
#include "faceatlas/nn/model_manifest.h"
#include "faceatlas/vision/model_set.h"

namespace faceatlas::pipeline {

// The stored embedding a faceres / dlib attribute model (or a user attribute) reads.
const std::vector<float>& embedding_of(const catalog::FaceRecord& f, const std::string& backbone);

// One attribute model ready to run on faces: one per thread (a faceres-blocks model owns a
// faceres inference session); the model itself is shared and read only.
class AttributeRunner {
  public:
    // requires: `models` for faceres-blocks models (kInvalidArgument without); `model` outlives
    //           the runner. A model whose features do not fit the networks throws kCorruptData.
    //           With `parsed` holding "faceres" (the scanner's ModelSet), the session is built
    //           from its parsed graph instead of reading faceres again.
    AttributeRunner(const attr::AttributeModel& model, const nn::ModelManifest* models,
                    const vision::ModelSet* parsed = nullptr);
    AttributeRunner(AttributeRunner&&) noexcept;
    ~AttributeRunner();

    // true when features come from the pixels (faceres-blocks), false when from embeddings
    // (dlib / faceres models, and faceres-blocks models that read only pw13@0.25, which is the
    // stored faceres embedding).
    bool needs_image() const;
    const attr::AttributeModel& model() const { return model_; }

    // Probabilities of each face, in model().attributes order; nullopt for a face without
    // features (another embedding size, no landmarks, landmarks that cannot be aligned).
    // `rgb` is the RGB image or video frame the faces' landmarks are in; ignored (may be empty)
    // when !needs_image().
    std::vector<std::optional<std::vector<float>>> predict(
        const std::vector<const catalog::FaceRecord*>& faces, const cv::Mat& rgb);
    // The same as (name, probability) pairs for FaceRecord::attributes; empty for no features.
    std::vector<std::vector<std::pair<std::string, float>>> label(
        const std::vector<const catalog::FaceRecord*>& faces, const cv::Mat& rgb);

  private:
    struct Impl;
    const attr::AttributeModel& model_;
    std::unique_ptr<Impl> impl_;
};

struct ApplyReport {
    std::size_t labelled = 0;  // faces that got the model's probabilities now
    std::size_t skipped = 0;   // faces without features (see AttributeRunner::predict)
    std::size_t already = 0;   // faces that had every attribute of the model (not recomputed)
};

// ensures: every face of a live photo lacking any of the model's attributes (every face with
//          `recompute`) gets them, photo by photo: each photo, GIF or video is decoded once
//          (video frames in order). Faces whose photo cannot be decoded are skipped. A model
//          that does not fit the networks throws before anything is stored. `parsed`: as for
//          AttributeRunner (a scan's ModelSet, so faceres is not read twice).
ApplyReport apply_attribute_model(catalog::Catalog& cat, const attr::AttributeModel& model,
                                  const nn::ModelManifest* models, bool recompute = false,
                                  const vision::ModelSet* parsed = nullptr);

}  // namespace faceatlas::pipeline
