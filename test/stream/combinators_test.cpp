// The stream combinators: map, filter, take, merge, fold, for_each, collect.
#include <pollen/core/block_on.hpp>
#include <pollen/core/cancel_safe.hpp>
#include <pollen/stream.hpp>
#include <pollen/sync/unbounded.hpp>

#include "contract.hpp"
#include "probe.hpp"
#include "test_task.hpp"
#include "../future/throw_points.hpp"

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

// An always-ready stream of 0, 1, 2, ... that spends no budget itself and
// counts the items it yields.
struct Counting {
  using Item = int;
  int* yielded;
  int end;
  pollen::Poll<pollen::Option<int>> poll_next(pollen::Context&) {
    if (*yielded == end) return pollen::Option<int>();
    return pollen::Option<int>((*yielded)++);
  }
};

#if POLLEN_HAS_EXCEPTIONS
// 0, 1, 2, ... (always ready, no budget) whose poll_next throws once, instead
// of yielding item `throw_at`; after that it goes on with that item.
struct ThrowsOnce {
  using Item = int;
  int next = 0;
  int throw_at = 1;
  int end = 3;
  bool thrown = false;
  pollen::Poll<pollen::Option<int>> poll_next(pollen::Context&) {
    if (next == end) return pollen::Option<int>();
    if (next == throw_at && !thrown) {
      thrown = true;
      throw std::runtime_error("stream threw");
    }
    return pollen::Option<int>(next++);
  }
};

std::vector<pollen::test::Bomb> bombs(pollen::test::ProbeCounts& c, int n) {
  std::vector<pollen::test::Bomb> v;
  v.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) v.emplace_back(c, i);
  return v;
}
#endif

// Polls `f` once with a budget of 128 and returns the items `yielded` moved by.
template <class F>
int items_in_one_budgeted_poll(F& f, int* yielded, pollen::test::CountingWaker& w) {
  pollen::Budget budget{128};
  pollen::Context cx(w.waker(), budget);
  int before = *yielded;
  EXPECT_TRUE(f.poll(cx).is_pending());
  return *yielded - before;
}
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

// The budget: 128 units is 128 items per poll, not 129 (each combinator used
// to check the budget only after handling the item that spent the last unit).
TEST(StreamForEach, HandlesExactlyTheBudgetInItemsPerPoll) {
  int yielded = 0, seen = 0;
  auto f = stream::for_each(Counting{&yielded, 1000}, [&seen](int) { ++seen; });
  pollen::test::CountingWaker w;
  EXPECT_EQ(items_in_one_budgeted_poll(f, &yielded, w), 128);
  EXPECT_EQ(seen, 128);
  EXPECT_EQ(w.wakes(), 1u);
  EXPECT_EQ(items_in_one_budgeted_poll(f, &yielded, w), 128);
  EXPECT_EQ(w.wakes(), 2u);
}

TEST(StreamFold, HandlesExactlyTheBudgetInItemsPerPoll) {
  int yielded = 0;
  auto f = stream::fold(Counting{&yielded, 1000}, 0, std::plus<int>());
  pollen::test::CountingWaker w;
  EXPECT_EQ(items_in_one_budgeted_poll(f, &yielded, w), 128);
  EXPECT_EQ(w.wakes(), 1u);
}

TEST(StreamCollect, HandlesExactlyTheBudgetInItemsPerPoll) {
  int yielded = 0;
  auto f = stream::collect(Counting{&yielded, 1000});
  pollen::test::CountingWaker w;
  EXPECT_EQ(items_in_one_budgeted_poll(f, &yielded, w), 128);
  EXPECT_EQ(w.wakes(), 1u);
}

TEST(StreamFilter, DropsExactlyTheBudgetInItemsPerPoll) {
  int yielded = 0;
  auto s = stream::filter(Counting{&yielded, 1000}, [](const int&) { return false; });
  pollen::test::CountingWaker w;
  pollen::Budget budget{128};
  pollen::Context cx(w.waker(), budget);
  EXPECT_TRUE(s.poll_next(cx).is_pending());
  EXPECT_EQ(yielded, 128);
  EXPECT_EQ(w.wakes(), 1u);
}

TEST(StreamCollect, ABudgetedCollectStillGetsEveryItemInOrder) {
  int yielded = 0;
  auto f = stream::collect(Counting{&yielded, 300});
  pollen::test::CountingWaker w;
  int polls = 0;
  for (;;) {
    pollen::Budget budget{128};
    pollen::Context cx(w.waker(), budget);
    ++polls;
    auto p = f.poll(cx);
    if (p.is_ready()) {
      std::vector<int> all = std::move(p).value();
      ASSERT_EQ(all.size(), 300u);
      for (int i = 0; i < 300; ++i) EXPECT_EQ(all[static_cast<std::size_t>(i)], i);
      break;
    }
  }
  EXPECT_EQ(polls, 3);  // 128 + 128 + 44
}

TEST(StreamFold, AMovedFromFoldActsFinished) {
  auto a = stream::fold(stream::iter(upto(3)), 0, std::plus<int>());
  auto b = std::move(a);
  pollen::Waker w;
  pollen::Context cx(w);
  EXPECT_CONTRACT_ERROR((void)a.poll(cx), "stream::Fold polled after it returned Ready");  // NOLINT
  EXPECT_EQ(b.poll(cx), pollen::Poll<int>(3));
}

