// The analyze pipeline: detect (or take the crop as the face), landmarks, alignment, both
// embeddings, age/gender from both models, expression. One Analyzer = one inference session
// per network; create one per thread from one shared vision::ModelSet (model_set.h).
#pragma once

#include <array>
#include <filesystem>
#include <memory>
#include <opencv2/core.hpp>
#include <optional>
#include <string>
#include <vector>

#include "faceatlas/nn/model_manifest.h"
#include "faceatlas/vision/expression.h"

namespace faceatlas::vision {

struct AnalyzeOptions {
    // Face detector (face-api SsdMobilenetv1Options defaults).
    float min_confidence = 0.5f;
    int max_results = 100;
    // Treat each image as one face crop: no detector, the face box is the image (padded by
    // crop_padding of its size on each side before landmarking, as the landmark net expects
    // detector-sized boxes).
    bool crops = false;
    float crop_padding = 0.0f;
    // faceres age: expected value over the top-L age outputs.
    int age_top_l = 3;
    // Alignment: dlib chip (150 px, padding 0.25) for the dlib ResNet; faceres chip.
    double dlib_chip_padding = 0.25;
    double faceres_chip_padding = 0.25;
    // false: no alignment, both embedding nets get the face box (with --crops: the whole
    // crop) resized to their input size (cv::INTER_AREA), as face-api's descriptor on an
    // unaligned box does. Only for measuring what alignment gains (docs/QUALITY.md).
    bool align = true;
    bool compute_embeddings = true;
    // Test-time augmentation for age and gender: both age/gender nets (face-api and faceres)
    // also see each face mirrored left-right and report the mean (AgeGenderNet /
    // FaceresNet::predict_batch_flip). Embeddings and expression are never mirrored.
    // docs/QUALITY.md ("Attributes") has what it gains on UTKFace. Off by default: it runs both
    // age/gender nets twice (about 1.5x the CPU of a crop scan) for ~0.1 years of MAE and
    // ~0.6 points of gender accuracy.
    bool attribute_flip = false;
    void validate() const;
};

struct FaceResult {
    std::array<float, 4> box{};  // x, y, w, h in original-image pixels
    float score = 0.f;
    std::array<std::array<float, 2>, 68> landmarks{};
    float age = 0.f;                       // face-api regression
    float age_faceres = 0.f;               // faceres expected value of top-L
    std::string gender;                    // "male" / "female" (face-api net)
    float gender_prob = 0.f;               // probability of `gender` (face-api net)
    float gender_faceres_prob = 0.f;       // probability of male (faceres)
    std::array<float, 7> expression{};     // face-api order, see kExpressionNames
    std::vector<float> embedding_dlib;     // 128
    std::vector<float> embedding_faceres;  // 1024
    std::vector<float> age_faceres_probs;  // 100 bins (ages 0..99)
    cv::Mat dlib_chip;                     // the aligned 150x150 RGB chip (thumbnails, blur)
};

// Expression names in the order of FaceResult::expression (face-api's order).
inline constexpr auto kExpressionNames = ExpressionScores::kNames;

struct ImageResult {
    std::string file;
    int width = 0;
    int height = 0;
    std::vector<FaceResult> faces;
    std::optional<std::string> error;  // set when the image could not be processed
};

class ModelSet;

class Analyzer {
  public:
    // One session per network from the weights parsed in `set`, which must hold
    // ModelSet::analyzer_networks(); parses nothing, so one set serves every thread's Analyzer.
    static Analyzer create(const ModelSet& set);
    // A private ModelSet of the six networks + create(): parses every weight file.
    static Analyzer load(const nn::ModelManifest& manifest);
    Analyzer(Analyzer&&) noexcept;
    Analyzer& operator=(Analyzer&&) noexcept;
    ~Analyzer();
    Analyzer(const Analyzer&) = delete;
    Analyzer& operator=(const Analyzer&) = delete;

    // Never throws for a bad image: the error is in ImageResult::error.
    ImageResult analyze_file(const std::filesystem::path& path, const AnalyzeOptions& options);
    // `rgb` is CV_8UC3 RGB.
    std::vector<FaceResult> analyze_image(const cv::Mat& rgb, const AnalyzeOptions& options);

  private:
    struct Impl;
    explicit Analyzer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace faceatlas::vision
