// A real photo library through the CLI: JPEG, HEIC and RAW in one folder scanned upright, face
// tags imported from sidecars (digiKam's rotated-photo sidecar, Lightroom's IMG.xmp), the
// export --xmp -> import-tags round trip on the sample album, and relocate / scan --watch.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <exiv2/exiv2.hpp>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>
#include <thread>

#include "common/cli.h"
#include "common/dng_writer.h"
#include "common/require_input.h"
#include "common/temp_dir.h"
#include "faceatlas/catalog/catalog.h"

namespace fs = std::filesystem;

namespace {

using faceatlas::testing::run_cli;

std::string q(const fs::path& p) { return "'" + p.string() + "'"; }

std::vector<nlohmann::json> json_lines(const std::string& out) {
    std::vector<nlohmann::json> v;
    std::istringstream is(out);
    for (std::string line; std::getline(is, line);)
        if (!line.empty() && line[0] == '{') v.push_back(nlohmann::json::parse(line));
    return v;
}

nlohmann::json event(const std::string& out, const std::string& name) {
    for (auto& j : json_lines(out))
        if (j.value("event", "") == name) return j;
    return {};
}

struct FaceView {
    std::string photo;
    std::array<float, 4> box;
    std::string person;  // name, "" when unnamed or unsorted
};

// Every face of the catalog with its photo's file name and its person's name.
std::vector<FaceView> faces_of(const fs::path& db) {
    auto cat = faceatlas::catalog::open_sqlite_catalog(db);
    std::map<std::int64_t, std::string> names, paths;
    for (const auto& p : cat->persons()) names[p.id] = p.name.value_or("");
    for (const auto& p : cat->photos()) paths[p.id] = fs::path(p.path).filename().string();
    std::vector<FaceView> out;
    for (const auto& f : cat->faces(false))
        out.push_back({paths[f.photo_id], f.box, f.person_id ? names[*f.person_id] : ""});
    return out;
}

class LibraryCli : public ::testing::Test {
  protected:
    void SetUp() override {
        demo_ = fs::path(faceatlas::testing::model_dir()) / "face-api/demo";
        if (!fs::exists(demo_ / "sample1.jpg"))
            FACEATLAS_MISSING_INPUT() << "no sample album at " << demo_;
    }
    // sample1 stored turned 90 degrees counter-clockwise with EXIF Orientation 6 (shown upright).
    fs::path rotated_jpeg(const fs::path& out) {
        cv::Mat img = cv::imread((demo_ / "sample1.jpg").string()), stored;
        cv::rotate(img, stored, cv::ROTATE_90_COUNTERCLOCKWISE);
        cv::imwrite(out.string(), stored, {cv::IMWRITE_JPEG_QUALITY, 95});
        auto image = Exiv2::ImageFactory::open(out.string());
        image->readMetadata();
        image->exifData()["Exif.Image.Orientation"] = uint16_t(6);
        image->writeMetadata();
        return out;
    }
    faceatlas::testing::TempDir tmp_{"library"};
    const fs::path dir_ = tmp_.path();
    fs::path demo_;
};

// Box centres of one photo's faces, sorted by x.
std::vector<cv::Point2f> centres(const std::vector<FaceView>& faces, const std::string& photo) {
    std::vector<cv::Point2f> c;
    for (const auto& f : faces)
        if (f.photo == photo) c.emplace_back(f.box[0] + f.box[2] / 2, f.box[1] + f.box[3] / 2);
    std::sort(c.begin(), c.end(), [](auto& a, auto& b) { return a.x < b.x; });
    return c;
}

TEST_F(LibraryCli, JpegHeicAndRawScanUprightAndLightroomSidecarNamesAFace) {
    const fs::path album = dir_ / "album";
    fs::create_directories(album);
    fs::copy_file(demo_ / "sample1.jpg", album / "sample1.jpg");
    if (std::system(("heif-enc -q 90 " + q(album / "sample1.jpg") + " -o " +
                     q(album / "phone.heic") + " >/dev/null 2>&1")
                        .c_str()) != 0)
        FACEATLAS_MISSING_INPUT() << "heif-enc (Debian libheif-examples)";
    cv::Mat bgr = cv::imread((demo_ / "sample1.jpg").string()), rgb, stored;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    cv::rotate(rgb, stored, cv::ROTATE_90_COUNTERCLOCKWISE);
    faceatlas::testing::write_dng(album / "camera.dng", stored, {.orientation = 6});
    // Lightroom names its sidecar IMG.xmp; the region is sample1's left face, displayed frame.
    std::ofstream(album / "camera.xmp") << R"(<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about=""
 xmlns:mwg-rs="http://www.metadataworkinggroup.com/schemas/regions/"
 xmlns:stDim="http://ns.adobe.com/xap/1.0/sType/Dimensions#" xmlns:stArea="http://ns.adobe.com/xmp/sType/Area#">
<mwg-rs:Regions rdf:parseType="Resource"><mwg-rs:AppliedToDimensions stDim:w="1920" stDim:h="1280" stDim:unit="pixel"/>
<mwg-rs:RegionList><rdf:Bag><rdf:li><rdf:Description mwg-rs:Name="Dana" mwg-rs:Type="Face">
<mwg-rs:Area stArea:x="0.2617" stArea:y="0.3711" stArea:w="0.1" stArea:h="0.2" stArea:unit="normalized"/>
</rdf:Description></rdf:li></rdf:Bag></mwg-rs:RegionList></mwg-rs:Regions></rdf:Description></rdf:RDF></x:xmpmeta>)";
    const fs::path db = dir_ / "faceatlas.db";
    const auto r = run_cli("scan " + q(album) + " --catalog " + q(db) + " --threads 2 --json " +
                           "--import-tags ");
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    const auto s = event(r.out, "summary");
    EXPECT_EQ(s["photos"], 3) << r.out;
    EXPECT_TRUE(s["skipped"].empty()) << r.out;
    const auto tags = event(r.out, "tags");
    EXPECT_EQ(tags["regions"], 1) << r.out;
    EXPECT_EQ(tags["matched"], 1) << r.out;
    EXPECT_EQ(tags["persons_created"], 1) << r.out;
    const auto faces = faces_of(db);
    const auto jpeg = centres(faces, "sample1.jpg"), heic = centres(faces, "phone.heic"),
               raw = centres(faces, "camera.dng");
    ASSERT_EQ(jpeg.size(), 3u);
    ASSERT_EQ(heic.size(), jpeg.size());
    ASSERT_EQ(raw.size(), jpeg.size());
    for (std::size_t i = 0; i < jpeg.size(); ++i) {  // same faces at the same place: upright
        EXPECT_LT(cv::norm(heic[i] - jpeg[i]), 0.01 * 1920) << i;
        EXPECT_LT(cv::norm(raw[i] - jpeg[i]), 0.01 * 1920) << i;
    }
    int dana = 0;
    for (const auto& f : faces) dana += f.person == "Dana" && f.photo == "camera.dng";
    EXPECT_EQ(dana, 1);
    const auto persons = run_cli("persons --catalog " + q(db));
    EXPECT_NE(persons.out.find("Dana"), std::string::npos) << persons.out;
}

