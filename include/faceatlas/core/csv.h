// RFC 4180 CSV reading: quoted fields, doubled quotes, CRLF, UTF-8 BOM, a header row.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace faceatlas {

struct CsvTable {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;  // every row has header.size() fields
    std::filesystem::path source;

    // Column index by name; nullopt when absent.
    std::optional<std::size_t> column(const std::string& name) const;
    // Column index by name; throws faceatlas::Error naming the file when absent.
    std::size_t require_column(const std::string& name) const;
};

// Parses CSV text. Rows with a different number of fields than the header throw
// faceatlas::Error(kCorruptData) naming `source` and the line.
CsvTable parse_csv(const std::string& text, const std::filesystem::path& source = {});
// Reads and parses a CSV file; throws faceatlas::Error naming the file when it cannot be read.
CsvTable read_csv(const std::filesystem::path& path);

}  // namespace faceatlas
