// Importer for TensorFlow.js *graph* models: a `model.json` whose `modelTopology.node` is a
// GraphDef in JSON and whose `weightsManifest` holds every Const node's value. The nodes that
// the requested outputs depend on are translated, op by op, into a cv::dnn::Net through one
// registry (op name -> builder); supporting another graph means listing its ops there.
//
// Requires: NHWC graphs (data_format NHWC), one Placeholder, every Const resolvable from the
// weights manifest, ops from `GraphModel::supported_ops()`.
// Ensures: the net takes one NCHW float blob (the Placeholder, channels in the graph's order,
// no normalisation added) and `net().forward(output_names())` yields the requested tensors in
// TF semantics: rank-4 tensors as NCHW, rank-2 tensors as [N, K]. Control inputs (`^name`) are
// ignored; they only order side effects, which inference graphs do not have.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/dnn.hpp>

#include "faceatlas/nn/tfjs_weights.h"

namespace faceatlas::nn {

struct GraphNodes;  // internal (src/nn/tfjs_graph_import.h)

// The graph's input as declared by its Placeholder (TF NHWC); -1 marks a dynamic size.
struct GraphInput {
    std::string name;
    int height = -1;
    int width = -1;
    int channels = -1;
};

// A parsed graph model: the GraphDef JSON and every weight tensor, read and validated once.
// Immutable after parse(), so one GraphDef may be shared by any number of threads, each
// building its own GraphModel (session) from it.
class GraphDef {
  public:
    // Reads `model_json` and the weight shards it names. Throws faceatlas::Error naming the file
    // for a missing or malformed JSON, a file that is not a graph model, duplicate nodes and
    // missing, truncated or malformed weights.
    static std::shared_ptr<const GraphDef> parse(const std::filesystem::path& model_json);

    GraphDef(const GraphDef&) = delete;
    GraphDef& operator=(const GraphDef&) = delete;
    ~GraphDef();

    const std::filesystem::path& file() const { return file_; }
    const WeightMap& weights() const { return *weights_; }
    std::size_t node_count() const;
    const GraphNodes& nodes() const { return *nodes_; }

  private:
    GraphDef() = default;

    std::filesystem::path file_;
    std::unique_ptr<const GraphNodes> nodes_;
    std::shared_ptr<const WeightMap> weights_;
};

class GraphModel {
  public:
    // Builds the subgraph of `graph` that computes `outputs` (TF tensor names; ":0" may be
    // omitted) as a new cv::dnn::Net; `graph` is only read and may be released afterwards (the
    // net owns copies of its weights). Throws faceatlas::Error naming the file, the node and the
    // op for unsupported ops or attributes, missing Const weights and unknown output names.
    static GraphModel build(const GraphDef& graph, const std::vector<std::string>& outputs);
    // GraphDef::parse + build: a private parse for one session.
    static GraphModel load(const std::filesystem::path& model_json,
                           const std::vector<std::string>& outputs);

    GraphModel(GraphModel&&) noexcept = default;
    GraphModel& operator=(GraphModel&&) noexcept = default;
    // A cv::dnn::Net is a shared handle and not safe to run from two threads; one GraphModel is
    // one inference session, so copies are disabled.
    GraphModel(const GraphModel&) = delete;
    GraphModel& operator=(const GraphModel&) = delete;

    cv::dnn::Net& net() { return net_; }
    // cv::dnn layer names, one per requested output, in the order given to load().
    const std::vector<std::string>& output_names() const { return output_names_; }
    const GraphInput& input() const { return input_; }
    // Runs the net on an NCHW blob; returns the requested outputs in order.
    std::vector<cv::Mat> forward(const cv::Mat& nchw_blob);
    // Number of cv::dnn layers built (after folding Mul/Add/clip chains).
    int layer_count() const { return layer_count_; }

    // Every TF op the registry knows, sorted.
    static std::vector<std::string> supported_ops();

  private:
    GraphModel() = default;

    cv::dnn::Net net_;
    std::vector<std::string> output_names_;
    GraphInput input_;
    int layer_count_ = 0;
};

}  // namespace faceatlas::nn
