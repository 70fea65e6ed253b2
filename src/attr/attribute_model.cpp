#include "faceatlas/attr/attribute_model.h"

#include <unistd.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <numeric>
#include <sstream>

#include "faceatlas/core/error.h"

namespace faceatlas::attr {
namespace {

const char* act_name(Activation a) {
    switch (a) {
        case Activation::kNone:
            return "none";
        case Activation::kRelu:
            return "relu";
        case Activation::kSigmoid:
            return "sigmoid";
    }
    return "none";
}

Activation act_from(const std::string& s, const std::filesystem::path& path) {
    if (s == "none") return Activation::kNone;
    if (s == "relu") return Activation::kRelu;
    if (s == "sigmoid") return Activation::kSigmoid;
    throw Error(ErrorCode::kCorruptData, "unknown activation '" + s + "'", path.string());
}

}  // namespace

int backbone_dim(const std::string& backbone) {
    if (backbone == kBackboneFaceres) return 1024;
    if (backbone == kBackboneDlib) return 128;
    if (backbone == kBackboneFaceresBlocks) return 0;
    throw Error(ErrorCode::kInvalidArgument, "unknown backbone '" + backbone + "'", "backbone",
                "use faceres, faceres-blocks or dlib");
}

void AttributeModel::validate() const {
    auto bad = [](const std::string& what) {
        throw Error(ErrorCode::kCorruptData, what, "attribute model");
    };
    int expected = 0;
    try {
        expected = backbone_dim(backbone);
    } catch (const Error&) {
        bad("unknown backbone '" + backbone + "'");
    }
    if (expected == 0) {
        // faceres-blocks: the size is the spec's.
        const auto f = preprocessing.find("features");
        if (f == preprocessing.end() || !f->is_object() || !f->contains("dim") ||
            !(*f)["dim"].is_number_integer())
            bad("backbone " + backbone + " needs preprocessing.features with its dim");
        expected = (*f)["dim"].get<int>();
    }
    if (feature_dim != expected)
        bad("feature size " + std::to_string(feature_dim) + " does not match backbone " + backbone +
            " (" + std::to_string(expected) + ")");
    if (layers.empty()) bad("no layers");
    if (attributes.empty()) bad("no attributes");
    int in = feature_dim;
    for (std::size_t i = 0; i < layers.size(); ++i) {
        const auto& l = layers[i];
        if (l.in != in)
            bad("layer " + std::to_string(i) + " expects " + std::to_string(l.in) +
                " inputs, gets " + std::to_string(in));
        if (l.out < 1 ||
            l.weight.size() != static_cast<std::size_t>(l.in) * static_cast<std::size_t>(l.out) ||
            l.bias.size() != static_cast<std::size_t>(l.out))
            bad("layer " + std::to_string(i) + " has inconsistent weight shapes");
        in = l.out;
    }
    if (in != static_cast<int>(attributes.size()))
        bad("last layer size differs from the attribute count");
    if (layers.back().activation != Activation::kSigmoid) bad("last layer must be a sigmoid");
    if (!suffix.empty()) {
        if (backbone != kBackboneFaceresBlocks)
            bad("a finetuned suffix needs backbone faceres-blocks");
        suffix.validate();
    }
}

int AttributeModel::attribute_index(const std::string& name) const {
    for (std::size_t i = 0; i < attributes.size(); ++i)
        if (attributes[i].name == name) return static_cast<int>(i);
    return -1;
}

std::vector<float> AttributeModel::predict(const float* features, std::size_t n) const {
    using Mat = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    Mat h = Eigen::Map<const Mat>(features, static_cast<Eigen::Index>(n), feature_dim);
    for (const auto& l : layers) {
        Eigen::Map<const Mat> w(l.weight.data(), l.out, l.in);
        Eigen::Map<const Eigen::RowVectorXf> b(l.bias.data(), l.out);
        Mat next = h * w.transpose();
        next.rowwise() += b;
        if (l.activation == Activation::kRelu) next = next.cwiseMax(0.f);
        if (l.activation == Activation::kSigmoid)
            next = next.unaryExpr([](float x) { return 1.f / (1.f + std::exp(-x)); });
        h = std::move(next);
    }
    return std::vector<float>(h.data(), h.data() + h.size());
}

void write_file_atomic(const std::filesystem::path& path, const std::string& bytes) {
    auto tmp = path;
    tmp += ".tmp-" + std::to_string(::getpid());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out)
            throw Error(ErrorCode::kIo, "cannot write", tmp.string(),
                        "check the folder exists and is writable");
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        out.flush();
        if (!out) {
            out.close();
            std::filesystem::remove(tmp);
            throw Error(ErrorCode::kIo, "write failed (disk full?)", tmp.string());
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::filesystem::remove(tmp);
        throw Error(ErrorCode::kIo, "cannot rename into place: " + ec.message(), path.string());
    }
}

