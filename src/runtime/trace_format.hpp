// src/runtime/trace_format.hpp: pieces shared by the trace sinks and the
// slow-poll report (private to src/runtime).
#pragma once

#include <pollen/config.hpp>

#include "../format.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <utility>
#include <vector>

POLLEN_NAMESPACE_BEGIN
namespace detail {

// A character buffer whose first N bytes are inline: building a line in it
// allocates nothing unless the line is longer than N. Grows on the heap
// beyond that (doubling). append(p, n) makes it a detail::format_to target.
template <std::size_t N>
class InlineBuffer {
 public:
  InlineBuffer() noexcept = default;
  InlineBuffer(const InlineBuffer&) = delete;
  InlineBuffer& operator=(const InlineBuffer&) = delete;

  void append(const char* p, std::size_t n) {
    reserve(size_ + n);
    std::memcpy(data_ + size_, p, n);
    size_ += n;
  }
  void append(const char* s) { append(s, std::strlen(s)); }
  void push_back(char c) {
    reserve(size_ + 1);
    data_[size_++] = c;
  }
  const char* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }

 private:
  void reserve(std::size_t need) {
    if (need <= capacity_) return;
    std::size_t cap = capacity_ * 2;
    if (cap < need) cap = need;
    std::unique_ptr<char[]> grown(new char[cap]);
    std::memcpy(grown.get(), data_, size_);
    heap_ = std::move(grown);
    data_ = heap_.get();
    capacity_ = cap;
  }

  char inline_[N];
  std::unique_ptr<char[]> heap_;
  char* data_ = inline_;
  std::size_t size_ = 0;
  std::size_t capacity_ = N;
};

// Appends "12.3 ms", "45.6 us" or "789 ns" (no allocation beyond `out`'s);
// `out`: anything with append(const char*, std::size_t).
template <class Out>
void append_duration(Out& out, std::int64_t ns) {
  if (ns >= 1000000) {
    detail::format_to(out, "{:.1f} ms", static_cast<double>(ns) / 1e6);
  } else if (ns >= 1000) {
    detail::format_to(out, "{:.1f} us", static_cast<double>(ns) / 1e3);
  } else {
    detail::format_to(out, "{} ns", ns);
  }
}

// Polls begun and not yet ended, as (task, begin time).
using OpenPolls = std::vector<std::pair<std::uint64_t, std::int64_t>>;

// Ends the open poll of `task`: removes it and returns its begin time, or
// `end` when none is open (its PollBegin came before tracing started).
inline std::int64_t close_poll(OpenPolls& open, std::uint64_t task, std::int64_t end) {
  for (std::size_t i = open.size(); i-- > 0;) {
    if (open[i].first == task) {
      const std::int64_t begin = open[i].second;
      open.erase(open.begin() + static_cast<std::ptrdiff_t>(i));
      return begin;
    }
  }
  return end;
}

}  // namespace detail
POLLEN_NAMESPACE_END
