// PollObserver: per-node poll counts and spurious polls, kept outside the
// futures. Every test counts; none measures time.
#include <pollen/core/poll_observer.hpp>
#include <pollen/core/block_on.hpp>
#include <pollen/core/context.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/never.hpp>
#include <pollen/core/poll_fn.hpp>
#include <pollen/core/ready.hpp>
#include <pollen/future.hpp>

#include "../future/helpers.hpp"
#include "alloc_counter.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

using pollen::PollObserver;
using pollen::PollStats;
using pollen::test::manual;
using pollen::test::test_task;

namespace {

using u64 = std::uint64_t;
struct Inc {
  u64 operator()(u64 x) const { return x + 1; }
};
struct Sum {
  pollen::Ready<int> operator()(std::tuple<int, int> t) const {
    return pollen::ready(std::get<0>(t) + std::get<1>(t));
  }
};
struct Twice {
  int operator()(int x) const { return 2 * x; }
};

// The statistics of node `f` (of its static type) in `obs`.
template <class F>
PollStats stats_of(const PollObserver& obs, const F& f) {
  const PollStats* s = obs.find(&f, pollen::detail::type_key<F>());
  return s != nullptr ? *s : PollStats();
}

// Pending `n` times without ever waking, then Ready(7): a future that
// relies on someone else to wake its task.
struct SilentCountdown {
  int left;
  pollen::Poll<int> operator()(pollen::Context&) {
    if (left == 0) return 7;
    --left;
    return pollen::pending;
  }
};
// Pending `n` times, waking its task each time (the protocol's yield).
struct WakingCountdown {
  int left;
  pollen::Poll<int> operator()(pollen::Context& cx) {
    if (left == 0) return 7;
    --left;
    cx.waker().wake();
    return pollen::pending;
  }
};

}  // namespace

// ---------------------------------------------------------------------------
// Zero cost when off

// The futures carry nothing for the observer: these are the sizes of the
// combinators before it existed, as upper bounds (the machine base has made
// some smaller since; test/future/sizes_test.cpp has the exact figures).
using A = pollen::Ready<u64>;
static_assert(std::is_empty<pollen::Never<int>>::value, "Never stays an empty class");
static_assert(sizeof(A) == sizeof(pollen::Option<u64>), "Ready is its Option");
#if UINTPTR_MAX == 0xFFFFFFFFFFFFFFFFu
static_assert(sizeof(A) == 16, "Ready<u64>: unchanged");
static_assert(sizeof(pollen::Map<A, Inc>) <= 24, "Map: no bigger");
static_assert(sizeof(pollen::Fuse<A>) <= 24, "Fuse: no bigger");
static_assert(sizeof(pollen::MaybeDone<A>) <= 24, "MaybeDone: no bigger");
static_assert(sizeof(pollen::Join<A, A>) <= 64, "Join: no bigger");
static_assert(sizeof(pollen::Select<false, A, A>) <= 40, "Select: no bigger");
static_assert(sizeof(pollen::BoxFuture<u64>) == sizeof(void*), "BoxFuture: one pointer");
// The observer lives in the Context: three pointers (waker, budget, observer).
static_assert(sizeof(pollen::Context) == 3 * sizeof(void*), "Context: three pointers");
#endif

TEST(PollObserverOff, PollingAComposedTreeAllocatesNothing) {
  auto m = manual<int>();
  auto f = pollen::map(pollen::then(pollen::map(std::move(m.second), Twice{}),
                                    [](int x) { return pollen::ready(x + 1); }),
                       Twice{});
  auto t = test_task(std::move(f));
  EXPECT_PENDING(t);  // the manual future clones the waker once, here
  pollen::test::AllocCounter allocs;
  for (int i = 0; i < 10; ++i) EXPECT_PENDING(t);
  m.first->set(5);
  EXPECT_READY_EQ(t, 22);
  EXPECT_EQ(allocs.allocations(), 0u);
}

TEST(PollObserverOff, AContextHasNoObserverByDefaultAndChildrenInheritIt) {
  pollen::Waker w;
  pollen::Context plain(w);
  EXPECT_EQ(plain.observer(), nullptr);
  PollObserver obs;
  pollen::Budget budget{5};
  pollen::Context cx(w, &budget, &obs);
  pollen::Waker child_w;
  pollen::Context child(child_w, cx);
  EXPECT_EQ(child.observer(), &obs);
  EXPECT_EQ(child.budget(), &budget);
  EXPECT_EQ(plain.with_observer(&obs).observer(), &obs);
  EXPECT_EQ(cx.with_observer(nullptr).observer(), nullptr);
  EXPECT_EQ(cx.with_observer(nullptr).budget(), &budget);
  EXPECT_EQ(pollen::Context(w, obs).observer(), &obs);
}

