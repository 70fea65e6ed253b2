// Attribute evaluation: age, gender, expression and binary attributes (CelebA) of the faces in a
// catalog against ground-truth labels. Plain structs in, typed scores out; the CLI
// (`faceatlas eval attributes`) builds the inputs from catalog faces and renders the report.
//
// Truth files (read_attribute_truth picks the format from the content):
//   * CSV with a `file` column plus any of `age` (years, a number >= 0), `gender` (male/female,
//     m/f), `emotion` (or `expression`): utkface-dev and faces-dev labels.csv. Empty cells mean
//     "no label". Emotion labels are mapped to face-api's classes: happiness->happy,
//     sadness->sad, surprise->surprised, anger->angry, disgust->disgusted, fear->fearful,
//     neutral->neutral (face-api's own names are accepted as they are). `contempt` has no
//     face-api class: it is kept as a label no model can predict, i.e. always counted as a miss.
//     Other columns (identity, race, ...) are ignored and listed in `ignored_columns`.
//   * CelebA list_attr_celeba.txt: line 1 the image count, line 2 the attribute names, then
//     `file v1 v2 ...` with values 1 / -1 (0 is read as negative). Its `Male` attribute also
//     gives the gender truth.
//   Malformed rows (bad number, unknown gender/emotion, wrong field count, a file listed twice)
//   throw faceatlas::Error (kCorruptData) naming the file and the line.
//
// Matching: a truth `file` matches a catalog photo whose path equals it or ends with "/" + file
// (truth files usually hold names relative to the image folder). Two photos matching one truth
// file is an Error (ambiguous; give longer paths in the truth file). A file with several faces
// is judged on its largest face (box area). A truth file with no face counts in `missed`
// (`unknown`: not in the catalog at all; `no_face`: in the catalog, no face found).
//
// Scores per model that predicts the attribute, over the judged files that have the label:
//   age         MAE, Adience band accuracy (nearest band, age_bands.h), within ±5 years; a
//               model that gives age-bin probabilities (faceres) is also scored per top-L
//               (expected value of the L most probable bins, renormalised; L = 1 is the argmax),
//               L = 1..max_top_l; its main entry uses options.top_l.
//   gender      accuracy and balanced accuracy (male iff P(male) > 0.5, as face-api).
//   expression  accuracy (argmax of the 7 face-api probabilities) and per-class recall.
//   binary      per attribute: majority-class baseline of the truth and, per model that
//               predicts it (probability > 0.5 = positive), accuracy, balanced accuracy and the
//               mis-prediction ratios (share of positives predicted negative, share of negatives
//               predicted positive). A gender model's P(male) counts as a prediction of `Male`.
//   adults      the age and gender scores again over the files whose true age >= adult_age.
#pragma once

