#include "faceatlas/eval/attribute_eval.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <numeric>
#include <set>
#include <sstream>
#include <unordered_map>

#include "faceatlas/core/csv.h"
#include "faceatlas/core/error.h"
#include "faceatlas/eval/age_bands.h"
#include "faceatlas/eval/classification.h"

namespace faceatlas::eval {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string trim(std::string_view s) {
    std::size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
    return std::string(s.substr(b, e - b));
}

[[noreturn]] void bad_row(std::string_view context, std::size_t line, const std::string& what,
                          const std::string& hint) {
    throw Error(ErrorCode::kCorruptData, "line " + std::to_string(line) + ": " + what,
                std::string(context), hint);
}

std::optional<double> parse_number(const std::string& s) {
    double v = 0;
    const auto* end = s.data() + s.size();
    auto [p, ec] = std::from_chars(s.data(), end, v);
    if (ec != std::errc() || p != end || !std::isfinite(v)) return std::nullopt;
    return v;
}

void check_unique(const AttributeTruthTable& t, std::string_view context) {
    std::unordered_map<std::string, std::size_t> seen;
    for (const auto& it : t.items) {
        auto [pos, inserted] = seen.emplace(it.file, it.line);
        if (!inserted)
            bad_row(context, it.line,
                    "file '" + it.file + "' already listed on line " + std::to_string(pos->second),
                    "keep one row per file");
    }
}

}  // namespace

std::optional<std::string> map_expression_label(std::string_view label) {
    static const std::map<std::string, std::string> kMap = {
        {"happiness", "happy"},     {"sadness", "sad"},       {"surprise", "surprised"},
        {"anger", "angry"},         {"disgust", "disgusted"}, {"fear", "fearful"},
        {"neutral", "neutral"},     {"happy", "happy"},       {"sad", "sad"},
        {"surprised", "surprised"}, {"angry", "angry"},       {"disgusted", "disgusted"},
        {"fearful", "fearful"},     {"contempt", "contempt"},
    };
    auto it = kMap.find(lower(trim(label)));
    if (it == kMap.end()) return std::nullopt;
    return it->second;
}

void AttributeEvalOptions::validate() const {
    auto bad = [](const std::string& what) {
        throw Error(ErrorCode::kInvalidArgument, what, "AttributeEvalOptions");
    };
    if (top_l < 1 || top_l > 100) bad("top_l must be in 1..100");
    if (max_top_l < 1 || max_top_l > 100) bad("max_top_l must be in 1..100");
    if (!(adult_age >= 0)) bad("adult_age must be >= 0");
    if (!(within_years >= 0)) bad("within_years must be >= 0");
    for (const auto& [name, t] : attribute_thresholds)
        if (!(t >= 0 && t <= 1)) bad("threshold of " + name + " must be in [0, 1]");
}

