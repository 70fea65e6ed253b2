// faceatlas scan DIR... [--catalog PATH] [--crops] [--rescan] [--threads N] [--json|--quiet]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "faceatlas/attr/attribute_model.h"
#include "faceatlas/core/error.h"
#include "faceatlas/pipeline/attribute_apply.h"
#include "faceatlas/pipeline/face_tags.h"
#include "faceatlas/pipeline/media.h"
#include "faceatlas/pipeline/scanner.h"

namespace faceatlas::cli {
namespace {

const char* kind_name(pipeline::ScanEvent::Kind k) {
    using K = pipeline::ScanEvent::Kind;
    switch (k) {
        case K::kProcessed:
            return "processed";
        case K::kUnchanged:
            return "unchanged";
        case K::kMoved:
            return "moved";
        case K::kSkipped:
            return "skipped";
        case K::kDeleted:
            return "deleted";
    }
    return "event";
}

// A one-line progress bar with rate and ETA, redrawn in place on a terminal.
class ProgressBar {
  public:
    void update(const pipeline::ScanEvent& e) {
        const auto now = std::chrono::steady_clock::now();
        if (e.done < e.total && now - last_ < std::chrono::milliseconds(100)) return;
        last_ = now;
        const double secs = std::chrono::duration<double>(now - start_).count();
        const double rate = secs > 0 ? static_cast<double>(e.done) / secs : 0;
        const double eta = rate > 0 ? static_cast<double>(e.total - e.done) / rate : 0;
        const int width = 30;
        const int filled = e.total ? static_cast<int>(width * e.done / e.total) : width;
        faces_ += e.faces;
        std::fprintf(stderr, "\r[%.*s%*s] %zu/%zu files  %zu faces  %.1f files/s  ETA %.0fs   ",
                     filled, "##############################", width - filled, "", e.done, e.total,
                     faces_, rate, eta);
        if (e.done == e.total) std::fprintf(stderr, "\n");
    }

