// Size and allocation guarantees of composed futures: static_asserts of the
// size bounds, a printed table next to hand-written state machines, and a
// counting operator new proving that composing and polling never allocate.
#include <pollen/future.hpp>
#include <pollen/core/never.hpp>
#include <pollen/core/ready.hpp>

#include "adapters.hpp"
#include "alloc_counter.hpp"
#include "test_task.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <tuple>

namespace {

using u64 = std::uint64_t;
constexpr std::size_t kSlack = alignof(std::max_align_t);
constexpr std::size_t max2(std::size_t a, std::size_t b) { return a > b ? a : b; }

struct Inc {
  u64 operator()(u64 x) const { return x + 1; }
};
struct ThenInc {
  pollen::Ready<u64> operator()(u64 x) const { return pollen::ready(x + 1); }
};

// Chain<N>::map(f): N map steps on f; ::then: N then steps; ::mixed:
// alternating then and map.
template <int N>
struct Chain {
  template <class F>
  static auto map(F f) {
    return Chain<N - 1>::map(pollen::map(std::move(f), Inc{}));
  }
  template <class F>
  static auto then(F f) {
    return Chain<N - 1>::then(pollen::then(std::move(f), ThenInc{}));
  }
};
template <>
struct Chain<0> {
  template <class F>
  static F map(F f) {
    return f;
  }
  template <class F>
  static F then(F f) {
    return f;
  }
};

// The bounds, for a few shapes.
using A = pollen::Ready<u64>;
using B = pollen::Ready<std::tuple<u64, u64, u64, u64>>;
static_assert(sizeof(pollen::Then<A, pollen::Ready<B>(*)(u64)>) <= max2(sizeof(A), sizeof(B)) + sizeof(void*) + kSlack,
              "Then with a function pointer: the larger state plus the pointer and a tag");
struct AtoB {
  B operator()(u64) const { return B(std::tuple<u64, u64, u64, u64>{}); }
};
static_assert(sizeof(pollen::Then<A, AtoB>) <= max2(sizeof(A), sizeof(B)) + kSlack,
              "sizeof(Then<A, F, B>) <= max(sizeof(A), sizeof(B)) + alignof(max_align_t)");
static_assert(sizeof(pollen::Map<A, Inc>) <= sizeof(A) + kSlack, "Map: the child plus a tag");
static_assert(sizeof(pollen::Join<A, B>) <=
                  sizeof(pollen::MaybeDone<A>) + sizeof(pollen::MaybeDone<B>) + sizeof(void*) + kSlack,
              "Join: its MaybeDones, the wake-block pointer, flags and a tag");
static_assert(sizeof(pollen::Select<false, A, B>) <= sizeof(A) + sizeof(B) + kSlack,
              "Select: its children plus a tag");
static_assert(sizeof(pollen::Fuse<A>) <= sizeof(A) + kSlack, "Fuse: the child plus a tag");

// Hand-written equivalents: what a person would write as one struct with a
// state enum and a switch.
struct HandReadyJoin {  // join(ready, ready)
  u64 a, b;
  unsigned char state;
};
struct HandChain {  // any chain of steps over a u64: the value and a step counter
  u64 value;
  unsigned short step;
};
struct HandSelect {  // select(ready, never)
  u64 value;
  unsigned char state;
};

void row(const char* what, std::size_t pollen_size, std::size_t hand_size) {
  std::printf("  %-34s %6zu %12zu\n", what, pollen_size, hand_size);
}

}  // namespace

