// End to end as a person would: scan the sample album with the real CLI, group its faces into
// persons, render `faceatlas report`, open it in headless Chromium (screenshot kept in the build
// folder as report_screenshot.png) and check the DOM: no errors, every image resolves, the
// sections and SVG charts are there. Also persons / person show / eigenfaces / export --xmp.
#include <unistd.h>

#include <map>
#include <memory>

#include <nlohmann/json.hpp>

#include "common/require_input.h"
#include "common/temp_dir.h"
#include "report_fixture.h"

using namespace report_test;

namespace {

const fs::path kCli = FACEATLAS_CLI;

// Headless Chromium command prefix (URL and action appended by the caller), own profile folder.
std::string headless_chromium(const fs::path& profile, int window_height) {
    return "chromium --headless --no-sandbox --disable-gpu --disable-background-networking "
           "--disable-component-update --disable-sync --no-first-run --user-data-dir=" +
           quote(profile) + " --window-size=1280," + std::to_string(window_height) + " ";
}

class CliReport : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        // One folder per process: ctest runs each test in its own process, possibly in parallel.
        tmp_ = std::make_unique<faceatlas::testing::TempDir>("cli_report");
        dir_ = tmp_->path();
        fs::create_directories(dir_ / "album");
        for (int k = 1; k <= 6; ++k) {
            const fs::path src = fs::path(faceatlas::testing::model_dir()) / "face-api/demo" /
                                 ("sample" + std::to_string(k) + ".jpg");
            if (!fs::exists(src)) return;
            fs::copy_file(src, dir_ / "album" / src.filename());
        }
        db_ = dir_ / "album.db";
        scan_ = run(quote(kCli) + " scan --quiet --threads 2 --catalog " + quote(db_) + " " +
                    quote(dir_ / "album"));
        if (scan_.code != 0) return;
        // A simple grouping: greedy, a face joins the first person whose first face is within
        // dlib distance 0.55; the largest person gets a name with HTML characters.
        auto cat = open_sqlite_catalog(db_);
        std::vector<std::pair<std::vector<float>, std::vector<std::int64_t>>> groups;
        for (const auto& f : cat->faces(true)) {
            bool placed = false;
            for (auto& [e, ids] : groups) {
                double d = 0;
                for (std::size_t i = 0; i < e.size(); ++i)
                    d += (e[i] - f.embedding_dlib[i]) * (e[i] - f.embedding_dlib[i]);
                if (std::sqrt(d) < 0.55) {
                    ids.push_back(f.id);
                    placed = true;
                    break;
                }
            }
            if (!placed) groups.push_back({f.embedding_dlib, {f.id}});
        }
        std::sort(groups.begin(), groups.end(),
                  [](const auto& a, const auto& b) { return a.second.size() > b.second.size(); });
        std::vector<std::pair<std::int64_t, std::optional<std::int64_t>>> assign;
        for (std::size_t g = 0; g < groups.size(); ++g) {
            const auto pid = g == 0 ? cat->create_person(std::string(kEvilName))
                                    : cat->create_person("Person <" + std::to_string(g) + ">");
            if (g == 0) biggest_ = pid;
            if (groups[g].second.size() == 1 && single_ == 0) single_ = pid;
            for (const auto id : groups[g].second) assign.emplace_back(id, pid);
        }
        cat->assign_faces(assign);
        persons_ = static_cast<int>(groups.size());
    }
    static void TearDownTestSuite() { tmp_.reset(); }
    void SetUp() override {
        if (!fs::exists(dir_ / "album/sample6.jpg"))
            FACEATLAS_MISSING_INPUT() << "sample album missing: run scripts/fetch_models.sh";
        ASSERT_EQ(scan_.code, 0) << scan_.out;
        ASSERT_GT(persons_, 1);
    }
    static std::string cli(const std::string& args) { return quote(kCli) + " " + args; }

    static inline fs::path dir_, db_;
    static inline std::unique_ptr<faceatlas::testing::TempDir> tmp_;
    static inline report_test::Run scan_;
    static inline int persons_ = 0;
    static inline std::int64_t biggest_ = 0, single_ = 0;
};

}  // namespace

