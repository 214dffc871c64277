#include <gtest/gtest.h>

#include "xmargin/date.hpp"

namespace xm {
namespace {

TEST(Dates, ParseToDaysSinceEpoch) {
  EXPECT_EQ(parse_iso_date("1970-01-01"), 0);
  EXPECT_EQ(parse_iso_date("2001-01-02"), 11324);
  EXPECT_EQ(*parse_iso_date("2001-03-16") - *parse_iso_date("2001-01-02"), 73);
  EXPECT_EQ(*parse_iso_date("2000-03-01") - *parse_iso_date("2000-02-28"), 2);  // leap year
}

TEST(Dates, RejectMalformedAndImpossibleDays) {
  for (const char* bad : {"2001-02-29", "2001-13-01", "2001-1-02", "01-01-2001", "2001/01/02",
                          "2001-01-02T00", "", "abcd-ef-gh", "2001-00-10"}) {
    EXPECT_FALSE(parse_iso_date(bad)) << bad;
  }
}

TEST(Dates, FormatRoundTrips) {
  for (const char* text : {"1966-01-04", "1987-10-19", "2000-02-29", "2001-01-02"}) {
    EXPECT_EQ(format_iso_date(*parse_iso_date(text)), text);
  }
}

}  // namespace
}  // namespace xm
