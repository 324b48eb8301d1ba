// stream::then, unfold, zip, chain, skip, take_while, chunks, flatten.
#include <pollen/core/block_on.hpp>
#include <pollen/core/cancel_safe.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/ready.hpp>
#include <pollen/future/map.hpp>
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

namespace stream = pollen::stream;
using pollen::Option;
using pollen::Poll;

namespace {
std::vector<int> upto(int n) {
  std::vector<int> v;
  for (int i = 0; i < n; ++i) v.push_back(i);
  return v;
}

// A future that is Pending (and wakes itself) `pendings` times, then Ready
// with `value`; counts the futures alive in `*live`.
class Slow {
 public:
  using Output = int;
  Slow(int value, int pendings, int* live, int* max_live)
      : value_(value), left_(pendings), live_(live), max_live_(max_live) {
    if (++*live_ > *max_live_) *max_live_ = *live_;
  }
  Slow(Slow&& o) noexcept
      : value_(o.value_), left_(o.left_), live_(o.live_), max_live_(o.max_live_) {
    o.live_ = nullptr;
  }
  Slow& operator=(Slow&&) = delete;
  ~Slow() {
    if (live_ != nullptr) --*live_;
  }
  Poll<int> poll(pollen::Context& cx) {
#if POLLEN_HAS_EXCEPTIONS
    if (value_ < 0) throw std::runtime_error("future threw");
#endif
    if (left_ == 0) return Poll<int>(value_);
    --left_;
    cx.waker().wake();
    return pollen::pending;
  }

 private:
  int value_, left_;
  int* live_;
  int* max_live_;
};

// A stream that is Pending (and wakes itself) before every item; counts its
// polls.
struct Stutter {
  using Item = int;
  int n = 0;
  int end = 3;
  int* polls = nullptr;
  bool yielded = false;
  Poll<Option<int>> poll_next(pollen::Context& cx) {
    if (polls != nullptr) ++*polls;
    if (n == end) return Option<int>();
    yielded = !yielded;
    if (yielded) {
      cx.waker().wake();
      return pollen::pending;
    }
    return Option<int>(n++);
  }
};

// Always ready: 0, 1, 2, ... up to `end`; spends no budget; counts its polls.
struct Counting {
  using Item = int;
  int* polls;
  int end;
  int next = 0;
  Poll<Option<int>> poll_next(pollen::Context&) {
    ++*polls;
    if (next == end) return Option<int>();
    return Option<int>(next++);
  }
};

template <class S>
Poll<Option<pollen::item_t<S>>> poll_once(S& s, pollen::test::CountingWaker& w) {
  pollen::Context cx(w.waker());
  return s.poll_next(cx);
}
}  // namespace

// ------------------------------------------------------------------- then

TEST(StreamThen, RunsOneFutureAtATimeInOrder) {
  int live = 0, max_live = 0;
  auto s = stream::then(stream::iter(upto(5)),
                        [&](int x) { return Slow(x * 10, 2, &live, &max_live); });
  EXPECT_EQ(pollen::block_on(stream::collect(std::move(s))), (std::vector<int>{0, 10, 20, 30, 40}));
  EXPECT_EQ(max_live, 1);
  EXPECT_EQ(live, 0);
}

TEST(StreamThen, KeepsTheFutureInFlightAcrossPendingPolls) {
  int live = 0, max_live = 0;
  auto s = stream::then(stream::iter(upto(2)), [&](int x) { return Slow(x, 1, &live, &max_live); });
  pollen::test::CountingWaker w;
  EXPECT_TRUE(poll_once(s, w).is_pending());
  EXPECT_EQ(s.state(), decltype(s)::State::Running);
  EXPECT_NE(pollen::describe(s).find("stream::Then [state: Running]"), std::string::npos)
      << pollen::describe(s);
  EXPECT_EQ(w.wakes(), 1u);
  EXPECT_EQ(poll_once(s, w), Poll<Option<int>>(Option<int>(0)));
  EXPECT_EQ(live, 0);  // destroyed once Ready
  EXPECT_TRUE(poll_once(s, w).is_pending());
  EXPECT_EQ(poll_once(s, w), Poll<Option<int>>(Option<int>(1)));
  EXPECT_FALSE(poll_once(s, w).value().has_value());
  EXPECT_FALSE(poll_once(s, w).value().has_value());  // fused
  EXPECT_TRUE((pollen::is_cancel_safe<decltype(s)>::value));
}

