// test/bench/workloads/common.hpp: what every workload shares: the output
// line of docs/performance.md, allocation counting, rusage,
// the shared PRNG and inputs.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace workloads {

// Allocation counters, bumped by the global operator new of common.cpp.
struct AllocCounts {
  std::uint64_t allocs;
  std::uint64_t bytes;
};
AllocCounts alloc_counts() noexcept;

// Aborts with a message: every workload checks its result.
[[noreturn]] inline void fail(const char* what) {
  std::fprintf(stderr, "workload result is wrong: %s\n", what);
  std::abort();
}
inline void check(bool ok, const char* what) {
  if (!ok) fail(what);
}

// Keeps the optimizer from folding a value away.
template <class T>
inline T black_box(T v) {
  asm volatile("" : "+r"(v));
  return v;
}

// splitmix64, as the workloads define it (docs/performance.md).
class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t seed) : s_(seed) {}
  std::uint64_t next() {
    s_ += 0x9E3779B97F4A7C15ull;
    std::uint64_t z = s_;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t s_;
};

// The shuffled permutation of 0..n-1 (seed 42).
std::vector<std::uint32_t> permutation(std::size_t n);
// Timer deadlines d_i = next() % spread (seed 43), in nanoseconds.
std::vector<std::uint64_t> deadlines(std::size_t n, std::uint64_t spread_ns);

// Measures one timed region and prints the output line.
class Run {
 public:
  Run(const char* workload, const char* impl, std::uint64_t n, std::uint64_t ops);
  // Starts the timed region (call right before the executor is created).
  void start();
  // Ends it (after the executor ran to completion and was torn down).
  void stop();
  // Prints the line; `extra` is appended as extra=... when not empty.
  void print(const std::string& extra = std::string()) const;

 private:
  const char* workload_;
  const char* impl_;
  std::uint64_t n_;
  std::uint64_t ops_;
  long base_rss_kb_;
  std::chrono::steady_clock::time_point t0_, t1_;
  double cpu0_ = 0, cpu1_ = 0;
  AllocCounts a0_{0, 0}, a1_{0, 0};
};

// A workload: runs with n, prints its line.
using WorkloadFn = void (*)(std::uint64_t n);

struct Workload {
  const char* name;
  std::uint64_t default_n;
  WorkloadFn handsm;
  WorkloadFn pollen;
};

// The table of workloads, defined in main.cpp.
const std::vector<Workload>& all_workloads();

// handsm.cpp
void handsm_spawn_complete(std::uint64_t n);
void handsm_ping_pong(std::uint64_t n);
void handsm_ping_pong_chan(std::uint64_t n);
void handsm_chain_static(std::uint64_t n);
void handsm_chain_dyn(std::uint64_t n);
void handsm_chain_await(std::uint64_t n);
void handsm_join_wide(std::uint64_t n);
void handsm_timers(std::uint64_t n);
void handsm_timers_virtual(std::uint64_t n);
void handsm_select_loop(std::uint64_t n);
void handsm_sizes();
void handsm_ping_pong_chan_bounded(std::uint64_t n);

// pollen.cpp
void pollen_spawn_complete(std::uint64_t n);
void pollen_ping_pong(std::uint64_t n);
void pollen_ping_pong_chan(std::uint64_t n);
void pollen_ping_pong_chan_bounded(std::uint64_t n);
void pollen_chain_static(std::uint64_t n);
void pollen_chain_dyn(std::uint64_t n);
void pollen_chain_await(std::uint64_t n);
void pollen_join_wide(std::uint64_t n);
void pollen_timers(std::uint64_t n);
void pollen_timers_virtual(std::uint64_t n);
void pollen_select_loop(std::uint64_t n);
void pollen_sizes();

// buffer_unordered: n oneshot-backed futures through buffer_unordered(64).
void handsm_buffer_unordered(std::uint64_t n);
void pollen_buffer_unordered(std::uint64_t n);
constexpr std::size_t kBufferUnorderedWidth = 64;

// mutex_contended: n lock acquisitions by kMutexTasks tasks (n / kMutexTasks
// each; fewer tasks when n is smaller), each holding the lock across one
// yield to the event loop. n must be a multiple of the number of tasks.
void handsm_mutex_contended(std::uint64_t n);
void pollen_mutex_contended(std::uint64_t n);
constexpr std::uint64_t kMutexTasks = 1000;
inline std::uint64_t mutex_tasks(std::uint64_t n) {
  const std::uint64_t tasks = n < kMutexTasks ? n : kMutexTasks;
  check(n % tasks == 0, "mutex_contended: n must be a multiple of 1000 (tasks x locks each)");
  return tasks;
}

// echo_rr: n round trips of a 64-byte request and its echo over loopback
// TCP, spread over 64 connections (n / 64 each; n a multiple of 64); the
// client and the server on one thread (echo_rr.cpp).
void handsm_echo_rr(std::uint64_t n);
void pollen_echo_rr(std::uint64_t n);
constexpr std::uint64_t kEchoRrConnections = 64;
constexpr std::size_t kEchoRrMessageBytes = 64;

constexpr std::uint64_t kChainStaticSteps = 100;
constexpr std::uint64_t kChainDynSteps = 1000;
constexpr std::uint64_t kTimersSpreadNs = 200000000ull;          // 200 ms real time
constexpr std::uint64_t kTimersVirtualSpreadNs = 1000000000ull;  // 1 s virtual time

}  // namespace workloads