TEST_F(CliReport, RendersInHeadlessChromiumWithoutErrors) {
    const fs::path out = dir_ / "report";
    const auto r = run(cli("report --catalog " + quote(db_) + " --out " + quote(out)));
    ASSERT_EQ(r.code, 0) << r.out;
    const std::string html = read_text(out / "index.html");
    for (const auto& ref : image_refs(html)) EXPECT_TRUE(fs::exists(out / ref)) << ref;

    const auto which = run("command -v chromium");
    if (which.code != 0) GTEST_SKIP() << "chromium not installed (scripts/setup.sh installs it)";
    const std::string chromium = headless_chromium(dir_ / "chromium-profile", 2000);
    const std::string url = "file://" + (out / "index.html").string();
    const fs::path shot = fs::path(FACEATLAS_BINARY_DIR) / "report_screenshot.png";
    fs::remove(shot);
    const auto s = run(chromium + "--screenshot=" + quote(shot) + " '" + url + "'");
    ASSERT_TRUE(fs::exists(shot)) << s.out;
    EXPECT_GT(fs::file_size(shot), 20000u);  // a blank page compresses to a few KB

    const fs::path dom_file = dir_ / "dom.html";
    run(chromium + "--dump-dom '" + url + "' > " + quote(dom_file));
    const std::string dom = read_text(dom_file);
    ASSERT_NE(dom.find("data-load-ms=\""), std::string::npos) << "load handler did not run";
    EXPECT_NE(dom.find("data-errors=\"0\""), std::string::npos) << dom.substr(0, 600);
    EXPECT_NE(dom.find("data-broken-images=\"0\""), std::string::npos) << dom.substr(0, 600);
    for (const char* s2 :
         {"id=\"overview\"", "id=\"map\"", "id=\"persons\"", "class=\"chart demography\"",
          "class=\"chart map\"", "class=\"chart attributes\"", "class=\"person\""})
        EXPECT_NE(dom.find(s2), std::string::npos) << s2;
    std::size_t svgs = 0;
    for (auto at = dom.find("<svg"); at != std::string::npos; at = dom.find("<svg", at + 1)) ++svgs;
    EXPECT_GE(svgs,
              static_cast<std::size_t>(2 + persons_));  // demography, map, one chart per person
    EXPECT_EQ(dom.find("<script>alert"), std::string::npos);
    EXPECT_NE(dom.find("&lt;script&gt;alert"), std::string::npos);
    for (const auto& ref : image_refs(dom)) EXPECT_TRUE(fs::exists(out / ref)) << ref;
}

TEST_F(CliReport, ExistingFolderAsksForForceAndUnwritableFails) {
    const fs::path out = dir_ / "again";
    ASSERT_EQ(run(cli("report --catalog " + quote(db_) + " --out " + quote(out))).code, 0);
    const auto r = run(cli("report --catalog " + quote(db_) + " --out " + quote(out)));
    EXPECT_EQ(r.code, 1);
    EXPECT_NE(r.out.find("--force"), std::string::npos) << r.out;
    EXPECT_EQ(run(cli("report --force --catalog " + quote(db_) + " --out " + quote(out))).code, 0);
    std::ofstream(dir_ / "plain_file") << "x";
    const auto bad =
        run(cli("report --catalog " + quote(db_) + " --out " + quote(dir_ / "plain_file/sub")));
    EXPECT_EQ(bad.code, 1);
    EXPECT_NE(bad.out.find("cannot create the report folder"), std::string::npos) << bad.out;
    const auto missing =
        run(cli("report --catalog " + quote(dir_ / "nope.db") + " --out " + quote(dir_ / "x")));
    EXPECT_EQ(missing.code, 1);
    EXPECT_NE(missing.out.find("faceatlas scan"), std::string::npos);
}

