// The trace's vocabulary (to_string) and TextTraceSink: one line per event.
//
// A line is built in a detail::InlineBuffer, whose first 500 bytes are
// inline: writing to a FILE* allocates nothing unless a task's name is very
// long.
#include <pollen/runtime/trace.hpp>

#include "trace_format.hpp"

#include <cstdio>

POLLEN_NAMESPACE_BEGIN

TraceSink::~TraceSink() = default;

const char* to_string(TraceKind k) noexcept {
  switch (k) {
    case TraceKind::Spawn: return "spawn";
    case TraceKind::PollBegin: return "poll-begin";
    case TraceKind::PollEnd: return "poll-end";
    case TraceKind::Wake: return "wake";
    case TraceKind::Complete: return "complete";
    case TraceKind::Cancel: return "cancel";
  }
  return "?";
}

const char* to_string(PollOutcome o) noexcept {
  switch (o) {
    case PollOutcome::Pending: return "Pending";
    case PollOutcome::Ready: return "Ready";
    case PollOutcome::Threw: return "Threw";
  }
  return "?";
}

const char* to_string(WakeSource s) noexcept {
  switch (s) {
    case WakeSource::Task: return "task";
    case WakeSource::Timer: return "timer";
    case WakeSource::OtherThread: return "other-thread";
    case WakeSource::Loop: return "loop";
  }
  return "?";
}

namespace {
// The task column: "#12 worker", padded to this many characters.
const std::size_t kTaskColumn = 16;

using LineBuffer = detail::InlineBuffer<500>;

}  // namespace

void TextTraceSink::record(const TraceEvent& e) {
  LineBuffer buf;
  detail::format_to(buf, "{:9.3f} ms  ", static_cast<double>(e.time_ns) / 1e6);
  const std::size_t column = buf.size();
  detail::format_to(buf, "#{}", e.task);
  if (e.task_name != nullptr && e.task_name[0] != '\0') {
    buf.push_back(' ');
    buf.append(e.task_name);
  }
  do {
    buf.push_back(' ');
  } while (buf.size() < column + kTaskColumn);
  switch (e.kind) {
    case TraceKind::Spawn: buf.append("spawn"); break;
    case TraceKind::PollBegin:
      buf.append("poll");
      poll_begin_ns_ = e.time_ns;
      break;
    case TraceKind::PollEnd:
      buf.append("poll -> ");
      buf.append(to_string(e.outcome));
      if (poll_begin_ns_ >= 0 && e.time_ns >= poll_begin_ns_) {
        buf.append("  (");
        detail::append_duration(buf, e.time_ns - poll_begin_ns_);
        buf.push_back(')');
      }
      poll_begin_ns_ = -1;
      break;
    case TraceKind::Wake:
      switch (e.source) {
        case WakeSource::Task:
          detail::format_to(buf, "woken by task #{}", e.source_task);
          break;
        case WakeSource::Timer: buf.append("woken by a timer"); break;
        case WakeSource::OtherThread: buf.append("woken from another thread"); break;
        case WakeSource::Loop: buf.append("woken by the loop (outside any poll)"); break;
      }
      break;
    case TraceKind::Complete: buf.append("complete"); break;
    case TraceKind::Cancel: buf.append("cancelled"); break;
  }
  buf.push_back('\n');
  if (file_ != nullptr) {
    std::fwrite(buf.data(), 1, buf.size(), file_);
  } else if (str_ != nullptr) {
    str_->append(buf.data(), buf.size());
  }
}

void TextTraceSink::finish() {
  if (file_ != nullptr) std::fflush(file_);
}

POLLEN_NAMESPACE_END
