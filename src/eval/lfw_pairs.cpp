#include "faceatlas/eval/lfw_pairs.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <limits>
#include <random>
#include <set>
#include <sstream>
#include <tuple>

#include "faceatlas/core/error.h"

namespace faceatlas::eval {
namespace {

std::vector<std::string> split_ws(std::string_view line) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
        std::size_t j = i;
        while (j < line.size() && !std::isspace(static_cast<unsigned char>(line[j]))) ++j;
        if (j > i) out.emplace_back(line.substr(i, j - i));
        i = j;
    }
    return out;
}

bool parse_int(const std::string& s, int& v) {
    const char* end = s.data() + s.size();
    auto [p, ec] = std::from_chars(s.data(), end, v);
    return ec == std::errc() && p == end;
}

// Unbiased uniform integer in [0, n) by rejection; unlike std::uniform_int_distribution its
// output is the same with every standard library.
std::uint64_t bounded(std::mt19937_64& rng, std::uint64_t n) {
    const std::uint64_t limit =
        std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % n;
    std::uint64_t x;
    do {
        x = rng();
    } while (x >= limit);
    return x % n;
}

// LFW index "<identity>_NNNN.<ext>" of a file's base name, or -1.
int lfw_index(const std::string& file, const std::string& identity) {
    const std::string base = std::filesystem::path(file).filename().string();
    if (base.size() <= identity.size() + 1 || base.compare(0, identity.size(), identity) != 0 ||
        base[identity.size()] != '_') {
        return -1;
    }
    const std::size_t start = identity.size() + 1;
    std::size_t end = start;
    while (end < base.size() && std::isdigit(static_cast<unsigned char>(base[end]))) ++end;
    if (end == start || end >= base.size() || base[end] != '.' ||
        base.find('.', end + 1) != std::string::npos) {
        return -1;
    }
    int v = 0;
    return parse_int(base.substr(start, end - start), v) && v > 0 ? v : -1;
}

void check_name(const std::string& name) {
    for (char ch : name) {
        if (std::isspace(static_cast<unsigned char>(ch))) {
            throw Error(ErrorCode::kInvalidArgument, "identity '" + name + "' contains whitespace",
                        "pairs", "pairs.txt rows are whitespace-separated: rename the identity");
        }
    }
}

}  // namespace

std::vector<int> LfwPairs::folds() const {
    std::vector<int> out;
    out.reserve(pairs.size());
    for (const auto& p : pairs) out.push_back(p.fold);
    return out;
}

std::vector<bool> LfwPairs::same() const {
    std::vector<bool> out;
    out.reserve(pairs.size());
    for (const auto& p : pairs) out.push_back(p.same);
    return out;
}

LfwPairs parse_lfw_pairs(std::string_view text, std::string_view context) {
    const std::string ctx(context);
    LfwPairs out;
    std::size_t line_no = 0;
    bool first = true;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        const std::string_view line = text.substr(pos, nl - pos);
        pos = nl + 1;
        ++line_no;
        const auto tok = split_ws(line);
        if (tok.empty()) continue;
        const std::string where = "line " + std::to_string(line_no);
        int a = 0, b = 0;
        if (first && tok.size() <= 2 && parse_int(tok[0], a) &&
            (tok.size() == 1 || parse_int(tok[1], b))) {
            out.n_folds = tok.size() == 2 ? a : 1;
            out.pairs_per_half = tok.size() == 2 ? b : a;
            if (out.n_folds < 1 || out.pairs_per_half < 1) {
                throw Error(ErrorCode::kCorruptData, where + ": bad header", ctx,
                            "expected 'folds pairs_per_half', e.g. '10 300'");
            }
            first = false;
            continue;
        }
        first = false;
        LfwPair p;
        if (tok.size() == 3 && parse_int(tok[1], p.index1) && parse_int(tok[2], p.index2)) {
            p.name1 = p.name2 = tok[0];
            p.same = true;
        } else if (tok.size() == 4 && parse_int(tok[1], p.index1) && parse_int(tok[3], p.index2)) {
            p.name1 = tok[0];
            p.name2 = tok[2];
            p.same = false;
        } else {
            throw Error(ErrorCode::kCorruptData,
                        where + ": expected 'name i j' or 'name1 i name2 j'", ctx,
                        "see LFW's pairs.txt layout");
        }
        if (p.index1 < 1 || p.index2 < 1) {
            throw Error(ErrorCode::kCorruptData, where + ": image numbers start at 1", ctx);
        }
        out.pairs.push_back(std::move(p));
    }
    if (out.n_folds > 0) {
        const std::size_t per_fold = 2 * static_cast<std::size_t>(out.pairs_per_half);
        if (out.pairs.size() != per_fold * static_cast<std::size_t>(out.n_folds)) {
            throw Error(ErrorCode::kCorruptData,
                        "header promises " + std::to_string(out.n_folds) + " x " +
                            std::to_string(per_fold) + " pairs, found " +
                            std::to_string(out.pairs.size()),
                        ctx, "fix the header or remove it");
        }
        for (std::size_t r = 0; r < out.pairs.size(); ++r) {
            out.pairs[r].fold = static_cast<int>(r / per_fold);
            const bool want_same = r % per_fold < static_cast<std::size_t>(out.pairs_per_half);
            if (out.pairs[r].same != want_same) {
                throw Error(ErrorCode::kCorruptData,
                            "pair " + std::to_string(r + 1) + " should be a " +
                                (want_same ? "same" : "different") + "-person row",
                            ctx, "each fold lists its same pairs first, then its different pairs");
            }
        }
    }
    return out;
}