TEST_F(CliReport, PersonsPersonShowAndEigenfaces) {
    auto r = run(cli("persons --json --catalog " + quote(db_)));
    ASSERT_EQ(r.code, 0) << r.out;
    const auto list = nlohmann::json::parse(r.out);
    ASSERT_EQ(static_cast<int>(list.size()), persons_);
    EXPECT_EQ(list[0]["person_id"].get<std::int64_t>(), biggest_);  // largest first
    EXPECT_EQ(list[0]["name"].get<std::string>(), kEvilName);

    r = run(cli("person show " + std::to_string(biggest_) + " --json --catalog " + quote(db_)));
    ASSERT_EQ(r.code, 0) << r.out;
    const auto p = nlohmann::json::parse(r.out);
    EXPECT_EQ(p["faces"].get<std::int64_t>(), list[0]["faces"].get<std::int64_t>());
    EXPECT_TRUE(p["gender"]["gender"] == "male" || p["gender"]["gender"] == "female");
    EXPECT_GT(p["age"]["age"].get<double>(), 0.0);
    EXPECT_EQ(p["attributes"].size(), 7u);
    r = run(cli("person show " + std::to_string(biggest_) + " --catalog " + quote(db_)));
    EXPECT_NE(r.out.find("product rule"), std::string::npos);
    EXPECT_EQ(run(cli("person show 99999 --catalog " + quote(db_))).code, 1);

    const fs::path eig = dir_ / "eigen";
    r = run(cli("eigenfaces --person " + std::to_string(biggest_) + " --components 5 --out " +
                quote(eig) + " --catalog " + quote(db_)));
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_TRUE(fs::exists(eig / "mean.png"));
    const auto faces = p["faces"].get<int>();
    EXPECT_EQ(fs::exists(eig / "pc1.png"), faces >= 2);
    EXPECT_FALSE(fs::exists(eig / "pc6.png"));
    if (single_ != 0) {
        r = run(cli("eigenfaces --person " + std::to_string(single_) + " --out " +
                    quote(dir_ / "eigen1") + " --catalog " + quote(db_)));
        EXPECT_EQ(r.code, 0) << r.out;
        EXPECT_NE(r.out.find("one face"), std::string::npos);
        EXPECT_FALSE(fs::exists(dir_ / "eigen1/pc1.png"));
    }
}

TEST_F(CliReport, ExportXmpToOutFolder) {
    const auto r =
        run(cli("export --xmp --catalog " + quote(db_) + " --out " + quote(dir_ / "xmp")));
    ASSERT_EQ(r.code, 0) << r.out;
    const fs::path side =
        dir_ / "xmp" / fs::absolute(dir_ / "album/sample1.jpg.xmp").relative_path();
    ASSERT_TRUE(fs::exists(side)) << r.out;
    EXPECT_NE(read_text(side).find("mwg-rs:RegionList"), std::string::npos);
    EXPECT_FALSE(fs::exists(dir_ / "album/sample1.jpg.xmp"));
}

