#include "faceatlas/core/error.h"
#include "still_decoders.h"

#ifdef FACEATLAS_HAVE_LIBHEIF
#include <libheif/heif.h>

#include <memory>
#endif

namespace faceatlas::pipeline::detail {

#ifdef FACEATLAS_HAVE_LIBHEIF

namespace {

struct ContextFree {
    void operator()(heif_context* c) const { heif_context_free(c); }
};
struct HandleFree {
    void operator()(heif_image_handle* h) const { heif_image_handle_release(h); }
};
struct ImageFree {
    void operator()(heif_image* i) const { heif_image_release(i); }
};

[[noreturn]] void fail(const heif_error& e, const std::filesystem::path& path, const char* what) {
    const bool unsupported =
        e.code == heif_error_Unsupported_feature || e.code == heif_error_Unsupported_filetype;
    std::string msg = std::string(what) + ": " + (e.message ? e.message : "libheif error");
    if (unsupported)
        throw Error(ErrorCode::kUnsupported, msg, path.string(),
                    "this libheif has no decoder for it: install libheif1's codec libraries "
                    "(libde265-0 for HEIC, libdav1d6 or libaom3 for AVIF)");
    throw Error(ErrorCode::kCorruptData, msg, path.string(),
                "the file is damaged or cut short; copy it again from the phone or camera");
}

}  // namespace

bool heif_built() { return true; }
bool heif_decodes_hevc() { return heif_have_decoder_for_format(heif_compression_HEVC) != 0; }
bool heif_decodes_av1() { return heif_have_decoder_for_format(heif_compression_AV1) != 0; }
std::string heif_version() { return heif_get_version(); }

cv::Mat decode_heif(const std::filesystem::path& path, const vision::ImageLoadOptions& o) {
    std::unique_ptr<heif_context, ContextFree> ctx(heif_context_alloc());
    if (!ctx) throw Error(ErrorCode::kInternal, "libheif: cannot allocate a context");
    heif_error e = heif_context_read_from_file(ctx.get(), path.c_str(), nullptr);
    if (e.code != heif_error_Ok) fail(e, path, "cannot read HEIF file");
    heif_image_handle* raw_handle = nullptr;
    e = heif_context_get_primary_image_handle(ctx.get(), &raw_handle);
    if (e.code != heif_error_Ok) fail(e, path, "HEIF file has no primary image");
    std::unique_ptr<heif_image_handle, HandleFree> handle(raw_handle);
    // The primary image only: burst frames, thumbnails and depth maps are other items.
    check_pixel_limit(heif_image_handle_get_width(handle.get()),
                      heif_image_handle_get_height(handle.get()), path, o);
    heif_image* raw_image = nullptr;
    // Default decoding options apply the file's rotation and mirroring (irot/imir boxes), which
    // is how a HEIF records orientation; its EXIF Orientation only repeats it (ISO 23008-12).
    e = heif_decode_image(handle.get(), &raw_image, heif_colorspace_RGB,
                          heif_chroma_interleaved_RGB, nullptr);
    if (e.code != heif_error_Ok) fail(e, path, "cannot decode HEIF image");
    std::unique_ptr<heif_image, ImageFree> image(raw_image);
    int stride = 0;
    const uint8_t* data =
        heif_image_get_plane_readonly(image.get(), heif_channel_interleaved, &stride);
    const int w = heif_image_get_width(image.get(), heif_channel_interleaved);
    const int h = heif_image_get_height(image.get(), heif_channel_interleaved);
    if (!data || w <= 0 || h <= 0)
        throw Error(ErrorCode::kCorruptData, "HEIF image decoded to no pixels", path.string());
    if (heif_image_get_bits_per_pixel_range(image.get(), heif_channel_interleaved) != 8)
        throw Error(ErrorCode::kUnsupported, "HEIF image is not 8 bits per channel after decoding",
                    path.string());
    cv::Mat wrapped(h, w, CV_8UC3, const_cast<uint8_t*>(data), static_cast<std::size_t>(stride));
    return wrapped.clone();
}

#else  // built without libheif

bool heif_built() { return false; }
bool heif_decodes_hevc() { return false; }
bool heif_decodes_av1() { return false; }
std::string heif_version() { return ""; }

cv::Mat decode_heif(const std::filesystem::path& path, const vision::ImageLoadOptions&) {
    throw Error(ErrorCode::kUnsupported, "HEIC/HEIF/AVIF support not built", path.string(),
                "install libheif-dev (Debian) and rebuild faceatlas (scripts/setup.sh build)");
}

#endif

}  // namespace faceatlas::pipeline::detail
