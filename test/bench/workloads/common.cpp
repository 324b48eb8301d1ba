#include "common.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cinttypes>
#include <new>

namespace {
std::uint64_t g_allocs = 0;
std::uint64_t g_bytes = 0;

void* counted(std::size_t n) {
  ++g_allocs;
  g_bytes += n;
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) std::abort();
  return p;
}

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

long max_rss_kb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}
}  // namespace

void* operator new(std::size_t n) { return counted(n); }
void* operator new[](std::size_t n) { return counted(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace workloads {

AllocCounts alloc_counts() noexcept { return AllocCounts{g_allocs, g_bytes}; }

std::vector<std::uint32_t> permutation(std::size_t n) {
  std::vector<std::uint32_t> p(n);
  for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<std::uint32_t>(i);
  SplitMix64 rng(42);
  for (std::size_t i = n; i >= 2; --i) {
    std::size_t j = static_cast<std::size_t>(rng.next() % i);
    std::swap(p[i - 1], p[j]);
  }
  return p;
}

std::vector<std::uint64_t> deadlines(std::size_t n, std::uint64_t spread_ns) {
  std::vector<std::uint64_t> d(n);
  SplitMix64 rng(43);
  for (std::size_t i = 0; i < n; ++i) d[i] = rng.next() % spread_ns;
  return d;
}

Run::Run(const char* workload, const char* impl, std::uint64_t n, std::uint64_t ops)
    : workload_(workload), impl_(impl), n_(n), ops_(ops == 0 ? 1 : ops), base_rss_kb_(max_rss_kb()) {}

void Run::start() {
  a0_ = alloc_counts();
  cpu0_ = cpu_seconds();
  t0_ = std::chrono::steady_clock::now();
}

void Run::stop() {
  t1_ = std::chrono::steady_clock::now();
  cpu1_ = cpu_seconds();
  a1_ = alloc_counts();
}

void Run::print(const std::string& extra) const {
  double wall_ns = static_cast<double>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(t1_ - t0_).count());
  double ops = static_cast<double>(ops_);
  std::printf(
      "workload=%s impl=%s n=%" PRIu64 " ns_per_op=%.3f cpu_ns_per_op=%.3f allocs_per_op=%.4f "
      "bytes_per_op=%.2f total_ms=%.3f peak_rss_kb=%ld base_rss_kb=%ld%s%s\n",
      workload_, impl_, n_, wall_ns / ops, (cpu1_ - cpu0_) * 1e9 / ops,
      static_cast<double>(a1_.allocs - a0_.allocs) / ops,
      static_cast<double>(a1_.bytes - a0_.bytes) / ops, wall_ns / 1e6, max_rss_kb(),
      base_rss_kb_, extra.empty() ? "" : " extra=", extra.c_str());
  std::fflush(stdout);
}

}  // namespace workloads
