#include "faceatlas/vision/attribute_features.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <random>
#include <sstream>

#include "faceatlas/core/error.h"
#include "faceatlas/core/grid_pool.h"
#include "faceatlas/nn/tfjs_graph.h"
#include "faceatlas/vision/faceres.h"
#include "faceatlas/vision/model_set.h"

#include <opencv2/imgproc.hpp>

namespace faceatlas::vision {
namespace {

constexpr int kChip = FaceresNet::kInputSize;
constexpr const char* kFeats = "feats/Relu";
constexpr const char* kGap = "global_pooling/Mean";

Error bad_spec(const std::string& what) {
    return Error(ErrorCode::kInvalidArgument, what, "attribute features",
                 "write blocks as LAYER[gGRID][@PADDING], e.g. pw13@0.25,pw11g2@0.6 (layers "
                 "pw1..pw13, feats)");
}

int pw_index(const std::string& layer) {
    if (layer.size() < 3 || layer.compare(0, 2, "pw") != 0) return -1;
    int k = 0;
    for (std::size_t i = 2; i < layer.size(); ++i) {
        if (!std::isdigit(static_cast<unsigned char>(layer[i]))) return -1;
        k = k * 10 + (layer[i] - '0');
        if (k > 13) return -1;
    }
    return k >= 1 ? k : -1;
}

std::string pw_node(int k) { return "conv_pw_" + std::to_string(k) + "_relu/clip_by_value"; }

std::string fmt_padding(double p) {
    std::ostringstream s;
    s << std::setprecision(6) << p;
    return s.str();
}

// Mean of an NCHW [1, C, H, W] map over a grid x grid partition (core/grid_pool.h order).
void grid_pool(const cv::Mat& m, int grid, std::vector<float>& out) {
    CV_Assert(m.dims == 4 && m.size[0] == 1 && m.type() == CV_32F);
    const cv::Mat c = m.isContinuous() ? m : m.clone();
    grid_mean_pool(c.ptr<float>(), m.size[1], m.size[2], m.size[3], grid, out);
}

std::uint64_t mix(std::uint64_t h, std::uint64_t v) {
    // splitmix64 of the combination: well spread seeds for mt19937_64.
    std::uint64_t z = h ^ (v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2));
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

}  // namespace

int FeatureBlock::channels() const {
    static constexpr int kPw[14] = {0,   64,  128, 128, 256, 256,  512,
                                    512, 512, 512, 512, 512, 1024, 1024};
    if (layer == "feats") return 256;
    const int k = pw_index(layer);
    if (k < 0) throw bad_spec("unknown faceres layer '" + layer + "'");
    return kPw[k];
}

std::string FeatureBlock::to_string() const {
    std::string s = layer;
    if (grid != 1) s += "g" + std::to_string(grid);
    return s + "@" + fmt_padding(padding);
}

AttributeFeatureSpec AttributeFeatureSpec::parse(const std::string& text) {
    AttributeFeatureSpec spec;
    std::stringstream ss(text);
    std::string item;
    while (std::getline(ss, item, ',')) {
        item.erase(std::remove_if(item.begin(), item.end(),
                                  [](unsigned char c) { return std::isspace(c); }),
                   item.end());
        if (item.empty()) continue;
        FeatureBlock b;
        std::string head = item;
        if (const auto at = item.find('@'); at != std::string::npos) {
            head = item.substr(0, at);
            const auto ptxt = item.substr(at + 1);
            try {
                std::size_t used = 0;
                b.padding = std::stod(ptxt, &used);
                if (used != ptxt.size()) throw std::invalid_argument(ptxt);
            } catch (const std::exception&) {
                throw bad_spec("bad padding in '" + item + "'");
            }
        }
        if (const auto g = head.find('g', 1);
            g != std::string::npos && head.compare(0, 5, "feats") != 0) {
            const auto gtxt = head.substr(g + 1);
            if (gtxt.empty() || !std::all_of(gtxt.begin(), gtxt.end(),
                                             [](unsigned char c) { return std::isdigit(c); }))
                throw bad_spec("bad grid in '" + item + "'");
            b.grid = std::stoi(gtxt);
            head = head.substr(0, g);
        }
        b.layer = head;
        spec.blocks.push_back(b);
    }
    spec.validate();
    return spec;
}

void AttributeFeatureSpec::validate() const {
    if (blocks.empty()) throw bad_spec("no feature blocks");
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        const auto& b = blocks[i];
        b.channels();
        if (b.grid < 1 || b.grid > 4) throw bad_spec("grid of " + b.layer + " must be in 1..4");
        if (b.layer == "feats" && b.grid != 1) throw bad_spec("feats is a vector: grid 1 only");
        if (!(b.padding >= 0 && b.padding <= 2))
            throw bad_spec("padding of " + b.layer + " must be in [0, 2]");
        for (std::size_t j = 0; j < i; ++j)
            if (blocks[j] == b) throw bad_spec("block " + b.to_string() + " is listed twice");
    }
}

