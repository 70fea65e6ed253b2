#include "faceatlas/report/xmp_sidecar.h"

#include <algorithm>
#include <exiv2/exiv2.hpp>
#include <fstream>
#include <map>
#include <sstream>

#include "faceatlas/core/error.h"

namespace faceatlas::report {
namespace fs = std::filesystem;

namespace {

constexpr const char* kRegions = "Xmp.mwg-rs.Regions";

std::string fmt(double v) {
    std::ostringstream s;
    s.precision(6);
    s << std::fixed << v;
    return s.str();
}

}  // namespace

std::string merge_face_regions(const std::string& existing, int width, int height,
                               const std::vector<FaceRegion>& regions) {
    Exiv2::XmpData xmp;
    if (!existing.empty() && Exiv2::XmpParser::decode(xmp, existing) != 0)
        throw Error(
            ErrorCode::kCorruptData, "existing XMP sidecar cannot be parsed", "",
            "fix or move the sidecar away; faceatlas does not overwrite what it cannot read");
    for (auto it = xmp.begin(); it != xmp.end();) {
        if (it->key().rfind(kRegions, 0) == 0)
            it = xmp.erase(it);
        else
            ++it;
    }
    const std::string base = std::string(kRegions) + "/mwg-rs:";
    xmp[base + "AppliedToDimensions/stDim:w"] = std::to_string(width);
    xmp[base + "AppliedToDimensions/stDim:h"] = std::to_string(height);
    xmp[base + "AppliedToDimensions/stDim:unit"] = "pixel";
    Exiv2::XmpTextValue bag;
    bag.setXmpArrayType(Exiv2::XmpValue::xaBag);
    xmp.add(Exiv2::XmpKey(base + "RegionList"), &bag);
    for (std::size_t i = 0; i < regions.size(); ++i) {
        const auto& r = regions[i];
        const std::string item = base + "RegionList[" + std::to_string(i + 1) + "]/mwg-rs:";
        if (r.name) xmp[item + "Name"] = *r.name;
        xmp[item + "Type"] = "Face";
        xmp[item + "Area/stArea:x"] = fmt(r.x);
        xmp[item + "Area/stArea:y"] = fmt(r.y);
        xmp[item + "Area/stArea:w"] = fmt(r.w);
        xmp[item + "Area/stArea:h"] = fmt(r.h);
        xmp[item + "Area/stArea:unit"] = "normalized";
    }
    std::string packet;
    if (Exiv2::XmpParser::encode(packet, xmp, Exiv2::XmpParser::useCompactFormat) != 0)
        throw Error(ErrorCode::kInternal, "cannot encode the XMP packet");
    return packet;
}

std::vector<FaceRegion> face_regions(const catalog::PhotoRecord& photo,
                                     const std::vector<catalog::FaceRecord>& faces,
                                     const std::vector<catalog::PersonRecord>& persons) {
    std::vector<FaceRegion> out;
    if (photo.width <= 0 || photo.height <= 0) return out;
    std::map<std::int64_t, const catalog::PersonRecord*> by_id;
    for (const auto& p : persons) by_id[p.id] = &p;
    const double W = photo.width, H = photo.height;
    for (const auto& f : faces) {
        if (!f.person_id || f.frame_index) continue;
        const double x0 = std::clamp(static_cast<double>(f.box[0]), 0.0, W);
        const double y0 = std::clamp(static_cast<double>(f.box[1]), 0.0, H);
        const double x1 = std::clamp(static_cast<double>(f.box[0] + f.box[2]), 0.0, W);
        const double y1 = std::clamp(static_cast<double>(f.box[1] + f.box[3]), 0.0, H);
        if (x1 <= x0 || y1 <= y0) continue;
        FaceRegion r;
        const auto it = by_id.find(*f.person_id);
        if (it != by_id.end() && it->second->name && !it->second->name->empty())
            r.name = it->second->name;
        r.x = (x0 + x1) / 2 / W;
        r.y = (y0 + y1) / 2 / H;
        r.w = (x1 - x0) / W;
        r.h = (y1 - y0) / H;
        out.push_back(std::move(r));
    }
    return out;
}

fs::path sidecar_path(const fs::path& photo_path, const XmpExportOptions& o) {
    fs::path side = photo_path;
    side += ".xmp";
    if (o.out_dir.empty()) return side;
    return o.out_dir / fs::absolute(side).relative_path();
}

XmpExportResult write_xmp_sidecars(catalog::Catalog& cat, const XmpExportOptions& o) {
    XmpExportResult r;
    const auto persons = cat.persons();
    for (const auto& photo : cat.photos()) {
        if (photo.status != catalog::MediaStatus::kOk || photo.kind != catalog::MediaKind::kImage)
            continue;
        const auto regions = face_regions(photo, cat.faces_of_photo(photo.id), persons);
        if (regions.empty()) {
            ++r.photos_without_persons;
            continue;
        }
        const fs::path side = sidecar_path(photo.path, o);
        try {
            std::error_code ec;
            std::string existing;
            const bool had = fs::exists(side, ec);
            if (had) {
                std::ifstream in(side, std::ios::binary);
                if (!in)
                    throw Error(ErrorCode::kIo, "cannot read the existing sidecar", side.string());
                existing.assign(std::istreambuf_iterator<char>(in),
                                std::istreambuf_iterator<char>());
            }
            const std::string packet =
                merge_face_regions(existing, photo.width, photo.height, regions);
            if (!o.out_dir.empty()) fs::create_directories(side.parent_path(), ec);
            // Write next to it and rename, so a crash never leaves a half-written sidecar.
            fs::path tmp = side;
            tmp += ".faceatlas-tmp";
            {
                std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
                out << packet;
                if (!out)
                    throw Error(
                        ErrorCode::kIo, "cannot write the sidecar", side.string(),
                        "the folder is not writable: pass --out DIR to write sidecars elsewhere");
            }
            fs::rename(tmp, side, ec);
            if (ec) {
                fs::remove(tmp, ec);
                throw Error(ErrorCode::kIo, "cannot write the sidecar", side.string(),
                            "pass --out DIR");
            }
            ++r.written;
            if (had) ++r.merged;
        } catch (const Error& e) {
            r.failures.emplace_back(photo.path,
                                    e.message() + (e.hint().empty() ? "" : " (" + e.hint() + ")"));
        } catch (const std::exception& e) {
            r.failures.emplace_back(photo.path, e.what());
        }
    }
    return r;
}

}  // namespace faceatlas::report
