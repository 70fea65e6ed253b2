// One truth per person: every command that prints a person's gender, age and birth year prints
// the same numbers for the same person (`info --persons --json`, `cluster --json --persons-json`,
// `persons --json`, `person show --json`, `faces --json` for one-face persons, and the report).
// Catalog: 10 faces-dev crops (3 identities with 2-3 crops, 3 with one), scanned through a
// manifest with dates so birth years exist, then clustered.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>

#include "common/cli.h"
#include "faceatlas/core/csv.h"

namespace fs = std::filesystem;

namespace {

using faceatlas::testing::run_cli;

nlohmann::json json_of(const faceatlas::testing::CliRun& r) {
    EXPECT_EQ(r.code, 0) << r.out << r.err;
    const auto start = r.out.find_first_of("{[");
    if (start == std::string::npos) return {};
    return nlohmann::json::parse(r.out.substr(start), nullptr, false);
}

// What one command says about one person.
struct Said {
    std::string gender;
    double male_product = NAN;  // NaN where the command does not print it
    double age = NAN;
    double birth_year = NAN;  // NaN: null / not printed
};

double num_or_nan(const nlohmann::json& j) { return j.is_number() ? j.get<double>() : NAN; }

Said from_list_entry(const nlohmann::json& p) {
    return {p["gender"].get<std::string>(), num_or_nan(p["male_product"]), num_or_nan(p["age"]),
            num_or_nan(p["birth_year"])};
}

class PersonSummaryCli : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        const fs::path data = fs::path(FACEATLAS_SHARED_DATA) / "faces-dev";
        if (!fs::exists(data / "labels.csv")) return;
        dir_ = fs::temp_directory_path() / "faceatlas_person_summary_cli";
        fs::remove_all(dir_);
        fs::create_directories(dir_ / "images");
        const auto table = faceatlas::read_csv(data / "labels.csv");
        const auto fcol = table.require_column("file");
        const auto icol = table.require_column("identity");
        std::map<std::string, std::vector<std::string>> by_id;
        for (const auto& row : table.rows) by_id[row[icol]].push_back(row[fcol]);
        std::ofstream manifest(dir_ / "images" / "manifest.csv");
        manifest << "file,date\n";
        int many = 0, single = 0, year = 1995;
        for (const auto& [id, files] : by_id) {
            const bool take = (files.size() >= 2 && files.size() <= 3 && many < 3) ||
                              (files.size() == 1 && single < 3);
            if (!take) continue;
            (files.size() == 1 ? single : many) += 1;
            for (const auto& f : files) {
                fs::copy_file(data / "images" / f, dir_ / "images" / f);
                manifest << f << "," << year++ << "-06-15\n";
            }
        }
        manifest.close();
        db_ = (dir_ / "p.db").string();
        const auto scan = run_cli("scan --crops " + (dir_ / "images" / "manifest.csv").string() +
                                  " --catalog " + db_);
        if (scan.code != 0) {
            std::cerr << scan.out << scan.err;
            return;
        }
        // --min-size 1: one-crop identities become one-face persons (compared with faces --json).
        cluster_ = run_cli("cluster --catalog " + db_ + " --min-size 1 --json --persons-json");
        ready_ = cluster_.code == 0;
    }
    void SetUp() override {
        if (!ready_) GTEST_SKIP() << "faces-dev or the models are not available";
    }
    static inline fs::path dir_;
    static inline std::string db_;
    static inline faceatlas::testing::CliRun cluster_;
    static inline bool ready_ = false;
};

