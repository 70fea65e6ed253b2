#include <cassert>
#include <map>

#include "faceatlas/catalog/catalog.h"
#include "faceatlas/catalog/sqlite.h"
#include "faceatlas/core/error.h"

namespace faceatlas::catalog {
namespace {

// Migration i takes the schema from version i to i+1. Append only; never edit a shipped one.
const std::vector<const char*> kMigrations = {
    R"sql(
CREATE TABLE photos (
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL UNIQUE,
  content_hash TEXT NOT NULL,
  size INTEGER NOT NULL,
  mtime INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('image', 'video')),
  width INTEGER NOT NULL DEFAULT 0,
  height INTEGER NOT NULL DEFAULT 0,
  taken_at TEXT,
  date_source TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL CHECK (status IN ('ok', 'skipped', 'deleted')),
  skip_reason TEXT NOT NULL DEFAULT '',
  photo_group TEXT,
  scanned_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX photos_hash ON photos(content_hash);
CREATE TABLE persons (
  id INTEGER PRIMARY KEY,
  name TEXT,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE TABLE tracks (
  id INTEGER PRIMARY KEY,
  photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
  embedding_dlib BLOB,
  embedding_faceres BLOB,
  age REAL, male_prob REAL,
  frames INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE faces (
  id INTEGER PRIMARY KEY,
  photo_id INTEGER NOT NULL REFERENCES photos(id) ON DELETE CASCADE,
  frame_index INTEGER,
  track_id INTEGER REFERENCES tracks(id) ON DELETE SET NULL,
  x REAL NOT NULL, y REAL NOT NULL, w REAL NOT NULL, h REAL NOT NULL,
  score REAL NOT NULL,
  landmarks BLOB,
  face_size REAL, blur REAL,
  age REAL, age_faceres REAL, age_probs BLOB,
  male_prob REAL, male_prob_faceres REAL,
  expression BLOB,
  birth_year REAL,
  embedding_dlib BLOB, embedding_faceres BLOB,
  thumbnail BLOB,
  person_id INTEGER REFERENCES persons(id) ON DELETE SET NULL
);
CREATE INDEX faces_photo ON faces(photo_id);
CREATE INDEX faces_person ON faces(person_id);
)sql",
    // 1 -> 2: per-face attribute probabilities (faceatlas attributes predict / scan --attributes).
    R"sql(
CREATE TABLE face_attributes (
  face_id INTEGER NOT NULL REFERENCES faces(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  prob REAL NOT NULL,
  PRIMARY KEY (face_id, name)
) WITHOUT ROWID;
CREATE INDEX face_attributes_name ON face_attributes(name);
)sql",
    // 2 -> 3: user decisions about persons (person move/merge/split, face not-person).
    R"sql(
CREATE TABLE person_constraints (
  face_id INTEGER NOT NULL REFERENCES faces(id) ON DELETE CASCADE,
  person_id INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('is', 'not')),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
  PRIMARY KEY (face_id, person_id)
) WITHOUT ROWID;
CREATE INDEX person_constraints_person ON person_constraints(person_id);
CREATE TABLE cluster_runs (
  id INTEGER PRIMARY KEY,
  max_face_id INTEGER NOT NULL,
  params TEXT NOT NULL,
  ran_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
)sql",
};
static_assert(kSchemaVersion == 3, "add a migration for the new schema version");

const char* kind_str(MediaKind k) { return k == MediaKind::kImage ? "image" : "video"; }
const char* status_str(MediaStatus s) {
    switch (s) {
        case MediaStatus::kOk:
            return "ok";
        case MediaStatus::kSkipped:
            return "skipped";
        case MediaStatus::kDeleted:
            return "deleted";
    }
    return "ok";
}

constexpr const char* kPhotoCols =
    "id, path, content_hash, size, mtime, kind, width, height, taken_at, date_source, status, "
    "skip_reason, "
    "photo_group";

PhotoRecord read_photo(const Statement& s) {
    PhotoRecord p;
    p.id = s.int64(0);
    p.path = s.text(1);
    p.content_hash = s.text(2);
    p.size = s.int64(3);
    p.mtime = s.int64(4);
    p.kind = s.text(5) == "video" ? MediaKind::kVideo : MediaKind::kImage;
    p.width = static_cast<int>(s.int64(6));
    p.height = static_cast<int>(s.int64(7));
    if (!s.is_null(8)) p.taken_at = s.text(8);
    p.date_source = s.text(9);
    const auto st = s.text(10);
    p.status = st == "skipped"   ? MediaStatus::kSkipped
               : st == "deleted" ? MediaStatus::kDeleted
                                 : MediaStatus::kOk;
    p.skip_reason = s.text(11);
    if (!s.is_null(12)) p.group = s.text(12);
    return p;
}

class SqliteCatalog final : public Catalog {
  public:
    SqliteCatalog(const std::filesystem::path& path, const OpenOptions& options)
        : db_(path, options.read_only ? Database::Mode::kReadOnly : Database::Mode::kReadWrite) {
        migrate(options.read_only);
    }

