// The identity embeddings a face carries, in one typed registry: name (as the CLI flags and
// model files spell it), dimension, the metric clustering / search / verification use on it, and
// where FaceRecord and TrackRecord keep it. Every user looks a kind up here instead of comparing
// strings or hard-coding 128 / 1024. No OpenCV.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "faceatlas/catalog/catalog.h"
#include "faceatlas/cluster/distance.h"

namespace faceatlas::catalog {

struct EmbeddingKind {
    std::string_view name;                                 // "dlib", "faceres"
    std::size_t dim = 0;                                   // 128, 1024
    cluster::Metric metric = cluster::Metric::kEuclidean;  // dlib: Euclidean, faceres: cosine
    std::vector<float> FaceRecord::*face = nullptr;
    std::vector<float> TrackRecord::*track = nullptr;

    const std::vector<float>& of(const FaceRecord& f) const { return f.*face; }
    const std::vector<float>& of(const TrackRecord& t) const { return t.*track; }
};

// The known kinds, in a fixed order (dlib, faceres).
const std::vector<EmbeddingKind>& embedding_kinds();

// ensures: the kind called `name`; anything else throws faceatlas::Error(kInvalidArgument)
//          whose hint lists the known names.
const EmbeddingKind& embedding_kind(std::string_view name);

// "dlib or faceres": the known names for messages and help texts.
std::string embedding_kind_names();

}  // namespace faceatlas::catalog
