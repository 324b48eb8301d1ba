// Timer benchmarks: 1,000,000 timers with deadlines spread over one second
// of virtual time (the timers_virtual workload: d_i = splitmix64(seed 43)
// % 1 s), insert + fire, with and without half of them cancelled; against a
// naive binary-heap timer queue written here for scale; and 100,000 timers
// on the real clock over 200 ms, to show the wait is a kernel wait (CPU <<
// wall).
//
// Each run emulates what the event loop will do: every timer belongs to a
// "task" (its index); a wake pushes the index on a ready queue; the loop
// fires expired timers, then polls the woken tasks' futures. The waker is a
// plain index without reference counting (the handsm baseline's waker).
//
//   meson setup build-rel --buildtype=release -Dbenchmarks=true
//   ninja -C build-rel test/bench/time/time_timers_bench
//   build-rel/test/bench/time/time_timers_bench --benchmark_filter=Wheel_Virtual
//
// Peak RSS is per process: run one benchmark per process to read it.
#include <pollen/core/option.hpp>
#include <pollen/time.hpp>

#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <queue>
#include <thread>
#include <utility>
#include <vector>

namespace {

using pollen::Duration;
using pollen::TimePoint;

constexpr std::size_t kTimers = 1000000;

std::uint64_t splitmix64(std::uint64_t& s) {
  s += 0x9E3779B97F4A7C15ull;
  std::uint64_t z = s;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

std::vector<Duration> deadlines(std::size_t n, Duration spread) {
  std::uint64_t s = 43;
  std::vector<Duration> d(n);
  for (auto& x : d) x = Duration(static_cast<Duration::rep>(splitmix64(s) % spread.count()));
  return d;
}

long peak_rss_kb() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

// The ready queue and a waker that pushes its task index on it.
std::vector<std::uint32_t>* g_ready = nullptr;
pollen::RawWaker index_clone(const void* d);
void index_wake(const void* d) {
  g_ready->push_back(static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(d)));
}
void index_drop(const void*) {}
const pollen::WakerVTable kIndexVTable{&index_clone, &index_wake, &index_wake, &index_drop};
pollen::RawWaker index_clone(const void* d) { return pollen::RawWaker{d, &kIndexVTable}; }
pollen::Waker index_waker(std::uint32_t i) {
  return pollen::Waker(
      pollen::RawWaker{reinterpret_cast<const void*>(static_cast<std::uintptr_t>(i)),
                       &kIndexVTable});
}

void fail(const char* what) {
  std::fprintf(stderr, "timers_bench: wrong result: %s\n", what);
  std::abort();
}

void set_counters(benchmark::State& state, std::size_t n, std::size_t bytes_per_timer) {
  state.counters["per_timer"] = benchmark::Counter(
      static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate |
                                  benchmark::Counter::kInvert);
  state.counters["bytes_per_timer"] = static_cast<double>(bytes_per_timer);
  state.counters["peak_rss_kb"] = static_cast<double>(peak_rss_kb());
}

// pollen: N Sleep futures on a virtual-clock TimerDriver, each polled once
// (registering its timer), optionally every other one destroyed (cancelled),
// then time advanced from deadline to deadline, polling each woken Sleep.
void run_pollen_virtual(benchmark::State& state, bool cancel_half) {
  const std::size_t n = kTimers;
  const std::vector<Duration> d = deadlines(n, std::chrono::seconds(1));
  std::vector<std::uint32_t> ready;
  ready.reserve(n);
  g_ready = &ready;
  std::size_t expected = cancel_half ? n / 2 : n;
  for (auto _ : state) {
    ready.clear();
    pollen::TimerDriver driver(pollen::ClockKind::Virtual, TimePoint(std::chrono::hours(1)));
    const TimePoint start = driver.now();
    std::vector<pollen::Option<pollen::Sleep>> sleeps(n);
    for (std::size_t i = 0; i < n; ++i) {
      sleeps[i].emplace(pollen::sleep_until(driver, start + d[i] + Duration(1)));
      pollen::Waker w = index_waker(static_cast<std::uint32_t>(i));
      pollen::Context cx(w);
      if (sleeps[i]->poll(cx).is_ready()) fail("sleep ready before its deadline");
    }
    if (cancel_half) {
      for (std::size_t i = 0; i < n; i += 2) sleeps[i].reset();
    }
    std::size_t done = 0;
    std::size_t next = 0;  // first unpolled entry of `ready`
    TimePoint last = start;
    while (driver.advance_to_next_timer()) {
      for (; next < ready.size(); ++next) {
        const std::uint32_t i = ready[next];
        pollen::Waker w = index_waker(i);
        pollen::Context cx(w);
        if (!sleeps[i]->poll(cx).is_ready()) fail("woken sleep not ready");
        if (sleeps[i]->deadline() < last) fail("out of deadline order");
        last = sleeps[i]->deadline();
        sleeps[i].reset();
        ++done;
      }
    }
    if (done != expected || driver.pending_timers() != 0) fail("timer count");
    benchmark::DoNotOptimize(done);
  }
  g_ready = nullptr;
  set_counters(state, n, sizeof(pollen::Option<pollen::Sleep>));
}

void BM_Wheel_Virtual_1M(benchmark::State& state) { run_pollen_virtual(state, false); }
void BM_Wheel_Virtual_1M_HalfCancelled(benchmark::State& state) {
  run_pollen_virtual(state, true);
}

// Baseline: a naive timer queue, std::priority_queue of (deadline, task)
// with lazy deletion for cancellation, and the same "futures" (a deadline
// and a flag per task).
struct HeapTimer {
  std::int64_t deadline;
  std::uint32_t task;
  bool operator>(const HeapTimer& o) const noexcept { return deadline > o.deadline; }
};

void run_heap_virtual(benchmark::State& state, bool cancel_half) {
  const std::size_t n = kTimers;
  const std::vector<Duration> d = deadlines(n, std::chrono::seconds(1));
  std::vector<std::uint32_t> ready;
  ready.reserve(n);
  g_ready = &ready;
  std::size_t expected = cancel_half ? n / 2 : n;
  struct Task {
    std::int64_t deadline;
    bool cancelled;
    bool done;
  };
  for (auto _ : state) {
    ready.clear();
    std::int64_t now = 0;
    std::priority_queue<HeapTimer, std::vector<HeapTimer>, std::greater<HeapTimer>> heap;
    std::vector<Task> tasks(n);
    for (std::size_t i = 0; i < n; ++i) {
      tasks[i] = Task{d[i].count() + 1, false, false};
      heap.push(HeapTimer{tasks[i].deadline, static_cast<std::uint32_t>(i)});
    }
    if (cancel_half) {
      for (std::size_t i = 0; i < n; i += 2) tasks[i].cancelled = true;
    }
    std::size_t done = 0;
    std::size_t next = 0;
    std::int64_t last = 0;
    while (!heap.empty()) {
      // advance to the next timer and fire everything due
      now = heap.top().deadline;
      while (!heap.empty() && heap.top().deadline <= now) {
        const HeapTimer t = heap.top();
        heap.pop();
        if (!tasks[t.task].cancelled) index_wake(reinterpret_cast<const void*>(
            static_cast<std::uintptr_t>(t.task)));
      }
      for (; next < ready.size(); ++next) {
        Task& task = tasks[ready[next]];
        if (task.deadline > now || task.done) fail("heap: woken early");
        if (task.deadline < last) fail("heap: out of order");
        last = task.deadline;
        task.done = true;
        ++done;
      }
    }
    if (done != expected) fail("heap: timer count");
    benchmark::DoNotOptimize(done);
  }
  g_ready = nullptr;
  set_counters(state, n, sizeof(Task) + sizeof(HeapTimer));
}

void BM_Heap_Virtual_1M(benchmark::State& state) { run_heap_virtual(state, false); }
void BM_Heap_Virtual_1M_HalfCancelled(benchmark::State& state) { run_heap_virtual(state, true); }

// The wheel alone: TimerEntry array, insert all, advance_to the end of the
// second in one call.
void BM_WheelOnly_Virtual_1M(benchmark::State& state) {
  const std::size_t n = kTimers;
  const std::vector<Duration> d = deadlines(n, std::chrono::seconds(1));
  std::vector<std::uint32_t> ready;
  ready.reserve(n);
  g_ready = &ready;
  for (auto _ : state) {
    ready.clear();
    std::unique_ptr<pollen::TimerEntry[]> entries(new pollen::TimerEntry[n]);
    pollen::TimerWheel wheel(0);
    for (std::size_t i = 0; i < n; ++i) {
      if (wheel.insert(entries[i], static_cast<std::uint64_t>(d[i].count()) + 1,
                       index_waker(static_cast<std::uint32_t>(i))) !=
          pollen::TimerWheel::Insert::Linked) {
        fail("wheel insert");
      }
    }
    if (wheel.advance_to(1000000001) != n) fail("wheel count");
    benchmark::DoNotOptimize(ready.data());
  }
  g_ready = nullptr;
  set_counters(state, n, sizeof(pollen::TimerEntry));
}

// The real clock, 200 ms: fire, poll the woken, then wait in the kernel for
// wait_timeout_ms() (a sleep here; the event loop's epoll_wait later). CPU
// time well below wall time shows there is no busy loop.
void BM_Wheel_RealClock_200ms(benchmark::State& state) {
  const std::size_t n = kTimers / 10;  // registering must take well under 200 ms
  const std::vector<Duration> d = deadlines(n, std::chrono::milliseconds(200));
  std::vector<std::uint32_t> ready;
  ready.reserve(n);
  g_ready = &ready;
  std::size_t waits = 0;
  for (auto _ : state) {
    ready.clear();
    pollen::TimerDriver driver(pollen::ClockKind::Steady);
    const TimePoint start = driver.now();
    std::vector<pollen::Option<pollen::Sleep>> sleeps(n);
    for (std::size_t i = 0; i < n; ++i) {
      sleeps[i].emplace(pollen::sleep_until(driver, start + d[i] + Duration(1)));
      pollen::Waker w = index_waker(static_cast<std::uint32_t>(i));
      pollen::Context cx(w);
      (void)sleeps[i]->poll(cx);  // Ready if its deadline already passed
      if (!sleeps[i]->is_registered()) sleeps[i].reset();
    }
    std::size_t next = 0;
    for (;;) {
      driver.fire_expired();
      for (; next < ready.size(); ++next) {
        const std::uint32_t i = ready[next];
        pollen::Waker w = index_waker(i);
        pollen::Context cx(w);
        if (!sleeps[i]->poll(cx).is_ready()) fail("real: woken sleep not ready");
        sleeps[i].reset();
      }
      const int ms = driver.wait_timeout_ms();
      if (ms < 0) break;
      ++waits;
      std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    }
    if (driver.pending_timers() != 0) fail("real: timers left");
  }
  g_ready = nullptr;
  state.counters["kernel_waits"] =
      benchmark::Counter(static_cast<double>(waits), benchmark::Counter::kAvgIterations);
  set_counters(state, n, sizeof(pollen::Option<pollen::Sleep>));
}

}  // namespace

BENCHMARK(BM_Wheel_Virtual_1M)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_Heap_Virtual_1M)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_Wheel_Virtual_1M_HalfCancelled)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_Heap_Virtual_1M_HalfCancelled)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_WheelOnly_Virtual_1M)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_Wheel_RealClock_200ms)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

BENCHMARK_MAIN();
