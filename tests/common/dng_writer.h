// Writes small Adobe DNG files from an RGB image, so that RAW decoding is tested on files made at
// test time (no committed binaries): a Bayer (RGGB) mosaic of the linearised pixels, 16 bits,
// with a colour matrix that makes the camera space linear sRGB, an EXIF-style Orientation and
// DateTime in IFD0 and, optionally, a full-size JPEG preview (IFD0 the preview, the raw data in
// a SubIFD, as cameras and Adobe's converter write them).
#pragma once

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

namespace faceatlas::testing {

struct DngOptions {
    int orientation = 1;        // TIFF/EXIF Orientation (1..8) of the stored pixels
    bool jpeg_preview = false;  // IFD0 = full-size JPEG preview, raw data in a SubIFD
    std::string date = "2021:06:05 14:30:00";  // IFD0 DateTime; "" = none
    cv::Mat preview;  // RGB pixels of the preview when they should differ from the raw data
};

namespace dng_detail {

// A TIFF IFD under construction: entries by tag, values either inline or in `data`.
struct Entry {
    std::uint16_t type = 0;
    std::uint32_t count = 0;
    std::vector<unsigned char> bytes;  // the value (little-endian)
    int blob = -1;                     // >= 0: the value is the offset of blob #blob
};
using Ifd = std::map<std::uint16_t, Entry>;

inline void put16(std::vector<unsigned char>& b, std::uint32_t v) {
    b.push_back(v & 0xFF);
    b.push_back((v >> 8) & 0xFF);
}
inline void put32(std::vector<unsigned char>& b, std::uint32_t v) {
    for (int k = 0; k < 4; ++k) b.push_back((v >> (8 * k)) & 0xFF);
}
inline Entry shorts(std::vector<std::uint32_t> v) {
    Entry e{3, static_cast<std::uint32_t>(v.size()), {}, -1};
    for (auto x : v) put16(e.bytes, x);
    return e;
}
inline Entry longs(std::vector<std::uint32_t> v) {
    Entry e{4, static_cast<std::uint32_t>(v.size()), {}, -1};
    for (auto x : v) put32(e.bytes, x);
    return e;
}
inline Entry bytes(std::vector<unsigned char> v) {
    return Entry{1, static_cast<std::uint32_t>(v.size()), std::move(v), -1};
}
inline Entry ascii(const std::string& s) {
    Entry e{2, static_cast<std::uint32_t>(s.size() + 1), {s.begin(), s.end()}, -1};
    e.bytes.push_back(0);
    return e;
}
inline Entry srationals(const std::vector<double>& v, std::uint16_t type = 10) {
    Entry e{type, static_cast<std::uint32_t>(v.size()), {}, -1};
    for (double x : v) {
        put32(e.bytes,
              static_cast<std::uint32_t>(static_cast<std::int32_t>(std::lround(x * 10000))));
        put32(e.bytes, 10000);
    }
    return e;
}
inline Entry blob_offset(int blob) { return Entry{4, 1, {0, 0, 0, 0}, blob}; }

// Lays out: header, each IFD followed by its out-of-line values, then the blobs. `links`
// holds (ifd index, tag) entries whose value is the offset of another IFD (SubIFDs).
inline std::vector<unsigned char> layout(
    std::vector<Ifd> ifds, const std::vector<std::vector<unsigned char>>& blobs,
    const std::map<std::pair<int, std::uint16_t>, int>& links) {
    std::vector<std::size_t> ifd_at(ifds.size());
    std::size_t at = 8;
    auto ifd_size = [](const Ifd& d) {
        std::size_t n = 2 + 12 * d.size() + 4;
        for (const auto& [tag, e] : d)
            if (e.bytes.size() > 4) n += e.bytes.size() + (e.bytes.size() & 1);
        return n;
    };
    for (std::size_t i = 0; i < ifds.size(); ++i) {
        ifd_at[i] = at;
        at += ifd_size(ifds[i]);
    }
    std::vector<std::size_t> blob_at(blobs.size());
    for (std::size_t k = 0; k < blobs.size(); ++k) {
        blob_at[k] = at;
        at += blobs[k].size() + (blobs[k].size() & 1);
    }
    for (const auto& [key, target] : links) {
        auto& e = ifds[static_cast<std::size_t>(key.first)][key.second];
        e = longs({static_cast<std::uint32_t>(ifd_at[static_cast<std::size_t>(target)])});
        e.type = 13;  // IFD
    }
    std::vector<unsigned char> out{'I', 'I', 42, 0};
    put32(out, static_cast<std::uint32_t>(ifd_at[0]));
    for (std::size_t i = 0; i < ifds.size(); ++i) {
        const auto& d = ifds[i];
        put16(out, static_cast<std::uint32_t>(d.size()));
        std::size_t extra = ifd_at[i] + 2 + 12 * d.size() + 4;
        std::vector<unsigned char> tail;
        for (const auto& [tag, e] : d) {
            put16(out, tag);
            put16(out, e.type);
            put32(out, e.count);
            if (e.blob >= 0) {
                put32(out, static_cast<std::uint32_t>(blob_at[static_cast<std::size_t>(e.blob)]));
            } else if (e.bytes.size() <= 4) {
                auto v = e.bytes;
                v.resize(4, 0);
                out.insert(out.end(), v.begin(), v.end());
            } else {
                put32(out, static_cast<std::uint32_t>(extra + tail.size()));
                tail.insert(tail.end(), e.bytes.begin(), e.bytes.end());
                if (e.bytes.size() & 1) tail.push_back(0);
            }
        }
        put32(out, 0);  // no next IFD: SubIFDs hang off IFD0
        out.insert(out.end(), tail.begin(), tail.end());
    }
    for (const auto& b : blobs) {
        out.insert(out.end(), b.begin(), b.end());
        if (b.size() & 1) out.push_back(0);
    }
    return out;
}

}  // namespace dng_detail

// `rgb`: CV_8UC3 in RGB order, the stored (unrotated) pixels; even width and height.
inline void write_dng(const std::filesystem::path& path, const cv::Mat& rgb,
                      const DngOptions& o = {}) {
    using namespace dng_detail;
    CV_Assert(rgb.type() == CV_8UC3 && rgb.cols % 2 == 0 && rgb.rows % 2 == 0);
    const int W = rgb.cols, H = rgb.rows;
    // RGGB mosaic of linear light (16 bits).
    std::vector<unsigned char> mosaic;
    mosaic.reserve(static_cast<std::size_t>(W) * H * 2);
    auto linear = [](unsigned char v) {
        const double c = v / 255.0;
        const double l = c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
        return static_cast<std::uint32_t>(std::lround(l * 65535));
    };
    for (int y = 0; y < H; ++y)
        for (int x = 0; x < W; ++x) {
            const auto& px = rgb.at<cv::Vec3b>(y, x);
            const int channel = (y % 2 == 0) ? (x % 2 == 0 ? 0 : 1) : (x % 2 == 0 ? 1 : 2);
            put16(mosaic, linear(px[channel]));
        }
    Ifd raw;
    raw[254] = longs({0});
    raw[256] = longs({static_cast<std::uint32_t>(W)});
    raw[257] = longs({static_cast<std::uint32_t>(H)});
    raw[258] = shorts({16});
    raw[259] = shorts({1});
    raw[262] = shorts({32803});  // CFA
    raw[273] = blob_offset(0);
    raw[277] = shorts({1});
    raw[278] = longs({static_cast<std::uint32_t>(H)});
    raw[279] = longs({static_cast<std::uint32_t>(mosaic.size())});
    raw[284] = shorts({1});
    raw[33421] = shorts({2, 2});
    raw[33422] = bytes({0, 1, 1, 2});
    raw[50714] = longs({0});      // BlackLevel
    raw[50717] = longs({65535});  // WhiteLevel

    Ifd common;
    common[271] = ascii("faceatlas");
    common[272] = ascii("test DNG");
    common[274] = shorts({static_cast<std::uint32_t>(o.orientation)});
    if (!o.date.empty()) common[306] = ascii(o.date);
    common[50706] = bytes({1, 4, 0, 0});
    common[50707] = bytes({1, 1, 0, 0});
    common[50708] = ascii("faceatlas test DNG");
    // XYZ (D65) -> camera = linear sRGB.
    common[50721] =
        srationals({3.2406, -1.5372, -0.4986, -0.9689, 1.8758, 0.0415, 0.0557, -0.2040, 1.0570});
    common[50728] = srationals({1, 1, 1}, 5);  // AsShotNeutral (RATIONAL)
    common[50778] = shorts({21});              // CalibrationIlluminant1 = D65

    std::vector<unsigned char> file;
    if (!o.jpeg_preview) {
        Ifd ifd0 = raw;
        for (auto& [t, e] : common) ifd0[t] = e;
        file = layout({ifd0}, {mosaic}, {});
    } else {
        cv::Mat bgr;
        cv::cvtColor(o.preview.empty() ? rgb : o.preview, bgr, cv::COLOR_RGB2BGR);
        std::vector<unsigned char> jpeg;
        cv::imencode(".jpg", bgr, jpeg, {cv::IMWRITE_JPEG_QUALITY, 90});
        Ifd ifd0 = common;
        ifd0[254] = longs({1});  // reduced-resolution (preview) image
        ifd0[256] = longs({static_cast<std::uint32_t>(bgr.cols)});
        ifd0[257] = longs({static_cast<std::uint32_t>(bgr.rows)});
        ifd0[258] = shorts({8, 8, 8});
        ifd0[259] = shorts({7});  // JPEG
        ifd0[262] = shorts({6});  // YCbCr
        ifd0[273] = blob_offset(1);
        ifd0[277] = shorts({3});
        ifd0[278] = longs({static_cast<std::uint32_t>(bgr.rows)});
        ifd0[279] = longs({static_cast<std::uint32_t>(jpeg.size())});
        ifd0[330] = longs({0});  // SubIFDs: set by layout
        file = layout({ifd0, raw}, {mosaic, jpeg}, {{{0, 330}, 1}});
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(file.data()),
              static_cast<std::streamsize>(file.size()));
}

}  // namespace faceatlas::testing
