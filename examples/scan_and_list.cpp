// Scans a folder into a catalog, groups its faces into persons and prints each person with its
// face count and fused gender and age. Built against the installed package (CMakeLists.txt here).
//
//   scan_and_list PHOTOS CATALOG [MODELS]    (MODELS: default $FACEATLAS_MODELS)
#include <faceatlas/faceatlas.h>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>

namespace fa = faceatlas;

int main(int argc, char** argv) {
    if (argc < 3 || argc > 4) {
        std::fprintf(stderr, "usage: %s PHOTOS CATALOG [MODELS]   (faceatlas %s)\n", argv[0],
                     fa::kVersion);
        return 2;
    }
    const char* env = std::getenv("FACEATLAS_MODELS");
    const std::filesystem::path models = argc == 4 ? argv[3] : env ? env : "";
    try {
        if (models.empty())
            throw fa::Error(fa::ErrorCode::kInvalidArgument, "no model folder", "",
                            "pass it as the third argument or set FACEATLAS_MODELS "
                            "(an installed package has <prefix>/share/faceatlas/models)");
        const auto manifest = fa::nn::ModelManifest::load_default(models);
        auto catalog = fa::catalog::open_sqlite_catalog(argv[2]);

        fa::pipeline::Scanner scanner(*catalog, manifest, fa::pipeline::ScanOptions{});
        const auto scan = scanner.scan({argv[1]});
        std::printf("scanned %zu files: %zu photos, %zu faces, %zu skipped\n", scan.found,
                    scan.photos, scan.faces, scan.skipped.size());

        const auto clustering = fa::pipeline::cluster_persons(*catalog, {});
        std::printf("%zu persons, %zu faces unsorted\n", clustering.persons,
                    clustering.unsorted_faces);
        for (const auto& p : fa::summary::summarize_persons(*catalog)) {
            // gender and age fused over the person's faces, as every faceatlas command prints
            const std::string age = p.age ? std::to_string(std::lround(p.age->age)) : "?";
            std::printf("person %lld  %-12s %3zu faces  %s (%.2f)  age %s\n",
                        static_cast<long long>(p.person_id), p.name.value_or("(unnamed)").c_str(),
                        p.face_ids.size(), p.gender.male ? "male  " : "female", p.gender.confidence,
                        age.c_str());
        }
        return 0;
    } catch (const std::exception& e) {  // faceatlas::Error says what to do
        std::fprintf(stderr, "scan_and_list: %s\n", e.what());
        return 1;
    }
}