LfwPairs read_lfw_pairs(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw Error(ErrorCode::kNotFound, "cannot open pairs file", path.string(),
                    "check the path");
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse_lfw_pairs(ss.str(), path.string());
}

std::string format_lfw_pairs(const LfwPairs& pairs) {
    std::string s;
    if (pairs.n_folds > 0) {
        s += std::to_string(pairs.n_folds) + "\t" + std::to_string(pairs.pairs_per_half) + "\n";
    }
    for (const auto& p : pairs.pairs) {
        check_name(p.name1);
        check_name(p.name2);
        if (p.same) {
            s += p.name1 + "\t" + std::to_string(p.index1) + "\t" + std::to_string(p.index2) + "\n";
        } else {
            s += p.name1 + "\t" + std::to_string(p.index1) + "\t" + p.name2 + "\t" +
                 std::to_string(p.index2) + "\n";
        }
    }
    return s;
}

void write_lfw_pairs(const std::filesystem::path& path, const LfwPairs& pairs) {
    const std::string text = format_lfw_pairs(pairs);
    std::ofstream out(path, std::ios::binary);
    if (!out || !(out << text) || !out.flush()) {
        throw Error(ErrorCode::kIo, "cannot write pairs file", path.string(),
                    "check the folder exists and is writable");
    }
}

std::string lfw_file_name(std::string_view name, int index) {
    char num[16];
    std::snprintf(num, sizeof num, "%04d", index);
    return std::string(name) + "_" + num + ".jpg";
}

std::string lfw_relative_path(std::string_view name, int index) {
    return std::string(name) + "/" + lfw_file_name(name, index);
}

void MakePairsOptions::validate() const {
    if (n_pairs == 0 || folds < 1 || n_pairs % (2 * static_cast<std::size_t>(folds)) != 0) {
        throw Error(ErrorCode::kInvalidArgument,
                    "n_pairs (" + std::to_string(n_pairs) +
                        ") must be a positive multiple of 2 * folds (" + std::to_string(2 * folds) +
                        ")",
                    "make_pairs", "e.g. 600 pairs in 10 folds");
    }
}

PairFileIndex::PairFileIndex(const std::vector<LabelledFile>& labels)
    : item_index_(labels.size(), 0) {
    std::map<std::string, std::vector<std::size_t>> groups;
    for (std::size_t i = 0; i < labels.size(); ++i) groups[labels[i].identity].push_back(i);
    for (auto& [identity, items] : groups) {
        bool lfw_named = true;
        std::set<int> used;
        for (auto i : items) {
            const int k = lfw_index(labels[i].file, identity);
            lfw_named = lfw_named && k > 0 && used.insert(k).second;
        }
        std::sort(items.begin(), items.end(),
                  [&](std::size_t a, std::size_t b) { return labels[a].file < labels[b].file; });
        auto& slot = by_identity_[identity];
        for (std::size_t r = 0; r < items.size(); ++r) {
            const std::size_t i = items[r];
            const int k = lfw_named ? lfw_index(labels[i].file, identity) : static_cast<int>(r + 1);
            item_index_[i] = k;
            slot[k] = labels[i].file;
        }
    }
}

const std::string& PairFileIndex::file(const std::string& identity, int index) const {
    const auto it = by_identity_.find(identity);
    if (it != by_identity_.end()) {
        const auto jt = it->second.find(index);
        if (jt != it->second.end()) return jt->second;
    }
    throw Error(ErrorCode::kNotFound, "no file for " + identity + " #" + std::to_string(index),
                "pairs", "pairs and labels must come from the same labels file");
}

std::pair<std::string, std::string> PairFileIndex::files(const LfwPair& pair) const {
    return {file(pair.name1, pair.index1), file(pair.name2, pair.index2)};
}

