// Everything the report and `faceatlas person show` need, computed from the catalog once:
// overview numbers, per-person summaries (largest first), demography and the map of faces.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "faceatlas/catalog/catalog.h"
#include "faceatlas/summary/person_summary.h"

namespace faceatlas::summary {

struct AlbumOptions {
    SummaryOptions person;
    int demography_persons = 50;  // the largest persons in the demography chart
    std::vector<int> age_band_edges{15, 25, 35, 45, 55, 65};  // bands [0,15) [15,25) ... [65,inf)
    void validate() const;
};

struct Overview {
    std::int64_t photos = 0;  // media with status ok (images)
    std::int64_t videos = 0;
    std::int64_t faces = 0;
    std::int64_t persons = 0;         // persons with at least one face
    std::int64_t unsorted_faces = 0;  // faces without a person
    std::optional<std::string> first_date, last_date;
};

struct DemographyBar {
    std::string band;  // "15-24", "65+"
    int male = 0;
    int female = 0;
};

struct MapPoint {
    std::int64_t face_id = 0;
    std::optional<std::int64_t> person_id;
    float x = 0, y = 0;  // first two principal components of the dlib embeddings
};

struct AlbumSummary {
    Overview overview;
    std::vector<PersonSummary> persons;  // by number of faces, largest first; ties by id
    std::vector<DemographyBar> demography;
    int demography_persons = 0;  // persons counted (the largest AlbumOptions::demography_persons)
    int demography_unknown_age = 0;     // of those, persons without an age estimate (in no bar)
    std::vector<MapPoint> map;          // one per face with a dlib embedding
    std::vector<double> map_explained;  // variance share of the two axes
};

// Reads photos, faces (with embeddings) and persons. `attributes` are optional per-face
// probabilities (see FaceAttributeProb).
AlbumSummary summarize_album(catalog::Catalog& catalog, const AlbumOptions& options = {},
                             const std::vector<FaceAttributeProb>& attributes = {});

// First two principal components of row vectors (rows of equal length); x = y = 0 for fewer
// than two distinct rows. `explained` receives the two variance shares.
std::vector<std::pair<float, float>> project_2d(const std::vector<std::vector<float>>& rows,
                                                std::vector<double>* explained = nullptr);

}  // namespace faceatlas::summary
