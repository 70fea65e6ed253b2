// Defects found in review, through the real CLI: `report --open` starts the browser without a
// shell (a quote in the path neither breaks nor injects), and the hint for a face with a broken
// embedding names the scan flag that exists (--rescan), and every command but scan says the same
// thing, naming the fix, when there is no catalog.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "common/cli.h"
#include "faceatlas/catalog/catalog.h"

namespace fs = std::filesystem;
using faceatlas::testing::CliRun;
using faceatlas::testing::read_text;
using faceatlas::testing::TempDir;

namespace {

// A shell word for `s` (single quotes, each ' as '\'').
std::string sh_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

// One photo with one face; `nan` puts a NaN into its dlib embedding.
void make_catalog(const fs::path& db, bool nan) {
    auto cat = faceatlas::catalog::open_sqlite_catalog(db);
    faceatlas::catalog::PhotoRecord p;
    p.path = "/album/a.jpg";
    p.content_hash = "a";
    faceatlas::catalog::FaceRecord f;
    f.box = {0, 0, 40, 40};
    f.score = 0.9f;
    f.embedding_dlib.assign(128, 0.1f);
    f.embedding_faceres.assign(1024, 0.f);
    f.embedding_faceres[0] = 1.f;
    if (nan) f.embedding_dlib[5] = std::numeric_limits<float>::quiet_NaN();
    cat->store_photo(p, {f});
}

// A fake browser on PATH: writes each argument on its own line to `record`.
fs::path fake_opener(const TempDir& tmp, const std::string& name, const fs::path& record) {
    const fs::path bin = tmp / "bin";
    fs::create_directories(bin);
    const fs::path exe = bin / name;
    std::ofstream(exe) << "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > "
                       << sh_quote(record.string()) << ".part\nmv " << sh_quote(record.string())
                       << ".part " << sh_quote(record.string()) << "\n";
    fs::permissions(exe, fs::perms::owner_all);
    return bin;
}

// The opener is not waited for: poll for its record (written whole by a rename).
std::string wait_for(const fs::path& record) {
    for (int i = 0; i < 200 && !fs::exists(record); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return read_text(record);
}

TEST(ReportOpen, PathWithQuoteReachesTheBrowserAsOneArgument) {
    TempDir tmp("report_open");
    // A folder name that breaks `xdg-open '<path>'` and, through the shell, runs `touch`.
    const fs::path out = tmp / "it's here'; touch INJECTED; '";
    const fs::path db = tmp / "album.db";
    make_catalog(db, false);
    const fs::path record = tmp / "argv.txt";
    for (const char* opener : {"xdg-open", "my-browser"}) {
        const fs::path bin = fake_opener(tmp, opener, record);
        const std::string env =
            std::string(opener) == "xdg-open"
                ? "env -u BROWSER PATH=" + sh_quote(bin.string()) + ":\"$PATH\""
                : "env BROWSER=my-browser PATH=" + sh_quote(bin.string()) + ":\"$PATH\"";
        const std::string cmd = "cd " + sh_quote(tmp.path().string()) + " && " + env + " " +
                                sh_quote(FACEATLAS_CLI) + " report --catalog " +
                                sh_quote(db.string()) + " --out " + sh_quote(out.string()) +
                                " --force --open >/dev/null 2>&1";
        fs::remove(record);
        ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
        const std::string argv = wait_for(record);
        EXPECT_EQ(argv, fs::absolute(out / "index.html").string() + "\n") << opener;
        EXPECT_FALSE(fs::exists(tmp / "INJECTED")) << "the path was run by a shell";
        EXPECT_TRUE(fs::exists(out / "index.html"));
    }
}

TEST(ReportOpen, MissingBrowserIsAWarningNotAFailure) {
    TempDir tmp("report_open");
    const fs::path db = tmp / "album.db";
    make_catalog(db, false);
    const std::string cmd = "env BROWSER=faceatlas-no-such-browser " + sh_quote(FACEATLAS_CLI) +
                            " report --catalog " + sh_quote(db.string()) + " --out " +
                            sh_quote((tmp / "r").string()) + " --open > " +
                            sh_quote((tmp / "log").string()) + " 2>&1";
    EXPECT_EQ(std::system(cmd.c_str()), 0);
    EXPECT_NE(read_text(tmp / "log").find("could not start a browser"), std::string::npos)
        << read_text(tmp / "log");
}

// Every `faceatlas scan --FLAG` a hint names is a flag of scan.
void expect_scan_flags_exist(const std::string& message) {
    const std::string help = faceatlas::testing::run_cli_merged("scan --help").out;
    bool named = false;
    for (std::size_t at = message.find("scan --"); at != std::string::npos;
         at = message.find("scan --", at + 1)) {
        const std::size_t b = at + 5;
        std::size_t e = b + 2;
        while (e < message.size() &&
               (std::isalnum(static_cast<unsigned char>(message[e])) || message[e] == '-'))
            ++e;
        const std::string flag = message.substr(b, e - b);
        EXPECT_NE(help.find(flag), std::string::npos) << flag << " is not a scan flag: " << message;
        named = true;
    }
    EXPECT_TRUE(named) << "the hint names no scan flag: " << message;
}

TEST(ScanHints, BrokenEmbeddingHintNamesRescan) {
    TempDir tmp("scan_hint");
    const fs::path db = tmp / "album.db";
    make_catalog(db, true);
    std::ofstream(tmp / "query.jpg") << "x";
    // search reads the catalog embeddings (pipeline/live_faces.cpp) before any model.
    const CliRun r = faceatlas::testing::run_cli_merged(
        "search " + sh_quote((tmp / "query.jpg").string()) + " --catalog " + sh_quote(db.string()));
    EXPECT_EQ(r.code, 1) << r.out;
    EXPECT_NE(r.out.find("NaN"), std::string::npos) << r.out;
    expect_scan_flags_exist(r.out);
}

// open_catalog (tools/faceatlas/open_catalog.cpp) is the one check: each command that reads or
// edits a catalog fails with exit 1, "no catalog here", the path and `faceatlas scan DIR`, and
// creates no file.
TEST(CatalogOpen, MissingCatalogIsOneErrorForEveryCommand) {
    TempDir tmp("no_catalog");
    const std::string db = (tmp / "missing.db").string();
    std::ofstream(tmp / "query.jpg") << "x";
    std::ofstream(tmp / "truth.csv") << "file,identity\na.jpg,x\n";
    const std::string q = sh_quote(db);
    const std::vector<std::string> commands = {
        "info --catalog " + q,
        "faces --catalog " + q,
        "persons --catalog " + q,
        "person show 1 --catalog " + q,
        "person name 1 Ann --catalog " + q,
        "cluster --catalog " + q,
        "cluster-attributes --catalog " + q,
        "report --catalog " + q + " --out " + sh_quote((tmp / "r").string()),
        "search " + sh_quote((tmp / "query.jpg").string()) + " --catalog " + q,
        "eval clusters --truth " + sh_quote((tmp / "truth.csv").string()) + " --catalog " + q,
    };
    for (const auto& c : commands) {
        const CliRun r = faceatlas::testing::run_cli_merged(c);
        EXPECT_EQ(r.code, 1) << c << "\n" << r.out;
        EXPECT_NE(r.out.find("no catalog here"), std::string::npos) << c << "\n" << r.out;
        EXPECT_NE(r.out.find(db), std::string::npos) << c << "\n" << r.out;
        EXPECT_NE(r.out.find("faceatlas scan DIR"), std::string::npos) << c << "\n" << r.out;
        EXPECT_FALSE(fs::exists(db)) << c << " created the catalog";
    }
}

}  // namespace
