#include "faceatlas/vision/image_io.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <utility>

namespace faceatlas::vision {
namespace {

// Bounds-checked big/little-endian reads; false past the end.
struct Bytes {
    const std::vector<unsigned char>& b;
    bool has(std::size_t at, std::size_t n) const { return at <= b.size() && n <= b.size() - at; }
    std::uint32_t be(std::size_t at, int n) const {
        std::uint32_t v = 0;
        for (int k = 0; k < n; ++k) v = (v << 8) | b[at + static_cast<std::size_t>(k)];
        return v;
    }
    std::uint32_t le(std::size_t at, int n) const {
        std::uint32_t v = 0;
        for (int k = n - 1; k >= 0; --k) v = (v << 8) | b[at + static_cast<std::size_t>(k)];
        return v;
    }
    bool starts(std::size_t at, const char* s) const {
        const std::size_t n = std::char_traits<char>::length(s);
        if (!has(at, n)) return false;
        for (std::size_t k = 0; k < n; ++k)
            if (b[at + k] != static_cast<unsigned char>(s[k])) return false;
        return true;
    }
};

std::optional<ImageSize> jpeg_size(const Bytes& r) {
    std::size_t p = 2;  // after SOI
    while (r.has(p, 2)) {
        if (r.b[p] != 0xFF) return std::nullopt;
        while (r.has(p + 1, 1) && r.b[p + 1] == 0xFF) ++p;  // fill bytes
        if (!r.has(p + 1, 1)) return std::nullopt;
        const unsigned m = r.b[p + 1];
        if (m == 0x01 || (m >= 0xD0 && m <= 0xD7)) {  // markers without a length
            p += 2;
            continue;
        }
        if (m == 0xD9 || m == 0xDA || !r.has(p + 2, 2)) return std::nullopt;  // no frame header
        const std::size_t len = r.be(p + 2, 2);
        if (len < 2) return std::nullopt;
        const bool sof = m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
        if (sof) {
            if (len < 7 || !r.has(p + 4, 5)) return std::nullopt;
            return ImageSize{r.be(p + 7, 2), r.be(p + 5, 2)};
        }
        p += 2 + len;
    }
    return std::nullopt;
}

std::optional<ImageSize> tiff_size(const Bytes& r) {
    const bool little = r.b[0] == 'I';
    auto u = [&](std::size_t at, int n) { return little ? r.le(at, n) : r.be(at, n); };
    if (!r.has(4, 4)) return std::nullopt;
    const std::size_t ifd = u(4, 4);
    if (!r.has(ifd, 2)) return std::nullopt;
    const std::size_t count = u(ifd, 2);
    std::optional<std::int64_t> w, h;
    for (std::size_t e = 0; e < count; ++e) {
        const std::size_t at = ifd + 2 + 12 * e;
        if (!r.has(at, 12)) return std::nullopt;
        const std::uint32_t tag = u(at, 2), type = u(at + 2, 2);
        if (tag != 256 && tag != 257) continue;
        std::int64_t v = 0;
        if (type == 3)
            v = u(at + 8, 2);  // SHORT, left-justified in the value field
        else if (type == 4)
            v = u(at + 8, 4);  // LONG
        else
            return std::nullopt;
        (tag == 256 ? w : h) = v;
    }
    if (!w || !h) return std::nullopt;
    return ImageSize{*w, *h};
}

}  // namespace

std::optional<ImageSize> image_header_size(const std::vector<unsigned char>& bytes) {
    const Bytes r{bytes};
    if (r.starts(0, "\x89PNG\r\n\x1a\n")) {
        if (!r.starts(12, "IHDR") || !r.has(16, 8)) return std::nullopt;
        return ImageSize{r.be(16, 4), r.be(20, 4)};
    }
    if (r.has(0, 3) && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF)
        return jpeg_size(r);
    if (r.starts(0, "RIFF") && r.starts(8, "WEBP")) {
        if (r.starts(12, "VP8 ") && r.has(26, 4) && bytes[23] == 0x9D && bytes[24] == 0x01 &&
            bytes[25] == 0x2A)
            return ImageSize{r.le(26, 2) & 0x3FFF, r.le(28, 2) & 0x3FFF};
        if (r.starts(12, "VP8L") && r.has(21, 4) && bytes[20] == 0x2F) {
            const std::uint32_t v = r.le(21, 4);
            return ImageSize{(v & 0x3FFF) + 1, ((v >> 14) & 0x3FFF) + 1};
        }
        if (r.starts(12, "VP8X") && r.has(24, 6))
            return ImageSize{std::int64_t{r.le(24, 3)} + 1, std::int64_t{r.le(27, 3)} + 1};
        return std::nullopt;
    }
    if (r.starts(0, "BM") && r.has(14, 4)) {
        const std::uint32_t dib = r.le(14, 4);
        if (dib == 12 && r.has(18, 4)) return ImageSize{r.le(18, 2), r.le(20, 2)};
        if (dib < 40 || !r.has(18, 8)) return std::nullopt;
        const auto w = static_cast<std::int32_t>(r.le(18, 4));
        const auto h = static_cast<std::int32_t>(r.le(22, 4));  // negative: top-down rows
        return ImageSize{std::abs(std::int64_t{w}), std::abs(std::int64_t{h})};
    }
    if (r.starts(0, "II*") || r.starts(0, "MM")) {
        if (!r.has(2, 2) || (bytes[0] == 'I' ? r.le(2, 2) : r.be(2, 2)) != 42) return std::nullopt;
        return tiff_size(r);
    }
    return std::nullopt;
}

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
    // Refuse an oversized image before the decoder allocates it (a few header bytes can claim
    // 30000x30000 pixels: 2.7 GB decoded); formats without a header reader are checked after.
    if (options.max_pixels > 0)
        if (const auto size = image_header_size(bytes);
            size && size->height > 0 && size->width > options.max_pixels / size->height)
            return Error(ErrorCode::kUnsupported,
                         "image is " + std::to_string(size->width) + "x" +
                             std::to_string(size->height) + " pixels, more than the limit of " +
                             std::to_string(options.max_pixels / 1'000'000) + " megapixels",
                         name, "raise ImageLoadOptions::max_pixels to process it");
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
