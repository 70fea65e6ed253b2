#include "faceatlas/pipeline/media.h"

#include <xxhash.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exiv2/exiv2.hpp>
#include <fstream>
#include <map>
#include <set>

#include "faceatlas/core/error.h"

namespace fs = std::filesystem;

namespace faceatlas::pipeline {

const char* to_string(MediaType t) {
    switch (t) {
        case MediaType::kNone:
            return "none";
        case MediaType::kJpeg:
            return "jpeg";
        case MediaType::kPng:
            return "png";
        case MediaType::kWebp:
            return "webp";
        case MediaType::kBmp:
            return "bmp";
        case MediaType::kTiff:
            return "tiff";
        case MediaType::kGif:
            return "gif";
        case MediaType::kHeif:
            return "heif";
        case MediaType::kAvif:
            return "avif";
        case MediaType::kRaw:
            return "raw";
        case MediaType::kMp4:
            return "mp4";
        case MediaType::kMov:
            return "mov";
        case MediaType::kAvi:
            return "avi";
        case MediaType::kMkv:
            return "mkv";
        case MediaType::kWebm:
            return "webm";
    }
    return "none";
}

bool is_video(MediaType t) {
    return t == MediaType::kMp4 || t == MediaType::kMov || t == MediaType::kAvi ||
           t == MediaType::kMkv || t == MediaType::kWebm;
}

bool is_image(MediaType t) { return t != MediaType::kNone && !is_video(t); }

MediaType sniff_media_type(const fs::path& path) {
    std::array<unsigned char, 64> head{};
    std::ifstream in(path, std::ios::binary);
    if (!in) return MediaType::kNone;
    in.read(reinterpret_cast<char*>(head.data()), head.size());
    return classify_media(head.data(), static_cast<std::size_t>(in.gcount()), path);
}

MediaType classify_media(const unsigned char* head, std::size_t n, const fs::path& name) {
    const MediaType t = sniff_media_type(head, n);
    if (t == MediaType::kTiff && media_type_from_extension(name) == MediaType::kRaw)
        return MediaType::kRaw;
    return t;
}

namespace {

// The `ftyp` box at the start of an ISO-BMFF file: major brand and the compatible brands that
// lie within the bytes read.
MediaType classify_ftyp(const unsigned char* h, std::size_t n) {
    std::size_t box = n >= 4 ? (std::size_t{h[0]} << 24 | std::size_t{h[1]} << 16 |
                                std::size_t{h[2]} << 8 | std::size_t{h[3]})
                             : 0;
    box = std::min(box, n);
    auto brand = [&](std::size_t at) {
        return std::string(reinterpret_cast<const char*>(h + at), 4);
    };
    if (n < 12) return MediaType::kMp4;
    const std::string major = brand(8);
    std::set<std::string> brands{major};
    for (std::size_t at = 16; at + 4 <= box; at += 4) brands.insert(brand(at));
    static const std::set<std::string> kHeifBrands{"heic", "heix", "heim", "heis", "hevc", "hevx",
                                                   "hevm", "hevs", "mif1", "msf1", "mif2", "mif3"};
    if (major == "avif" || major == "avis") return MediaType::kAvif;
    if (major == "crx ") return MediaType::kRaw;  // Canon CR3
    if (kHeifBrands.count(major))
        return brands.count("avif") || brands.count("avis") ? MediaType::kAvif : MediaType::kHeif;
    if (major == "qt  ") return MediaType::kMov;
    return MediaType::kMp4;
}

}  // namespace

MediaType sniff_media_type(const unsigned char* h, std::size_t n) {
    auto starts = [&](const char* sig, std::size_t len, std::size_t at = 0) {
        return n >= at + len && std::memcmp(h + at, sig, len) == 0;
    };
    if (starts("\xFF\xD8\xFF", 3)) return MediaType::kJpeg;
    if (starts("\x89PNG\r\n\x1a\n", 8)) return MediaType::kPng;
    if (starts("RIFF", 4) && starts("WEBP", 4, 8)) return MediaType::kWebp;
    if (starts("RIFF", 4) && starts("AVI ", 4, 8)) return MediaType::kAvi;
    if (starts("BM", 2) && n >= 14) return MediaType::kBmp;
    // Camera RAW formats with a header of their own (the TIFF-based rest: classify_media).
    if (starts("FUJIFILMCCD-RAW", 15)) return MediaType::kRaw;                                // RAF
    if (starts("IIRO", 4) || starts("IIRS", 4) || starts("MMOR", 4)) return MediaType::kRaw;  // ORF
    if (starts("IIU\0", 4)) return MediaType::kRaw;                                           // RW2
    if (starts("\0MRM", 4) || starts("FOVb", 4)) return MediaType::kRaw;       // MRW, X3F
    if (starts("II*\0", 4) && starts("CR\x02", 3, 8)) return MediaType::kRaw;  // CR2
    if (starts("II*\0", 4) || starts("MM\0*", 4)) return MediaType::kTiff;
    if (starts("GIF87a", 6) || starts("GIF89a", 6)) return MediaType::kGif;
    if (starts("ftyp", 4, 4)) return classify_ftyp(h, n);
    if (starts("\x1A\x45\xDF\xA3", 4)) {
        // EBML: Matroska or WebM; the doctype string appears early in the header.
        const std::string head(reinterpret_cast<const char*>(h), n);
        return head.find("webm") != std::string::npos ? MediaType::kWebm : MediaType::kMkv;
    }
    if (starts("moov", 4, 4) || starts("mdat", 4, 4) || starts("wide", 4, 4))
        return MediaType::kMov;
    return MediaType::kNone;
}

MediaType media_type_from_extension(const fs::path& p) {
    std::string e = p.extension().string();
    std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return std::tolower(c); });
    if (e == ".jpg" || e == ".jpeg" || e == ".jpe" || e == ".jfif") return MediaType::kJpeg;
    if (e == ".png") return MediaType::kPng;
    if (e == ".webp") return MediaType::kWebp;
    if (e == ".bmp" || e == ".dib") return MediaType::kBmp;
    if (e == ".tif" || e == ".tiff") return MediaType::kTiff;
    if (e == ".gif") return MediaType::kGif;
    if (e == ".heic" || e == ".heif" || e == ".hif" || e == ".heics") return MediaType::kHeif;
    if (e == ".avif") return MediaType::kAvif;
    static const std::set<std::string> kRawExtensions{
        ".dng", ".cr2", ".cr3", ".crw", ".nef", ".nrw", ".arw", ".srf", ".sr2",
        ".raf", ".orf", ".rw2", ".rwl", ".pef", ".ptx", ".srw", ".erf", ".kdc",
        ".dcr", ".mos", ".mef", ".mrw", ".3fr", ".fff", ".iiq", ".x3f", ".raw"};
    if (kRawExtensions.count(e)) return MediaType::kRaw;
    if (e == ".mp4" || e == ".m4v") return MediaType::kMp4;
    if (e == ".mov" || e == ".qt") return MediaType::kMov;
    if (e == ".avi") return MediaType::kAvi;
    if (e == ".mkv") return MediaType::kMkv;
    if (e == ".webm") return MediaType::kWebm;
    return MediaType::kNone;
}

