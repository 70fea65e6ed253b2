#include "report/charts.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "report/html.h"

namespace faceatlas::report {
namespace {

constexpr const char* kMale = "#3b82f6";
constexpr const char* kFemale = "#ec4899";
constexpr const char* kProminent = "#0d9488";
constexpr const char* kNoisy = "#cbd5e1";
constexpr const char* kAxis = "#94a3b8";
constexpr const char* kText = "#334155";

int nice_ceiling(int v) {
    if (v <= 5) return std::max(v, 1);
    const double mag = std::pow(10.0, std::floor(std::log10(v)));
    for (double m : {1.0, 2.0, 2.5, 5.0, 10.0})
        if (m * mag >= v) return static_cast<int>(m * mag);
    return v;
}

}  // namespace

std::string demography_svg(const std::vector<summary::DemographyBar>& bars) {
    const int w = 640, h = 260, left = 40, right = 120, top = 16, bottom = 36;
    const int pw = w - left - right, ph = h - top - bottom;
    int ymax = 0;
    for (const auto& b : bars) ymax = std::max(ymax, b.male + b.female);
    ymax = nice_ceiling(ymax);
    std::ostringstream s;
    s << "<svg class=\"chart demography\" viewBox=\"0 0 " << w << ' ' << h << "\" role=\"img\" "
      << "aria-label=\"persons by age band and gender\" xmlns=\"http://www.w3.org/2000/svg\">";
    const int ticks = std::min(ymax, 5);
    for (int t = 0; t <= ticks; ++t) {
        const double v = static_cast<double>(ymax) * t / ticks;
        const double y = top + ph - ph * v / ymax;
        s << "<line x1=\"" << left << "\" x2=\"" << left + pw << "\" y1=\"" << num(y) << "\" y2=\""
          << num(y) << "\" stroke=\"#e2e8f0\"/>";
        s << "<text x=\"" << left - 6 << "\" y=\"" << num(y + 4)
          << "\" text-anchor=\"end\" font-size=\"11\" fill=\"" << kText << "\">" << num(v, 0)
          << "</text>";
    }
    const double slot =
        bars.empty() ? pw : static_cast<double>(pw) / static_cast<double>(bars.size());
    const double bw = slot * 0.62;
    for (std::size_t i = 0; i < bars.size(); ++i) {
        const auto& b = bars[i];
        const double x = left + slot * static_cast<double>(i) + (slot - bw) / 2;
        double y = top + ph;
        for (const auto& [count, colour, what] :
             {std::tuple{b.male, kMale, "male"}, std::tuple{b.female, kFemale, "female"}}) {
            if (count == 0) continue;
            const double bh = ph * static_cast<double>(count) / ymax;
            y -= bh;
            s << "<rect x=\"" << num(x) << "\" y=\"" << num(y) << "\" width=\"" << num(bw)
              << "\" height=\"" << num(bh) << "\" fill=\"" << colour << "\" rx=\"2\"><title>"
              << html_escape(b.band) << ": " << count << ' ' << what << "</title></rect>";
        }
        if (b.male + b.female > 0)
            s << "<text x=\"" << num(x + bw / 2) << "\" y=\"" << num(y - 4)
              << "\" text-anchor=\"middle\" "
              << "font-size=\"11\" fill=\"" << kText << "\">" << b.male + b.female << "</text>";
        s << "<text x=\"" << num(x + bw / 2) << "\" y=\"" << top + ph + 16
          << "\" text-anchor=\"middle\" "
          << "font-size=\"12\" fill=\"" << kText << "\">" << html_escape(b.band) << "</text>";
    }
    s << "<line x1=\"" << left << "\" x2=\"" << left + pw << "\" y1=\"" << top + ph << "\" y2=\""
      << top + ph << "\" stroke=\"" << kAxis << "\"/>";
    s << "<text x=\"" << left + pw / 2 << "\" y=\"" << h - 4
      << "\" text-anchor=\"middle\" font-size=\"11\" fill=\"" << kText
      << "\">age band (years)</text>";
    const int lx = left + pw + 16;
    s << "<rect x=\"" << lx << "\" y=\"" << top + 4 << "\" width=\"12\" height=\"12\" fill=\""
      << kMale << "\" rx=\"2\"/>"
      << "<text x=\"" << lx + 18 << "\" y=\"" << top + 14 << "\" font-size=\"12\" fill=\"" << kText
      << "\">male</text>"
      << "<rect x=\"" << lx << "\" y=\"" << top + 24 << "\" width=\"12\" height=\"12\" fill=\""
      << kFemale << "\" rx=\"2\"/><text x=\"" << lx + 18 << "\" y=\"" << top + 34
      << "\" font-size=\"12\" fill=\"" << kText << "\">female</text>";
    s << "</svg>";
    return s.str();
}

std::string attribute_svg(const std::vector<summary::AttributeShare>& shares,
                          double prominent_share) {
    const int w = 420, label_w = 110, bar_w = 250, row = 18, head = 18;
    std::vector<std::string> kinds;
    for (const auto& a : shares)
        if (std::find(kinds.begin(), kinds.end(), a.kind) == kinds.end()) kinds.push_back(a.kind);
    const int h =
        static_cast<int>(shares.size()) * row + static_cast<int>(kinds.size()) * head + 22;
    std::ostringstream s;
    s << "<svg class=\"chart attributes\" viewBox=\"0 0 " << w << ' ' << h << "\" width=\"" << w
      << "\" height=\"" << h
      << "\" role=\"img\" aria-label=\"attribute occurrence\" "
         "xmlns=\"http://www.w3.org/2000/svg\">";
    int y = 0;
    for (const auto& kind : kinds) {
        s << "<text x=\"0\" y=\"" << y + 13
          << "\" font-size=\"11\" font-weight=\"600\" fill=\"#64748b\">"
          << (kind == "expression" ? "EXPRESSION" : "ATTRIBUTES") << "</text>";
        y += head;
        for (const auto& a : shares) {
            if (a.kind != kind) continue;
            const double bw = bar_w * std::clamp(a.share, 0.0, 1.0);
            s << "<text x=\"" << label_w - 6 << "\" y=\"" << y + 13
              << "\" text-anchor=\"end\" font-size=\"12\" fill=\""
              << (a.prominent ? kText : "#94a3b8") << "\">" << html_escape(a.name) << "</text>";
            s << "<rect x=\"" << label_w << "\" y=\"" << y + 3 << "\" width=\"" << bar_w
              << "\" height=\"12\" fill=\"#f1f5f9\" rx=\"2\"/>";
            s << "<rect class=\"" << (a.prominent ? "prominent" : "noisy") << "\" x=\"" << label_w
              << "\" y=\"" << y + 3 << "\" width=\"" << num(bw) << "\" height=\"12\" fill=\""
              << (a.prominent ? kProminent : kNoisy) << "\" rx=\"2\"><title>" << html_escape(a.name)
              << ": " << pct(a.share) << " of faces</title></rect>";
            s << "<text x=\"" << label_w + bar_w + 6 << "\" y=\"" << y + 13
              << "\" font-size=\"11\" fill=\"" << (a.prominent ? kText : "#94a3b8") << "\">"
              << pct(a.share) << "</text>";
            y += row;
        }
    }
    const double tx = label_w + bar_w * std::clamp(prominent_share, 0.0, 1.0);
    s << "<line x1=\"" << num(tx) << "\" x2=\"" << num(tx) << "\" y1=\"0\" y2=\"" << y + 2
      << "\" stroke=\"#f97316\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>";
    s << "<text x=\"" << num(tx) << "\" y=\"" << y + 16
      << "\" text-anchor=\"middle\" font-size=\"10\" "
      << "fill=\"#c2410c\">prominent &#8805; " << pct(prominent_share) << "</text>";
    s << "</svg>";
    return s.str();
}

std::string map_svg(const std::vector<summary::MapPoint>& points,
                    const std::vector<double>& explained, const MapStyle& style) {
    const int w = 900, h = 560, pad = 28;
    float x0 = 0, x1 = 1, y0 = 0, y1 = 1;
    if (!points.empty()) {
        x0 = x1 = points[0].x;
        y0 = y1 = points[0].y;
        for (const auto& p : points) {
            x0 = std::min(x0, p.x), x1 = std::max(x1, p.x);
            y0 = std::min(y0, p.y), y1 = std::max(y1, p.y);
        }
    }
    const double sx = x1 > x0 ? (w - 2.0 * pad) / (x1 - x0) : 1.0;
    const double sy = y1 > y0 ? (h - 2.0 * pad) / (y1 - y0) : 1.0;
    const double cx = x1 > x0 ? 0 : w / 2.0 - pad, cy = y1 > y0 ? 0 : h / 2.0 - pad;
    std::ostringstream s;
    s << "<svg class=\"chart map\" viewBox=\"0 0 " << w << ' ' << h
      << "\" role=\"img\" aria-label=\"map of faces\" "
      << "xmlns=\"http://www.w3.org/2000/svg\"><rect width=\"" << w << "\" height=\"" << h
      << "\" fill=\"#f8fafc\" rx=\"8\"/>";
    const std::size_t step = std::max<std::size_t>(
        1, (points.size() + style.max_points - 1) / std::max<std::size_t>(1, style.max_points));
    // Unsorted faces first so persons are drawn on top.
    for (int pass = 0; pass < 2; ++pass)
        for (std::size_t i = 0; i < points.size(); i += step) {
            const auto& p = points[i];
            if ((pass == 0) == p.person_id.has_value()) continue;
            const double x = pad + cx + (p.x - x0) * sx, y = h - pad - cy - (p.y - y0) * sy;
            if (p.person_id) {
                s << "<a href=\"#p" << *p.person_id << "\"><circle cx=\"" << num(x) << "\" cy=\""
                  << num(y) << "\" r=\"4\" fill=\"" << style.colour(*p.person_id)
                  << "\" fill-opacity=\"0.85\"><title>" << html_escape(style.label(*p.person_id))
                  << " (face " << p.face_id << ")</title></circle></a>";
            } else {
                s << "<circle cx=\"" << num(x) << "\" cy=\"" << num(y)
                  << "\" r=\"3\" fill=\"#cbd5e1\"><title>unsorted"
                  << " (face " << p.face_id << ")</title></circle>";
            }
        }
    const auto axis_label = [&](std::size_t k) {
        return "PC" + std::to_string(k + 1) +
               (k < explained.size() ? " (" + pct(explained[k]) + " of variance)" : "");
    };
    s << "<text x=\"" << w - pad << "\" y=\"" << h - 8
      << "\" text-anchor=\"end\" font-size=\"12\" fill=\"" << kText << "\">" << axis_label(0)
      << " &#8594;</text>";
    s << "<text x=\"12\" y=\"" << pad << "\" font-size=\"12\" fill=\"" << kText << "\">&#8593; "
      << axis_label(1) << "</text>";
    s << "</svg>";
    return s.str();
}

std::string silhouette_svg(const std::vector<LineSeries>& series, const std::string& caption) {
    const int legend_w = 230, left = 44, top = 14, bottom = 38;
    const int w = 760, ph = 250, h = top + ph + bottom;
    const int pw = w - left - legend_w - 16;
    double x0 = 0, x1 = 1, y0 = 0, y1 = 1;
    bool any = false;
    for (const auto& l : series)
        for (const auto& [x, y] : l.points) {
            if (!any) x0 = x1 = x;
            x0 = std::min(x0, x), x1 = std::max(x1, x);
            any = true;
            if (y) y0 = std::min(y0, *y), y1 = std::max(y1, *y);
        }
    // Silhouette lives in [-1, 1]: the axis spans [min(0, lowest), 1] in steps of 0.25.
    y0 = std::floor(y0 * 4) / 4, y1 = std::max(0.25, std::ceil(y1 * 4) / 4);
    if (x1 <= x0) x1 = x0 + 1;
    const auto X = [&](double x) { return left + pw * (x - x0) / (x1 - x0); };
    const auto Y = [&](double y) { return top + ph - ph * (y - y0) / (y1 - y0); };
    std::ostringstream s;
    s << "<svg class=\"chart silhouette\" viewBox=\"0 0 " << w << ' ' << h
      << "\" role=\"img\" aria-label=\"" << html_escape(caption)
      << "\" xmlns=\"http://www.w3.org/2000/svg\">";
    for (double v = y0; v <= y1 + 1e-9; v += 0.25) {
        s << "<line x1=\"" << left << "\" x2=\"" << left + pw << "\" y1=\"" << num(Y(v))
          << "\" y2=\"" << num(Y(v)) << "\" stroke=\"" << (std::abs(v) < 1e-9 ? kAxis : "#e2e8f0")
          << "\"/><text x=\"" << left - 6 << "\" y=\"" << num(Y(v) + 4)
          << "\" text-anchor=\"end\" font-size=\"11\" fill=\"" << kText << "\">" << num(v, 2)
          << "</text>";
    }
    const int step = std::max(1, static_cast<int>(std::ceil((x1 - x0) / 12)));
    for (int k = static_cast<int>(x0); k <= static_cast<int>(x1); k += step)
        s << "<text x=\"" << num(X(k)) << "\" y=\"" << top + ph + 16
          << "\" text-anchor=\"middle\" font-size=\"11\" fill=\"" << kText << "\">" << k
          << "</text>";
    s << "<text x=\"" << left + pw / 2 << "\" y=\"" << h - 4
      << "\" text-anchor=\"middle\" font-size=\"11\" fill=\"" << kText
      << "\">k (clusters)</text><text x=\"12\" y=\"" << top + ph / 2
      << "\" font-size=\"11\" fill=\"" << kText << "\" transform=\"rotate(-90 12 " << top + ph / 2
      << ")\" text-anchor=\"middle\">silhouette</text>";
    // Best point over every series.
    const LineSeries* best_l = nullptr;
    double best_x = 0, best_y = -2;
    for (const auto& l : series)
        for (const auto& [x, y] : l.points)
            if (y && *y > best_y) best_l = &l, best_x = x, best_y = *y;
    for (std::size_t i = 0; i < series.size(); ++i) {
        const auto& l = series[i];
        const std::string c = palette(i);
        std::string path;
        bool pen = false;
        for (const auto& [x, y] : l.points) {
            if (!y) {
                pen = false;
                continue;
            }
            path += (pen ? " L" : " M") + num(X(x)) + " " + num(Y(*y));
            pen = true;
        }
        s << "<g class=\"series\"><title>" << html_escape(l.label) << "</title>";
        if (!path.empty())
            s << "<path d=\"" << path << "\" fill=\"none\" stroke=\"" << c
              << "\" stroke-width=\"2\" stroke-linejoin=\"round\"/>";
        for (const auto& [x, y] : l.points)
            if (y)
                s << "<circle cx=\"" << num(X(x)) << "\" cy=\"" << num(Y(*y))
                  << "\" r=\"3\" fill=\"" << c << "\"><title>" << html_escape(l.label)
                  << ", k=" << num(x, 0) << ": " << num(*y, 3) << "</title></circle>";
        s << "</g>";
        const int ly = top + 4 + static_cast<int>(i) * 17;
        s << "<rect x=\"" << left + pw + 20 << "\" y=\"" << ly
          << "\" width=\"14\" height=\"4\" fill=\"" << c << "\" rx=\"1\"/><text x=\""
          << left + pw + 40 << "\" y=\"" << ly + 6 << "\" font-size=\"11\" fill=\"" << kText
          << "\">" << html_escape(l.label) << "</text>";
    }
    if (best_l)
        s << "<circle cx=\"" << num(X(best_x)) << "\" cy=\"" << num(Y(best_y))
          << "\" r=\"7\" fill=\"none\" stroke=\"#f97316\" stroke-width=\"2\"><title>best: "
          << html_escape(best_l->label) << ", k=" << num(best_x, 0) << ": " << num(best_y, 3)
          << "</title></circle>";
    s << "</svg>";
    return s.str();
}

std::string count_bars_svg(const std::vector<std::pair<std::string, std::int64_t>>& items,
                           const std::string& caption) {
    const int w = 420, label_w = 90, bar_w = 270, row = 20;
    const int h = static_cast<int>(items.size()) * row + 4;
    std::int64_t vmax = 1;
    for (const auto& [l, v] : items) vmax = std::max(vmax, v);
    std::ostringstream s;
    s << "<svg class=\"chart counts\" viewBox=\"0 0 " << w << ' ' << h << "\" width=\"" << w
      << "\" height=\"" << h << "\" role=\"img\" aria-label=\"" << html_escape(caption)
      << "\" xmlns=\"http://www.w3.org/2000/svg\">";
    for (std::size_t i = 0; i < items.size(); ++i) {
        const int y = static_cast<int>(i) * row;
        const double bw = bar_w * static_cast<double>(items[i].second) / static_cast<double>(vmax);
        s << "<text x=\"" << label_w - 6 << "\" y=\"" << y + 14
          << "\" text-anchor=\"end\" font-size=\"12\" fill=\"" << kText << "\">"
          << html_escape(items[i].first) << "</text><rect x=\"" << label_w << "\" y=\"" << y + 3
          << "\" width=\"" << num(std::max(bw, 1.0)) << "\" height=\"14\" rx=\"2\" fill=\""
          << palette(i) << "\"><title>" << html_escape(items[i].first) << ": " << items[i].second
          << "</title></rect><text x=\"" << num(label_w + std::max(bw, 1.0) + 6) << "\" y=\""
          << y + 14 << "\" font-size=\"11\" fill=\"" << kText << "\">" << items[i].second
          << "</text>";
    }
    s << "</svg>";
    return s.str();
}

std::string composition_svg(const std::vector<std::pair<std::string, std::int64_t>>& parts,
                            const std::string& caption) {
    const int w = 560, bar_h = 16;
    std::int64_t total = 0;
    for (const auto& [l, v] : parts) total += v;
    const int legend_rows = static_cast<int>((parts.size() + 2) / 3);
    const int h = bar_h + 8 + legend_rows * 16;
    std::ostringstream s;
    s << "<svg class=\"chart composition\" viewBox=\"0 0 " << w << ' ' << h << "\" width=\"" << w
      << "\" height=\"" << h << "\" role=\"img\" aria-label=\"" << html_escape(caption)
      << "\" xmlns=\"http://www.w3.org/2000/svg\">";
    double x = 0;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const double bw = total > 0 ? w * static_cast<double>(parts[i].second) / total : 0;
        s << "<rect x=\"" << num(x) << "\" y=\"0\" width=\"" << num(bw) << "\" height=\"" << bar_h
          << "\" fill=\"" << palette(i) << "\" stroke=\"#fff\"><title>"
          << html_escape(parts[i].first) << ": " << parts[i].second << " of " << total
          << "</title></rect>";
        x += bw;
        const int lx = static_cast<int>(i % 3) * (w / 3),
                  ly = bar_h + 8 + static_cast<int>(i / 3) * 16;
        s << "<rect x=\"" << lx << "\" y=\"" << ly
          << "\" width=\"10\" height=\"10\" rx=\"2\" fill=\"" << palette(i) << "\"/><text x=\""
          << lx + 14 << "\" y=\"" << ly + 9 << "\" font-size=\"11\" fill=\"" << kText << "\">"
          << html_escape(parts[i].first) << " (" << parts[i].second << ")</text>";
    }
    s << "</svg>";
    return s.str();
}

}  // namespace faceatlas::report