AttributeTruthTable parse_attribute_truth_csv(std::string_view text, std::string_view context) {
    const CsvTable csv = parse_csv(text, context);
    auto col = [&](const char* name) {
        const auto c = csv.column(name);
        return c ? static_cast<int>(*c) : -1;
    };
    const int file_col = col("file");
    if (file_col < 0)
        throw Error(ErrorCode::kCorruptData, "no 'file' column", std::string(context),
                    "the truth CSV needs a header with 'file' and any of age, gender, emotion");
    const int age_col = col("age");
    const int gender_col = col("gender");
    int expr_col = col("emotion");
    if (expr_col < 0) expr_col = col("expression");
    if (age_col < 0 && gender_col < 0 && expr_col < 0)
        throw Error(ErrorCode::kCorruptData, "no label column (age, gender, emotion)",
                    std::string(context), "add at least one of the columns age, gender, emotion");
    AttributeTruthTable t;
    t.source = std::string(context);
    t.has_age = age_col >= 0;
    t.has_gender = gender_col >= 0;
    t.has_expression = expr_col >= 0;
    for (std::size_t c = 0; c < csv.header.size(); ++c) {
        const int ci = static_cast<int>(c);
        if (ci != file_col && ci != age_col && ci != gender_col && ci != expr_col)
            t.ignored_columns.push_back(csv.header[c]);
    }
    for (std::size_t r = 0; r < csv.rows.size(); ++r) {
        const auto& row = csv.rows[r];
        const std::size_t line = csv.lines[r];
        AttributeTruth it;
        it.line = line;
        it.file = trim(row[static_cast<std::size_t>(file_col)]);
        if (it.file.empty()) bad_row(context, line, "empty file", "every row needs a file name");
        if (age_col >= 0) {
            const std::string v = trim(row[static_cast<std::size_t>(age_col)]);
            if (!v.empty()) {
                auto a = parse_number(v);
                if (!a || *a < 0)
                    bad_row(context, line, "age '" + v + "' is not a number >= 0",
                            "write ages in years, or leave the cell empty");
                it.age = *a;
            }
        }
        if (gender_col >= 0) {
            const std::string v = lower(trim(row[static_cast<std::size_t>(gender_col)]));
            if (v == "male" || v == "m")
                it.male = true;
            else if (v == "female" || v == "f")
                it.male = false;
            else if (!v.empty())
                bad_row(context, line, "gender '" + v + "' is not male/female",
                        "use male, female, m or f, or leave the cell empty");
        }
        if (expr_col >= 0) {
            const std::string v = trim(row[static_cast<std::size_t>(expr_col)]);
            if (!v.empty()) {
                auto e = map_expression_label(v);
                if (!e)
                    bad_row(context, line, "unknown emotion '" + v + "'",
                            "use one of neutral, happiness, sadness, surprise, anger, disgust, "
                            "fear, contempt (or face-api's names)");
                it.expression = *e;
            }
        }
        t.items.push_back(std::move(it));
    }
    check_unique(t, context);
    return t;
}

AttributeTruthTable parse_celeba_attributes(std::string_view text, std::string_view context) {
    std::istringstream in{std::string(text)};
    std::string line;
    std::size_t line_no = 0;
    auto next = [&]() {
        while (std::getline(in, line)) {
            ++line_no;
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (!trim(line).empty()) return true;
        }
        return false;
    };
    if (!next()) throw Error(ErrorCode::kCorruptData, "empty file", std::string(context));
    const auto count = parse_number(trim(line));
    if (!count || *count < 0 || std::floor(*count) != *count)
        bad_row(context, line_no, "expected the image count, got '" + trim(line) + "'",
                "CelebA's list_attr_celeba.txt starts with the number of images");
    if (!next()) bad_row(context, line_no + 1, "missing attribute names", "");
    AttributeTruthTable t;
    t.source = std::string(context);
    {
        std::istringstream names(line);
        std::string n;
        while (names >> n) t.attribute_names.push_back(n);
    }
    if (t.attribute_names.empty()) bad_row(context, line_no, "no attribute names", "");
    const auto male_it = std::find(t.attribute_names.begin(), t.attribute_names.end(), "Male");
    t.has_gender = male_it != t.attribute_names.end();
    while (next()) {
        std::istringstream fields(line);
        AttributeTruth it;
        it.line = line_no;
        fields >> it.file;
        std::string v;
        while (fields >> v) {
            if (v == "1")
                it.attributes.push_back(1);
            else if (v == "-1" || v == "0")
                it.attributes.push_back(0);
            else
                bad_row(context, line_no, "value '" + v + "' is not 1 or -1",
                        "attribute values are 1 (yes) or -1 (no)");
        }
        if (it.attributes.size() != t.attribute_names.size())
            bad_row(context, line_no,
                    std::to_string(it.attributes.size()) + " values for " +
                        std::to_string(t.attribute_names.size()) + " attributes",
                    "one value per attribute named on line 2");
        if (t.has_gender)
            it.male =
                it.attributes[static_cast<std::size_t>(male_it - t.attribute_names.begin())] == 1;
        t.items.push_back(std::move(it));
    }
    if (static_cast<double>(t.items.size()) != *count)
        throw Error(ErrorCode::kCorruptData,
                    "line 1 announces " + std::to_string(static_cast<long long>(*count)) +
                        " images, the file lists " + std::to_string(t.items.size()),
                    std::string(context), "the file is truncated or the count is wrong");
    check_unique(t, context);
    return t;
}

