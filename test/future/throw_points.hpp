// test/future/throw_points.hpp: throw from every move a future makes, one
// move at a time, and check that the future is poisoned each time.
//
// * Bomb: a value (an int, counted in a ProbeCounts like Probe) whose move
//   constructor throws std::runtime_error("move threw") when the thread's
//   MoveTrap says so. It has no copy: containers must move it.
// * throw_at_every_move(make, check): polls make(counts)'s future to
//   completion once per move of a Bomb its polls make: run k throws from the
//   k-th move (k = 0, 1, ...), until a run completes without a throw. After
//   each run that threw, the future must be poisoned (its next poll is the
//   ContractError "polled again after its poll threw"), and once it is
//   destroyed every Bomb must have been destroyed exactly once (nothing lost,
//   nothing destroyed twice). With Poisoning::DestroysAtOnce (combinators,
//   which destroy their children when poisoned) no Bomb may be left alive
//   even before the future is destroyed. check(output) runs on the output of
//   the run that completed. Returns how many runs threw (the number of throw
//   points).
//
// The children a test gives must make progress on their own when polled
// again (ready(), pending_once()): the driver polls without waiting for wakes.
#pragma once

#include <pollen/config.hpp>

#if POLLEN_HAS_EXCEPTIONS

#include "contract.hpp"
#include "probe.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <utility>

namespace pollen {
namespace test {

struct MoveTrap {
  long countdown = -1;  // moves left before one throws; -1: none will
};
inline MoveTrap& move_trap() {
  static thread_local MoveTrap t;
  return t;
}

class Bomb {
 public:
  Bomb(ProbeCounts& c, int v) : counts_(&c), value_(v) { ++c.constructed; }
  Bomb(Bomb&& o) : counts_(o.counts_), value_(o.value_) {
    MoveTrap& t = move_trap();
    if (t.countdown == 0) {
      t.countdown = -1;  // one throw per run
      throw std::runtime_error("move threw");
    }
    if (t.countdown > 0) --t.countdown;
    live_ = o.live_;
    o.live_ = false;
    ++counts_->moved;
  }
  Bomb(const Bomb&) = delete;
  Bomb& operator=(const Bomb&) = delete;
  Bomb& operator=(Bomb&&) = delete;
  ~Bomb() {
    ++counts_->destroyed;
    if (live_) ++counts_->live_destroyed;
  }

  int value() const noexcept { return value_; }
  bool live() const noexcept { return live_; }
  friend bool operator==(const Bomb& a, const Bomb& b) { return a.value_ == b.value_; }

 private:
  ProbeCounts* counts_;
  int value_;
  bool live_ = true;
};

enum class Poisoning { DestroysAtOnce, KeepsItsSource };

template <class Make, class Check>
int throw_at_every_move(Make make, Check check, Poisoning poisoning = Poisoning::DestroysAtOnce) {
  for (long k = 0; k < 10000; ++k) {
    SCOPED_TRACE("the move that throws: number " + std::to_string(k));
    ProbeCounts counts;
    bool threw = false;
    bool ready = false;
    {
      auto t = test_task(make(counts));
      move_trap().countdown = k;
      try {
        for (int i = 0; i < 1000 && !ready; ++i) {
          auto p = t.poll();
          if (p.is_ready()) {
            move_trap().countdown = -1;
            ready = true;
            check(std::move(p).value());
          }
        }
      } catch (const std::runtime_error& e) {
        EXPECT_STREQ(e.what(), "move threw");
        threw = true;
      }
      move_trap().countdown = -1;
      if (threw) {
        if (poisoning == Poisoning::DestroysAtOnce) {
          EXPECT_EQ(counts.alive(), 0);
        }
        EXPECT_CONTRACT_ERROR((void)t.poll(), "polled again after its poll threw");
      } else {
        EXPECT_TRUE(ready) << "the run neither threw nor completed";
      }
    }
    EXPECT_EQ(counts.alive(), 0);
    EXPECT_EQ(counts.live_destroyed, counts.constructed);
    if (::testing::Test::HasFailure()) return static_cast<int>(k);
    if (!threw) return static_cast<int>(k);
  }
  ADD_FAILURE() << "no run completed";
  return -1;
}

}  // namespace test
}  // namespace pollen

#endif  // POLLEN_HAS_EXCEPTIONS
