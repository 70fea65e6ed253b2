// `faceatlas scan`: walk folders, analyze new or changed media on all cores, store every face
// in the catalog one photo per transaction (crash-safe, incremental, moved files keep faces).
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "faceatlas/attr/attribute_model.h"
#include "faceatlas/catalog/catalog.h"
#include "faceatlas/nn/model_manifest.h"
#include "faceatlas/vision/analyzer.h"
#include "faceatlas/vision/model_set.h"

namespace faceatlas::pipeline {

struct ScanOptions {
    int threads = 0;      // worker threads, each with its own inference sessions; 0 = all cores
    bool rescan = false;  // process every file even if unchanged
    bool crops = false;   // every image is one face crop (no detector)
    int video_frame_step = 5;         // analyze every N-th frame of a video
    int max_video_frames = 2000;      // at most this many sampled frames per video (0 = no limit)
    float track_max_distance = 0.6f;  // dlib distance for a face to continue a track
    float track_min_iou = 0.2f;       // box overlap alternative for a track continuation
    int thumbnail_size = 160;
    int thumbnail_quality = 85;
    vision::AnalyzeOptions analyze;
    // An attribute model run in the workers on the pixels each photo or frame was decoded to;
    // its probabilities are stored with the faces, in the photo's transaction. null = none.
    std::shared_ptr<const attr::AttributeModel> attribute_model;
    void validate() const;
};

// One entry of a crops manifest (CSV with `file`, optional `photo`, `date`). A relative `file`
// resolves beside the CSV, or in the `images/` folder beside it when only that one exists (the
// layout of labels.csv + images/ of the labelled data sets).
struct CropEntry {
    std::filesystem::path file;
    std::string photo;  // crops with the same photo came from one picture
    std::string date;   // ISO date, optional
};
std::vector<CropEntry> read_crops_manifest(const std::filesystem::path& csv);

struct ScanEvent {
    enum class Kind { kProcessed, kUnchanged, kMoved, kSkipped, kDeleted };
    Kind kind = Kind::kProcessed;
    std::filesystem::path path;
    int faces = 0;
    std::string reason;     // kSkipped
    std::size_t done = 0;   // files finished so far
    std::size_t total = 0;  // files found
};

struct ScanSummary {
    std::size_t found = 0;
    std::size_t photos = 0;             // images processed this run
    std::size_t videos = 0;             // videos processed this run
    std::size_t faces = 0;              // faces stored this run
    std::size_t attribute_faces = 0;    // with attribute_model: faces labelled this run
    std::size_t attribute_skipped = 0;  // faces it found no features for
    std::size_t unchanged = 0;
    std::size_t moved = 0;
    std::size_t deleted = 0;
    std::vector<std::pair<std::string, std::string>> skipped;  // path, reason
    // Weight files this run read and validated (once for all workers; 0 when nothing was
    // analyzed or an earlier scan of this Scanner had parsed them), and the time it took.
    std::size_t model_files_parsed = 0;
    double model_parse_seconds = 0;
    double seconds = 0;
    bool cancelled = false;
};

// Return false to cancel (the current photos finish and are committed).
using ScanCallback = std::function<bool(const ScanEvent&)>;

class Scanner {
  public:
    Scanner(catalog::Catalog& catalog, const nn::ModelManifest& models, ScanOptions options);
    // Folders and files (media found by content).
    ScanSummary scan(const std::vector<std::filesystem::path>& roots,
                     const ScanCallback& on_event = {});
    // Face crops: folders of images or a manifest CSV.
    ScanSummary scan_crops(const std::vector<CropEntry>& crops, const ScanCallback& on_event = {});
    // The weights parsed by the last scan (shared by its workers; reused by the next scan), or
    // null when no scan had a file to analyze.
    std::shared_ptr<const vision::ModelSet> model_set() const { return model_set_; }

  private:
    catalog::Catalog& catalog_;
    const nn::ModelManifest& models_;
    ScanOptions options_;
    std::shared_ptr<const vision::ModelSet> model_set_;
};

}  // namespace faceatlas::pipeline
