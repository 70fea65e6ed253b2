#include "face_data.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>

#include "cli_common.h"
#include "faceatlas/catalog/embedding_kind.h"
#include "faceatlas/catalog/truth_match.h"
#include "faceatlas/core/csv.h"
#include "faceatlas/core/error.h"
#include "faceatlas/pipeline/live_faces.h"

namespace faceatlas::cli {

CatalogFaces load_catalog_faces(const std::string& path, bool with_embeddings) {
    CatalogFaces out;
    out.catalog = open_catalog(path, CatalogAccess::kReadOnly);
    static_cast<pipeline::LiveFaces&>(out) = pipeline::live_faces(*out.catalog, with_embeddings);
    return out;
}

std::size_t embedding_dim(const std::string& embedding) {
    return catalog::embedding_kind(embedding).dim;
}

const std::vector<float>& embedding_of(const catalog::FaceRecord& face,
                                       const std::string& embedding) {
    return catalog::embedding_kind(embedding).of(face);
}

LabelFile read_label_file(const std::string& path, const std::string& file_column) {
    const CsvTable t = read_csv(path);
    const std::size_t fc = t.require_column(file_column);
    LabelFile out;
    out.path = path;
    std::vector<std::size_t> cols;
    for (std::size_t c = 0; c < t.header.size(); ++c) {
        if (c == fc) continue;
        cols.push_back(c);
        out.columns.push_back(t.header[c]);
    }
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
        const auto& row = t.rows[r];
        const std::string file = std::filesystem::path(row[fc]).filename().string();
        if (file.empty()) {
            throw Error(ErrorCode::kCorruptData, "empty file name on line " + std::to_string(r + 2),
                        path);
        }
        std::vector<std::string> values;
        for (auto c : cols) values.push_back(row[c]);
        const auto [it, inserted] = out.by_file.emplace(file, values);
        if (!inserted) {
            if (it->second != values) {
                throw Error(ErrorCode::kCorruptData,
                            "file " + file + " is listed twice with different labels (line " +
                                std::to_string(r + 2) + ")",
                            path, "keep one row per file");
            }
            ++out.exact_duplicates;
        }
    }
    return out;
}

LabelledFaces match_labels(const CatalogFaces& faces, const LabelFile& labels) {
    // One matcher for every evaluation: catalog::faces_by_file_name decides which face a file
    // name means (largest face, ties to the lower id; ambiguous names refused), this maps it back
    // to an index into faces.faces.
    const auto by_name = catalog::faces_by_file_name(*faces.catalog, false);
    std::map<std::int64_t, std::size_t> index_of;
    for (std::size_t i = 0; i < faces.faces.size(); ++i) index_of.emplace(faces.faces[i].id, i);
    std::map<std::string, std::size_t> largest;
    for (const auto& [file, values] : labels.by_file) {
        const catalog::FaceRecord* f = by_name.find(file);  // throws for an ambiguous name
        if (f == nullptr) continue;
        const auto it = index_of.find(f->id);
        if (it != index_of.end()) largest.emplace(file, it->second);
    }
    LabelledFaces out;
    for (const auto& [file, values] : labels.by_file) {
        const auto it = largest.find(file);
        if (it == largest.end()) {
            ++out.unmatched;
            continue;
        }
        out.face_index.push_back(it->second);
        out.values.push_back(values);
    }
    if (out.face_index.empty()) {
        throw Error(ErrorCode::kInvalidArgument,
                    "none of the " + std::to_string(labels.by_file.size()) +
                        " files in the labels match a face in the catalog",
                    labels.path, "label files are matched by file name; scan those photos first");
    }
    return out;
}

std::vector<int> parse_int_list(const std::string& text, const std::string& flag) {
    std::vector<int> out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto at = text.find(',', start);
        const std::string item =
            text.substr(start, at == std::string::npos ? std::string::npos : at - start);
        int v = 0;
        const auto [p, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
        if (item.empty() || ec != std::errc() || p != item.data() + item.size()) {
            throw Error(ErrorCode::kInvalidArgument, "bad number '" + item + "' in '" + text + "'",
                        flag, "write integers separated by commas, e.g. 2,4,8");
        }
        out.push_back(v);
        if (at == std::string::npos) break;
        start = at + 1;
    }
    return out;
}

std::string utc_now() {
    const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace faceatlas::cli
