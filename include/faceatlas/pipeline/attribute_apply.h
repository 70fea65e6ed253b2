// Attribute models applied to a catalog: every face with the model's features gets one
// probability per attribute in face_attributes. Used by `faceatlas scan --attributes` and
// `faceatlas attributes predict`.
#pragma once

#include <cstddef>

#include "faceatlas/attr/attribute_model.h"
#include "faceatlas/catalog/catalog.h"
#include "faceatlas/nn/model_manifest.h"

namespace faceatlas::pipeline {

// The stored embedding a faceres / dlib attribute model (or a user attribute) reads.
const std::vector<float>& embedding_of(const catalog::FaceRecord& f, const std::string& backbone);

// faceres / dlib models read the stored embeddings. faceres-blocks models (also finetuned ones,
// whose suffix runs in attr::ConvSuffix) recompute their features from each face's photo and
// stored landmarks through vision::AttributeFeatureExtractor, as in training, and need `models`
// (kInvalidArgument without). Faces without features (another embedding size, video frames,
// missing photos, landmarks that cannot be aligned) are left out and counted in
// `skipped_faces`. Returns the number of faces labelled. A model that does not fit the
// networks (kCorruptData) throws before anything is stored.
std::size_t apply_attribute_model(catalog::Catalog& cat, const attr::AttributeModel& model,
                                  const nn::ModelManifest* models = nullptr, std::size_t* skipped_faces = nullptr);

}  // namespace faceatlas::pipeline
