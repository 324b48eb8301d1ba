// pollen/runtime/trace.hpp: the poll timeline and the slow-poll report.
//
// Example:
//
//   pollen::TextTraceSink log(stderr);          // one line per event
//   pollen::ChromeTraceSink json("loop.json");  // opens in Perfetto / chrome://tracing
//   pollen::SvgTraceSink svg("loop.svg");       // opens in any browser
//   loop.trace_to(&json);                       // from now on, every event
//   loop.run();
//   loop.trace_to(nullptr);                     // off (calls json.finish())
//
// What is recorded (EventLoop::trace_to(), see <pollen/runtime/event_loop.hpp>)
// * Spawn: a task was spawned (only tasks spawned after trace_to(); tasks
//   already alive appear from their next event on).
// * PollBegin / PollEnd: one poll of a task's future, with its outcome:
//   Pending, Ready (the task completes next), or Threw (an exception escaped
//   the poll; the task completes next).
// * Wake: a wake() of an unfinished task's waker (repeated wakes before the
//   task's next poll are each recorded, although they cause one poll), with
//   where it came from:
//     Task         during the poll of task `source_task` (of the same loop),
//                  also a wake its finishing causes (its JoinHandle's): the
//                  PollEnd of its last poll follows those wakes;
//     Timer        a timer of the loop fired (its turn, or advance());
//     OtherThread  from another thread: recorded when the loop takes the
//                  cross-thread queue, not when the foreign thread called
//                  wake() (repeated foreign wakes before that are one event);
//     Loop         on the loop's thread but outside any task poll (between
//                  turns, a JoinHandle::abort() tearing a future down, ...).
// * Complete: the task finished (its last poll was Ready or Threw).
// * Cancel: the task was cancelled (abort()). Tasks destroyed by the loop's
//   destructor are not recorded: the sink may already be gone by then.
//
// Ground rules for sinks
// * record() is called on the loop's thread only, synchronously, at the
//   event: the sink needs no lock (one sink may serve several loops of the
//   same thread). TraceEvent::task_name is valid only during the call.
// * The loop does not own the sink: keep it alive while it is installed.
//   trace_to(other) and trace_to(nullptr) call finish() on the sink they
//   replace; the loop's destructor never touches it.
// * A sink must not call back into the loop it records.
//
// Cost: with tracing off, each place that could record an event tests one
// pointer (a predictable branch). With a sink, each event is one steady
// clock read and one virtual call. TextTraceSink writing to a FILE* and
// ChromeTraceSink writing to a path allocate nothing per event (Chrome: one
// small allocation the first time a task is seen); sinks writing to a
// std::string grow it, and SvgTraceSink keeps every event until finish().
//
// The slow-poll detector (EventLoop::set_slow_poll_threshold()) is
// independent of tracing: with a threshold, the loop reads the clock around
// each poll and reports every poll longer than the threshold as a SlowPoll.
#pragma once

#include <pollen/config.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

POLLEN_NAMESPACE_BEGIN

enum class TraceKind : unsigned char { Spawn, PollBegin, PollEnd, Wake, Complete, Cancel };
enum class PollOutcome : unsigned char { Pending, Ready, Threw };
// Loop: woken outside any task poll on the loop thread.
enum class WakeSource : unsigned char { Task, Timer, OtherThread, Loop };

// "spawn", "poll-begin", ...; "Pending", "Ready", "Threw"; "task", "timer",
// "other-thread", "loop".
const char* to_string(TraceKind k) noexcept;
const char* to_string(PollOutcome o) noexcept;
const char* to_string(WakeSource s) noexcept;

struct TraceEvent {
  TraceKind kind;
  std::uint64_t task;         // task id
  const char* task_name;      // "" if unnamed; valid during record()
  std::int64_t time_ns;       // since tracing started, steady clock
  PollOutcome outcome;        // PollEnd
  WakeSource source;          // Wake
  std::uint64_t source_task;  // Wake from a Task: its id, else 0
};

class TraceSink {
 public:
  virtual ~TraceSink();
  // One event, on the loop's thread.
  virtual void record(const TraceEvent& e) = 0;
  // No more events: flush, close what is open. Called by trace_to() when
  // the sink is replaced; safe to call more than once.
  virtual void finish() {}
};

