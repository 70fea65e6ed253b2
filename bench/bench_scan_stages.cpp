// Where a photo scan spends its time: the Analyzer's stages run one by one on the demo photos
// (decode, SSD, landmarks, chips, age/gender, expression, dlib descriptor, faceres, thumbnail),
// timed by this thread's CPU clock (robust on a shared machine) and the wall clock.
// Run: build/bench/bench_scan_stages [passes=3] [opencv_threads=1] [photo.jpg ...]
// Default photos: the six models/vendor/face-api/demo/sample*.jpg.
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <opencv2/core/utility.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

#include "faceatlas/nn/model_manifest.h"
#include "faceatlas/vision/age_gender.h"
#include "faceatlas/vision/align.h"
#include "faceatlas/vision/expression.h"
#include "faceatlas/vision/face_detector.h"
#include "faceatlas/vision/face_recognizer.h"
#include "faceatlas/vision/faceres.h"
#include "faceatlas/vision/image_io.h"
#include "faceatlas/vision/landmarks.h"

namespace fs = std::filesystem;
using namespace faceatlas;

namespace {

double thread_cpu_s() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

struct Clock {
    double cpu = 0, wall = 0;
};

// Times `f` into `acc` (CPU of this thread: with OpenCV on 1 thread, all the work).
template <class F>
auto timed(Clock& acc, F&& f) {
    const double c0 = thread_cpu_s();
    const auto w0 = std::chrono::steady_clock::now();
    auto r = f();
    acc.cpu += thread_cpu_s() - c0;
    acc.wall += std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    const int passes = argc > 1 ? std::atoi(argv[1]) : 3;
    const int cv_threads = argc > 2 ? std::atoi(argv[2]) : 1;
    std::vector<fs::path> photos;
    for (int i = 3; i < argc; ++i) photos.emplace_back(argv[i]);
    if (photos.empty())
        for (int k = 1; k <= 6; ++k)
            photos.push_back(fs::path(FACEATLAS_MODEL_DIR) / "face-api/demo" /
                             ("sample" + std::to_string(k) + ".jpg"));
    cv::setNumThreads(cv_threads);

    const auto manifest = nn::ModelManifest::load_default(FACEATLAS_MODEL_DIR);
    const double l0 = thread_cpu_s();
    auto detector = vision::FaceDetector::load(manifest);
    auto landmarks = vision::LandmarkNet::load(manifest);
    auto recognizer = vision::FaceRecognizer::load(manifest);
    auto age_gender = vision::AgeGenderNet::load(manifest);
    auto expression = vision::ExpressionNet::load(manifest);
    auto faceres = vision::FaceresNet::load(manifest);
    const double load_cpu = thread_cpu_s() - l0;

    const std::vector<std::string> order = {
        "decode",           "detect (SSD 512)", "landmarks (112)",       "chips (align)",
        "age/gender (112)", "expression (112)", "dlib descriptor (150)", "faceres (224)",
        "thumbnail+blur"};
    std::map<std::string, Clock> t;
    std::size_t faces = 0, images = 0;
    for (int pass = 0; pass <= passes; ++pass) {  // pass 0 is the warm-up, not counted
        std::map<std::string, Clock> local;
        std::size_t nf = 0;
        for (const auto& p : photos) {
            auto rgb = timed(local["decode"], [&] { return vision::load_image_rgb(p).value(); });
            auto dets = timed(local["detect (SSD 512)"], [&] { return detector.detect(rgb); });
            std::vector<cv::Rect2f> boxes;
            for (const auto& d : dets) boxes.emplace_back(d.box.x, d.box.y, d.box.w, d.box.h);
            if (boxes.empty()) continue;
            nf += boxes.size();
            auto lms =
                timed(local["landmarks (112)"], [&] { return landmarks.detect_batch(rgb, boxes); });
            std::vector<cv::Mat> crops, dlib_chips, faceres_chips;
            std::vector<cv::Rect2f> aligned;
            timed(local["chips (align)"], [&] {
                for (const auto& lm : lms) {
                    aligned.push_back(lm.aligned_rect());
                    cv::Rect box = cv::Rect(aligned.back()) & cv::Rect(0, 0, rgb.cols, rgb.rows);
                    crops.push_back(rgb(box));
                    dlib_chips.push_back(vision::extract_chip(
                        rgb, vision::chip_transform(lm.points, vision::ChipSpec{150, 0.25})));
                    faceres_chips.push_back(vision::extract_chip(
                        rgb, vision::chip_transform(lm.points, vision::ChipSpec{224, 0.25})));
                }
                return 0;
            });
            timed(local["age/gender (112)"], [&] { return age_gender.predict_batch(crops); });
            timed(local["expression (112)"],
                  [&] { return expression.classify_batch(rgb, aligned); });
            timed(local["dlib descriptor (150)"],
                  [&] { return recognizer.embed_batch(dlib_chips); });
            timed(local["faceres (224)"], [&] { return faceres.predict_batch(faceres_chips); });
            timed(local["thumbnail+blur"], [&] {
                std::vector<unsigned char> jpg;
                for (const auto& c : dlib_chips) {
                    cv::Mat gray, lap, thumb, bgr;
                    cv::cvtColor(c, gray, cv::COLOR_RGB2GRAY);
                    cv::Laplacian(gray, lap, CV_32F);
                    cv::resize(c, thumb, cv::Size(160, 160), 0, 0, cv::INTER_AREA);
                    cv::cvtColor(thumb, bgr, cv::COLOR_RGB2BGR);
                    cv::imencode(".jpg", bgr, jpg, {cv::IMWRITE_JPEG_QUALITY, 85});
                }
                return jpg.size();
            });
        }
        if (pass == 0) continue;
        for (auto& [k, v] : local) {
            t[k].cpu += v.cpu;
            t[k].wall += v.wall;
        }
        faces += nf;
        images += photos.size();
    }
    double total_cpu = 0, total_wall = 0;
    for (const auto& k : order) {
        total_cpu += t[k].cpu;
        total_wall += t[k].wall;
    }
    std::printf("%zu photos, %zu faces over %d passes; OpenCV threads %d; model load %.0f ms CPU\n",
                images, faces, passes, cv_threads, 1e3 * load_cpu);
    std::printf(
        "| stage | CPU ms/photo | CPU ms/face | share of CPU | wall ms/photo "
        "|\n|---|---:|---:|---:|---:|\n");
    for (const auto& k : order) {
        const auto& c = t[k];
        std::printf("| %s | %.1f | %.1f | %.1f%% | %.1f |\n", k.c_str(),
                    1e3 * c.cpu / static_cast<double>(images),
                    1e3 * c.cpu / static_cast<double>(faces), 100 * c.cpu / total_cpu,
                    1e3 * c.wall / static_cast<double>(images));
    }
    std::printf("| total | %.1f | %.1f | 100%% | %.1f |\n",
                1e3 * total_cpu / static_cast<double>(images),
                1e3 * total_cpu / static_cast<double>(faces),
                1e3 * total_wall / static_cast<double>(images));
    std::printf("=> %.2f photos per CPU-second, %.2f faces per CPU-second (analysis only)\n",
                static_cast<double>(images) / total_cpu, static_cast<double>(faces) / total_cpu);
    return 0;
}
