// test/sync/fragile.hpp: Fragile, a move-only message whose move constructor
// throws on demand, and counts what happens to it (like test/support's Probe).
//
//   pollen::test::FragileCounts c;
//   pollen::test::Fragile a(c, 7);
//   c.fail_after = 0;                        // the next move throws
//   EXPECT_THROW(pollen::test::Fragile b(std::move(a)), pollen::test::MoveFailed);
//   EXPECT_TRUE(a.live());                   // a throwing move leaves its source whole
//
// Only for exception builds: empty when POLLEN_HAS_EXCEPTIONS is 0.
#pragma once

#include <pollen/config.hpp>

#if POLLEN_HAS_EXCEPTIONS
#include <stdexcept>

namespace pollen {
namespace test {

struct MoveFailed : std::runtime_error {
  MoveFailed() : std::runtime_error("Fragile: move constructor failed on purpose") {}
};

struct FragileCounts {
  int constructed = 0;     // made from a value
  int moved = 0;           // successful moves
  int destroyed = 0;       // every destructor call, moved-from included
  int live_destroyed = 0;  // destructor calls of instances that held a value
  int throws = 0;          // moves that threw
  // Moves left to succeed before one throws; -1: none throws. After a
  // throw, it becomes `period - 1` when `period` > 0 (every period-th move
  // throws), else -1.
  int fail_after = -1;
  int period = 0;
  int alive() const noexcept { return constructed + moved - destroyed; }
};

class Fragile {
 public:
  Fragile(FragileCounts& c, int v) : counts_(&c), value_(v) { ++counts_->constructed; }
  Fragile(Fragile&& o) noexcept(false) : counts_(o.counts_), value_(o.value_) {
    if (counts_->fail_after == 0) {
      ++counts_->throws;
      counts_->fail_after = counts_->period > 0 ? counts_->period - 1 : -1;
      throw MoveFailed();
    }
    if (counts_->fail_after > 0) --counts_->fail_after;
    live_ = o.live_;
    o.live_ = false;
    ++counts_->moved;
  }
  Fragile(const Fragile&) = delete;
  Fragile& operator=(const Fragile&) = delete;
  Fragile& operator=(Fragile&&) = delete;
  ~Fragile() {
    ++counts_->destroyed;
    if (live_) ++counts_->live_destroyed;
  }

  int value() const noexcept { return value_; }
  // False for a moved-from shell.
  bool live() const noexcept { return live_; }

 private:
  FragileCounts* counts_;
  int value_;
  bool live_ = true;
};

}  // namespace test
}  // namespace pollen
#endif
