// Decoding images for the pipeline: RGB 8-bit, EXIF orientation applied, every failure a
// faceatlas::Error that names the file and says why.
#pragma once

#include <filesystem>
#include <opencv2/core.hpp>

#include "faceatlas/core/error.h"

namespace faceatlas::vision {

struct ImageLoadOptions {
    // Images with more pixels are refused (not decoded) to protect memory. 0 = no limit.
    // Default 400 MP covers 20000x15000 panoramas.
    std::int64_t max_pixels = 400'000'000;
    void validate() const;
};

// Reads and decodes `path` into an RGB CV_8UC3 image (grayscale, 16-bit, alpha and CMYK are
// converted). Never throws: expected failures come back as Error.
Result<cv::Mat> load_image_rgb(const std::filesystem::path& path,
                               const ImageLoadOptions& options = {});

// Same, from bytes already in memory (`name` is used in messages).
Result<cv::Mat> decode_image_rgb(const std::vector<unsigned char>& bytes, const std::string& name,
                                 const ImageLoadOptions& options = {});

}  // namespace faceatlas::vision
