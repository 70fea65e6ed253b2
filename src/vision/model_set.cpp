#include "faceatlas/vision/model_set.h"

#include <chrono>

#include "faceatlas/core/error.h"

namespace faceatlas::vision {

const std::vector<std::string>& ModelSet::analyzer_networks() {
    static const std::vector<std::string> kIds = {"ssd_mobilenetv1",  "face_landmark_68",
                                                  "face_recognition", "age_gender",
                                                  "face_expression",  "faceres"};
    return kIds;
}

ModelSet::ModelSet(const nn::ModelManifest& manifest, const std::vector<std::string>& networks) {
    const auto t0 = std::chrono::steady_clock::now();
    for (const auto& id : networks) {
        if (entries_.count(id)) continue;
        Entry e;
        e.info = manifest.get(id);  // throws naming the unknown entry
        if (e.info.format == "tfjs-graph-model")
            e.graph = nn::GraphDef::parse(e.info.weights);
        else
            e.weights = std::make_shared<const nn::WeightMap>(nn::WeightMap::load(e.info.weights));
        entries_.emplace(id, std::move(e));
    }
    parse_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

const ModelSet::Entry& ModelSet::entry(const std::string& network) const {
    auto it = entries_.find(network);
    if (it == entries_.end())
        throw Error(ErrorCode::kInvalidArgument,
                    "network '" + network + "' is not in the model set", "vision::ModelSet",
                    "list it in the networks the ModelSet is created with");
    return it->second;
}

const nn::ModelInfo& ModelSet::info(const std::string& network) const {
    return entry(network).info;
}

const nn::WeightMap& ModelSet::weights(const std::string& network) const {
    const Entry& e = entry(network);
    if (!e.weights)
        throw Error(ErrorCode::kUnsupported, network + " is a graph model, not layers weights",
                    e.info.weights.string(), "read it with ModelSet::graph");
    return *e.weights;
}

const nn::GraphDef& ModelSet::graph(const std::string& network) const {
    const Entry& e = entry(network);
    if (!e.graph)
        throw Error(ErrorCode::kUnsupported, network + " is a layers model, not a graph model",
                    e.info.weights.string(), "the manifest entry must be a tfjs-graph-model");
    return *e.graph;
}

std::vector<std::string> ModelSet::networks() const {
    std::vector<std::string> out;
    for (const auto& [id, e] : entries_) out.push_back(id);
    return out;
}

}  // namespace faceatlas::vision
