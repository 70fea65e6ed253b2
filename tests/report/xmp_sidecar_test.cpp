// XMP sidecars: MWG regions written, read back with exiv2, merged into an existing sidecar
// without losing its other properties, originals untouched, --out mirrors paths.
#include <exiv2/exiv2.hpp>

#include "report_fixture.h"

#include "faceatlas/core/error.h"
#include "faceatlas/report/xmp_sidecar.h"

using namespace report_test;
namespace rp = faceatlas::report;

namespace {

Exiv2::XmpData decode(const std::string& packet) {
    Exiv2::XmpData x;
    EXPECT_EQ(Exiv2::XmpParser::decode(x, packet), 0);
    return x;
}

std::string value(const Exiv2::XmpData& x, const std::string& key) {
    const auto it = x.findKey(Exiv2::XmpKey(key));
    return it == x.end() ? std::string("<absent>") : it->toString();
}

constexpr const char* kExisting = R"(<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmp:Rating="4"><dc:subject><rdf:Bag><rdf:li>holiday</rdf:li></rdf:Bag></dc:subject></rdf:Description>
</rdf:RDF></x:xmpmeta><?xpacket end="w"?>)";

const std::string kR = "Xmp.mwg-rs.Regions/mwg-rs:";

}  // namespace

TEST(XmpSidecar, RegionsInMwgFormat) {
    const auto packet = rp::merge_face_regions(
        "", 400, 300, {{std::string("Ann <&>"), 0.25, 0.5, 0.1, 0.2}, {{}, 0.75, 0.5, 0.1, 0.2}});
    const auto x = decode(packet);
    EXPECT_EQ(value(x, kR + "AppliedToDimensions/stDim:w"), "400");
    EXPECT_EQ(value(x, kR + "AppliedToDimensions/stDim:h"), "300");
    EXPECT_EQ(value(x, kR + "AppliedToDimensions/stDim:unit"), "pixel");
    EXPECT_EQ(value(x, kR + "RegionList[1]/mwg-rs:Name"), "Ann <&>");
    EXPECT_EQ(value(x, kR + "RegionList[1]/mwg-rs:Type"), "Face");
    EXPECT_NEAR(std::stod(value(x, kR + "RegionList[1]/mwg-rs:Area/stArea:x")), 0.25, 1e-6);
    EXPECT_NEAR(std::stod(value(x, kR + "RegionList[1]/mwg-rs:Area/stArea:h")), 0.2, 1e-6);
    EXPECT_EQ(value(x, kR + "RegionList[1]/mwg-rs:Area/stArea:unit"), "normalized");
    EXPECT_EQ(value(x, kR + "RegionList[2]/mwg-rs:Name"), "<absent>");
    EXPECT_EQ(value(x, kR + "RegionList[3]/mwg-rs:Type"), "<absent>");
    EXPECT_NE(packet.find("<rdf:Bag>"), std::string::npos);
}

TEST(XmpSidecar, MergeKeepsUnrelatedPropertiesAndReplacesRegions) {
    auto once = rp::merge_face_regions(
        kExisting, 400, 300,
        {{std::string("A"), 0.5, 0.5, 0.1, 0.1}, {std::string("B"), 0.2, 0.2, 0.1, 0.1}});
    auto twice = rp::merge_face_regions(once, 400, 300, {{std::string("C"), 0.5, 0.5, 0.1, 0.1}});
    const auto x = decode(twice);
    EXPECT_EQ(value(x, "Xmp.xmp.Rating"), "4");
    EXPECT_EQ(value(x, "Xmp.dc.subject"), "holiday");
    EXPECT_EQ(value(x, kR + "RegionList[1]/mwg-rs:Name"), "C");
    EXPECT_EQ(value(x, kR + "RegionList[2]/mwg-rs:Name"), "<absent>");  // B is gone, not kept twice
}

TEST(XmpSidecar, UnreadableExistingSidecarIsAnError) {
    EXPECT_THROW(rp::merge_face_regions("<x:xmpmeta this is not xml", 10, 10, {}),
                 faceatlas::Error);
}

