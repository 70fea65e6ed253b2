// A face embedding: one identity descriptor, compared by distance (dlib 128-d: Euclidean, same
// person below ~0.6) or by cosine similarity (faceres 1024-d).
#pragma once

#include <vector>

namespace faceatlas::vision {

struct Embedding {
    std::vector<float> values;

    std::size_t size() const { return values.size(); }
    // Euclidean distance. Requires: same size (asserted).
    float distance(const Embedding& other) const;
    // Cosine similarity in [-1, 1]; 0 when either vector is all zeros. Requires: same size.
    float cosine(const Embedding& other) const;
};

float distance(const Embedding& a, const Embedding& b);
float cosine(const Embedding& a, const Embedding& b);

}  // namespace faceatlas::vision
