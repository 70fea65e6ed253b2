// The catalog: photos, videos, faces, persons. The pipeline talks to this interface only, so
// a server database can be added later; SqliteCatalog is the default implementation.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace faceatlas::catalog {

inline constexpr int kSchemaVersion = 3;

enum class MediaKind { kImage, kVideo };
enum class MediaStatus { kOk, kSkipped, kDeleted };

struct PhotoRecord {
    std::int64_t id = 0;
    std::string path;          // as given to scan (absolute)
    std::string content_hash;  // hex digest of the content
    std::int64_t size = 0;
    std::int64_t mtime = 0;  // seconds since epoch
    MediaKind kind = MediaKind::kImage;
    int width = 0;
    int height = 0;
    std::optional<std::string> taken_at;  // ISO 8601
    std::string date_source;              // "exif", "xmp", "file", "manifest", ""
    MediaStatus status = MediaStatus::kOk;
    std::string skip_reason;
    std::optional<std::string> group;  // crops: the `photo` column (same picture)
};

struct FaceRecord {
    std::int64_t id = 0;
    std::int64_t photo_id = 0;
    std::optional<int> frame_index;        // videos: sampled frame
    std::optional<std::int64_t> track_id;  // read back: row id in the tracks table
    std::optional<int> track_index;        // on store: index into the tracks passed alongside
    std::array<float, 4> box{};            // x, y, w, h in original pixels
    float score = 0.f;
    std::vector<float> landmarks;  // 136 = 68 (x, y)
    float face_size = 0.f;         // sqrt(w*h) in pixels
    float blur = 0.f;              // variance of Laplacian on the aligned chip
    float age = 0.f;               // face-api regression
    float age_faceres = 0.f;       // expected value of top-L
    std::vector<float> age_probs;  // faceres 100 bins
    float male_prob = 0.f;         // face-api
    float male_prob_faceres = 0.f;
    std::vector<float> expression;  // 7
    std::optional<double> birth_year;
    std::vector<float> embedding_dlib;     // 128
    std::vector<float> embedding_faceres;  // 1024
    std::vector<unsigned char> thumbnail;  // JPEG of the aligned face
    std::optional<std::int64_t> person_id;
    // On store: attribute probabilities (name, prob) written to face_attributes in the photo's
    // transaction (scan --attributes). faces() does not read them back: see face_attributes().
    std::vector<std::pair<std::string, float>> attributes;
};

// A face followed through the sampled frames of one video: clustering treats it as one item.
struct TrackRecord {
    std::int64_t id = 0;
    std::int64_t photo_id = 0;
    std::vector<float> embedding_dlib;     // mean of the frame embeddings (scale kept: Euclidean)
    std::vector<float> embedding_faceres;  // L2-normalised mean of the frame embeddings
    float age = 0.f;                       // mean of the frames' faceres expected ages
    float male_prob = 0.f;                 // mean of the frames' faceres P(male)
    int frames = 0;
};

struct PersonRecord {
    std::int64_t id = 0;
    std::optional<std::string> name;  // user-given, kept across re-clustering
    std::int64_t faces = 0;           // faces currently assigned
};

// The probability that a face shows a named attribute (attribute models, user attributes).
struct FaceAttribute {
    std::int64_t face_id = 0;
    std::string name;
    float prob = 0.f;
};

// A user decision about one face that re-clustering must respect: kIs pins the face to the
// person (person move / merge / split), kNot forbids it (face not-person).
enum class PersonConstraintKind { kIs, kNot };

struct PersonConstraint {
    std::int64_t face_id = 0;
    std::int64_t person_id = 0;
    PersonConstraintKind kind = PersonConstraintKind::kIs;
};

// One face of a clustering result: an existing person, a person created with it (new_person =
// index into the persons apply_person_assignment creates), or unsorted (neither).
struct FaceAssignment {
    std::int64_t face_id = 0;
    std::optional<std::int64_t> person_id;
    int new_person = -1;
};

// One `faceatlas cluster` run, recorded with its result.
struct ClusterRunRecord {
    std::int64_t max_face_id = 0;  // faces with a larger id are new to the next run
    std::string params_json;       // the algorithm and parameters
};

struct CatalogStats {
    std::int64_t photos = 0;
    std::int64_t videos = 0;
    std::int64_t faces = 0;
    std::int64_t skipped = 0;
    std::int64_t deleted = 0;
    std::int64_t persons = 0;
    std::vector<std::pair<std::string, std::int64_t>> skip_reasons;
};