// The optional views end to end: 30 faces-dev crops (5 people x 6) scanned with the real CLI,
// grouped by `cluster`, two true people merged on purpose with `person merge`, then `eval
// clusters`, `cluster-attributes` (plain and --compare, both weighted), `subdiscriminate
// --labels` and `report`; the page is opened in headless Chromium (screenshot kept in the build
// folder as report_views_screenshot.png).
namespace {

class CliReportViews : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        const fs::path data = fs::path(faceatlas::testing::shared_data_dir()) / "faces-dev";
        if (!fs::exists(data / "labels.csv")) return;
        tmp_ = std::make_unique<faceatlas::testing::TempDir>("cli_views");
        dir_ = tmp_->path();
        fs::create_directories(dir_ / "crops");
        std::map<std::string, std::vector<std::string>> by_id;
        {
            std::ifstream in(data / "labels.csv");
            std::string line;
            std::getline(in, line);
            while (std::getline(in, line)) {
                const auto c1 = line.find(','), c2 = line.find(',', c1 + 1);
                by_id[line.substr(c1 + 1, c2 - c1 - 1)].push_back(line.substr(0, c1));
            }
        }
        std::ofstream lab(dir_ / "labels.csv");
        lab << "file,identity,emotion\n";
        for (const auto& [id, files] : by_id) {
            if (files.size() < 6 || identities_.size() == 5) continue;
            identities_.push_back(id);
            for (std::size_t i = 0; i < 6; ++i) {
                fs::copy_file(data / "images" / files[i], dir_ / "crops" / files[i]);
                identity_of_[files[i]] = id;
                lab << files[i] << "," << id << "," << (i % 2 ? "happy" : "neutral") << "\n";
            }
        }
        lab.close();
        db_ = dir_ / "views.db";
        setup_ =
            run(cli("scan --quiet --crops " + quote(dir_ / "crops") + " --catalog " + quote(db_)));
        if (setup_.code != 0) return;
        setup_ = run(cli("cluster --catalog " + quote(db_)));
        if (setup_.code != 0) return;
        // The person holding most of identity 0 absorbs the one holding most of identity 1.
        std::map<std::string, std::map<std::int64_t, int>> votes;
        {
            auto cat = open_sqlite_catalog(db_);
            std::map<std::int64_t, std::string> name_of;
            for (const auto& p : cat->photos()) name_of[p.id] = fs::path(p.path).filename();
            for (const auto& f : cat->faces(false))
                if (f.person_id) ++votes[identity_of_[name_of[f.photo_id]]][*f.person_id];
        }
        const auto top = [&](const std::string& id) {
            std::int64_t best = -1;
            int n = 0;
            for (const auto& [pid, c] : votes[id])
                if (c > n) best = pid, n = c;
            return best;
        };
        const auto a = top(identities_[0]), b = top(identities_[1]);
        if (a < 0 || b < 0 || a == b) {
            setup_ = {1, "could not find two persons to merge"};
            return;
        }
        setup_ = run(cli("person merge --catalog " + quote(db_) + " " + std::to_string(a) + " " +
                         std::to_string(b)));
    }
    static void TearDownTestSuite() { tmp_.reset(); }
    void SetUp() override {
        if (db_.empty()) FACEATLAS_MISSING_INPUT() << "faces-dev not available";
        ASSERT_EQ(setup_.code, 0) << setup_.out;
    }
    static std::string cli(const std::string& args) { return quote(kCli) + " " + args; }

    static inline fs::path dir_, db_;
    static inline std::unique_ptr<faceatlas::testing::TempDir> tmp_;
    static inline report_test::Run setup_;
    static inline std::vector<std::string> identities_;
    static inline std::map<std::string, std::string> identity_of_;
};

}  // namespace