#if POLLEN_HAS_EXCEPTIONS
TEST(StreamThen, AThrowingFuturePoisonsIt) {
  int live = 0, max_live = 0;
  auto s = stream::then(stream::iter(upto(3)),
                        [&](int x) { return Slow(x == 1 ? -1 : x, 0, &live, &max_live); });
  pollen::test::CountingWaker w;
  EXPECT_EQ(poll_once(s, w), Poll<Option<int>>(Option<int>(0)));
  EXPECT_THROW((void)poll_once(s, w), std::runtime_error);
  EXPECT_EQ(s.state(), decltype(s)::State::Poisoned);
  EXPECT_EQ(live, 0);
  EXPECT_CONTRACT_ERROR((void)poll_once(s, w), "stream::Then polled again after its poll threw");
}
#endif

// ----------------------------------------------------------------- unfold

namespace {
struct Countdown {
  int* calls;
  pollen::Ready<Option<std::pair<int, int>>> operator()(int n) const {
    ++*calls;
    using Step = Option<std::pair<int, int>>;
    return pollen::ready(n == 0 ? Step() : Step(std::make_pair(n, n - 1)));
  }
};
}  // namespace

TEST(StreamUnfold, YieldsEachStepAndEndsOnNone) {
  int calls = 0;
  auto s = stream::unfold(3, Countdown{&calls});
  EXPECT_EQ(calls, 0);  // lazy: nothing runs before the first poll
  EXPECT_EQ(pollen::block_on(stream::collect(std::move(s))), (std::vector<int>{3, 2, 1}));
  EXPECT_EQ(calls, 4);
}

TEST(StreamUnfold, CallsFnOncePerItemAndKeepsItsFutureWhilePending) {
  int calls = 0, live = 0, max_live = 0;
  auto s = stream::unfold(std::string("ab"), [&](std::string st) {
    ++calls;
    using Step = Option<std::pair<int, std::string>>;
    Step step = st.empty() ? Step() : Step(std::make_pair(static_cast<int>(st.size()), st.substr(1)));
    return pollen::map(Slow(0, 1, &live, &max_live), [step](int) mutable { return std::move(step); });
  });
  pollen::test::CountingWaker w;
  EXPECT_TRUE(poll_once(s, w).is_pending());
  EXPECT_EQ(s.state(), decltype(s)::State::Running);
  EXPECT_EQ(poll_once(s, w), Poll<Option<int>>(Option<int>(2)));  // the same future, polled again
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(s.state(), decltype(s)::State::Idle);
  EXPECT_TRUE(poll_once(s, w).is_pending());
  EXPECT_EQ(poll_once(s, w), Poll<Option<int>>(Option<int>(1)));
  EXPECT_TRUE(poll_once(s, w).is_pending());
  EXPECT_FALSE(poll_once(s, w).value().has_value());
  EXPECT_FALSE(poll_once(s, w).value().has_value());
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(live, 0);
}

#if POLLEN_HAS_EXCEPTIONS
TEST(StreamUnfold, AThrowingFnPoisonsIt) {
  auto s = stream::unfold(1, [](int n) {
    if (n == 0) throw std::runtime_error("fn threw");
    return pollen::ready(Option<std::pair<int, int>>(std::make_pair(n, n - 1)));
  });
  pollen::test::CountingWaker w;
  EXPECT_EQ(poll_once(s, w), Poll<Option<int>>(Option<int>(1)));
  EXPECT_THROW((void)poll_once(s, w), std::runtime_error);
  EXPECT_EQ(s.state(), decltype(s)::State::Poisoned);
  EXPECT_NE(pollen::describe(s).find("stream::Unfold [state: Poisoned]"), std::string::npos);
  EXPECT_CONTRACT_ERROR((void)poll_once(s, w), "stream::Unfold polled again after its poll threw");
}
#endif

// -------------------------------------------------------------------- zip

