// Tour 1: 10,000 rows fetched as a list, then by a generator: first-row delay and peak memory.
//
// The loop that reads the rows is written once and looks the same for every version. What
// differs is what it loops over:
//   - fetch_rows_list() builds a std::vector of every row before handing back anything;
//   - fetch_rows() is a generator: each row is fetched when the loop asks for it;
//   - RowCursor is that generator written by hand as a state machine (exercise 1.1).
// For each we time the first row and the whole loop, and we count the heap: the most bytes in
// use at once (the peak) and how many allocations were made.
//
// Usage: fetch_rows [--rows N]   (N rows, 10000 by default)

#include <fmt/format.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <string_view>

#include "aio/row_cursor.hpp"
#include "aio/rows.hpp"

// ---------------------------------------------------------------------------------------------
// A heap meter. This program replaces the global operator new and delete so that it can count
// every allocation, the library's included. Library code must never do this (it would be
// global state imposed on every program that links it), but an example program is a whole
// program, and here the replacement is the measuring instrument of the experiment, like a
// stopwatch: it changes no behaviour, it only counts. Single-threaded, so plain counters do.
namespace heap {

std::size_t in_use = 0;       // bytes allocated and not yet freed
std::size_t peak = 0;         // the highest in_use since the last reset_peak()
std::size_t allocations = 0;  // calls to operator new since the last reset_peak()

// Each block carries its size in a header, so that delete knows how much to give back.
// The header is as large as the strictest fundamental alignment, so the block stays aligned.
constexpr std::size_t kHeader = alignof(std::max_align_t);

void* allocate(std::size_t bytes) noexcept {
  auto* block = static_cast<unsigned char*>(std::malloc(kHeader + bytes));
  if (block == nullptr) return nullptr;
  std::memcpy(block, &bytes, sizeof bytes);
  in_use += bytes;
  if (in_use > peak) peak = in_use;
  ++allocations;
  return block + kHeader;
}

void release(void* pointer) noexcept {
  if (pointer == nullptr) return;
  unsigned char* block = static_cast<unsigned char*>(pointer) - kHeader;
  std::size_t bytes = 0;
  std::memcpy(&bytes, block, sizeof bytes);
  in_use -= bytes;
  std::free(block);
}

// Starts a measurement: the peak and the count are taken from here on.
void reset_peak() noexcept {
  peak = in_use;
  allocations = 0;
}

}  // namespace heap

void* operator new(std::size_t bytes) {
  if (void* pointer = heap::allocate(bytes)) return pointer;
  throw std::bad_alloc();
}
void* operator new[](std::size_t bytes) {
  return ::operator new(bytes);
}
void* operator new(std::size_t bytes, const std::nothrow_t&) noexcept {
  return heap::allocate(bytes);
}
void* operator new[](std::size_t bytes, const std::nothrow_t&) noexcept {
  return heap::allocate(bytes);
}
void operator delete(void* pointer) noexcept {
  heap::release(pointer);
}
void operator delete[](void* pointer) noexcept {
  heap::release(pointer);
}
void operator delete(void* pointer, std::size_t) noexcept {
  heap::release(pointer);
}
void operator delete[](void* pointer, std::size_t) noexcept {
  heap::release(pointer);
}
void operator delete(void* pointer, const std::nothrow_t&) noexcept {
  heap::release(pointer);
}
void operator delete[](void* pointer, const std::nothrow_t&) noexcept {
  heap::release(pointer);
}
// ---------------------------------------------------------------------------------------------

