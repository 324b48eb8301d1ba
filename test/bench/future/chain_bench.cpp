// The cost per poll step of a 1,000-step then/map chain over ready values,
// next to the same work written as one hand-written switch state machine.
// The ratio of the two ns_per_step figures is the one that matters.
//
//   ninja -C build-release test/bench/future/future_chain_bench
//   build-release/test/bench/future/future_chain_bench
//
// Each step is `x -> black_box(x) + 1`. Chains are built outside the timed
// region in batches of 64, 200 batches per run (building a nested future
// moves each level into the next; BM_chain_build measures that on its own).
#include <pollen/future.hpp>
#include <pollen/core/ready.hpp>

#include <benchmark/benchmark.h>

#include <pthread.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

namespace {

using u64 = std::uint64_t;
constexpr int kSteps = 1000;  // 500 map steps and 500 then steps, alternating
constexpr int kBatch = 64;

struct Inc {
  u64 operator()(u64 x) const {
    benchmark::DoNotOptimize(x);
    return x + 1;
  }
};
struct ThenInc {
  pollen::Ready<u64> operator()(u64 x) const {
    benchmark::DoNotOptimize(x);
    return pollen::ready(x + 1);
  }
};

template <int N>
struct Chain {
  template <class F>
  static auto make(F f) {
    return Chain<N - 1>::make(pollen::then(pollen::map(std::move(f), Inc{}), ThenInc{}));
  }
};
template <>
struct Chain<0> {
  template <class F>
  static F make(F f) {
    return f;
  }
};

using PollenChain = decltype(Chain<kSteps / 2>::make(pollen::ready(u64{0})));

// The same work as one struct with a state enum and a switch.
class HandChain {
 public:
  using Output = u64;
  explicit HandChain(u64 start) : value_(start) {}
  pollen::Poll<u64> poll(pollen::Context&) {
    for (;;) {
      switch (state_) {
        case State::Steps:
          if (step_ == kSteps) {
            state_ = State::Done;
            return value_;
          }
          benchmark::DoNotOptimize(value_);
          value_ = value_ + 1;
          ++step_;
          break;
        case State::Done:
          std::abort();
      }
    }
  }

 private:
  enum class State : unsigned char { Steps, Done };
  u64 value_;
  int step_ = 0;
  State state_ = State::Steps;
};

template <class F, class Make>
void run_batches(benchmark::State& state, Make make) {
  pollen::Waker w;
  pollen::Context cx(w);
  std::vector<pollen::Option<F>> batch(kBatch);
  u64 sum = 0;
  u64 r = 0;
  while (state.KeepRunningBatch(kBatch)) {
    state.PauseTiming();
    for (auto& slot : batch) slot.emplace(make(r++));
    state.ResumeTiming();
    for (auto& slot : batch) {
      pollen::Poll<u64> p = slot->poll(cx);
      sum += std::move(p).value();
    }
    state.PauseTiming();
    for (auto& slot : batch) slot.reset();
    state.ResumeTiming();
  }
  benchmark::DoNotOptimize(sum);
  // An inverted rate of (steps * 1e-9) per iteration: nanoseconds per step.
  state.counters["ns_per_step"] = benchmark::Counter(
      kSteps * 1e-9, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void BM_chain_pollen(benchmark::State& state) {
  run_batches<PollenChain>(state, [](u64 r) { return Chain<kSteps / 2>::make(pollen::ready(r)); });
}
void BM_chain_handsm(benchmark::State& state) {
  run_batches<HandChain>(state, [](u64 r) { return HandChain(r); });
}
void BM_chain_build(benchmark::State& state) {
  for (auto _ : state) {
    auto f = Chain<kSteps / 2>::make(pollen::ready(u64{1}));
    benchmark::DoNotOptimize(&f);
  }
}

}  // namespace

// A fixed number of batches: the timed part of a batch is short next to the
// untimed building of its 64 chains, so letting Google Benchmark grow the
// iteration count until the timed part reaches its minimum time would spend
// minutes building chains.
constexpr int kIterations = kBatch * 200;
BENCHMARK(BM_chain_pollen)->Iterations(kIterations);
BENCHMARK(BM_chain_handsm)->Iterations(kIterations);
BENCHMARK(BM_chain_build);
// Building the 1,000-level nested future passes ever larger futures down 500
// nested calls (about 8 MB of stack at -O2): the benchmarks run on a thread
// with a 256 MB stack.
namespace {
struct Args {
  int argc;
  char** argv;
};
void* run(void* p) {
  Args* a = static_cast<Args*>(p);
  benchmark::Initialize(&a->argc, a->argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return nullptr;
}
}  // namespace

int main(int argc, char** argv) {
  Args a{argc, argv};
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, std::size_t{256} << 20);
  pthread_t th;
  if (pthread_create(&th, &attr, &run, &a) != 0) return 1;
  pthread_join(th, nullptr);
  return 0;
}