namespace {

std::int64_t to_epoch(fs::file_time_type t) {
    // gcc 12 has no clock_cast; file_clock and system_clock tick together, so shift by "now".
    const auto sys = std::chrono::system_clock::now() + (t - fs::file_time_type::clock::now());
    return std::chrono::duration_cast<std::chrono::seconds>(sys.time_since_epoch()).count();
}

class Walker {
  public:
    explicit Walker(const WalkOptions& o) : opts_(o) {}

    void visit(const fs::path& p, int depth) {
        std::error_code ec;
        const auto st = opts_.follow_symlinks ? fs::status(p, ec) : fs::symlink_status(p, ec);
        if (ec) {
            // Broken symlink or vanished file.
            if (media_type_from_extension(p) != MediaType::kNone || depth == 0)
                out_.skipped.push_back({p, "cannot access: " + ec.message()});
            return;
        }
        if (fs::is_directory(st)) {
            const auto canon = fs::canonical(p, ec);
            if (ec || !seen_dirs_.insert(canon.string()).second) return;  // loop or duplicate root
            fs::directory_iterator it(p, fs::directory_options::none, ec);
            if (ec) {
                out_.skipped.push_back({p, "cannot list folder: " + ec.message()});
                return;
            }
            std::vector<fs::path> children;
            for (; it != fs::directory_iterator(); it.increment(ec)) {
                if (ec) break;
                children.push_back(it->path());
            }
            std::sort(children.begin(), children.end());
            for (const auto& c : children) visit(c, depth + 1);
            return;
        }
        if (!fs::is_regular_file(st)) return;
        const auto canon = fs::weakly_canonical(p, ec);
        if (!seen_files_.insert((ec ? p : canon).string()).second) return;
        const MediaType by_name = media_type_from_extension(p);
        MediaFile f;
        f.path = fs::absolute(p, ec).lexically_normal();
        f.size = static_cast<std::int64_t>(fs::file_size(p, ec));
        f.mtime = to_epoch(fs::last_write_time(p, ec));
        std::array<unsigned char, 64> head{};
        std::ifstream in(p, std::ios::binary);
        if (!in) {
            if (by_name != MediaType::kNone || depth == 0)
                out_.skipped.push_back({f.path, "cannot open: permission denied"});
            return;
        }
        in.read(reinterpret_cast<char*>(head.data()), head.size());
        const auto n = static_cast<std::size_t>(in.gcount());
        f.type = classify_media(head.data(), n, p);
        if (f.type == MediaType::kNone) {
            if (by_name != MediaType::kNone || depth == 0)
                out_.skipped.push_back(
                    {f.path, f.size == 0 ? "empty file"
                                         : std::string("named like ") + to_string(by_name) +
                                               " but the content is not a known image or video"});
            return;
        }
        out_.files.push_back(std::move(f));
    }

