// aio::testing::Tracked: an object that counts how many of its kind are alive.
#pragma once

#include <string>
#include <vector>

namespace aio::testing {

// Counts constructions and destructions into a Lifetimes record the test owns (no global
// state), so a test can say exactly when a generator's locals were destroyed.
struct Lifetimes {
  int constructed = 0;
  int destroyed = 0;
  std::vector<std::string> log;  // "+name" on construction, "-name" on destruction, in order
  int alive() const { return constructed - destroyed; }
};

class Tracked {
 public:
  Tracked(Lifetimes& lifetimes, std::string name) : lifetimes_(&lifetimes), name_(std::move(name)) {
    ++lifetimes_->constructed;
    lifetimes_->log.push_back("+" + name_);
  }
  Tracked(const Tracked& other) : Tracked(*other.lifetimes_, other.name_) {}
  Tracked& operator=(const Tracked&) = delete;
  ~Tracked() {
    ++lifetimes_->destroyed;
    lifetimes_->log.push_back("-" + name_);
  }

  const std::string& name() const { return name_; }

 private:
  Lifetimes* lifetimes_;
  std::string name_;
};

}  // namespace aio::testing
