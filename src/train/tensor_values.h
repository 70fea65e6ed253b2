// Internal to src/train: a LibTorch tensor's values as a float vector (what model files and
// attr:: structures store).
#pragma once

#include <torch/torch.h>

#include <vector>

namespace faceatlas::train {

inline std::vector<float> tensor_values(const torch::Tensor& t) {
    const auto c = t.detach().contiguous().to(torch::kFloat32);
    return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

}  // namespace faceatlas::train
