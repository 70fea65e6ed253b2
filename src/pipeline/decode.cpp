#include "faceatlas/pipeline/decode.h"

#include <cassert>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "faceatlas/core/error.h"
#include "faceatlas/vision/image_io.h"
#include "still_decoders.h"

namespace faceatlas::pipeline {

cv::Mat decode_still(const std::filesystem::path& path, MediaType type) {
    if (type == MediaType::kGif) {
        cv::VideoCapture cap(path.string(), cv::CAP_FFMPEG);
        cv::Mat bgr, rgb;
        if (!cap.isOpened() || !cap.read(bgr) || bgr.empty())
            throw Error(ErrorCode::kUnsupported, "cannot decode GIF", path.string());
        cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
        return rgb;
    }
    if (type == MediaType::kHeif || type == MediaType::kAvif) return detail::decode_heif(path, {});
    if (type == MediaType::kRaw) return detail::decode_raw(path, {});
    auto img = vision::load_image_rgb(path);
    if (!img) throw img.error();
    return std::move(img).value();
}

FormatSupport format_support() {
    FormatSupport f;
    f.heic = detail::heif_built() && detail::heif_decodes_hevc();
    f.avif = detail::heif_built() && detail::heif_decodes_av1();
    f.raw = detail::raw_built();
    f.libheif_version = detail::heif_version();
    f.libraw_version = detail::raw_version();
    return f;
}

struct VideoFrames::Impl {
    cv::VideoCapture cap;
    int step = 1;
    int index = 0;  // index of the next frame to grab
    cv::Mat bgr;
};

VideoFrames::VideoFrames(const std::filesystem::path& path, int step)
    : impl_(std::make_unique<Impl>()) {
    assert(step >= 1);
    impl_->step = step;
    impl_->cap.open(path.string(), cv::CAP_FFMPEG);
    if (!impl_->cap.isOpened())
        throw Error(ErrorCode::kUnsupported, "cannot open video (corrupt or unsupported codec)",
                    path.string());
}
VideoFrames::VideoFrames(VideoFrames&&) noexcept = default;
VideoFrames& VideoFrames::operator=(VideoFrames&&) noexcept = default;
VideoFrames::~VideoFrames() = default;

int VideoFrames::width() const {
    return static_cast<int>(impl_->cap.get(cv::CAP_PROP_FRAME_WIDTH));
}
int VideoFrames::height() const {
    return static_cast<int>(impl_->cap.get(cv::CAP_PROP_FRAME_HEIGHT));
}

bool VideoFrames::next(int& frame_index, cv::Mat& rgb) {
    auto& m = *impl_;
    while (m.cap.grab()) {
        const int i = m.index++;
        if (i % m.step != 0) continue;
        if (!m.cap.retrieve(m.bgr) || m.bgr.empty()) return false;
        cv::cvtColor(m.bgr, rgb, cv::COLOR_BGR2RGB);
        frame_index = i;
        return true;
    }
    return false;
}

bool VideoFrames::read_at(int frame_index, cv::Mat& rgb) {
    auto& m = *impl_;
    assert(frame_index >= m.index - 1);
    while (m.index <= frame_index) {
        if (!m.cap.grab()) return false;
        ++m.index;
    }
    if (!m.cap.retrieve(m.bgr) || m.bgr.empty()) return false;
    cv::cvtColor(m.bgr, rgb, cv::COLOR_BGR2RGB);
    return true;
}

}  // namespace faceatlas::pipeline
