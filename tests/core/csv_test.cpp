#include <gtest/gtest.h>

#include "faceatlas/core/csv.h"
#include "faceatlas/core/error.h"

namespace faceatlas {
namespace {

TEST(Csv, QuotesBomCrlfAndBlankLines) {
    auto t = parse_csv(
        "\xEF\xBB\xBF"
        "file,identity\r\n\"a,b.jpg\",\"say \"\"hi\"\"\"\r\n\r\nc.jpg,\"two\nlines\"\n");
    ASSERT_EQ(t.header, (std::vector<std::string>{"file", "identity"}));
    ASSERT_EQ(t.rows.size(), 2u);
    EXPECT_EQ(t.rows[0][0], "a,b.jpg");
    EXPECT_EQ(t.rows[0][1], "say \"hi\"");
    EXPECT_EQ(t.rows[1][1], "two\nlines");
    EXPECT_EQ(t.require_column("identity"), 1u);
    EXPECT_FALSE(t.column("age"));
}

TEST(Csv, EmptyFieldsAndNoTrailingNewline) {
    auto t = parse_csv("a,b,c\n1,,3");
    ASSERT_EQ(t.rows.size(), 1u);
    EXPECT_EQ(t.rows[0][1], "");
    EXPECT_EQ(t.rows[0][2], "3");
}

TEST(Csv, MalformedRowsNameTheLine) {
    try {
        parse_csv("a,b\n1,2\n3\n", "truth.csv");
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("line 3"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("truth.csv"), std::string::npos);
    }
    EXPECT_THROW(parse_csv("a\n\"open"), Error);
    EXPECT_THROW(parse_csv("a\n1").require_column("file"), Error);
    EXPECT_THROW(read_csv("/nonexistent.csv"), Error);
}

}  // namespace
}  // namespace faceatlas
