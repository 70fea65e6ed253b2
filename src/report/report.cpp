#include "faceatlas/report/report.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <map>
#include <opencv2/imgcodecs.hpp>
#include <set>
#include <sstream>

#include "faceatlas/core/error.h"
#include "report/charts.h"
#include "report/html.h"
#include "report/style.h"
#include "report/view_sections.h"

namespace faceatlas::report {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kMarker = ".faceatlas-report";

void write_bytes(const fs::path& p, const void* data, std::size_t n) {
    std::ofstream f(p, std::ios::binary | std::ios::trunc);
    if (f) f.write(static_cast<const char*>(data), static_cast<std::streamsize>(n));
    if (!f)
        throw Error(ErrorCode::kIo, "cannot write the report file", p.string(),
                    "check the output folder is writable and the disk is not full");
}

void write_text(const fs::path& p, const std::string& s) { write_bytes(p, s.data(), s.size()); }

// Creates out_dir (and img/) or explains why it cannot; refuses a non-empty folder without force.
void prepare_out_dir(const ReportOptions& o) {
    std::error_code ec;
    const fs::path& out = o.out_dir;
    if (fs::exists(out, ec)) {
        if (!fs::is_directory(out, ec))
            throw Error(ErrorCode::kIo, "the output path exists and is not a folder", out.string(),
                        "choose another --out");
        const bool empty = fs::is_empty(out, ec);
        if (!empty && !o.force)
            throw Error(ErrorCode::kIo, "the output folder exists and is not empty", out.string(),
                        "pass --force to replace the report in it, or choose another --out");
        // Only a previous report's own files are removed; anything else in the folder stays.
        if (!empty && fs::exists(out / kMarker, ec)) {
            fs::remove_all(out / "img", ec);
            fs::remove(out / "index.html", ec);
        }
    }
    fs::create_directories(out / "img", ec);
    if (ec || !fs::is_directory(out / "img"))
        throw Error(ErrorCode::kIo, "cannot create the report folder: " + ec.message(),
                    out.string(), "choose a writable --out folder");
    std::ofstream marker(out / kMarker);
    marker << "written by faceatlas report; `faceatlas report --force` replaces index.html and "
              "img/ here\n";
    if (!marker)
        throw Error(ErrorCode::kIo, "cannot write into the report folder", out.string(),
                    "choose a writable --out folder");
}

std::string date_only(const std::optional<std::string>& iso) {
    if (!iso) return "";
    return iso->substr(0, std::min<std::size_t>(10, iso->size()));
}

std::string duration_text(double s) {
    if (s < 120) return num(s, 1) + " s";
    if (s < 7200) return num(s / 60, 1) + " min";
    return num(s / 3600, 1) + " h";
}

std::string person_title(const summary::PersonSummary& p) {
    return p.name && !p.name->empty() ? *p.name : "Person " + std::to_string(p.person_id);
}

// Writes images on demand and remembers what exists, so each thumbnail is written once.
class Images {
  public:
    Images(catalog::Catalog& cat, fs::path dir, int eager)
        : cat_(cat), dir_(std::move(dir)), eager_(eager) {}

    // src attribute of the next <img> in document order: the first `eager` ones load with the
    // page, later ones carry data-src and are loaded by the inline script as they near the
    // viewport (browsers load every loading="lazy" image of a local file at once, which made
    // the 2,000-face report take seconds to open).
    std::string src_attr(const std::string& url) {
        return (emitted_++ < eager_ ? "src=\"" : "data-src=\"") + url + "\"";
    }

    // <img> of a face thumbnail, or a placeholder when the catalog has none.
    std::string face(std::int64_t id, const std::string& cls = "", const std::string& title = "",
                     const std::string& style = "") {
        const bool ok = ensure(id);
        const std::string c = cls.empty() ? "" : " class=\"" + cls + "\"";
        const std::string st = style.empty() ? "" : " style=\"" + style + "\"";
        const std::string t = title.empty() ? "" : " title=\"" + html_escape(title) + "\"";
        if (!ok)
            return "<span class=\"ph" + (cls.empty() ? "" : " " + cls) + "\"" + st + t +
                   ">no image</span>";
        return "<img " + src_attr("img/f" + std::to_string(id) + ".jpg") + " alt=\"face " +
               std::to_string(id) + "\"" + c + st + t + ">";
    }

