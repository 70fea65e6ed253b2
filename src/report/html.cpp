#include "report/html.h"

#include <cmath>
#include <cstdio>

namespace faceatlas::report {

std::string html_escape(std::string_view s) {
    std::string o;
    o.reserve(s.size());
    for (char c : s) {
        switch (c) {
            case '&':
                o += "&amp;";
                break;
            case '<':
                o += "&lt;";
                break;
            case '>':
                o += "&gt;";
                break;
            case '"':
                o += "&quot;";
                break;
            case '\'':
                o += "&#39;";
                break;
            default:
                o += c;
        }
    }
    return o;
}

std::string file_url(const std::filesystem::path& p) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string o = "file://";
    for (unsigned char c : p.generic_string()) {
        if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
            o += static_cast<char>(c);
        } else {
            o += '%';
            o += kHex[c >> 4];
            o += kHex[c & 15];
        }
    }
    return o;
}

std::string num(double v, int decimals) {
    if (!std::isfinite(v)) return "-";
    char b[64];
    std::snprintf(b, sizeof b, "%.*f", decimals, v);
    std::string s = b;
    if (s.find('.') != std::string::npos) {
        while (!s.empty() && s.back() == '0') s.pop_back();
        if (!s.empty() && s.back() == '.') s.pop_back();
    }
    if (s == "-0") s = "0";
    return s;
}

std::string pct(double share, int decimals) { return num(share * 100.0, decimals) + "%"; }

std::string palette(std::size_t i) {
    const double h = std::fmod(static_cast<double>(i) * 137.508, 360.0);
    const int light = 42 + static_cast<int>((i / 7) % 3) * 8;
    return "hsl(" + num(h, 1) + ",65%," + std::to_string(light) + "%)";
}

}  // namespace faceatlas::report
