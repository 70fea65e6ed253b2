// Internal to faceatlas_nn: the parsed graph (GraphNodes, owned by GraphDef) and the importer
// state shared by the op builders (tfjs_graph_ops.cpp) and GraphModel::build (tfjs_graph.cpp).
#pragma once

#include <algorithm>
#include <cassert>
#include <cfloat>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "faceatlas/core/error.h"
#include "faceatlas/nn/net_builder.h"
#include "faceatlas/nn/tfjs_graph.h"
#include "faceatlas/nn/tfjs_weights.h"

namespace faceatlas::nn {
namespace graph_import {

using nlohmann::json;

inline constexpr float kInf = std::numeric_limits<float>::infinity();
inline constexpr const char* kFix =
    "re-run scripts/fetch_models.sh (or scripts/setup.sh) to restore the model files";

struct GraphNode {
    std::string name;
    std::string op;
    std::vector<std::string>
        inputs;  // data inputs only ("node" or "node:k"); control inputs dropped
    const json* attr = nullptr;
};

// A tensor of the TF graph while it is being translated. Elementwise affine ops and clamps that
// follow a layer are accumulated here and emitted as at most one Scale and one clip layer when a
// consumer needs the tensor (TF's batch norm arrives as Mul + Add and Relu6 as Relu + Minimum +
// Maximum; folding keeps the net small and lets OpenCV fuse them into the convolution).
struct Value {
    const WeightTensor* constant = nullptr;  // set for Const nodes only
    Node node{};                             // producing layer (before the pending ops)
    int rank = 4;                            // 4: NHWC in TF (NCHW in the net); 2: [N, K]
    int channels = -1;                       // C (rank 4) or K (rank 2)
    int height = -1, width = -1;             // rank 4 only; -1 when dynamic
    std::vector<float> scale, shift;         // pending per-channel y = x * scale + shift
    bool has_clip = false;                   // pending clamp to [lo, hi], after the affine
    float lo = -kInf, hi = kInf;
    std::string name;          // TF node name, used to name emitted layers
    std::optional<Node> done;  // the layer holding the value once emitted
};
using ValuePtr = std::shared_ptr<Value>;

std::string base64_decode(const std::string& in);
long long json_int(const json& v);

class Importer;
using OpBuilder = ValuePtr (*)(Importer&, const GraphNode&);

class Importer {
  public:
    Importer(std::filesystem::path file, const WeightMap& weights)
        : file_(std::move(file)), weights_(weights) {}

    NetBuilder& builder() { return builder_; }
    GraphInput& input() { return input_; }
    const std::filesystem::path& file() const { return file_; }
    const WeightMap& weights() const { return weights_; }

    Error error(const GraphNode& n, const std::string& what,
                ErrorCode code = ErrorCode::kUnsupported) const {
        return Error(code, "node '" + n.name + "' (op " + n.op + "): " + what, file_.string(),
                     code == ErrorCode::kUnsupported
                         ? "this graph needs an op or attribute faceatlas::nn::GraphModel does not "
                           "translate; "
                           "add it to the registry in src/nn/tfjs_graph_ops.cpp"
                         : std::string(kFix));
    }

    void set_value(const std::string& name, ValuePtr v) { values_[name] = std::move(v); }
    bool has_value(const std::string& name) const { return values_.count(name) != 0; }