TEST(Sizes, PrintsTheTableOfComposedFuturesNextToHandWrittenMachines) {
  using Join2 = decltype(pollen::join(pollen::ready(u64{1}), pollen::ready(u64{2})));
  using Then10 = decltype(Chain<10>::then(pollen::ready(u64{0})));
  using Map10 = decltype(Chain<10>::map(pollen::ready(u64{0})));
  using Map100 = decltype(Chain<100>::map(pollen::ready(u64{0})));
  using Select2 = decltype(pollen::select(pollen::ready(u64{0}), pollen::never<u64>()));
  auto loop = pollen::loop_fn(u64{0}, [](u64 i) {
    return pollen::ready(pollen::Loop<u64, u64>(pollen::loop_break(i)));
  });
  using Loop1 = decltype(loop);
  std::printf("  %-34s %6s %12s\n", "future", "pollen", "hand-written");
  row("ready(u64)", sizeof(pollen::Ready<u64>), sizeof(HandSelect));
  row("join(ready, ready)", sizeof(Join2), sizeof(HandReadyJoin));
  row("10-step then chain on ready(u64)", sizeof(Then10), sizeof(HandChain));
  row("10-step map chain on ready(u64)", sizeof(Map10), sizeof(HandChain));
  row("100-step map chain on ready(u64)", sizeof(Map100), sizeof(HandChain));
  row("select(ready, never)", sizeof(Select2), sizeof(HandSelect));
  row("loop_fn(u64, ready step)", sizeof(Loop1), sizeof(HandChain));
  row("fuse(ready(u64))", sizeof(pollen::Fuse<pollen::Ready<u64>>), sizeof(HandSelect));
  row("BoxFuture<u64>", sizeof(pollen::BoxFuture<u64>), sizeof(void*));
  // Each step adds its tag, padded to the alignment of what it holds, and
  // (for a stateless fn of the same type as the step below it) one more
  // aligned slot: two empty objects of one type may not share an address, so
  // the empty-base optimization cannot apply at every level. Rust's niche
  // optimization does better here (see docs/design.md).
  EXPECT_LE(sizeof(Then10), sizeof(A) + 10 * 2 * alignof(u64));
  EXPECT_LE(sizeof(Map100), sizeof(A) + 100 * 2 * alignof(u64));
}

TEST(Allocations, BuildingAndPollingA100StepChainAllocatesNothing) {
  pollen::test::CountingWaker waker;  // its own allocation happens here
  pollen::test::AllocCounter allocs;
  auto chain = Chain<50>::map(Chain<50>::then(pollen::test::pending_once(pollen::ready(u64{0}))));
  pollen::Context cx(waker.waker());
  EXPECT_TRUE(chain.poll(cx).is_pending());
  auto p = chain.poll(cx);
  ASSERT_TRUE(p.is_ready());
  EXPECT_EQ(p.value(), 100u);
  EXPECT_EQ(allocs.allocations(), 0u);
  std::printf("  100-step chain: %zu allocations, %zu bytes\n", allocs.allocations(), allocs.bytes());
}

TEST(Allocations, ATenWayJoinAndATenWaySelectAllocateNothing) {
  pollen::test::CountingWaker waker;
  pollen::test::AllocCounter allocs;
  auto po = [](int v) { return pollen::test::pending_once(pollen::ready(v)); };
  auto j = pollen::join(po(0), po(1), po(2), po(3), po(4), po(5), po(6), po(7), po(8), po(9));
  auto s = pollen::select(pollen::never<int>(), pollen::never<int>(), pollen::never<int>(),
                          pollen::never<int>(), pollen::never<int>(), pollen::never<int>(),
                          pollen::never<int>(), pollen::never<int>(), pollen::never<int>(), po(9));
  pollen::Context cx(waker.waker());
  EXPECT_TRUE(j.poll(cx).is_pending());
  EXPECT_TRUE(s.poll(cx).is_pending());
  auto jr = j.poll(cx);
  auto sr = s.poll(cx);
  ASSERT_TRUE(jr.is_ready());
  ASSERT_TRUE(sr.is_ready());
  EXPECT_EQ(std::get<9>(jr.value()), 9);
  EXPECT_EQ(sr.value().index(), 9u);
  EXPECT_EQ(allocs.allocations(), 0u);
  std::printf("  10-way join + 10-way select: %zu allocations\n", allocs.allocations());
}

TEST(DeepChains, A256StepThenChainCompilesStaysSmallAndPollsOnce) {
  auto chain = Chain<256>::then(pollen::ready(u64{0}));
  EXPECT_LE(sizeof(chain), sizeof(A) + 256 * 2 * alignof(u64));
  auto t = pollen::test::test_task(std::move(chain));
  EXPECT_READY_EQ(t, 256u);
}
