// Decoding, the pipeline's third stage: the pixels of a still image (JPEG, PNG, WebP, BMP, TIFF
// through vision::load_image_rgb; GIF: its first frame through FFmpeg, as OpenCV's image codecs
// have no GIF reader; HEIC/HEIF/AVIF through libheif; camera RAW through LibRaw, its embedded
// full-size preview when there is one, else demosaiced) and the sampled frames of a video.
// Everything comes out RGB CV_8UC3 in the orientation a viewer shows (EXIF orientation, HEIF
// irot/imir, the RAW's flip), so face boxes are in the coordinates of the image a user sees.
#pragma once

#include <filesystem>
#include <memory>
#include <opencv2/core.hpp>
#include <string>

#include "faceatlas/pipeline/media.h"

namespace faceatlas::pipeline {

// requires: `type` is an image type (is_image).
// ensures: the RGB pixels; throws faceatlas::Error naming the file when it cannot be decoded
//          (kUnsupported / kCorruptData / kResourceLimit as vision::load_image_rgb says).
cv::Mat decode_still(const std::filesystem::path& path, MediaType type);

// The still formats this build decodes (libheif and LibRaw are optional at build time; libheif
// needs its codec plugins at run time: libde265 for HEIC, dav1d or aom for AVIF).
struct FormatSupport {
    bool heic = false;
    bool avif = false;
    bool raw = false;
    std::string libheif_version;  // "" when built without libheif
    std::string libraw_version;   // "" when built without LibRaw
};
FormatSupport format_support();

// The frames of one video, read in order; every `step`-th frame is decoded (the others are only
// grabbed, which skips their colour conversion).
class VideoFrames {
  public:
    // Throws faceatlas::Error(kUnsupported) naming the file when FFmpeg cannot open it.
    VideoFrames(const std::filesystem::path& path, int step);
    VideoFrames(VideoFrames&&) noexcept;
    VideoFrames& operator=(VideoFrames&&) noexcept;
    ~VideoFrames();

    int width() const;
    int height() const;
    // ensures: true and the next sampled frame (its index in the video and RGB pixels), or
    //          false at the end of the video or at a frame that cannot be decoded.
    bool next(int& frame_index, cv::Mat& rgb);
    // requires: frame_index >= every index read before (frames are read forward only).
    // ensures: true and that frame's RGB pixels (any index, sampled or not), false past the end.
    bool read_at(int frame_index, cv::Mat& rgb);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace faceatlas::pipeline
