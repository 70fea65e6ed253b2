#include "faceatlas/train/mobilenet_suffix.h"

#include "faceatlas/core/error.h"
#include "faceatlas/nn/tfjs_weights.h"
#include "tensor_values.h"

namespace faceatlas::train {
namespace {

torch::Tensor to_tensor(const nn::WeightTensor& w) {
    std::vector<long> shape(w.shape.begin(), w.shape.end());
    return torch::from_blob(const_cast<float*>(w.data.data()), shape, torch::kFloat32).clone();
}

float scalar(const nn::WeightMap& m, const std::string& name, float fallback) {
    if (!m.contains(name)) return fallback;
    const auto& w = m.get(name);
    return w.data.empty() ? fallback : w.data.front();
}

}  // namespace

MobileNetSuffixImpl::MobileNetSuffixImpl(const std::filesystem::path& model_json, int first)
    : first_block(first) {
    if (first < 1 || first > 13)
        throw Error(ErrorCode::kInvalidArgument, "first block must be in 1..13", "MobileNetSuffix");
    const auto wm = nn::WeightMap::load(model_json);
    for (int k = first; k <= 13; ++k) {
        const auto s = std::to_string(k);
        Block b;
        b.stride = (k == 2 || k == 4 || k == 6 || k == 12) ? 2 : 1;
        // depthwise HWCM [3, 3, C, 1] -> [C, 1, 3, 3]
        b.dw_weight = to_tensor(wm.get("conv_dw_" + s + "/depthwise_kernel"))
                          .permute({2, 3, 0, 1})
                          .contiguous();
        const auto c = b.dw_weight.size(0);
        b.dw_scale =
            to_tensor(wm.get("conv_dw_" + s + "_bn/batchnorm_1/mul", {static_cast<int>(c)}));
        b.dw_shift =
            to_tensor(wm.get("conv_dw_" + s + "_bn/batchnorm_1/sub", {static_cast<int>(c)}));
        // pointwise HWIO [1, 1, C, Cout] -> [Cout, C, 1, 1]
        b.pw_weight = to_tensor(wm.get("conv_pw_" + s + "/convolution/merged_input"))
                          .permute({3, 2, 0, 1})
                          .contiguous();
        if (b.pw_weight.size(1) != c)
            throw Error(ErrorCode::kCorruptData, "block " + s + " pointwise input size mismatch",
                        model_json.string());
        b.pw_bias = to_tensor(wm.get("conv_pw_" + s + "_bn/batchnorm_1/sub",
                                     {static_cast<int>(b.pw_weight.size(0))}));
        b.dw_clip = scalar(wm, "conv_dw_" + s + "_relu/Cast", 6.f);
        b.pw_clip = scalar(wm, "conv_pw_" + s + "_relu/Cast", 6.f);
        b.dw_weight = register_parameter("dw" + s + "_w", b.dw_weight);
        b.dw_scale = register_parameter("dw" + s + "_scale", b.dw_scale);
        b.dw_shift = register_parameter("dw" + s + "_shift", b.dw_shift);
        b.pw_weight = register_parameter("pw" + s + "_w", b.pw_weight);
        b.pw_bias = register_parameter("pw" + s + "_b", b.pw_bias);
        blocks_.push_back(std::move(b));
    }
}

attr::ConvSuffix MobileNetSuffixImpl::to_conv_suffix() const {
    torch::NoGradGuard ng;
    attr::ConvSuffix out;
    out.first_block = first_block;
    for (const auto& b : blocks_) {
        attr::SuffixBlock s;
        s.channels = static_cast<int>(b.dw_weight.size(0));
        s.out = static_cast<int>(b.pw_weight.size(0));
        s.stride = b.stride;
        s.dw_clip = b.dw_clip;
        s.pw_clip = b.pw_clip;
        s.dw_weight = tensor_values(b.dw_weight);  // [C, 1, 3, 3] = [C][3][3]
        s.dw_scale = tensor_values(b.dw_scale);
        s.dw_shift = tensor_values(b.dw_shift);
        s.pw_weight = tensor_values(b.pw_weight);  // [out, C, 1, 1] = [out][C]
        s.pw_bias = tensor_values(b.pw_bias);
        out.blocks.push_back(std::move(s));
    }
    out.validate();
    return out;
}

torch::Tensor MobileNetSuffixImpl::forward(torch::Tensor x) {
    namespace F = torch::nn::functional;
    for (const auto& b : blocks_) {
        const auto c = b.dw_weight.size(0);
        if (b.stride == 1) {
            x = F::conv2d(x, b.dw_weight, F::Conv2dFuncOptions().padding(1).groups(c));
        } else {
            // TF SAME with stride 2 pads the extra row/column at the bottom/right.
            const auto h = x.size(2), w = x.size(3);
            const long ph = std::max<long>((((h + 1) / 2) - 1) * 2 + 3 - h, 0);
            const long pw = std::max<long>((((w + 1) / 2) - 1) * 2 + 3 - w, 0);
            x = F::pad(x, F::PadFuncOptions({pw / 2, pw - pw / 2, ph / 2, ph - ph / 2}));
            x = F::conv2d(x, b.dw_weight, F::Conv2dFuncOptions().stride(2).groups(c));
        }
        x = torch::clamp(x * b.dw_scale.view({1, -1, 1, 1}) + b.dw_shift.view({1, -1, 1, 1}), 0,
                         b.dw_clip);
        x = torch::clamp(F::conv2d(x, b.pw_weight, F::Conv2dFuncOptions().bias(b.pw_bias)), 0,
                         b.pw_clip);
    }
    return x;
}

}  // namespace faceatlas::train
