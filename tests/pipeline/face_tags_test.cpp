// Face tags in: MWG and MP regions parsed from XMP (orientation, AppliedToDimensions, bad
// regions, names), and import_face_tags against a real SQLite catalog (matching, joining an
// existing person, the user's corrections kept, sidecar choice, broken sidecars, idempotence).
#include "faceatlas/pipeline/face_tags.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <opencv2/imgcodecs.hpp>

#include "common/temp_dir.h"
#include "faceatlas/catalog/catalog.h"
#include "faceatlas/core/error.h"

namespace fs = std::filesystem;

namespace faceatlas::pipeline {
namespace {

// An XMP packet with MWG regions; each region: name ("" = none), type, x, y, w, h (centre).
struct R {
    std::string name, type;
    double x, y, w, h;
};
std::string mwg(const std::vector<R>& regions, int dim_w, int dim_h,
                const std::string& extra = "") {
    std::string s =
        R"(<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/"
 xmlns:stDim="http://ns.adobe.com/xap/1.0/sType/Dimensions#" xmlns:stArea="http://ns.adobe.com/xmp/sType/Area#"
 xmlns:MP="http://ns.microsoft.com/photo/1.2/" xmlns:MPRI="http://ns.microsoft.com/photo/1.2/t/RegionInfo#"
 xmlns:MPReg="http://ns.microsoft.com/photo/1.2/t/Region#">
<mwg-rs:Regions rdf:parseType="Resource">
<mwg-rs:AppliedToDimensions stDim:w=")" +
        std::to_string(dim_w) + R"(" stDim:h=")" + std::to_string(dim_h) +
        R"(" stDim:unit="pixel"/>
<mwg-rs:RegionList><rdf:Bag>
)";
    for (const auto& r : regions) {
        s += "<rdf:li><rdf:Description";
        if (!r.name.empty()) s += " mwg-rs:Name=\"" + r.name + "\"";
        s += " mwg-rs:Type=\"" + r.type + "\"><mwg-rs:Area stArea:x=\"" + std::to_string(r.x) +
             "\" stArea:y=\"" + std::to_string(r.y) + "\" stArea:w=\"" + std::to_string(r.w) +
             "\" stArea:h=\"" + std::to_string(r.h) +
             "\" stArea:unit=\"normalized\"/></rdf:Description></rdf:li>\n";
    }
    s += "</rdf:Bag></mwg-rs:RegionList></mwg-rs:Regions>" + extra +
         "</rdf:Description></rdf:RDF></x:xmpmeta>";
    return s;
}

const std::string kMpOnly =
    R"(<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:MP="http://ns.microsoft.com/photo/1.2/"
 xmlns:MPRI="http://ns.microsoft.com/photo/1.2/t/RegionInfo#" xmlns:MPReg="http://ns.microsoft.com/photo/1.2/t/Region#">
<MP:RegionInfo rdf:parseType="Resource"><MPRI:Regions><rdf:Bag>
<rdf:li rdf:parseType="Resource"><MPReg:Rectangle>0.25, 0.5, 0.1, 0.2</MPReg:Rectangle>
<MPReg:PersonDisplayName>Eve</MPReg:PersonDisplayName></rdf:li>
</rdf:Bag></MPRI:Regions></MP:RegionInfo></rdf:Description></rdf:RDF></x:xmpmeta>)";

TEST(FaceTags, MwgRegionsAreCentreBoxesInTheDisplayedImage) {
    const auto p =
        parse_face_regions(mwg({{"Anna", "Face", 0.5, 0.4, 0.2, 0.3}}, 1920, 1280), 1920, 1280, 1);
    ASSERT_EQ(p.regions.size(), 1u);
    EXPECT_EQ(p.regions[0].name.value_or(""), "Anna");
    EXPECT_NEAR(p.regions[0].x, 0.4, 1e-6);
    EXPECT_NEAR(p.regions[0].y, 0.25, 1e-6);
    EXPECT_NEAR(p.regions[0].w, 0.2, 1e-6);
    EXPECT_NEAR(p.regions[0].h, 0.3, 1e-6);
    EXPECT_EQ(p.regions[0].format, "mwg");
    // A rotated photo (orientation 6) tagged in its displayed frame (digiKam, faceatlas): as is.
    const auto d =
        parse_face_regions(mwg({{"Anna", "Face", 0.5, 0.4, 0.2, 0.3}}, 1280, 1920), 1280, 1920, 6);
    EXPECT_NEAR(d.regions.at(0).x, 0.4, 1e-6);
}

