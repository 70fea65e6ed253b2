// Image decoding limits: an image whose header claims more pixels than
// ImageLoadOptions::max_pixels is refused from the header, before the decoder allocates it.
#include <gtest/gtest.h>

#include <opencv2/imgcodecs.hpp>

#include "faceatlas/core/error.h"
#include "faceatlas/vision/image_io.h"

namespace faceatlas::vision {
namespace {

using Buf = std::vector<unsigned char>;

void put_be(Buf& b, std::uint32_t v, int n) {
    for (int k = n - 1; k >= 0; --k) b.push_back(static_cast<unsigned char>(v >> (8 * k)));
}

// PNG's chunk CRC (ISO 3309 CRC-32 over type and data).
std::uint32_t crc32(const unsigned char* p, std::size_t n) {
    std::uint32_t c = 0xFFFFFFFFu;
    for (std::size_t i = 0; i < n; ++i) {
        c ^= p[i];
        for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return c ^ 0xFFFFFFFFu;
}

// A PNG that is only a signature and a valid IHDR chunk claiming w x h (8-bit RGB), then an
// IEND: libpng accepts the header, so an unchecked decoder goes on to allocate w * h * 3 bytes.
Buf png_header(std::uint32_t w, std::uint32_t h) {
    Buf b = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    put_be(b, 13, 4);
    const std::size_t type_at = b.size();
    b.insert(b.end(), {'I', 'H', 'D', 'R'});
    put_be(b, w, 4);
    put_be(b, h, 4);
    b.insert(b.end(), {8, 2, 0, 0, 0});
    put_be(b, crc32(b.data() + type_at, b.size() - type_at), 4);
    put_be(b, 0, 4);
    b.insert(b.end(), {'I', 'E', 'N', 'D'});
    put_be(b, 0xAE426082u, 4);
    return b;
}

// A baseline JPEG: SOI, an APP0 segment, SOF0 claiming w x h, SOS, a few data bytes, EOI.
Buf jpeg_header(std::uint32_t w, std::uint32_t h) {
    Buf b = {0xFF, 0xD8, 0xFF, 0xE0};
    put_be(b, 16, 2);
    b.insert(b.end(), {'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0});
    b.insert(b.end(), {0xFF, 0xC0});
    put_be(b, 17, 2);
    b.push_back(8);
    put_be(b, h, 2);
    put_be(b, w, 2);
    b.insert(b.end(), {3, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0});
    b.insert(b.end(), {0xFF, 0xDA});
    put_be(b, 12, 2);
    b.insert(b.end(), {3, 1, 0, 2, 0, 3, 0, 0, 63, 0, 0x12, 0x34, 0xFF, 0xD9});
    return b;
}

TEST(ImageIo, HeaderClaimingHugePngIsRefusedBeforeDecoding) {
    // 30000 x 30000 = 900 MP: under OpenCV's own 2^30 limit, over the 400 MP default.
    const auto r = decode_image_rgb(png_header(30000, 30000), "huge.png");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::kUnsupported) << r.error().what();
    EXPECT_NE(r.error().message().find("30000x30000"), std::string::npos) << r.error().what();
    EXPECT_EQ(r.error().context(), "huge.png");
}

TEST(ImageIo, HeaderClaimingHugeJpegIsRefusedBeforeDecoding) {
    const auto r = decode_image_rgb(jpeg_header(25000, 20000), "huge.jpg");  // 500 MP
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code(), ErrorCode::kUnsupported) << r.error().what();
    EXPECT_NE(r.error().message().find("25000x20000"), std::string::npos) << r.error().what();
}

TEST(ImageIo, HeaderSizesOfCraftedFiles) {
    EXPECT_EQ(image_header_size(png_header(30000, 123))->width, 30000);
    EXPECT_EQ(image_header_size(png_header(30000, 123))->height, 123);
    EXPECT_EQ(image_header_size(jpeg_header(640, 65535))->width, 640);
    EXPECT_EQ(image_header_size(jpeg_header(640, 65535))->height, 65535);
    // Cut short anywhere: no size, no read past the end.
    for (const Buf& full : {png_header(7, 9), jpeg_header(7, 9)})
        for (std::size_t n = 0; n < 23; ++n)
            EXPECT_FALSE(
                image_header_size(Buf(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n))))
                << n;
    EXPECT_FALSE(image_header_size(Buf{'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0}));
}

TEST(ImageIo, HeaderSizesMatchEncodedImages) {
    const cv::Mat img(37, 53, CV_8UC3, cv::Scalar(10, 200, 30));
    int checked = 0;
    for (const char* ext : {".png", ".jpg", ".bmp", ".webp", ".tiff"}) {
        if (!cv::haveImageWriter(ext)) continue;
        Buf bytes;
        ASSERT_TRUE(cv::imencode(ext, img, bytes)) << ext;
        const auto size = image_header_size(bytes);
        ASSERT_TRUE(size) << ext;
        EXPECT_EQ(size->width, 53) << ext;
        EXPECT_EQ(size->height, 37) << ext;
        // A limit under the size refuses it from the header, one at it decodes it.
        ImageLoadOptions o;
        o.max_pixels = 53 * 37 - 1;
        EXPECT_EQ(decode_image_rgb(bytes, ext, o).error().code(), ErrorCode::kUnsupported) << ext;
        o.max_pixels = 53 * 37;
        const auto ok = decode_image_rgb(bytes, ext, o);
        ASSERT_TRUE(ok.ok()) << ok.error().what();
        EXPECT_EQ(ok.value().size(), cv::Size(53, 37)) << ext;
        ++checked;
    }
    EXPECT_GE(checked, 3);               // png, jpg and bmp are always built into OpenCV
    if (cv::haveImageWriter(".webp")) {  // lossless WebP is a VP8L chunk
        Buf bytes;
        ASSERT_TRUE(cv::imencode(".webp", img, bytes, {cv::IMWRITE_WEBP_QUALITY, 101}));
        ASSERT_TRUE(image_header_size(bytes));
        EXPECT_EQ(image_header_size(bytes)->width, 53);
        EXPECT_EQ(image_header_size(bytes)->height, 37);
    }
}

}  // namespace
}  // namespace faceatlas::vision