std::string AttributeFeatureSpec::to_string() const {
    std::string s;
    for (const auto& b : blocks) s += (s.empty() ? "" : ",") + b.to_string();
    return s;
}

nlohmann::json AttributeFeatureSpec::to_json() const {
    return {{"blocks", to_string()}, {"dim", dim()}};
}

AttributeFeatureSpec AttributeFeatureSpec::from_json(const nlohmann::json& j) {
    if (!j.is_object() || !j.contains("blocks") || !j["blocks"].is_string())
        throw Error(ErrorCode::kCorruptData, "feature spec has no 'blocks' string",
                    "attribute model", "retrain the model with this faceatlas");
    AttributeFeatureSpec s;
    try {
        s = parse(j["blocks"].get<std::string>());
    } catch (const Error& e) {
        throw Error(ErrorCode::kCorruptData, "feature spec: " + e.message(), "attribute model",
                    "retrain the model with this faceatlas");
    }
    if (j.value("dim", -1) != s.dim())
        throw Error(ErrorCode::kCorruptData, "feature spec dim does not match its blocks",
                    "attribute model");
    return s;
}

int AttributeFeatureSpec::dim() const {
    int d = 0;
    for (const auto& b : blocks) d += b.dim();
    return d;
}

std::vector<double> AttributeFeatureSpec::paddings() const {
    std::vector<double> p;
    for (const auto& b : blocks)
        if (std::find(p.begin(), p.end(), b.padding) == p.end()) p.push_back(b.padding);
    return p;
}

void AugmentOptions::validate() const {
    auto bad = [](const std::string& w) {
        return Error(ErrorCode::kInvalidArgument, w, "augmentation");
    };
    if (!(rotation_deg >= 0 && rotation_deg <= 180))
        throw bad("rotation must be in [0, 180] degrees");
    if (!(shift >= 0 && shift <= 1)) throw bad("shift must be in [0, 1]");
    if (!(shear >= 0 && shear <= 1)) throw bad("shear must be in [0, 1]");
    if (!(zoom >= 0 && zoom < 1)) throw bad("zoom must be in [0, 1)");
}

AugmentDraw AugmentDraw::draw(const AugmentOptions& o, std::uint64_t seed, std::uint64_t image,
                              std::uint64_t copy) {
    o.validate();
    std::mt19937_64 rng(mix(mix(mix(0x6661636561746c61ull, seed), image), copy));
    // Explicit arithmetic instead of std::uniform_real_distribution: its output is not
    // specified across standard libraries.
    auto u = [&rng](double lo, double hi) {
        const double t = static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0);
        return lo + (hi - lo) * t;
    };
    AugmentDraw a;
    constexpr double kPi = 3.14159265358979323846;
    a.rotation_rad = u(-o.rotation_deg, o.rotation_deg) * kPi / 180.0;
    a.shift_x = u(-o.shift, o.shift);
    a.shift_y = u(-o.shift, o.shift);
    a.shear = u(-o.shear, o.shear);
    a.zoom_x = u(1 - o.zoom, 1 + o.zoom);
    a.zoom_y = u(1 - o.zoom, 1 + o.zoom);
    a.flip = o.flip && (rng() >> 63) != 0;
    return a;
}

