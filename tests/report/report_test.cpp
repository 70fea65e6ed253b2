// write_report on a synthetic catalog: sections, escaping, images on disk, bad inputs
// (one-face person, different thumbnail sizes, missing/corrupt thumbnails, existing or
// unwritable output folder, optional JSON inputs present, absent or malformed).
#include "report_fixture.h"

#include "faceatlas/analysis/view_file.h"
#include "faceatlas/core/error.h"
#include "faceatlas/report/report.h"

using namespace report_test;
namespace rp = faceatlas::report;

namespace {

class Report : public TempDir {
  protected:
    rp::ReportResult write(const fs::path& out, bool force = false,
                           const rp::ReportInputs& in = {}) {
        auto cat = open_sqlite_catalog(dir_ / "cat.db");
        rp::ReportOptions o;
        o.out_dir = out;
        o.force = force;
        return rp::write_report(*cat, in, o);
    }
    void SetUp() override {
        TempDir::SetUp();
        fx_ = build_catalog(dir_ / "cat.db", dir_ / "photos");
    }
    Fixture fx_;
};

}  // namespace

TEST_F(Report, SectionsChartsEscapingAndEveryImageExists) {
    const auto r = write(dir_ / "out");
    EXPECT_EQ(r.persons, 3);
    EXPECT_EQ(r.faces, 7);
    const std::string html = read_text(r.index);
    for (const char* id :
         {"id=\"overview\"", "id=\"map\"", "id=\"persons\"", "class=\"chart demography\"",
          "class=\"chart map\"", "class=\"chart attributes\""})
        EXPECT_NE(html.find(id), std::string::npos) << id;
    for (const auto pid : {fx_.evil, fx_.single, fx_.broken})
        EXPECT_NE(html.find("id=\"p" + std::to_string(pid) + "\""), std::string::npos);
    // Largest person first.
    EXPECT_LT(html.find("id=\"p" + std::to_string(fx_.evil) + "\""),
              html.find("id=\"p" + std::to_string(fx_.single) + "\""));
    // The name never appears as markup; its escaped form does.
    EXPECT_EQ(html.find("<script>alert"), std::string::npos);
    EXPECT_NE(html.find("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Ann&#39;"),
              std::string::npos);
    // Overview numbers: 1 unsorted face, dates 2010..2016.
    EXPECT_NE(html.find("<div class=\"v\">1</div><div class=\"k\">unsorted faces"),
              std::string::npos);
    EXPECT_NE(html.find("2010-06-01<br>2016-06-01"), std::string::npos);
    // No network: nothing refers to http(s) resources.
    EXPECT_EQ(html.find("src=\"http"), std::string::npos);
    EXPECT_EQ(html.find("href=\"http"), std::string::npos);
    const auto refs = image_refs(html);
    ASSERT_FALSE(refs.empty());
    for (const auto& ref : refs) EXPECT_TRUE(fs::exists(dir_ / "out" / ref)) << ref;
    // Eigenfaces of the 3-face person (thumbnails of 160, 112 and 200 px): mean + 2 components.
    const std::string stem = "img/p" + std::to_string(fx_.evil);
    EXPECT_TRUE(fs::exists(dir_ / "out" / (stem + "_mean.jpg")));
    EXPECT_TRUE(fs::exists(dir_ / "out" / (stem + "_pc2.jpg")));
    EXPECT_FALSE(fs::exists(dir_ / "out" / (stem + "_pc3.jpg")));
    // Photo links are file:// URLs with the space encoded.
    EXPECT_NE(html.find("file://" + (dir_ / "photos").string() + "/photo%200.jpg"),
              std::string::npos);
}

TEST_F(Report, OneFacePersonShowsTheFaceInsteadOfPca) {
    const auto r = write(dir_ / "out");
    const std::string html = read_text(r.index);
    const auto at = html.find("id=\"p" + std::to_string(fx_.single) + "\"");
    ASSERT_NE(at, std::string::npos);
    const auto section = html.substr(at, html.find("</section>", at) - at);
    EXPECT_NE(section.find("the only face (no PCA)"), std::string::npos);
    EXPECT_EQ(section.find("_mean.jpg"), std::string::npos);
    EXPECT_FALSE(fs::exists(dir_ / "out/img" / ("p" + std::to_string(fx_.single) + "_mean.jpg")));
}

