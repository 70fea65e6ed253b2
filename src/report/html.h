// Small helpers for writing HTML and SVG text by hand.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace faceatlas::report {

// Escapes & < > " ' so any text is safe in element content and quoted attributes.
std::string html_escape(std::string_view s);
// file:// URL of an absolute path, percent-encoding everything but unreserved characters and '/'.
std::string file_url(const std::filesystem::path& p);
// Fixed-point number without trailing noise ("12.5", "3").
std::string num(double v, int decimals = 1);
// "12%" style percentage of a share in [0, 1].
std::string pct(double share, int decimals = 0);
// A distinct colour for the i-th item (golden-angle hues), as "hsl(h,s%,l%)".
std::string palette(std::size_t i);

}  // namespace faceatlas::report