void save_attribute_model(const AttributeModel& model, const std::filesystem::path& path) {
    model.validate();
    nlohmann::json h;
    h["format"] = kAttributeModelFormat;
    // The lowest version that holds the model: 1 (faceres / dlib, readable by older builds), 2
    // (faceres-blocks), 3 (with a finetuned suffix).
    h["version"] = !model.suffix.empty() ? 3 : model.backbone == kBackboneFaceresBlocks ? 2 : 1;
    h["backbone"] = model.backbone;
    h["feature_dim"] = model.feature_dim;
    h["preprocessing"] = model.preprocessing;
    h["training"] = model.training;
    auto& attrs = h["attributes"] = nlohmann::json::array();
    for (const auto& a : model.attributes)
        attrs.push_back({{"name", a.name},
                         {"threshold", a.threshold},
                         {"val_accuracy", a.val_accuracy},
                         {"val_balanced_accuracy", a.val_balanced_accuracy},
                         {"train_positive_rate", a.train_positive_rate}});
    std::string blob;
    std::size_t offset = 0;  // in floats
    auto& layers = h["layers"] = nlohmann::json::array();
    auto put = [&](const std::vector<float>& v) {
        const std::size_t at = offset;
        blob.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
        offset += v.size();
        return at;
    };
    for (const auto& l : model.layers) {
        const auto w = put(l.weight);
        const auto b = put(l.bias);
        layers.push_back({{"in", l.in},
                          {"out", l.out},
                          {"activation", act_name(l.activation)},
                          {"weight", w},
                          {"bias", b}});
    }
    if (!model.suffix.empty()) {
        nlohmann::json blocks = nlohmann::json::array();
        for (const auto& b : model.suffix.blocks)
            blocks.push_back({{"channels", b.channels},
                              {"out", b.out},
                              {"stride", b.stride},
                              {"dw_clip", b.dw_clip},
                              {"pw_clip", b.pw_clip},
                              {"dw_weight", put(b.dw_weight)},
                              {"dw_scale", put(b.dw_scale)},
                              {"dw_shift", put(b.dw_shift)},
                              {"pw_weight", put(b.pw_weight)},
                              {"pw_bias", put(b.pw_bias)}});
        h["suffix"] = {{"first_block", model.suffix.first_block},
                       {"input_layer", model.suffix.input_layer()},
                       {"blocks", blocks}};
    }
    h["data_floats"] = offset;
    write_file_atomic(path, h.dump() + "\n" + blob);
}

AttributeModel load_attribute_model(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(ErrorCode::kNotFound, "cannot open attribute model", path.string(),
                    "train one with `faceatlas train attributes`");
    std::string line;
    std::getline(in, line);
    nlohmann::json h;
    try {
        h = nlohmann::json::parse(line);
    } catch (const std::exception&) {
        throw Error(ErrorCode::kUnsupported, "not a faceatlas attribute model (no JSON header)",
                    path.string());
    }
    if (!h.is_object() || h.value("format", "") != kAttributeModelFormat)
        throw Error(ErrorCode::kUnsupported, "not a faceatlas attribute model", path.string());
    const int version = h.value("version", 0);
    if (version > kAttributeModelVersion)
        throw Error(ErrorCode::kUnsupported,
                    "model format version " + std::to_string(version) +
                        " is newer than this faceatlas reads (" +
                        std::to_string(kAttributeModelVersion) + ")",
                    path.string(), "upgrade faceatlas or retrain the model with this version");
    if (version < 1) throw Error(ErrorCode::kCorruptData, "bad model version", path.string());
    AttributeModel m;
    try {
        m.backbone = h.at("backbone").get<std::string>();
        m.feature_dim = h.at("feature_dim").get<int>();
        m.preprocessing = h.value("preprocessing", nlohmann::json::object());
        m.training = h.value("training", nlohmann::json::object());
        for (const auto& a : h.at("attributes")) {
            AttributeInfo info;
            info.name = a.at("name").get<std::string>();
            info.threshold = a.at("threshold").get<float>();
            info.val_accuracy = a.value("val_accuracy", 0.0);
            info.val_balanced_accuracy = a.value("val_balanced_accuracy", 0.0);
            info.train_positive_rate = a.value("train_positive_rate", 0.0);
            m.attributes.push_back(std::move(info));
        }
        const auto total = h.at("data_floats").get<std::size_t>();
        std::vector<float> data(total);
        in.read(reinterpret_cast<char*>(data.data()),
                static_cast<std::streamsize>(total * sizeof(float)));
        if (static_cast<std::size_t>(in.gcount()) != total * sizeof(float))
            throw Error(ErrorCode::kCorruptData, "weights are truncated", path.string(),
                        "retrain or copy the file again");
        for (const auto& l : h.at("layers")) {
            DenseLayer d;
            d.in = l.at("in").get<int>();
            d.out = l.at("out").get<int>();
            d.activation = act_from(l.at("activation").get<std::string>(), path);
            const auto w = l.at("weight").get<std::size_t>();
            const auto b = l.at("bias").get<std::size_t>();
            const std::size_t nw = static_cast<std::size_t>(d.in) * static_cast<std::size_t>(d.out);
            if (d.in < 1 || d.out < 1 || w + nw > total ||
                b + static_cast<std::size_t>(d.out) > total)
                throw Error(ErrorCode::kCorruptData, "layer offsets outside the weights",
                            path.string());
            d.weight.assign(data.begin() + static_cast<std::ptrdiff_t>(w),
                            data.begin() + static_cast<std::ptrdiff_t>(w + nw));
            d.bias.assign(data.begin() + static_cast<std::ptrdiff_t>(b),
                          data.begin() + static_cast<std::ptrdiff_t>(b) + d.out);
            m.layers.push_back(std::move(d));
        }
        if (h.contains("suffix")) {
            const auto& sj = h.at("suffix");
            m.suffix.first_block = sj.at("first_block").get<int>();
            auto take = [&](const nlohmann::json& j, const char* key, std::size_t count) {
                const auto at = j.at(key).get<std::size_t>();
                if (count == 0 || at + count > total)
                    throw Error(ErrorCode::kCorruptData,
                                std::string("suffix ") + key + " outside the weights",
                                path.string());
                return std::vector<float>(data.begin() + static_cast<std::ptrdiff_t>(at),
                                          data.begin() + static_cast<std::ptrdiff_t>(at + count));
            };
            for (const auto& bj : sj.at("blocks")) {
                SuffixBlock b;
                b.channels = bj.at("channels").get<int>();
                b.out = bj.at("out").get<int>();
                b.stride = bj.at("stride").get<int>();
                b.dw_clip = bj.at("dw_clip").get<float>();
                b.pw_clip = bj.at("pw_clip").get<float>();
                if (b.channels < 1 || b.out < 1)
                    throw Error(ErrorCode::kCorruptData, "bad suffix block shape", path.string());
                const auto C = static_cast<std::size_t>(b.channels),
                           O = static_cast<std::size_t>(b.out);
                b.dw_weight = take(bj, "dw_weight", C * 9);
                b.dw_scale = take(bj, "dw_scale", C);
                b.dw_shift = take(bj, "dw_shift", C);
                b.pw_weight = take(bj, "pw_weight", O * C);
                b.pw_bias = take(bj, "pw_bias", O);
                m.suffix.blocks.push_back(std::move(b));
            }
        }
    } catch (const nlohmann::json::exception& e) {
        throw Error(ErrorCode::kCorruptData, std::string("bad model header: ") + e.what(),
                    path.string());
    }
    try {
        m.validate();
    } catch (const Error& e) {
        throw Error(ErrorCode::kCorruptData, e.message(), path.string(), "retrain the model");
    }
    return m;
}

