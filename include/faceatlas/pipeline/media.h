// Finding media in folders: recursive walk (symlink loops safe), type detection by content,
// content hashing (moved files keep their faces), capture dates (EXIF, XMP, file time).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace faceatlas::pipeline {

enum class MediaType {
    kNone,
    kJpeg,
    kPng,
    kWebp,
    kBmp,
    kTiff,
    kGif,
    kHeif,  // HEIC/HEIF still image (ISO-BMFF with an image brand: heic, heix, mif1, ...)
    kAvif,  // AV1 image file (ftyp avif/avis, or mif1 with an avif brand)
    kRaw,   // camera RAW: DNG, CR2/CR3, NEF, ARW, RAF, ORF, RW2, PEF, ...
    kMp4,
    kMov,
    kAvi,
    kMkv,
    kWebm
};

const char* to_string(MediaType t);
bool is_video(MediaType t);
bool is_image(MediaType t);

// Type from the first bytes of the file (64 are enough); kNone when no known signature matches.
// ISO-BMFF files are told apart by their `ftyp` brands: HEIF/AVIF image brands, Canon CR3
// (`crx `), else video (`qt  ` is QuickTime, the rest MP4). TIFF-based RAW formats whose header
// is a plain TIFF (DNG, NEF, ARW, PEF, ...) come back as kTiff: the name decides (next function).
MediaType sniff_media_type(const unsigned char* head, std::size_t n);
// The type of a file from its first bytes and, for a TIFF header, its name: a TIFF-structured
// file named like a camera RAW (.dng, .nef, .arw, ...) is kRaw.
MediaType classify_media(const unsigned char* head, std::size_t n,
                         const std::filesystem::path& name);
// classify_media on the file at `path`; kNone when it cannot be read or matches none.
MediaType sniff_media_type(const std::filesystem::path& path);
// Type suggested by the file name's extension (any case); kNone for other names.
MediaType media_type_from_extension(const std::filesystem::path& p);

struct MediaFile {
    std::filesystem::path path;  // absolute, lexically normal (not symlink-resolved)
    std::int64_t size = 0;
    std::int64_t mtime = 0;  // seconds since epoch
    MediaType type = MediaType::kNone;
};

struct SkippedFile {
    std::filesystem::path path;
    std::string reason;
};

// Skipped files grouped by reason (most files first, then the reason's text), so that 412 HEIC
// photos of a build without libheif read as one line, not 412.
struct SkipGroup {
    std::string reason;
    std::vector<std::string> paths;  // in the order given
};
std::vector<SkipGroup> group_skips(const std::vector<std::pair<std::string, std::string>>& skipped);

struct WalkOptions {
    bool follow_symlinks = true;  // directories reached twice (symlink loops) are visited once
    void validate() const {}
};

struct WalkResult {
    std::vector<MediaFile> files;      // sorted by path
    std::vector<SkippedFile> skipped;  // media-looking files that cannot be used, with the reason
};

// Walks files and folders (a root may be a file). Files are media when their content has an
// image/video signature; files named like media whose content is not are skipped with a reason;
// everything else is ignored. Never throws for unreadable entries: they are reported as skipped.
WalkResult walk_media(const std::vector<std::filesystem::path>& roots,
                      const WalkOptions& options = {});

// 128-bit XXH3 of the whole content as 32 hex digits. Throws faceatlas::Error(kIo) naming the
// file when it cannot be read.
std::string content_hash(const std::filesystem::path& path);

struct CaptureDate {
    std::optional<std::string> iso;  // "YYYY-MM-DDTHH:MM:SS" (local time as recorded)
    std::string source;              // "exif", "xmp", "file" or "" when nothing was found
    // Fractional year (e.g. 2019.54) for birth-year arithmetic; nullopt without a date.
    std::optional<double> year() const;
};

// EXIF DateTimeOriginal, then XMP (exif:DateTimeOriginal, photoshop:DateCreated, xmp:CreateDate),
// then the file's modification time. Never throws.
CaptureDate read_capture_date(const std::filesystem::path& path, std::int64_t file_mtime);

}  // namespace faceatlas::pipeline