TEST_F(Report, MissingAndCorruptThumbnailsArePlaceholders) {
    const auto r = write(dir_ / "out");
    EXPECT_EQ(r.missing_thumbnails, 2);
    const std::string html = read_text(r.index);
    const auto at = html.find("id=\"p" + std::to_string(fx_.broken) + "\"");
    const auto section = html.substr(at, html.find("</section>", at) - at);
    EXPECT_NE(section.find("no image"), std::string::npos);
    EXPECT_NE(section.find("no thumbnails stored"), std::string::npos);
    EXPECT_EQ(section.find("<img"), std::string::npos);
}

TEST_F(Report, ExistingFolderNeedsForceAndForceKeepsForeignFiles) {
    fs::create_directories(dir_ / "out");
    std::ofstream(dir_ / "out/keep.txt") << "mine";
    try {
        write(dir_ / "out");
        FAIL() << "expected an error";
    } catch (const faceatlas::Error& e) {
        EXPECT_EQ(e.code(), faceatlas::ErrorCode::kIo);
        EXPECT_NE(e.hint().find("--force"), std::string::npos);
    }
    EXPECT_FALSE(fs::exists(dir_ / "out/index.html"));
    write(dir_ / "out", true);
    EXPECT_TRUE(fs::exists(dir_ / "out/index.html"));
    EXPECT_TRUE(fs::exists(dir_ / "out/keep.txt"));
    // A second forced run replaces the previous report's images (stale files go).
    std::ofstream(dir_ / "out/img/stale.jpg") << "x";
    write(dir_ / "out", true);
    EXPECT_FALSE(fs::exists(dir_ / "out/img/stale.jpg"));
    EXPECT_TRUE(fs::exists(dir_ / "out/keep.txt"));
    // An empty existing folder needs no --force.
    fs::create_directories(dir_ / "empty");
    EXPECT_NO_THROW(write(dir_ / "empty"));
}

TEST_F(Report, UnwritableOutputIsAClearError) {
    std::ofstream(dir_ / "a_file") << "x";
    try {
        write(dir_ / "a_file/report");
        FAIL() << "expected an error";
    } catch (const faceatlas::Error& e) {
        EXPECT_EQ(e.code(), faceatlas::ErrorCode::kIo);
        EXPECT_NE(e.context().find("a_file/report"), std::string::npos);
    }
    try {
        write(dir_ / "a_file");
        FAIL() << "expected an error";
    } catch (const faceatlas::Error& e) {
        EXPECT_NE(std::string(e.what()).find("not a folder"), std::string::npos);
    }
    if (geteuid() != 0) {  // root ignores permissions
        fs::create_directories(dir_ / "ro");
        fs::permissions(dir_ / "ro", fs::perms::owner_read | fs::perms::owner_exec);
        EXPECT_THROW(write(dir_ / "ro/report"), faceatlas::Error);
        fs::permissions(dir_ / "ro", fs::perms::owner_all);
    }
}