  private:
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point last_{};
    std::size_t faces_ = 0;
};

}  // namespace

Command register_scan(CLI::App& root, GlobalOptions& g) {
    auto* app = root.add_subcommand(
        "scan", "find, analyze and catalog every face in folders of photos and videos");
    struct State {
        std::vector<std::string> inputs;
        std::string catalog = "faceatlas.db";
        bool json = false;
        bool import_tags = false;
        std::string attributes;  // attribute model applied after the scan
        pipeline::ScanOptions opts;
    };
    auto st = std::make_shared<State>();
    app->add_option("inputs", st->inputs,
                    "folders or files (with --crops: folders, images or a manifest .csv)")
        ->required();
    app->add_option("--catalog", st->catalog, "catalog file (SQLite)")->capture_default_str();
    app->add_flag("--crops", st->opts.crops,
                  "inputs are face crops (one face per image), or a CSV manifest");
    app->add_flag("--rescan", st->opts.rescan, "process every file again, even unchanged ones");
    app->add_option("--threads", st->opts.threads, "worker threads (0 = all cores)")
        ->capture_default_str()
        ->check(CLI::Range(0, 256));
    app->add_option("--frame-step", st->opts.video_frame_step, "videos: analyze every N-th frame")
        ->capture_default_str()
        ->check(CLI::Range(1, 100000));
    app->add_option("--age-top-l", st->opts.analyze.age_top_l,
                    "faceres age: expected value of the top-L outputs")
        ->capture_default_str()
        ->check(CLI::Range(1, 100));
    app->add_option("--min-score", st->opts.analyze.min_confidence, "detector score threshold")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 1.0));
    app->add_option(
           "--crop-padding", st->opts.analyze.crop_padding,
           "crops: black border added on each side before landmarking, as a fraction of the crop")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 1.0));
    app->add_option("--dlib-chip-padding", st->opts.analyze.dlib_chip_padding,
                    "padding of the aligned 150 px dlib chip around the mean face")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 2.0));
    app->add_option("--faceres-chip-padding", st->opts.analyze.faceres_chip_padding,
                    "padding of the aligned 224 px faceres chip around the mean face")
        ->capture_default_str()
        ->check(CLI::Range(0.0, 2.0));
    app->add_flag(
        "--no-align{false}", st->opts.analyze.align,
        "embed the unaligned face box resized to the net input (baseline for evaluation only)");
    app->add_flag("--attribute-flip,!--no-attribute-flip", st->opts.analyze.attribute_flip,
                  "age/gender averaged over the face and its mirror image (slower; default off)");
    app->add_option(
        "--attributes", st->attributes,
        "attribute model (faceatlas train attributes): store every face's attribute probabilities");
    app->add_flag("--import-tags", st->import_tags,
                  "then read the face names in the photos' XMP and sidecars (as import-tags)");
    app->add_flag("--json", st->json, "emit progress and result events as JSON lines on stdout");
    app->add_flag("--quiet", g.quiet, "print nothing but errors");
    Command cmd;
    cmd.app = app;
    cmd.run = [st, &g]() {
        for (const auto& in : st->inputs)
            if (std::error_code ec; !std::filesystem::exists(in, ec))
                throw Error(ErrorCode::kNotFound, "input not found", in,
                            "check the path (is the drive mounted?); the catalog was not changed");
        auto manifest = nn::ModelManifest::load_default(resolve_model_dir(g));
        std::shared_ptr<const attr::AttributeModel> attr_model;
        if (!st->attributes.empty())  // fail before scanning
            attr_model = std::make_shared<const attr::AttributeModel>(
                attr::load_attribute_model(st->attributes));
        st->opts.attribute_model = attr_model;
        auto cat = catalog::open_sqlite_catalog(st->catalog);
        pipeline::Scanner scanner(*cat, manifest, st->opts);
        const bool tty = isatty(STDERR_FILENO) && !st->json && !g.quiet;
        ProgressBar bar;
        auto on_event = [&](const pipeline::ScanEvent& e) {
            if (st->json) {
                nlohmann::json j{{"event", kind_name(e.kind)},
                                 {"file", e.path.string()},
                                 {"done", e.done},
                                 {"total", e.total}};
                if (e.kind == pipeline::ScanEvent::Kind::kProcessed) j["faces"] = e.faces;
                if (!e.reason.empty()) j["reason"] = e.reason;
                std::cout << j.dump() << std::endl;
            } else if (tty) {
                bar.update(e);
            }
            return true;
        };
        pipeline::ScanSummary s;
        if (st->opts.crops) {
            std::vector<pipeline::CropEntry> crops;
            for (const auto& in : st->inputs) {
                if (std::filesystem::path(in).extension() == ".csv") {
                    auto m = pipeline::read_crops_manifest(in);
                    crops.insert(crops.end(), m.begin(), m.end());
                } else {
                    crops.push_back({in, "", ""});
                }
            }
            s = scanner.scan_crops(crops, on_event);
        } else {
            std::vector<std::filesystem::path> roots(st->inputs.begin(), st->inputs.end());
            s = scanner.scan(roots, on_event);
        }
        // The workers labelled the faces they found; faces stored earlier without the model's
        // output (unchanged photos) get it now, from the same runner and the faceres graph the
        // scan already parsed.
        std::size_t attributed = s.attribute_faces;
        if (attr_model && !s.cancelled)
            attributed += pipeline::apply_attribute_model(*cat, *attr_model, &manifest, false,
                                                          scanner.model_set().get())
                              .labelled;
        std::optional<pipeline::TagImportResult> tags;
        if (st->import_tags && !s.cancelled && !st->opts.crops) {
            pipeline::TagImportOptions to;
            to.roots.assign(st->inputs.begin(), st->inputs.end());
            to.models = &manifest;
            to.analyze = st->opts.analyze;
            to.thumbnail_size = st->opts.thumbnail_size;
            to.thumbnail_quality = st->opts.thumbnail_quality;
            tags = pipeline::import_face_tags(*cat, to);
        }
        const double fps = s.seconds > 0 ? static_cast<double>(s.faces) / s.seconds : 0;
        if (st->json) {
            nlohmann::json skipped = nlohmann::json::array();
            for (const auto& [p, r] : s.skipped) skipped.push_back({{"file", p}, {"reason", r}});
            nlohmann::json by_reason = nlohmann::json::array();
            for (const auto& g : pipeline::group_skips(s.skipped))
                by_reason.push_back({{"reason", g.reason}, {"files", g.paths.size()}});
            std::cout << nlohmann::json{{"event", "summary"},
                                        {"found", s.found},
                                        {"photos", s.photos},
                                        {"videos", s.videos},
                                        {"faces", s.faces},
                                        {"unchanged", s.unchanged},
                                        {"moved", s.moved},
                                        {"deleted", s.deleted},
                                        {"skipped", skipped},
                                        {"skipped_by_reason", by_reason},
                                        {"seconds", s.seconds},
                                        {"faces_per_second", fps},
                                        {"model_files_parsed", s.model_files_parsed},
                                        {"model_parse_seconds", s.model_parse_seconds}}
                             .dump()
                      << std::endl;
            if (tags) print_tag_import(*tags, true);
        } else if (!g.quiet) {
            std::printf(
                "scanned %zu files in %.1f s: %zu photos, %zu videos, %zu faces (%.1f faces/s); "
                "%zu unchanged, %zu moved, %zu deleted, %zu skipped\n",
                s.found, s.seconds, s.photos, s.videos, s.faces, fps, s.unchanged, s.moved,
                s.deleted, s.skipped.size());
            // One line per file for a few, one line per reason for many (412 HEIC photos of a
            // build without libheif are one line, not 412).
            constexpr std::size_t kListedPerReason = 3;
            for (const auto& g : pipeline::group_skips(s.skipped)) {
                if (g.paths.size() <= kListedPerReason) {
                    for (const auto& p : g.paths)
                        std::printf("  skipped %s: %s\n", p.c_str(), g.reason.c_str());
                } else {
                    std::printf("  %zu files skipped: %s (e.g. %s)\n", g.paths.size(),
                                g.reason.c_str(), g.paths.front().c_str());
                }
            }
            if (tags) print_tag_import(*tags, false);
            if (attr_model)
                std::printf("attributes: %zu faces x %zu attributes\n", attributed,
                            attr_model->attributes.size());
            std::printf("catalog: %s\n", st->catalog.c_str());
        }
        return kExitOk;
    };
    return cmd;
}

}  // namespace faceatlas::cli
