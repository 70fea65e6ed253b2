#include "faceatlas/vision/embedding.h"

#include <cassert>
#include <cmath>

namespace faceatlas::vision {

float Embedding::distance(const Embedding& other) const {
    assert(values.size() == other.values.size());
    double s = 0;
    for (std::size_t i = 0; i < values.size(); ++i) {
        const double d = static_cast<double>(values[i]) - other.values[i];
        s += d * d;
    }
    return static_cast<float>(std::sqrt(s));
}

float Embedding::cosine(const Embedding& other) const {
    assert(values.size() == other.values.size());
    double ab = 0, aa = 0, bb = 0;
    for (std::size_t i = 0; i < values.size(); ++i) {
        ab += static_cast<double>(values[i]) * other.values[i];
        aa += static_cast<double>(values[i]) * values[i];
        bb += static_cast<double>(other.values[i]) * other.values[i];
    }
    if (aa == 0 || bb == 0) return 0.f;
    return static_cast<float>(ab / std::sqrt(aa * bb));
}

float distance(const Embedding& a, const Embedding& b) { return a.distance(b); }
float cosine(const Embedding& a, const Embedding& b) { return a.cosine(b); }

}  // namespace faceatlas::vision
