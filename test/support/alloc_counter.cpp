// Replaces the global operator new/delete with versions that count per
// thread. Linked into every test program (see test/meson.build).
#include "alloc_counter.hpp"

#include <cstdlib>
#include <new>

namespace {
thread_local std::size_t t_allocs = 0;
thread_local std::size_t t_frees = 0;
thread_local std::size_t t_bytes = 0;
// Allocations left before they fail (FailAllocations); SIZE_MAX: never fail.
constexpr std::size_t kNeverFail = static_cast<std::size_t>(-1);
thread_local std::size_t t_fail_after = kNeverFail;

[[noreturn]] void out_of_memory() {
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
  throw std::bad_alloc();
#else
  std::abort();
#endif
}

// Fails this allocation if a FailAllocations says so.
void maybe_fail() {
  if (t_fail_after == kNeverFail) return;
  if (t_fail_after == 0) out_of_memory();
  --t_fail_after;
}

void* counted_alloc(std::size_t n) {
  maybe_fail();
  ++t_allocs;
  t_bytes += n;
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) out_of_memory();
  return p;
}
void counted_free(void* p) noexcept {
  if (p == nullptr) return;
  ++t_frees;
  std::free(p);
}
}  // namespace

namespace pollen {
namespace test {
AllocTotals thread_alloc_totals() noexcept { return AllocTotals{t_allocs, t_frees, t_bytes}; }
FailAllocations::FailAllocations(std::size_t allow) noexcept : saved_(t_fail_after) {
  t_fail_after = allow;
}
FailAllocations::~FailAllocations() { t_fail_after = saved_; }
}  // namespace test
}  // namespace pollen

void* operator new(std::size_t n) { return counted_alloc(n); }
void* operator new[](std::size_t n) { return counted_alloc(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  ++t_allocs;
  t_bytes += n;
  return std::malloc(n == 0 ? 1 : n);
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  ++t_allocs;
  t_bytes += n;
  return std::malloc(n == 0 ? 1 : n);
}
void operator delete(void* p) noexcept { counted_free(p); }
void operator delete[](void* p) noexcept { counted_free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { counted_free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { counted_free(p); }
#if defined(__cpp_sized_deallocation)
void operator delete(void* p, std::size_t) noexcept { counted_free(p); }
void operator delete[](void* p, std::size_t) noexcept { counted_free(p); }
#endif
#if defined(__cpp_aligned_new)
void* operator new(std::size_t n, std::align_val_t a) {
  maybe_fail();
  ++t_allocs;
  t_bytes += n;
  std::size_t align = static_cast<std::size_t>(a);
  void* p = std::aligned_alloc(align, (n + align - 1) / align * align);
  if (p == nullptr) out_of_memory();
  return p;
}
void* operator new[](std::size_t n, std::align_val_t a) { return operator new(n, a); }
void operator delete(void* p, std::align_val_t) noexcept { counted_free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { counted_free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { counted_free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { counted_free(p); }
#endif