#include <array>
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faceatlas::eval {

// face-api's expression classes, in its output order.
inline constexpr std::array<const char*, 7> kExpressionClasses{
    "neutral", "happy", "sad", "angry", "fearful", "disgusted", "surprised"};

struct AttributeTruth {
    std::string file;
    std::size_t line = 0;  // source line (1-based)
    std::optional<double> age;
    std::optional<bool> male;
    std::optional<std::string> expression;  // a kExpressionClasses name, or "contempt"
    std::vector<signed char> attributes;    // per AttributeTruthTable::attribute_names: 1 / 0
};

struct AttributeTruthTable {
    std::string source;                        // file name for messages
    std::vector<AttributeTruth> items;         // file order
    std::vector<std::string> attribute_names;  // CelebA binary attributes (empty for CSV)
    std::vector<std::string> ignored_columns;  // CSV columns that are not labels
    bool has_age = false, has_gender = false, has_expression = false;
};

// Maps a faces-dev / face-api emotion label to a face-api class ("contempt" is kept);
// nullopt for an unknown label. Case-insensitive.
std::optional<std::string> map_expression_label(std::string_view label);

AttributeTruthTable parse_attribute_truth_csv(std::string_view text, std::string_view context);
AttributeTruthTable parse_celeba_attributes(std::string_view text, std::string_view context);
// Reads either format (CelebA when the first line is a plain count). Throws kNotFound / kIo
// when the file cannot be read, kCorruptData for malformed content, naming the file and line.
AttributeTruthTable read_attribute_truth(const std::filesystem::path& path);

// One model's age output: years, plus the age-bin probabilities when the model has them.
struct AgePrediction {
    double years = 0;
    std::vector<float> bin_probs;  // optional; bin i is age first_bin_age + i
    double first_bin_age = 1;
};

// One face as the catalog has it; every map is keyed by model name ("faceres", "faceapi",
// "fused", a trained model's name).
struct FaceAttributes {
    std::string file;  // path of the photo the face is in
    double area = 0;   // box area in pixels: the largest face of a file is judged
    std::map<std::string, AgePrediction> age;
    std::map<std::string, double> male_prob;
    std::map<std::string, std::array<float, 7>> expression;           // kExpressionClasses order
    std::map<std::string, std::map<std::string, double>> attributes;  // model -> name -> P(yes)
};

struct AttributeEvalOptions {
    int top_l = 3;      // L of the main entry of a model with age-bin probabilities
    int max_top_l = 5;  // per-L table for L = 1..max_top_l
    double adult_age = 18;
    double within_years = 5;
    // Binary attributes of trained models (FaceAttributes::attributes): present when the
    // probability is >= the attribute's threshold here, else > 0.5 as for every other model.
    std::map<std::string, double> attribute_thresholds;
    void validate() const;  // 1 <= top_l, max_top_l <= 100; adult_age, within_years >= 0
};

struct AgeScores {
    std::size_t n = 0;
    double mae = 0, band_accuracy = 0, within = 0;
};
struct GenderScores {
    std::size_t n = 0;
    double accuracy = 0, balanced_accuracy = 0;
};
struct NamedRecall {
    std::string label;
    std::size_t support = 0;
    double recall = 0;
};
struct ExpressionScoresEval {
    std::size_t n = 0;
    double accuracy = 0;
    std::vector<NamedRecall> recall;  // classes present in truth, kExpressionClasses order,
                                      // then "contempt"
    std::size_t unpredictable = 0;    // truth labels no model class covers (contempt)
};
struct BinaryScores {
    std::size_t n = 0;
    double accuracy = 0, balanced_accuracy = 0;
    double mispredicted_positives = 0;  // positives predicted negative / positives (0 if none)
    double mispredicted_negatives = 0;  // negatives predicted positive / negatives (0 if none)
};
struct BinaryAttributeScores {
    std::string name;
    std::size_t n = 0, positives = 0;
    double majority_baseline = 0;  // max(positives, negatives) / n
    std::map<std::string, BinaryScores> models;
    // The model the means use: a trained attribute model when one predicts it (for Male, before
    // the gender nets), else the first by name; empty when no model predicts it.
    std::string main_model;
};
struct SubsetScores {
    std::size_t n = 0;
    std::map<std::string, AgeScores> age;
    std::map<std::string, GenderScores> gender;
};

struct AttributeReport {
    std::size_t truth_files = 0;
    std::size_t n = 0;        // truth files judged (a face found)
    std::size_t missed = 0;   // truth files with no face in the catalog (unknown + no_face)
    std::size_t unknown = 0;  // not in the catalog
    std::size_t no_face = 0;  // in the catalog, no face
    std::map<std::string, AgeScores> age;
    std::map<std::string, std::map<int, AgeScores>> age_top_l;  // model -> L -> scores
    std::map<std::string, GenderScores> gender;
    std::map<std::string, ExpressionScoresEval> expression;
    std::vector<BinaryAttributeScores> attributes;  // truth order
    // Means over the attributes some model predicts (of the first model in name order that
    // predicts each); nullopt when none is predicted.
    std::optional<double> mean_accuracy, mean_balanced_accuracy;
    double mean_majority_baseline = 0;
    SubsetScores adults;
    std::vector<std::string> notes;  // what the caller should tell the user (contempt, ...)
};

// `photos` lists every catalog photo path (faces or not), so a truth file can be told apart as
// unknown or as a photo without faces. Throws faceatlas::Error (kNotFound) when no truth file
// is in the catalog at all (wrong catalog or truth file), kCorruptData for an ambiguous match.
AttributeReport evaluate_attributes(const AttributeTruthTable& truth,
                                    const std::vector<std::string>& photos,
                                    const std::vector<FaceAttributes>& faces,
                                    const AttributeEvalOptions& options = {});

// Expected age over the top_l most probable bins, renormalised (ties: lower bin first).
double expected_age_top_l(const std::vector<float>& bin_probs, int top_l, double first_bin_age);

}  // namespace faceatlas::eval
