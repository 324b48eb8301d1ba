// The Stream protocol and its leaves: is_stream, item_t, iter(), next(), and
// the channel Receiver as a stream.
#include <pollen/core/block_on.hpp>
#include <pollen/core/cancel_safe.hpp>
#include <pollen/stream.hpp>
#include <pollen/sync/unbounded.hpp>

#include "contract.hpp"
#include "test_task.hpp"
#include "../future/throw_points.hpp"

#include <gtest/gtest.h>

#include <list>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

using pollen::test::TestTask;
namespace stream = pollen::stream;

namespace {
struct NotAStream {};
struct Counter {
  using Item = int;
  int n = 0;
  pollen::Poll<pollen::Option<int>> poll_next(pollen::Context&) {
    if (n == 3) return pollen::Option<int>();
    return pollen::Option<int>(n++);
  }
};
}  // namespace

TEST(Stream, TraitsDetectStreams) {
  EXPECT_TRUE(pollen::is_stream<Counter>::value);
  EXPECT_TRUE(pollen::is_stream<pollen::Receiver<int>>::value);
  EXPECT_TRUE((pollen::is_stream<stream::Iter<std::vector<int>>>::value));
  EXPECT_FALSE(pollen::is_stream<NotAStream>::value);
  EXPECT_FALSE(pollen::is_stream<int>::value);
  EXPECT_TRUE((std::is_same<pollen::item_t<Counter>, int>::value));
}

TEST(Stream, IterYieldsEveryElementInOrderThenEnds) {
  auto s = stream::iter(std::vector<std::unique_ptr<int>>());
  std::vector<std::unique_ptr<int>> v;
  v.emplace_back(new int(1));
  v.emplace_back(new int(2));
  auto s2 = stream::iter(std::move(v));
  auto moved = std::move(s2);  // the position survives a move
  pollen::Option<std::unique_ptr<int>> a = pollen::block_on(stream::next(moved));
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(**a, 1);
  auto again = std::move(moved);
  pollen::Option<std::unique_ptr<int>> b = pollen::block_on(stream::next(again));
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(**b, 2);
  EXPECT_FALSE(pollen::block_on(stream::next(again)).has_value());
  EXPECT_FALSE(pollen::block_on(stream::next(again)).has_value());  // fused
  EXPECT_FALSE(pollen::block_on(stream::next(s)).has_value());
}

TEST(Stream, IterWorksOnAList) {
  auto s = stream::iter(std::list<std::string>{"a", "b"});
  EXPECT_EQ(pollen::block_on(stream::collect(std::move(s))), (std::vector<std::string>{"a", "b"}));
}

TEST(Stream, AnAlwaysReadyStreamCannotStarveTheLoop) {
  std::vector<int> v(1000, 1);
  auto s = stream::iter(std::move(v));
  pollen::test::CountingWaker w;
  pollen::Budget budget{128};
  pollen::Context cx(w.waker(), budget);
  int got = 0;
  while (s.poll_next(cx).is_ready()) ++got;
  EXPECT_EQ(got, 128);
  EXPECT_EQ(w.wakes(), 1u);
}

TEST(Stream, NextIsPendingUntilAnItemArrivesAndIsCancelSafe) {
  auto ch = pollen::unbounded_channel<int>();
  {
    TestTask<stream::Next<pollen::Receiver<int>>> n(stream::next(ch.second));
    EXPECT_PENDING(n);
  }  // dropped while pending: nothing lost
  EXPECT_TRUE(pollen::is_cancel_safe<stream::Next<pollen::Receiver<int>>>::value);
  ASSERT_TRUE(ch.first.send(4).is_sent());
  TestTask<stream::Next<pollen::Receiver<int>>> n(stream::next(ch.second));
  EXPECT_READY_EQ(n, pollen::Option<int>(4));
  EXPECT_CONTRACT_ERROR((void)n.poll(), "polled after it returned Ready");
}

