// ChromeTraceSink: the timeline in the Chrome Trace Event JSON format.
//
// The file is one object, {"displayTimeUnit": "ns", "traceEvents": [...]},
// written as the events come (so a long run does not keep them in memory);
// finish() writes the closing "]}". Per event:
//   * the first event of a task names its lane: "M" (metadata) events
//     thread_name ("#id name") and thread_sort_index (the id), tid = task id;
//   * PollBegin writes nothing; PollEnd writes the whole poll as one "X"
//     (complete) slice with its begin and duration, named by its outcome so
//     that viewers colour the outcomes apart;
//   * Spawn, Wake, Complete, Cancel: "i" (instant) events on the lane;
//   * a Wake by another task also writes a flow: "s" on the waker's lane
//     (bound to the poll slice that encloses it) and "f" on the woken lane
//     (bound to the next slice there: the poll the wake causes). The loop
//     records every such wake inside the waker's poll, also the wake of a
//     JoinHandle by its task's completion, so "s" always has its slice. "f"
//     has no "bp": Perfetto and chrome://tracing then bind it to the next
//     slice ("bp":"e" would bind it to an enclosing slice, and the woken
//     lane has none at that time).
// Timestamps ("ts", "dur") are microseconds with three decimals.
#include <pollen/runtime/trace.hpp>

#include "trace_format.hpp"

POLLEN_NAMESPACE_BEGIN

namespace {
const char kHeader[] =
    "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n"
    "{\"ph\":\"M\",\"pid\":1,\"tid\":0,\"name\":\"process_name\",\"args\":{\"name\":\"pollen event "
    "loop\"}}";
const char kFooter[] = "\n]}\n";

// One event's text; longer only with a very long task name.
using EventBuffer = detail::InlineBuffer<500>;

// Appends `s` as the inside of a JSON string.
void append_json_string(EventBuffer& buf, const char* s) {
  for (; *s != '\0'; ++s) {
    const unsigned char c = static_cast<unsigned char>(*s);
    if (c == '"' || c == '\\') {
      buf.push_back('\\');
      buf.push_back(static_cast<char>(c));
    } else if (c < 0x20) {
      detail::format_to(buf, "\\u{:04x}", static_cast<unsigned>(c));
    } else {
      buf.push_back(static_cast<char>(c));
    }
  }
}

double micros(std::int64_t ns) { return static_cast<double>(ns) / 1e3; }
}  // namespace

ChromeTraceSink::ChromeTraceSink(const std::string& path) : file_(std::fopen(path.c_str(), "wb")) {
  polls_.reserve(4);
}

ChromeTraceSink::ChromeTraceSink(std::string* out) : str_(out) { polls_.reserve(4); }

ChromeTraceSink::~ChromeTraceSink() {
  finish();
  if (file_ != nullptr) std::fclose(file_);
}

void ChromeTraceSink::write(const char* data, std::size_t n) {
  if (file_ != nullptr) {
    std::fwrite(data, 1, n, file_);
  } else if (str_ != nullptr) {
    str_->append(data, n);
  }
}

void ChromeTraceSink::begin_if_needed() {
  if (begun_) return;
  begun_ = true;
  write(kHeader, sizeof(kHeader) - 1);
}

void ChromeTraceSink::name_lane(std::uint64_t task, const char* name) {
  if (task < named_.size() && named_[task]) return;
  if (task >= named_.size()) named_.resize(task + 1 + named_.size() / 2, false);
  named_[task] = true;
  EventBuffer buf;
  detail::format_to(buf,
                    ",\n{{\"ph\":\"M\",\"pid\":1,\"tid\":{},\"name\":\"thread_name\",\"args\":{{"
                    "\"name\":\"#{}",
                    task, task);
  if (name != nullptr && name[0] != '\0') {
    buf.push_back(' ');
    append_json_string(buf, name);
  }
  detail::format_to(buf,
                    "\"}}}},\n{{\"ph\":\"M\",\"pid\":1,\"tid\":{},\"name\":\"thread_sort_index\","
                    "\"args\":{{\"sort_index\":{}}}}}",
                    task, task);
  write(buf.data(), buf.size());
}

void ChromeTraceSink::record(const TraceEvent& e) {
  if (finished_ || !ok()) return;
  begin_if_needed();
  name_lane(e.task, e.task_name);
  EventBuffer buf;
  switch (e.kind) {
    case TraceKind::PollBegin: polls_.emplace_back(e.task, e.time_ns); return;
    case TraceKind::PollEnd: {
      const std::int64_t begin = detail::close_poll(polls_, e.task, e.time_ns);
      detail::format_to(buf,
                        ",\n{{\"ph\":\"X\",\"pid\":1,\"tid\":{},\"ts\":{:.3f},\"dur\":{:.3f},"
                        "\"name\":\"poll: {}\",\"cat\":\"poll\",\"args\":{{\"result\":\"{}\"}}}}",
                        e.task, micros(begin), micros(e.time_ns - begin), to_string(e.outcome),
                        to_string(e.outcome));
      break;
    }
    case TraceKind::Wake: {
      const double ts = micros(e.time_ns);
      if (e.source == WakeSource::Task) {
        detail::format_to(
            buf,
            ",\n{{\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":{},\"ts\":{:.3f},"
            "\"name\":\"woken by #{}\",\"cat\":\"wake\",\"args\":{{\"source\":\"task\","
            "\"source_task\":{}}}}}",
            e.task, ts, e.source_task, e.source_task);
        if (e.source_task != e.task && e.source_task != 0) {
          const std::uint64_t flow = next_flow_++;
          detail::format_to(
              buf,
              ",\n{{\"ph\":\"s\",\"id\":{},\"pid\":1,\"tid\":{},\"ts\":{:.3f},"
              "\"name\":\"wake\",\"cat\":\"wake\"}},\n{{\"ph\":\"f\",\"id\":{},"
              "\"pid\":1,\"tid\":{},\"ts\":{:.3f},\"name\":\"wake\",\"cat\":\"wake\"}}",
              flow, e.source_task, ts, flow, e.task, ts);
        }
      } else {
        detail::format_to(
            buf,
            ",\n{{\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":{},\"ts\":{:.3f},"
            "\"name\":\"woken by {}\",\"cat\":\"wake\",\"args\":{{\"source\":\"{}\"}}}}",
            e.task, ts, to_string(e.source), to_string(e.source));
      }
      break;
    }
    case TraceKind::Spawn:
    case TraceKind::Complete:
    case TraceKind::Cancel:
      detail::format_to(buf,
                        ",\n{{\"ph\":\"i\",\"s\":\"t\",\"pid\":1,\"tid\":{},\"ts\":{:.3f},"
                        "\"name\":\"{}\",\"cat\":\"task\"}}",
                        e.task, micros(e.time_ns), to_string(e.kind));
      break;
  }
  write(buf.data(), buf.size());
}

void ChromeTraceSink::finish() {
  if (finished_ || !ok()) return;
  finished_ = true;
  begin_if_needed();
  write(kFooter, sizeof(kFooter) - 1);
  if (file_ != nullptr) std::fflush(file_);
}

POLLEN_NAMESPACE_END
