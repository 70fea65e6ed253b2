#include "faceatlas/vision/image_io.h"

#include <fstream>
#include <iterator>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <utility>

namespace faceatlas::vision {

void ImageLoadOptions::validate() const {
    if (max_pixels < 0)
        throw Error(ErrorCode::kInvalidArgument, "max_pixels must be >= 0 (0 = no limit)",
                    "ImageLoadOptions");
}

Result<cv::Mat> decode_image_rgb(const std::vector<unsigned char>& bytes, const std::string& name,
                                 const ImageLoadOptions& options) {
    options.validate();
    if (bytes.empty()) return Error(ErrorCode::kCorruptData, "file is empty", name, "not an image");
    // libjpeg "decodes" a truncated JPEG by filling the missing rows with grey; refuse it
    // instead: the last start-of-scan must be followed by the end-of-image marker.
    if (bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF) {
        std::size_t last_sos = 0, last_eoi = 0;
        for (std::size_t i = 2; i + 1 < bytes.size(); ++i) {
            if (bytes[i] != 0xFF) continue;
            if (bytes[i + 1] == 0xDA)
                last_sos = i;
            else if (bytes[i + 1] == 0xD9)
                last_eoi = i;
        }
        if (last_sos == 0 || last_eoi < last_sos)
            return Error(ErrorCode::kCorruptData,
                         "truncated JPEG (no end-of-image marker after the image data)", name,
                         "the file was cut short; copy it again from its source");
    }
    cv::Mat bgr;
    try {
        // IMREAD_COLOR applies the EXIF orientation and converts grayscale, 16-bit, alpha and
        // CMYK to 8-bit BGR. OpenCV refuses images over CV_IO_MAX_IMAGE_PIXELS (2^30) itself.
        bgr = cv::imdecode(bytes, cv::IMREAD_COLOR);
    } catch (const cv::Exception& e) {
        return Error(ErrorCode::kCorruptData, std::string("cannot decode image: ") + e.err, name,
                     "the file is damaged, too large, or not an image");
    }
    if (bgr.empty())
        return Error(ErrorCode::kCorruptData,
                     "cannot decode image (unknown format or truncated data)", name,
                     "the file is damaged or not an image");
    if (options.max_pixels > 0 && static_cast<std::int64_t>(bgr.total()) > options.max_pixels)
        return Error(ErrorCode::kUnsupported,
                     "image has " + std::to_string(bgr.total() / 1'000'000) +
                         " megapixels, more than the limit",
                     name, "raise ImageLoadOptions::max_pixels to process it");
    // BGR -> RGB in place: cv::cvtColor copies an in-place source first, which would double
    // the peak memory of a large photo (a 12000x12000 image is 432 MB decoded).
    for (int r = 0; r < bgr.rows; ++r) {
        auto* px = bgr.ptr<cv::Vec3b>(r);
        for (int c = 0; c < bgr.cols; ++c) std::swap(px[c][0], px[c][2]);
    }
    return bgr;
}

Result<cv::Mat> load_image_rgb(const std::filesystem::path& path, const ImageLoadOptions& options) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec))
        return Error(ErrorCode::kNotFound, "no such file", path.string(), "check the path");
    if (std::filesystem::is_directory(path, ec))
        return Error(ErrorCode::kInvalidArgument, "is a directory, not an image", path.string());
    std::ifstream f(path, std::ios::binary);
    if (!f)
        return Error(ErrorCode::kIo, "cannot open file for reading", path.string(),
                     "check its permissions");
    std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(f)),
                                     std::istreambuf_iterator<char>());
    if (f.bad()) return Error(ErrorCode::kIo, "read failed", path.string());
    return decode_image_rgb(bytes, path.string(), options);
}

}  // namespace faceatlas::vision