TEST(StreamZip, PairsItemsAndEndsWithTheShorterSide) {
  auto s = stream::zip(stream::iter(upto(3)), stream::iter(std::vector<std::string>{"a", "b", "c", "d"}));
  std::vector<std::pair<int, std::string>> want = {{0, "a"}, {1, "b"}, {2, "c"}};
  EXPECT_EQ(pollen::block_on(stream::collect(std::move(s))), want);
}

TEST(StreamZip, KeepsTheReadySidesItemWhileTheOtherIsPendingAndDestroysItAtTheEnd) {
  pollen::test::ProbeCounts c;
  auto ch = pollen::unbounded_channel<pollen::test::Probe<int>>();
  ASSERT_TRUE(ch.first.send(pollen::test::Probe<int>(c, 7)).is_sent());
  ASSERT_TRUE(ch.first.send(pollen::test::Probe<int>(c, 8)).is_sent());
  int polls = 0;
  auto s = stream::zip(std::move(ch.second), Stutter{0, 1, &polls});
  pollen::test::CountingWaker w;
  EXPECT_TRUE(poll_once(s, w).is_pending());  // 7 is kept, the Stutter is Pending
  EXPECT_NE(pollen::describe(s).find("a's item kept"), std::string::npos) << pollen::describe(s);
  auto p = poll_once(s, w);  // 7 is not taken again from the channel
  ASSERT_TRUE(p.is_ready());
  EXPECT_EQ(p.value()->first.value(), 7);
  EXPECT_EQ(p.value()->second, 0);
  EXPECT_TRUE(poll_once(s, w).value() == pollen::none);  // 8 taken, Stutter ended: 8 destroyed
  EXPECT_EQ(c.live_destroyed, 1);
  EXPECT_FALSE(poll_once(s, w).value().has_value());
  const int before = polls;
  EXPECT_FALSE(poll_once(s, w).value().has_value());
  EXPECT_EQ(polls, before);  // fused: no side polled
}

// ------------------------------------------------------------------ chain

TEST(StreamChain, YieldsTheFirstThenTheSecondAndPollsTheSecondOnlyAfter) {
  int polls = 0;
  auto s = stream::chain(Stutter{0, 2}, Counting{&polls, 2});
  pollen::test::CountingWaker w;
  std::vector<int> got;
  for (int i = 0; i < 4; ++i) {
    auto p = poll_once(s, w);
    if (p.is_ready()) got.push_back(*p.value());
  }
  EXPECT_EQ(got, (std::vector<int>{0, 1}));
  EXPECT_EQ(polls, 0);
  EXPECT_EQ(poll_once(s, w), Poll<Option<int>>(Option<int>(0)));  // a ended in this poll
  EXPECT_EQ(s.state(), decltype(s)::State::Second);
  EXPECT_EQ(poll_once(s, w), Poll<Option<int>>(Option<int>(1)));
  EXPECT_FALSE(poll_once(s, w).value().has_value());
  EXPECT_FALSE(poll_once(s, w).value().has_value());
  EXPECT_EQ(polls, 3);
}

// ------------------------------------------------------------------- skip

TEST(StreamSkip, DropsTheFirstNItems) {
  EXPECT_EQ(pollen::block_on(stream::collect(stream::skip(stream::iter(upto(5)), 2))),
            (std::vector<int>{2, 3, 4}));
  EXPECT_TRUE(pollen::block_on(stream::collect(stream::skip(stream::iter(upto(2)), 5))).empty());
}

TEST(StreamSkip, DropsExactlyTheBudgetInItemsPerPollAndKeepsTheCount) {
  int polls = 0;
  auto s = stream::skip(Counting{&polls, 1000}, 300);
  pollen::test::CountingWaker w;
  pollen::Budget budget{128};
  pollen::Context cx(w.waker(), budget);
  EXPECT_TRUE(s.poll_next(cx).is_pending());
  EXPECT_EQ(polls, 128);
  EXPECT_EQ(w.wakes(), 1u);
  EXPECT_EQ(s.remaining(), 172u);
  EXPECT_EQ(pollen::block_on(stream::next(s)), Option<int>(300));
}

// ------------------------------------------------------------- take_while

