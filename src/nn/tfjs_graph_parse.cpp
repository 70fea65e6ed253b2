// GraphDef::parse: a TFJS graph model's JSON and weights, read and validated once.
#include <fstream>

#include "tfjs_graph_import.h"

namespace faceatlas::nn {
namespace graph_import {

std::string base64_decode(const std::string& in) {
    static const std::string kChars =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    int val = 0, bits = -8;
    for (unsigned char c : in) {
        const auto pos = kChars.find(static_cast<char>(c));
        if (pos == std::string::npos) break;  // '=' padding or garbage ends the data
        val = (val << 6) + static_cast<int>(pos);
        bits += 6;
        if (bits >= 0) {
            out.push_back(static_cast<char>((val >> bits) & 0xff));
            bits -= 8;
        }
    }
    return out;
}

long long json_int(const json& v) {
    if (v.is_string()) return std::stoll(v.get<std::string>());
    return v.get<long long>();
}

}  // namespace graph_import

GraphDef::~GraphDef() = default;

std::size_t GraphDef::node_count() const { return nodes_->by_name.size(); }

std::shared_ptr<const GraphDef> GraphDef::parse(const std::filesystem::path& model_json) {
    using graph_import::json;
    using graph_import::kFix;
    const std::string where = model_json.string();
    auto nodes = std::make_unique<GraphNodes>();
    json& j = nodes->doc;
    {
        std::ifstream f(model_json);
        if (!f) throw Error(ErrorCode::kNotFound, "cannot open graph model", where, kFix);
        try {
            f >> j;
        } catch (const json::exception& e) {
            throw Error(ErrorCode::kCorruptData,
                        std::string("graph model is not valid JSON: ") + e.what(), where, kFix);
        }
    }
    if (!j.is_object() || !j.contains("modelTopology") || !j["modelTopology"].contains("node"))
        throw Error(ErrorCode::kUnsupported, "not a TFJS graph model (no modelTopology.node)",
                    where, "layers models are loaded with WeightMap + NetBuilder, not GraphModel");

    // `attr` points into nodes->doc, which lives (unmoved, on the heap) as long as the GraphDef.
    try {
        for (const auto& jn : j["modelTopology"]["node"]) {
            graph_import::GraphNode n;
            n.name = jn.at("name").get<std::string>();
            n.op = jn.at("op").get<std::string>();
            if (jn.contains("input"))
                for (const auto& in : jn["input"]) {
                    const auto s = in.get<std::string>();
                    if (!s.empty() && s[0] != '^') n.inputs.push_back(s);
                }
            if (jn.contains("attr")) n.attr = &jn["attr"];
            if (!nodes->by_name.emplace(n.name, n).second)
                throw Error(ErrorCode::kCorruptData, "duplicate node '" + n.name + "'", where,
                            kFix);
        }
    } catch (const json::exception& e) {
        throw Error(ErrorCode::kCorruptData, std::string("malformed graph node: ") + e.what(),
                    where, kFix);
    }

    std::shared_ptr<GraphDef> def(new GraphDef());
    def->file_ = model_json;
    def->weights_ = std::make_shared<const WeightMap>(WeightMap::load(model_json));
    def->nodes_ = std::move(nodes);
    return def;
}

}  // namespace faceatlas::nn
