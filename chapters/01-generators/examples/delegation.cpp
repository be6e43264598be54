// Tour 2: co_yield aio::elements_of flattens a tree; 100,000 levels deep, the stack stays flat.
//
// Part 1 lists every path of a small directory tree with a recursive generator: each level
// yields its own path, then hands the rest over to its children with elements_of (Python's
// `yield from`).
// Part 2 asks how deep that recursion can go. Each level calls a tiny function that reports
// where the machine stack is at that moment. With elements_of, the consumer's loop resumes the
// innermost generator directly, so level 100,000 runs at the same stack height as level 0.
// For contrast, the same recursion written with a plain loop (`for (v : child) co_yield v;`)
// nests one resume inside another: we measure how much stack that costs per level, and what
// 100,000 levels of it would need.

#include <fmt/format.h>
#include <sys/resource.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "aio/generator.hpp"

namespace {

// ---- Part 1: flatten a tree ----------------------------------------------------------------

struct Entry {
  std::string name;
  std::vector<Entry> children;  // empty for a file
};

// Every path under `entry`, parents before their children. The tree must outlive the
// generator: the frame keeps only a reference to it.
aio::Generator<std::string> paths(const Entry& entry, std::string prefix) {
  std::string path = prefix.empty() ? entry.name : prefix + "/" + entry.name;
  co_yield path;
  for (const Entry& child : entry.children) {
    co_yield aio::elements_of(paths(child, path));
  }
}

// ---- Part 2: how deep can it go? -----------------------------------------------------------

// Where the top of the machine stack is when this function is called: the address of its own
// stack frame (a GCC and Clang builtin). Not inlined, so that it does get a frame of its own.
[[gnu::noinline]] std::uintptr_t stack_height() {
  return reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
}

struct Probe {
  int level = 0;  // 0 for the generator the loop iterates, 1 for the one it delegates to...
  std::uintptr_t stack = 0;  // stack_height() measured in that level's body
};

// Level `level` of a recursion `levels` deep, delegating with elements_of.
aio::Generator<Probe> dive(int level, int levels) {
  co_yield Probe{level, stack_height()};
  if (level < levels) co_yield aio::elements_of(dive(level + 1, levels));
}

// The same recursion, re-yielding every value of the child in a loop of its own.
aio::Generator<Probe> dive_by_hand(int level, int levels) {
  co_yield Probe{level, stack_height()};
  if (level < levels) {
    for (const Probe& probe : dive_by_hand(level + 1, levels)) co_yield probe;
  }
}

struct Spread {
  int deepest_level = 0;
  std::uintptr_t outermost = 0;  // the stack height measured at level 0
  std::uintptr_t innermost = 0;  // ... and at the deepest level
  std::uintptr_t lowest = 0;     // the lowest and highest heights seen at any level
  std::uintptr_t highest = 0;
};

Spread measure(aio::Generator<Probe> probes) {
  Spread s;
  bool first = true;
  for (const Probe& probe : probes) {
    if (first) {
      s.outermost = s.lowest = s.highest = probe.stack;
      first = false;
    }
    s.deepest_level = probe.level;
    s.innermost = probe.stack;
    if (probe.stack < s.lowest) s.lowest = probe.stack;
    if (probe.stack > s.highest) s.highest = probe.stack;
  }
  return s;
}

// Signed distance in bytes; positive when the inner level ran deeper down the stack (the
// stack grows towards lower addresses on the machines this course runs on).
long long grown(const Spread& s) {
  return static_cast<long long>(s.outermost) - static_cast<long long>(s.innermost);
}

std::string mebibytes(double bytes) {
  return fmt::format("{:.1f} MiB", bytes / (1024.0 * 1024.0));
}

}  // namespace

int main() {
  fmt::print("Part 1: a directory tree, flattened by a recursive generator\n\n");
  const Entry tree{"project",
                   {{"README.md", {}},
                    {"src", {{"main.cpp", {}}, {"net", {{"socket.cpp", {}}, {"loop.cpp", {}}}}}},
                    {"tests", {{"loop_test.cpp", {}}}}}};
  for (const std::string& path : paths(tree, "")) fmt::print("  {}\n", path);

  constexpr int kDeep = 100'000;
  fmt::print("\nPart 2: recursion {} levels deep\n\n", kDeep);
  const Spread flat = measure(dive(0, kDeep));
  fmt::print("with elements_of: deepest level reached: {}\n", flat.deepest_level);
  fmt::print("  level 0 and level {} ran at stack heights {} bytes apart\n", flat.deepest_level,
             std::llabs(grown(flat)));
  fmt::print("  widest spread over all {} levels: {} bytes\n", kDeep + 1,
             flat.highest - flat.lowest);

  // The loop version nests resumes, so it is measured at a depth that is safe to run.
  constexpr int kShallow = 1'000;
  const Spread nested = measure(dive_by_hand(0, kShallow));
  const double per_level = static_cast<double>(grown(nested)) / kShallow;
  const double needed = per_level * kDeep;
  fmt::print("\nwith a re-yielding loop, {} levels deep: deepest level reached: {}\n", kShallow,
             nested.deepest_level);
  fmt::print("  the stack grew by {} bytes from level 0 to level {} ({:.0f} bytes a level)\n",
             grown(nested), nested.deepest_level, per_level);
  fmt::print("  {} levels would need about {} of stack\n", kDeep, mebibytes(needed));

  rlimit limit{};
  if (getrlimit(RLIMIT_STACK, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    const double allowed = static_cast<double>(limit.rlim_cur);
    fmt::print("  this process may use {} of stack (getrlimit RLIMIT_STACK):\n",
               mebibytes(allowed));
    fmt::print("  {}\n",
               needed > allowed
                   ? "the re-yielding loop would overflow it"
                   : "that fits under this limit, but grows with the depth (elements_of does not)");
  } else {
    fmt::print("  this process has no stack limit (getrlimit RLIMIT_STACK), but memory has one\n");
  }
  return 0;
}