TEST(FaceTags, RegionsDrawnOnTheStoredPixelsAreRotatedIntoTheDisplayedImage) {
    // Stored 1920x1280, shown 1280x1920 (orientation 6 = turn 90 degrees clockwise): a box at
    // stored top-left (0.1, 0.2) size (0.2, 0.3) is shown at x = 1 - 0.2 - 0.3, y = 0.1,
    // size (0.3, 0.2).
    const auto p =
        parse_face_regions(mwg({{"Anna", "Face", 0.2, 0.35, 0.2, 0.3}}, 1920, 1280), 1280, 1920, 6);
    ASSERT_EQ(p.regions.size(), 1u);
    EXPECT_NEAR(p.regions[0].x, 0.5, 1e-6);
    EXPECT_NEAR(p.regions[0].y, 0.1, 1e-6);
    EXPECT_NEAR(p.regions[0].w, 0.3, 1e-6);
    EXPECT_NEAR(p.regions[0].h, 0.2, 1e-6);
    // Orientation 8 (90 counter-clockwise): x = 0.2, y = 1 - 0.1 - 0.2.
    const auto q =
        parse_face_regions(mwg({{"Anna", "Face", 0.2, 0.35, 0.2, 0.3}}, 1920, 1280), 1280, 1920, 8);
    EXPECT_NEAR(q.regions.at(0).x, 0.2, 1e-6);
    EXPECT_NEAR(q.regions.at(0).y, 0.7, 1e-6);
}

TEST(FaceTags, BadRegionsAreLeftOutWithAReasonAndNamesAreCleaned) {
    const auto p = parse_face_regions(
        mwg({{"Rex", "Pet", 0.5, 0.5, 0.1, 0.1},
             {"Zero", "Face", 0.5, 0.5, 0.0, 0.1},
             {"Away", "Face", 1.6, 0.5, 0.1, 0.1},
             {"Edge", "Face", 0.98, 0.5, 0.1, 0.1},
             {"  Ben&#10;  Smith ", "Face", 0.3, 0.3, 0.1, 0.1},
             {"&lt;b&gt;O'Neil &amp; &quot;Z&quot;", "Face", 0.6, 0.6, 0.1, 0.1}},
            100, 100),
        100, 100, 1);
    ASSERT_EQ(p.regions.size(), 3u);
    EXPECT_EQ(p.regions[0].name.value_or(""), "Edge");
    EXPECT_NEAR(p.regions[0].x + p.regions[0].w, 1.0, 1e-9);  // clipped at the border
    EXPECT_EQ(p.regions[1].name.value_or(""), "Ben Smith");
    EXPECT_EQ(p.regions[2].name.value_or(""), "<b>O'Neil & \"Z\"");  // stored as written
    std::string all;
    for (const auto& s : p.problems) all += s + "\n";
    EXPECT_NE(all.find("type Pet"), std::string::npos) << all;
    EXPECT_NE(all.find("zero or negative size"), std::string::npos) << all;
    EXPECT_NE(all.find("outside the image"), std::string::npos) << all;
    EXPECT_NE(all.find("clipped"), std::string::npos) << all;
    EXPECT_NE(all.find("cleaned"), std::string::npos) << all;
}

TEST(FaceTags, MicrosoftRegionsAreReadWhenThereAreNoMwgRegions) {
    const auto p = parse_face_regions(kMpOnly, 200, 100, 1);
    ASSERT_EQ(p.regions.size(), 1u);
    EXPECT_EQ(p.regions[0].name.value_or(""), "Eve");
    EXPECT_EQ(p.regions[0].format, "mp");
    EXPECT_NEAR(p.regions[0].x, 0.25, 1e-9);  // MP: top-left corner
    EXPECT_NEAR(p.regions[0].h, 0.2, 1e-9);
    EXPECT_THROW(parse_face_regions("<x:xmpmeta><rdf:RDF>broken", 10, 10, 1), Error);
    EXPECT_TRUE(parse_face_regions("", 10, 10, 1).regions.empty());
}

class TagImport : public ::testing::Test {
  protected:
    void SetUp() override {
        cat_ = catalog::open_sqlite_catalog(dir_ / "faceatlas.db");
        // Tiny real JPEG files (import reads their embedded XMP), stored with fake faces.
        for (const char* name : {"a.jpg", "b.jpg"}) {
            cv::imwrite((dir_ / name).string(), cv::Mat(100, 200, CV_8UC3, cv::Scalar::all(90)));
            catalog::PhotoRecord p;
            p.path = (dir_ / name).string();
            p.content_hash = name;
            p.width = 200;
            p.height = 100;
            std::vector<catalog::FaceRecord> faces(2);
            faces[0].box = {20, 20, 30, 40};  // x, y, w, h in pixels
            faces[1].box = {120, 30, 30, 40};
            photo_[name] = cat_->store_photo(p, faces);
        }
    }
    void write(const fs::path& p, const std::string& s) { std::ofstream(p) << s; }
    std::map<std::string, std::string> names_of(const std::string& photo) {
        std::map<std::int64_t, std::string> person;
        for (const auto& p : cat_->persons()) person[p.id] = p.name.value_or("");
        std::map<std::string, std::string> out;
        for (const auto& f : cat_->faces_of_photo(photo_[photo]))
            out[std::to_string(static_cast<int>(f.box[0]))] =
                f.person_id ? person[*f.person_id] : "";
        return out;
    }
    faceatlas::testing::TempDir tmp_{"tags"};
    const fs::path dir_ = tmp_.path();
    std::unique_ptr<catalog::Catalog> cat_;
    std::map<std::string, std::int64_t> photo_;
};