TEST(XmpSidecar, FaceRegionsAreNormalisedAndClipped) {
    PhotoRecord p;
    p.width = 200;
    p.height = 100;
    FaceRecord a, b, c;
    a.box = {50, 25, 20, 10};
    a.person_id = 1;
    b.box = {190, -10, 20, 30};  // sticks out: clipped to [190,200]x[0,20]
    b.person_id = 2;
    c.box = {0, 0, 10, 10};  // unsorted: no region
    const auto r = rp::face_regions(p, {a, b, c}, {{1, std::string("Ann"), 1}, {2, {}, 1}});
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0].name.value(), "Ann");
    EXPECT_NEAR(r[0].x, 0.3, 1e-9);
    EXPECT_NEAR(r[0].y, 0.3, 1e-9);
    EXPECT_NEAR(r[0].w, 0.1, 1e-9);
    EXPECT_NEAR(r[0].h, 0.1, 1e-9);
    EXPECT_FALSE(r[1].name);
    EXPECT_NEAR(r[1].x, 0.975, 1e-9);
    EXPECT_NEAR(r[1].h, 0.2, 1e-9);
}

class XmpExport : public TempDir {};

TEST_F(XmpExport, WritesNextToPhotosMergesAndNeverTouchesOriginals) {
    const auto fx = build_catalog(dir_ / "cat.db", dir_ / "photos");
    (void)fx;
    std::map<fs::path, std::string> before;
    for (const auto& e : fs::directory_iterator(dir_ / "photos"))
        before[e.path()] = read_text(e.path());
    std::ofstream(dir_ / "photos/photo 0.jpg.xmp") << kExisting;
    auto cat = open_sqlite_catalog(dir_ / "cat.db");
    const auto r = rp::write_xmp_sidecars(*cat);
    EXPECT_EQ(r.written, 6);  // photos 0..5 have a face of a person; photo 6's face is unsorted
    EXPECT_EQ(r.merged, 1);
    EXPECT_EQ(r.photos_without_persons, 1);
    EXPECT_TRUE(r.failures.empty());
    for (const auto& [p, bytes] : before)
        EXPECT_EQ(read_text(p), bytes) << p;  // originals unchanged
    EXPECT_FALSE(fs::exists(dir_ / "photos/photo 6.jpg.xmp"));
    const auto x0 = decode(read_text(dir_ / "photos/photo 0.jpg.xmp"));
    EXPECT_EQ(value(x0, "Xmp.xmp.Rating"), "4");
    EXPECT_EQ(value(x0, kR + "RegionList[1]/mwg-rs:Name"), kEvilName);
    const auto x3 = decode(read_text(dir_ / "photos/photo 3.jpg.xmp"));
    EXPECT_EQ(value(x3, kR + "RegionList[1]/mwg-rs:Name"), "Solo");
    for (const auto& e : fs::directory_iterator(dir_ / "photos"))
        EXPECT_EQ(e.path().string().find("faceatlas-tmp"), std::string::npos);
}

TEST_F(XmpExport, OutDirMirrorsAbsolutePaths) {
    build_catalog(dir_ / "cat.db", dir_ / "photos");
    auto cat = open_sqlite_catalog(dir_ / "cat.db");
    const rp::XmpExportOptions o{.out_dir = dir_ / "sidecars"};
    const auto r = rp::write_xmp_sidecars(*cat, o);
    EXPECT_EQ(r.written, 6);
    const fs::path expect =
        dir_ / "sidecars" / fs::absolute(dir_ / "photos/photo 1.jpg.xmp").relative_path();
    EXPECT_TRUE(fs::exists(expect)) << expect;
    EXPECT_FALSE(fs::exists(dir_ / "photos/photo 1.jpg.xmp"));
}

TEST_F(XmpExport, UnwritableTargetIsReportedPerPhoto) {
    build_catalog(dir_ / "cat.db", dir_ / "photos");
    std::ofstream(dir_ / "blocker") << "x";  // a file where the mirror folder would go
    auto cat = open_sqlite_catalog(dir_ / "cat.db");
    const auto r = rp::write_xmp_sidecars(*cat, {.out_dir = dir_ / "blocker"});
    EXPECT_EQ(r.written, 0);
    EXPECT_EQ(r.failures.size(), 6u);
    ASSERT_FALSE(r.failures.empty());
    EXPECT_NE(r.failures[0].second.find("--out"), std::string::npos);
}
