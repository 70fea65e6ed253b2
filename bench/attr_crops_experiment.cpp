// Age/gender crop experiment (docs/QUALITY.md, "Attributes"): runs face-api's AgeGenderNet and
// faceres on several crops of each face crop and writes one CSV row per image, so the choice of
// crop, top-L and the fusion can be fitted offline (scripts/attr_fusion_fit.py).
//
//   attr_crops_experiment MODEL_DIR OUT.csv IMAGE...
//
// Landmarks are found exactly as `scan --crops` does (the box is the whole image). Variants:
//   fa_aligned    face-api alignedRect (landmark bbox + 20%), the pipeline's default
//   fa_bbox<s>    landmark bbox scaled by s around its centre (clipped to the image)
//   fa_whole      the whole crop
//   fr_p<p>       faceres on the 224 dlib chip with padding p
//   fr_whole      faceres on the whole crop resized to 224
// faceres columns: male prob and the 100 age probabilities (bin i = age i + 1).
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "faceatlas/core/error.h"
#include "faceatlas/vision/age_gender.h"
#include "faceatlas/vision/align.h"
#include "faceatlas/vision/faceres.h"
#include "faceatlas/vision/image_io.h"
#include "faceatlas/vision/image_ops.h"
#include "faceatlas/vision/landmarks.h"

using namespace faceatlas;
using namespace faceatlas::vision;

namespace {

cv::Rect2f bbox_scaled(const Landmarks68& lm, float s) {
    float x0 = lm.points[0].x, y0 = lm.points[0].y, x1 = x0, y1 = y0;
    for (const auto& p : lm.points) {
        x0 = std::min(x0, p.x);
        y0 = std::min(y0, p.y);
        x1 = std::max(x1, p.x);
        y1 = std::max(y1, p.y);
    }
    const float w = x1 - x0, h = y1 - y0, cx = x0 + w / 2, cy = y0 + h / 2;
    return {cx - s * w / 2, cy - s * h / 2, s * w, s * h};
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::cerr << "usage: attr_crops_experiment MODEL_DIR OUT.csv IMAGE...\n";
        return 2;
    }
    try {
        const auto manifest = nn::ModelManifest::load_default(argv[1]);
        auto lmnet = LandmarkNet::load(manifest);
        auto ag = AgeGenderNet::load(manifest);
        auto fr = FaceresNet::load(manifest);
        const std::vector<float> bbox_scales = {1.4f, 1.6f, 1.8f};
        const std::vector<double> paddings = {0.25, 0.4, 0.55, 0.7, 0.9};
        std::ofstream out(argv[2]);
        out << "file,fa_aligned_age,fa_aligned_male";
        for (float s : bbox_scales) out << ",fa_bbox" << s << "_age,fa_bbox" << s << "_male";
        out << ",fa_whole_age,fa_whole_male";
        std::vector<std::string> fr_names;
        for (double p : paddings) fr_names.push_back("fr_p" + std::to_string(p).substr(0, 4));
        fr_names.push_back("fr_whole");
        for (const auto& n : fr_names) {
            out << "," << n << "_male";
            for (int i = 0; i < FaceresOutput::kAgeBins; ++i) out << "," << n << "_a" << i;
        }
        out << "\n";
        for (int a = 3; a < argc; ++a) {
            const std::filesystem::path path = argv[a];
            auto img = load_image_rgb(path);
            if (!img) {
                std::cerr << img.error().what() << "\n";
                continue;
            }
            const cv::Mat& rgb = img.value();
            const auto lm = lmnet.detect(
                rgb, cv::Rect2f(0, 0, static_cast<float>(rgb.cols), static_cast<float>(rgb.rows)));
            std::vector<cv::Mat> fa_crops;
            fa_crops.push_back(crop_clipped(rgb, bbox_scaled(lm, 1.2f)));
            for (float s : bbox_scales) fa_crops.push_back(crop_clipped(rgb, bbox_scaled(lm, s)));
            fa_crops.push_back(rgb);
            const auto fa = ag.predict_batch(fa_crops);
            std::vector<cv::Mat> chips;
            for (double p : paddings)
                chips.push_back(extract_chip(rgb, chip_transform(lm.points, ChipSpec{224, p})));
            cv::Mat whole;
            cv::resize(rgb, whole, cv::Size(224, 224), 0, 0, cv::INTER_AREA);
            chips.push_back(whole);
            const auto fo = fr.predict_batch(chips);
            out << path.filename().string();
            for (const auto& r : fa) out << "," << r.age << "," << r.male_probability;
            for (const auto& r : fo) {
                out << "," << r.male_probability;
                for (float p : r.age_probs) out << "," << p;
            }
            out << "\n";
            if ((a - 2) % 200 == 0) std::cerr << (a - 2) << "/" << (argc - 3) << "\n";
        }
    } catch (const Error& e) {
        std::cerr << e.what() << "\n";
        return 1;
    }
    return 0;
}
