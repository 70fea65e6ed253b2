#include "faceatlas/core/csv.h"

#include <fstream>
#include <iterator>
#include <sstream>

#include "faceatlas/core/error.h"

namespace faceatlas {

std::optional<std::size_t> CsvTable::column(const std::string& name) const {
    for (std::size_t i = 0; i < header.size(); ++i)
        if (header[i] == name) return i;
    return std::nullopt;
}

std::size_t CsvTable::require_column(const std::string& name) const {
    if (auto c = column(name)) return *c;
    std::string have;
    for (const auto& h : header) have += (have.empty() ? "" : ", ") + h;
    throw Error(ErrorCode::kInvalidArgument, "CSV has no column '" + name + "' (columns: " + have + ")",
                source.string(), "add a header row naming the column");
}

CsvTable parse_csv(const std::string& text, const std::filesystem::path& source) {
    CsvTable t;
    t.source = source;
    std::size_t i = 0;
    if (text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) i = 3;
    std::vector<std::string> row;
    std::string field;
    bool in_quotes = false, field_started = false;
    int line = 1, row_line = 1;
    auto end_row = [&]() {
        row.push_back(std::move(field));
        field.clear();
        const bool blank = row.size() == 1 && row[0].empty();
        if (!blank) {
            if (t.header.empty()) {
                t.header = std::move(row);
            } else {
                if (row.size() != t.header.size())
                    throw Error(ErrorCode::kCorruptData,
                                "line " + std::to_string(row_line) + " has " + std::to_string(row.size()) +
                                    " fields, the header has " + std::to_string(t.header.size()),
                                source.string(), "fix the CSV row");
                t.rows.push_back(std::move(row));
            }
        }
        row.clear();
        field_started = false;
        row_line = line;
    };
    for (; i < text.size(); ++i) {
        const char c = text[i];
        if (in_quotes) {
            if (c == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else {
                    in_quotes = false;
                }
            } else {
                if (c == '\n') ++line;
                field += c;
            }
        } else if (c == '"' && !field_started) {
            in_quotes = true;
            field_started = true;
        } else if (c == ',') {
            row.push_back(std::move(field));
            field.clear();
            field_started = false;
        } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
            // CRLF: the '\n' ends the row.
        } else if (c == '\n') {
            ++line;
            end_row();
        } else {
            field += c;
            field_started = true;
        }
    }
    if (in_quotes)
        throw Error(ErrorCode::kCorruptData, "unterminated quoted field starting on line " + std::to_string(row_line),
                    source.string(), "close the quote");
    if (!field.empty() || !row.empty()) end_row();
    return t;
}

CsvTable read_csv(const std::filesystem::path& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw Error(ErrorCode::kNotFound, "cannot open CSV file", path.string(), "check the path");
    std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    return parse_csv(text, path);
}

}  // namespace faceatlas
