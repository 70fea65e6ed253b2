// face-api's AgeGenderNet: a TinyXception backbone (2 middle blocks) on a 112x112 RGB face crop,
// a 7x7 average pool, then two dense heads: age (years, regression) and gender (softmax over
// male, female). Weights: models/vendor/face-api/model/age_gender_model-weights_manifest.json,
// network "age_gender" in models/manifest.json.
#pragma once

#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <string>
#include <vector>

#include "faceatlas/nn/model_manifest.h"
#include "faceatlas/nn/tfjs_weights.h"

namespace faceatlas::vision {

class ModelSet;

struct AgeGender {
    float age = 0.f;               // years, the raw regression output (not clamped or rounded)
    float male_probability = 0.f;  // softmax output 0; female is 1 - male_probability

    bool is_male() const { return male_probability > 0.5f; }
    // "male" or "female", decided as face-api does (male iff male_probability > 0.5).
    const char* gender() const { return is_male() ? "male" : "female"; }
    // Probability of the reported gender (face-api's genderProbability), in [0.5, 1].
    float gender_probability() const {
        return is_male() ? male_probability : 1.f - male_probability;
    }
};

// One instance is one inference session: cv::dnn::Net is not thread-safe, so give each thread
// its own AgeGenderNet (load() is cheap: ~420 KB of weights). Movable, not copyable.
class AgeGenderNet {
  public:
    static constexpr const char* kModelName = "age_gender";

    // Loads and validates the weights named by `manifest` (entry "age_gender"). Throws
    // faceatlas::Error naming the file when the weights are missing, a tensor is absent or has
    // the wrong shape, or the manifest's input size is not the 112x112 the net is built for.
    static AgeGenderNet load(const nn::ModelManifest& manifest);
    // A session from the parsed weights in `set` (entry "age_gender"); parses nothing.
    static AgeGenderNet create(const ModelSet& set);

    AgeGenderNet(AgeGenderNet&&) noexcept = default;
    AgeGenderNet& operator=(AgeGenderNet&&) noexcept = default;
    AgeGenderNet(const AgeGenderNet&) = delete;
    AgeGenderNet& operator=(const AgeGenderNet&) = delete;
    ~AgeGenderNet() = default;

    // The net's outputs, exactly as face-api's forwardInput returns them.
    struct Raw {
        std::vector<float> age;     // [n] years
        std::vector<float> gender;  // [n, 2] softmax (male, female), row-major
    };
    // `nhwc` is [n, 112, 112, 3] RGB float pixel values 0..255 (before normalisation), the tensor
    // face-api hands to the net after padding and resizing. Requires n >= 1.
    Raw forward_raw(const float* nhwc, int n);

    // `rgb_face_crop` is an RGB face crop (CV_8UC3 or CV_32FC3, values 0..255, any size). It is
    // prepared as face-api does (see preprocess) and run through the net.
    // Throws faceatlas::Error (kInvalidArgument) on an empty image or a wrong type.
    AgeGender predict(const cv::Mat& rgb_face_crop);
    // Same for many crops in one forward pass; an empty vector gives an empty result.
    std::vector<AgeGender> predict_batch(const std::vector<cv::Mat>& rgb_face_crops);
    // Test-time augmentation: each crop is prepared as above, then run both as is and mirrored
    // left-right (the prepared 112x112 tensor is flipped); age and male probability are the
    // means of the two outputs. A 112x112 crop and its mirror image get the same answer; for
    // other sizes they differ slightly, as face-api's resize is not mirror-symmetric. One
    // forward pass of 2n images. Same requirements as predict_batch.
    std::vector<AgeGender> predict_batch_flip(const std::vector<cv::Mat>& rgb_face_crops);

    // face-api's preparation of a crop (NetInput.toBatchTensor(112, true)): zero-pad to a square,
    // centred (round(diff / 2) rows/columns appended bottom/right, the rest prepended top/left),
    // then TF bilinear resize to 112x112 (align_corners = false, half_pixel_centers = false).
    // Returns a CV_32FC3 112x112 image, i.e. one NHWC [112, 112, 3] tensor.
    cv::Mat preprocess(const cv::Mat& rgb_face_crop) const;

    int input_size() const { return input_size_; }

  private:
    AgeGenderNet() = default;
    static AgeGenderNet build(const nn::ModelInfo& info, const nn::WeightMap& weights);

    cv::dnn::Net net_;
    std::vector<cv::String> output_names_;  // age, gender
    nn::ModelInfo info_;
    int input_size_ = 0;
};

}  // namespace faceatlas::vision
