// The stream combinators: map, filter, take, merge, fold, for_each, collect.
#include <pollen/core/block_on.hpp>
#include <pollen/core/cancel_safe.hpp>
#include <pollen/stream.hpp>
#include <pollen/sync/unbounded.hpp>

#include "contract.hpp"
#include "probe.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

using pollen::test::TestTask;
namespace stream = pollen::stream;

namespace {
std::vector<int> upto(int n) {
  std::vector<int> v;
  for (int i = 0; i < n; ++i) v.push_back(i);
  return v;
}

// A stream that is Pending (and wakes itself) before every item.
struct Stutter {
  using Item = int;
  int n = 0;
  int end = 3;
  bool yielded = false;
  pollen::Poll<pollen::Option<int>> poll_next(pollen::Context& cx) {
    if (n == end) return pollen::Option<int>();
    yielded = !yielded;
    if (yielded) {
      cx.waker().wake();
      return pollen::pending;
    }
    return pollen::Option<int>(n++);
  }
};
}  // namespace

TEST(StreamMap, AppliesFnToEveryItem) {
  auto s = stream::map(stream::iter(upto(4)), [](int x) { return std::to_string(x * 2); });
  EXPECT_EQ(pollen::block_on(stream::collect(std::move(s))),
            (std::vector<std::string>{"0", "2", "4", "6"}));
}

TEST(StreamMap, PassesPendingThrough) {
  auto s = stream::map(Stutter{}, [](int x) { return x + 10; });
  pollen::test::CountingWaker w;
  pollen::Context cx(w.waker());
  EXPECT_TRUE(s.poll_next(cx).is_pending());
  EXPECT_EQ(w.wakes(), 1u);
  EXPECT_EQ(s.poll_next(cx), pollen::Poll<pollen::Option<int>>(pollen::Option<int>(10)));
}

TEST(StreamFilter, KeepsOnlyMatchingItems) {
  auto s = stream::filter(stream::iter(upto(10)), [](const int& x) { return x % 3 == 0; });
  EXPECT_EQ(pollen::block_on(stream::collect(std::move(s))), (std::vector<int>{0, 3, 6, 9}));
}

TEST(StreamFilter, RejectingEverythingCannotStarveTheLoop) {
  auto s = stream::filter(stream::iter(upto(100000)), [](const int&) { return false; });
  pollen::test::CountingWaker w;
  pollen::Budget budget{128};
  pollen::Context cx(w.waker(), budget);
  EXPECT_TRUE(s.poll_next(cx).is_pending());
  EXPECT_EQ(w.wakes(), 1u);
}

TEST(StreamTake, StopsAfterNItemsWithoutPollingFurther) {
  auto ch = pollen::unbounded_channel<int>();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(ch.first.send(i).is_sent());
  auto s = stream::take(std::move(ch.second), 3);
  EXPECT_EQ(pollen::block_on(stream::collect(std::move(s))), (std::vector<int>{0, 1, 2}));
}

TEST(StreamTake, TakeZeroEndsAtOnceAndShorterStreamsEndEarly) {
  EXPECT_TRUE(pollen::block_on(stream::collect(stream::take(stream::iter(upto(3)), 0))).empty());
  EXPECT_EQ(pollen::block_on(stream::collect(stream::take(stream::iter(upto(2)), 5))),
            (std::vector<int>{0, 1}));
}

TEST(StreamMerge, AlternatesBetweenTwoReadyStreams) {
  auto s = stream::merge(stream::iter(std::vector<int>{1, 1, 1}), stream::iter(std::vector<int>{2, 2, 2, 2, 2}));
  EXPECT_EQ(pollen::block_on(stream::collect(std::move(s))),
            (std::vector<int>{1, 2, 1, 2, 1, 2, 2, 2}));
}

TEST(StreamMerge, IsFairAcrossPollsAndEndsWhenBothEnd) {
  auto a = pollen::unbounded_channel<int>();
  auto b = pollen::unbounded_channel<int>();
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(a.first.send(1).is_sent());
    ASSERT_TRUE(b.first.send(2).is_sent());
  }
  auto s = stream::merge(std::move(a.second), std::move(b.second));
  pollen::test::CountingWaker w;
  pollen::Context cx(w.waker());
  std::vector<int> got;
  for (int i = 0; i < 8; ++i) got.push_back(*s.poll_next(cx).value());
  EXPECT_EQ(got, (std::vector<int>{1, 2, 1, 2, 1, 2, 1, 2}));
  EXPECT_TRUE(s.poll_next(cx).is_pending());
  { pollen::UnboundedSender<int> gone = std::move(a.first); }
  EXPECT_TRUE(s.poll_next(cx).is_pending());
  EXPECT_EQ(s.state(), (stream::Merge<pollen::Receiver<int>, pollen::Receiver<int>>::State::OnlyB));
  ASSERT_TRUE(b.first.send(3).is_sent());
  EXPECT_EQ(*s.poll_next(cx).value(), pollen::Option<int>(3));
  { pollen::UnboundedSender<int> gone = std::move(b.first); }
  EXPECT_FALSE(s.poll_next(cx).value().has_value());
  EXPECT_FALSE(s.poll_next(cx).value().has_value());
}

