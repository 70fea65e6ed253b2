// HEIC/HEIF/AVIF (libheif) and camera RAW (LibRaw): type detection by content, decoding in the
// orientation a viewer shows, capture dates, and the bad inputs of each. Fixtures are made at
// test time: HEIC/AVIF with Debian's heif-enc (libheif-examples) from a sample photo, DNG with
// tests/common/dng_writer.h.
#include <gtest/gtest.h>

#include <cstdlib>
#include <exiv2/exiv2.hpp>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/dng_writer.h"
#include "common/require_input.h"
#include "common/temp_dir.h"
#include "faceatlas/core/error.h"
#include "faceatlas/pipeline/decode.h"
#include "faceatlas/pipeline/media.h"

namespace fs = std::filesystem;

namespace faceatlas::pipeline {
namespace {

MediaType sniff(const std::string& head) {
    return sniff_media_type(reinterpret_cast<const unsigned char*>(head.data()), head.size());
}

std::string ftyp(const std::string& major, const std::vector<std::string>& compatible) {
    std::string box = std::string("ftyp") + major + std::string(4, '\0');
    for (const auto& c : compatible) box += c;
    const auto n = static_cast<unsigned>(box.size() + 4);
    return std::string{static_cast<char>(n >> 24), static_cast<char>(n >> 16),
                       static_cast<char>(n >> 8), static_cast<char>(n)} +
           box;
}

TEST(StillFormats, TellsHeifAndAvifFromVideoByFtypBrands) {
    EXPECT_EQ(sniff(ftyp("heic", {"mif1", "heic", "miaf"})), MediaType::kHeif);
    EXPECT_EQ(sniff(ftyp("heix", {"mif1"})), MediaType::kHeif);
    EXPECT_EQ(sniff(ftyp("mif1", {"heic"})), MediaType::kHeif);
    EXPECT_EQ(sniff(ftyp("msf1", {"hevc"})), MediaType::kHeif);  // image sequence (burst)
    EXPECT_EQ(sniff(ftyp("avif", {"mif1", "miaf"})), MediaType::kAvif);
    EXPECT_EQ(sniff(ftyp("mif1", {"avif", "miaf"})), MediaType::kAvif);
    EXPECT_EQ(sniff(ftyp("crx ", {"isom"})), MediaType::kRaw);  // Canon CR3
    EXPECT_EQ(sniff(ftyp("isom", {"iso2", "avc1", "mp41"})), MediaType::kMp4);
    EXPECT_EQ(sniff(ftyp("mp42", {"isom"})), MediaType::kMp4);
    EXPECT_EQ(sniff(ftyp("qt  ", {"qt  "})), MediaType::kMov);
    EXPECT_FALSE(is_video(MediaType::kHeif));
    EXPECT_TRUE(is_image(MediaType::kRaw));
}

TEST(StillFormats, TellsRawFormatsByHeaderOrByNameForPlainTiff) {
    EXPECT_EQ(sniff("FUJIFILMCCD-RAW 0201FF383501"), MediaType::kRaw);
    EXPECT_EQ(sniff(std::string("IIRO\x08\0\0\0", 8)), MediaType::kRaw);
    EXPECT_EQ(sniff(std::string("IIU\0\x08\0\0\0", 8)), MediaType::kRaw);
    EXPECT_EQ(sniff(std::string("II*\0\x10\0\0\0CR\x02\0", 12)), MediaType::kRaw);
    const std::string tiff("II*\0\x08\0\0\0", 8);
    const auto* h = reinterpret_cast<const unsigned char*>(tiff.data());
    EXPECT_EQ(classify_media(h, tiff.size(), "scan.tif"), MediaType::kTiff);
    for (const char* name : {"a.DNG", "a.nef", "a.arw", "a.pef", "a.srw"})
        EXPECT_EQ(classify_media(h, tiff.size(), name), MediaType::kRaw) << name;
    EXPECT_EQ(media_type_from_extension("IMG_0001.HEIC"), MediaType::kHeif);
    EXPECT_EQ(media_type_from_extension("x.avif"), MediaType::kAvif);
}

TEST(StillFormats, GroupsSkipsByReason) {
    const auto groups = group_skips({{"/a.heic", "HEIC support not built"},
                                     {"/b.txt.jpg", "not an image"},
                                     {"/c.heic", "HEIC support not built"},
                                     {"/d.heic", "HEIC support not built"}});
    ASSERT_EQ(groups.size(), 2u);
    EXPECT_EQ(groups[0].reason, "HEIC support not built");
    EXPECT_EQ(groups[0].paths, (std::vector<std::string>{"/a.heic", "/c.heic", "/d.heic"}));
    EXPECT_EQ(groups[1].paths.size(), 1u);
}

// Sample photo 1 of the pinned face-api package, shrunk to keep the fixtures fast.
class StillFormatsFixture : public ::testing::Test {
  protected:
    void SetUp() override {
        const fs::path sample =
            fs::path(faceatlas::testing::model_dir()) / "face-api/demo/sample1.jpg";
        if (!fs::exists(sample)) FACEATLAS_MISSING_INPUT() << "no sample photo at " << sample;
        cv::Mat bgr = cv::imread(sample.string());
        ASSERT_FALSE(bgr.empty());
        cv::resize(bgr, bgr, cv::Size(640, 426), 0, 0, cv::INTER_AREA);
        cv::cvtColor(bgr, rgb_, cv::COLOR_BGR2RGB);
        jpeg_ = dir_ / "photo.jpg";
        ASSERT_TRUE(cv::imwrite(jpeg_.string(), bgr, {cv::IMWRITE_JPEG_QUALITY, 95}));
        auto image = Exiv2::ImageFactory::open(jpeg_.string());
        image->readMetadata();
        image->exifData()["Exif.Photo.DateTimeOriginal"] = "2019:07:14 10:22:01";
        image->writeMetadata();
    }
    // heif-enc (Debian libheif-examples) on `inputs` -> `out`; false with a message if missing.
    bool heif_enc(const std::vector<fs::path>& inputs, const fs::path& out, bool avif = false) {
        if (std::system("command -v heif-enc >/dev/null 2>&1") != 0) return false;
        std::string cmd = "heif-enc -q 85 ";
        if (avif) cmd += "-A ";
        for (const auto& i : inputs) cmd += "'" + i.string() + "' ";
        cmd += "-o '" + out.string() + "' >/dev/null 2>&1";
        return std::system(cmd.c_str()) == 0 && fs::exists(out);
    }
    // Mean absolute difference of the grey levels of two RGB images of one size.
    static double grey_difference(const cv::Mat& a, const cv::Mat& b) {
        EXPECT_EQ(a.size(), b.size());
        if (a.size() != b.size()) return 255;
        cv::Mat ga, gb, d;
        cv::cvtColor(a, ga, cv::COLOR_RGB2GRAY);
        cv::cvtColor(b, gb, cv::COLOR_RGB2GRAY);
        cv::absdiff(ga, gb, d);
        return cv::mean(d)[0];
    }
    faceatlas::testing::TempDir tmp_{"still"};
    const fs::path dir_ = tmp_.path();
    cv::Mat rgb_;
    fs::path jpeg_;
};

TEST_F(StillFormatsFixture, DecodesHeicWithItsCaptureDate) {
    if (!format_support().heic) GTEST_FAIL() << "this build has no HEIC decoder (libheif-dev)";
    const auto heic = dir_ / "IMG_0001.HEIC";
    if (!heif_enc({jpeg_}, heic)) FACEATLAS_MISSING_INPUT() << "heif-enc (libheif-examples)";
    EXPECT_EQ(sniff_media_type(heic), MediaType::kHeif);
    const cv::Mat got = decode_still(heic, MediaType::kHeif);
    EXPECT_LT(grey_difference(got, rgb_), 4.0);
    const auto date = read_capture_date(heic, 0);
    EXPECT_EQ(date.source, "exif");
    EXPECT_EQ(date.iso.value_or(""), "2019-07-14T10:22:01");
}

TEST_F(StillFormatsFixture, DecodesAvifWhenTheDecoderIsThere) {
    if (!format_support().avif) GTEST_SKIP() << "this libheif has no AV1 decoder";
    const auto avif = dir_ / "photo.avif";
    if (!heif_enc({jpeg_}, avif, true)) FACEATLAS_MISSING_INPUT() << "heif-enc with AV1";
    EXPECT_EQ(sniff_media_type(avif), MediaType::kAvif);
    EXPECT_LT(grey_difference(decode_still(avif, MediaType::kAvif), rgb_), 4.0);
}

TEST_F(StillFormatsFixture, HeicWithSeveralImagesGivesThePrimaryOne) {
    cv::Mat small;
    cv::resize(cv::imread(jpeg_.string()), small, cv::Size(320, 200));
    const auto second = dir_ / "second.jpg";
    cv::imwrite(second.string(), small);
    const auto burst = dir_ / "burst.heic";
    if (!heif_enc({jpeg_, second}, burst)) FACEATLAS_MISSING_INPUT() << "heif-enc";
    const cv::Mat got = decode_still(burst, MediaType::kHeif);
    EXPECT_EQ(got.cols, rgb_.cols);
    EXPECT_EQ(got.rows, rgb_.rows);
}

TEST_F(StillFormatsFixture, TruncatedHeicIsACorruptFileNamingIt) {
    const auto heic = dir_ / "cut.heic";
    if (!heif_enc({jpeg_}, heic)) FACEATLAS_MISSING_INPUT() << "heif-enc";
    fs::resize_file(heic, fs::file_size(heic) / 2);
    try {
        decode_still(heic, MediaType::kHeif);
        FAIL() << "a truncated HEIC decoded";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kCorruptData) << e.what();
        EXPECT_NE(std::string(e.what()).find("cut.heic"), std::string::npos) << e.what();
    }
}

TEST_F(StillFormatsFixture, DemosaicsADngWithoutPreviewInItsOrientation) {
    if (!format_support().raw) GTEST_FAIL() << "this build has no RAW decoder (libraw-dev)";
    const auto upright = dir_ / "upright.dng";
    faceatlas::testing::write_dng(upright, rgb_);
    EXPECT_EQ(sniff_media_type(upright), MediaType::kRaw);
    const cv::Mat a = decode_still(upright, MediaType::kRaw);
    EXPECT_LT(grey_difference(a, rgb_), 12.0);
    // Stored pixels turned 90 degrees counter-clockwise, Orientation 6: shown upright.
    cv::Mat stored;
    cv::rotate(rgb_, stored, cv::ROTATE_90_COUNTERCLOCKWISE);
    const auto rotated = dir_ / "rotated.dng";
    faceatlas::testing::write_dng(rotated, stored, {.orientation = 6});
    const cv::Mat b = decode_still(rotated, MediaType::kRaw);
    EXPECT_LT(grey_difference(b, rgb_), 12.0);
    const auto date = read_capture_date(rotated, 0);
    EXPECT_EQ(date.iso.value_or(""), "2021-06-05T14:30:00");
    EXPECT_EQ(date.source, "exif");
}

TEST_F(StillFormatsFixture, UsesTheFullSizePreviewOfARawWhenThereIsOne) {
    // The raw data is the photo mirrored, the preview the photo: the preview must be what comes
    // out.
    cv::Mat mirrored;
    cv::flip(rgb_, mirrored, 1);
    const auto dng = dir_ / "preview.dng";
    faceatlas::testing::write_dng(dng, mirrored, {.jpeg_preview = true, .preview = rgb_});
    EXPECT_LT(grey_difference(decode_still(dng, MediaType::kRaw), rgb_), 3.0);
    // A preview much smaller than the sensor is not the photo: demosaic instead.
    cv::Mat thumb;
    cv::resize(rgb_, thumb, cv::Size(160, 106));
    const auto small = dir_ / "small_preview.dng";
    faceatlas::testing::write_dng(small, mirrored, {.jpeg_preview = true, .preview = thumb});
    EXPECT_LT(grey_difference(decode_still(small, MediaType::kRaw), mirrored), 12.0);
}

TEST_F(StillFormatsFixture, BrokenRawIsAnErrorNamingTheFile) {
    const auto dng = dir_ / "broken.dng";
    faceatlas::testing::write_dng(dng, rgb_);
    fs::resize_file(dng, 600);
    try {
        decode_still(dng, MediaType::kRaw);
        FAIL() << "a truncated DNG decoded";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("broken.dng"), std::string::npos) << e.what();
    }
    const auto text = dir_ / "notes.nef";
    std::ofstream(text) << "not a raw file at all";
    EXPECT_THROW(decode_still(text, MediaType::kRaw), Error);
}

}  // namespace
}  // namespace faceatlas::pipeline
