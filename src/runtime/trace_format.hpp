// src/runtime/trace_format.hpp: pieces shared by the trace sinks and the
// slow-poll report (private to src/runtime).
#pragma once

#include <pollen/config.hpp>

#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <utility>
#include <vector>

POLLEN_NAMESPACE_BEGIN
namespace detail {

// Appends "12.3 ms", "45.6 us" or "789 ns" (no allocation beyond `buf`).
inline void append_duration(fmt::memory_buffer& buf, std::int64_t ns) {
  auto out = std::back_inserter(buf);
  if (ns >= 1000000) {
    fmt::format_to(out, "{:.1f} ms", static_cast<double>(ns) / 1e6);
  } else if (ns >= 1000) {
    fmt::format_to(out, "{:.1f} us", static_cast<double>(ns) / 1e3);
  } else {
    fmt::format_to(out, "{} ns", ns);
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
