// The finetuned last blocks of the faceres MobileNet, stored in an attribute model and run
// without LibTorch or OpenCV: per block a depthwise 3x3 convolution (TF "SAME" padding, stride 1
// or 2), a per-channel affine (the folded BatchNorm), ReLU clipped at dw_clip, a pointwise 1x1
// convolution with bias, ReLU clipped at pw_clip. It is the inference side of
// train::MobileNetSuffix (same layout and arithmetic; test: tests/train/finetune_test.cpp).
#pragma once

#include <string>
#include <vector>

namespace faceatlas::attr {

struct SuffixBlock {
    int channels = 0;  // input channels C (= depthwise channels)
    int out = 0;       // pointwise output channels
    int stride = 1;    // 1 or 2
    float dw_clip = 6, pw_clip = 6;
    std::vector<float> dw_weight;  // [C][3][3]
    std::vector<float> dw_scale;   // [C]
    std::vector<float> dw_shift;   // [C]
    std::vector<float> pw_weight;  // [out][C]
    std::vector<float> pw_bias;    // [out]
};

struct ConvSuffix {
    int first_block = 0;  // faceres block number of blocks[0] (1..13); 0 = no suffix
    std::vector<SuffixBlock> blocks;

    bool empty() const { return blocks.empty(); }
    // The faceres layer whose activation enters the suffix: "pw<first_block - 1>".
    std::string input_layer() const { return "pw" + std::to_string(first_block - 1); }
    int out_channels() const { return blocks.empty() ? 0 : blocks.back().out; }
    // Channels chain, weight sizes match, strides 1/2, first_block + blocks ends at 13. Throws
    // faceatlas::Error kCorruptData.
    void validate() const;
    // One sample: `x` is [C, H, W] row-major with C = blocks[0].channels. Returns the last
    // block's output [out, Ho, Wo] and sets Ho, Wo.
    std::vector<float> forward(const float* x, int H, int W, int& Ho, int& Wo) const;
};

}  // namespace faceatlas::attr