TEST_F(Report, OptionalJsonInputsRenderTheirSections) {
    namespace an = faceatlas::analysis;
    const fs::path db = dir_ / "cat.db";
    auto faces = open_sqlite_catalog(db)->faces(false);
    const auto f0 = faces[0].id, f1 = faces[1].id;
    const std::int64_t gone = 999999;  // a face id no longer in the catalog: skipped, counted

    an::AttributeView av;
    an::AttributeClusteringPart part;
    part.selection.attributes = {"age", "male_prob"};
    part.selection.weights = {1, 3};
    part.method = "k-means on <attributes>";
    part.groups.push_back(
        {0, 2, {f0, gone, f1}, {{"age", 30}}, {{"happy", "expression", 0.5, true}}});
    av.clustering = part;
    part.selection.weights = {1, 1};
    av.clustering_unweighted = part;
    an::AttributeComparePart cmp;
    cmp.selection.attributes = {"age"};
    cmp.k_min = 2;
    cmp.k_max = 3;
    cmp.entries = {{"kmeans", "", "euclidean", 2, 2, 0.5, {}, 0},
                   {"kmeans", "", "euclidean", 3, 3, 0.4, {}, 0},
                   {"dbscan", "", "euclidean", 2, 2, std::nullopt, 0.3, 1}};
    av.compare = cmp;
    an::write_view_file(db.string() + ".attr_clusters.json", av);

    an::SubdiscriminationView sv;
    sv.embedding = "dlib";
    sv.algorithm = "kmeans";
    sv.runs = {{2, 0, {{0, 1, {f0}, {{"gender", "female", 0.75}}}, {1, 1, {f1}, {}}}}};
    an::ColumnExplanation ce;
    ce.k = 2;
    ce.column = "gender";
    ce.accuracy = {0.875, 0.01, {}};
    sv.accuracy = {ce};
    sv.best_by_k = {"gender"};
    an::write_view_file(db.string() + ".subdiscrimination.json", sv);

    an::EvalView ev;
    ev.truth = "labels.csv";
    ev.metrics = {{"ARI", 0.5}, {"BCubed F", 0.25}};
    ev.merges = {{fx_.evil, 2, 1, {{"Alice", fx_.evil, 1, {f0}}, {"Bob", fx_.evil, 1, {f1}}}}};
    ev.splits = {
        {"Carol", 2, 1, {{"Carol", fx_.evil, 1, {f0}}, {"Carol", std::nullopt, 1, {gone}}}}};
    an::write_view_file(db.string() + ".eval.json", ev);
    std::ofstream(db.string() + ".scan.json") << R"({"seconds": 95})";

    const auto in = rp::load_report_inputs(db);
    EXPECT_TRUE(in.warnings.empty()) << in.warnings.front();
    ASSERT_TRUE(in.processing_seconds);
    const auto r = write(dir_ / "out", false, in);
    EXPECT_TRUE(r.warnings.empty());
    const std::string html = read_text(r.index);
    for (const char* s : {"id=\"attr-clusters\"",
                          "id=\"subdiscrimination\"",
                          "id=\"evaluation\"",
                          "k-means on &lt;attributes&gt;",
                          "processing time",
                          "95 s",
                          "class=\"chart silhouette\"",
                          "before: all weights 1",
                          "male_prob &times;3",
                          "class=\"chart attributes\"",
                          "class=\"chart counts\"",
                          "gender: female 75%",
                          "<tr class=\"best\">",
                          "0.875",
                          "Worst merges",
                          "Alice",
                          "Bob",
                          "Carol",
                          "unsorted",
                          "class=\"chart composition\"",
                          "no longer in the catalog"})
        EXPECT_NE(html.find(s), std::string::npos) << s;
    EXPECT_EQ(html.find("f999999.jpg"), std::string::npos);
    for (const auto& ref : image_refs(html)) EXPECT_TRUE(fs::exists(dir_ / "out" / ref)) << ref;
}

TEST_F(Report, AbsentOrMalformedJsonInputsLeaveTheirSectionsOut) {
    const fs::path db = dir_ / "cat.db";
    auto r = write(dir_ / "a", false, rp::load_report_inputs(db));
    std::string html = read_text(r.index);
    EXPECT_EQ(html.find("id=\"attr-clusters\""), std::string::npos);
    EXPECT_EQ(html.find("id=\"evaluation\""), std::string::npos);
    EXPECT_EQ(html.find("Sub-discrimination"), std::string::npos);

    std::ofstream(db.string() + ".eval.json") << "{not json";
    std::ofstream(db.string() + ".attr_clusters.json")
        << R"({"clusters": 3})";  // valid JSON, wrong shape
    std::ofstream(db.string() + ".subdiscrimination.json")
        << R"({"format": "faceatlas-subdiscrimination", "version": 1, "persons": []})";  // old
    const auto in = rp::load_report_inputs(db);
    EXPECT_EQ(in.warnings.size(), 3u);
    r = write(dir_ / "b", false, in);
    EXPECT_EQ(r.warnings.size(), 3u);
    html = read_text(r.index);
    EXPECT_EQ(html.find("id=\"subdiscrimination\""), std::string::npos);
    EXPECT_EQ(html.find("id=\"evaluation\""), std::string::npos);
    EXPECT_EQ(html.find("id=\"attr-clusters\""), std::string::npos);
    EXPECT_EQ(html.find("Attribute clusters</a>"), std::string::npos);
}

TEST_F(Report, RejectsBadOptions) {
    auto cat = open_sqlite_catalog(dir_ / "cat.db");
    rp::ReportOptions o;
    EXPECT_THROW(rp::write_report(*cat, {}, o), faceatlas::Error);  // no out_dir
    o.out_dir = dir_ / "x";
    o.grid_faces = 0;
    EXPECT_THROW(rp::write_report(*cat, {}, o), faceatlas::Error);
    EXPECT_FALSE(fs::exists(dir_ / "x"));
}
