#include "faceatlas/pipeline/face_tags.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <exiv2/exiv2.hpp>
#include <fstream>
#include <map>
#include <memory>
#include <opencv2/core.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "faceatlas/core/error.h"
#include "faceatlas/pipeline/decode.h"
#include "faceatlas/pipeline/media.h"
#include "faceatlas/pipeline/records.h"
#include "faceatlas/vision/model_set.h"

namespace fs = std::filesystem;

namespace faceatlas::pipeline {

void TagImportOptions::validate() const {
    if (!(min_iou > 0 && min_iou <= 1))
        throw Error(ErrorCode::kInvalidArgument, "min_iou must be in (0, 1]", "TagImportOptions");
    if (thumbnail_size < 16 || thumbnail_size > 1024)
        throw Error(ErrorCode::kInvalidArgument, "thumbnail_size must be in [16, 1024]",
                    "TagImportOptions");
    if (thumbnail_quality < 1 || thumbnail_quality > 100)
        throw Error(ErrorCode::kInvalidArgument, "thumbnail_quality must be in [1, 100]",
                    "TagImportOptions");
    analyze.validate();
}

namespace {

struct Box {
    double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
    double area() const { return std::max(0.0, x1 - x0) * std::max(0.0, y1 - y0); }
};

double intersection(const Box& a, const Box& b) {
    return Box{std::max(a.x0, b.x0), std::max(a.y0, b.y0), std::min(a.x1, b.x1),
               std::min(a.y1, b.y1)}
        .area();
}

std::optional<double> number(const std::string& s) {
    try {
        std::size_t used = 0;
        const double v = std::stod(s, &used);
        if (!std::isfinite(v)) return std::nullopt;
        return v;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

// A name as a person's name: trimmed, control characters (line breaks, tabs) as single spaces.
std::string clean_name(const std::string& raw) {
    std::string out;
    bool space = false;
    for (unsigned char c : raw) {
        if (c < 0x20 || c == 0x7F || c == ' ') {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += static_cast<char>(c);
    }
    return out;
}

// A point of the stored image (normalised u, v) in the displayed image for EXIF orientation o.
std::pair<double, double> to_display(double u, double v, int o) {
    switch (o) {
        case 2:
            return {1 - u, v};
        case 3:
            return {1 - u, 1 - v};
        case 4:
            return {u, 1 - v};
        case 5:
            return {v, u};
        case 6:
            return {1 - v, u};
        case 7:
            return {1 - v, 1 - u};
        case 8:
            return {v, 1 - u};
        default:
            return {u, v};
    }
}

struct RawRegion {
    std::map<std::string, std::string> fields;
};

}  // namespace

ParsedRegions parse_face_regions(const std::string& packet, int display_w, int display_h,
                                 int orientation) {
    ParsedRegions out;
    Exiv2::XmpData xmp;
    if (packet.empty()) return out;
    if (Exiv2::XmpParser::decode(xmp, packet) != 0)
        throw Error(ErrorCode::kCorruptData, "the XMP is not valid XML/RDF", "",
                    "fix the file in the program that wrote it, or move it away");
    // Xmp.mwg-rs.Regions/mwg-rs:RegionList[3]/mwg-rs:Area/stArea:x -> region 3, "Area/x".
    static const std::regex kMwg(
        R"(^Xmp\.mwg-rs\.Regions/mwg-rs:RegionList\[(\d+)\]/mwg-rs:(Name|Type|Area/stArea:(?:x|y|w|h|unit)))");
    static const std::regex kMwgDim(
        R"(^Xmp\.mwg-rs\.Regions/mwg-rs:AppliedToDimensions/stDim:(w|h|unit)$)");
    static const std::regex kMp(
        R"(^Xmp\.MP\.RegionInfo/MPRI:Regions\[(\d+)\]/MPReg:(Rectangle|PersonDisplayName)$)");
    std::map<int, RawRegion> mwg, mp;
    std::map<std::string, std::string> dims;
    for (const auto& d : xmp) {
        const std::string key = d.key();
        std::smatch m;
        if (std::regex_search(key, m, kMwg)) {
            std::string field = m[2];
            if (field.rfind("Area/stArea:", 0) == 0) field = "Area/" + field.substr(12);
            mwg[std::stoi(m[1])].fields[field] = d.toString();
        } else if (std::regex_search(key, m, kMwgDim)) {
            dims[m[1]] = d.toString();
        } else if (std::regex_search(key, m, kMp)) {
            mp[std::stoi(m[1])].fields[m[2]] = d.toString();
        }
    }
    // Were the MWG regions drawn on the stored pixels (AppliedToDimensions of the unrotated
    // image) rather than on the displayed image?
    bool stored_frame = false;
    if (orientation >= 5 && orientation <= 8 && display_w != display_h && dims.count("w") &&
        dims.count("h")) {
        const auto w = number(dims["w"]), h = number(dims["h"]);
        if (w && h && std::lround(*w) == display_h && std::lround(*h) == display_w)
            stored_frame = true;
    }
    auto add = [&](const std::string& what, double x, double y, double w, double h,
                   std::optional<std::string> name, const std::string& format, bool rotate) {
        if (!(w > 0) || !(h > 0)) {
            out.problems.push_back(what + ": zero or negative size, left out");
            return;
        }
        if (rotate) {
            const auto a = to_display(x, y, orientation), b = to_display(x + w, y + h, orientation);
            x = std::min(a.first, b.first);
            y = std::min(a.second, b.second);
            w = std::abs(a.first - b.first);
            h = std::abs(a.second - b.second);
        }
        Box box{x, y, x + w, y + h};
        const Box clipped{std::max(0.0, box.x0), std::max(0.0, box.y0), std::min(1.0, box.x1),
                          std::min(1.0, box.y1)};
        if (clipped.area() <= 0.25 * box.area() || clipped.area() <= 0) {
            out.problems.push_back(what + ": box lies outside the image, left out");
            return;
        }
        if (clipped.area() < box.area() * 0.999)
            out.problems.push_back(what + ": box reaches outside the image, clipped");
        TagRegion r;
        if (name) {
            const std::string c = clean_name(*name);
            if (c != *name && !c.empty())
                out.problems.push_back(what + ": name \"" + c +
                                       "\" had line breaks, tabs or outer spaces, cleaned");
            if (!c.empty()) r.name = c;
        }
        r.x = clipped.x0;
        r.y = clipped.y0;
        r.w = clipped.x1 - clipped.x0;
        r.h = clipped.y1 - clipped.y0;
        r.format = format;
        out.regions.push_back(std::move(r));
    };
    for (auto& [index, r] : mwg) {
        auto& f = r.fields;
        const std::string what = "MWG region " + std::to_string(index);
        const std::string type = f.count("Type") ? f["Type"] : "Face";
        if (type != "Face") {
            out.problems.push_back(what + ": type " + type + ", not a face, left out");
            continue;
        }
        const auto x = number(f["Area/x"]), y = number(f["Area/y"]), w = number(f["Area/w"]),
                   h = number(f["Area/h"]);
        if (!x || !y || !w || !h) {
            out.problems.push_back(what + ": no complete Area (x, y, w, h), left out");
            continue;
        }
        double cx = *x, cy = *y, ww = *w, hh = *h;
        const std::string unit = f.count("Area/unit") ? f["Area/unit"] : "normalized";
        if (unit == "pixel") {  // not in the guideline, but written by some tools
            const auto dw = number(dims["w"]), dh = number(dims["h"]);
            if (!dw || !dh || *dw <= 0 || *dh <= 0) {
                out.problems.push_back(what + ": pixel area without AppliedToDimensions, left out");
                continue;
            }
            cx /= *dw;
            ww /= *dw;
            cy /= *dh;
            hh /= *dh;
        }
        std::optional<std::string> name;
        if (f.count("Name")) name = f["Name"];
        // MWG: x, y is the centre of the area.
        add(what, cx - ww / 2, cy - hh / 2, ww, hh, name, "mwg", stored_frame);
    }
    if (!mwg.empty()) {
        if (!mp.empty())
            out.problems.push_back("MP regions left out: the same XMP has MWG regions");
        return out;
    }
    for (auto& [index, r] : mp) {
        auto& f = r.fields;
        const std::string what = "MP region " + std::to_string(index);
        std::vector<double> v;
        std::string rect = f["Rectangle"];
        std::replace(rect.begin(), rect.end(), ',', ' ');
        std::istringstream is(rect);
        for (double d; is >> d;) v.push_back(d);
        if (v.size() != 4 ||
            !std::all_of(v.begin(), v.end(), [](double d) { return std::isfinite(d); })) {
            out.problems.push_back(what + ": Rectangle is not \"x, y, w, h\", left out");
            continue;
        }
        std::optional<std::string> name;
        if (f.count("PersonDisplayName")) name = f["PersonDisplayName"];
        add(what, v[0], v[1], v[2], v[3], name, "mp", false);  // MP: top-left x, y
    }
    return out;
}

std::vector<fs::path> find_sidecars(const fs::path& photo, const fs::path& sidecar_dir) {
    std::vector<fs::path> candidates;
    auto both_cases = [&](fs::path base) {
        fs::path lower = base, upper = base;
        lower += ".xmp";
        upper += ".XMP";
        candidates.push_back(lower);
        candidates.push_back(upper);
    };
    both_cases(photo);  // IMG_1.NEF.xmp (digiKam, darktable, faceatlas)
    fs::path stem = photo;
    stem.replace_extension();
    both_cases(stem);  // IMG_1.xmp (Lightroom, Capture One)
    if (!sidecar_dir.empty()) {
        fs::path side = photo;
        side += ".xmp";
        candidates.push_back(sidecar_dir / fs::absolute(side).relative_path());
    }
    std::vector<fs::path> out;
    std::set<std::string> seen;
    for (const auto& c : candidates) {
        std::error_code ec;
        if (!fs::is_regular_file(c, ec)) continue;
        // A case-insensitive file system finds IMG_1.xmp and IMG_1.XMP as one file.
        const auto canon = fs::weakly_canonical(c, ec).string();
        if (!seen.insert(ec ? c.string() : canon).second) continue;
        out.push_back(c);
    }
    return out;
}

namespace {

bool under(const std::string& path, const std::vector<std::string>& roots) {
    if (roots.empty()) return true;
    for (const auto& r : roots) {
        if (path == r) return true;
        if (path.size() > r.size() && path.compare(0, r.size(), r) == 0 &&
            (r.back() == '/' || path[r.size()] == '/'))
            return true;
    }
    return false;
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw Error(ErrorCode::kIo, "cannot read", p.string(), "check its permissions");
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The embedded XMP packet and EXIF orientation of a photo (both empty / 1 when it has none or
// exiv2 cannot read the format).
std::pair<std::string, int> embedded_xmp(const fs::path& photo) {
    try {
#ifdef EXV_ENABLE_BMFF
        Exiv2::enableBMFF(true);
#endif
        auto image = Exiv2::ImageFactory::open(photo.string());
        if (image.get() == nullptr) return {"", 1};
        image->readMetadata();
        int orientation = 1;
        const auto& exif = image->exifData();
        const auto it = exif.findKey(Exiv2::ExifKey("Exif.Image.Orientation"));
        if (it != exif.end() && it->count() > 0) orientation = static_cast<int>(it->toLong());
        if (orientation < 1 || orientation > 8) orientation = 1;
        return {image->xmpPacket(), orientation};
    } catch (const std::exception&) {
        return {"", 1};
    }
}

// Runs the analyzer on a region's box for regions no detected face matched.
class RegionAnalyzer {
  public:
    explicit RegionAnalyzer(const TagImportOptions& o) : o_(o) {}

    // A face from the region (box in displayed pixels), or nullopt with the reason in `why`.
    std::optional<catalog::FaceRecord> face(const catalog::PhotoRecord& photo, const Box& box,
                                            std::string& why) {
        if (!o_.models) {
            why = "no detected face here, and no models to analyze the region";
            return std::nullopt;
        }
        if (!analyzer_) {
            set_ = std::make_unique<vision::ModelSet>(*o_.models,
                                                      vision::ModelSet::analyzer_networks());
            analyzer_.emplace(vision::Analyzer::create(*set_));
        }
        if (decoded_path_ != photo.path) {
            decoded_ = decode_still(photo.path, sniff_media_type(fs::path(photo.path)));
            decoded_path_ = photo.path;
        }
        if (decoded_.cols != photo.width || decoded_.rows != photo.height) {
            why = "the photo changed since it was scanned (scan it again)";
            return std::nullopt;
        }
        const cv::Rect rect = cv::Rect(cv::Point(static_cast<int>(std::floor(box.x0)),
                                                 static_cast<int>(std::floor(box.y0))),
                                       cv::Point(static_cast<int>(std::ceil(box.x1)),
                                                 static_cast<int>(std::ceil(box.y1)))) &
                              cv::Rect(0, 0, decoded_.cols, decoded_.rows);
        if (rect.width < 8 || rect.height < 8) {
            why = "region is smaller than 8x8 pixels";
            return std::nullopt;
        }
        auto opts = o_.analyze;
        opts.crops = true;
        std::vector<vision::FaceResult> faces;
        try {
            faces = analyzer_->analyze_image(decoded_(rect).clone(), opts);
        } catch (const Error& e) {
            why = "the region cannot be analyzed as a face: " + e.message();
            return std::nullopt;
        }
        if (faces.empty()) {
            why = "the region cannot be analyzed as a face";
            return std::nullopt;
        }
        auto& f = faces.front();
        f.box = {static_cast<float>(rect.x), static_cast<float>(rect.y),
                 static_cast<float>(rect.width), static_cast<float>(rect.height)};
        for (auto& p : f.landmarks) {
            p[0] += static_cast<float>(rect.x);
            p[1] += static_cast<float>(rect.y);
        }
        CaptureDate date;
        date.iso = photo.taken_at;
        date.source = photo.date_source;
        RecordOptions ro;
        ro.thumbnail_size = o_.thumbnail_size;
        ro.thumbnail_quality = o_.thumbnail_quality;
        return make_face_record(f, date, ro);
    }

  private:
    const TagImportOptions& o_;
    std::unique_ptr<vision::ModelSet> set_;
    std::optional<vision::Analyzer> analyzer_;
    std::string decoded_path_;
    cv::Mat decoded_;
};

}  // namespace

TagImportResult import_face_tags(catalog::Catalog& cat, const TagImportOptions& o) {
    o.validate();
    TagImportResult r;
    std::vector<std::string> roots;
    for (const auto& p : o.roots) {
        std::error_code ec;
        roots.push_back(fs::absolute(p, ec).lexically_normal().string());
    }
    std::map<std::string, std::int64_t> person_by_name;
    std::map<std::int64_t, std::string> name_of;
    for (const auto& p : cat.persons())
        if (p.name && !p.name->empty()) {
            person_by_name.emplace(*p.name, p.id);
            name_of[p.id] = *p.name;
        }
    std::map<std::int64_t, std::int64_t> pinned;                 // face -> person (user's kIs)
    std::set<std::pair<std::int64_t, std::int64_t>> not_person;  // (face, person) kNot
    for (const auto& c : cat.person_constraints()) {
        if (c.kind == catalog::PersonConstraintKind::kIs)
            pinned[c.face_id] = c.person_id;
        else
            not_person.insert({c.face_id, c.person_id});
    }
    std::set<std::int64_t> joined, created_ids;
    RegionAnalyzer analyzer(o);

    for (const auto& photo : cat.photos()) {
        if (photo.status != catalog::MediaStatus::kOk || photo.kind != catalog::MediaKind::kImage ||
            photo.width <= 0 || photo.height <= 0 || !under(photo.path, roots))
            continue;
        ++r.photos;
        const fs::path path(photo.path);
        // Sidecar first (what digiKam and Lightroom read when there is one), else embedded.
        auto [packet, orientation] = embedded_xmp(path);
        std::string source = photo.path;
        const auto sidecars = find_sidecars(path, o.sidecar_dir);
        for (std::size_t k = 1; k < sidecars.size(); ++k)
            r.notes.emplace_back(
                sidecars[k].string(),
                "another sidecar of " + photo.path + " is read instead: " + sidecars[0].string());
        ParsedRegions parsed;
        bool read = false;
        if (!sidecars.empty()) {
            try {
                parsed = parse_face_regions(read_file(sidecars[0]), photo.width, photo.height,
                                            orientation);
                source = sidecars[0].string();
                read = true;
            } catch (const Error& e) {
                r.ignored.emplace_back(sidecars[0].string(),
                                       e.message() + (e.hint().empty() ? "" : "; " + e.hint()));
            }
        }
        if (!read || parsed.regions.empty()) {
            try {
                auto embedded = parse_face_regions(packet, photo.width, photo.height, orientation);
                if (!embedded.regions.empty() || !read) {
                    parsed = std::move(embedded);
                    source = photo.path;
                }
            } catch (const Error& e) {
                r.ignored.emplace_back(photo.path, "embedded XMP: " + e.message());
            }
        }
        for (const auto& p : parsed.problems) r.notes.emplace_back(source, p);
        if (parsed.regions.empty()) continue;
        ++r.photos_with_tags;
        r.regions += parsed.regions.size();

        auto faces = cat.faces_of_photo(photo.id);
        faces.erase(std::remove_if(faces.begin(), faces.end(),
                                   [](const catalog::FaceRecord& f) { return f.frame_index; }),
                    faces.end());
        const double W = photo.width, H = photo.height;
        std::vector<Box> region_box, face_box;
        for (const auto& t : parsed.regions)
            region_box.push_back({t.x * W, t.y * H, (t.x + t.w) * W, (t.y + t.h) * H});
        for (const auto& f : faces)
            face_box.push_back({f.box[0], f.box[1], f.box[0] + f.box[2], f.box[1] + f.box[3]});
        // Greedy one-to-one matching, best overlap first.
        struct Pair {
            double score;
            std::size_t region, face;
        };
        std::vector<Pair> pairs;
        for (std::size_t i = 0; i < region_box.size(); ++i)
            for (std::size_t j = 0; j < face_box.size(); ++j) {
                const double inter = intersection(region_box[i], face_box[j]);
                if (inter <= 0) continue;
                const double iou = inter / (region_box[i].area() + face_box[j].area() - inter);
                const bool inside = inter >= 0.7 * face_box[j].area() &&
                                    region_box[i].area() <= 6 * face_box[j].area();
                if (iou >= o.min_iou || inside) pairs.push_back({iou + (inside ? 1 : 0), i, j});
            }
        std::sort(pairs.begin(), pairs.end(),
                  [](const Pair& a, const Pair& b) { return a.score > b.score; });
        std::vector<std::optional<std::int64_t>> face_of(region_box.size());
        std::vector<bool> face_used(face_box.size(), false);
        for (const auto& p : pairs) {
            if (face_of[p.region] || face_used[p.face]) continue;
            face_of[p.region] = faces[p.face].id;
            face_used[p.face] = true;
            ++r.matched;
        }
        for (std::size_t i = 0; i < region_box.size(); ++i) {
            const auto& tag = parsed.regions[i];
            const std::string what = source + " (" +
                                     (tag.name ? "\"" + *tag.name + "\"" : "unnamed") + " region " +
                                     std::to_string(i + 1) + ")";
            if (!face_of[i]) {
                std::string why;
                auto face = analyzer.face(photo, region_box[i], why);
                if (!face) {
                    r.ignored.emplace_back(what, why);
                    continue;
                }
                face_of[i] = cat.add_faces(photo.id, {*face}).front();
                ++r.created;
            }
            if (!tag.name) continue;
            const std::int64_t face_id = *face_of[i];
            const auto known = person_by_name.find(*tag.name);
            if (const auto pin = pinned.find(face_id); pin != pinned.end()) {
                if (known != person_by_name.end() && known->second == pin->second) {
                    ++r.already;
                } else {
                    const auto n = name_of.find(pin->second);
                    r.ignored.emplace_back(
                        what, "the face is pinned to person " + std::to_string(pin->second) +
                                  (n != name_of.end() ? " (" + n->second + ")" : "") +
                                  " in faceatlas; the user's correction is kept");
                }
                continue;
            }
            if (known != person_by_name.end() && not_person.count({face_id, known->second})) {
                r.ignored.emplace_back(what, "the face was marked \"not " + *tag.name +
                                                 "\" in faceatlas; the user's correction is kept");
                continue;
            }
            std::int64_t person = 0;
            if (known != person_by_name.end()) {
                person = known->second;
                if (!created_ids.count(person)) joined.insert(person);
            } else {
                person = cat.create_person(*tag.name);
                created_ids.insert(person);
                person_by_name.emplace(*tag.name, person);
                name_of[person] = *tag.name;
                ++r.persons_created;
            }
            cat.pin_face(face_id, person);
            pinned[face_id] = person;
            ++r.named;
        }
    }
    r.persons_joined = joined.size();
    return r;
}

}  // namespace faceatlas::pipeline