TEST_F(TagImport, MatchesJoinsAndIsIdempotent) {
    // Tag boxes a bit larger than the detector's, as people draw them.
    write(dir_ / "a.jpg.xmp",
          mwg({{"Anna", "Face", 0.175, 0.4, 0.2, 0.5}, {"Ben", "Face", 0.675, 0.5, 0.18, 0.45}},
              200, 100));
    write(dir_ / "b.xmp", mwg({{"Anna", "Face", 0.675, 0.5, 0.18, 0.45}}, 200, 100));
    const auto existing = cat_->create_person(std::string("Anna"));
    auto r = import_face_tags(*cat_, {});
    EXPECT_EQ(r.photos, 2u);
    EXPECT_EQ(r.photos_with_tags, 2u);
    EXPECT_EQ(r.regions, 3u);
    EXPECT_EQ(r.matched, 3u);
    EXPECT_EQ(r.named, 3u);
    EXPECT_EQ(r.persons_created, 1u);  // Ben
    EXPECT_EQ(r.persons_joined, 1u);   // the Anna who was there
    EXPECT_EQ(names_of("a.jpg"),
              (std::map<std::string, std::string>{{"20", "Anna"}, {"120", "Ben"}}));
    EXPECT_EQ(names_of("b.jpg"), (std::map<std::string, std::string>{{"20", ""}, {"120", "Anna"}}));
    for (const auto& c : cat_->person_constraints())
        EXPECT_EQ(c.kind, catalog::PersonConstraintKind::kIs);  // pinned: cluster keeps them
    EXPECT_EQ(cat_->person_constraints().size(), 3u);
    EXPECT_EQ(cat_->persons().front().id, existing);
    // Again: nothing changes.
    r = import_face_tags(*cat_, {});
    EXPECT_EQ(r.named, 0u);
    EXPECT_EQ(r.already, 3u);
    EXPECT_EQ(r.persons_created, 0u);
    EXPECT_EQ(cat_->persons().size(), 2u);
}

TEST_F(TagImport, KeepsTheUsersCorrectionsAndReportsTheConflict) {
    const auto carl = cat_->create_person(std::string("Carl"));
    const auto anna = cat_->create_person(std::string("Anna"));
    const auto faces = cat_->faces_of_photo(photo_["a.jpg"]);
    cat_->pin_face(faces[0].id, carl);        // the user said: this is Carl
    cat_->add_not_person(faces[1].id, anna);  // and this is not Anna
    write(dir_ / "a.jpg.xmp",
          mwg({{"Anna", "Face", 0.175, 0.4, 0.15, 0.4}, {"Anna", "Face", 0.675, 0.5, 0.15, 0.4}},
              200, 100));
    const auto r = import_face_tags(*cat_, {});
    EXPECT_EQ(r.named, 0u);
    ASSERT_EQ(r.ignored.size(), 2u);
    EXPECT_NE(r.ignored[0].second.find("pinned to person"), std::string::npos);
    EXPECT_NE(r.ignored[1].second.find("not Anna"), std::string::npos);
    EXPECT_EQ(names_of("a.jpg"), (std::map<std::string, std::string>{{"20", "Carl"}, {"120", ""}}));
}

TEST_F(TagImport, PrefersOneSidecarReportsBrokenOnesAndNeedsModelsForUnmatchedRegions) {
    write(dir_ / "a.jpg.xmp", mwg({{"Anna", "Face", 0.175, 0.4, 0.15, 0.4}}, 200, 100));
    write(dir_ / "a.xmp", mwg({{"Other", "Face", 0.175, 0.4, 0.15, 0.4}}, 200, 100));
    write(dir_ / "b.jpg.xmp", "<x:xmpmeta><rdf:RDF>this is not XML");
    auto r = import_face_tags(*cat_, {});
    EXPECT_EQ(names_of("a.jpg").at("20"), "Anna");
    bool noted_second = false, broken = false;
    for (const auto& [f, n] : r.notes)
        noted_second |= f == (dir_ / "a.xmp").string() && n.find("instead") != std::string::npos;
    for (const auto& [f, why] : r.ignored)
        broken |= f == (dir_ / "b.jpg.xmp").string() && why.find("not valid") != std::string::npos;
    EXPECT_TRUE(noted_second);
    EXPECT_TRUE(broken);
    // A region on no detected face, without models: reported, nothing created.
    write(dir_ / "a.jpg.xmp", mwg({{"Dora", "Face", 0.5, 0.8, 0.1, 0.2}}, 200, 100));
    r = import_face_tags(*cat_, {});
    EXPECT_EQ(r.created, 0u);
    ASSERT_EQ(r.ignored.size(), 1u + 1u);  // Dora, and b's broken sidecar again
    EXPECT_EQ(cat_->faces_of_photo(photo_["a.jpg"]).size(), 2u);
    // Limited to one folder or file.
    TagImportOptions only_b;
    only_b.roots = {dir_ / "b.jpg"};
    EXPECT_EQ(import_face_tags(*cat_, only_b).photos, 1u);
}

}  // namespace
}  // namespace faceatlas::pipeline
