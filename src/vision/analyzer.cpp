#include "faceatlas/vision/analyzer.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "face_feature_extractor.h"
#include "faceatlas/core/error.h"
#include "faceatlas/vision/age_gender.h"
#include "faceatlas/vision/align.h"
#include "faceatlas/vision/expression.h"
#include "faceatlas/vision/face_detector.h"
#include "faceatlas/vision/face_recognizer.h"
#include "faceatlas/vision/faceres.h"
#include "faceatlas/vision/image_io.h"
#include "faceatlas/vision/image_ops.h"
#include "faceatlas/vision/landmarks.h"
#include "faceatlas/vision/model_set.h"

namespace faceatlas::vision {

void AnalyzeOptions::validate() const {
    auto bad = [](const std::string& what) {
        throw Error(ErrorCode::kInvalidArgument, what, "AnalyzeOptions");
    };
    if (!(min_confidence >= 0.f && min_confidence <= 1.f)) bad("min_confidence must be in [0, 1]");
    if (max_results < 1) bad("max_results must be >= 1");
    if (!(crop_padding >= 0.f && crop_padding <= 1.f)) bad("crop_padding must be in [0, 1]");
    if (age_top_l < 1 || age_top_l > 100) bad("age_top_l must be in [1, 100]");
    if (!(dlib_chip_padding >= 0 && dlib_chip_padding <= 2))
        bad("dlib_chip_padding must be in [0, 2]");
    if (!(faceres_chip_padding >= 0 && faceres_chip_padding <= 2))
        bad("faceres_chip_padding must be in [0, 2]");
}

struct Analyzer::Impl {
    FaceDetector detector;
    LandmarkNet landmarks;
    FaceRecognizer recognizer;
    AgeGenderNet age_gender;
    ExpressionNet expression;
    FaceresNet faceres;
};

Analyzer::Analyzer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Analyzer::Analyzer(Analyzer&&) noexcept = default;
Analyzer& Analyzer::operator=(Analyzer&&) noexcept = default;
Analyzer::~Analyzer() = default;

Analyzer Analyzer::create(const ModelSet& set) {
    return Analyzer(std::unique_ptr<Impl>(
        new Impl{FaceDetector::create(set), LandmarkNet::create(set), FaceRecognizer::create(set),
                 AgeGenderNet::create(set), ExpressionNet::create(set), FaceresNet::create(set)}));
}

Analyzer Analyzer::load(const nn::ModelManifest& manifest) {
    return create(ModelSet(manifest, ModelSet::analyzer_networks()));
}

std::vector<FaceResult> Analyzer::analyze_image(const cv::Mat& rgb, const AnalyzeOptions& options) {
    options.validate();
    if (rgb.empty() || rgb.type() != CV_8UC3)
        throw Error(ErrorCode::kInvalidArgument,
                    "analyze_image needs a non-empty CV_8UC3 RGB image", "Analyzer");
    auto& m = *impl_;

    // 1. Face boxes.
    std::vector<cv::Rect2f> boxes;
    std::vector<float> scores;
    cv::Mat work = rgb;
    cv::Point2f offset(0, 0);
    if (options.crops) {
        // The crop is the face: the box is the image, optionally padded with black so the
        // landmark net sees the margin a detector box would have.
        const int px = static_cast<int>(std::round(options.crop_padding * rgb.cols));
        const int py = static_cast<int>(std::round(options.crop_padding * rgb.rows));
        if (px > 0 || py > 0) {
            cv::copyMakeBorder(rgb, work, py, py, px, px, cv::BORDER_CONSTANT, cv::Scalar::all(0));
            offset = cv::Point2f(static_cast<float>(px), static_cast<float>(py));
        }
        boxes.emplace_back(0.f, 0.f, static_cast<float>(work.cols), static_cast<float>(work.rows));
        scores.push_back(1.f);
    } else {
        DetectorOptions d;
        d.min_confidence = options.min_confidence;
        d.max_results = options.max_results;
        for (const auto& det : m.detector.detect(rgb, d)) {
            const cv::Rect2f box(det.box.x, det.box.y, det.box.w, det.box.h);
            // face-api crops faces with floored, clipped boxes; a detection that covers no
            // whole pixel (a 1x1 image can give one) has no crop to analyse.
            if (detail::clip_at_image_borders(box, rgb.size()).empty()) continue;
            boxes.push_back(box);
            scores.push_back(det.score);
        }
    }
    if (boxes.empty()) return {};

    // 2. Landmarks, then the crops every other net needs. Landmarks spread over less than the
    // two pixels alignment needs (a detection of a pixel or two) leave a face that cannot be
    // aligned: it is dropped; in crops mode, where the image is the face, the image is refused.
    auto lms = m.landmarks.detect_batch(work, boxes);
    std::vector<cv::Mat> face_crops, dlib_chips, faceres_chips;
    std::vector<cv::Rect2f> aligned;
    std::size_t kept = 0;
    for (std::size_t i = 0; i < boxes.size(); ++i) {
        ChipTransform t150, t224;
        try {
            t150 = chip_transform(lms[i].points, ChipSpec{150, options.dlib_chip_padding});
            t224 = chip_transform(lms[i].points, ChipSpec{224, options.faceres_chip_padding});
        } catch (const Error& e) {
            if (e.code() != ErrorCode::kAlignmentFailed) throw;
            if (!options.crops) continue;
            throw Error(ErrorCode::kUnsupported,
                        "the " + std::to_string(rgb.cols) + "x" + std::to_string(rgb.rows) +
                            " face crop is too small to align (" + e.message() + ")",
                        {}, "pass larger face crops");
        }
        boxes[kept] = boxes[i];
        scores[kept] = scores[i];
        lms[kept] = lms[i];
        ++kept;
        const auto rect = lms[i].aligned_rect();
        aligned.push_back(rect);
        face_crops.push_back(crop_clipped(work, rect));
        if (options.align) {
            dlib_chips.push_back(extract_chip(work, t150));
            faceres_chips.push_back(extract_chip(work, t224));
        } else {
            const cv::Mat box = options.crops ? rgb : crop_clipped(work, boxes[kept - 1]);
            cv::Mat c150, c224;
            cv::resize(box, c150, cv::Size(150, 150), 0, 0, cv::INTER_AREA);
            cv::resize(box, c224, cv::Size(224, 224), 0, 0, cv::INTER_AREA);
            dlib_chips.push_back(c150);
            faceres_chips.push_back(c224);
        }
    }
    boxes.resize(kept);
    scores.resize(kept);
    lms.resize(kept);
    std::vector<FaceResult> out(kept);
    if (out.empty()) return out;
    const auto ag = options.attribute_flip ? m.age_gender.predict_batch_flip(face_crops)
                                           : m.age_gender.predict_batch(face_crops);
    const auto ex = m.expression.classify_batch(work, aligned);
    std::vector<Embedding> emb;
    std::vector<FaceresOutput> fr;
    if (options.compute_embeddings) emb = m.recognizer.embed_batch(dlib_chips);
    fr = options.attribute_flip ? m.faceres.predict_batch_flip(faceres_chips)
                                : m.faceres.predict_batch(faceres_chips);

    for (std::size_t i = 0; i < boxes.size(); ++i) {
        auto& f = out[i];
        cv::Rect2f b = boxes[i];
        if (options.crops)
            b = cv::Rect2f(0.f, 0.f, static_cast<float>(rgb.cols), static_cast<float>(rgb.rows));
        f.box = {b.x, b.y, b.width, b.height};
        f.score = scores[i];
        for (int k = 0; k < 68; ++k)
            f.landmarks[static_cast<std::size_t>(k)] = {
                lms[i].points[static_cast<std::size_t>(k)].x - offset.x,
                lms[i].points[static_cast<std::size_t>(k)].y - offset.y};
        f.age = ag[i].age;
        f.gender = ag[i].gender();
        f.gender_prob = ag[i].gender_probability();
        f.expression = ex[i].probs;
        if (options.compute_embeddings) f.embedding_dlib = emb[i].values;
        f.embedding_faceres = fr[i].features;
        f.age_faceres = fr[i].age_expected(options.age_top_l);
        f.age_faceres_probs.assign(fr[i].age_probs.begin(), fr[i].age_probs.end());
        f.gender_faceres_prob = fr[i].male_probability;
        f.dlib_chip = dlib_chips[i];
    }
    return out;
}

ImageResult Analyzer::analyze_file(const std::filesystem::path& path,
                                   const AnalyzeOptions& options) {
    ImageResult r;
    r.file = path.string();
    auto img = load_image_rgb(path);
    if (!img) {
        r.error = img.error().what();
        return r;
    }
    const cv::Mat& rgb = img.value();
    r.width = rgb.cols;
    r.height = rgb.rows;
    try {
        r.faces = analyze_image(rgb, options);
    } catch (const Error& e) {
        // Errors from the nets name the net, not the image.
        r.error = e.context() == r.file ? e.what() : r.file + ": " + e.what();
    } catch (const cv::Exception& e) {
        r.error = r.file + ": processing failed: " + e.what();
    }
    return r;
}

}  // namespace faceatlas::vision