TEST(StreamForEach, AMovedFromForEachActsFinished) {
  int seen = 0;
  auto a = stream::for_each(stream::iter(upto(3)), [&seen](int) { ++seen; });
  auto b = std::move(a);
  pollen::Waker w;
  pollen::Context cx(w);
  EXPECT_CONTRACT_ERROR((void)a.poll(cx), "stream::ForEach polled after it returned Ready");  // NOLINT
  EXPECT_EQ(seen, 0);
  EXPECT_TRUE(b.poll(cx).is_ready());
  EXPECT_EQ(seen, 3);
}

TEST(StreamCollect, AMovedFromCollectActsFinished) {
  auto a = stream::collect(stream::iter(upto(3)));
  auto b = std::move(a);
  pollen::Waker w;
  pollen::Context cx(w);
  EXPECT_CONTRACT_ERROR((void)a.poll(cx), "stream::Collect polled after it returned Ready");  // NOLINT
  EXPECT_EQ(b.poll(cx), pollen::Poll<std::vector<int>>(upto(3)));
}

#if POLLEN_HAS_EXCEPTIONS
// A stream that throws: the item it was producing is lost with the
// exception, so the future over it is poisoned. It used to go on at the next
// poll and be Ready without that item.
TEST(StreamFold, PoisonedWhenTheStreamThrows) {
  TestTask<stream::Fold<ThrowsOnce, int, std::plus<int>>> t(stream::fold(ThrowsOnce{}, 100, std::plus<int>()));
  EXPECT_THROW((void)t.poll(), std::runtime_error);
  EXPECT_EQ(t.future().state(), (stream::Fold<ThrowsOnce, int, std::plus<int>>::State::Poisoned));
  EXPECT_NE(t.describe().find("stream::Fold [state: Poisoned]"), std::string::npos) << t.describe();
  EXPECT_CONTRACT_ERROR((void)t.poll(), "stream::Fold polled again after its poll threw");
}

TEST(StreamForEach, PoisonedWhenTheStreamThrows) {
  std::vector<int> seen;
  auto f = stream::for_each(ThrowsOnce{}, [&seen](int x) { seen.push_back(x); });
  TestTask<decltype(f)> t(std::move(f));
  EXPECT_THROW((void)t.poll(), std::runtime_error);
  EXPECT_EQ(seen, (std::vector<int>{0}));
  EXPECT_CONTRACT_ERROR((void)t.poll(), "stream::ForEach polled again after its poll threw");
  EXPECT_EQ(seen, (std::vector<int>{0}));
}

TEST(StreamCollect, PoisonedWhenTheStreamThrowsAndTheItemsSoFarAreDestroyedAtOnce) {
  TestTask<stream::Collect<ThrowsOnce>> t(stream::collect(ThrowsOnce{}));
  EXPECT_THROW((void)t.poll(), std::runtime_error);
  EXPECT_EQ(t.future().state(), stream::Collect<ThrowsOnce>::State::Poisoned);
  EXPECT_NE(t.describe().find("stream::Collect [state: Poisoned]"), std::string::npos) << t.describe();
  EXPECT_CONTRACT_ERROR((void)t.poll(), "stream::Collect polled again after its poll threw");
}

TEST(StreamCollect, PoisonedWhenAnItemMoveThrows) {
  using pollen::test::Bomb;
  int points = pollen::test::throw_at_every_move(
      [](pollen::test::ProbeCounts& c) { return stream::collect(stream::iter(bombs(c, 3))); },
      [](std::vector<Bomb> all) {
        ASSERT_EQ(all.size(), 3u);
        for (int i = 0; i < 3; ++i) EXPECT_EQ(all[static_cast<std::size_t>(i)].value(), i);
      },
      pollen::test::Poisoning::KeepsItsSource);
  EXPECT_GE(points, 6);
}

TEST(StreamFold, PoisonedWhenAnItemOrTheAccumulatorMoveThrows) {
  using pollen::test::Bomb;
  int points = pollen::test::throw_at_every_move(
      [](pollen::test::ProbeCounts& c) {
        pollen::test::ProbeCounts* pc = &c;
        return stream::fold(stream::iter(bombs(c, 3)), Bomb(c, 0),
                            [pc](Bomb acc, Bomb x) { return Bomb(*pc, acc.value() + x.value()); });
      },
      [](Bomb sum) { EXPECT_EQ(sum.value(), 3); }, pollen::test::Poisoning::KeepsItsSource);
  EXPECT_GE(points, 9);
}

TEST(StreamForEach, PoisonedWhenAnItemMoveThrows) {
  using pollen::test::Bomb;
  int points = pollen::test::throw_at_every_move(
      [](pollen::test::ProbeCounts& c) {
        return stream::for_each(stream::iter(bombs(c, 3)), [](Bomb) {});
      },
      [](pollen::Unit) {}, pollen::test::Poisoning::KeepsItsSource);
  EXPECT_GE(points, 6);
}
#endif