ChipTransform augmented(const ChipTransform& t, const AugmentDraw& a) {
    // Output chip pixel u -> source chip pixel v = c + M (u - c) + shift, with
    // M = R(rot) * Shear * Zoom, after an optional mirror of u. Then chip_to_image maps v.
    const double n = t.size, c = (n - 1) / 2.0;
    const double cr = std::cos(a.rotation_rad), sr = std::sin(a.rotation_rad);
    const cv::Matx22d R(cr, -sr, sr, cr);
    const cv::Matx22d S(1, -std::sin(a.shear), 0, std::cos(a.shear));
    const cv::Matx22d Z(a.zoom_x, 0, 0, a.zoom_y);
    cv::Matx22d M = R * S * Z;
    cv::Matx33d A = cv::Matx33d::eye();
    const cv::Vec2d shift(a.shift_x * n, a.shift_y * n);
    // v = M u + (c - M c + shift)
    const cv::Vec2d off = cv::Vec2d(c, c) - M * cv::Vec2d(c, c) + shift;
    A(0, 0) = M(0, 0), A(0, 1) = M(0, 1), A(0, 2) = off[0];
    A(1, 0) = M(1, 0), A(1, 1) = M(1, 1), A(1, 2) = off[1];
    if (a.flip) {
        const cv::Matx33d F(-1, 0, n - 1, 0, 1, 0, 0, 0, 1);
        A = A * F;
    }
    const cv::Matx33d C(t.chip_to_image(0, 0), t.chip_to_image(0, 1), t.chip_to_image(0, 2),
                        t.chip_to_image(1, 0), t.chip_to_image(1, 1), t.chip_to_image(1, 2), 0, 0,
                        1);
    const cv::Matx33d G = C * A;
    ChipTransform out = t;
    out.chip_to_image = cv::Matx23d(G(0, 0), G(0, 1), G(0, 2), G(1, 0), G(1, 1), G(1, 2));
    cv::Matx23d inv;
    cv::invertAffineTransform(out.chip_to_image, inv);
    out.image_to_chip = inv;
    return out;
}

struct AttributeFeatureExtractor::Impl {
    nn::GraphModel graph;
    nn::ModelInfo info;
    std::vector<int> pw_output;  // [14]: output index of conv_pw_k, -1 when not loaded
    int feats = 0, gap = 1;
    int index_of(const std::string& layer) const {
        const int k = pw_index(layer);
        const int i = k > 0 ? pw_output[static_cast<std::size_t>(k)] : -1;
        if (i < 0)
            throw Error(ErrorCode::kInvalidArgument, "layer " + layer + " was not loaded",
                        "attribute features", "load the extractor with the spec's layers");
        return i;
    }
};

AttributeFeatureExtractor::AttributeFeatureExtractor(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}
AttributeFeatureExtractor::AttributeFeatureExtractor(AttributeFeatureExtractor&&) noexcept =
    default;
AttributeFeatureExtractor& AttributeFeatureExtractor::operator=(
    AttributeFeatureExtractor&&) noexcept = default;
AttributeFeatureExtractor::~AttributeFeatureExtractor() = default;

AttributeFeatureExtractor AttributeFeatureExtractor::load(const nn::ModelManifest& manifest,
                                                          const std::vector<std::string>& layers) {
    nn::ModelInfo info = manifest.get("faceres");
    info.require_input(kChip, kChip, {"RGB", "BGR"});
    const auto def = nn::GraphDef::parse(info.weights);
    return build(*def, std::move(info), layers);
}

AttributeFeatureExtractor AttributeFeatureExtractor::create(
    const ModelSet& set, const std::vector<std::string>& layers) {
    nn::ModelInfo info = set.info("faceres");
    info.require_input(kChip, kChip, {"RGB", "BGR"});
    return build(set.graph("faceres"), std::move(info), layers);
}

