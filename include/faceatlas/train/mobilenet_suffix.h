// The last blocks of the faceres MobileNet as a LibTorch module, initialised from the TFJS graph
// weights (depthwise 3x3 -> folded BatchNorm -> ReLU6 -> pointwise 1x1 with the BatchNorm merged
// into it -> ReLU6, TF "SAME" padding), for finetuning on cached activations: the frozen prefix
// runs once per chip in cv::dnn (vision::AttributeFeatureExtractor::activation of layer
// pw<first_block - 1>), the suffix trains. Test: it reproduces cv::dnn's pw13 output.
#pragma once

#include <torch/torch.h>

#include <filesystem>

#include "faceatlas/attr/conv_suffix.h"

namespace faceatlas::train {

struct MobileNetSuffixImpl : torch::nn::Module {
    // Blocks first_block .. 13 (1 <= first_block <= 13) of the graph whose weights manifest is
    // `model_json` (models/manifest.json "faceres"). Throws faceatlas::Error naming the file for
    // missing or misshapen weights.
    MobileNetSuffixImpl(const std::filesystem::path& model_json, int first_block);
    // x: NCHW activation entering block first_block; returns the pw13 output (NCHW, after ReLU6).
    torch::Tensor forward(torch::Tensor x);
    // forward() then the global average pool: [N, 1024], the faceres identity feature.
    torch::Tensor features(torch::Tensor x) { return forward(x).mean({2, 3}); }
    // The current weights in the LibTorch-free layout (attr::ConvSuffix, what a model file stores).
    attr::ConvSuffix to_conv_suffix() const;
    int first_block = 13;

  private:
    struct Block {
        torch::Tensor dw_weight, dw_scale, dw_shift, pw_weight, pw_bias;
        int stride = 1;
        float dw_clip = 6, pw_clip = 6;
    };
    std::vector<Block> blocks_;
};
TORCH_MODULE(MobileNetSuffix);

}  // namespace faceatlas::train