    std::optional<PhotoRecord> find_photo_by_path(const std::string& path) override {
        Statement s(db_, std::string("SELECT ") + kPhotoCols + " FROM photos WHERE path = ?");
        s.bind(1, path);
        if (s.step()) return read_photo(s);
        return std::nullopt;
    }

    std::optional<PhotoRecord> find_photo_by_hash(const std::string& hash) override {
        Statement s(
            db_, std::string("SELECT ") + kPhotoCols +
                     " FROM photos WHERE content_hash = ? ORDER BY status = 'ok' DESC, id LIMIT 1");
        s.bind(1, hash);
        if (s.step()) return read_photo(s);
        return std::nullopt;
    }

    std::int64_t store_photo(const PhotoRecord& p, const std::vector<FaceRecord>& faces,
                             const std::vector<TrackRecord>& tracks) override {
        Transaction tx(db_);
        std::int64_t id = p.id;
        if (id == 0) {
            if (auto existing = find_photo_by_path(p.path)) id = existing->id;
        }
        if (id == 0) {
            Statement s(
                db_,
                "INSERT INTO photos (path, content_hash, size, mtime, kind, width, height, "
                "taken_at, "
                "date_source, status, skip_reason, photo_group) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
            bind_photo(s, p);
            s.run();
            id = db_.last_insert_id();
        } else {
            Statement s(db_,
                        "UPDATE photos SET path=?, content_hash=?, size=?, mtime=?, kind=?, "
                        "width=?, height=?, "
                        "taken_at=?, date_source=?, status=?, skip_reason=?, photo_group=?, "
                        "scanned_at=strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id=?");
            bind_photo(s, p);
            s.bind(13, id);
            s.run();
            Statement d(db_, "DELETE FROM faces WHERE photo_id = ?");
            d.bind(1, id);
            d.run();
            Statement dt(db_, "DELETE FROM tracks WHERE photo_id = ?");
            dt.bind(1, id);
            dt.run();
        }
        std::vector<std::int64_t> track_ids;
        Statement tins(db_,
                       "INSERT INTO tracks (photo_id, embedding_dlib, embedding_faceres, age, "
                       "male_prob, frames) "
                       "VALUES (?,?,?,?,?,?)");
        for (const auto& t : tracks) {
            tins.bind(1, id).bind_floats(2, t.embedding_dlib).bind_floats(3, t.embedding_faceres);
            tins.bind(4, static_cast<double>(t.age))
                .bind(5, static_cast<double>(t.male_prob))
                .bind(6, t.frames);
            tins.run();
            track_ids.push_back(db_.last_insert_id());
        }
        insert_faces(id, faces, track_ids);
        tx.commit();
        return id;
    }

    // Inserts `faces` of photo `id` (inside the caller's transaction); returns their ids.
    std::vector<std::int64_t> insert_faces(std::int64_t id, const std::vector<FaceRecord>& faces,
                                           const std::vector<std::int64_t>& track_ids) {
        std::vector<std::int64_t> ids;
        Statement ins(db_,
                      "INSERT INTO faces (photo_id, frame_index, track_id, x, y, w, h, score, "
                      "landmarks, face_size, "
                      "blur, age, age_faceres, age_probs, male_prob, male_prob_faceres, "
                      "expression, birth_year, "
                      "embedding_dlib, embedding_faceres, thumbnail, person_id) "
                      "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
        for (const auto& f : faces) {
            ins.bind(1, id);
            ins.bind(2, f.frame_index);
            if (f.track_index) {
                assert(*f.track_index >= 0 &&
                       static_cast<std::size_t>(*f.track_index) < track_ids.size());
                ins.bind(3, track_ids[static_cast<std::size_t>(*f.track_index)]);
            } else {
                ins.bind_null(3);
            }
            for (int k = 0; k < 4; ++k) ins.bind(4 + k, static_cast<double>(f.box[k]));
            ins.bind(8, static_cast<double>(f.score));
            ins.bind_floats(9, f.landmarks);
            ins.bind(10, static_cast<double>(f.face_size));
            ins.bind(11, static_cast<double>(f.blur));
            ins.bind(12, static_cast<double>(f.age));
            ins.bind(13, static_cast<double>(f.age_faceres));
            ins.bind_floats(14, f.age_probs);
            ins.bind(15, static_cast<double>(f.male_prob));
            ins.bind(16, static_cast<double>(f.male_prob_faceres));
            ins.bind_floats(17, f.expression);
            ins.bind(18, f.birth_year);
            ins.bind_floats(19, f.embedding_dlib);
            ins.bind_floats(20, f.embedding_faceres);
            ins.bind_blob(21, f.thumbnail.data(), f.thumbnail.size());
            ins.bind(22, f.person_id);
            ins.run();
            const auto face_id = db_.last_insert_id();
            ids.push_back(face_id);
            if (!f.attributes.empty()) {
                Statement a(db_,
                            "INSERT OR REPLACE INTO face_attributes (face_id, name, prob) "
                            "VALUES (?, ?, ?)");
                for (const auto& [name, prob] : f.attributes) {
                    a.bind(1, face_id).bind(2, name).bind(3, static_cast<double>(prob));
                    a.run();
                }
            }
        }
        return ids;
    }

    std::vector<std::int64_t> add_faces(std::int64_t photo_id,
                                        const std::vector<FaceRecord>& faces) override {
        Transaction tx(db_);
        Statement s(db_, "SELECT kind FROM photos WHERE id = ? AND status = 'ok'");
        s.bind(1, photo_id);
        if (!s.step())
            throw Error(ErrorCode::kNotFound,
                        "no photo " + std::to_string(photo_id) + " to add faces to");
        for (const auto& f : faces)
            if (f.track_index)
                throw Error(ErrorCode::kInvalidArgument,
                            "add_faces: faces of video tracks cannot be added");
        auto ids = insert_faces(photo_id, faces, {});
        tx.commit();
        return ids;
    }

    std::vector<TrackRecord> tracks() override {
        std::vector<TrackRecord> out;
        Statement s(
            db_,
            "SELECT t.id, t.photo_id, t.embedding_dlib, t.embedding_faceres, t.age, t.male_prob, "
            "t.frames FROM tracks t JOIN photos p ON p.id = t.photo_id WHERE p.status = 'ok' "
            "ORDER BY t.id");
        while (s.step()) {
            TrackRecord t;
            t.id = s.int64(0);
            t.photo_id = s.int64(1);
            t.embedding_dlib = s.floats(2);
            t.embedding_faceres = s.floats(3);
            t.age = static_cast<float>(s.real(4));
            t.male_prob = static_cast<float>(s.real(5));
            t.frames = static_cast<int>(s.int64(6));
            out.push_back(std::move(t));
        }
        return out;
    }

    void update_photo_location(std::int64_t photo_id, const std::string& path,
                               std::int64_t mtime) override {
        Statement s(
            db_,
            "UPDATE photos SET path = ?, mtime = ?, status = CASE status WHEN 'deleted' THEN 'ok' "
            "ELSE status END WHERE id = ?");
        s.bind(1, path).bind(2, mtime).bind(3, photo_id);
        s.run();
    }

    void mark_deleted(std::int64_t photo_id) override {
        Statement s(db_, "UPDATE photos SET status = 'deleted' WHERE id = ?");
        s.bind(1, photo_id);
        s.run();
    }

    std::vector<PhotoRecord> photos() override {
        std::vector<PhotoRecord> out;
        Statement s(db_, std::string("SELECT ") + kPhotoCols + " FROM photos ORDER BY id");
        while (s.step()) out.push_back(read_photo(s));
        return out;
    }

    std::vector<FaceRecord> faces(bool with_embeddings) override {
        return query_faces("", 0, with_embeddings);
    }

    std::vector<FaceRecord> faces_of_photo(std::int64_t photo_id) override {
        return query_faces("WHERE photo_id = ?", photo_id, true);
    }

    CatalogStats stats() override {
        CatalogStats st;
        Statement s(db_,
                    "SELECT sum(kind='image' AND status='ok'), sum(kind='video' AND status='ok'), "
                    "sum(status='skipped'), sum(status='deleted') FROM photos");
        if (s.step()) {
            st.photos = s.int64(0);
            st.videos = s.int64(1);
            st.skipped = s.int64(2);
            st.deleted = s.int64(3);
        }
        Statement f(db_,
                    "SELECT count(*) FROM faces f JOIN photos p ON p.id = f.photo_id WHERE "
                    "p.status = 'ok'");
        if (f.step()) st.faces = f.int64(0);
        Statement pr(db_, "SELECT count(*) FROM persons");
        if (pr.step()) st.persons = pr.int64(0);
        Statement r(
            db_,
            "SELECT skip_reason, count(*) FROM photos WHERE status='skipped' GROUP BY skip_reason "
            "ORDER BY count(*) DESC");
        while (r.step()) st.skip_reasons.emplace_back(r.text(0), r.int64(1));
        return st;
    }

    std::vector<unsigned char> thumbnail(std::int64_t face_id) override {
        Statement s(db_, "SELECT thumbnail FROM faces WHERE id = ?");
        s.bind(1, face_id);
        if (!s.step() || s.is_null(0)) return {};
        return s.blob(0);
    }

    std::vector<PersonRecord> persons() override {
        std::vector<PersonRecord> out;
        Statement s(db_,
                    "SELECT p.id, p.name, (SELECT count(*) FROM faces f JOIN photos ph ON ph.id = "
                    "f.photo_id "
                    "WHERE f.person_id = p.id AND ph.status = 'ok') FROM persons p ORDER BY p.id");
        while (s.step()) {
            PersonRecord r;
            r.id = s.int64(0);
            if (!s.is_null(1)) r.name = s.text(1);
            r.faces = s.int64(2);
            out.push_back(std::move(r));
        }
        return out;
    }

    std::int64_t create_person(const std::optional<std::string>& name) override {
        Statement s(db_, "INSERT INTO persons (name) VALUES (?)");
        s.bind(1, name);
        s.run();
        return db_.last_insert_id();
    }

    void set_person_name(std::int64_t person_id, const std::optional<std::string>& name) override {
        Statement s(db_, "UPDATE persons SET name = ? WHERE id = ?");
        s.bind(1, name).bind(2, person_id);
        s.run();
        if (db_.changes() == 0)
            throw Error(ErrorCode::kNotFound, "no person " + std::to_string(person_id),
                        db_.path().string(), "list persons with `faceatlas persons`");
    }

    void delete_person(std::int64_t person_id) override {
        Transaction tx(db_);
        Statement u(db_, "UPDATE faces SET person_id = NULL WHERE person_id = ?");
        u.bind(1, person_id);
        u.run();
        Statement d(db_, "DELETE FROM persons WHERE id = ?");
        d.bind(1, person_id);
        d.run();
        tx.commit();
    }

    void assign_faces(const std::vector<std::pair<std::int64_t, std::optional<std::int64_t>>>&
                          assignment) override {
        Transaction tx(db_);
        Statement s(db_, "UPDATE faces SET person_id = ? WHERE id = ?");
        for (const auto& [face, person] : assignment) {
            s.bind(1, person).bind(2, face);
            s.run();
        }
        tx.commit();
    }

    void set_face_attributes(const std::vector<FaceAttribute>& rows) override {
        Transaction tx(db_);
        Statement s(
            db_, "INSERT OR REPLACE INTO face_attributes (face_id, name, prob) VALUES (?, ?, ?)");
        for (const auto& r : rows) {
            s.bind(1, r.face_id).bind(2, r.name).bind(3, static_cast<double>(r.prob));
            s.run();
        }
        tx.commit();
    }

    std::vector<FaceAttribute> face_attributes() override {
        std::vector<FaceAttribute> out;
        Statement s(db_, "SELECT face_id, name, prob FROM face_attributes ORDER BY face_id, name");
        while (s.step()) out.push_back({s.int64(0), s.text(1), static_cast<float>(s.real(2))});
        return out;
    }

    std::vector<std::int64_t> apply_person_assignment(int num_new_persons,
                                                      const std::vector<FaceAssignment>& faces,
                                                      const std::vector<std::int64_t>& drop_persons,
                                                      const ClusterRunRecord& run) override {
        Transaction tx(db_);
        Statement r(db_, "INSERT INTO cluster_runs (max_face_id, params) VALUES (?, ?)");
        r.bind(1, run.max_face_id).bind(2, run.params_json);
        r.run();
        std::vector<std::int64_t> ids;
        Statement c(db_, "INSERT INTO persons (name) VALUES (NULL)");
        for (int i = 0; i < num_new_persons; ++i) {
            c.run();
            ids.push_back(db_.last_insert_id());
        }
        Statement d(db_, "DELETE FROM persons WHERE id = ?");
        Statement u0(db_, "UPDATE faces SET person_id = NULL WHERE person_id = ?");
        for (auto p : drop_persons) {
            u0.bind(1, p);
            u0.run();
            d.bind(1, p);
            d.run();
        }
        Statement u(db_, "UPDATE faces SET person_id = ? WHERE id = ?");
        for (const auto& f : faces) {
            std::optional<std::int64_t> person = f.person_id;
            if (f.new_person >= 0) {
                if (f.new_person >= num_new_persons)
                    throw Error(ErrorCode::kInvalidArgument,
                                "face " + std::to_string(f.face_id) + " refers to new person " +
                                    std::to_string(f.new_person) + " of " +
                                    std::to_string(num_new_persons),
                                db_.path().string());
                person = ids[static_cast<std::size_t>(f.new_person)];
            }
            u.bind(1, person).bind(2, f.face_id);
            u.run();
        }
        tx.commit();
        return ids;
    }

    std::optional<ClusterRunRecord> last_cluster_run() override {
        Statement s(db_, "SELECT max_face_id, params FROM cluster_runs ORDER BY id DESC LIMIT 1");
        if (!s.step()) return std::nullopt;
        return ClusterRunRecord{s.int64(0), s.text(1)};
    }

    std::vector<PersonConstraint> person_constraints() override {
        std::vector<PersonConstraint> out;
        Statement s(
            db_,
            "SELECT face_id, person_id, kind FROM person_constraints ORDER BY face_id, person_id");
        while (s.step()) {
            out.push_back(
                {s.int64(0), s.int64(1),
                 s.text(2) == "is" ? PersonConstraintKind::kIs : PersonConstraintKind::kNot});
        }
        return out;
    }

    void pin_face(std::int64_t face_id, std::int64_t person_id) override {
        Transaction tx(db_);
        require_face_and_person(face_id, person_id);
        Statement d(
            db_,
            "DELETE FROM person_constraints WHERE face_id = ? AND (kind = 'is' OR person_id = ?)");
        d.bind(1, face_id).bind(2, person_id);
        d.run();
        Statement i(
            db_, "INSERT INTO person_constraints (face_id, person_id, kind) VALUES (?, ?, 'is')");
        i.bind(1, face_id).bind(2, person_id);
        i.run();
        Statement u(db_, "UPDATE faces SET person_id = ? WHERE id = ?");
        u.bind(1, person_id).bind(2, face_id);
        u.run();
        tx.commit();
    }

    void add_not_person(std::int64_t face_id, std::int64_t person_id) override {
        Transaction tx(db_);
        require_face_and_person(face_id, person_id);
        Statement i(db_,
                    "INSERT OR REPLACE INTO person_constraints (face_id, person_id, kind) VALUES "
                    "(?, ?, 'not')");
        i.bind(1, face_id).bind(2, person_id);
        i.run();
        Statement u(db_, "UPDATE faces SET person_id = NULL WHERE id = ? AND person_id = ?");
        u.bind(1, face_id).bind(2, person_id);
        u.run();
        tx.commit();
    }

  private:
    void require_face_and_person(std::int64_t face_id, std::int64_t person_id) {
        Statement f(db_, "SELECT count(*) FROM faces WHERE id = ?");
        f.bind(1, face_id);
        f.step();
        if (f.int64(0) == 0)
            throw Error(ErrorCode::kNotFound, "no face " + std::to_string(face_id),
                        db_.path().string(), "list face ids with `faceatlas faces`");
        Statement p(db_, "SELECT count(*) FROM persons WHERE id = ?");
        p.bind(1, person_id);
        p.step();
        if (p.int64(0) == 0)
            throw Error(ErrorCode::kNotFound, "no person " + std::to_string(person_id),
                        db_.path().string(),
                        "list persons with `faceatlas persons` or `faceatlas cluster`");
    }

    static void bind_photo(Statement& s, const PhotoRecord& p) {
        s.bind(1, p.path)
            .bind(2, p.content_hash)
            .bind(3, p.size)
            .bind(4, p.mtime)
            .bind(5, kind_str(p.kind));
        s.bind(6, p.width).bind(7, p.height).bind(8, p.taken_at).bind(9, p.date_source);
        s.bind(10, status_str(p.status)).bind(11, p.skip_reason).bind(12, p.group);
    }

    std::vector<FaceRecord> query_faces(const std::string& where, std::int64_t arg,
                                        bool with_embeddings) {
        std::vector<FaceRecord> out;
        const std::string emb =
            with_embeddings ? "embedding_dlib, embedding_faceres" : "NULL, NULL";
        Statement s(
            db_,
            "SELECT id, photo_id, frame_index, track_id, x, y, w, h, score, landmarks, face_size, "
            "blur, "
            "age, age_faceres, age_probs, male_prob, male_prob_faceres, expression, birth_year, " +
                emb + ", person_id FROM faces " + where + " ORDER BY id");
        if (!where.empty()) s.bind(1, arg);
        while (s.step()) {
            FaceRecord f;
            f.id = s.int64(0);
            f.photo_id = s.int64(1);
            if (!s.is_null(2)) f.frame_index = static_cast<int>(s.int64(2));
            if (!s.is_null(3)) f.track_id = s.int64(3);
            for (int k = 0; k < 4; ++k) f.box[k] = static_cast<float>(s.real(4 + k));
            f.score = static_cast<float>(s.real(8));
            f.landmarks = s.floats(9);
            f.face_size = static_cast<float>(s.real(10));
            f.blur = static_cast<float>(s.real(11));
            f.age = static_cast<float>(s.real(12));
            f.age_faceres = static_cast<float>(s.real(13));
            f.age_probs = s.floats(14);
            f.male_prob = static_cast<float>(s.real(15));
            f.male_prob_faceres = static_cast<float>(s.real(16));
            f.expression = s.floats(17);
            if (!s.is_null(18)) f.birth_year = s.real(18);
            f.embedding_dlib = s.floats(19);
            f.embedding_faceres = s.floats(20);
            if (!s.is_null(21)) f.person_id = s.int64(21);
            out.push_back(std::move(f));
        }
        return out;
    }

    void migrate(bool read_only) {
        int version = 0;
        {
            Statement t(
                db_,
                "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='schema_version'");
            t.step();
            if (t.int64(0) > 0) {
                Statement v(db_, "SELECT max(version) FROM schema_version");
                if (v.step() && !v.is_null(0)) version = static_cast<int>(v.int64(0));
            } else {
                Statement any(db_, "SELECT count(*) FROM sqlite_master WHERE type='table'");
                any.step();
                if (any.int64(0) > 0)
                    throw Error(ErrorCode::kCatalog,
                                "database has tables but is not a faceatlas catalog",
                                db_.path().string(), "pass another --catalog path");
            }
        }
        if (version > kSchemaVersion)
            throw Error(ErrorCode::kUnsupported,
                        "catalog schema version " + std::to_string(version) +
                            " is newer than this faceatlas (" + std::to_string(kSchemaVersion) +
                            ")",
                        db_.path().string(), "upgrade faceatlas; the catalog was left untouched");
        if (version == kSchemaVersion) return;
        if (read_only)
            throw Error(ErrorCode::kCatalog,
                        "catalog needs a schema migration but is opened read-only",
                        db_.path().string(), "open it writable once to migrate");
        Transaction tx(db_);
        db_.exec(
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, "
            "applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')))");
        for (int v = version; v < kSchemaVersion; ++v) {
            db_.exec(kMigrations[static_cast<std::size_t>(v)]);
            Statement s(db_, "INSERT INTO schema_version (version) VALUES (?)");
            s.bind(1, v + 1);
            s.run();
        }
        tx.commit();
    }

    Database db_;
};

}  // namespace

std::unique_ptr<Catalog> open_sqlite_catalog(const std::filesystem::path& path,
                                             const OpenOptions& options) {
    return std::make_unique<SqliteCatalog>(path, options);
}

}  // namespace faceatlas::catalog
