// Watching the event loop: the poll timeline (trace_to), the slow-poll
// detector, per-node introspection, the task dump, and every message the
// loop formats (with the library's own formatter, src/format.hpp).
//
// Ground rules
// * Off by default. Off, each place that could record an event tests one
//   pointer or flag in the core (event_loop.cpp): adopt tests `trace`, the
//   wake sites and finish() test `watching` (a sink or introspection), and
//   each poll tests `instrumented` (watching, or a slow-poll threshold) once
//   and runs the plain or the instrumented copy of its code. Everything
//   here is out of line (cold).
// * Only the instrumented poll reads the clock. A wake on the loop's thread
//   knows its source from the core: `firing_timers` (set while the timers
//   fire) wins, then `running` (the task being polled, or just polled and
//   finishing), else the loop itself. A wake through the cross-thread queue
//   is recorded when the loop takes it; the waking thread noted in the task
//   (under the queue mutex) whether it was the loop's own thread.
// * Sinks are called on the loop's thread only. The destructor turns
//   tracing off before it cancels the tasks: the sink may already be gone.
// * Introspection: the loop owns one PollObserver and passes it (nullptr
//   when off) in every task poll's Context. The observer needs each task's
//   wake count; TaskHeader has no room for it, so the counts live in a side
//   table, `task_wakes`, filled only while introspection is on: a wake on
//   the loop's thread counts one, a batch entry of the cross-thread queue
//   counts one. finish() then also forgets the task's nodes and its count.
#include <pollen/core/contract.hpp>
#include <pollen/runtime/event_loop.hpp>

#include "loop_core.hpp"
#include "trace_format.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

POLLEN_NAMESPACE_BEGIN
namespace detail {

namespace {
// "12.3 ms", "45.6 us", "789 ns".
std::string format_duration(std::int64_t ns) {
  std::string out;
  append_duration(out, ns);
  return out;
}
std::string indent(const std::string& text, const char* prefix) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out += prefix + text.substr(start, end - start) + "\n";
    start = end + 1;
  }
  return out;
}
// id and name never change after spawn.
std::string task_label(const TaskHeader* t) {
  if (t->name()[0] != '\0') return detail::format("task #{} \"{}\"", t->task_id(), t->name());
  return detail::format("task #{}", t->task_id());
}
const char kHandleThreadAdvice[] =
    "a JoinHandle belongs to the thread of its event loop (the thread that created the loop), "
    "for its whole life, also after the loop is gone: poll, abort, detach and drop it on that "
    "thread. To hand a task's result to another thread, send it from a task through a channel "
    "(pollen::oneshot)";

void emit(LoopCore& core, TraceKind kind, const TaskHeader* t, std::int64_t now,
          PollOutcome outcome = PollOutcome::Pending, WakeSource source = WakeSource::Loop,
          std::uint64_t source_task = 0) {
  TraceEvent e;
  e.kind = kind;
  e.task = t->task_id();
  e.task_name = t->name();
  e.time_ns = now - core.trace_start_ns;
  e.outcome = outcome;
  e.source = source;
  e.source_task = source_task;
  core.trace->record(e);
}

void report_slow_poll(LoopCore& core, const TaskHeader* t, std::int64_t ns) {
  SlowPoll sp;
  sp.task = t->task_id();
  sp.name = t->name();
  sp.duration = std::chrono::nanoseconds(ns);
  DescribeNode root;
  {
    Describer d(root, core.observer);
    t->vtable->describe(t, d);
  }
  sp.tree = render(root);
  if (core.on_slow_poll) {
    core.on_slow_poll(sp);
    return;
  }
  std::string who = detail::format("task #{}", sp.task);
  if (!sp.name.empty()) detail::format_to(who, " \"{}\"", sp.name);
  std::string msg = detail::format(
      "pollen: slow poll: {} ran for {} in one poll (event loop #{}, threshold {}).\n"
      "  Every other task waited meanwhile: move blocking work to spawn_blocking(),\n"
      "  or split long work with yield_now(). Its state after the poll:\n{}",
      who, format_duration(ns), core.id, format_duration(core.slow_threshold_ns),
      indent(sp.tree, "    "));
  std::fwrite(msg.data(), 1, msg.size(), stderr);
}
}  // namespace

// --- the messages ---------------------------------------------------------------
void report_wrong_loop_thread(const char* what, std::uint64_t loop_id) {
  contract_violation(detail::format(
      "{} called on event loop #{} from a thread other than the one that created it; a loop "
      "belongs to one thread (only its tasks' wakers may be used from others). Create one "
      "loop per thread, or wake a task of this loop from the other thread instead",
      what, loop_id));
}

void report_driving_during_teardown(const char* what, std::uint64_t loop_id) {
  contract_violation(detail::format(
      "{} of event loop #{} called while the loop is being destroyed (from a destructor "
      "that its teardown ran); the tasks are being cancelled and cannot be polled. Do not "
      "drive a loop from the destructor of one of its tasks' futures",
      what, loop_id));
}

