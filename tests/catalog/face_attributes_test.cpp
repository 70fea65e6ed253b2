// face_attributes (schema version 2): set/read, replaced per (face, name), gone with the face,
// and a version-1 catalog migrates forward keeping its faces.
#include <gtest/gtest.h>

#include <filesystem>
#include <list>

#include "common/temp_dir.h"
#include "faceatlas/catalog/catalog.h"
#include "faceatlas/catalog/sqlite.h"

namespace fs = std::filesystem;
using namespace faceatlas::catalog;

namespace {

// A catalog path in a fresh scratch folder, removed when the test process ends.
fs::path fresh(const std::string& name) {
    static std::list<faceatlas::testing::TempDir> dirs;
    return dirs.emplace_back("attrcat_" + name) / "c.db";
}

PhotoRecord photo(const std::string& path) {
    PhotoRecord p;
    p.path = path;
    p.content_hash = "h" + path;
    return p;
}

FaceRecord face() {
    FaceRecord f;
    f.box = {1, 2, 30, 40};
    f.embedding_dlib.assign(128, 0.1f);
    f.embedding_faceres.assign(1024, 0.2f);
    return f;
}

}  // namespace

TEST(FaceAttributes, SetReplaceAndCascade) {
    const auto db = fresh("cascade");
    auto c = open_sqlite_catalog(db);
    const auto pid = c->store_photo(photo("/a.jpg"), {face(), face()});
    const auto faces = c->faces(false);
    ASSERT_EQ(faces.size(), 2u);
    c->set_face_attributes({{faces[0].id, "Smiling", 0.9f},
                            {faces[1].id, "Smiling", 0.1f},
                            {faces[0].id, "Eyeglasses", 0.3f}});
    c->set_face_attributes({{faces[0].id, "Smiling", 0.7f}});  // replaces
    auto rows = c->face_attributes();
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].name, "Eyeglasses");
    EXPECT_EQ(rows[1].name, "Smiling");
    EXPECT_FLOAT_EQ(rows[1].prob, 0.7f);
    // Re-storing the photo replaces its faces; their attributes go with them.
    PhotoRecord p = photo("/a.jpg");
    p.id = pid;
    c->store_photo(p, {face()});
    EXPECT_TRUE(c->face_attributes().empty());
}

TEST(FaceAttributes, VersionOneCatalogMigrates) {
    const auto db = fresh("migrate");
    { open_sqlite_catalog(db)->store_photo(photo("/a.jpg"), {face()}); }
    {
        // Make it look like a version-1 catalog.
        Database d(db);
        d.exec(
            "DROP TABLE face_attributes; DROP TABLE person_constraints; DROP TABLE cluster_runs; "
            "DELETE FROM schema_version WHERE version >= 2");
    }
    auto c = open_sqlite_catalog(db);
    const auto faces = c->faces(false);
    ASSERT_EQ(faces.size(), 1u);
    c->set_face_attributes({{faces[0].id, "Male", 0.2f}});
    EXPECT_EQ(c->face_attributes().size(), 1u);
    Database d(db);
    Statement s(d, "SELECT max(version) FROM schema_version");
    ASSERT_TRUE(s.step());
    EXPECT_EQ(s.int64(0), kSchemaVersion);
}
