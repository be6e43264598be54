// Rows from a pretend database: the example data of chapter 01 (the source articles' fetch_rows).
#pragma once

#include <string>
#include <vector>

#include "aio/generator.hpp"

namespace aio {

struct Row {
  int id = 0;
  std::string name;
  std::string payload;  // the bulk of a row, so that holding many of them costs memory

  friend bool operator==(const Row&, const Row&) = default;
};

// Looks up one row: "customer-00042" with a payload of kRowPayloadBytes bytes.
inline constexpr std::size_t kRowPayloadBytes = 1000;
Row fetch_row(int id);

// The list way: every row from first to last (inclusive), built in memory before it returns.
std::vector<Row> fetch_rows_list(int first, int last);

// The generator way: the same rows, one at a time, each fetched when the caller asks for it.
Generator<Row> fetch_rows(int first, int last);

}  // namespace aio