AttributeModel load_attribute_model(const std::filesystem::path& path,
                                    const std::string& backbone) {
    auto m = load_attribute_model(path);
    if (m.backbone != backbone)
        throw Error(ErrorCode::kUnsupported,
                    "model was trained on " + m.backbone + " features, not " + backbone,
                    path.string(), "use a model trained with --backbone " + backbone);
    return m;
}

BinaryScores binary_scores(const std::vector<float>& scores, const std::vector<std::uint8_t>& truth,
                           float threshold) {
    std::size_t tp = 0, tn = 0, p = 0, n = 0;
    for (std::size_t i = 0; i < scores.size(); ++i) {
        const bool pred = scores[i] >= threshold;
        if (truth[i]) {
            ++p;
            tp += pred;
        } else {
            ++n;
            tn += !pred;
        }
    }
    BinaryScores s;
    if (scores.empty()) return s;
    s.accuracy = static_cast<double>(tp + tn) / static_cast<double>(scores.size());
    s.tpr = p ? static_cast<double>(tp) / static_cast<double>(p) : 1.0;
    s.tnr = n ? static_cast<double>(tn) / static_cast<double>(n) : 1.0;
    s.balanced_accuracy = 0.5 * (s.tpr + s.tnr);
    return s;
}

float best_balanced_threshold(const std::vector<float>& scores,
                              const std::vector<std::uint8_t>& truth) {
    std::size_t p = 0;
    for (auto t : truth) p += t;
    const std::size_t n = truth.size() - p;
    if (p == 0 || n == 0) return 0.5f;
    std::vector<std::size_t> order(scores.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return scores[a] < scores[b]; });
    // Threshold below order[k]: everything from k on is predicted positive.
    std::size_t neg_below = 0, pos_below = 0;
    double best = -1;
    float best_t = 0.5f;
    for (std::size_t k = 0; k <= order.size(); ++k) {
        if (k == 0 || k == order.size() || scores[order[k]] != scores[order[k - 1]]) {
            const double tpr = static_cast<double>(p - pos_below) / static_cast<double>(p);
            const double tnr = static_cast<double>(neg_below) / static_cast<double>(n);
            const double ba = 0.5 * (tpr + tnr);
            if (ba > best) {
                best = ba;
                if (k == 0)
                    best_t = scores[order[0]];
                else if (k == order.size())
                    best_t = std::nextafter(scores[order[k - 1]], 2.f);
                else
                    best_t = 0.5f * (scores[order[k - 1]] + scores[order[k]]);
            }
        }
        if (k < order.size()) (truth[order[k]] ? pos_below : neg_below) += 1;
    }
    return best_t;
}

}  // namespace faceatlas::attr
