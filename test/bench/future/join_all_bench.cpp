// join_all scaling: N children, each waiting on a one-shot slot, woken one at
// a time in a random order (the join_wide workload's permutation), the join polled
// after every wake. O(1) per wake means ns_per_child stays flat as N grows.
//
//   build-release/test/bench/future/future_join_all_bench
#include <pollen/future/join_all.hpp>

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <vector>

namespace {

using u64 = std::uint64_t;

struct Slot {
  bool set = false;
  u64 value = 0;
  pollen::Waker waker;
};

class Receive {
 public:
  using Output = u64;
  explicit Receive(Slot* s) : slot_(s) {}
  pollen::Poll<u64> poll(pollen::Context& cx) {
    if (slot_->set) return slot_->value;
    if (!slot_->waker.will_wake(cx.waker())) slot_->waker = cx.waker();
    return pollen::pending;
  }

 private:
  Slot* slot_;
};

std::vector<std::uint32_t> permutation(std::uint32_t n) {
  u64 s = 42;
  auto next = [&s] {
    s += 0x9E3779B97F4A7C15ull;
    u64 z = s;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  std::vector<std::uint32_t> p(n);
  for (std::uint32_t i = 0; i < n; ++i) p[i] = i;
  for (std::uint32_t i = n; i >= 2; --i) std::swap(p[i - 1], p[next() % i]);
  return p;
}

void BM_join_all_wide(benchmark::State& state) {
  const auto n = static_cast<std::uint32_t>(state.range(0));
  const std::vector<std::uint32_t> perm = permutation(n);
  pollen::Waker task_waker;  // the no-op waker: the driver polls after each wake
  pollen::Context cx(task_waker);
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<Slot> slots(n);
    std::vector<Receive> children;
    children.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) children.emplace_back(&slots[i]);
    state.ResumeTiming();

    auto join = pollen::join_all(std::move(children));
    if (join.poll(cx).is_ready()) std::abort();
    for (std::uint32_t k = 0; k < n; ++k) {
      Slot& s = slots[perm[k]];
      s.set = true;
      s.value = perm[k];
      std::move(s.waker).wake();
      pollen::Poll<std::vector<u64>> p = join.poll(cx);
      if (p.is_ready() != (k + 1 == n)) std::abort();
      if (p.is_ready()) {
        const std::vector<u64>& out = p.value();
        for (std::uint32_t i = 0; i < n; ++i) {
          if (out[i] != i) std::abort();
        }
      }
    }
  }
  // An inverted rate of (n * 1e-9) per iteration: nanoseconds per child.
  state.counters["ns_per_child"] = benchmark::Counter(
      n * 1e-9, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

}  // namespace

BENCHMARK(BM_join_all_wide)->Arg(10000)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
