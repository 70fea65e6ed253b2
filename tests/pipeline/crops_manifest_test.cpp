// Crops manifests: relative files resolve beside the CSV, or in images/ beside it when only
// that one exists; photo and date columns are read.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/temp_dir.h"
#include "faceatlas/pipeline/scanner.h"

namespace fs = std::filesystem;

TEST(CropsManifest, RelativeFilesResolveBesideTheCsvOrInItsImagesFolder) {
    faceatlas::testing::TempDir tmp{"manifest"};
    const auto d = tmp.path();
    fs::create_directories(d / "images");
    std::ofstream(d / "beside.jpg") << "x";
    std::ofstream(d / "images" / "inside.jpg") << "x";
    std::ofstream(d / "both.jpg") << "x";
    std::ofstream(d / "images" / "both.jpg") << "x";
    std::ofstream(d / "labels.csv")
        << "file,photo,date\nbeside.jpg,P1,2001-02-03\ninside.jpg,P1,\nboth.jpg,,\n"
           "missing.jpg,,\n/abs/x.jpg,,\n";
    const auto m = faceatlas::pipeline::read_crops_manifest(d / "labels.csv");
    ASSERT_EQ(m.size(), 5u);
    EXPECT_EQ(m[0].file, d / "beside.jpg");
    EXPECT_EQ(m[0].photo, "P1");
    EXPECT_EQ(m[0].date, "2001-02-03");
    EXPECT_EQ(m[1].file, d / "images" / "inside.jpg");
    EXPECT_EQ(m[2].file, d / "both.jpg");     // beside the CSV wins
    EXPECT_EQ(m[3].file, d / "missing.jpg");  // neither: the scan reports it beside the CSV
    EXPECT_EQ(m[4].file, fs::path("/abs/x.jpg"));
}