AttributeFeatureExtractor AttributeFeatureExtractor::build(const nn::GraphDef& def,
                                                           nn::ModelInfo info,
                                                           const std::vector<std::string>& layers) {
    // Every extra output keeps cv::dnn from fusing that layer: load only what is read.
    std::vector<std::string> outs = {kFeats, kGap};
    std::vector<int> pw(14, -1);
    for (const auto& l : layers) {
        if (l == "feats") continue;
        const int k = pw_index(l);
        if (k < 0) throw bad_spec("unknown faceres layer '" + l + "'");
        if (pw[static_cast<std::size_t>(k)] >= 0) continue;
        pw[static_cast<std::size_t>(k)] = static_cast<int>(outs.size());
        outs.push_back(pw_node(k));
    }
    auto graph = nn::GraphModel::build(def, outs);
    return AttributeFeatureExtractor(
        std::unique_ptr<Impl>(new Impl{std::move(graph), std::move(info), std::move(pw), 0, 1}));
}

namespace {
// The faceres outputs `spec` reads (with `suffix`: also the activation entering it).
std::vector<std::string> spec_layers(const AttributeFeatureSpec& spec,
                                     const attr::ConvSuffix* suffix) {
    const bool tuned = suffix && !suffix->empty();
    std::vector<std::string> layers;
    for (const auto& b : spec.blocks)
        if (!(b.layer == "pw13" && (b.grid == 1 || tuned))) layers.push_back(b.layer);
    if (tuned) layers.push_back(suffix->input_layer());
    return layers;
}
}  // namespace

AttributeFeatureExtractor AttributeFeatureExtractor::load(const nn::ModelManifest& manifest,
                                                          const AttributeFeatureSpec& spec,
                                                          const attr::ConvSuffix* suffix) {
    return load(manifest, spec_layers(spec, suffix));
}

AttributeFeatureExtractor AttributeFeatureExtractor::create(const ModelSet& set,
                                                            const AttributeFeatureSpec& spec,
                                                            const attr::ConvSuffix* suffix) {
    return create(set, spec_layers(spec, suffix));
}

std::vector<cv::Mat> AttributeFeatureExtractor::chips(const cv::Mat& rgb,
                                                      const std::array<cv::Point2f, 68>& lm,
                                                      const AttributeFeatureSpec& spec,
                                                      const AugmentDraw* augment) const {
    std::vector<cv::Mat> out;
    for (double p : spec.paddings()) {
        auto t = chip_transform(lm, ChipSpec{kChip, p});
        if (augment) t = augmented(t, *augment);
        out.push_back(extract_chip(rgb, t));
    }
    return out;
}

namespace {
cv::Mat to_blob(const cv::Mat& chip, const nn::ModelInfo& info) {
    if (chip.rows != kChip || chip.cols != kChip || chip.type() != CV_8UC3)
        throw Error(ErrorCode::kInvalidArgument, "attribute chip must be 224x224 CV_8UC3",
                    "attribute features");
    const int sz[] = {1, 3, kChip, kChip};
    cv::Mat blob(4, sz, CV_32F);
    const bool bgr = info.color_order == "BGR";
    for (int c = 0; c < 3; ++c) {
        const int src_c = bgr ? 2 - c : c;
        const float mean = static_cast<float>(info.mean[static_cast<std::size_t>(c)]);
        const float inv_std = 1.f / static_cast<float>(info.std[static_cast<std::size_t>(c)]);
        float* out = blob.ptr<float>() + static_cast<std::size_t>(c) * kChip * kChip;
        for (int y = 0; y < kChip; ++y) {
            const auto* row = chip.ptr<cv::Vec3b>(y);
            for (int x = 0; x < kChip; ++x)
                out[y * kChip + x] = (static_cast<float>(row[x][src_c]) - mean) * inv_std;
        }
    }
    return blob;
}
}  // namespace