// ---------------------------------------------------------------------------
// Counting

TEST(PollObserver, CountsEveryNodeOfAThenMapJoinTreeDrivenByHand) {
  auto a = manual<int>();
  auto b = manual<int>();
  // Map [ Then [ Join [ Manual a, Manual b ] -> Ready ] ]
  auto f = pollen::map(pollen::then(pollen::join(std::move(a.second), std::move(b.second)), Sum{}),
                       Twice{});
  auto t = test_task(std::move(f));
  PollObserver obs;
  t.watch(&obs);

  EXPECT_PENDING(t);  // every node once
  pollen::DescribeNode n = pollen::describe_tree(t.future(), &obs);
  ASSERT_TRUE(n.observed);
  EXPECT_EQ(n.name, "Map");
  EXPECT_EQ(n.polls, 1u);
  const pollen::DescribeNode& then = n.children.at(0);
  EXPECT_EQ(then.name, "Then");
  EXPECT_EQ(then.polls, 1u);
  const pollen::DescribeNode& join = then.children.at(0);
  EXPECT_EQ(join.name, "Join");
  EXPECT_EQ(join.polls, 1u);
  EXPECT_EQ(join.children.at(0).name, "Manual");
  EXPECT_EQ(join.children.at(0).polls, 1u);
  EXPECT_EQ(join.children.at(1).polls, 1u);
  // Map, Then, Join and two MaybeDones; Manual (a test future) records
  // nothing itself, its node shows what its MaybeDone counted.
  EXPECT_EQ(obs.total_polls(), 5u);

  a.first->set(1);  // wakes child 0 only
  EXPECT_PENDING(t);
  n = pollen::describe_tree(t.future(), &obs);
  EXPECT_EQ(n.polls, 2u);
  EXPECT_EQ(n.children[0].children[0].polls, 2u);                 // Join
  EXPECT_EQ(n.children[0].children[0].children[0].name, "MaybeDone");  // a is done
  EXPECT_EQ(n.children[0].children[0].children[1].polls, 1u);     // b not woken, not polled
  EXPECT_EQ(a.first->polls, 2);
  EXPECT_EQ(b.first->polls, 1);
  EXPECT_EQ(obs.total_spurious(), 0u);

  b.first->set(2);
  EXPECT_READY_EQ(t, 6);
  EXPECT_EQ(stats_of(obs, t.future()).polls, 3u);
  EXPECT_EQ(obs.total_spurious(), 0u);
  EXPECT_EQ(obs.task_polls(), 3u);
}

TEST(PollObserver, RendersSizesPollsAndTheSpuriousMarker) {
  auto a = manual<int>();
  auto b = manual<int>();
  auto f = pollen::then(pollen::join(std::move(a.second), std::move(b.second)), Sum{});
  auto t = test_task(std::move(f));
  PollObserver obs;
  t.watch(&obs);
  EXPECT_PENDING(t);
  EXPECT_PENDING(t);  // nobody woke the task: spurious for every node polled
  using J = decltype(pollen::join(std::move(a.second), std::move(b.second)));
  const std::string then_size = std::to_string(sizeof(t.future()));
  const std::string join_size = std::to_string(sizeof(J));
  const std::string manual_size = std::to_string(sizeof(pollen::test::Manual<int>));
  // The join polls no child when none was woken: the children saw one poll.
  EXPECT_EQ(t.describe_stats(),
            "Then [state: First] " + then_size + " B, 2 polls, 1 spurious (!)\n"
            "\u2514\u2500 Join [0 of 2 ready] " + join_size + " B, 2 polls, 1 spurious (!)\n"
            "   \u251c\u2500 Manual [unset] " + manual_size + " B, 1 poll\n"
            "   \u2514\u2500 Manual [unset] " + manual_size + " B, 1 poll\n")
      << t.describe_stats();
  pollen::RenderOptions line;
  line.one_line = true;
  EXPECT_EQ(pollen::render(pollen::describe_tree(t.future(), &obs), line),
            "Then[state: First]@2!1(Join[0 of 2 ready]@2!1(Manual[unset]@1, Manual[unset]@1))");
}

