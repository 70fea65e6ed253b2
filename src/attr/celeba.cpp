#include "faceatlas/attr/celeba.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "faceatlas/core/error.h"

namespace faceatlas::attr {
namespace {

std::ifstream open_or_throw(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in)
        throw Error(
            ErrorCode::kNotFound, "cannot open annotation file", path.string(),
            "pass the folder that holds CelebA's list_attr_celeba.txt and identity_CelebA.txt");
    return in;
}

[[noreturn]] void bad_line(const std::filesystem::path& path, std::size_t line,
                           const std::string& what) {
    throw Error(ErrorCode::kCorruptData, what + " (line " + std::to_string(line) + ")",
                path.string(), "fix or remove the row; the layout is CelebA's official one");
}

}  // namespace

const std::vector<std::string>& celeba_attribute_names() {
    static const std::vector<std::string> kNames = {"5_o_Clock_Shadow",
                                                    "Arched_Eyebrows",
                                                    "Attractive",
                                                    "Bags_Under_Eyes",
                                                    "Bald",
                                                    "Bangs",
                                                    "Big_Lips",
                                                    "Big_Nose",
                                                    "Black_Hair",
                                                    "Blond_Hair",
                                                    "Blurry",
                                                    "Brown_Hair",
                                                    "Bushy_Eyebrows",
                                                    "Chubby",
                                                    "Double_Chin",
                                                    "Eyeglasses",
                                                    "Goatee",
                                                    "Gray_Hair",
                                                    "Heavy_Makeup",
                                                    "High_Cheekbones",
                                                    "Male",
                                                    "Mouth_Slightly_Open",
                                                    "Mustache",
                                                    "Narrow_Eyes",
                                                    "No_Beard",
                                                    "Oval_Face",
                                                    "Pale_Skin",
                                                    "Pointy_Nose",
                                                    "Receding_Hairline",
                                                    "Rosy_Cheeks",
                                                    "Sideburns",
                                                    "Smiling",
                                                    "Straight_Hair",
                                                    "Wavy_Hair",
                                                    "Wearing_Earrings",
                                                    "Wearing_Hat",
                                                    "Wearing_Lipstick",
                                                    "Wearing_Necklace",
                                                    "Wearing_Necktie",
                                                    "Young"};
    return kNames;
}

std::vector<std::string> default_attribute_names() {
    std::vector<std::string> out;
    for (const auto& n : celeba_attribute_names())
        if (n != "Attractive" && n != "Pale_Skin" && n != "Blurry") out.push_back(n);
    return out;
}

int AttributeTable::index_of(const std::string& name) const {
    const auto it = std::find(names.begin(), names.end(), name);
    return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}

AttributeTable read_celeba_attributes(const std::filesystem::path& path) {
    auto in = open_or_throw(path);
    AttributeTable t;
    std::string line;
    std::size_t lineno = 0;
    long long declared = -1;
    // Line 1: the number of images.
    while (std::getline(in, line)) {
        ++lineno;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        std::istringstream ss(line);
        if (!(ss >> declared) || declared < 0) bad_line(path, lineno, "expected the image count");
        break;
    }
    if (declared < 0) throw Error(ErrorCode::kCorruptData, "empty annotation file", path.string());
    // Line 2: attribute names.
    if (!std::getline(in, line)) bad_line(path, lineno + 1, "missing the attribute name line");
    ++lineno;
    {
        std::istringstream ss(line);
        std::string n;
        std::set<std::string> seen;
        while (ss >> n) {
            if (!seen.insert(n).second) bad_line(path, lineno, "duplicate attribute name " + n);
            t.names.push_back(n);
        }
        if (t.names.empty()) bad_line(path, lineno, "no attribute names");
    }
    std::set<std::string> files;
    while (std::getline(in, line)) {
        ++lineno;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        std::istringstream ss(line);
        std::string file;
        ss >> file;
        std::size_t k = 0;
        std::string v;
        while (ss >> v) {
            if (v != "1" && v != "-1" && v != "+1")
                bad_line(path, lineno, "value '" + v + "' is not 1 or -1");
            if (k >= t.names.size())
                bad_line(path, lineno, "more than " + std::to_string(t.names.size()) + " values");
            t.labels.push_back(v == "-1" ? 0 : 1);
            ++k;
        }
        if (k != t.names.size())
            bad_line(path, lineno,
                     "expected " + std::to_string(t.names.size()) + " values, found " +
                         std::to_string(k));
        if (!files.insert(file).second) bad_line(path, lineno, "duplicate image " + file);
        t.files.push_back(file);
    }
    if (t.files.empty())
        throw Error(ErrorCode::kCorruptData, "no image rows", path.string(),
                    "the file lists no images");
    return t;
}

std::map<std::string, std::int64_t> read_celeba_identities(const std::filesystem::path& path) {
    auto in = open_or_throw(path);
    std::map<std::string, std::int64_t> out;
    std::string line;
    std::size_t lineno = 0;
    while (std::getline(in, line)) {
        ++lineno;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        std::istringstream ss(line);
        std::string file;
        std::int64_t id = 0;
        std::string extra;
        if (!(ss >> file >> id) || (ss >> extra))
            bad_line(path, lineno, "expected `file identity`");
        if (!out.emplace(file, id).second) bad_line(path, lineno, "duplicate image " + file);
    }
    if (out.empty()) throw Error(ErrorCode::kCorruptData, "no identity rows", path.string());
    return out;
}

}  // namespace faceatlas::attr
