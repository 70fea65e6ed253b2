// Decoders for the still formats OpenCV's image codecs do not read: HEIF/AVIF (libheif) and
// camera RAW (LibRaw). Each returns RGB CV_8UC3 in the orientation a viewer shows, or throws
// faceatlas::Error naming the file. Built without the library, each throws kUnsupported with
// the package to install.
#pragma once

#include <filesystem>
#include <opencv2/core.hpp>
#include <string>

#include "faceatlas/vision/image_io.h"

namespace faceatlas::pipeline::detail {

cv::Mat decode_heif(const std::filesystem::path& path, const vision::ImageLoadOptions& o);
cv::Mat decode_raw(const std::filesystem::path& path, const vision::ImageLoadOptions& o);

// Which codecs this build and this machine's libheif plugins have.
bool heif_built();
bool heif_decodes_hevc();
bool heif_decodes_av1();
std::string heif_version();  // "" when not built
bool raw_built();
std::string raw_version();  // "" when not built

// Throws Error(kUnsupported) when width x height exceeds the limit (before decoding).
void check_pixel_limit(long long width, long long height, const std::filesystem::path& path,
                       const vision::ImageLoadOptions& o);

// Applies an EXIF orientation (1..8) to RGB pixels; other values leave them as they are.
cv::Mat apply_orientation(cv::Mat rgb, int exif_orientation);

}  // namespace faceatlas::pipeline::detail
