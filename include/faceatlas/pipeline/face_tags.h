// Face tags other programs wrote: Metadata Working Group regions (mwg-rs:RegionList, written by
// digiKam, Lightroom, Picasa, Immich and `faceatlas export --xmp`) and Microsoft Photo regions
// (MP:RegionInfo), read from the photo's embedded XMP and from its `.xmp` sidecar, matched to
// the catalog's faces; named regions pin their face to the person of that name.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "faceatlas/catalog/catalog.h"
#include "faceatlas/nn/model_manifest.h"
#include "faceatlas/vision/analyzer.h"

namespace faceatlas::pipeline {

// One face region, normalised to the image a viewer shows (after EXIF orientation):
// top-left x, y and size w, h in [0, 1].
struct TagRegion {
    std::optional<std::string> name;  // trimmed, line breaks and control characters as spaces
    double x = 0, y = 0, w = 0, h = 0;
    std::string format;  // "mwg" or "mp"
};

struct ParsedRegions {
    std::vector<TagRegion> regions;
    // Regions left out and oddities, each with the reason ("region 3: zero size", ...).
    std::vector<std::string> problems;
};

// The face regions of one XMP packet for an image shown as display_width x display_height
// after EXIF orientation `orientation` (1..8). MWG regions are taken as given in the displayed
// image (the MWG guideline; digiKam, Picasa and faceatlas write them so), except when their
// AppliedToDimensions are the stored image's (width and height swapped against the displayed
// image by an orientation of 5..8): then they were drawn on the stored pixels and are rotated.
// MWG regions win over MP regions of the same packet. Non-face regions (Pet, Focus, BarCode)
// are left out. Throws Error(kCorruptData) when the packet is not XML/XMP.
ParsedRegions parse_face_regions(const std::string& xmp_packet, int display_width,
                                 int display_height, int orientation);

// The sidecars that may belong to `photo` (`IMG_1.NEF.xmp`, then `IMG_1.xmp`; any case of
// ".xmp"), those that exist, in that order; with `sidecar_dir`, also the place `export --xmp
// --out DIR` writes to.
std::vector<std::filesystem::path> find_sidecars(const std::filesystem::path& photo,
                                                 const std::filesystem::path& sidecar_dir = {});

struct TagImportOptions {
    // Only photos under these folders or files (absolute or relative to the current folder);
    // empty = every photo of the catalog.
    std::vector<std::filesystem::path> roots;
    // Where `export --xmp --out DIR` put the sidecars (empty: beside the photos only).
    std::filesystem::path sidecar_dir;
    // A region matches a detected face when their boxes overlap by at least this IoU, or when
    // the face's box lies mostly inside the region (intersection >= 0.7 of the face) and the
    // region is at most 6x the face's area (tag boxes are often drawn around the whole head).
    double min_iou = 0.3;
    // Networks to analyze regions no detected face matches (a face is made from the region's
    // box, landmarked and embedded); null = such regions are reported and left out.
    const nn::ModelManifest* models = nullptr;
    vision::AnalyzeOptions analyze;  // for those regions (crops mode is set by the import)
    int thumbnail_size = 160;
    int thumbnail_quality = 85;
    void validate() const;
};

struct TagImportResult {
    std::size_t photos = 0;            // photos whose tags were looked for
    std::size_t photos_with_tags = 0;  // of those, with at least one face region
    std::size_t regions = 0;           // face regions read
    std::size_t matched = 0;           // regions matched to a detected face
    std::size_t created = 0;           // faces made from a region's box
    std::size_t named = 0;             // faces pinned to a person by a named region this run
    std::size_t already = 0;           // named regions whose face was already that person's
    std::size_t persons_created = 0;   // persons created for names not in the catalog
    std::size_t persons_joined = 0;    // existing persons that got faces from tags
    // (file, reason): regions and files left out, conflicts with the user's corrections.
    std::vector<std::pair<std::string, std::string>> ignored;
    // (file, note): sidecars preferred over others, names cleaned up.
    std::vector<std::pair<std::string, std::string>> notes;
};

// Reads the face tags of the catalog's photos and applies them: each region is matched to a
// detected face of its photo (or becomes one); a named region pins its face to the person of
// that name, created when no person has it, so the next `cluster` keeps it and grows it with
// similar faces. A face the user pinned to another person, or marked "not this person", keeps
// the user's decision (reported). Running it twice changes nothing the second time. Photos are
// never written. Throws only for a catalog failure.
TagImportResult import_face_tags(catalog::Catalog& catalog, const TagImportOptions& options);

}  // namespace faceatlas::pipeline
