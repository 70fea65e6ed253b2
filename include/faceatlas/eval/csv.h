// Minimal RFC 4180 CSV reader for ground-truth files.
//
// Accepts: a UTF-8 byte-order mark before the header, LF or CRLF line ends (also a missing final
// newline), quoted fields ("a, b", "say ""hi""", embedded newlines). Lines that are completely
// empty are skipped. Every row must have as many fields as the header, else faceatlas::Error
// (kCorruptData) naming the line. Values are kept verbatim (no trimming, no type conversion).
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace faceatlas::eval {

struct CsvTable {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;  // rows[r].size() == header.size()
    std::vector<std::size_t> lines;              // 1-based line where rows[r] starts

    // Index of a header column, or -1.
    int column(std::string_view name) const;
};

// `context` names the source in error messages (usually the file path).
CsvTable parse_csv(std::string_view text, std::string_view context = "csv");
// Throws faceatlas::Error kNotFound / kIo when the file cannot be read.
CsvTable read_csv(const std::filesystem::path& path);

}  // namespace faceatlas::eval
