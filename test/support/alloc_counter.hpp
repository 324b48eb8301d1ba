// test/support/alloc_counter.hpp: a counting global operator new.
//
// Every test program links alloc_counter.cpp, which replaces the global
// operator new and delete with versions that count, per thread, the
// allocations made. An AllocCounter reports what the current thread
// allocated since it was created:
//
//   pollen::test::AllocCounter allocs;
//   auto f = build_something();
//   EXPECT_EQ(allocs.allocations(), 0u);
//
// A FailAllocations makes the current thread's allocations throw
// std::bad_alloc while it lives, after letting `allow` of them succeed (for
// tests of what code does when memory runs out; exception builds only):
//
//   { pollen::test::FailAllocations oom; EXPECT_THROW(grow(), std::bad_alloc); }
#pragma once

#include <cstddef>

namespace pollen {
namespace test {

struct AllocTotals {
  std::size_t allocations;
  std::size_t deallocations;
  std::size_t bytes;
};

// What this thread has allocated since it started.
AllocTotals thread_alloc_totals() noexcept;

class AllocCounter {
 public:
  AllocCounter() noexcept : start_(thread_alloc_totals()) {}
  std::size_t allocations() const noexcept {
    return thread_alloc_totals().allocations - start_.allocations;
  }
  std::size_t deallocations() const noexcept {
    return thread_alloc_totals().deallocations - start_.deallocations;
  }
  std::size_t bytes() const noexcept { return thread_alloc_totals().bytes - start_.bytes; }
  void reset() noexcept { start_ = thread_alloc_totals(); }

 private:
  AllocTotals start_;
};

// While alive, every allocation of this thread through the throwing
// operator new throws std::bad_alloc, once `allow` more have succeeded.
// Nests: the destructor restores the previous setting.
class FailAllocations {
 public:
  explicit FailAllocations(std::size_t allow = 0) noexcept;
  ~FailAllocations();
  FailAllocations(const FailAllocations&) = delete;
  FailAllocations& operator=(const FailAllocations&) = delete;

 private:
  std::size_t saved_;
};

}  // namespace test
}  // namespace pollen
