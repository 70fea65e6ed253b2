// Age/gender model experiment (docs/QUALITY.md, "Attributes"): which networks of the pinned
// packages to fuse. One CSV row per face crop with, for every model, the answer on the face and
// on its mirror image (the --attribute-flip views):
//   fa_*     face-api AgeGenderNet on alignedRect (landmark bbox + 20%), as the pipeline
//   fr_*     faceres (HSE MobileNet) on the 224 dlib chip, padding 0.25, as the pipeline
//   deep_*   faceres_deep (the deeper HSE MobileNet of human-models) on the same chip
// faceres-family columns: male probability and the expected age over the top-L bins, L = 1..5.
//
//   attr_models_experiment MODEL_DIR OUT.csv IMAGE...
//
// Landmarks exactly as `scan --crops` (the box is the whole image).
#include <cmath>
#include <fstream>
#include <iostream>
#include <opencv2/core.hpp>
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

void put_faceres(std::ostream& out, const FaceresOutput& r) {
    out << "," << r.male_probability;
    for (int l = 1; l <= 5; ++l) out << "," << r.age_expected(l);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::cerr << "usage: attr_models_experiment MODEL_DIR OUT.csv IMAGE...\n";
        return 2;
    }
    try {
        const auto manifest = nn::ModelManifest::load_default(argv[1]);
        auto lmnet = LandmarkNet::load(manifest);
        auto ag = AgeGenderNet::load(manifest);
        auto fr = FaceresNet::load(manifest);
        auto deep = FaceresNet::load(manifest, "faceres_deep");
        std::ofstream out(argv[2]);
        out << "file,fa_age,fa_male,fa_flip_age,fa_flip_male";
        for (const char* m : {"fr", "fr_flip", "deep", "deep_flip"}) {
            out << "," << m << "_male";
            for (int l = 1; l <= 5; ++l) out << "," << m << "_age" << l;
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
            cv::Mat face = crop_clipped(rgb, lm.aligned_rect()).clone(), face_flip;
            cv::flip(face, face_flip, 1);
            const auto fa = ag.predict_batch({face, face_flip});
            cv::Mat chip = extract_chip(rgb, chip_transform(lm.points, ChipSpec{224, 0.25})),
                    chip_flip;
            cv::flip(chip, chip_flip, 1);
            const auto fo = fr.predict_batch({chip, chip_flip});
            const auto dout = deep.predict_batch({chip, chip_flip});
            out << path.filename().string();
            for (const auto& r : fa) out << "," << r.age << "," << r.male_probability;
            for (const auto& r : fo) put_faceres(out, r);
            for (const auto& r : dout) put_faceres(out, r);
            out << "\n";
            if ((a - 2) % 200 == 0) std::cerr << (a - 2) << "/" << (argc - 3) << "\n";
        }
    } catch (const Error& e) {
        std::cerr << e.what() << "\n";
        return 1;
    }
    return 0;
}