// One readable line per event:
//
//     0.000 ms  #1 main        spawn
//     0.011 ms  #1 main        poll
//     0.013 ms  #2 worker      woken by task #1
//     0.014 ms  #1 main        poll -> Pending  (3 us)
//
// Writes to a std::FILE* (not owned; flushed by finish()) or appends to a
// std::string. Allocates nothing per event when writing to a FILE*.
class TextTraceSink final : public TraceSink {
 public:
  explicit TextTraceSink(std::FILE* out) noexcept : file_(out) {}
  explicit TextTraceSink(std::string* out) noexcept : str_(out) {}
  void record(const TraceEvent& e) override;
  void finish() override;

 private:
  std::FILE* file_ = nullptr;
  std::string* str_ = nullptr;
  std::int64_t poll_begin_ns_ = -1;  // of the poll in progress (polls never nest)
};

// Chrome Trace Event JSON (the "JSON Object Format"), which Perfetto
// (ui.perfetto.dev: Open trace file) and chrome://tracing open. One lane
// (tid) per task, named "#id name"; each poll a complete ("X") slice named
// "poll: Pending" / "poll: Ready" / "poll: Threw"; spawn, wake, complete and
// cancel as instant events on the task's lane; a wake by another task also
// as a flow arrow from the waker's poll to the woken task's next poll.
// Timestamps in microseconds since trace_to(). finish() (or the destructor)
// closes the JSON; a file that was not finished is not valid JSON.
class ChromeTraceSink final : public TraceSink {
 public:
  // Creates (truncates) `path`; ok() says whether that worked.
  explicit ChromeTraceSink(const std::string& path);
  // Appends to *out.
  explicit ChromeTraceSink(std::string* out);
  ~ChromeTraceSink() override;
  ChromeTraceSink(const ChromeTraceSink&) = delete;
  ChromeTraceSink& operator=(const ChromeTraceSink&) = delete;

  bool ok() const noexcept { return file_ != nullptr || str_ != nullptr; }
  void record(const TraceEvent& e) override;
  void finish() override;

 private:
  void write(const char* data, std::size_t n);
  void begin_if_needed();
  void name_lane(std::uint64_t task, const char* name);

  std::FILE* file_ = nullptr;  // owned
  std::string* str_ = nullptr;
  bool begun_ = false;
  bool finished_ = false;
  std::uint64_t next_flow_ = 1;
  std::vector<bool> named_;                                    // by task id
  std::vector<std::pair<std::uint64_t, std::int64_t>> polls_;  // open polls: task, begin
};

// The timeline as one self-contained SVG image: one lane per task (in the
// order they first appear), a box per poll coloured by its outcome, marks
// for wakes (an arrow from the waking task's lane, or a glyph for a timer,
// another thread or the loop), spawn / complete / cancel marks, a time axis
// and a legend. Keeps every event until finish() (or the destructor), which
// draws the picture and writes it.
class SvgTraceSink final : public TraceSink {
 public:
  explicit SvgTraceSink(const std::string& path);
  explicit SvgTraceSink(std::string* out);
  ~SvgTraceSink() override;
  SvgTraceSink(const SvgTraceSink&) = delete;
  SvgTraceSink& operator=(const SvgTraceSink&) = delete;

  void record(const TraceEvent& e) override;
  void finish() override;
  // The picture of the events so far (finish() writes this).
  std::string render() const;

 private:
  struct Stored {
    TraceKind kind;
    PollOutcome outcome;
    WakeSource source;
    std::uint64_t task;
    std::uint64_t source_task;
    std::int64_t time_ns;
  };
  std::string path_;
  std::string* str_ = nullptr;
  bool finished_ = false;
  std::vector<Stored> events_;
  std::vector<std::pair<std::uint64_t, std::string>> lanes_;  // task id, name; first-seen order
};

// One poll that took longer than the loop's slow-poll threshold.
struct SlowPoll {
  std::uint64_t task;                 // task id
  std::string name;                   // "" when unnamed
  std::chrono::nanoseconds duration;  // of the poll
  // The task's state tree (pollen::describe rendering) right after the poll:
  // where it stopped when it returned Pending; "Task [finished]" when it
  // returned Ready or threw (its future is gone by then).
  std::string tree;
};

POLLEN_NAMESPACE_END
