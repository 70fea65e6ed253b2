// Verification pairs in LFW's pairs.txt layout, and a generator for new protocols.
//
// File layout (LFW, Huang et al. 2007):
//   optional header "S N": S sets (folds) of N same-person pairs followed by N
//     different-person pairs each (pairs.txt: "10 300"); a header with one number "N"
//     (pairsDevTrain.txt: "1100") means one set;
//   same-person row:       name<TAB>i<TAB>j          -> files name_%04d(i).jpg, name_%04d(j).jpg
//   different-person row:  name1<TAB>i<TAB>name2<TAB>j
// Fields may be separated by any run of spaces/tabs. With a header, row r belongs to fold
// r / (2N) and the file must contain exactly S * 2N rows laid out as above (else
// faceatlas::Error kCorruptData). Without a header folds are unknown (-1); use
// contiguous_folds() from verification_accuracy.h.
//
// Generated protocol (make_pairs), for any labelled set of (file, identity):
//   * n_pairs in total, half same-identity and half different-identity, split evenly over
//     `folds` folds (n_pairs must be a multiple of 2 * folds);
//   * same pairs: repeatedly pick an identity uniformly among those that still have an unused
//     pair of files, then a uniformly random unused pair of its files;
//   * different pairs: pick two distinct identities uniformly, then one file of each uniformly,
//     redrawing a pair that was already used;
//   * no pair (unordered) appears twice; folds get the pairs in draw order; each fold is written
//     as its same pairs then its different pairs, so write/read round-trips folds exactly;
//   * each file is named in the file by (identity, index): index is the NNNN of an LFW-style
//     file name "<identity>_NNNN.<ext>" when every file of that identity is named so, otherwise
//     the 1-based rank of the file among its identity's files in byte order. PairFileIndex maps
//     rows back to files with the same rule.
//   * randomness: std::mt19937_64 seeded with `seed`, with an explicit unbiased bounded draw,
//     so the output is identical across platforms and standard libraries.
// Identity names containing whitespace cannot be written in this layout (faceatlas::Error).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "faceatlas/eval/truth_csv.h"

namespace faceatlas::eval {

struct LfwPair {
    std::string name1;
    int index1 = 0;
    std::string name2;  // == name1 for a same-person pair
    int index2 = 0;
    bool same = false;
    int fold = -1;  // -1 when the file had no header
};

struct LfwPairs {
    int n_folds = 0;         // 0 when there was no header
    int pairs_per_half = 0;  // N of the header
    std::vector<LfwPair> pairs;

    std::vector<int> folds() const;
    std::vector<bool> same() const;
};

LfwPairs parse_lfw_pairs(std::string_view text, std::string_view context = "pairs");
LfwPairs read_lfw_pairs(const std::filesystem::path& path);
// Writes the header "n_folds pairs_per_half" when n_folds > 0, tab-separated rows.
std::string format_lfw_pairs(const LfwPairs& pairs);
void write_lfw_pairs(const std::filesystem::path& path, const LfwPairs& pairs);

// "Aaron_Peirsol", 2 -> "Aaron_Peirsol_0002.jpg"; lfw_relative_path adds the folder
// "Aaron_Peirsol/Aaron_Peirsol_0002.jpg" (the layout of the LFW archive).
std::string lfw_file_name(std::string_view name, int index);
std::string lfw_relative_path(std::string_view name, int index);

struct MakePairsOptions {
    std::size_t n_pairs = 600;  // total, half same / half different
    int folds = 10;
    std::uint64_t seed = 0;

    void validate() const;  // n_pairs > 0, folds >= 1, n_pairs % (2 * folds) == 0
};

// Requires >= 2 identities and enough distinct same / different pairs (else faceatlas::Error).
LfwPairs make_pairs(const std::vector<LabelledFile>& labels, const MakePairsOptions& options = {});

// (identity, index) -> file, with the indexing rule of make_pairs.
class PairFileIndex {
  public:
    explicit PairFileIndex(const std::vector<LabelledFile>& labels);

    // Throws faceatlas::Error kNotFound when the identity/index is unknown.
    const std::string& file(const std::string& identity, int index) const;
    std::pair<std::string, std::string> files(const LfwPair& pair) const;
    // The index make_pairs writes for items[i] of the labels passed in.
    int index_of(std::size_t item) const { return item_index_[item]; }

  private:
    std::map<std::string, std::map<int, std::string>> by_identity_;
    std::vector<int> item_index_;
};

}  // namespace faceatlas::eval
