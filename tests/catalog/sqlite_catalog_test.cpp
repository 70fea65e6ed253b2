#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/temp_dir.h"
#include "faceatlas/catalog/catalog.h"
#include "faceatlas/catalog/sqlite.h"
#include "faceatlas/core/error.h"

namespace fs = std::filesystem;

namespace faceatlas::catalog {
namespace {

class CatalogTest : public ::testing::Test {
  protected:
    static PhotoRecord photo(const std::string& path, const std::string& hash) {
        PhotoRecord p;
        p.path = path;
        p.content_hash = hash;
        p.size = 10;
        p.mtime = 1700000000;
        p.width = 640;
        p.height = 480;
        p.taken_at = "2020-05-01T10:00:00";
        p.date_source = "exif";
        return p;
    }
    static FaceRecord face(float x) {
        FaceRecord f;
        f.box = {x, 2, 30, 40};
        f.score = 0.9f;
        f.embedding_dlib.assign(128, x);
        f.embedding_faceres.assign(1024, -x);
        f.expression.assign(7, 1.f / 7);
        f.birth_year = 1990.5;
        return f;
    }
    faceatlas::testing::TempDir tmp_{"cat"};  // removed even when a test made it read-only
    const fs::path dir_ = tmp_.path();
    const fs::path db_ = dir_ / "faceatlas.db";
};

TEST_F(CatalogTest, StoresAndReadsBackPhotosAndFaces) {
    auto cat = open_sqlite_catalog(db_);
    const auto id = cat->store_photo(photo("/a/1.jpg", "h1"), {face(1), face(2)});
    EXPECT_GT(id, 0);
    auto faces = cat->faces_of_photo(id);
    ASSERT_EQ(faces.size(), 2u);
    EXPECT_FLOAT_EQ(faces[1].box[0], 2.f);
    EXPECT_EQ(faces[0].embedding_dlib.size(), 128u);
    EXPECT_FLOAT_EQ(faces[0].embedding_faceres[5], -1.f);
    EXPECT_DOUBLE_EQ(*faces[0].birth_year, 1990.5);
    auto p = cat->find_photo_by_hash("h1");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->path, "/a/1.jpg");
    EXPECT_EQ(*p->taken_at, "2020-05-01T10:00:00");
    auto st = cat->stats();
    EXPECT_EQ(st.photos, 1);
    EXPECT_EQ(st.faces, 2);
}

TEST_F(CatalogTest, RestoringAPhotoReplacesItsFacesWithoutDuplicates) {
    auto cat = open_sqlite_catalog(db_);
    cat->store_photo(photo("/a/1.jpg", "h1"), {face(1), face(2)});
    cat->store_photo(photo("/a/1.jpg", "h1"), {face(3)});
    EXPECT_EQ(cat->photos().size(), 1u);
    auto faces = cat->faces();
    ASSERT_EQ(faces.size(), 1u);
    EXPECT_FLOAT_EQ(faces[0].box[0], 3.f);
}

TEST_F(CatalogTest, DataSurvivesReopen) {
    { open_sqlite_catalog(db_)->store_photo(photo("/a/1.jpg", "h1"), {face(1)}); }
    auto cat = open_sqlite_catalog(db_);
    EXPECT_EQ(cat->stats().faces, 1);
}

TEST_F(CatalogTest, NotASqliteFileIsAClearError) {
    std::ofstream(db_)
        << "this is a text file, not a database, with enough bytes to have a header......";
    try {
        open_sqlite_catalog(db_);
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(db_.string()), std::string::npos) << e.what();
    }
    // The file is left untouched.
    std::ifstream f(db_);
    std::string first;
    f >> first;
    EXPECT_EQ(first, "this");
}

TEST_F(CatalogTest, ForeignSqliteDatabaseIsRefused) {
    {
        Database d(db_);
        d.exec("CREATE TABLE other (x INTEGER)");
    }
    EXPECT_THROW(open_sqlite_catalog(db_), Error);
}

TEST_F(CatalogTest, NewerSchemaIsRefusedAndUntouched) {
    { open_sqlite_catalog(db_)->store_photo(photo("/a/1.jpg", "h1"), {face(1)}); }
    {
        Database d(db_);
        d.exec("INSERT INTO schema_version (version) VALUES (99)");
    }
    try {
        open_sqlite_catalog(db_);
        FAIL();
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), ErrorCode::kUnsupported);
        EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos);
    }
    Database d(db_);
    Statement s(d, "SELECT count(*) FROM faces");
    ASSERT_TRUE(s.step());
    EXPECT_EQ(s.int64(0), 1);
}

TEST_F(CatalogTest, ReadOnlyCatalogReadsButRefusesWrites) {
    { open_sqlite_catalog(db_)->store_photo(photo("/a/1.jpg", "h1"), {face(1)}); }
    auto cat = open_sqlite_catalog(db_, OpenOptions{.read_only = true});
    EXPECT_EQ(cat->stats().faces, 1);
    EXPECT_THROW(cat->store_photo(photo("/a/2.jpg", "h2"), {face(2)}), Error);
    EXPECT_EQ(cat->stats().faces, 1);
}

TEST_F(CatalogTest, MovedFileIsFoundByHash) {
    auto cat = open_sqlite_catalog(db_);
    const auto id = cat->store_photo(photo("/a/1.jpg", "h1"), {face(1)});
    cat->update_photo_location(id, "/b/moved.jpg", 1);
    EXPECT_FALSE(cat->find_photo_by_path("/a/1.jpg"));
    ASSERT_TRUE(cat->find_photo_by_path("/b/moved.jpg"));
    EXPECT_EQ(cat->faces_of_photo(id).size(), 1u);
}

TEST_F(CatalogTest, PersonsKeepIdsAndNames) {
    auto cat = open_sqlite_catalog(db_);
    const auto photo_id = cat->store_photo(photo("/a/1.jpg", "h1"), {face(1), face(2), face(3)});
    const auto faces = cat->faces_of_photo(photo_id);
    const auto p1 = cat->create_person("Ann <b>");
    const auto p2 = cat->create_person();
    cat->assign_faces({{faces[0].id, p1}, {faces[1].id, p1}, {faces[2].id, p2}});
    auto persons = cat->persons();
    ASSERT_EQ(persons.size(), 2u);
    EXPECT_EQ(*persons[0].name, "Ann <b>");
    EXPECT_EQ(persons[0].faces, 2);
    EXPECT_FALSE(persons[1].name);
    cat->set_person_name(p2, "Bob");
    cat->delete_person(p1);
    persons = cat->persons();
    ASSERT_EQ(persons.size(), 1u);
    EXPECT_EQ(*persons[0].name, "Bob");
    EXPECT_FALSE(cat->faces_of_photo(photo_id)[0].person_id);
    EXPECT_THROW(cat->set_person_name(999, "x"), Error);
    EXPECT_EQ(cat->stats().persons, 1);
}

}  // namespace
}  // namespace faceatlas::catalog