    // The decoded thumbnail (empty when missing or undecodable).
    cv::Mat decoded(std::int64_t id) {
        const auto bytes = cat_.thumbnail(id);
        if (bytes.empty()) return {};
        return cv::imdecode(bytes, cv::IMREAD_COLOR);
    }

    std::string write_png_or_jpg(const std::string& name, const cv::Mat& img) {
        std::vector<unsigned char> buf;
        if (!cv::imencode(".jpg", img, buf, {cv::IMWRITE_JPEG_QUALITY, 90}))
            throw Error(ErrorCode::kInternal, "cannot encode " + name);
        write_bytes(dir_ / name, buf.data(), buf.size());
        ++written_;
        return "img/" + name;
    }

    int written() const { return written_; }
    int missing() const { return static_cast<int>(missing_.size()); }

  private:
    bool ensure(std::int64_t id) {
        if (done_.count(id)) return true;
        if (missing_.count(id)) return false;
        const auto bytes = cat_.thumbnail(id);
        // A stored blob that is not an image counts as missing rather than a broken <img>.
        if (bytes.empty() || cv::imdecode(bytes, cv::IMREAD_REDUCED_GRAYSCALE_8).empty()) {
            missing_.insert(id);
            return false;
        }
        write_bytes(dir_ / ("f" + std::to_string(id) + ".jpg"), bytes.data(), bytes.size());
        done_.insert(id);
        ++written_;
        return true;
    }

    catalog::Catalog& cat_;
    fs::path dir_;
    std::set<std::int64_t> done_, missing_;
    int written_ = 0;
    int eager_ = 0;
    int emitted_ = 0;
};

std::string card(const std::string& value, const std::string& key) {
    return "<div class=\"card\"><div class=\"v\">" + value + "</div><div class=\"k\">" + key +
           "</div></div>";
}

std::string gender_text(const summary::GenderEstimate& g, std::size_t faces) {
    const int votes = static_cast<int>(std::lround(g.male_vote * static_cast<double>(faces)));
    return std::string(g.male ? "male" : "female") + " <span class=\"conf\">" + pct(g.confidence) +
           " (product rule) &middot; vote " +
           std::to_string(g.male ? votes : static_cast<int>(faces) - votes) + "/" +
           std::to_string(faces) + "</span>";
}

std::string age_text(const summary::AgeEstimate& a, double window) {
    return num(a.age, 0) + " years <span class=\"conf\">&plusmn; " + num(a.spread, 0) +
           " &middot; " + pct(a.confidence) + " within &plusmn;" + num(window, 0) + " y</span>";
}

std::optional<json> read_json(const fs::path& p, std::vector<std::string>& warnings) {
    std::error_code ec;
    if (!fs::exists(p, ec)) return std::nullopt;
    std::ifstream f(p);
    if (!f) {
        warnings.push_back(p.string() + ": cannot be read; its section is left out");
        return std::nullopt;
    }
    try {
        auto j = json::parse(f);
        if (!j.is_object())
            throw json::type_error::create(302, "top level is not an object", nullptr);
        return j;
    } catch (const json::exception& e) {
        warnings.push_back(p.string() + ": not valid JSON (" + e.what() +
                           "); its section is left out");
        return std::nullopt;
    }
}

// A typed view file: absent -> nullopt; unreadable, not JSON or not of the view's shape ->
// a warning and nullopt.
template <typename View>
std::optional<View> read_view(const fs::path& p, std::vector<std::string>& warnings) {
    auto j = read_json(p, warnings);
    if (!j) return std::nullopt;
    try {
        return j->get<View>();
    } catch (const json::exception& e) {
        warnings.push_back(p.string() + ": unexpected structure (" + e.what() +
                           "); its section is left out (docs/REPORT.md describes the format)");
    } catch (const Error& e) {
        warnings.push_back(p.string() + ": " + e.message() + "; its section is left out (" +
                           e.hint() + ")");
    }
    return std::nullopt;
}

}  // namespace

void ReportOptions::validate() const {
    const auto bad = [](const std::string& m) {
        throw Error(ErrorCode::kInvalidArgument, m, "ReportOptions");
    };
    if (out_dir.empty()) bad("out_dir is required");
    if (grid_faces < 1) bad("grid_faces must be >= 1");
    if (eigen_max_faces < 1) bad("eigen_max_faces must be >= 1");
    if (map_max_points < 1) bad("map_max_points must be >= 1");
    if (index_avatars < 0) bad("index_avatars must be >= 0");
    if (eager_images < 0) bad("eager_images must be >= 0");
    eigen.validate();
    album.validate();
}