namespace {

using Clock = std::chrono::steady_clock;

struct Measurement {
  double first_row_ns = 0;     // from the call until the loop body holds the first row
  double all_rows_ns = 0;      // from the call until the loop has seen every row
  std::size_t peak_bytes = 0;  // the most heap in use at once, above what was in use before
  std::size_t allocations = 0;
  std::size_t rows = 0;
  std::uint64_t checksum = 0;  // proves that every version saw the same rows
};

// The caller's side, identical for every version: loop over the rows and "use" each one.
template <class MakeRows>
Measurement measure(MakeRows make_rows) {
  Measurement m;
  const std::size_t before = heap::in_use;
  heap::reset_peak();
  const Clock::time_point start = Clock::now();
  for (const aio::Row& row : make_rows()) {
    if (m.rows == 0) {
      m.first_row_ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
    }
    ++m.rows;
    m.checksum += static_cast<std::uint64_t>(row.id) * 31 + row.name.size() + row.payload.size();
  }
  m.all_rows_ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
  m.peak_bytes = heap::peak - before;
  m.allocations = heap::allocations;
  return m;
}

// 1234 ns -> "1.2 us": a duration in the unit that suits it.
std::string readable(double ns) {
  if (ns < 1e3) return fmt::format("{:.0f} ns", ns);
  if (ns < 1e6) return fmt::format("{:.1f} us", ns / 1e3);
  return fmt::format("{:.1f} ms", ns / 1e6);
}

// 10976464 -> "10,976,464"
std::string grouped(std::size_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

void print_row(std::string_view version, const Measurement& m) {
  fmt::print("{:<24} {:>10} {:>10} {:>14} {:>12}\n", version, readable(m.first_row_ns),
             readable(m.all_rows_ns), grouped(m.peak_bytes), grouped(m.allocations));
}

int parse_rows(int argc, char** argv) {
  int rows = 10'000;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--rows" && i + 1 < argc) {
      char* end = nullptr;
      const long n = std::strtol(argv[++i], &end, 10);
      if (*end != '\0' || n < 1 || n > 1'000'000) return -1;
      rows = static_cast<int>(n);
    } else {
      return -1;
    }
  }
  return rows;
}

}  // namespace

int main(int argc, char** argv) {
  const int n = parse_rows(argc, argv);
  if (n < 0) {
    fmt::print(stderr, "usage: fetch_rows [--rows N]   (1 <= N <= 1000000, default 10000)\n");
    return 2;
  }

  // What one row costs on the heap, to read the table in rows rather than in bytes.
  heap::reset_peak();
  const std::size_t before_one = heap::in_use;
  const std::size_t one_row = [&] {
    const aio::Row row = aio::fetch_row(1);
    return heap::in_use - before_one;
  }();

  // The list runs last: giving its memory back to the system would slow down whoever came next.
  const Measurement generator = measure([&] { return aio::fetch_rows(1, n); });
  const Measurement cursor = measure([&] { return aio::RowCursor(1, n); });
  const Measurement list = measure([&] { return aio::fetch_rows_list(1, n); });

  fmt::print("{} rows, {} heap bytes each\n\n", grouped(static_cast<std::size_t>(n)),
             grouped(one_row));
  fmt::print("{:<24} {:>10} {:>10} {:>14} {:>12}\n", "version", "first row", "all rows",
             "peak heap (B)", "allocations");
  print_row("list (fetch_rows_list)", list);
  print_row("generator (fetch_rows)", generator);
  print_row("hand-written RowCursor", cursor);

  const bool same = list.rows == static_cast<std::size_t>(n) && generator.rows == list.rows &&
                    cursor.rows == list.rows && generator.checksum == list.checksum &&
                    cursor.checksum == list.checksum;
  fmt::print("\nsame rows in the same order: {}\n", same ? "yes" : "NO");
  fmt::print("peak heap in rows: list {:.1f}, generator {:.1f}, RowCursor {:.1f}\n",
             static_cast<double>(list.peak_bytes) / static_cast<double>(one_row),
             static_cast<double>(generator.peak_bytes) / static_cast<double>(one_row),
             static_cast<double>(cursor.peak_bytes) / static_cast<double>(one_row));
  fmt::print(
      "The list holds every row (and its vector's spare room) before the loop sees the first\n"
      "one. The generator holds one row and its frame (its one extra allocation), and hands\n"
      "over the first row at once. RowCursor peaks at two rows: it builds the next row before\n"
      "it lets go of the previous one.\n");
  return same ? 0 : 1;
}