    WalkResult take() {
        std::sort(out_.files.begin(), out_.files.end(),
                  [](const MediaFile& a, const MediaFile& b) { return a.path < b.path; });
        return std::move(out_);
    }

  private:
    WalkOptions opts_;
    WalkResult out_;
    std::set<std::string> seen_dirs_;
    std::set<std::string> seen_files_;
};

}  // namespace

WalkResult walk_media(const std::vector<fs::path>& roots, const WalkOptions& options) {
    options.validate();
    Walker w(options);
    for (const auto& r : roots) w.visit(r, 0);
    return w.take();
}

std::vector<SkipGroup> group_skips(
    const std::vector<std::pair<std::string, std::string>>& skipped) {
    std::vector<SkipGroup> out;
    std::map<std::string, std::size_t> at;
    for (const auto& [path, reason] : skipped) {
        auto [it, fresh] = at.emplace(reason, out.size());
        if (fresh) out.push_back({reason, {}});
        out[it->second].paths.push_back(path);
    }
    std::stable_sort(out.begin(), out.end(), [](const SkipGroup& a, const SkipGroup& b) {
        if (a.paths.size() != b.paths.size()) return a.paths.size() > b.paths.size();
        return a.reason < b.reason;
    });
    return out;
}

std::string content_hash(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(ErrorCode::kIo, "cannot open for hashing", path.string(),
                    "check that it exists and is readable");
    XXH3_state_t* state = XXH3_createState();
    XXH3_128bits_reset(state);
    std::vector<char> buf(1 << 20);
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        const auto got = in.gcount();
        if (got > 0) XXH3_128bits_update(state, buf.data(), static_cast<std::size_t>(got));
    }
    const bool bad = in.bad();
    const XXH128_hash_t h = XXH3_128bits_digest(state);
    XXH3_freeState(state);
    if (bad) throw Error(ErrorCode::kIo, "read failed while hashing", path.string());
    char hex[33];
    std::snprintf(hex, sizeof hex, "%016llx%016llx", static_cast<unsigned long long>(h.high64),
                  static_cast<unsigned long long>(h.low64));
    return hex;
}

std::optional<double> CaptureDate::year() const {
    if (!iso || iso->size() < 10) return std::nullopt;
    int y = 0, m = 1, d = 1;
    if (std::sscanf(iso->c_str(), "%d-%d-%d", &y, &m, &d) < 1) return std::nullopt;
    static constexpr int kCum[] = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334};
    const int doy = kCum[std::clamp(m, 1, 12) - 1] + std::clamp(d, 1, 31) - 1;
    return y + doy / 365.25;
}

namespace {

// "2019:07:14 10:22:01" or "2019-07-14T10:22:01+02:00" -> "2019-07-14T10:22:01".
std::optional<std::string> normalize_date(std::string s) {
    int y, mo, d, h = 0, mi = 0, se = 0;
    for (char& c : s)
        if (c == ':' || c == 'T' || c == '-') c = ' ';
    const int n = std::sscanf(s.c_str(), "%d %d %d %d %d %d", &y, &mo, &d, &h, &mi, &se);
    if (n < 3 || y < 1800 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > 31) return std::nullopt;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", y, mo, d, h, mi, se);
    return std::string(buf);
}

}  // namespace

CaptureDate read_capture_date(const fs::path& path, std::int64_t file_mtime) {
    CaptureDate out;
    try {
#ifdef EXV_ENABLE_BMFF
        Exiv2::enableBMFF(true);  // HEIC/AVIF/CR3 metadata (off by default in exiv2 0.27)
#endif
        auto image = Exiv2::ImageFactory::open(path.string());
        if (image.get() != nullptr) {
            image->readMetadata();
            const auto& exif = image->exifData();
            for (const char* key : {"Exif.Photo.DateTimeOriginal", "Exif.Photo.DateTimeDigitized",
                                    "Exif.Image.DateTime"}) {
                auto it = exif.findKey(Exiv2::ExifKey(key));
                if (it != exif.end()) {
                    if (auto d = normalize_date(it->toString())) {
                        out.iso = d;
                        out.source = "exif";
                        return out;
                    }
                }
            }
            const auto& xmp = image->xmpData();
            for (const char* key :
                 {"Xmp.exif.DateTimeOriginal", "Xmp.photoshop.DateCreated", "Xmp.xmp.CreateDate"}) {
                auto it = xmp.findKey(Exiv2::XmpKey(key));
                if (it != xmp.end()) {
                    if (auto d = normalize_date(it->toString())) {
                        out.iso = d;
                        out.source = "xmp";
                        return out;
                    }
                }
            }
        }
    } catch (const std::exception&) {
        // Unsupported or damaged metadata: fall back to the file time.
    }
    const std::time_t t = static_cast<std::time_t>(file_mtime);
    std::tm tm{};
    if (gmtime_r(&t, &tm)) {
        char buf[32];
        std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
        out.iso = buf;
        out.source = "file";
    }
    return out;
}

}  // namespace faceatlas::pipeline