AttributeTruthTable read_attribute_truth(const std::filesystem::path& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f)
        throw Error(ErrorCode::kNotFound, "cannot open the truth file", path.string(),
                    "check the --truth path");
    std::stringstream ss;
    ss << f.rdbuf();
    if (f.bad()) throw Error(ErrorCode::kIo, "read failed", path.string());
    const std::string text = ss.str();
    const std::string first = trim(text.substr(0, text.find('\n')));
    const bool celeba = !first.empty() && parse_number(first).has_value();
    return celeba ? parse_celeba_attributes(text, path.string())
                  : parse_attribute_truth_csv(text, path.string());
}

double expected_age_top_l(const std::vector<float>& p, int top_l, double first_bin_age) {
    const int bins = static_cast<int>(p.size());
    if (bins == 0 || top_l < 1)
        throw Error(ErrorCode::kInvalidArgument, "need age bins and top_l >= 1",
                    "expected_age_top_l");
    const int l = std::min(top_l, bins);
    std::vector<int> idx(p.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::partial_sort(idx.begin(), idx.begin() + l, idx.end(),
                      [&](int a, int b) { return p[a] > p[b] || (p[a] == p[b] && a < b); });
    double num = 0, den = 0;
    for (int k = 0; k < l; ++k) {
        num += static_cast<double>(p[idx[k]]) * idx[k];
        den += p[idx[k]];
    }
    return first_bin_age + (den > 0 ? num / den : idx[0]);
}

namespace {

bool path_matches(const std::string& photo, const std::string& file) {
    if (photo == file) return true;
    return photo.size() > file.size() &&
           photo.compare(photo.size() - file.size(), file.size(), file) == 0 &&
           photo[photo.size() - file.size() - 1] == '/';
}

std::string base_name(const std::string& p) {
    const auto s = p.find_last_of('/');
    return s == std::string::npos ? p : p.substr(s + 1);
}

AgeScores age_scores(const std::vector<double>& truth, const std::vector<double>& pred,
                     double within) {
    return {truth.size(), mean_absolute_error(truth, pred), band_accuracy(truth, pred),
            within_accuracy(truth, pred, within)};
}

GenderScores gender_scores(const std::vector<int>& truth, const std::vector<int>& pred) {
    return {truth.size(), accuracy(truth, pred), balanced_accuracy(truth, pred)};
}

BinaryScores binary_scores(const std::vector<int>& truth, const std::vector<int>& pred) {
    BinaryScores s;
    s.n = truth.size();
    std::size_t pos = 0, neg = 0, fn = 0, fp = 0;
    for (std::size_t i = 0; i < truth.size(); ++i) {
        if (truth[i]) {
            ++pos;
            fn += pred[i] == 0;
        } else {
            ++neg;
            fp += pred[i] == 1;
        }
    }
    s.accuracy = accuracy(truth, pred);
    s.balanced_accuracy = balanced_accuracy(truth, pred);
    s.mispredicted_positives = pos ? static_cast<double>(fn) / static_cast<double>(pos) : 0;
    s.mispredicted_negatives = neg ? static_cast<double>(fp) / static_cast<double>(neg) : 0;
    return s;
}

// Scores age and gender of every model over the (truth, face) pairs selected.
void score_age_gender(const std::vector<const AttributeTruth*>& truth,
                      const std::vector<const FaceAttributes*>& faces,
                      const AttributeEvalOptions& o, std::map<std::string, AgeScores>& age_out,
                      std::map<std::string, std::map<int, AgeScores>>* top_l_out,
                      std::map<std::string, GenderScores>& gender_out) {
    struct AgeAcc {
        std::vector<double> t, p;
        std::map<int, std::vector<double>> per_l;
    };
    std::map<std::string, AgeAcc> ages;
    std::map<std::string, std::pair<std::vector<int>, std::vector<int>>> genders;
    for (std::size_t i = 0; i < truth.size(); ++i) {
        const auto& t = *truth[i];
        const auto& f = *faces[i];
        if (t.age) {
            for (const auto& [model, a] : f.age) {
                auto& acc = ages[model];
                acc.t.push_back(*t.age);
                if (a.bin_probs.empty()) {
                    acc.p.push_back(a.years);
                } else {
                    acc.p.push_back(expected_age_top_l(a.bin_probs, o.top_l, a.first_bin_age));
                    for (int l = 1; l <= o.max_top_l; ++l)
                        acc.per_l[l].push_back(expected_age_top_l(a.bin_probs, l, a.first_bin_age));
                }
            }
        }
        if (t.male) {
            for (const auto& [model, p] : f.male_prob) {
                genders[model].first.push_back(*t.male ? 1 : 0);
                genders[model].second.push_back(p > 0.5 ? 1 : 0);
            }
        }
    }
    for (const auto& [model, acc] : ages) {
        age_out[model] = age_scores(acc.t, acc.p, o.within_years);
        if (top_l_out && acc.per_l.size() == static_cast<std::size_t>(o.max_top_l) &&
            acc.per_l.begin()->second.size() == acc.t.size())
            for (const auto& [l, pred] : acc.per_l)
                (*top_l_out)[model][l] = age_scores(acc.t, pred, o.within_years);
    }
    for (const auto& [model, g] : genders) gender_out[model] = gender_scores(g.first, g.second);
}

}  // namespace

AttributeReport evaluate_attributes(const AttributeTruthTable& truth,
                                    const std::vector<std::string>& photos,
                                    const std::vector<FaceAttributes>& faces,
                                    const AttributeEvalOptions& options) {
    options.validate();
    AttributeReport r;
    r.truth_files = truth.items.size();

    // Index photos and faces by base name; the suffix rule decides among candidates.
    std::unordered_map<std::string, std::vector<std::string>> photos_by_base;
    auto add_photo = [&](const std::string& p) {
        auto& v = photos_by_base[base_name(p)];
        if (std::find(v.begin(), v.end(), p) == v.end()) v.push_back(p);
    };
    for (const auto& p : photos) add_photo(p);
    std::unordered_map<std::string, const FaceAttributes*> largest;  // photo path -> face
    for (const auto& f : faces) {
        auto [it, inserted] = largest.emplace(f.file, &f);
        if (inserted)
            add_photo(f.file);
        else if (f.area > it->second->area)
            it->second = &f;
    }

    std::vector<const AttributeTruth*> judged_truth;
    std::vector<const FaceAttributes*> judged_face;
    for (const auto& t : truth.items) {
        std::vector<std::string> matches;
        if (auto it = photos_by_base.find(base_name(t.file)); it != photos_by_base.end())
            for (const auto& p : it->second)
                if (path_matches(p, t.file)) matches.push_back(p);
        if (matches.size() > 1)
            throw Error(ErrorCode::kCorruptData,
                        "line " + std::to_string(t.line) + ": '" + t.file + "' matches " +
                            std::to_string(matches.size()) + " catalog photos (" + matches[0] +
                            ", " + matches[1] + ")",
                        truth.source, "give a longer path in the truth file so it names one photo");
        if (matches.empty()) {
            ++r.unknown;
            continue;
        }
        auto f = largest.find(matches[0]);
        if (f == largest.end()) {
            ++r.no_face;
            continue;
        }
        judged_truth.push_back(&t);
        judged_face.push_back(f->second);
    }
    r.missed = r.unknown + r.no_face;
    r.n = judged_truth.size();
    if (r.unknown == r.truth_files && r.truth_files > 0)
        throw Error(ErrorCode::kNotFound,
                    "none of the " + std::to_string(r.truth_files) +
                        " files of the truth file is in the catalog",
                    truth.source,
                    "scan the images the truth file lists, or pass the right --catalog");

    score_age_gender(judged_truth, judged_face, options, r.age, &r.age_top_l, r.gender);

    // Adults.
    std::vector<const AttributeTruth*> at;
    std::vector<const FaceAttributes*> af;
    for (std::size_t i = 0; i < judged_truth.size(); ++i)
        if (judged_truth[i]->age && *judged_truth[i]->age >= options.adult_age) {
            at.push_back(judged_truth[i]);
            af.push_back(judged_face[i]);
        }
    r.adults.n = at.size();
    score_age_gender(at, af, options, r.adults.age, nullptr, r.adults.gender);

    // Expression.
    {
        std::map<std::string, std::pair<std::vector<int>, std::vector<int>>> acc;
        const int kContempt = static_cast<int>(kExpressionClasses.size());
        std::size_t unpredictable = 0;
        for (std::size_t i = 0; i < judged_truth.size(); ++i) {
            const auto& t = *judged_truth[i];
            if (!t.expression) continue;
            int label = kContempt;
            for (std::size_t c = 0; c < kExpressionClasses.size(); ++c)
                if (*t.expression == kExpressionClasses[c]) label = static_cast<int>(c);
            unpredictable += label == kContempt;
            for (const auto& [model, probs] : judged_face[i]->expression) {
                acc[model].first.push_back(label);
                acc[model].second.push_back(
                    static_cast<int>(std::max_element(probs.begin(), probs.end()) - probs.begin()));
            }
        }
        for (const auto& [model, a] : acc) {
            ExpressionScoresEval e;
            e.n = a.first.size();
            e.accuracy = accuracy(a.first, a.second);
            e.unpredictable = unpredictable;
            for (const auto& c : per_class_recall(a.first, a.second))
                e.recall.push_back({c.label == kContempt ? "contempt" : kExpressionClasses[c.label],
                                    static_cast<std::size_t>(c.support), c.recall});
            r.expression[model] = std::move(e);
        }
        if (unpredictable > 0)
            r.notes.push_back(std::to_string(unpredictable) +
                              " faces are labelled 'contempt', which face-api's expression net "
                              "has no class for: they count as misses");
    }

    // Binary attributes.
    std::vector<double> accs, baccs, bases;
    for (std::size_t a = 0; a < truth.attribute_names.size(); ++a) {
        BinaryAttributeScores s;
        s.name = truth.attribute_names[a];
        std::vector<int> t_all;
        std::map<std::string, std::pair<std::vector<int>, std::vector<int>>> per_model;
        for (std::size_t i = 0; i < judged_truth.size(); ++i) {
            const int t = judged_truth[i]->attributes[a];
            t_all.push_back(t);
            for (const auto& [model, attrs] : judged_face[i]->attributes)
                if (auto it = attrs.find(s.name); it != attrs.end()) {
                    per_model[model].first.push_back(t);
                    const auto th = options.attribute_thresholds.find(s.name);
                    per_model[model].second.push_back((th != options.attribute_thresholds.end()
                                                           ? it->second >= th->second
                                                           : it->second > 0.5)
                                                          ? 1
                                                          : 0);
                }
            if (s.name == "Male")
                for (const auto& [model, p] : judged_face[i]->male_prob)
                    if (!judged_face[i]->attributes.count(model) ||
                        !judged_face[i]->attributes.at(model).count("Male")) {
                        per_model[model].first.push_back(t);
                        per_model[model].second.push_back(p > 0.5 ? 1 : 0);
                    }
        }
        s.n = t_all.size();
        s.positives = static_cast<std::size_t>(std::count(t_all.begin(), t_all.end(), 1));
        s.majority_baseline = s.n ? static_cast<double>(std::max(s.positives, s.n - s.positives)) /
                                        static_cast<double>(s.n)
                                  : 0;
        std::set<std::string> trained;
        for (std::size_t i = 0; i < judged_face.size(); ++i)
            for (const auto& [model, attrs] : judged_face[i]->attributes)
                if (attrs.count(s.name)) trained.insert(model);
        for (const auto& [model, tp] : per_model)
            s.models[model] = binary_scores(tp.first, tp.second);
        if (!s.models.empty()) {
            s.main_model = trained.empty() ? s.models.begin()->first : *trained.begin();
            accs.push_back(s.models.at(s.main_model).accuracy);
            baccs.push_back(s.models.at(s.main_model).balanced_accuracy);
        }
        bases.push_back(s.majority_baseline);
        r.attributes.push_back(std::move(s));
    }
    auto mean = [](const std::vector<double>& v) {
        return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
    };
    if (!accs.empty()) {
        r.mean_accuracy = mean(accs);
        r.mean_balanced_accuracy = mean(baccs);
    }
    if (!bases.empty()) r.mean_majority_baseline = mean(bases);
    if (!truth.attribute_names.empty() && accs.size() < truth.attribute_names.size())
        r.notes.push_back(std::to_string(truth.attribute_names.size() - accs.size()) + " of " +
                          std::to_string(truth.attribute_names.size()) +
                          " attributes are predicted by no model in the catalog: only their "
                          "majority-class baseline is reported");
    return r;
}

}  // namespace faceatlas::eval
