#include <gtest/gtest.h>

#include <exiv2/exiv2.hpp>
#include <filesystem>
#include <fstream>
#include <opencv2/imgcodecs.hpp>

#include "common/temp_dir.h"
#include "faceatlas/core/error.h"
#include "faceatlas/pipeline/media.h"

namespace fs = std::filesystem;

namespace faceatlas::pipeline {
namespace {

class MediaTest : public ::testing::Test {
  protected:
    fs::path write_jpeg(const fs::path& rel) {
        const auto p = dir_ / rel;
        fs::create_directories(p.parent_path());
        cv::Mat img(32, 48, CV_8UC3, cv::Scalar(10, 200, 30));
        std::vector<unsigned char> buf;
        cv::imencode(".jpg", img, buf);
        std::ofstream(p, std::ios::binary)
            .write(reinterpret_cast<const char*>(buf.data()),
                   static_cast<std::streamsize>(buf.size()));
        return p;
    }
    faceatlas::testing::TempDir tmp_{"media"};
    const fs::path dir_ = tmp_.path();
};

TEST(MediaType, SniffsSignaturesNotNames) {
    const unsigned char jpg[] = {0xFF, 0xD8, 0xFF, 0xE0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    EXPECT_EQ(sniff_media_type(jpg, sizeof jpg), MediaType::kJpeg);
    const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    EXPECT_EQ(sniff_media_type(png, sizeof png), MediaType::kPng);
    const unsigned char mp4[] = {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm'};
    EXPECT_EQ(sniff_media_type(mp4, sizeof mp4), MediaType::kMp4);
    const unsigned char mov[] = {0, 0, 0, 0x14, 'f', 't', 'y', 'p', 'q', 't', ' ', ' '};
    EXPECT_EQ(sniff_media_type(mov, sizeof mov), MediaType::kMov);
    const unsigned char txt[] = {'h', 'e', 'l', 'l', 'o'};
    EXPECT_EQ(sniff_media_type(txt, sizeof txt), MediaType::kNone);
    EXPECT_EQ(sniff_media_type(txt, 0), MediaType::kNone);
    EXPECT_EQ(media_type_from_extension("a/B.JPEG"), MediaType::kJpeg);
    EXPECT_EQ(media_type_from_extension("clip.MoV"), MediaType::kMov);
    EXPECT_EQ(media_type_from_extension("notes.txt"), MediaType::kNone);
}

TEST_F(MediaTest, WalksRecursivelyAndReportsFakesAndEmptyFiles) {
    write_jpeg("a/one.jpg");
    write_jpeg("a/b/two.JPG");
    write_jpeg("a/b/no_extension");  // found by content
    std::ofstream(dir_ / "a/fake.jpg") << "this is text";
    std::ofstream(dir_ / "a/empty.png");
    std::ofstream(dir_ / "a/readme.txt") << "ignored";
    auto r = walk_media({dir_});
    ASSERT_EQ(r.files.size(), 3u);
    for (const auto& f : r.files) EXPECT_EQ(f.type, MediaType::kJpeg);
    ASSERT_EQ(r.skipped.size(), 2u);
    std::map<std::string, std::string> reasons;
    for (const auto& s : r.skipped) reasons[s.path.filename().string()] = s.reason;
    EXPECT_NE(reasons["fake.jpg"].find("not a known image"), std::string::npos);
    EXPECT_EQ(reasons["empty.png"], "empty file");
}

TEST_F(MediaTest, SymlinkLoopTerminatesAndVisitsFilesOnce) {
    write_jpeg("a/one.jpg");
    fs::create_directory_symlink(dir_ / "a", dir_ / "a/loop");
    fs::create_directory_symlink(dir_, dir_ / "a/up");
    fs::create_symlink(dir_ / "missing.jpg", dir_ / "a/broken.jpg");
    auto r = walk_media({dir_, dir_ / "a"});
    EXPECT_EQ(r.files.size(), 1u);
    ASSERT_EQ(r.skipped.size(), 1u);
    EXPECT_EQ(r.skipped[0].path.filename(), "broken.jpg");
}

TEST_F(MediaTest, MissingRootIsReportedNotThrown) {
    auto r = walk_media({dir_ / "nope"});
    EXPECT_TRUE(r.files.empty());
    ASSERT_EQ(r.skipped.size(), 1u);
}

TEST_F(MediaTest, ContentHashFollowsContentNotName) {
    auto a = write_jpeg("a.jpg");
    auto b = write_jpeg("b.jpg");
    EXPECT_EQ(content_hash(a), content_hash(b));
    EXPECT_EQ(content_hash(a).size(), 32u);
    std::ofstream(b, std::ios::app) << "x";
    EXPECT_NE(content_hash(a), content_hash(b));
    EXPECT_THROW(content_hash(dir_ / "missing"), Error);
}

TEST_F(MediaTest, CaptureDatePrefersExifThenFileTime) {
    auto p = write_jpeg("exif.jpg");
    {
        auto img = Exiv2::ImageFactory::open(p.string());
        img->readMetadata();
        Exiv2::ExifData exif;
        exif["Exif.Photo.DateTimeOriginal"] = "2014:07:14 10:22:01";
        img->setExifData(exif);
        img->writeMetadata();
    }
    auto d = read_capture_date(p, 0);
    EXPECT_EQ(d.source, "exif");
    EXPECT_EQ(*d.iso, "2014-07-14T10:22:01");
    EXPECT_NEAR(*d.year(), 2014.53, 0.01);

    auto q = write_jpeg("plain.jpg");
    auto f = read_capture_date(q, 86400 * 365);  // 1971-01-01
    EXPECT_EQ(f.source, "file");
    EXPECT_EQ(f.iso->substr(0, 10), "1971-01-01");

    std::ofstream(dir_ / "junk.jpg") << "junk";
    EXPECT_EQ(read_capture_date(dir_ / "junk.jpg", 0).source, "file");
}

}  // namespace
}  // namespace faceatlas::pipeline