TEST_F(LibraryCli, DigikamSidecarOfARotatedPhotoNamesItsFacesAndMakesTheMissedOne) {
    const fs::path album = dir_ / "album";
    fs::create_directories(album);
    const auto photo = rotated_jpeg(album / "rotated.jpg");
    fs::copy_file(
        fs::path(FACEATLAS_SOURCE_DIR) / "tests/integration/data/digikam_sample1_rotated.jpg.xmp",
        album / "rotated.jpg.xmp");
    const auto before = faceatlas::testing::read_text(photo);
    const fs::path db = dir_ / "faceatlas.db";
    // A strict detector misses sample1's right-hand face (score 0.989): the tag makes it.
    auto r = run_cli("scan " + q(album) + " --catalog " + q(db) + " --min-score 0.99 --quiet ");
    ASSERT_EQ(r.code, 0) << r.err;
    ASSERT_EQ(faces_of(db).size(), 2u);
    r = run_cli("import-tags --catalog " + q(db) + " --json ");
    ASSERT_EQ(r.code, 0) << r.out << r.err;
    const auto t = event(r.out, "tags");
    EXPECT_EQ(t["regions"], 3) << r.out;  // the pet and the empty region are left out
    EXPECT_EQ(t["matched"], 2) << r.out;
    EXPECT_EQ(t["created"], 1) << r.out;
    EXPECT_EQ(t["named"], 3) << r.out;
    EXPECT_EQ(t["persons_created"], 3) << r.out;
    const std::string notes = t["notes"].dump();
    EXPECT_NE(notes.find("type Pet"), std::string::npos) << notes;
    EXPECT_NE(notes.find("zero or negative size"), std::string::npos) << notes;
    EXPECT_NE(notes.find("MP regions left out"), std::string::npos) << notes;
    std::map<std::string, cv::Point2f> where;
    for (const auto& f : faces_of(db))
        where[f.person] = {f.box[0] + f.box[2] / 2, f.box[1] + f.box[3] / 2};
    ASSERT_EQ(where.size(), 3u);
    // Displayed-frame positions of the tags (1920x1280 upright).
    EXPECT_LT(cv::norm(where["Anna Müller"] - cv::Point2f(502, 475)), 20);
    EXPECT_LT(cv::norm(where["Ben Smith"] - cv::Point2f(931, 535)), 20);
    EXPECT_LT(cv::norm(where["Carl"] - cv::Point2f(1577, 319)), 20);
    // cluster keeps the names; the report shows them; the photo was never written.
    ASSERT_EQ(run_cli("cluster --catalog " + q(db)).code, 0);
    const auto persons = run_cli("persons --catalog " + q(db)).out;
    for (const char* n : {"Anna Müller", "Ben Smith", "Carl"})
        EXPECT_NE(persons.find(n), std::string::npos) << n << "\n" << persons;
    ASSERT_EQ(run_cli("report --catalog " + q(db) + " --out " + q(dir_ / "report")).code, 0);
    EXPECT_NE(faceatlas::testing::read_text(dir_ / "report/index.html").find("Anna Müller"),
              std::string::npos);
    EXPECT_EQ(faceatlas::testing::read_text(photo), before);
}

