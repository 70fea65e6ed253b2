// CelebA annotation files: `list_attr_celeba.txt` (a count line, the 40 attribute names, then one
// row per image: file name and 40 values of 1 / -1) and `identity_CelebA.txt` (file, identity).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace faceatlas::attr {

// All 40 CelebA attributes in the file's order.
const std::vector<std::string>& celeba_attribute_names();
// The 37 the transfer-learning setting uses: all 40 but Attractive, Pale_Skin and Blurry.
std::vector<std::string> default_attribute_names();

struct AttributeTable {
    std::vector<std::string> names;    // attribute names, file order
    std::vector<std::string> files;    // image file names, file order
    std::vector<std::uint8_t> labels;  // files x names, row-major, 1 = present, 0 = absent

    std::uint8_t label(std::size_t file, std::size_t attribute) const {
        return labels[file * names.size() + attribute];
    }
    int index_of(const std::string& name) const;  // -1 when absent
};

// Throws faceatlas::Error (kNotFound, kCorruptData naming the file and line) for a missing file,
// a bad count line, a row with the wrong number of values or a value other than 1 / -1,
// a duplicate file or attribute name, or no rows at all.
AttributeTable read_celeba_attributes(const std::filesystem::path& path);

// file -> identity. Throws like read_celeba_attributes.
std::map<std::string, std::int64_t> read_celeba_identities(const std::filesystem::path& path);

}  // namespace faceatlas::attr