TEST(StreamFold, FoldsEveryItemAcrossPendingPolls) {
  TestTask<stream::Fold<Stutter, int, std::plus<int>>> f(stream::fold(Stutter{0, 5}, 100, std::plus<int>()));
  int polls = 0;
  for (;;) {
    ++polls;
    auto p = f.poll();
    if (p.is_ready()) {
      EXPECT_EQ(std::move(p).value(), 110);
      break;
    }
    ASSERT_TRUE(f.is_woken());
  }
  EXPECT_EQ(polls, 6);
  EXPECT_CONTRACT_ERROR((void)f.poll(), "polled after it returned Ready");
}

TEST(StreamFold, SpendsTheBudgetPerItem) {
  auto f = stream::fold(stream::iter(upto(1000)), 0, std::plus<int>());
  pollen::test::CountingWaker w;
  pollen::Budget budget{128};
  pollen::Context cx(w.waker(), budget);
  int polls = 1;
  while (f.poll(cx).is_pending()) {
    ++polls;
    budget.remaining = 128;
  }
  EXPECT_GT(polls, 5);  // it yielded instead of running 1000 items in one poll
  EXPECT_EQ(w.wakes(), static_cast<std::size_t>(polls - 1));
}

#if POLLEN_HAS_EXCEPTIONS
TEST(StreamForEach, AThrowingFnPoisonsIt) {
  auto f = stream::for_each(stream::iter(upto(3)), [](int x) {
    if (x == 1) throw std::runtime_error("boom");
  });
  pollen::test::CountingWaker w;
  pollen::Context cx(w.waker());
  EXPECT_THROW((void)f.poll(cx), std::runtime_error);
  EXPECT_EQ(f.state(), decltype(f)::State::Poisoned);
  EXPECT_CONTRACT_ERROR((void)f.poll(cx), "after its poll threw");
}
#endif

TEST(StreamForEach, CallsFnForEveryItemAndIsReadyAtTheEnd) {
  std::vector<int> seen;
  pollen::block_on(stream::for_each(stream::iter(upto(3)), [&](int x) { seen.push_back(x); }));
  EXPECT_EQ(seen, (std::vector<int>{0, 1, 2}));
}

TEST(StreamCollect, DroppingItDestroysTheStreamAndTheItemsSoFar) {
  pollen::test::ProbeCounts c;
  {
    auto ch = pollen::unbounded_channel<pollen::test::Probe<int>>();
    ASSERT_TRUE(ch.first.send(pollen::test::Probe<int>(c, 1)).is_sent());
    ASSERT_TRUE(ch.first.send(pollen::test::Probe<int>(c, 2)).is_sent());
    TestTask<stream::Collect<pollen::Receiver<pollen::test::Probe<int>>>> f(
        stream::collect(std::move(ch.second)));
    EXPECT_PENDING(f);
    ASSERT_TRUE(ch.first.send(pollen::test::Probe<int>(c, 3)).is_sent());
    EXPECT_TRUE(f.is_woken());
  }
  EXPECT_EQ(c.live_destroyed, 3);
  EXPECT_EQ(c.alive(), 0);
}

TEST(StreamFold, DroppingItWhilePendingDestroysTheStream) {
  pollen::test::ProbeCounts c;
  auto ch = pollen::unbounded_channel<pollen::test::Probe<int>>();
  ASSERT_TRUE(ch.first.send(pollen::test::Probe<int>(c, 1)).is_sent());
  {
    auto f = stream::fold(std::move(ch.second), 0,
                          [](int acc, pollen::test::Probe<int> p) { return acc + p.value(); });
    TestTask<decltype(f)> t(std::move(f));
    EXPECT_PENDING(t);
    ASSERT_TRUE(ch.first.send(pollen::test::Probe<int>(c, 2)).is_sent());  // still buffered
  }
  EXPECT_TRUE(ch.first.is_closed());  // the receiver went with the fold
  EXPECT_EQ(c.live_destroyed, 2);
  EXPECT_FALSE((pollen::is_cancel_safe<stream::Fold<stream::Iter<std::vector<int>>, int, std::plus<int>>>::value));
  EXPECT_TRUE((pollen::is_cancel_safe<stream::Next<pollen::Receiver<int>>>::value));
}