TEST_F(LibraryCli, ExportXmpThenImportTagsGivesTheSameNamesOnTheSameFaces) {
    const fs::path album = dir_ / "album";
    fs::create_directories(album);
    for (int i = 1; i <= 6; ++i) {
        const auto name = "sample" + std::to_string(i) + ".jpg";
        fs::copy_file(demo_ / name, album / name);
    }
    const fs::path a = dir_ / "a.db", b = dir_ / "b.db", side = dir_ / "sidecars";
    ASSERT_EQ(run_cli("scan " + q(album) + " --catalog " + q(a) + " --quiet ").code, 0);
    ASSERT_EQ(run_cli("cluster --catalog " + q(a) + " --min-size 1").code, 0);
    auto cat = faceatlas::catalog::open_sqlite_catalog(a);
    const auto persons = cat->persons();
    ASSERT_GE(persons.size(), 10u);
    const std::vector<std::string> odd = {"Zoë \"Z\" <b>O'Neil</b>", "Ann & Bob", "李小龍"};
    for (std::size_t i = 0; i < persons.size(); ++i)
        cat->set_person_name(persons[i].id,
                             i < odd.size() ? odd[i] : "Person " + std::to_string(i));
    cat.reset();
    ASSERT_EQ(run_cli("export --xmp --catalog " + q(a) + " --out " + q(side)).code, 0);
    ASSERT_EQ(run_cli("scan " + q(album) + " --catalog " + q(b) + " --quiet ").code, 0);
    auto r = run_cli("import-tags --catalog " + q(b) + " --sidecars " + q(side) + " --json ");
    ASSERT_EQ(r.code, 0) << r.err;
    auto key = [](const FaceView& f) {
        std::ostringstream s;
        s << f.photo << " " << std::lround(f.box[0]) << " " << std::lround(f.box[1]);
        return s.str();
    };
    std::map<std::string, std::string> want, got;
    for (const auto& f : faces_of(a)) want[key(f)] = f.person;
    for (const auto& f : faces_of(b)) got[key(f)] = f.person;
    EXPECT_EQ(got, want);
    EXPECT_EQ(event(r.out, "tags")["created"], 0);
    // Importing again changes nothing; clustering keeps every imported name.
    r = run_cli("import-tags --catalog " + q(b) + " --sidecars " + q(side) + " --json ");
    EXPECT_EQ(event(r.out, "tags")["named"], 0) << r.out;
    EXPECT_EQ(event(r.out, "tags")["already"], want.size()) << r.out;
    ASSERT_EQ(run_cli("cluster --catalog " + q(b)).code, 0);
    got.clear();
    for (const auto& f : faces_of(b)) got[key(f)] = f.person;
    EXPECT_EQ(got, want);
}

}  // namespace