void report_needs_virtual_clock(const char* what, std::uint64_t loop_id) {
  contract_violation(detail::format(
      "{} needs a virtual clock, and event loop #{} runs on the real steady clock; make the "
      "loop with a virtual clock (pollen::EventLoop loop(pollen::ClockKind::Virtual), or "
      "LoopOptions::clock) to control time",
      what, loop_id));
}

void report_handle_wrong_thread(const TaskHeader* t, const char* what) {
  contract_violation(detail::format("{} of {} called on a thread other than its event loop's; {}",
                                 what, task_label(t), kHandleThreadAdvice));
}

// The same, from a noexcept function: the message, then abort (as for
// ~EventLoop misused).
void report_handle_wrong_thread_noexcept(const TaskHeader* t, const char* what,
                                         const char* done) noexcept {
  std::string msg = detail::format(
      "pollen: {} {} {} on a thread other than its event loop's; {} (ContractError; aborting)\n",
      what, task_label(t), done, kHandleThreadAdvice);
  std::fwrite(msg.data(), 1, msg.size(), stderr);
  std::fflush(stderr);
  std::abort();
}

std::string describe_task_for_handle(const TaskHeader* t) {
  const TaskState s(t->state);
  const char* state = s.is_cancelled() ? "cancelled"
                      : s.is_failed()  ? "threw"
                      : s.is_complete() ? "finished"
                                        : "running";
  return detail::format("{}: {}", task_label(t), state);
}

#if POLLEN_HAS_EXCEPTIONS
void LoopCore::report_unhandled(const char* name, const std::exception_ptr& e) {
  if (on_unhandled) {
    on_unhandled(name, e);
    return;
  }
  std::string what = "an exception not derived from std::exception";
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    what = ex.what();
  } catch (...) {
  }
  std::string msg = detail::format(
      "pollen: task \"{}\" on event loop #{} ended with an unhandled exception: {} (its "
      "JoinHandle was dropped or detached; set_unhandled_exception_handler() changes what "
      "happens)\n",
      name, id, what);
  std::fwrite(msg.data(), 1, msg.size(), stderr);
}
#endif

// --- tracing and probes ---------------------------------------------------------
void LoopCore::trace_spawn(const TaskHeader* t) { emit(*this, TraceKind::Spawn, t, precise_now_ns()); }

void LoopCore::watch_local_wake(const TaskHeader* t) {
  if (TaskState(t->state).is_complete()) return;
  if (observer != nullptr) ++task_wakes[t];
  if (trace == nullptr) return;
  if (firing_timers) {
    emit(*this, TraceKind::Wake, t, precise_now_ns(), PollOutcome::Pending, WakeSource::Timer);
  } else if (running != nullptr) {
    emit(*this, TraceKind::Wake, t, precise_now_ns(), PollOutcome::Pending, WakeSource::Task,
         running->task_id());
  } else {
    emit(*this, TraceKind::Wake, t, precise_now_ns(), PollOutcome::Pending, WakeSource::Loop);
  }
}

void LoopCore::watch_remote_wake(const TaskHeader* t, bool from_loop_thread) {
  if (TaskState(t->state).is_complete()) return;
  if (observer != nullptr) ++task_wakes[t];
  if (trace == nullptr) return;
  emit(*this, TraceKind::Wake, t, precise_now_ns(), PollOutcome::Pending,
       from_loop_thread ? WakeSource::Loop : WakeSource::OtherThread);
}

void LoopCore::watch_finish(const TaskHeader* t, bool cancelled) {
  if (trace != nullptr && t != complete_after_poll_end) {
    emit(*this, cancelled ? TraceKind::Cancel : TraceKind::Complete, t, precise_now_ns());
  }
  if (observer != nullptr) {
    observer->forget_range(t, t->vtable->block_size);
    task_wakes.erase(t);
  }
}

std::int64_t LoopCore::probe_begin(TaskHeader* t) {
  if (observer != nullptr) {
    auto it = task_wakes.find(t);
    observer->begin_task_poll(it != task_wakes.end() ? it->second : 0);
  }
  if (trace == nullptr && slow_threshold_ns <= 0) return kNoClock;
  const std::int64_t now = precise_now_ns();
  if (trace != nullptr) emit(*this, TraceKind::PollBegin, t, now);
  return now;
}

void LoopCore::probe_end(TaskHeader* t, std::int64_t begin, PollOutcome outcome) {
  if (trace == nullptr && slow_threshold_ns <= 0) return;
  const std::int64_t now = precise_now_ns();
  if (trace != nullptr) emit(*this, TraceKind::PollEnd, t, now, outcome);
  if (slow_threshold_ns > 0 && begin != kNoClock && now - begin > slow_threshold_ns) {
    report_slow_poll(*this, t, now - begin);
  }
}

