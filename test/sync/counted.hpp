// test/sync/counted.hpp: Counted, a move-only message that counts its moves,
// and poll_extra_moves(): the moves a Poll adds when it is made from a value.
//
//   int moves = 0;
//   tx.send(pollen::test::Counted(&moves, 7));
//   EXPECT_EQ(moves, 1);  // once into the channel
#pragma once

#include <pollen/core/option.hpp>
#include <pollen/core/poll.hpp>

namespace pollen {
namespace test {

class Counted {
 public:
  Counted(int* moves, int v) noexcept : moves_(moves), value_(v) {}
  Counted(Counted&& o) noexcept : moves_(o.moves_), value_(o.value_) { ++*moves_; }
  Counted(const Counted&) = delete;  // no copy, ever
  Counted& operator=(const Counted&) = delete;
  Counted& operator=(Counted&&) = delete;

  int value() const noexcept { return value_; }

 private:
  int* moves_;
  int value_;
};

// The moves a Poll<Option<Counted>> made from a Counted&& costs beyond the
// one move that puts the value into the Option: 1 for a Poll that builds
// its value first and then moves it in, 0 for one that builds it in place.
// The channels build their results with one move of the message, then hand
// them to Poll: their counts include this.
inline int poll_extra_moves() {
  int moves = 0;
  Counted m(&moves, 0);
  Poll<Option<Counted>> p(std::move(m));
  return moves - 1;
}

}  // namespace test
}  // namespace pollen