ReportInputs load_report_inputs(const fs::path& catalog_path) {
    ReportInputs in;
    const std::string base = catalog_path.string();
    in.attr_clusters =
        read_view<analysis::AttributeView>(base + ".attr_clusters.json", in.warnings);
    in.subdiscrimination =
        read_view<analysis::SubdiscriminationView>(base + ".subdiscrimination.json", in.warnings);
    in.eval = read_view<analysis::EvalView>(base + ".eval.json", in.warnings);
    if (auto scan = read_json(base + ".scan.json", in.warnings)) {
        if (scan->contains("seconds") && scan->at("seconds").is_number())
            in.processing_seconds = scan->at("seconds").get<double>();
        else
            in.warnings.push_back(
                base + ".scan.json: no numeric \"seconds\"; processing time is left out");
    }
    return in;
}

ReportResult write_report(catalog::Catalog& cat, const ReportInputs& in, const ReportOptions& o) {
    o.validate();
    const auto album = summary::summarize_album(cat, o.album, in.attributes);
    prepare_out_dir(o);
    ReportResult r;
    r.warnings = in.warnings;
    Images images(cat, o.out_dir / "img", o.eager_images);

    std::map<std::int64_t, std::string> colours, titles;
    for (std::size_t i = 0; i < album.persons.size(); ++i) {
        colours[album.persons[i].person_id] = palette(i);
        titles[album.persons[i].person_id] = person_title(album.persons[i]);
    }

    std::ostringstream body;
    // Overview.
    const auto& ov = album.overview;
    body << "<section id=\"overview\"><h2>Overview</h2><div class=\"cards\">"
         << card(std::to_string(ov.photos), "photos");
    if (ov.videos > 0) body << card(std::to_string(ov.videos), "videos");
    body << card(std::to_string(ov.faces), "faces") << card(std::to_string(ov.persons), "persons")
         << card(std::to_string(ov.unsorted_faces), "unsorted faces");
    if (ov.first_date)
        body << card(html_escape(date_only(ov.first_date)) +
                         (date_only(ov.last_date) != date_only(ov.first_date)
                              ? "<br>" + html_escape(date_only(ov.last_date))
                              : ""),
                     "date range");
    if (in.processing_seconds)
        body << card(duration_text(*in.processing_seconds), "processing time");
    body << "</div>";
    if (album.demography_persons > 0) {
        body << "<h3>Demography of the " << album.demography_persons << " largest persons</h3>"
             << demography_svg(album.demography);
        if (album.demography_unknown_age > 0)
            body << "<p class=\"note\">" << album.demography_unknown_age
                 << " without an age estimate</p>";
    }
    body << "</section>";

    // Map.
    if (!album.map.empty()) {
        MapStyle style;
        style.colour = [&](std::int64_t id) {
            return colours.count(id) ? colours[id] : std::string("#94a3b8");
        };
        style.label = [&](std::int64_t id) {
            return titles.count(id) ? titles[id] : "person " + std::to_string(id);
        };
        style.max_points = static_cast<std::size_t>(o.map_max_points);
        body << "<section id=\"map\"><h2>Map of faces</h2><p class=\"note\">Each dot is a face: "
                "the first two "
                "principal components of the dlib embeddings, coloured by person (grey: unsorted). "
                "Click a dot "
                "to go to its person.</p>"
             << map_svg(album.map, album.map_explained, style) << "</section>";
    }

    // Person index.
    if (!album.persons.empty()) {
        // Avatars for the largest persons, plain links for the rest (keeps large albums fast).
        body << "<section id=\"persons\"><h2>Persons</h2><div class=\"avatars\">";
        const std::size_t avatars =
            std::min(album.persons.size(), static_cast<std::size_t>(o.index_avatars));
        for (std::size_t i = 0; i < avatars; ++i) {
            const auto& p = album.persons[i];
            body << "<a href=\"#p" << p.person_id << "\" style=\"--c:" << colours[p.person_id]
                 << "\">" << images.face(p.face_ids.front(), "", titles[p.person_id]) << "<span>"
                 << html_escape(titles[p.person_id]) << "</span><span class=\"conf\">"
                 << p.face_ids.size() << "</span></a>";
        }
        body << "</div>";
        if (avatars < album.persons.size()) {
            body << "<details><summary>" << album.persons.size() - avatars
                 << " more persons</summary><p class=\"names\">";
            for (std::size_t i = avatars; i < album.persons.size(); ++i) {
                const auto& p = album.persons[i];
                body << "<a href=\"#p" << p.person_id << "\">" << html_escape(titles[p.person_id])
                     << "</a> <span class=\"conf\">" << p.face_ids.size() << "</span> ";
            }
            body << "</p></details>";
        }
        body << "</section>";
    }

    // Optional views. Face ids are checked against the catalog: a view written before faces
    // were removed shows what is left.
    std::set<std::int64_t> face_ids;
    for (const auto& f : cat.faces(false)) face_ids.insert(f.id);
    ViewContext vc;
    vc.face = [&](std::int64_t id) { return images.face(id); };
    vc.known = [&](std::int64_t id) { return face_ids.count(id) > 0; };
    vc.person_titles = titles;
    vc.prominent_share = o.album.person.prominent_share;
    const bool has_clusters = in.attr_clusters.has_value();
    const bool has_subdisc = in.subdiscrimination.has_value();
    const bool has_eval = in.eval.has_value();
    if (has_eval) body << eval_view_section(*in.eval, vc);
    if (has_clusters) body << attribute_view_section(*in.attr_clusters, vc);
    if (has_subdisc) body << subdiscrimination_view_section(*in.subdiscrimination, vc);

    // One section per person.
    std::map<std::int64_t, const catalog::PhotoRecord*> photo_by_id;
    const auto photos = cat.photos();
    for (const auto& p : photos) photo_by_id[p.id] = &p;
    for (const auto& p : album.persons) {
        const std::string title = titles[p.person_id];
        body << "<section class=\"person\" id=\"p" << p.person_id
             << "\" style=\"--c:" << colours[p.person_id] << "\"><div class=\"person-head\">"
             << images.face(p.face_ids.front(), "", title) << "<div><h2>" << html_escape(title)
             << "<span class=\"badge\">" << p.face_ids.size()
             << (p.face_ids.size() == 1 ? " face" : " faces")
             << "</span></h2><div class=\"conf\">person " << p.person_id << "</div></div></div>";

        body << "<div class=\"person-body\"><div><dl class=\"facts\">";
        body << "<dt>gender</dt><dd>" << gender_text(p.gender, p.face_ids.size()) << "</dd>";
        if (p.age) {
            body << "<dt>age</dt><dd>" << age_text(*p.age, o.album.person.age_confidence_years)
                 << "</dd>";
            if (p.age->birth_year)
                body << "<dt>born</dt><dd>&asymp; " << num(*p.age->birth_year, 0)
                     << " <span class=\"conf\">&plusmn; "
                     << num(p.age->birth_year_sd.value_or(0), 0) << "</span></dd>";
        }
        if (p.first_date)
            body << "<dt>dates</dt><dd>" << html_escape(date_only(p.first_date))
                 << (date_only(p.last_date) != date_only(p.first_date)
                         ? " &ndash; " + html_escape(date_only(p.last_date))
                         : "")
                 << "</dd>";
        body << "<dt>media</dt><dd>" << p.photos << (p.photos == 1 ? " photo" : " photos");
        if (p.videos > 0) body << ", " << p.videos << (p.videos == 1 ? " video" : " videos");
        body << "</dd></dl>";

        // Mean face and eigenfaces over the best faces with a decodable thumbnail.
        std::vector<cv::Mat> mats;
        std::int64_t only_face = 0;
        for (std::size_t i = 0;
             i < p.face_ids.size() && static_cast<int>(mats.size()) < o.eigen_max_faces; ++i) {
            cv::Mat m = images.decoded(p.face_ids[i]);
            if (m.empty()) continue;
            if (mats.empty()) only_face = p.face_ids[i];
            mats.push_back(std::move(m));
        }
        body << "<h3>Mean face and eigenfaces</h3>";
        if (mats.empty()) {
            body << "<p class=\"note\">no thumbnails stored for this person</p>";
        } else if (mats.size() == 1) {
            body << "<div class=\"eigen\"><figure>" << images.face(only_face)
                 << "<figcaption>the only face (no PCA)</figcaption></figure></div>";
        } else {
            const auto e = summary::compute_eigenfaces(mats, o.eigen);
            const std::string stem = "p" + std::to_string(p.person_id);
            body << "<div class=\"eigen\"><figure><img "
                 << images.src_attr(images.write_png_or_jpg(stem + "_mean.jpg", e.mean))
                 << " alt=\"mean face\"><figcaption>mean of " << e.faces
                 << "</figcaption></figure>";
            for (std::size_t k = 0; k < e.components.size(); ++k)
                body << "<figure><img "
                     << images.src_attr(images.write_png_or_jpg(
                            stem + "_pc" + std::to_string(k + 1) + ".jpg", e.components[k]))
                     << " alt=\"eigenface " << k + 1 << "\"><figcaption>PC" << k + 1 << " &middot; "
                     << pct(e.explained[k]) << "</figcaption></figure>";
            body << "</div>";
        }
        body << "</div><div>";
        if (!p.attributes.empty())
            body << "<h3 style=\"margin-top:0\">Attribute occurrence</h3>"
                 << attribute_svg(p.attributes, o.album.person.prominent_share);
        body << "</div></div>";

        body << "<h3>Faces</h3><div class=\"grid\">";
        for (std::size_t i = 0; i < p.face_ids.size() && static_cast<int>(i) < o.grid_faces; ++i)
            body << images.face(p.face_ids[i], static_cast<int>(i) < p.representatives ? "rep" : "",
                                static_cast<int>(i) < p.representatives ? "representative" : "");
        if (static_cast<int>(p.face_ids.size()) > o.grid_faces)
            body << "<span class=\"more\">+"
                 << p.face_ids.size() - static_cast<std::size_t>(o.grid_faces) << " more</span>";
        body << "</div>";

        body << "<details><summary>" << p.photo_ids.size()
             << (p.photo_ids.size() == 1 ? " photo" : " photos")
             << "</summary><ul class=\"photos\">";
        for (const auto id : p.photo_ids) {
            const auto* ph = photo_by_id[id];
            if (!ph) continue;
            const fs::path path(ph->path);
            body << "<li><a href=\"" << html_escape(file_url(path)) << "\">"
                 << html_escape(path.filename().string()) << "</a>"
                 << (ph->taken_at ? " <span class=\"conf\">" +
                                        html_escape(date_only(ph->taken_at)) + "</span>"
                                  : "")
                 << "</li>";
        }
        body << "</ul></details></section>";
    }

    std::ostringstream html;
    const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    char when[32];
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M", std::localtime(&now));
    html << "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
         << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
         << "<meta name=\"generator\" content=\"faceatlas\"><title>" << html_escape(o.title)
         << "</title><style>" << kStyle << "</style><script>" << kScript << "</script></head><body>"
         << "<header class=\"top\"><h1>" << html_escape(o.title) << "</h1><p class=\"sub\">"
         << ov.faces << " faces in " << ov.photos + ov.videos
         << " photos and videos &middot; generated " << when << "</p><nav>"
         << "<a href=\"#overview\">Overview</a>"
         << (album.map.empty() ? "" : "<a href=\"#map\">Map</a>")
         << (album.persons.empty() ? "" : "<a href=\"#persons\">Persons</a>")
         << (has_eval ? "<a href=\"#evaluation\">Evaluation</a>" : "")
         << (has_clusters ? "<a href=\"#attr-clusters\">Attribute clusters</a>" : "")
         << (has_subdisc ? "<a href=\"#subdiscrimination\">Sub-discrimination</a>" : "")
         << "</nav></header><main>" << body.str()
         << "</main><footer>faceatlas report &middot; static files, no "
            "network</footer></body></html>\n";
    r.index = o.out_dir / "index.html";
    write_text(r.index, html.str());

    r.persons = static_cast<int>(album.persons.size());
    r.faces = static_cast<int>(ov.faces);
    r.images = images.written();
    r.missing_thumbnails = images.missing();
    std::error_code ec;
    for (const auto& e : fs::recursive_directory_iterator(o.out_dir, ec))
        if (e.is_regular_file()) r.bytes += e.file_size();
    return r;
}

}  // namespace faceatlas::report
