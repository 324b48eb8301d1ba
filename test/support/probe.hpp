// test/support/probe.hpp: Probe<T>, a value that counts what happens to it.
//
//   pollen::test::ProbeCounts c;
//   { pollen::test::Probe<int> p(c, 7); auto q = std::move(p); }
//   EXPECT_EQ(c.constructed, 1); EXPECT_EQ(c.moved, 1); EXPECT_EQ(c.alive(), 0);
//
// `live_destroyed` counts destructions of instances that still held their
// value (not moved from): the number that must be exactly one per value.
#pragma once

#include <utility>

namespace pollen {
namespace test {

struct ProbeCounts {
  int constructed = 0;     // made from a value
  int copied = 0;          // copy-constructed
  int moved = 0;           // move-constructed
  int destroyed = 0;       // every destructor call, moved-from included
  int live_destroyed = 0;  // destructor calls of instances not moved from
  int polls = 0;           // for Probed futures
  int alive() const noexcept { return constructed + copied + moved - destroyed; }
};

template <class T = int>
class Probe {
 public:
  Probe(ProbeCounts& counts, T value) : counts_(&counts), value_(std::move(value)) {
    ++counts_->constructed;
  }
  Probe(const Probe& o) : counts_(o.counts_), value_(o.value_), live_(o.live_) {
    ++counts_->copied;
  }
  Probe(Probe&& o) noexcept : counts_(o.counts_), value_(std::move(o.value_)), live_(o.live_) {
    o.live_ = false;
    ++counts_->moved;
  }
  Probe& operator=(const Probe&) = default;
  Probe& operator=(Probe&&) = default;
  ~Probe() {
    ++counts_->destroyed;
    if (live_) ++counts_->live_destroyed;
  }

  const T& value() const noexcept { return value_; }
  T& value() noexcept { return value_; }
  bool live() const noexcept { return live_; }

  friend bool operator==(const Probe& a, const Probe& b) { return a.value_ == b.value_; }

 private:
  ProbeCounts* counts_;
  T value_;
  bool live_ = true;
};

}  // namespace test
}  // namespace pollen
