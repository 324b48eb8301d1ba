// <pollen/testing.hpp> and <pollen/testing/gtest.hpp>: the kit users test
// their own futures with. Each piece is checked against a future whose
// behaviour is known (a oneshot receiver, ready(), a stream of a vector).
#include <pollen/testing.hpp>
#include <pollen/testing/gtest.hpp>

#include <pollen/core/never.hpp>
#include <pollen/core/ready.hpp>
#include <pollen/stream/iter.hpp>
#include <pollen/sync/oneshot.hpp>
#include <pollen/time/sleep.hpp>
#include <pollen/time/timeout.hpp>

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

using namespace std::chrono;
namespace pt = pollen::testing;

namespace {

// A hand-written future, as a user would write one: Ready once `*flag` is
// set, keeping the waker of its newest poll.
struct FlagFuture {
  using Output = int;
  struct Shared {
    bool set = false;
    pollen::Waker waker;
  };
  Shared* shared;
  pollen::Poll<int> poll(pollen::Context& cx) {
    if (shared->set) return 7;
    shared->waker = cx.waker();
    return pollen::pending;
  }
};

}  // namespace

TEST(TestTask, CountsPollsAndWakesAndSaysWhetherItWasWokenSinceTheLastPoll) {
  FlagFuture::Shared shared;
  pt::TestTask<FlagFuture> t(FlagFuture{&shared});
  EXPECT_EQ(t.polls(), 0u);
  EXPECT_PENDING(t);
  EXPECT_EQ(t.polls(), 1u);
  EXPECT_FALSE(t.is_woken());
  shared.waker.wake_by_ref();
  EXPECT_TRUE(t.is_woken());
  shared.waker.wake_by_ref();
  EXPECT_EQ(t.wake_count(), 2u);
  EXPECT_PENDING(t);  // a poll resets is_woken(), not the count
  EXPECT_FALSE(t.is_woken());
  EXPECT_EQ(t.wake_count(), 2u);
  shared.set = true;
  shared.waker.wake();
  EXPECT_TRUE(t.is_woken());
  EXPECT_READY_EQ(t, 7);
  EXPECT_EQ(t.polls(), 3u);
}

TEST(TestTask, PollWithAnotherWakerShowsWhichWakerTheFutureKeeps) {
  auto ch = pollen::oneshot<int>();
  auto t = pt::test_task(std::move(ch.second));
  pt::CountingWaker other;
  EXPECT_TRUE(t.poll_with(other.waker()).is_pending());
  EXPECT_EQ(other.ref_count(), 3u);  // ours, other.waker(), the receiver's clone
  EXPECT_EQ(t.waker_ref_count(), 2u);
  ch.first.send(5);
  EXPECT_EQ(other.wakes(), 1u);  // the newest poll's waker
  EXPECT_FALSE(t.is_woken());
  auto p = t.poll();
  ASSERT_TRUE(p.is_ready());
  EXPECT_EQ(std::move(p).value().value(), 5);
}

TEST(TestTask, DrivesAStreamWithPollNext) {
  auto t = pt::test_task(pollen::stream::iter(std::vector<int>{1, 2}));
  EXPECT_NEXT_EQ(t, 1);
  EXPECT_NEXT_EQ(t, 2);
  EXPECT_STREAM_END(t);
  EXPECT_EQ(t.polls(), 3u);
}

TEST(TestTask, DescribesItsFuture) {
  auto t = pt::test_task(pt::pending_once(pollen::ready(1)));
  EXPECT_EQ(t.describe(), "PendingOnce [will yield]\n\u2514\u2500 Ready [value waiting]\n");
}

TEST(CountingWaker, CountsTheWakesOfEveryClone) {
  pt::CountingWaker w;
  pollen::Waker a = w.waker();
  pollen::Waker b = a;
  EXPECT_EQ(w.ref_count(), 4u);
  a.wake_by_ref();
  std::move(b).wake();
  EXPECT_EQ(w.wakes(), 2u);
  EXPECT_EQ(w.ref_count(), 3u);
}

TEST(PanicWaker, DoesNothingUntilWokenAndThenAbortsWithItsLabel) {
  FlagFuture::Shared shared;
  auto t = pt::test_task(FlagFuture{&shared});
  EXPECT_TRUE(t.poll_with(pt::panic_waker("flag not set")).is_pending());
  pollen::Waker kept = std::move(shared.waker);  // cloned and dropped: no wake
  EXPECT_DEATH(kept.wake_by_ref(), "pollen::testing::panic_waker \\(flag not set\\) was woken");
}

TEST(PanicWaker, NoopWakerIsPollensDefaultWaker) {
  EXPECT_TRUE(pt::noop_waker().is_noop());
  pt::noop_waker().wake();  // nothing happens
}

TEST(PendingOnce, YieldsOnceWakingItselfThenIsTheInnerFuture) {
  auto t = pt::test_task(pt::pending_once(pollen::ready(3)));
  EXPECT_PENDING(t);
  EXPECT_TRUE(t.is_woken());
  EXPECT_READY_EQ(t, 3);
}

