// XMP sidecars with face regions in the Metadata Working Group format (mwg-rs:Regions, read by
// digiKam, Lightroom and Immich). Original images are never opened for writing: only
// `<photo>.xmp` files are written, and an existing sidecar is merged into (its other XMP
// properties are kept; its mwg-rs:Regions are replaced by faceatlas's).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "faceatlas/catalog/catalog.h"

namespace faceatlas::report {

struct FaceRegion {
    std::optional<std::string> name;    // person name; no mwg-rs:Name when absent
    double x = 0, y = 0, w = 0, h = 0;  // normalised centre x/y and size, in [0, 1]
};

// Returns `existing` (an XMP packet, or empty) with its mwg-rs:Regions replaced by `regions`
// for an image of width x height pixels (AppliedToDimensions). Throws faceatlas::Error
// (kCorruptData) when `existing` is not valid XMP.
std::string merge_face_regions(const std::string& existing, int width, int height,
                               const std::vector<FaceRegion>& regions);

// Regions of the faces of one photo that belong to a person; boxes are clipped to the image
// and given in the displayed (EXIF-oriented) image, as faceatlas detected them.
std::vector<FaceRegion> face_regions(const catalog::PhotoRecord& photo,
                                     const std::vector<catalog::FaceRecord>& faces,
                                     const std::vector<catalog::PersonRecord>& persons);

struct XmpExportOptions {
    // Empty: `<photo>.xmp` next to each photo. Otherwise sidecars go under this folder at the
    // photo's absolute path (out_dir/home/me/Pictures/a.jpg.xmp), for read-only photo folders.
    std::filesystem::path out_dir;
};

struct XmpExportResult {
    int written = 0;                 // sidecars written (created or merged)
    int merged = 0;                  // of those, sidecars that existed before
    int photos_without_persons = 0;  // photos skipped: no face of theirs belongs to a person
    std::vector<std::pair<std::string, std::string>> failures;  // photo path, reason
};

// Writes one sidecar per image (videos are skipped) that has faces assigned to persons.
XmpExportResult write_xmp_sidecars(catalog::Catalog& catalog, const XmpExportOptions& options = {});

// Where the sidecar of `photo_path` goes.
std::filesystem::path sidecar_path(const std::filesystem::path& photo_path,
                                   const XmpExportOptions& options);

}  // namespace faceatlas::report
