// GraphModel::build: one cv::dnn::Net (an inference session) from a parsed GraphDef.
#include <set>

#include "tfjs_graph_import.h"

namespace faceatlas::nn {
namespace {

using graph_import::GraphNode;
using graph_import::Importer;
using graph_import::kFix;
using graph_import::registry;

std::string strip_output_index(const std::string& name, const std::filesystem::path& file) {
    const auto colon = name.rfind(':');
    if (colon == std::string::npos) return name;
    if (name.substr(colon + 1) != "0")
        throw Error(ErrorCode::kUnsupported,
                    "output '" + name + "': only output 0 of a node can be read", file.string(),
                    "request the node's first output");
    return name.substr(0, colon);
}

}  // namespace

GraphModel GraphModel::load(const std::filesystem::path& model_json,
                            const std::vector<std::string>& outputs) {
    if (outputs.empty())
        throw Error(ErrorCode::kInvalidArgument, "no outputs requested", model_json.string(),
                    "name the output tensors to compute");
    return build(*GraphDef::parse(model_json), outputs);
}

GraphModel GraphModel::build(const GraphDef& graph, const std::vector<std::string>& outputs) {
    const std::string where = graph.file().string();
    if (outputs.empty())
        throw Error(ErrorCode::kInvalidArgument, "no outputs requested", where,
                    "name the output tensors to compute");
    const auto& nodes = graph.nodes().by_name;
    const std::filesystem::path& model_json = graph.file();
    const WeightMap& weights = graph.weights();
    Importer im(model_json, weights);
    const auto& ops = registry();

    auto find_node = [&](const std::string& ref, const std::string& consumer) -> const GraphNode& {
        const auto colon = ref.rfind(':');
        const std::string name = colon == std::string::npos ? ref : ref.substr(0, colon);
        auto it = nodes.find(name);
        if (it == nodes.end())
            throw Error(
                ErrorCode::kCorruptData,
                consumer.empty() ? "no node named '" + name + "' for a requested output"
                                 : "node '" + consumer + "' reads missing node '" + name + "'",
                where,
                consumer.empty() ? "check the output names against the model's signature" : kFix);
        return it->second;
    };

    // Depth-first post-order from the outputs: each node is built after its inputs; only the
    // subgraph the outputs need is translated.
    std::set<std::string> expanded;
    std::vector<std::pair<const GraphNode*, bool>> stack;
    std::vector<std::string> out_nodes;
    for (const auto& o : outputs) {
        out_nodes.push_back(strip_output_index(o, model_json));
        stack.emplace_back(&find_node(out_nodes.back(), {}), false);
    }
    std::reverse(stack.begin(), stack.end());
    while (!stack.empty()) {
        auto [n, ready] = stack.back();
        stack.pop_back();
        if (im.has_value(n->name)) continue;
        if (ready) {
            auto it = ops.find(n->op);
            if (it == ops.end())
                throw Error(ErrorCode::kUnsupported,
                            "op '" + n->op + "' of node '" + n->name + "' is not supported", where,
                            "add a builder for it to the registry in src/nn/tfjs_graph.cpp");
            im.set_value(n->name, it->second(im, *n));
            continue;
        }
        if (!expanded.insert(n->name).second)
            throw Error(ErrorCode::kCorruptData, "graph has a cycle through node '" + n->name + "'",
                        where, kFix);
        stack.emplace_back(n, true);
        for (auto in = n->inputs.rbegin(); in != n->inputs.rend(); ++in) {
            const GraphNode& dep = find_node(*in, n->name);
            if (!im.has_value(dep.name)) stack.emplace_back(&dep, false);
        }
    }
    if (im.input().name.empty())
        throw Error(ErrorCode::kUnsupported, "the requested outputs do not depend on a Placeholder",
                    where, "request outputs computed from the model input");

    GraphModel model;
    for (const auto& name : out_nodes) {
        GraphNode probe;
        probe.name = name;
        probe.op = "output";
        probe.inputs = {name};
        Node out = im.tensor(probe, 0);
        model.output_names_.push_back(im.builder().layer_name(out));
    }
    model.input_ = im.input();
    model.net_ = im.builder().finish();
    model.layer_count_ = static_cast<int>(model.net_.getLayerNames().size());
    return model;
}

std::vector<cv::Mat> GraphModel::forward(const cv::Mat& nchw_blob) {
    net_.setInput(nchw_blob);
    std::vector<cv::Mat> outs;
    net_.forward(outs, output_names_);
    for (auto& m : outs) m = m.clone();  // the net reuses its buffers on the next call
    return outs;
}

std::vector<std::string> GraphModel::supported_ops() {
    std::vector<std::string> out;
    for (const auto& [op, fn] : registry()) out.push_back(op);
    return out;
}

}  // namespace faceatlas::nn