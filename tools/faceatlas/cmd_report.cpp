// faceatlas report | persons | person show | eigenfaces, and a hidden dev helper that assigns
// persons from ground-truth labels (for trying the report before clustering exists).
#include <fcntl.h>
#include <spawn.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "cli_common.h"
#include "faceatlas/catalog/catalog.h"
#include "faceatlas/core/csv.h"
#include "faceatlas/core/error.h"
#include "faceatlas/report/report.h"
#include "faceatlas/report/xmp_sidecar.h"
#include "faceatlas/summary/eigenfaces.h"
#include "faceatlas/summary/summary_json.h"

extern char** environ;  // NOLINT: POSIX, passed on to the browser

namespace faceatlas::cli {
namespace fs = std::filesystem;
namespace {

// Starts the browser on `file` without a shell: the first entry of $BROWSER (a program name;
// its ':'-separated alternatives and %s templates are not interpreted), else xdg-open, found on
// PATH, with the path as its one argument, so no character in the path is special. Output goes
// to /dev/null; the browser is not waited for. False when it could not be started.
bool open_in_browser(const fs::path& file) {
    std::string program = "xdg-open";
    if (const char* b = std::getenv("BROWSER"); b != nullptr && *b != '\0') {
        program = b;
        program = program.substr(0, program.find(':'));
    }
    if (program.empty()) return false;
    posix_spawn_file_actions_t actions;
    if (posix_spawn_file_actions_init(&actions) != 0) return false;
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    std::string arg = file.string();
    char* argv[] = {program.data(), arg.data(), nullptr};
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    return rc == 0;
}

std::string bar(double share, int width) {
    const int n = static_cast<int>(share * width + 0.5);
    std::string s;
    for (int i = 0; i < width; ++i) s += i < n ? "\u2588" : "\u00b7";
    return s;
}

void print_person(const summary::PersonSummary& p, const summary::SummaryOptions& o) {
    std::printf("Person %lld%s%s\n", static_cast<long long>(p.person_id), p.name ? "  " : "",
                p.name ? p.name->c_str() : "");
    std::printf("  faces       %zu (representatives:", p.face_ids.size());
    for (int i = 0; i < p.representatives; ++i)
        std::printf(" %lld", static_cast<long long>(p.face_ids[static_cast<std::size_t>(i)]));
    std::printf(")\n  media       %d photo%s", p.photos, p.photos == 1 ? "" : "s");
    if (p.videos) std::printf(", %d video%s", p.videos, p.videos == 1 ? "" : "s");
    std::printf("\n");
    if (p.first_date)
        std::printf("  dates       %s .. %s\n", p.first_date->substr(0, 10).c_str(),
                    p.last_date->substr(0, 10).c_str());
    const int votes =
        static_cast<int>(std::lround(p.gender.male_vote * static_cast<double>(p.face_ids.size())));
    std::printf("  gender      %s  %.0f%% (product rule), vote %d/%zu\n",
                p.gender.male ? "male" : "female", 100 * p.gender.confidence,
                p.gender.male ? votes : static_cast<int>(p.face_ids.size()) - votes,
                p.face_ids.size());
    if (p.age) {
        std::printf("  age         %.0f years  +-%.0f, %.0f%% within +-%.0f y\n", p.age->age,
                    p.age->spread, 100 * p.age->confidence, o.age_confidence_years);
        if (p.age->birth_year)
            std::printf("  born        ~%.0f  +-%.0f\n", *p.age->birth_year,
                        p.age->birth_year_sd.value_or(0));
    }
    if (!p.attributes.empty()) {
        std::printf("  attributes  (* prominent: shown by >= %.0f%% of faces)\n",
                    100 * o.prominent_share);
        for (const auto& a : p.attributes)
            std::printf("    %-12s %s %4.0f%% %s\n", a.name.c_str(), bar(a.share, 20).c_str(),
                        100 * a.share, a.prominent ? "*" : "");
    }
}

void write_image(const fs::path& p, const cv::Mat& m) {
    if (!cv::imwrite(p.string(), m))
        throw Error(ErrorCode::kIo, "cannot write the image", p.string(),
                    "check --out is a writable folder");
}

}  // namespace

int run_export_xmp(const std::string& catalog, const std::string& out_dir) {
    auto cat = open_catalog(catalog, CatalogAccess::kReadOnly);
    const auto r = report::write_xmp_sidecars(*cat, report::XmpExportOptions{.out_dir = out_dir});
    for (const auto& [path, why] : r.failures)
        std::cerr << "faceatlas: " << path << ": " << why << "\n";
    std::printf(
        "sidecars written %d (merged into existing %d), photos without persons %d, failed %zu\n",
        r.written, r.merged, r.photos_without_persons, r.failures.size());
    return r.failures.empty() ? kExitOk : kExitFailure;
}

std::vector<Command> register_report_commands(CLI::App& root, GlobalOptions& g) {
    (void)g;
    std::vector<Command> cmds;
    struct State {
        std::string catalog = "faceatlas.db";
        std::string out;
        std::string labels, column = "identity";
        bool json = false, open = false, force = false;
        std::int64_t person = 0;
        int components = 5, size = 160;
        report::ReportOptions report;
    };
    auto st = std::make_shared<State>();

    auto* rep =
        root.add_subcommand("report", "write a static HTML report of persons, faces and charts");
    rep->add_option("--catalog", st->catalog, "catalog file")->capture_default_str();
    rep->add_option("--out", st->out, "output folder (default: <catalog>.report)");
    rep->add_flag("--open", st->open, "open the report in the default browser");
    rep->add_flag("--force", st->force,
                  "write into an existing, non-empty folder (replaces a previous report)");
    rep->add_option("--title", st->report.title, "title of the report")->capture_default_str();
    rep->add_option("--grid", st->report.grid_faces, "face thumbnails shown per person")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    cmds.push_back(
        {rep, [st]() {
             auto cat = open_catalog(st->catalog, CatalogAccess::kReadOnly);
             st->report.out_dir =
                 st->out.empty() ? fs::path(st->catalog + ".report") : fs::path(st->out);
             st->report.force = st->force;
             const auto inputs = report::load_report_inputs(st->catalog);
             const auto r = report::write_report(*cat, inputs, st->report);
             for (const auto& w : r.warnings) std::cerr << "faceatlas: warning: " << w << "\n";
             std::printf("report  %s\npersons %d\nfaces   %d\nimages  %d\nsize    %.1f MB\n",
                         fs::absolute(r.index).string().c_str(), r.persons, r.faces, r.images,
                         static_cast<double>(r.bytes) / 1e6);
             if (r.missing_thumbnails)
                 std::printf("missing thumbnails %d (shown as placeholders)\n",
                             r.missing_thumbnails);
             if (st->open && !open_in_browser(fs::absolute(r.index)))
                 std::cerr << "faceatlas: could not start a browser; open " << r.index << "\n";
             return kExitOk;
         }});

    auto* persons =
        root.add_subcommand("persons", "list persons with their number of faces and name");
    persons->add_option("--catalog", st->catalog, "catalog file")->capture_default_str();
    persons->add_flag("--json", st->json, "JSON output");
    cmds.push_back(
        {persons, [st]() {
             auto cat = open_catalog(st->catalog, CatalogAccess::kReadOnly);
             auto list = cat->persons();
             std::stable_sort(list.begin(), list.end(),
                              [](const auto& a, const auto& b) { return a.faces > b.faces; });
             if (st->json) {
                 nlohmann::json arr = nlohmann::json::array();
                 // person_id, name, faces, and for persons with faces the summary's fused
                 // gender, age and birth year (summary::person_list_json).
                 std::map<std::int64_t, nlohmann::json> summaries;
                 for (const auto& p : summary::summarize_persons(*cat))
                     summaries[p.person_id] = summary::person_list_json(p);
                 for (const auto& p : list) {
                     nlohmann::json j{
                         {"person_id", p.id},
                         {"name", p.name ? nlohmann::json(*p.name) : nlohmann::json(nullptr)},
                         {"faces", p.faces}};
                     if (const auto it = summaries.find(p.id); it != summaries.end())
                         for (const char* k :
                              {"gender", "male_vote", "male_product", "age", "birth_year"})
                             j[k] = it->second[k];
                     arr.push_back(j);
                 }
                 std::cout << arr.dump(2) << "\n";
             } else {
                 std::printf("%8s %6s  %s\n", "person", "faces", "name");
                 for (const auto& p : list)
                     std::printf("%8lld %6lld  %s\n", static_cast<long long>(p.id),
                                 static_cast<long long>(p.faces), p.name.value_or("").c_str());
                 std::printf("%zu persons\n", list.size());
             }
             return kExitOk;
         }});

    // `person` is shared with cmd_person.cpp (name, merge, split, move): whoever registers first
    // creates it.
    auto* person = find_or_add_subcommand(root, "person", "show and edit persons");
    person->require_subcommand(1);
    auto* show =
        person->add_subcommand("show", "summary of one person: gender, age, dates, attributes");
    show->add_option("ID", st->person, "person id (see `faceatlas persons`)")->required();
    show->add_option("--catalog", st->catalog, "catalog file")->capture_default_str();
    show->add_flag("--json", st->json, "JSON output");
    cmds.push_back({show, [st]() {
                        auto cat = open_catalog(st->catalog, CatalogAccess::kReadOnly);
                        const summary::SummaryOptions o;
                        const auto p = summary::summarize_person_in(*cat, st->person, o);
                        if (st->json)
                            std::cout << summary::to_json(p).dump(2) << "\n";
                        else
                            print_person(p, o);
                        return kExitOk;
                    }});

    auto* eig =
        root.add_subcommand("eigenfaces", "write a person's mean face and eigenfaces (PNG)");
    eig->add_option("--person", st->person, "person id")->required();
    eig->add_option("--components", st->components, "number of components")
        ->check(CLI::Range(0, 64))
        ->capture_default_str();
    eig->add_option("--size", st->size, "side of the images in pixels")
        ->check(CLI::Range(8, 1024))
        ->capture_default_str();
    eig->add_option("--out", st->out, "output folder")->required();
    eig->add_option("--catalog", st->catalog, "catalog file")->capture_default_str();
    cmds.push_back(
        {eig, [st]() {
             auto cat = open_catalog(st->catalog, CatalogAccess::kReadOnly);
             const auto p = summary::summarize_person_in(*cat, st->person);
             std::vector<cv::Mat> mats;
             for (const auto id : p.face_ids) {
                 const auto bytes = cat->thumbnail(id);
                 if (bytes.empty()) continue;
                 cv::Mat m = cv::imdecode(bytes, cv::IMREAD_COLOR);
                 if (!m.empty()) mats.push_back(std::move(m));
             }
             if (mats.empty())
                 throw Error(ErrorCode::kNotFound,
                             "person " + std::to_string(st->person) + " has no stored thumbnails",
                             st->catalog, "re-scan the photos to store thumbnails");
             const auto e = summary::compute_eigenfaces(
                 mats, summary::EigenfaceOptions{.size = st->size, .components = st->components});
             std::error_code ec;
             fs::create_directories(st->out, ec);
             if (!fs::is_directory(st->out))
                 throw Error(ErrorCode::kIo, "cannot create the output folder", st->out,
                             "choose a writable --out");
             const fs::path out(st->out);
             write_image(out / "mean.png", e.mean);
             std::printf("mean.png   mean of %d faces\n", e.faces);
             for (std::size_t k = 0; k < e.components.size(); ++k) {
                 const std::string name = "pc" + std::to_string(k + 1) + ".png";
                 write_image(out / name, e.components[k]);
                 std::printf("%-10s %.1f%% of the variance\n", name.c_str(), 100 * e.explained[k]);
             }
             if (e.components.empty())
                 std::printf("no components: %s\n",
                             e.faces == 1 ? "one face" : "the faces do not vary");
             return kExitOk;
         }});

    // Development only: persons from a labels CSV (file -> identity), matched by file name.
    auto* dev =
        root.add_subcommand("dev-assign-truth", "assign persons from a labels CSV (development)");
    dev->group("");
    dev->add_option("--catalog", st->catalog, "catalog file")->capture_default_str();
    dev->add_option("--labels", st->labels, "CSV with a `file` column and --column")->required();
    dev->add_option("--column", st->column, "identity column")->capture_default_str();
    cmds.push_back(
        {dev, [st]() {
             auto cat = open_catalog(st->catalog, CatalogAccess::kWrite);
             const auto table = read_csv(st->labels);
             const auto fc = table.require_column("file"), ic = table.require_column(st->column);
             std::map<std::string, std::string> who;
             for (const auto& row : table.rows)
                 who[fs::path(row[fc]).filename().string()] = row[ic];
             std::map<std::string, std::int64_t> ids;
             std::map<std::int64_t, std::string> photo_file;
             for (const auto& p : cat->photos())
                 photo_file[p.id] = fs::path(p.path).filename().string();
             std::vector<std::pair<std::int64_t, std::optional<std::int64_t>>> assign;
             for (const auto& f : cat->faces(false)) {
                 const auto it = who.find(photo_file[f.photo_id]);
                 if (it == who.end() || it->second.empty()) continue;
                 auto& id = ids[it->second];
                 if (id == 0) id = cat->create_person(it->second);
                 assign.emplace_back(f.id, id);
             }
             cat->assign_faces(assign);
             std::printf("%zu faces assigned to %zu persons\n", assign.size(), ids.size());
             return kExitOk;
         }});
    return cmds;
}

}  // namespace faceatlas::cli
