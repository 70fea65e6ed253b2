#include "faceatlas/eval/truth_csv.h"

#include <algorithm>
#include <unordered_map>

#include "faceatlas/core/csv.h"
#include "faceatlas/core/error.h"

namespace faceatlas::eval {
namespace {

TruthTable build(const CsvTable& csv, const std::string& ctx, const TruthCsvOptions& o) {
    o.validate();
    const auto file_col_opt = csv.column(o.file_column);
    const auto id_col_opt = csv.column(o.identity_column);
    if (!file_col_opt || !id_col_opt) {
        std::string found;
        for (const auto& h : csv.header) found += (found.empty() ? "" : ",") + h;
        throw Error(ErrorCode::kCorruptData,
                    "needs columns '" + o.file_column + "' and '" + o.identity_column +
                        "', header is: " + found,
                    ctx, "rename the columns or set TruthCsvOptions::file_column/identity_column");
    }
    const std::size_t file_col = *file_col_opt, id_col = *id_col_opt;
    TruthTable t;
    std::vector<std::size_t> extra_idx;
    for (std::size_t c = 0; c < csv.header.size(); ++c) {
        if (c == file_col || c == id_col) continue;
        extra_idx.push_back(c);
        t.extra_columns.push_back(csv.header[c]);
        const bool known = std::find(o.known_columns.begin(), o.known_columns.end(),
                                     csv.header[c]) != o.known_columns.end();
        if (!known && o.warn_unknown_columns) {
            t.warnings.push_back({1, "unknown column '" + csv.header[c] + "' (kept as extra)"});
        }
    }
    std::unordered_map<std::string, std::size_t> seen;  // file -> row index in csv
    for (std::size_t r = 0; r < csv.rows.size(); ++r) {
        const auto& row = csv.rows[r];
        const std::string& file = row[file_col];
        const std::string& id = row[id_col];
        const std::string where = "line " + std::to_string(csv.lines[r]);
        if (file.empty() || id.empty()) {
            throw Error(ErrorCode::kCorruptData,
                        where + ": empty " + (file.empty() ? o.file_column : o.identity_column),
                        ctx, "every row needs a file and an identity");
        }
        auto [it, inserted] = seen.emplace(file, r);
        if (!inserted) {
            const std::size_t first_line = csv.lines[it->second];
            if (csv.rows[it->second] != row) {
                throw Error(ErrorCode::kCorruptData,
                            where + ": file '" + file + "' already listed on line " +
                                std::to_string(first_line) + " with different values",
                            ctx, "keep one row per file");
            }
            if (o.duplicates == DuplicatePolicy::kError) {
                throw Error(ErrorCode::kCorruptData,
                            where + ": duplicate of line " + std::to_string(first_line), ctx,
                            "remove the repeated row");
            }
            t.warnings.push_back({csv.lines[r], "duplicate of line " + std::to_string(first_line) +
                                                    " ('" + file + "'), ignored"});
            continue;
        }
        t.items.push_back({file, id});
        t.lines.push_back(csv.lines[r]);
        std::vector<std::string> ex;
        ex.reserve(extra_idx.size());
        for (auto c : extra_idx) ex.push_back(row[c]);
        t.extra.push_back(std::move(ex));
    }
    return t;
}

}  // namespace

void TruthCsvOptions::validate() const {
    if (file_column.empty() || identity_column.empty() || file_column == identity_column) {
        throw Error(ErrorCode::kInvalidArgument,
                    "file and identity column names must be non-empty and different",
                    "truth csv options", "defaults are 'file' and 'identity'");
    }
}

std::vector<std::string> TruthTable::files() const {
    std::vector<std::string> out;
    out.reserve(items.size());
    for (const auto& it : items) out.push_back(it.file);
    return out;
}

std::vector<std::string> TruthTable::identities() const {
    std::vector<std::string> out;
    out.reserve(items.size());
    for (const auto& it : items) out.push_back(it.identity);
    return out;
}

std::vector<std::string> TruthTable::column(std::string_view name) const {
    for (std::size_t c = 0; c < extra_columns.size(); ++c) {
        if (extra_columns[c] != name) continue;
        std::vector<std::string> out;
        out.reserve(extra.size());
        for (const auto& row : extra) out.push_back(row[c]);
        return out;
    }
    throw Error(ErrorCode::kNotFound, "no column '" + std::string(name) + "'", "truth table",
                "see extra_columns for the available names");
}

TruthTable parse_truth_csv(std::string_view text, std::string_view context,
                           const TruthCsvOptions& options) {
    return build(parse_csv(text, context), std::string(context), options);
}

TruthTable read_truth_csv(const std::filesystem::path& path, const TruthCsvOptions& options) {
    return build(read_csv(path), path.string(), options);
}

}  // namespace faceatlas::eval