class Catalog {
  public:
    virtual ~Catalog() = default;
    // Looks up a file by path, then by content hash (moved files keep their faces).
    virtual std::optional<PhotoRecord> find_photo_by_path(const std::string& path) = 0;
    virtual std::optional<PhotoRecord> find_photo_by_hash(const std::string& hash) = 0;
    // Replaces the photo's faces atomically: either all of them are stored, or nothing changes.
    virtual std::int64_t store_photo(const PhotoRecord& photo, const std::vector<FaceRecord>& faces,
                                     const std::vector<TrackRecord>& tracks = {}) = 0;
    // Adds faces to a stored photo (faces from imported tags), keeping its other faces; all or
    // none are stored. Returns the new face ids in order. Throws Error(kNotFound) for an unknown
    // or skipped photo.
    virtual std::vector<std::int64_t> add_faces(std::int64_t photo_id,
                                                const std::vector<FaceRecord>& faces) = 0;
    virtual std::vector<TrackRecord> tracks() = 0;
    virtual void update_photo_location(std::int64_t photo_id, const std::string& path,
                                       std::int64_t mtime) = 0;
    virtual void mark_deleted(std::int64_t photo_id) = 0;
    virtual std::vector<PhotoRecord> photos() = 0;
    virtual std::vector<FaceRecord> faces(bool with_embeddings = true) = 0;
    virtual std::vector<FaceRecord> faces_of_photo(std::int64_t photo_id) = 0;
    virtual CatalogStats stats() = 0;
    // The stored JPEG thumbnail of one face (faces() leaves FaceRecord::thumbnail empty to keep
    // listings small); empty when none was stored or the face does not exist.
    virtual std::vector<unsigned char> thumbnail(std::int64_t face_id) = 0;

    // Persons. Ids are stable: re-clustering reuses them, names stay with them.
    virtual std::vector<PersonRecord> persons() = 0;
    virtual std::int64_t create_person(const std::optional<std::string>& name = std::nullopt) = 0;
    virtual void set_person_name(std::int64_t person_id,
                                 const std::optional<std::string>& name) = 0;
    virtual void delete_person(std::int64_t person_id) = 0;  // its faces become unsorted
    // (face id, person id or nullopt = unsorted), all in one transaction.
    virtual void assign_faces(
        const std::vector<std::pair<std::int64_t, std::optional<std::int64_t>>>& assignment) = 0;

    // Attribute probabilities: inserts or replaces (face_id, name) rows, all in one transaction
    // (rows of faces that are re-scanned or deleted go with them).
    virtual void set_face_attributes(const std::vector<FaceAttribute>& rows) = 0;
    virtual std::vector<FaceAttribute> face_attributes() = 0;  // ordered by face id, name

    // Stores a clustering result in one transaction: creates num_new_persons persons (returns
    // their ids in order), assigns every listed face, deletes drop_persons (their remaining
    // faces become unsorted) and records the run. Faces not listed keep their person.
    virtual std::vector<std::int64_t> apply_person_assignment(
        int num_new_persons, const std::vector<FaceAssignment>& faces,
        const std::vector<std::int64_t>& drop_persons, const ClusterRunRecord& run) = 0;
    // The latest recorded cluster run, if any.
    virtual std::optional<ClusterRunRecord> last_cluster_run() = 0;

    // User decisions (schema v3). Constraints vanish with their face or person.
    virtual std::vector<PersonConstraint> person_constraints() = 0;
    // Pins the face to the person and assigns it now: replaces the face's other pin and drops a
    // kNot for that person. Throws Error(kNotFound) for an unknown face or person.
    virtual void pin_face(std::int64_t face_id, std::int64_t person_id) = 0;
    // Records "face is not person"; unassigns the face (and drops its pin) if it is that person
    // now. Throws Error(kNotFound) for an unknown face or person.
    virtual void add_not_person(std::int64_t face_id, std::int64_t person_id) = 0;
};

struct OpenOptions {
    bool read_only = false;
};

// Opens or creates a SQLite catalog; migrates older schemas forward; refuses newer ones.
std::unique_ptr<Catalog> open_sqlite_catalog(const std::filesystem::path& path,
                                             const OpenOptions& options = {});

}  // namespace faceatlas::catalog