TEST_F(PersonSummaryCli, EveryCommandPrintsTheSameGenderAgeAndBirthYear) {
    const auto persons = json_of(run_cli("persons --catalog " + db_ + " --json"));
    ASSERT_TRUE(persons.is_array());
    ASSERT_GE(persons.size(), 3u);

    // person id -> command -> what it says
    std::map<std::int64_t, std::map<std::string, Said>> said;
    for (const auto& p : persons) said[p["person_id"]]["persons"] = from_list_entry(p);
    const auto clustered = json_of(cluster_);
    for (const auto& p : clustered["person_list"])
        said[p["id"]]["cluster --persons-json"] = from_list_entry(p);
    {
        // info --json prints the statistics object, then the person array.
        const auto r = run_cli("info --catalog " + db_ + " --json --persons");
        ASSERT_EQ(r.code, 0) << r.err;
        const auto arr_at = r.out.find("\n[");
        ASSERT_NE(arr_at, std::string::npos) << r.out;
        for (const auto& p : nlohmann::json::parse(r.out.substr(arr_at)))
            said[p["id"]]["info --persons"] = from_list_entry(p);
    }
    std::map<std::int64_t, std::vector<nlohmann::json>> faces_of;
    for (const auto& f : json_of(run_cli("faces --catalog " + db_ + " --json")))
        if (f["person_id"].is_number()) faces_of[f["person_id"]].push_back(f);
    const auto report_dir = dir_ / "report";
    ASSERT_EQ(
        run_cli("report --catalog " + db_ + " --out " + report_dir.string() + " --force").code, 0);
    const std::string html = faceatlas::testing::read_text(report_dir / "index.html");
    ASSERT_FALSE(html.empty());

    int dated = 0, one_face = 0;
    for (auto& [id, by_cmd] : said) {
        const auto show =
            json_of(run_cli("person show --catalog " + db_ + " --json " + std::to_string(id)));
        by_cmd["person show"] = {show["gender"]["gender"].get<std::string>(),
                                 num_or_nan(show["gender"]["male_product"]),
                                 show["age"].is_object() ? num_or_nan(show["age"]["age"]) : NAN,
                                 num_or_nan(show["birth_year"])};
        const auto& faces = faces_of[id];
        if (faces.size() == 1) {
            ++one_face;
            by_cmd["faces --json"] = {
                faces[0]["male_prob_fused"].get<double>() >= 0.5 ? "male" : "female",
                faces[0]["male_prob_fused"].get<double>(), faces[0]["age_fused"].get<double>(),
                num_or_nan(faces[0].value("birth_year", nlohmann::json()))};
        }
        const Said& ref = by_cmd.at("person show");
        ASSERT_FALSE(std::isnan(ref.age)) << "person " << id;
        if (!std::isnan(ref.birth_year)) ++dated;
        std::string cmds;
        for (const auto& [cmd, s] : by_cmd) cmds += cmd + "; ";
        EXPECT_EQ(by_cmd.size(), faces.size() == 1 ? 5u : 4u) << "person " << id << ": " << cmds;
        for (const auto& [cmd, s] : by_cmd) {
            SCOPED_TRACE("person " + std::to_string(id) + ", " + cmd);
            EXPECT_EQ(s.gender, ref.gender);
            EXPECT_NEAR(s.male_product, ref.male_product, 1e-5);
            EXPECT_NEAR(s.age, ref.age, 1e-4);  // faces --json prints a float
            if (std::isnan(ref.birth_year))
                EXPECT_TRUE(std::isnan(s.birth_year));
            else
                EXPECT_NEAR(s.birth_year, ref.birth_year, 1e-4);
        }
        // The report's person section: gender, age and birth year rounded to whole numbers.
        const auto at = html.find("id=\"p" + std::to_string(id) + "\"");
        ASSERT_NE(at, std::string::npos) << "person " << id;
        const std::string section = html.substr(at, html.find("</section>", at) - at);
        std::smatch m;
        ASSERT_TRUE(std::regex_search(section, m, std::regex("<dt>gender</dt><dd>(male|female)")));
        EXPECT_EQ(m[1], ref.gender) << "report, person " << id;
        ASSERT_TRUE(std::regex_search(section, m, std::regex("<dt>age</dt><dd>(\\d+) years")));
        EXPECT_EQ(std::stoi(m[1]), static_cast<int>(std::lround(ref.age))) << "report " << id;
        if (!std::isnan(ref.birth_year)) {
            ASSERT_TRUE(
                std::regex_search(section, m, std::regex("<dt>born</dt><dd>&asymp; (\\d+)")));
            EXPECT_EQ(std::stoi(m[1]), static_cast<int>(std::lround(ref.birth_year)))
                << "report " << id;
        }
    }
    EXPECT_GT(dated, 0);     // the manifest dates reach the birth years
    EXPECT_GT(one_face, 0);  // faces --json was compared for at least one person
}

}  // namespace
