// Decoding images for the pipeline: RGB 8-bit, EXIF orientation applied, every failure a
// faceatlas::Error that names the file and says why.
#pragma once

#include <cstdint>
#include <filesystem>
#include <opencv2/core.hpp>
#include <optional>
#include <string>
#include <vector>

#include "faceatlas/core/error.h"

namespace faceatlas::vision {

struct ImageLoadOptions {
    // Images with more pixels are refused to protect memory: before decoding when the header
    // gives the size (image_header_size), else after. 0 = no limit.
    // Default 400 MP covers 20000x15000 panoramas.
    std::int64_t max_pixels = 400'000'000;
    void validate() const;
};

struct ImageSize {
    std::int64_t width = 0;
    std::int64_t height = 0;
};

// Width and height from the file header alone (JPEG SOF, PNG IHDR, WebP VP8/VP8L/VP8X, BMP,
// TIFF), bounds-checked, nothing decoded; nullopt for another format or a header cut short.
std::optional<ImageSize> image_header_size(const std::vector<unsigned char>& bytes);

// Reads and decodes `path` into an RGB CV_8UC3 image (grayscale, 16-bit, alpha and CMYK are
// converted). Never throws: expected failures come back as Error.
Result<cv::Mat> load_image_rgb(const std::filesystem::path& path,
                               const ImageLoadOptions& options = {});

// Same, from bytes already in memory (`name` is used in messages).
Result<cv::Mat> decode_image_rgb(const std::vector<unsigned char>& bytes, const std::string& name,
                                 const ImageLoadOptions& options = {});

}  // namespace faceatlas::vision
