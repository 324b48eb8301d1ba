// test/sync/counted.hpp: Counted, a move-only message that counts its moves.
//
//   int moves = 0;
//   tx.send(pollen::test::Counted(&moves, 7));
//   EXPECT_EQ(moves, 1);  // once into the channel
#pragma once

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

}  // namespace test
}  // namespace pollen
