// RFC 4180 CSV reading (truth files, crop manifests).
//
// Accepts: a UTF-8 byte-order mark before the header, LF or CRLF line ends (also a missing final
// newline), quoted fields ("a, b", "say ""hi""", embedded newlines). Lines that are completely
// empty are skipped. The first line is the header; every row must have as many fields as the
// header. Values are kept verbatim (no trimming, no type conversion). Anything else (a ragged
// row, a quote inside an unquoted field, text after a closing quote, an unterminated quote, no
// header) is faceatlas::Error (kCorruptData) naming the source and the line.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faceatlas {

struct CsvTable {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;  // rows[r].size() == header.size()
    std::vector<std::size_t> lines;              // 1-based line where rows[r] starts
    std::filesystem::path source;                // what parse_csv was told the text is

    // Column index by name; nullopt when absent.
    std::optional<std::size_t> column(std::string_view name) const;
    // Column index by name; throws faceatlas::Error naming the source when absent.
    std::size_t require_column(std::string_view name) const;
};

// Parses CSV text; `source` names it in error messages (usually the file path).
CsvTable parse_csv(std::string_view text, const std::filesystem::path& source = {});
// Reads and parses a CSV file; throws faceatlas::Error kNotFound / kIo when it cannot be read.
CsvTable read_csv(const std::filesystem::path& path);

}  // namespace faceatlas
