// Small value types shared by the vision networks.
#pragma once

#include <algorithm>

namespace faceatlas::vision {

// Axis-aligned box in pixels of the image it was found in: top-left corner, width, height.
struct Box {
    float x = 0.f;
    float y = 0.f;
    float w = 0.f;
    float h = 0.f;

    float area() const { return std::max(w, 0.f) * std::max(h, 0.f); }
    float right() const { return x + w; }
    float bottom() const { return y + h; }
};

// Intersection over union; 0 when either box is empty.
inline float iou(const Box& a, const Box& b) {
    const float ix = std::max(0.f, std::min(a.right(), b.right()) - std::max(a.x, b.x));
    const float iy = std::max(0.f, std::min(a.bottom(), b.bottom()) - std::max(a.y, b.y));
    const float inter = ix * iy;
    const float uni = a.area() + b.area() - inter;
    return uni > 0.f ? inter / uni : 0.f;
}

}  // namespace faceatlas::vision
