#include <gtest/gtest.h>

#include "io/csv_reader.hpp"
#include "support/test_support.hpp"
#include "xmargin/error.hpp"

namespace xm {
namespace {

// A row copied out of the reader, whose views last only until its next row.
struct OwnedRow {
  std::size_t line = 0;
  std::vector<std::string> texts;
  std::vector<std::size_t> columns;
};

std::vector<OwnedRow> read_all(CsvReader& reader) {
  std::vector<OwnedRow> rows;
  CsvReader::Row row;
  while (reader.next(row)) {
    OwnedRow& owned = rows.emplace_back();
    owned.line = row.line;
    for (const CsvReader::Cell& cell : row.cells) {
      owned.texts.emplace_back(cell.text);
      owned.columns.push_back(cell.column);
    }
  }
  return rows;
}

TEST(CsvReader, MatchesColumnsByNameInAnyOrder) {
  test::TempDir dir;
  CsvReader reader(dir.write("t.csv", "b,a\n2,1\n4,3\n"), {"a", "b"}, {});
  CsvReader::Row row;
  ASSERT_TRUE(reader.next(row));
  ASSERT_TRUE(reader.next(row));
  EXPECT_EQ(reader.number(row, reader.index("a")), 3.0);
  EXPECT_EQ(reader.number(row, reader.index("b")), 4.0);
  EXPECT_FALSE(reader.next(row));
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
  CsvReader reader(path, {"id", "note"}, {});
  EXPECT_EQ(reader.header()[0].name, "id");  // the byte order mark is not part of it
  EXPECT_EQ(reader.header()[0].column, 1u);
  const std::vector<OwnedRow> rows = read_all(reader);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].line, 3u);
  EXPECT_EQ(rows[0].texts[0], "x");
  EXPECT_EQ(rows[0].columns[0], 2u);
  EXPECT_EQ(rows[0].texts[1], "a, \"quoted\" note");
  EXPECT_EQ(rows[0].columns[1], 6u);
  EXPECT_EQ(rows[1].line, 5u);
  EXPECT_EQ(rows[1].texts[1], "two\nlines");
}

TEST(CsvReader, IgnoresUnknownColumnsWhenAsked) {
  test::TempDir dir;
  const auto path = dir.write("t.csv", "date,AA,ZZ\n2000-01-03,1,\n");
  CsvReader reader(path, {"date", "AA"}, {}, CsvReader::UnknownColumns::ignore);
  EXPECT_EQ(read_all(reader).size(), 1u);
  EXPECT_TRUE(reader.find("ZZ").has_value());
}

TEST(CsvReader, EmptyFileIsAnError) {
  test::TempDir dir;
  const auto path = dir.write("t.csv", "\n\n");
  EXPECT_THROW(CsvReader(path, {"a"}, {}), InputError);
}

// The reader holds a few MiB at a time: rows that straddle its refills, quoted
// newlines among them, and one row just under the 1 MiB limit, read as written.
TEST(CsvReader, ReadsFilesLargerThanItsBuffer) {
  test::TempDir dir;
  std::string text = "id,note\n";
  std::size_t line = 2;
  std::vector<std::size_t> lines;
  for (int i = 0; i < 300'000; ++i) {
    lines.push_back(line);
    if (i % 1000 == 7) {
      text += "id" + std::to_string(i) + ",\"a\n\"\"b\"\"\"\n";
      line += 2;
    } else {
      text += "id" + std::to_string(i) + ",note number " + std::to_string(i) + "\n";
      line += 1;
    }
  }
  const std::string wide(kMaxCsvRowBytes - 10, 'w');
  text += "last," + wide + "\n";
  ASSERT_GT(text.size(), 8u << 20);
  CsvReader reader(dir.write("t.csv", text), {"id", "note"}, {});
  const std::vector<OwnedRow> rows = read_all(reader);
  ASSERT_EQ(rows.size(), 300'001u);
  for (int i = 0; i < 300'000; ++i) {
    ASSERT_EQ(rows[i].line, lines[i]) << i;
    ASSERT_EQ(rows[i].texts[0], "id" + std::to_string(i));
    ASSERT_EQ(rows[i].texts[1], i % 1000 == 7 ? "a\n\"b\"" : "note number " + std::to_string(i));
  }
  EXPECT_EQ(rows.back().texts[1], wide);
}

TEST(CsvReader, QuotesAtMost80CharactersOfACell) {
  EXPECT_EQ(quote_cell("FXX"), "'FXX'");
  EXPECT_EQ(quote_cell(std::string(80, 'x')), "'" + std::string(80, 'x') + "'");
  EXPECT_EQ(quote_cell(std::string(81, 'x')), "'" + std::string(80, 'x') + "...' (81 bytes, cut)");
  // The cut counts characters and never splits one: 100 two-byte characters.
  std::string accents;
  for (int i = 0; i < 100; ++i) accents += "\xC3\xA9";
  EXPECT_EQ(quote_cell(accents), "'" + accents.substr(0, 160) + "...' (200 bytes, cut)");
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