std::vector<float> AttributeFeatureExtractor::compute_from_chips(const std::vector<cv::Mat>& chips,
                                                                 const AttributeFeatureSpec& spec,
                                                                 const attr::ConvSuffix* suffix) {
    const bool tuned = suffix && !suffix->empty();
    if (tuned)
        for (const auto& b : spec.blocks)
            if (b.layer == "feats" ||
                (b.layer != "pw13" && pw_index(b.layer) >= suffix->first_block))
                throw Error(ErrorCode::kCorruptData,
                            "block " + b.to_string() +
                                " is inside the finetuned suffix (only pw13 comes from it)",
                            "attribute model", "retrain the model");
    const auto pads = spec.paddings();
    if (chips.size() != pads.size())
        throw Error(ErrorCode::kInvalidArgument, "one chip per padding expected",
                    "attribute features");
    std::vector<std::vector<cv::Mat>> outs;
    for (const auto& chip : chips) {
        auto o = impl_->graph.forward(to_blob(chip, impl_->info));
        for (auto& m : o) m = m.clone();  // cv::dnn reuses output buffers
        outs.push_back(std::move(o));
    }
    // Finetuned pw13 map of each chip: [1024, H, W].
    std::vector<std::vector<float>> tuned_maps(tuned ? chips.size() : 0);
    int th = 0, tw = 0;
    if (tuned) {
        const int in_index = impl_->index_of(suffix->input_layer());
        for (std::size_t c = 0; c < chips.size(); ++c) {
            const cv::Mat& a = outs[c][static_cast<std::size_t>(in_index)];
            CV_Assert(a.dims == 4 && a.size[0] == 1 && a.isContinuous());
            if (a.size[1] != suffix->blocks.front().channels)
                throw Error(ErrorCode::kCorruptData,
                            "finetuned suffix expects " +
                                std::to_string(suffix->blocks.front().channels) +
                                " channels, the graph gives " + std::to_string(a.size[1]),
                            "attribute model", "retrain the model");
            tuned_maps[c] = suffix->forward(a.ptr<float>(), a.size[2], a.size[3], th, tw);
        }
    }
    std::vector<float> f;
    f.reserve(static_cast<std::size_t>(spec.dim()));
    for (const auto& b : spec.blocks) {
        const auto pi =
            static_cast<std::size_t>(std::find(pads.begin(), pads.end(), b.padding) - pads.begin());
        const auto& o = outs[pi];
        if (tuned && b.layer == "pw13") {
            grid_mean_pool(tuned_maps[pi].data(), suffix->out_channels(), th, tw, b.grid, f);
        } else if (b.layer == "feats" || (b.layer == "pw13" && b.grid == 1)) {
            const cv::Mat& m =
                o[static_cast<std::size_t>(b.layer == "feats" ? impl_->feats : impl_->gap)];
            const cv::Mat c = m.isContinuous() ? m : m.clone();
            f.insert(f.end(), c.ptr<float>(), c.ptr<float>() + c.total());
        } else {
            grid_pool(o[static_cast<std::size_t>(impl_->index_of(b.layer))], b.grid, f);
        }
    }
    if (static_cast<int>(f.size()) != spec.dim())
        throw Error(ErrorCode::kInternal,
                    "attribute feature size " + std::to_string(f.size()) +
                        " != " + std::to_string(spec.dim()),
                    "attribute features", "report this as a bug");
    return f;
}

std::vector<float> AttributeFeatureExtractor::compute(const cv::Mat& rgb,
                                                      const std::array<cv::Point2f, 68>& lm,
                                                      const AttributeFeatureSpec& spec,
                                                      const AugmentDraw* augment,
                                                      const attr::ConvSuffix* suffix) {
    return compute_from_chips(chips(rgb, lm, spec, augment), spec, suffix);
}

cv::Mat AttributeFeatureExtractor::activation(const cv::Mat& chip, const std::string& layer) {
    const int k = pw_index(layer);
    if (k < 0) throw bad_spec("activation: unknown layer '" + layer + "'");
    const auto o = impl_->graph.forward(to_blob(chip, impl_->info));
    return o[static_cast<std::size_t>(impl_->index_of(layer))].clone();
}

Landmarks68 crop_landmarks(LandmarkNet& net, const cv::Mat& rgb) {
    return net.detect(
        rgb, cv::Rect2f(0.f, 0.f, static_cast<float>(rgb.cols), static_cast<float>(rgb.rows)));
}

}  // namespace faceatlas::vision
