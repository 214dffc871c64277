#include <gtest/gtest.h>

#include "io/csv_reader.hpp"
#include "support/test_support.hpp"
#include "xmargin/error.hpp"

namespace xm {
namespace {

TEST(CsvReader, MatchesColumnsByNameInAnyOrder) {
  test::TempDir dir;
  const auto path = dir.write("t.csv", "b,a\n2,1\n4,3\n");
  const CsvTable table = CsvTable::read(path, {"a", "b"}, {});
  ASSERT_EQ(table.rows().size(), 2u);
  EXPECT_EQ(table.number(table.rows()[1], table.index("a")), 3.0);
  EXPECT_EQ(table.number(table.rows()[1], table.index("b")), 4.0);
}

TEST(CsvReader, HandlesQuotesCrlfBomBlankLinesAndBlanks) {
  test::TempDir dir;
  const auto path = dir.write("t.csv",
                              "\xEF\xBB\xBF"
                              "id,note\r\n"
                              "\r\n"
                              " x , \"a, \"\"quoted\"\" note\" \r\n"
                              "\n"
                              "y,\"two\nlines\"\n");
  const CsvTable table = CsvTable::read(path, {"id", "note"}, {});
  ASSERT_EQ(table.rows().size(), 2u);
  const auto& first = table.rows()[0];
  EXPECT_EQ(first.line, 3u);
  EXPECT_EQ(first.cells[0].text, "x");
  EXPECT_EQ(first.cells[0].column, 2u);
  EXPECT_EQ(first.cells[1].text, "a, \"quoted\" note");
  const auto& second = table.rows()[1];
  EXPECT_EQ(second.line, 5u);
  EXPECT_EQ(second.cells[1].text, "two\nlines");
}

TEST(CsvReader, IgnoresUnknownColumnsWhenAsked) {
  test::TempDir dir;
  const auto path = dir.write("t.csv", "date,AA,ZZ\n2000-01-03,1,\n");
  const CsvTable table = CsvTable::read(path, {"date", "AA"}, {}, CsvTable::UnknownColumns::ignore);
  EXPECT_EQ(table.rows().size(), 1u);
  EXPECT_TRUE(table.find("ZZ").has_value());
}

TEST(CsvReader, EmptyFileIsAnError) {
  test::TempDir dir;
  const auto path = dir.write("t.csv", "\n\n");
  EXPECT_THROW(CsvTable::read(path, {"a"}, {}), InputError);
}

TEST(CsvReader, ParsesOnlyFiniteNumbers) {
  EXPECT_EQ(parse_finite_number("1.5"), 1.5);
  EXPECT_EQ(parse_finite_number("+2"), 2.0);
  EXPECT_EQ(parse_finite_number("-1e-3"), -1e-3);
  EXPECT_FALSE(parse_finite_number("inf"));
  EXPECT_FALSE(parse_finite_number("nan"));
  EXPECT_FALSE(parse_finite_number("1e400"));
  EXPECT_FALSE(parse_finite_number("1.5x"));
  EXPECT_FALSE(parse_finite_number(""));
  EXPECT_FALSE(parse_finite_number("1,5"));
}

}  // namespace
}  // namespace xm
