// RAII over the SQLite C API: one Database handle, prepared Statements, a Transaction guard.
// Every SQLite failure becomes a faceatlas::Error(kCatalog) naming the database file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace faceatlas::catalog {

class Database;

class Statement {
  public:
    Statement(Database& db, const std::string& sql);
    ~Statement();
    Statement(Statement&&) noexcept;
    Statement& operator=(Statement&&) = delete;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    // Binding is 1-based like SQLite; returns *this for chaining.
    Statement& bind(int i, std::int64_t v);
    Statement& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
    Statement& bind(int i, double v);
    Statement& bind(int i, const std::string& v);
    Statement& bind(int i, const char* v) { return bind(i, std::string(v)); }
    Statement& bind_blob(int i, const void* data, std::size_t bytes);
    Statement& bind_floats(int i, const std::vector<float>& v) {
        return bind_blob(i, v.data(), v.size() * 4);
    }
    Statement& bind_null(int i);
    template <typename T>
    Statement& bind(int i, const std::optional<T>& v) {
        return v ? bind(i, *v) : bind_null(i);
    }

    // Steps once: true while a row is available.
    bool step();
    // Steps to completion (for statements that return no rows).
    void run();
    void reset();

    bool is_null(int col) const;
    std::int64_t int64(int col) const;
    double real(int col) const;
    std::string text(int col) const;
    std::vector<unsigned char> blob(int col) const;
    std::vector<float> floats(int col) const;

  private:
    Database* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

class Database {
  public:
    enum class Mode { kReadWrite, kReadOnly };
    // Opens (creating with kReadWrite) the file; WAL journal, foreign keys on, busy timeout.
    explicit Database(const std::filesystem::path& path, Mode mode = Mode::kReadWrite);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    void exec(const std::string& sql);
    std::int64_t last_insert_id() const;
    int changes() const;
    const std::filesystem::path& path() const { return path_; }
    sqlite3* handle() { return db_; }
    [[noreturn]] void fail(const std::string& what) const;

  private:
    std::filesystem::path path_;
    sqlite3* db_ = nullptr;
};

// BEGIN IMMEDIATE on construction; ROLLBACK unless commit() was called.
class Transaction {
  public:
    explicit Transaction(Database& db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

  private:
    Database& db_;
    bool done_ = false;
};

}  // namespace faceatlas::catalog