LfwPairs make_pairs(const std::vector<LabelledFile>& labels, const MakePairsOptions& options) {
    options.validate();
    const PairFileIndex index(labels);
    // Identities in byte order, each with its items sorted by index.
    std::map<std::string, std::vector<int>> ids;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        check_name(labels[i].identity);
        ids[labels[i].identity].push_back(index.index_of(i));
    }
    std::vector<std::string> names;
    std::vector<std::vector<int>> members;
    for (auto& [name, idx] : ids) {
        std::sort(idx.begin(), idx.end());
        names.push_back(name);
        members.push_back(idx);
    }
    const std::size_t half = options.n_pairs / 2;
    if (names.size() < 2) {
        throw Error(ErrorCode::kInvalidArgument, "need at least 2 identities", "make_pairs",
                    "different-person pairs need two people");
    }
    std::uint64_t possible_same = 0, total = 0, sum_sq = 0;
    for (const auto& m : members) {
        possible_same += m.size() * (m.size() - 1) / 2;
        total += m.size();
        sum_sq += m.size() * m.size();
    }
    const std::uint64_t possible_diff = (total * total - sum_sq) / 2;
    if (possible_same < half || possible_diff < half) {
        throw Error(ErrorCode::kInvalidArgument,
                    "asked for " + std::to_string(half) + " same and " + std::to_string(half) +
                        " different pairs, the labels allow " + std::to_string(possible_same) +
                        " and " + std::to_string(possible_diff),
                    "make_pairs", "lower n_pairs");
    }
    std::mt19937_64 rng(options.seed);

    // Same pairs: per identity a lazily shuffled list of its unused pairs.
    std::vector<std::vector<std::pair<int, int>>> pool(names.size());
    std::vector<bool> pool_ready(names.size(), false);
    std::vector<std::size_t> open;  // identities with unused pairs
    for (std::size_t k = 0; k < names.size(); ++k) {
        if (members[k].size() >= 2) open.push_back(k);
    }
    std::vector<LfwPair> same_pairs;
    while (same_pairs.size() < half) {
        const std::size_t slot = bounded(rng, open.size());
        const std::size_t k = open[slot];
        auto& pk = pool[k];
        if (!pool_ready[k]) {
            for (std::size_t a = 0; a < members[k].size(); ++a) {
                for (std::size_t b = a + 1; b < members[k].size(); ++b) {
                    pk.emplace_back(members[k][a], members[k][b]);
                }
            }
            pool_ready[k] = true;
        }
        const std::size_t pick = bounded(rng, pk.size());
        std::swap(pk[pick], pk.back());
        const auto [i1, i2] = pk.back();
        pk.pop_back();
        if (pk.empty()) {
            open[slot] = open.back();
            open.pop_back();
        }
        same_pairs.push_back({names[k], i1, names[k], i2, true, -1});
    }

    // Different pairs: redraw repeats. Enumerating them is quadratic in the number of files, so
    // bound the redraws instead and fail loudly when the request is close to all possible pairs.
    std::set<std::tuple<std::size_t, int, std::size_t, int>> used;
    std::vector<LfwPair> diff_pairs;
    const std::uint64_t max_draws = 1000 * static_cast<std::uint64_t>(half) + 100000;
    for (std::uint64_t draw = 0; diff_pairs.size() < half; ++draw) {
        if (draw >= max_draws) {
            throw Error(
                ErrorCode::kInvalidArgument,
                "could not draw " + std::to_string(half) + " distinct different-person pairs",
                "make_pairs", "lower n_pairs or add identities");
        }
        std::size_t a = bounded(rng, names.size());
        std::size_t b = bounded(rng, names.size() - 1);
        if (b >= a) ++b;
        int ia = members[a][bounded(rng, members[a].size())];
        int ib = members[b][bounded(rng, members[b].size())];
        if (a > b) {
            std::swap(a, b);
            std::swap(ia, ib);
        }
        if (!used.emplace(a, ia, b, ib).second) continue;
        diff_pairs.push_back({names[a], ia, names[b], ib, false, -1});
    }

    LfwPairs out;
    out.n_folds = options.folds;
    out.pairs_per_half = static_cast<int>(half / static_cast<std::size_t>(options.folds));
    const auto per = static_cast<std::size_t>(out.pairs_per_half);
    for (int f = 0; f < options.folds; ++f) {
        const std::size_t base = static_cast<std::size_t>(f) * per;
        for (std::size_t r = 0; r < per; ++r) {
            out.pairs.push_back(same_pairs[base + r]);
            out.pairs.back().fold = f;
        }
        for (std::size_t r = 0; r < per; ++r) {
            out.pairs.push_back(diff_pairs[base + r]);
            out.pairs.back().fold = f;
        }
    }
    return out;
}

}  // namespace faceatlas::eval
