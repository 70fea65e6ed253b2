#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "faceatlas/core/error.h"
#include "still_decoders.h"

#ifdef FACEATLAS_HAVE_LIBRAW
#include <libraw/libraw.h>

#include <algorithm>
#include <memory>
#endif

namespace faceatlas::pipeline::detail {

void check_pixel_limit(long long width, long long height, const std::filesystem::path& path,
                       const vision::ImageLoadOptions& o) {
    if (o.max_pixels > 0 && height > 0 && width > o.max_pixels / height)
        throw Error(ErrorCode::kUnsupported,
                    "image is " + std::to_string(width) + "x" + std::to_string(height) +
                        " pixels, more than the limit of " +
                        std::to_string(o.max_pixels / 1'000'000) + " megapixels",
                    path.string(), "raise ImageLoadOptions::max_pixels to process it");
}

cv::Mat apply_orientation(cv::Mat rgb, int o) {
    cv::Mat out;
    switch (o) {
        case 2:
            cv::flip(rgb, out, 1);
            return out;
        case 3:
            cv::rotate(rgb, out, cv::ROTATE_180);
            return out;
        case 4:
            cv::flip(rgb, out, 0);
            return out;
        case 5:
            cv::transpose(rgb, out);
            return out;
        case 6:
            cv::rotate(rgb, out, cv::ROTATE_90_CLOCKWISE);
            return out;
        case 7:
            cv::transpose(rgb, out);
            cv::rotate(out, out, cv::ROTATE_180);
            return out;
        case 8:
            cv::rotate(rgb, out, cv::ROTATE_90_COUNTERCLOCKWISE);
            return out;
        default:
            return rgb;
    }
}

#ifdef FACEATLAS_HAVE_LIBRAW

namespace {

// An embedded preview at least this fraction of the sensor's long side is used as the photo
// (cameras embed a full-size JPEG: decoding it is many times faster than demosaicing).
constexpr double kMinPreviewFraction = 0.5;

// LibRaw's `flip` (0, 3 = 180, 5 = 90 counter-clockwise, 6 = 90 clockwise) as EXIF orientation.
int orientation_of_flip(int flip) {
    switch (flip) {
        case 3:
            return 3;
        case 5:
            return 8;
        case 6:
            return 6;
        default:
            return 1;
    }
}

[[noreturn]] void fail(int code, const std::filesystem::path& path, const char* what) {
    const std::string msg = std::string(what) + ": " + libraw_strerror(code);
    if (code == LIBRAW_FILE_UNSUPPORTED)
        throw Error(ErrorCode::kUnsupported, msg, path.string(),
                    "this LibRaw does not know the camera; convert the file to DNG");
    if (code == LIBRAW_UNSUFFICIENT_MEMORY || code == LIBRAW_TOO_BIG)
        throw Error(ErrorCode::kUnsupported, msg, path.string(),
                    "the file needs more memory than LibRaw could get");
    throw Error(ErrorCode::kCorruptData, msg, path.string(),
                "the file is damaged or cut short; copy it again from the camera");
}

struct MemImageFree {
    void operator()(libraw_processed_image_t* p) const { LibRaw::dcraw_clear_mem(p); }
};

// The embedded preview as RGB in the stored orientation, or empty when there is none usable.
cv::Mat preview(LibRaw& raw) {
    if (raw.unpack_thumb() != LIBRAW_SUCCESS) return {};
    const auto& t = raw.imgdata.thumbnail;
    const auto& s = raw.imgdata.sizes;
    const int sensor_long = std::max<int>(s.width, s.height);
    if (std::max<int>(t.twidth, t.theight) < kMinPreviewFraction * sensor_long) return {};
    cv::Mat rgb;
    if (t.tformat == LIBRAW_THUMBNAIL_JPEG && t.thumb && t.tlength > 0) {
        const cv::Mat bytes(1, static_cast<int>(t.tlength), CV_8UC1, t.thumb);
        cv::Mat bgr = cv::imdecode(bytes, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION);
        if (bgr.empty()) return {};
        cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    } else if (t.tformat == LIBRAW_THUMBNAIL_BITMAP && t.tcolors == 3 && t.thumb &&
               t.tlength >= static_cast<unsigned>(t.twidth) * t.theight * 3u) {
        rgb = cv::Mat(t.theight, t.twidth, CV_8UC3, t.thumb).clone();
    } else {
        return {};
    }
    // A preview of another aspect (a cropped or letterboxed thumbnail) would move the boxes.
    const double sensor_aspect = static_cast<double>(s.width) / std::max<int>(1, s.height);
    const double preview_aspect = static_cast<double>(rgb.cols) / std::max(1, rgb.rows);
    if (std::abs(sensor_aspect - preview_aspect) > 0.02 * sensor_aspect) return {};
    return rgb;
}

}  // namespace

bool raw_built() { return true; }
std::string raw_version() { return LibRaw::version(); }

cv::Mat decode_raw(const std::filesystem::path& path, const vision::ImageLoadOptions& o) {
    auto raw = std::make_unique<LibRaw>();  // ~ 1 MB of state: not on the stack
    if (const int rc = raw->open_file(path.c_str()); rc != LIBRAW_SUCCESS)
        fail(rc, path, "cannot read RAW file");
    const int orientation = orientation_of_flip(raw->imgdata.sizes.flip);
    check_pixel_limit(raw->imgdata.sizes.width, raw->imgdata.sizes.height, path, o);
    if (cv::Mat p = preview(*raw); !p.empty()) return apply_orientation(std::move(p), orientation);
    // No usable preview: demosaic (camera white balance, sRGB, 8 bits).
    raw->imgdata.params.output_bps = 8;
    raw->imgdata.params.output_color = 1;
    raw->imgdata.params.use_camera_wb = 1;
    raw->imgdata.params.user_flip = 0;  // LibRaw leaves the pixels as stored; rotated below
    if (const int rc = raw->unpack(); rc != LIBRAW_SUCCESS)
        fail(rc, path, "cannot unpack RAW data");
    if (const int rc = raw->dcraw_process(); rc != LIBRAW_SUCCESS)
        fail(rc, path, "cannot demosaic RAW data");
    int rc = LIBRAW_SUCCESS;
    std::unique_ptr<libraw_processed_image_t, MemImageFree> img(raw->dcraw_make_mem_image(&rc));
    if (!img || rc != LIBRAW_SUCCESS) fail(rc, path, "cannot convert RAW data");
    if (img->type != LIBRAW_IMAGE_BITMAP || img->colors != 3 || img->bits != 8)
        throw Error(ErrorCode::kUnsupported, "RAW file decoded to an unexpected pixel format",
                    path.string());
    return apply_orientation(cv::Mat(img->height, img->width, CV_8UC3, img->data).clone(),
                             orientation);
}

#else  // built without LibRaw

bool raw_built() { return false; }
std::string raw_version() { return ""; }

cv::Mat decode_raw(const std::filesystem::path& path, const vision::ImageLoadOptions&) {
    throw Error(ErrorCode::kUnsupported, "camera RAW support not built", path.string(),
                "install libraw-dev (Debian) and rebuild faceatlas (scripts/setup.sh build)");
}

#endif

}  // namespace faceatlas::pipeline::detail
