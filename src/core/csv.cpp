#include "faceatlas/core/csv.h"

#include <fstream>
#include <sstream>

#include "faceatlas/core/error.h"

namespace faceatlas {

std::optional<std::size_t> CsvTable::column(std::string_view name) const {
    for (std::size_t i = 0; i < header.size(); ++i)
        if (header[i] == name) return i;
    return std::nullopt;
}

std::size_t CsvTable::require_column(std::string_view name) const {
    if (auto c = column(name)) return *c;
    std::string have;
    for (const auto& h : header) have += (have.empty() ? "" : ", ") + h;
    throw Error(ErrorCode::kInvalidArgument,
                "CSV has no column '" + std::string(name) + "' (columns: " + have + ")",
                source.string(), "add a header row naming the column");
}

CsvTable parse_csv(std::string_view text, const std::filesystem::path& source) {
    const std::string ctx = source.empty() ? "csv" : source.string();
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    std::vector<std::vector<std::string>> records;
    std::vector<std::size_t> record_lines;
    std::vector<std::string> fields;
    std::string field;
    std::size_t line = 1;
    std::size_t record_line = 1;
    bool in_quotes = false;
    bool field_was_quoted = false;
    bool record_has_content = false;

    auto end_field = [&]() {
        fields.push_back(std::move(field));
        field.clear();
        field_was_quoted = false;
    };
    auto end_record = [&]() {
        end_field();
        const bool empty_line = fields.size() == 1 && fields[0].empty() && !record_has_content;
        if (!empty_line) {
            records.push_back(std::move(fields));
            record_lines.push_back(record_line);
        }
        fields.clear();
        record_has_content = false;
    };

    for (std::size_t i = 0; i < text.size(); ++i) {
        const char ch = text[i];
        if (in_quotes) {
            if (ch == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else {
                    in_quotes = false;
                }
            } else {
                if (ch == '\n') ++line;
                field += ch;
            }
            continue;
        }
        switch (ch) {
            case '"':
                if (!field.empty() || field_was_quoted)
                    throw Error(ErrorCode::kCorruptData,
                                "line " + std::to_string(line) + ": quote inside an unquoted field",
                                ctx, "quote the whole field and double inner quotes (\"\")");
                in_quotes = true;
                field_was_quoted = true;
                record_has_content = true;
                break;
            case ',':
                end_field();
                record_has_content = true;
                break;
            case '\r':
                if (i + 1 < text.size() && text[i + 1] == '\n') break;  // CRLF: wait for \n
                field += ch;
                break;
            case '\n':
                end_record();
                ++line;
                record_line = line;
                break;
            default:
                if (field_was_quoted)
                    throw Error(ErrorCode::kCorruptData,
                                "line " + std::to_string(line) + ": text after a closing quote",
                                ctx, "quote the whole field and double inner quotes (\"\")");
                field += ch;
                record_has_content = true;
        }
    }
    if (in_quotes)
        throw Error(ErrorCode::kCorruptData,
                    "unterminated quoted field starting on line " + std::to_string(record_line),
                    ctx, "close the quote");
    if (!field.empty() || !fields.empty() || record_has_content) end_record();

    if (records.empty())
        throw Error(ErrorCode::kCorruptData, "no header line", ctx,
                    "the first line must name the columns, e.g. file,identity");
    CsvTable table;
    table.source = source;
    table.header = std::move(records[0]);
    for (std::size_t r = 1; r < records.size(); ++r) {
        if (records[r].size() != table.header.size())
            throw Error(ErrorCode::kCorruptData,
                        "line " + std::to_string(record_lines[r]) + " has " +
                            std::to_string(records[r].size()) + " fields, the header has " +
                            std::to_string(table.header.size()),
                        ctx, "quote fields that contain commas");
        table.rows.push_back(std::move(records[r]));
        table.lines.push_back(record_lines[r]);
    }
    return table;
}

CsvTable read_csv(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(std::filesystem::exists(path) ? ErrorCode::kIo : ErrorCode::kNotFound,
                    "cannot open CSV file", path.string(), "check the path");
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse_csv(ss.str(), path);
}

}  // namespace faceatlas
