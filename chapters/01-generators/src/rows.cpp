#include "aio/rows.hpp"

#include <fmt/format.h>

namespace aio {

Row fetch_row(int id) {
  return Row{id, fmt::format("customer-{:05}", id), std::string(kRowPayloadBytes, 'x')};
}

// region: fetch_rows_list
std::vector<Row> fetch_rows_list(int first, int last) {
  std::vector<Row> rows;
  for (int id = first; id <= last; ++id) rows.push_back(fetch_row(id));
  return rows;  // nothing reaches the caller before the last row is fetched
}
// endregion

// region: fetch_rows
Generator<Row> fetch_rows(int first, int last) {
  for (int id = first; id <= last; ++id) co_yield fetch_row(id);
}
// endregion

}  // namespace aio