// The poll's slice ends after finish(), so a trace shows each wake that the
// finishing causes inside the slice of the task that caused it (a Chrome
// trace's flow arrow starts there). The Complete event still follows the
// PollEnd. An extra reference keeps the block (its id, name and state tree)
// readable past finish(), which may give the owner's reference back.
void LoopCore::finish_polled(TaskHeader* t, std::int64_t begin, PollOutcome outcome) {
  struct Hold {
    LoopCore& core;
    TaskHeader* t;
    ~Hold() {
      core.complete_after_poll_end = nullptr;
      task_release(t);
    }
  } hold{*this, t};
  t->refs.retain();
  complete_after_poll_end = t;
  finish(t);
  complete_after_poll_end = nullptr;
  probe_end(t, begin, outcome);
  if (trace != nullptr) emit(*this, TraceKind::Complete, t, precise_now_ns());
}

}  // namespace detail

// --- EventLoop: the dump, tracing, slow polls, introspection ----------------------
std::vector<TaskSnapshot> EventLoop::dump_tasks() const {
  // The live tasks are the slab's live blocks, in spawn order.
  std::vector<const detail::TaskHeader*> live;
  core_->slab.for_each_block([&live](const detail::TaskHeader* t) {
    if (detail::TaskState(t->state).is_live()) live.push_back(t);
  });
  std::sort(live.begin(), live.end(), [](const detail::TaskHeader* a, const detail::TaskHeader* b) {
    return a->task_id() < b->task_id();
  });
  std::vector<TaskSnapshot> out;
  out.reserve(live.size());
  const std::int64_t now = detail::coarse_now_ns();
  for (const detail::TaskHeader* t : live) {
    const detail::TaskState s(t->state);
    TaskSnapshot snap;
    snap.id = t->task_id();
    snap.name = t->name();
    if (t == core_->running) {
      snap.state = "running";
      snap.tree.name = "(being polled)";
    } else {
      snap.state = s.is_queued() ? "ready" : "waiting";
      // Waiting: `link` holds the time its last poll returned Pending.
      if (!s.is_queued() && now > t->link.idle_since) {
        snap.waiting = std::chrono::nanoseconds(now - t->link.idle_since);
      }
      Describer d(snap.tree, core_->observer);
      t->vtable->describe(t, d);
    }
    out.push_back(std::move(snap));
  }
  return out;
}

std::string EventLoop::dump_tasks_text() const {
  std::string out;
  for (const TaskSnapshot& s : dump_tasks()) {
    std::string head = detail::format("task #{}", s.id);
    if (!s.name.empty()) detail::format_to(head, " \"{}\"", s.name);
    detail::format_to(head, " [{}", s.state);
    if (std::string(s.state) == "waiting") {
      detail::format_to(head, " for {:.1f} ms", static_cast<double>(s.waiting.count()) / 1e6);
    }
    out += head + "]\n";
    out += detail::indent(render(s.tree), "  ");
  }
  return out;
}

void EventLoop::trace_to(TraceSink* sink) {
  core_->check_thread("EventLoop::trace_to");
  TraceSink* previous = core_->trace;
  if (sink != previous) core_->trace_start_ns = detail::precise_now_ns();
  core_->trace = sink;
  core_->update_instrumented();
  if (previous != nullptr && previous != sink) previous->finish();
}

TraceSink* EventLoop::trace_sink() const noexcept { return core_->trace; }

void EventLoop::set_slow_poll_threshold(std::chrono::nanoseconds d) {
  core_->check_thread("EventLoop::set_slow_poll_threshold");
  core_->slow_threshold_ns = d.count() > 0 ? static_cast<std::int64_t>(d.count()) : 0;
  core_->update_instrumented();
}

std::chrono::nanoseconds EventLoop::slow_poll_threshold() const noexcept {
  return std::chrono::nanoseconds(core_->slow_threshold_ns);
}

void EventLoop::set_slow_poll_handler(SlowPollHandler handler) {
  core_->check_thread("EventLoop::set_slow_poll_handler");
  core_->on_slow_poll = std::move(handler);
}

void EventLoop::set_introspection(bool on) {
  core_->check_thread("EventLoop::set_introspection");
  detail::LoopCore& core = *core_;
  if (on == (core.observer != nullptr)) return;
  if (on) {
    if (!core.observer_storage) core.observer_storage.reset(new PollObserver());
    core.observer = core.observer_storage.get();
  } else {
    // Kept (cleared), not freed: a poll running now may still hold it.
    core.observer = nullptr;
    core.observer_storage->clear();
    core.task_wakes.clear();
  }
  core.update_instrumented();
}

bool EventLoop::introspection() const noexcept { return core_->observer != nullptr; }

const PollObserver* EventLoop::poll_observer() const noexcept { return core_->observer; }

POLLEN_NAMESPACE_END
