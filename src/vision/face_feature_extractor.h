// face-api's FaceFeatureExtractor (src/faceFeatureExtractor/) and FaceProcessor (backbone +
// one fully connected layer), shared by the 68-point landmark net and the expression net, plus
// the face-api input pipeline for face crops (extractFaceTensors + NetInput.toBatchTensor).
// Internal header: include/ users see LandmarkNet and ExpressionNet only.
#pragma once

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <string>
#include <vector>

#include "faceatlas/nn/model_manifest.h"
#include "faceatlas/nn/net_builder.h"
#include "faceatlas/nn/tfjs_weights.h"

namespace faceatlas::vision::detail {

// Input side of every FaceFeatureExtractor net (112 x 112 RGB).
inline constexpr int kFaceInputSize = 112;
// Floats in one NHWC face input (112 * 112 * 3).
inline constexpr std::size_t kFaceInputFloats =
    static_cast<std::size_t>(kFaceInputSize) * kFaceInputSize * 3;
// Largest batch handed to cv::dnn at once; longer batches are split (bounds peak memory).
inline constexpr int kMaxFaceBatch = 32;

// Appends the backbone to `b`, reading weights dense0..dense3 from `weights`: four dense blocks
// of (separable) 3x3 convolutions, then a 7x7/2 VALID average pool. The input node must hold
// the normalised NCHW [N, 3, 112, 112] blob; the result is [N, 256, 1, 1].
// Throws faceatlas::Error (kCorruptData, naming the weight file) on a missing or misshapen tensor.
nn::Node build_face_feature_extractor(nn::NetBuilder& b, const nn::WeightMap& weights);

// FaceProcessor: backbone + fc (256 -> num_outputs), optionally followed by a softmax.
// One instance = one cv::dnn session: not thread-safe, movable.
class FaceProcessorNet {
  public:
    // Loads the weights of `info` and builds the net. Throws faceatlas::Error naming the weight
    // file when it is missing or its tensors do not have face-api's shapes.
    static FaceProcessorNet load(const nn::ModelInfo& info, int num_outputs, bool softmax);
    // The same from weights parsed already (a ModelSet); parses nothing.
    static FaceProcessorNet build(const nn::ModelInfo& info, const nn::WeightMap& weights,
                                  int num_outputs, bool softmax);

    // `nhwc` holds n RGB images [n, 112, 112, 3], values 0..255 as handed to the tfjs net.
    // Returns [n, num_outputs] row-major.
    std::vector<float> forward(const float* nhwc, int n);

    int num_outputs() const { return num_outputs_; }
    const nn::ModelInfo& info() const { return info_; }

  private:
    nn::ModelInfo info_;
    cv::dnn::Net net_;
    std::string output_;
    int num_outputs_ = 0;
};

// face-api's Box.clipAtImageBorders: clip to the image, then floor x, y, width and height
// separately. The result may be empty (width or height <= 0) when the box misses the image.
cv::Rect clip_at_image_borders(const cv::Rect2f& box, cv::Size image);

// Geometry of one face crop inside the square net input.
struct SquareInput {
    cv::Rect crop;     // pixels of the image that were used
    float side = 0.f;  // side of the padded square, max(crop.width, crop.height)
    // face-api's own offset of the crop inside the square (|w - h| / 2 on the short axis),
    // used to map net outputs back; see FaceLandmark68NetBase.postProcess.
    float offset_x = 0.f;
    float offset_y = 0.f;
};

// NetInput.toBatchTensor(112, isCenterInputs = true) for one crop of `rgb` (CV_8UC3 or
// CV_32FC3, RGB): pad_resize_square(rgb(crop), 112, SquarePadding::kCentred) (image_ops.h).
// Writes kFaceInputFloats floats (NHWC) to `nhwc_out`. `crop` must be non-empty and inside
// the image.
SquareInput face_to_input(const cv::Mat& rgb, const cv::Rect& crop, float* nhwc_out);

// Several face boxes of one image, ready for FaceProcessorNet::forward.
struct FaceBatch {
    std::vector<float> nhwc;            // [n, 112, 112, 3]
    std::vector<SquareInput> geometry;  // one per box
};

// clip_at_image_borders + face_to_input for every box. Throws faceatlas::Error
// (kInvalidArgument, prefixed with `who`) for a bad image or a box that leaves an empty crop.
FaceBatch prepare_face_batch(const cv::Mat& rgb, const std::vector<cv::Rect2f>& boxes,
                             const char* who);

// Throws faceatlas::Error (kInvalidArgument) unless `rgb` is a non-empty CV_8UC3 / CV_32FC3.
void check_rgb_image(const cv::Mat& rgb, const char* who);

}  // namespace faceatlas::vision::detail