// ---------------------------------------------------------------------------
// Spurious polls

TEST(PollObserver, ABusyPollLoopMarksEveryPollAfterTheFirstPendingAsSpurious) {
  auto f = pollen::poll_fn(SilentCountdown{4});
  PollObserver obs;
  pollen::test::CountingWaker w;
  pollen::Context cx(w.waker(), obs);
  int polls = 0;
  for (;;) {  // the desugaring guide's naive executor: poll, poll, poll
    obs.begin_task_poll(w.wakes());
    ++polls;
    if (f.poll(cx).is_ready()) break;
  }
  EXPECT_EQ(polls, 5);
  EXPECT_EQ(stats_of(obs, f).polls, 5u);
  EXPECT_EQ(stats_of(obs, f).spurious, 4u);  // all but the first
  EXPECT_EQ(obs.total_spurious(), 4u);
  EXPECT_NE(pollen::describe(f, obs).find("5 polls, 4 spurious (!)"), std::string::npos)
      << pollen::describe(f, obs);
}

TEST(PollObserver, PollsAfterAWakeAreNotSpurious) {
  // The future wakes itself before each Pending: the yield of the protocol.
  auto f = pollen::poll_fn(WakingCountdown{4});
  PollObserver obs;
  pollen::test::CountingWaker w;
  pollen::Context cx(w.waker(), obs);
  for (;;) {
    obs.begin_task_poll(w.wakes());
    if (f.poll(cx).is_ready()) break;
  }
  EXPECT_EQ(stats_of(obs, f).polls, 5u);
  EXPECT_EQ(stats_of(obs, f).spurious, 0u);

  // Someone else wakes it between polls: not spurious either.
  auto g = pollen::poll_fn(SilentCountdown{4});
  auto t = test_task(std::move(g));
  t.watch(&obs);
  EXPECT_PENDING(t);
  t.waker().wake();
  EXPECT_PENDING(t);
  t.waker().wake();
  EXPECT_PENDING(t);
  EXPECT_PENDING(t);  // ... except this one
  t.waker().wake();
  EXPECT_READY_EQ(t, 7);
  EXPECT_EQ(stats_of(obs, t.future()).polls, 5u);
  EXPECT_EQ(stats_of(obs, t.future()).spurious, 1u);
}

TEST(PollObserver, AWakeDuringThePreviousPollCounts) {
  // Woken while it was being polled (a budget, a yield): the next poll is
  // not spurious, because the wake came after that poll began.
  auto f = pollen::poll_fn(WakingCountdown{1});
  auto t = test_task(std::move(f));
  PollObserver obs;
  t.watch(&obs);
  EXPECT_PENDING(t);
  EXPECT_TRUE(t.is_woken());
  EXPECT_READY_EQ(t, 7);
  EXPECT_EQ(obs.total_spurious(), 0u);
}

TEST(PollObserver, RepollsWithinOneTaskPollAreNeverSpurious) {
  // A combinator polling a child twice in one task poll (a stream loop, a
  // rebuilt loop body) is not an executor polling for nothing.
  PollObserver obs;
  int node = 0;
  const void* key = pollen::detail::type_key<int>();
  obs.begin_task_poll(0);
  obs.on_poll(&node, key);
  obs.on_poll(&node, key);
  obs.on_poll(&node, key);
  EXPECT_EQ(obs.find(&node, key)->polls, 3u);
  EXPECT_EQ(obs.find(&node, key)->spurious, 0u);
  obs.begin_task_poll(0);  // no wake since
  obs.on_poll(&node, key);
  EXPECT_EQ(obs.find(&node, key)->spurious, 1u);
}

TEST(PollObserver, WithoutTaskPollsNothingIsSpurious) {
  PollObserver obs;
  pollen::Waker w;
  pollen::Context cx(w, obs);
  auto f = pollen::poll_fn(SilentCountdown{3});
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(f.poll(cx).is_pending());
  EXPECT_EQ(stats_of(obs, f).polls, 3u);
  EXPECT_EQ(obs.total_spurious(), 0u);
}

// ---------------------------------------------------------------------------
// Keys, forgetting

