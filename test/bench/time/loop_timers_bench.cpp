// The timers and timers_virtual workloads (docs/performance.md) on a real EventLoop: N tasks,
// task i sleeps until start + d_i (d_i = splitmix64(seed 43) % SPREAD), then
// increments a counter; time runs from before the first spawn until every
// timer has fired.
//
//   loop_timers_bench virtual [N]         1 s of virtual time, auto-advance
//   loop_timers_bench virtual-cancel [N]  the same, every other task aborted
//                                         after its timer registered
//   loop_timers_bench real [N]            200 ms of the steady clock
//
// Prints ns per timer (wall), user+sys CPU, peak RSS (run one mode per
// process: RSS is per process). A standalone main, not Google Benchmark: a
// run is one long workload, and peak RSS must belong to it alone.
#include <pollen/runtime/event_loop.hpp>
#include <pollen/time/sleep.hpp>

#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

std::uint64_t splitmix64(std::uint64_t& s) {
  s += 0x9E3779B97F4A7C15ull;
  std::uint64_t z = s;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

struct SleepThenCount {
  using Output = pollen::Unit;
  pollen::Sleep sleep;
  std::size_t* fired;
  pollen::Poll<pollen::Unit> poll(pollen::Context& cx) {
    if (sleep.poll(cx).is_pending()) return pollen::pending;
    ++*fired;
    return pollen::Unit{};
  }
};

double cpu_seconds() {
  struct rusage ru;
  ::getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

long peak_rss_kib() {
  struct rusage ru;
  ::getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "virtual";
  const bool real = std::strcmp(mode, "real") == 0;
  const bool cancel = std::strcmp(mode, "virtual-cancel") == 0;
  if (!real && !cancel && std::strcmp(mode, "virtual") != 0) {
    std::fprintf(stderr, "usage: %s virtual|virtual-cancel|real [N]\n", argv[0]);
    return 2;
  }
  const std::size_t n = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : (real ? 100000 : 1000000);
  const std::uint64_t spread_ns = real ? 200000000ull : 1000000000ull;

  pollen::LoopOptions opts;
  if (!real) {
    opts.clock = pollen::ClockKind::Virtual;
    opts.auto_advance = true;
  }
  std::size_t fired = 0;
  const double cpu0 = cpu_seconds();
  const auto wall0 = std::chrono::steady_clock::now();
  {
    pollen::EventLoop loop(opts);
    const pollen::TimePoint start = loop.now();
    std::uint64_t seed = 43;
    std::vector<pollen::JoinHandle<pollen::Unit>> handles;
    if (cancel) handles.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      const pollen::TimePoint at = start + pollen::Duration(splitmix64(seed) % spread_ns);
      auto h = loop.spawn(SleepThenCount{pollen::sleep_until(loop.timer_driver(), at), &fired});
      if (cancel) {
        handles.push_back(std::move(h));
      } else {
        h.detach();
      }
    }
    if (cancel) {
      loop.run_until_stalled();  // every timer registered
      for (std::size_t i = 1; i < n; i += 2) handles[i].abort();
    }
    loop.run();
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
  const double cpu = cpu_seconds() - cpu0;
  const std::size_t expected = cancel ? (n + 1) / 2 : n;
  std::printf("mode=%s timers=%zu fired=%zu wall=%.3f s cpu(user+sys)=%.3f s "
              "wall_ns_per_timer=%.1f cpu_ns_per_timer=%.1f peak_rss=%ld KiB\n",
              mode, n, fired, wall, cpu, wall * 1e9 / static_cast<double>(n),
              cpu * 1e9 / static_cast<double>(n), peak_rss_kib());
  return fired == expected ? 0 : 1;
}