TEST(InterleavePending, YieldsBeforeEveryRealPollOfAFuture) {
  FlagFuture::Shared shared;
  pt::DropCounter counts;
  auto t = pt::test_task(pt::interleave_pending(counts.wrap(FlagFuture{&shared})));
  EXPECT_PENDING(t);  // yield
  EXPECT_TRUE(t.is_woken());
  EXPECT_EQ(counts.polls(), 0u);
  EXPECT_PENDING(t);  // real poll: the flag is not set
  EXPECT_FALSE(t.is_woken());
  EXPECT_EQ(counts.polls(), 1u);
  shared.set = true;
  EXPECT_PENDING(t);  // yield again
  EXPECT_READY_EQ(t, 7);
  EXPECT_EQ(counts.polls(), 2u);
}

TEST(InterleavePending, YieldsBeforeEveryRealPollOfAStream) {
  auto t = pt::test_task(pt::interleave_pending(pollen::stream::iter(std::vector<int>{4, 5})));
  EXPECT_NEXT_PENDING(t);
  EXPECT_TRUE(t.is_woken());
  EXPECT_NEXT_EQ(t, 4);
  EXPECT_NEXT_PENDING(t);
  EXPECT_NEXT_EQ(t, 5);
  EXPECT_NEXT_PENDING(t);
  EXPECT_STREAM_END(t);
  EXPECT_EQ(t.describe(), "InterleavePending\n\u2514\u2500 stream::Iter [state: Ended]\n");
}

TEST(DropCounter, CountsEachTrackedValueOnceWhateverTheMoves) {
  pt::DropCounter drops;
  {
    auto a = drops.track(std::string("x"));
    auto b = std::move(a);
    auto c = std::move(b);
    EXPECT_FALSE(a.live());
    EXPECT_TRUE(c.live());
    EXPECT_EQ(c.value(), "x");
    EXPECT_EQ(drops.made(), 1u);
    EXPECT_EQ(drops.dropped(), 0u);
    auto copy = c;  // a copy is one more value
    EXPECT_EQ(drops.made(), 2u);
    EXPECT_TRUE(copy == c);
  }
  EXPECT_EQ(drops.dropped(), 2u);
  EXPECT_EQ(drops.alive(), 0u);
}

TEST(DropCounter, ShowsWhenACombinatorDestroysItsChild) {
  pt::DropCounter drops;
  pollen::TimerDriver d(pollen::ClockKind::Virtual);
  auto t = pt::test_task(pollen::timeout(d, drops.wrap(pollen::never<int>()), milliseconds(5)));
  EXPECT_PENDING(t);
  EXPECT_EQ(drops.polls(), 1u);
  d.advance(milliseconds(5));
  EXPECT_TRUE(t.is_woken());
  EXPECT_EQ(drops.dropped(), 0u);
  EXPECT_READY_EQ(t, pollen::none);
  EXPECT_EQ(drops.dropped(), 1u);  // inside the poll that timed out
  EXPECT_EQ(drops.polls(), 2u);
}

TEST(VirtualTimeLoop, RunsAOneHourTimeoutAtOnceAndMeasuresVirtualTime) {
  pt::VirtualTimeLoop vt;
  pollen::Option<int> r = vt.block_on(pollen::timeout(pollen::never<int>(), hours(1)));
  EXPECT_FALSE(r.has_value());
  EXPECT_EQ(vt.elapsed(), hours(1));
}

TEST(VirtualTimeLoop, AdvancesByHand) {
  pt::VirtualTimeLoop vt;
  auto h = vt.loop().spawn(pollen::sleep(vt.driver(), seconds(10)));
  EXPECT_TRUE(vt.run_until_stalled().has_value());
  EXPECT_EQ(vt.advance(seconds(10)), 1u);
  vt.run_until_stalled();
  EXPECT_TRUE(h.is_finished());
  EXPECT_EQ(vt.elapsed(), seconds(10));
}

TEST(GtestMacros, FailWhenThePollGivesSomethingElse) {
  EXPECT_NONFATAL_FAILURE(
      {
        auto t = pt::test_task(pollen::ready(1));
        EXPECT_PENDING(t);
      },
      "to be Pending");
  EXPECT_NONFATAL_FAILURE(
      {
        auto t = pt::test_task(pollen::never<int>());
        EXPECT_READY_EQ(t, 1);
      },
      "to be Ready, it was Pending");
  EXPECT_NONFATAL_FAILURE(
      {
        auto t = pt::test_task(pollen::ready(2));
        EXPECT_READY_EQ(t, 1);
      },
      "Which is: 2");
  EXPECT_NONFATAL_FAILURE(
      {
        auto t = pt::test_task(pollen::stream::iter(std::vector<int>{}));
        EXPECT_NEXT_EQ(t, 1);
      },
      "the stream ended");
  EXPECT_FATAL_FAILURE(
      {
        auto t = pt::test_task(pollen::ready(1));
        ASSERT_PENDING(t);
      },
      "to be Pending");
}