TEST(PollObserver, NodesAtTheSameAddressOfDifferentTypesAreSeparate) {
  // A wrapper and its first member share an address.
  struct Outer {
    pollen::Never<int> inner;
  } outer;
  ASSERT_EQ(static_cast<const void*>(&outer), static_cast<const void*>(&outer.inner));
  PollObserver obs;
  obs.on_poll(&outer, pollen::detail::type_key<Outer>());
  obs.on_poll(&outer.inner, pollen::detail::type_key<pollen::Never<int>>());
  obs.on_poll(&outer.inner, pollen::detail::type_key<pollen::Never<int>>());
  EXPECT_EQ(obs.tracked_nodes(), 2u);
  EXPECT_EQ(stats_of(obs, outer).polls, 1u);
  EXPECT_EQ(stats_of(obs, outer.inner).polls, 2u);
  EXPECT_NE(pollen::detail::type_key<Outer>(), pollen::detail::type_key<pollen::Never<int>>());

  // The same through real futures: a Fuse and the Never inside it.
  auto f = pollen::fuse(pollen::never<int>());
  pollen::Waker w;
  pollen::Context cx(w, obs);
  EXPECT_TRUE(f.poll(cx).is_pending());
  EXPECT_EQ(stats_of(obs, f).polls, 1u);
  pollen::DescribeNode n = pollen::describe_tree(f, &obs);
  ASSERT_EQ(n.children.size(), 1u);
  EXPECT_EQ(n.children[0].name, "Never");
  EXPECT_EQ(n.children[0].polls, 1u);
  EXPECT_EQ(obs.total_polls(), 5u);
}

TEST(PollObserver, ForgetRangeDropsExactlyTheNodesInTheRange) {
  int nodes[4] = {};
  const void* key = pollen::detail::type_key<int>();
  const void* other_key = pollen::detail::type_key<long>();
  PollObserver obs;
  for (int& n : nodes) obs.on_poll(&n, key);
  obs.on_poll(&nodes[1], other_key);
  EXPECT_EQ(obs.tracked_nodes(), 5u);
  obs.forget_range(&nodes[1], 2 * sizeof(int));  // nodes[1] (both types), nodes[2]
  EXPECT_EQ(obs.tracked_nodes(), 2u);
  EXPECT_NE(obs.find(&nodes[0], key), nullptr);
  EXPECT_EQ(obs.find(&nodes[1], key), nullptr);
  EXPECT_EQ(obs.find(&nodes[1], other_key), nullptr);
  EXPECT_EQ(obs.find(&nodes[2], key), nullptr);
  EXPECT_NE(obs.find(&nodes[3], key), nullptr);  // the end is excluded
  obs.forget_range(&nodes[0], 0);
  EXPECT_EQ(obs.tracked_nodes(), 2u);
  EXPECT_EQ(obs.total_polls(), 5u);  // totals stay

  // A node polled again after being forgotten starts over.
  obs.begin_task_poll(0);
  obs.on_poll(&nodes[1], key);
  obs.begin_task_poll(0);
  obs.on_poll(&nodes[1], key);
  EXPECT_EQ(obs.find(&nodes[1], key)->polls, 2u);

  obs.clear();
  EXPECT_EQ(obs.tracked_nodes(), 0u);
  EXPECT_EQ(obs.total_polls(), 0u);
  EXPECT_EQ(obs.total_spurious(), 0u);
  EXPECT_EQ(obs.task_polls(), 0u);
  EXPECT_EQ(obs.find(&nodes[0], key), nullptr);
}

TEST(PollObserver, ANodeNeverPolledShowsZeroPolls) {
  auto f = pollen::map(pollen::ready(u64{1}), Inc{});
  PollObserver obs;
  EXPECT_EQ(pollen::describe(f, obs),
            "Map [state: Incomplete] " + std::to_string(sizeof(f)) + " B, 0 polls\n" +
                "\u2514\u2500 Ready [value waiting] " + std::to_string(sizeof(A)) + " B, 0 polls\n");
}

TEST(PollObserver, BlockOnRecordsThePollsOfItsFuture) {
  PollObserver obs;
  int v = pollen::block_on(pollen::map(pollen::poll_fn(WakingCountdown{3}), Twice{}), obs);
  EXPECT_EQ(v, 14);
  EXPECT_EQ(obs.task_polls(), 4u);
  EXPECT_EQ(obs.total_polls(), 8u);  // Map and PollFn, 4 times each
  EXPECT_EQ(obs.total_spurious(), 0u);  // block_on polls only when woken
}
