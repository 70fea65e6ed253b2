// The static HTML report: one folder with index.html and the images next to it, no network,
// opens from file://. Charts are inline SVG written here (no chart library).
//
// Optional views are JSON files next to the catalog (typed in analysis/*_view.h, written by other
// commands; a section renders only when its file exists; docs/REPORT.md describes the formats):
//   <catalog>.attr_clusters.json     attribute-clustering view
//   <catalog>.subdiscrimination.json sub-discrimination view
//   <catalog>.eval.json              evaluation view
//   <catalog>.scan.json              {"seconds": N}: processing time shown in the overview
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "faceatlas/analysis/attribute_view.h"
#include "faceatlas/analysis/eval_view.h"
#include "faceatlas/analysis/subdiscrimination_view.h"
#include "faceatlas/catalog/catalog.h"
#include "faceatlas/summary/album_summary.h"
#include "faceatlas/summary/eigenfaces.h"

namespace faceatlas::report {

struct ReportOptions {
    std::filesystem::path out_dir;  // required
    bool force =
        false;  // write into a non-empty folder (only a previous report's files are replaced)
    std::string title = "faceatlas report";
    int grid_faces = 60;        // thumbnails shown per person; the rest are counted
    int eigen_max_faces = 200;  // faces (best first) used for one person's PCA
    summary::EigenfaceOptions eigen{.size = 96, .components = 5};
    int map_max_points = 20000;  // faces drawn on the map (evenly subsampled beyond)
    int index_avatars = 60;      // persons shown with a face in the index; the rest as name links
    int eager_images =
        300;  // <img> loaded with the page; later ones load near the viewport (script)
    summary::AlbumOptions album;
    void validate() const;  // throws faceatlas::Error (kInvalidArgument)
};

struct ReportInputs {
    std::optional<analysis::AttributeView> attr_clusters;
    std::optional<analysis::SubdiscriminationView> subdiscrimination;
    std::optional<analysis::EvalView> eval;
    std::optional<double> processing_seconds;
    std::vector<summary::FaceAttributeProb> attributes;  // per-face attribute probabilities
    std::vector<std::string> warnings;  // inputs that were present but unreadable (skipped)
};

// Reads the optional JSON files next to `catalog_path`. A missing file is not an error; an
// unreadable or malformed one (not JSON, wrong shape, another format or version) becomes a
// warning and its section is left out.
ReportInputs load_report_inputs(const std::filesystem::path& catalog_path);

struct ReportResult {
    std::filesystem::path index;  // out_dir / "index.html"
    int persons = 0;
    int faces = 0;
    int images = 0;              // image files written
    int missing_thumbnails = 0;  // faces shown as a placeholder
    std::uintmax_t bytes = 0;    // total size of the files written
    std::vector<std::string> warnings;
};

// Throws faceatlas::Error: kIo when out_dir exists and is not empty without `force` (the
// message says to pass --force), or cannot be created or written.
ReportResult write_report(catalog::Catalog& catalog, const ReportInputs& inputs,
                          const ReportOptions& options);

}  // namespace faceatlas::report
