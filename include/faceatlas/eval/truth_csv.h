// Ground-truth label files: CSV with a `file` and an `identity` column (names configurable) and
// any number of other columns (source, emotion, age, ...), e.g. ../shared/data/*/labels.csv.
//
// Rules (CSV syntax itself: core/csv.h):
//   * missing file/identity column, an empty file or identity value, or one file listed twice
//     with different values -> faceatlas::Error (kCorruptData) naming the line;
//   * an exact duplicate row (same values in every column) -> kept once, plus a warning, or an
//     Error when options.duplicates == DuplicatePolicy::kError;
//   * a column that is neither file, identity nor listed in options.known_columns -> a warning
//     (the values are still kept in `extra`).
// Warnings are returned, never printed.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace faceatlas::eval {

enum class DuplicatePolicy { kWarn, kError };

struct TruthCsvOptions {
    std::string file_column = "file";
    std::string identity_column = "identity";
    std::vector<std::string> known_columns;  // other expected columns: no warning for them
    bool warn_unknown_columns = true;
    DuplicatePolicy duplicates = DuplicatePolicy::kWarn;

    void validate() const;  // column names non-empty and distinct
};

struct LabelledFile {
    std::string file;
    std::string identity;
};

struct TruthWarning {
    std::size_t line = 0;  // 1-based; 1 for header-level warnings
    std::string message;
};

struct TruthTable {
    std::vector<LabelledFile> items;              // one per distinct file, in file order
    std::vector<std::size_t> lines;               // source line of items[i]
    std::vector<std::string> extra_columns;       // every other column, header order
    std::vector<std::vector<std::string>> extra;  // extra[i][c]: items[i]'s extra_columns[c]
    std::vector<TruthWarning> warnings;

    std::vector<std::string> files() const;
    std::vector<std::string> identities() const;
    // Values of one extra column, or faceatlas::Error kNotFound if there is no such column.
    std::vector<std::string> column(std::string_view name) const;
};

TruthTable parse_truth_csv(std::string_view text, std::string_view context = "truth csv",
                           const TruthCsvOptions& options = {});
TruthTable read_truth_csv(const std::filesystem::path& path, const TruthCsvOptions& options = {});

}  // namespace faceatlas::eval