    ValuePtr value(const GraphNode& n, std::size_t i) {
        if (i >= n.inputs.size())
            throw error(n,
                        "expects at least " + std::to_string(i + 1) + " inputs, has " +
                            std::to_string(n.inputs.size()),
                        ErrorCode::kCorruptData);
        std::string ref = n.inputs[i];
        const auto colon = ref.rfind(':');
        if (colon != std::string::npos) {
            const std::string idx = ref.substr(colon + 1);
            if (idx != "0")
                throw error(n, "reads output " + idx + " of '" + ref.substr(0, colon) +
                                   "'; only single-output ops are supported");
            ref = ref.substr(0, colon);
        }
        auto it = values_.find(ref);
        assert(it != values_.end() && "inputs are built before their consumers");
        return it->second;
    }
    bool is_const(const GraphNode& n, std::size_t i) { return value(n, i)->constant != nullptr; }
    const WeightTensor& constant(const GraphNode& n, std::size_t i) {
        auto v = value(n, i);
        if (!v->constant) throw error(n, "input " + std::to_string(i) + " must be a Const");
        return *v->constant;
    }
    // Emits the pending affine/clamp of input i (once) and returns the layer holding it.
    Node tensor(const GraphNode& n, std::size_t i) {
        auto v = value(n, i);
        if (v->constant)
            throw error(
                n, "input " + std::to_string(i) + " is a Const; constant folding is not supported");
        return materialize(*v);
    }
    Node materialize(Value& v) {
        if (v.done) return *v.done;
        Node x = v.node;
        if (!v.scale.empty()) {
            const bool any_shift =
                std::any_of(v.shift.begin(), v.shift.end(), [](float s) { return s != 0.f; });
            x = builder_.scale_shift(x, v.scale, any_shift ? v.shift : std::vector<float>{},
                                     v.name + "/affine");
        }
        if (v.has_clip) {
            if (v.lo == 0.f && v.hi == kInf) {
                x = builder_.relu(x, v.name);
            } else {
                x = builder_.clip(x, std::isinf(v.lo) ? -FLT_MAX : v.lo,
                                  std::isinf(v.hi) ? FLT_MAX : v.hi, v.name);
            }
        }
        v.done = x;
        return x;
    }

    // Attributes (GraphDef JSON: strings base64, int64 as strings, lists under "list").
    const json* attr(const GraphNode& n, const char* key) const {
        if (!n.attr || !n.attr->contains(key)) return nullptr;
        return &(*n.attr)[key];
    }
    std::string attr_string(const GraphNode& n, const char* key,
                            const std::string& def = {}) const {
        const json* a = attr(n, key);
        return a && a->contains("s") ? base64_decode((*a)["s"].get<std::string>()) : def;
    }
    std::vector<std::string> attr_strings(const GraphNode& n, const char* key) const {
        std::vector<std::string> out;
        const json* a = attr(n, key);
        if (a && a->contains("list") && (*a)["list"].contains("s"))
            for (const auto& s : (*a)["list"]["s"])
                out.push_back(base64_decode(s.get<std::string>()));
        return out;
    }
    std::vector<int> attr_ints(const GraphNode& n, const char* key) const {
        std::vector<int> out;
        const json* a = attr(n, key);
        if (a && a->contains("list") && (*a)["list"].contains("i"))
            for (const auto& s : (*a)["list"]["i"]) out.push_back(static_cast<int>(json_int(s)));
        return out;
    }
    bool attr_bool(const GraphNode& n, const char* key, bool def) const {
        const json* a = attr(n, key);
        return a && a->contains("b") ? (*a)["b"].get<bool>() : def;
    }
    float attr_float(const GraphNode& n, const char* key, float def) const {
        const json* a = attr(n, key);
        return a && a->contains("f") ? (*a)["f"].get<float>() : def;
    }

  private:
    std::filesystem::path file_;
    const WeightMap& weights_;
    NetBuilder builder_;
    GraphInput input_;
    std::map<std::string, ValuePtr> values_;
};

// Every op the importer translates (tfjs_graph_ops.cpp).
const std::map<std::string, OpBuilder>& registry();

}  // namespace graph_import

// The parsed GraphDef: the model.json document and its nodes by name (attr points into `doc`).
// Built once by GraphDef::parse, immutable afterwards.
struct GraphNodes {
    graph_import::json doc;
    std::map<std::string, graph_import::GraphNode> by_name;
};

}  // namespace faceatlas::nn