TEST(StreamTakeWhile, StopsAtTheFirstFailingItemAndNeverPollsFurther) {
  int polls = 0;
  auto s = stream::take_while(Counting{&polls, 100}, [](const int& x) { return x < 3; });
  EXPECT_EQ(pollen::block_on(stream::collect(std::move(s))), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(polls, 4);
}

TEST(StreamTakeWhile, IsFused) {
  int polls = 0;
  auto s = stream::take_while(Counting{&polls, 100}, [](const int& x) { return x != 1; });
  pollen::test::CountingWaker w;
  EXPECT_EQ(poll_once(s, w), Poll<Option<int>>(Option<int>(0)));
  EXPECT_FALSE(poll_once(s, w).value().has_value());
  EXPECT_FALSE(poll_once(s, w).value().has_value());
  EXPECT_EQ(polls, 2);
}

// ----------------------------------------------------------------- chunks

TEST(StreamChunks, GroupsItemsAndYieldsTheShortLastChunk) {
  auto s = stream::chunks(stream::iter(upto(7)), 3);
  std::vector<std::vector<int>> want = {{0, 1, 2}, {3, 4, 5}, {6}};
  EXPECT_EQ(pollen::block_on(stream::collect(std::move(s))), want);
  EXPECT_TRUE(pollen::block_on(stream::collect(stream::chunks(stream::iter(upto(0)), 3))).empty());
}

TEST(StreamChunks, KeepsTheItemsSoFarAcrossPendingAndDoesNotPollAfterTheEnd) {
  int polls = 0;
  auto s = stream::chunks(Stutter{0, 3, &polls}, 2);
  pollen::test::CountingWaker w;
  EXPECT_TRUE(poll_once(s, w).is_pending());
  EXPECT_TRUE(poll_once(s, w).is_pending());  // 0 gathered, then Pending
  EXPECT_EQ(s.gathered(), 1u);
  EXPECT_EQ(poll_once(s, w), Poll<Option<std::vector<int>>>(Option<std::vector<int>>(std::vector<int>{0, 1})));
  EXPECT_TRUE(poll_once(s, w).is_pending());
  EXPECT_EQ(poll_once(s, w), Poll<Option<std::vector<int>>>(Option<std::vector<int>>(std::vector<int>{2})));
  const int before = polls;
  EXPECT_FALSE(poll_once(s, w).value().has_value());
  EXPECT_EQ(polls, before);
}

TEST(StreamChunks, GathersExactlyTheBudgetInItemsPerPoll) {
  int polls = 0;
  auto s = stream::chunks(Counting{&polls, 1000}, 500);
  pollen::test::CountingWaker w;
  pollen::Budget budget{128};
  pollen::Context cx(w.waker(), budget);
  EXPECT_TRUE(s.poll_next(cx).is_pending());
  EXPECT_EQ(s.gathered(), 128u);
  EXPECT_EQ(w.wakes(), 1u);
}

TEST(StreamChunks, NZeroIsAContractError) {
  EXPECT_CONTRACT_ERROR(auto s = stream::chunks(stream::iter(upto(3)), 0); (void)s,
                        "a chunk would never fill");
}

// ---------------------------------------------------------------- flatten

TEST(StreamFlatten, YieldsEveryInnerStreamsItemsInOrder) {
  std::vector<stream::Iter<std::vector<int>>> inner;
  inner.push_back(stream::iter(std::vector<int>{1, 2}));
  inner.push_back(stream::iter(std::vector<int>{}));
  inner.push_back(stream::iter(std::vector<int>{3}));
  auto s = stream::flatten(stream::iter(std::move(inner)));
  EXPECT_EQ(pollen::block_on(stream::collect(std::move(s))), (std::vector<int>{1, 2, 3}));
}

namespace {
// An always-ready stream of `n` empty inner streams; spends no budget.
struct Empties {
  using Item = Counting;
  int* polls;
  int n;
  Poll<Option<Counting>> poll_next(pollen::Context&) {
    if (n == 0) return Option<Counting>();
    --n;
    return Option<Counting>(Counting{polls, 0});
  }
};
}  // namespace

TEST(StreamFlatten, ARunOfEmptyInnerStreamsCannotStarveTheLoop) {
  int polls = 0;
  auto s = stream::flatten(Empties{&polls, 1000});
  pollen::test::CountingWaker w;
  pollen::Budget budget{128};
  pollen::Context cx(w.waker(), budget);
  EXPECT_TRUE(s.poll_next(cx).is_pending());
  EXPECT_EQ(polls, 128);
  EXPECT_EQ(w.wakes(), 1u);
  EXPECT_EQ(s.state(), decltype(s)::State::Outer);
}

TEST(StreamFlatten, DescribeShowsTheInnerStream) {
  std::vector<stream::Iter<std::vector<int>>> inner;
  inner.push_back(stream::iter(std::vector<int>{1, 2}));
  auto s = stream::flatten(stream::iter(std::move(inner)));
  pollen::test::CountingWaker w;
  EXPECT_EQ(poll_once(s, w), Poll<Option<int>>(Option<int>(1)));
  const std::string d = pollen::describe(s);
  EXPECT_NE(d.find("stream::Flatten [state: Inner]"), std::string::npos) << d;
}

// ----------------------------------------------------- is_terminated, fuse

namespace {
// Not fused: none once, then items again; counts its polls.
struct Resurrecting {
  using Item = int;
  int* polls;
  Poll<Option<int>> poll_next(pollen::Context&) {
    ++*polls;
    if (*polls == 2) return Option<int>();
    return Option<int>(*polls);
  }
};
}  // namespace

TEST(StreamFuse, NeverPollsAStreamAgainAfterItsEnd) {
  int polls = 0;
  auto s = stream::fuse(Resurrecting{&polls});
  pollen::test::CountingWaker w;
  EXPECT_FALSE(s.is_terminated());
  EXPECT_EQ(poll_once(s, w), Poll<Option<int>>(Option<int>(1)));
  EXPECT_FALSE(poll_once(s, w).value().has_value());
  EXPECT_TRUE(s.is_terminated());
  EXPECT_FALSE(poll_once(s, w).value().has_value());
  EXPECT_EQ(polls, 2);
  EXPECT_FALSE(pollen::is_fused_stream<Resurrecting>::value);
  EXPECT_TRUE(pollen::is_fused_stream<decltype(s)>::value);
}

TEST(StreamIsTerminated, EveryCombinatorSaysWhenItHasEnded) {
  pollen::test::CountingWaker w;
  auto drain = [&w](auto& s) {
    EXPECT_FALSE(s.is_terminated());
    for (;;) {
      auto p = poll_once(s, w);
      if (p.is_ready() && !p.value().has_value()) break;
    }
    EXPECT_TRUE(s.is_terminated());
  };
  auto a = stream::map(stream::iter(upto(2)), [](int x) { return x; });
  drain(a);
  auto b = stream::chunks(stream::zip(stream::iter(upto(3)), stream::iter(upto(2))), 2);
  drain(b);
  auto c = stream::take_while(stream::skip(stream::chain(stream::iter(upto(2)), stream::iter(upto(2))), 1),
                              [](const int&) { return true; });
  drain(c);
  auto d = stream::then(stream::iter(upto(2)), [](int x) { return pollen::ready(x); });
  drain(d);
  auto e = stream::buffer_unordered(stream::map(stream::iter(upto(2)), [](int x) { return pollen::ready(x); }), 2);
  drain(e);
  EXPECT_TRUE(pollen::is_fused_stream<decltype(e)>::value);
  EXPECT_TRUE(pollen::is_fused_stream<stream::Iter<std::vector<int>>>::value);
  EXPECT_TRUE(pollen::is_fused_stream<stream::Ticks>::value);
  EXPECT_FALSE(pollen::is_fused_stream<Counting>::value);
}

TEST(StreamIsTerminated, AMovedFromStreamHasTerminatedAndAPoisonedOneHasNot) {
  auto a = stream::take(stream::iter(upto(3)), 2);
  auto b = std::move(a);
  EXPECT_TRUE(a.is_terminated());  // NOLINT: moved from on purpose
  EXPECT_FALSE(b.is_terminated());
#if POLLEN_HAS_EXCEPTIONS
  auto s = stream::unfold(0, [](int) -> pollen::Ready<Option<std::pair<int, int>>> {
    throw std::runtime_error("fn threw");
  });
  pollen::test::CountingWaker w;
  EXPECT_THROW((void)poll_once(s, w), std::runtime_error);
  EXPECT_FALSE(s.is_terminated());  // Poisoned: polling it is an error, not the end
#endif
}
