// The photo library around the catalog: faceatlas import-tags [DIR...] (face tags other programs
// wrote) and faceatlas relocate OLD NEW (the library moved to another disk or folder).
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "faceatlas/catalog/catalog.h"
#include "faceatlas/core/error.h"
#include "faceatlas/nn/model_manifest.h"
#include "faceatlas/pipeline/face_tags.h"

namespace faceatlas::cli {

void print_tag_import(const pipeline::TagImportResult& r, bool json) {
    if (json) {
        auto pairs = [](const std::vector<std::pair<std::string, std::string>>& v,
                        const char* what) {
            nlohmann::json a = nlohmann::json::array();
            for (const auto& [f, m] : v) a.push_back({{"file", f}, {what, m}});
            return a;
        };
        std::cout << nlohmann::json{{"event", "tags"},
                                    {"photos", r.photos},
                                    {"photos_with_tags", r.photos_with_tags},
                                    {"regions", r.regions},
                                    {"matched", r.matched},
                                    {"created", r.created},
                                    {"named", r.named},
                                    {"already", r.already},
                                    {"persons_created", r.persons_created},
                                    {"persons_joined", r.persons_joined},
                                    {"ignored", pairs(r.ignored, "reason")},
                                    {"notes", pairs(r.notes, "note")}}
                         .dump()
                  << std::endl;
        return;
    }
    std::printf(
        "face tags: %zu regions in %zu of %zu photos; %zu matched a detected face, %zu became "
        "new faces; %zu faces named (%zu already were); %zu persons created, %zu joined; "
        "%zu ignored\n",
        r.regions, r.photos_with_tags, r.photos, r.matched, r.created, r.named, r.already,
        r.persons_created, r.persons_joined, r.ignored.size());
    for (const auto& [f, m] : r.ignored) std::printf("  ignored %s: %s\n", f.c_str(), m.c_str());
    for (const auto& [f, m] : r.notes) std::printf("  note %s: %s\n", f.c_str(), m.c_str());
}

std::vector<Command> register_library_commands(CLI::App& root, GlobalOptions& g) {
    std::vector<Command> out;
    {
        auto* app = root.add_subcommand(
            "import-tags",
            "read face names other programs wrote (XMP face regions: digiKam, Lightroom, Picasa, "
            "Immich, Windows Photo Gallery) into persons");
        struct State {
            std::vector<std::string> inputs;
            std::string catalog = "faceatlas.db";
            std::string sidecars;
            bool json = false;
            double min_iou = 0.3;
        };
        auto st = std::make_shared<State>();
        app->add_option("inputs", st->inputs,
                        "folders or files whose photos' tags are read (default: every photo of "
                        "the catalog)");
        app->add_option("--catalog", st->catalog, "catalog file (SQLite)")->capture_default_str();
        app->add_option("--sidecars", st->sidecars,
                        "folder `export --xmp --out` wrote sidecars to (also read beside photos)");
        app->add_option("--min-iou", st->min_iou, "box overlap for a tag to match a detected face")
            ->capture_default_str()
            ->check(CLI::Range(0.01, 1.0));
        app->add_flag("--json", st->json, "print the result as one JSON line");
        out.push_back({app, [st, &g]() {
                           auto cat = open_catalog(st->catalog, CatalogAccess::kWrite);
                           const auto manifest =
                               nn::ModelManifest::load_default(resolve_model_dir(g));
                           pipeline::TagImportOptions o;
                           o.roots.assign(st->inputs.begin(), st->inputs.end());
                           o.sidecar_dir = st->sidecars;
                           o.min_iou = st->min_iou;
                           o.models = &manifest;
                           for (const auto& in : st->inputs)
                               if (std::error_code ec; !std::filesystem::exists(in, ec))
                                   throw Error(ErrorCode::kNotFound, "input not found", in,
                                               "check the path; the catalog was not changed");
                           const auto r = pipeline::import_face_tags(*cat, o);
                           if (!g.quiet || st->json) print_tag_import(r, st->json);
                           return kExitOk;
                       }});
    }
    return out;
}

}  // namespace faceatlas::cli
