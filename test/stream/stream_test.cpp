// The Stream protocol and its leaves: is_stream, item_t, iter(), next(), and
// the channel Receiver as a stream.
#include <pollen/core/block_on.hpp>
#include <pollen/core/cancel_safe.hpp>
#include <pollen/stream.hpp>
#include <pollen/sync/unbounded.hpp>

#include "contract.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

#include <list>
#include <memory>
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