TEST_F(CliReportViews, CommandsWriteTheViewsAndTheReportShowsThemInChromium) {
    const std::string c = " --catalog " + quote(db_);
    auto r = run(cli("eval clusters" + c + " --truth " + quote(dir_ / "labels.csv")));
    ASSERT_EQ(r.code, 0) << r.out;
    r = run(cli("cluster-attributes" + c + " --k 3 --weights male_prob=3,age=2"));
    ASSERT_EQ(r.code, 0) << r.out;
    r = run(cli("cluster-attributes" + c + " --compare k=2..5 --weights male_prob=3,age=2"));
    ASSERT_EQ(r.code, 0) << r.out;
    r = run(
        cli("subdiscriminate" + c + " --k 2,3 --seeds 2 --labels " + quote(dir_ / "labels.csv")));
    ASSERT_EQ(r.code, 0) << r.out;
    // --no-view leaves files alone; --view writes elsewhere.
    r = run(cli("eval clusters" + c + " --truth " + quote(dir_ / "labels.csv") +
                " --no-view --view " + quote(dir_ / "other.json")));
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_FALSE(fs::exists(dir_ / "other.json"));

    // The deliberate merge is the worst merge, with both people and their faces.
    const auto ev = nlohmann::json::parse(read_text(db_.string() + ".eval.json"));
    EXPECT_EQ(ev["format"], "faceatlas-eval");
    ASSERT_FALSE(ev["merges"].empty());
    std::set<std::string> merged;
    for (const auto& p : ev["merges"][0]["parts"]) {
        merged.insert(p["identity"].get<std::string>());
        EXPECT_FALSE(p["sample_faces"].empty());
    }
    EXPECT_TRUE(merged.count(identities_[0]) && merged.count(identities_[1]));
    // Both parts of the attribute view (plain + compare), each with its unweighted baseline.
    const auto av = nlohmann::json::parse(read_text(db_.string() + ".attr_clusters.json"));
    for (const char* part :
         {"clustering", "clustering_unweighted", "compare", "compare_unweighted"})
        EXPECT_FALSE(av[part].is_null()) << part;
    EXPECT_EQ(av["clustering"]["selection"]["weights"].size(),
              av["clustering"]["selection"]["attributes"].size());
    const auto sv = nlohmann::json::parse(read_text(db_.string() + ".subdiscrimination.json"));
    EXPECT_EQ(sv["runs"].size(), 2u);
    EXPECT_FALSE(sv["accuracy"].empty());

    const fs::path out = dir_ / "report";
    r = run(cli("report" + c + " --out " + quote(out)));
    ASSERT_EQ(r.code, 0) << r.out;
    EXPECT_EQ(r.out.find("warning"), std::string::npos) << r.out;
    const std::string html = read_text(out / "index.html");
    for (const char* s : {"id=\"evaluation\"", "id=\"attr-clusters\"", "id=\"subdiscrimination\"",
                          "Worst merges", "Worst splits", "class=\"chart silhouette\"",
                          "before: all weights 1", "after: weighted", "class=\"chart counts\"",
                          "class=\"chart composition\"", "Which label explains each split"})
        EXPECT_NE(html.find(s), std::string::npos) << s;
    EXPECT_NE(html.find(identities_[0]), std::string::npos);
    for (const auto& ref : image_refs(html)) EXPECT_TRUE(fs::exists(out / ref)) << ref;

    if (run("command -v chromium").code != 0)
        GTEST_SKIP() << "chromium not installed (scripts/setup.sh installs it)";
    const std::string chromium = headless_chromium(dir_ / "chromium-profile", 5600);
    const std::string url = "file://" + (out / "index.html").string();
    const fs::path shot = fs::path(FACEATLAS_BINARY_DIR) / "report_views_screenshot.png";
    fs::remove(shot);
    const auto s = run(chromium + "--screenshot=" + quote(shot) + " '" + url + "'");
    ASSERT_TRUE(fs::exists(shot)) << s.out;
    EXPECT_GT(fs::file_size(shot), 50000u);
    const fs::path dom_file = dir_ / "dom.html";
    run(chromium + "--dump-dom '" + url + "' > " + quote(dom_file));
    const std::string dom = read_text(dom_file);
    ASSERT_NE(dom.find("data-load-ms=\""), std::string::npos) << "load handler did not run";
    EXPECT_NE(dom.find("data-errors=\"0\""), std::string::npos) << dom.substr(0, 600);
    EXPECT_NE(dom.find("data-broken-images=\"0\""), std::string::npos) << dom.substr(0, 600);
    for (const char* s2 : {"id=\"evaluation\"", "id=\"attr-clusters\"", "id=\"subdiscrimination\"",
                           "class=\"chart silhouette\"", "class=\"chart attributes\"",
                           "class=\"chart counts\"", "class=\"chart composition\""})
        EXPECT_NE(dom.find(s2), std::string::npos) << s2;
    for (const auto& ref : image_refs(dom)) EXPECT_TRUE(fs::exists(out / ref)) << ref;
}