TEST(Stream, ReceiverIsAStreamThatEndsWhenTheSendersAreGone) {
  auto ch = pollen::unbounded_channel<int>();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(ch.first.send(i).is_sent());
  { pollen::UnboundedSender<int> gone = std::move(ch.first); }
  EXPECT_EQ(pollen::block_on(stream::collect(std::move(ch.second))), (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(Stream, DescribeShowsTheChain) {
  auto s = stream::map(stream::iter(std::vector<int>{1, 2, 3}), [](int x) { return x + 1; });
  auto f = stream::collect(std::move(s));
  std::string d = pollen::describe(f);
  EXPECT_NE(d.find("stream::Collect [state: Collecting, 0 so far]"), std::string::npos) << d;
  EXPECT_NE(d.find("stream::Map [state: Streaming]"), std::string::npos) << d;
  EXPECT_NE(d.find("stream::Iter [state: Streaming, 3 left]"), std::string::npos) << d;
}

TEST(Stream, AMovedFromNextActsFinished) {
  auto s = stream::iter(std::vector<int>{1, 2});
  auto a = stream::next(s);
  auto b = std::move(a);
  pollen::Waker w;
  pollen::Context cx(w);
  EXPECT_CONTRACT_ERROR((void)a.poll(cx), "stream::Next polled after it returned Ready");  // NOLINT
  EXPECT_EQ(b.poll(cx), (pollen::Poll<pollen::Option<int>>(pollen::Option<int>(1))));
}

#if POLLEN_HAS_EXCEPTIONS
namespace {
// A future that owns what another future borrows: forwards to f, keeps `owned`
// alive as long as itself.
template <class T, class F>
struct Owning {
  using Output = pollen::output_t<F>;
  std::shared_ptr<T> owned;
  F f;
  pollen::Poll<Output> poll(pollen::Context& cx) { return f.poll(cx); }
};
template <class T, class F>
Owning<T, F> owning(std::shared_ptr<T> owned, F f) {
  return Owning<T, F>{std::move(owned), std::move(f)};
}

struct ThrowsFirst {
  using Item = int;
  bool thrown = false;
  pollen::Poll<pollen::Option<int>> poll_next(pollen::Context&) {
    if (!thrown) {
      thrown = true;
      throw std::runtime_error("stream threw");
    }
    return pollen::Option<int>(7);
  }
};
}  // namespace

// A next() whose stream threw is poisoned (it used to go on and be Ready with
// the item after the one lost); the stream itself stays usable.
TEST(Stream, NextIsPoisonedWhenTheStreamThrows) {
  ThrowsFirst s;
  TestTask<stream::Next<ThrowsFirst>> n(stream::next(s));
  EXPECT_THROW((void)n.poll(), std::runtime_error);
  EXPECT_EQ(n.future().state(), stream::Next<ThrowsFirst>::State::Poisoned);
  EXPECT_CONTRACT_ERROR((void)n.poll(), "stream::Next polled again after its poll threw");
  EXPECT_EQ(pollen::block_on(stream::next(s)), pollen::Option<int>(7));
}

TEST(Stream, NextIsPoisonedWhenAnItemMoveThrows) {
  using pollen::test::Bomb;
  int points = pollen::test::throw_at_every_move(
      [](pollen::test::ProbeCounts& c) {
        // The stream must outlive the Next: the returned future owns it.
        std::vector<Bomb> v;
        v.emplace_back(c, 5);
        auto owned = std::make_shared<stream::Iter<std::vector<Bomb>>>(stream::iter(std::move(v)));
        auto n = stream::next(*owned);
        return owning(std::move(owned), std::move(n));
      },
      [](pollen::Option<Bomb> item) {
        ASSERT_TRUE(item.has_value());
        EXPECT_EQ(item->value(), 5);
      },
      pollen::test::Poisoning::KeepsItsSource);
  EXPECT_GE(points, 2);
}
#endif
