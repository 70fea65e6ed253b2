#pragma once
// A 1x1, stride-1, ungrouped convolution as one OpenBLAS SGEMM per image, as a cv::dnn layer.
//
// MobileNet-style networks (the SSD detector, faceres, the face-api 112-px nets) spend most of
// their time in pointwise convolutions. OpenCV 4.6's own convolution kernel reaches about
// 60-70 % of the throughput of OpenBLAS's SGEMM on these shapes (bench/README.md, "Pointwise
// convolutions"), so NetBuilder builds them as this layer when OpenBLAS is available.
//
// The layer joins OpenCV's fusion pass like the built-in convolution does: a following
// BatchNorm / Scale (constant scale and shift) is folded into its weights and bias
// (`tryFuse`), a following ReLU (slope 0) or ReLU6/clip is applied in the same pass
// (`setActivation`). Results equal the built-in layer's up to float summation order.
//
// Threads: OpenBLAS is told to use one thread (the layer splits output channels, or images of
// a batch, over cv::parallel_for_, so OpenCV's thread setting governs parallelism as for every
// other layer). That is process-wide OpenBLAS state, set once when the layer is registered.

#include <string>

namespace faceatlas::nn::detail {

// The cv::dnn layer type name ("FaPointwiseConv"); registers the layer with OpenCV's layer
// factory on first call. Returns an empty string when faceatlas was built without OpenBLAS:
// callers then use the built-in "Convolution".
const std::string& pointwise_conv_layer_type();

}  // namespace faceatlas::nn::detail
