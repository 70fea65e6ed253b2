// The networks' parsed weights, loaded once per process and shared by every inference session.
//
// A ModelSet reads and validates the weight files of the networks asked for (TFJS layers
// weights as nn::WeightMap, graph models as nn::GraphDef) once; each network class builds a
// session (its own cv::dnn::Net) from it with create(set), which parses nothing. Sessions copy
// the weights into their layers (transposed to OpenCV's layouts), so a set may be released once
// the sessions are built.
//
// Thread safety: a ModelSet is immutable after construction; any number of threads may build
// sessions from one `const ModelSet&` at the same time. Sessions themselves are not thread-safe
// (one per thread), like the cv::dnn::Net they own.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "faceatlas/nn/model_manifest.h"
#include "faceatlas/nn/tfjs_graph.h"
#include "faceatlas/nn/tfjs_weights.h"

namespace faceatlas::vision {

class ModelSet {
  public:
    // Manifest ids of the six networks vision::Analyzer runs.
    static const std::vector<std::string>& analyzer_networks();

    // Parses the weights of `networks` (manifest ids; duplicates read once). Throws
    // faceatlas::Error naming the manifest entry or the weight file (and the fix) when an id is
    // unknown or a file is missing, truncated or malformed.
    ModelSet(const nn::ModelManifest& manifest, const std::vector<std::string>& networks);

    ModelSet(ModelSet&&) noexcept = default;
    ModelSet& operator=(ModelSet&&) noexcept = default;
    ModelSet(const ModelSet&) = delete;
    ModelSet& operator=(const ModelSet&) = delete;

    bool contains(const std::string& network) const { return entries_.count(network) != 0; }
    // The manifest entry of `network`. Throws faceatlas::Error (kInvalidArgument) naming it
    // when it is not in the set.
    const nn::ModelInfo& info(const std::string& network) const;
    // Layers weights of a "tfjs-layers-weights" network; throws like info(), and kUnsupported
    // for a graph model.
    const nn::WeightMap& weights(const std::string& network) const;
    // The parsed graph of a "tfjs-graph-model" network; throws like info(), and kUnsupported
    // for a layers model.
    const nn::GraphDef& graph(const std::string& network) const;
    // The networks in the set, sorted.
    std::vector<std::string> networks() const;

    // Weight files read by this set (one per network): what a test counts.
    std::size_t files_parsed() const { return entries_.size(); }
    // Wall time spent reading and validating them, in seconds.
    double parse_seconds() const { return parse_seconds_; }

  private:
    struct Entry {
        nn::ModelInfo info;
        std::shared_ptr<const nn::WeightMap> weights;  // layers models
        std::shared_ptr<const nn::GraphDef> graph;     // graph models
    };
    const Entry& entry(const std::string& network) const;

    std::map<std::string, Entry> entries_;
    double parse_seconds_ = 0;
};

}  // namespace faceatlas::vision
