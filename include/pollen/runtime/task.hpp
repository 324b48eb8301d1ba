// pollen/runtime/task.hpp: a spawned task, as the event loop keeps it.
//
// A task is ONE heap block: a TaskHeader that the (non-template) loop in
// src/runtime/ understands, followed by a union that holds the future while
// it runs and its output once it is Ready, followed by a copy of the task's
// name. Everything the loop does to a task goes through the header and its
// TaskVTable; only the five small functions of the table are templates.
//
// Ground rules (the full story is at the top of src/runtime/event_loop.cpp)
// * Who owns the block: a reference count. One reference, the "owner"
//   reference, is shared by the loop (while the task has not finished) and
//   the JoinHandle (while it exists); the state bits kLive and kHandle say
//   which of the two still hold it. Every Waker of the task holds one more, and so
//   does the task's place in the loop's cross-thread queue. The block is
//   freed when the count reaches zero, on whichever thread drops it last.
// * Which thread touches what: `state`, `stage`, the links of the ready
//   queue and the live list, `join_waker` and the slot belong to the loop's
//   thread. Other threads touch only `refs`, `remote_queued` and (under the
//   loop's queue mutex) `next_remote`. A JoinHandle reads `thread_token`
//   (written at spawn, never changed) before anything else, and refuses to
//   go on on another thread.
// * Finishing: kComplete is set BEFORE the future is destroyed (abort, a
//   throw, the loop's destructor) so that nothing its destructor does (wake
//   its own task, abort it) can queue the task again: a finished task is
//   never in the ready queue, and is finished exactly once.
// * The slot (valid per `stage`): Stage::Future: the future is alive;
//   Stage::Output: the output is alive; Stage::Empty: nothing (cancelled,
//   threw, or the output was taken).
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/context.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/option.hpp>
#include <pollen/core/ref_count.hpp>
#include <pollen/core/waker.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

#if POLLEN_HAS_EXCEPTIONS
#include <exception>
#endif

POLLEN_NAMESPACE_BEGIN
namespace detail {

class LoopShared;
struct TaskHeader;

// What one poll of a task's future did.
enum class POLLEN_NODISCARD_TYPE TaskPoll : unsigned char {
  Pending,  // the future is still in the slot
  Ready,    // the future was destroyed and its output is in the slot
};

// What the slot holds.
enum class TaskStage : unsigned char { Future, Output, Empty };

// The template half of a task: one table per future type.
struct TaskVTable {
  // Polls the future (Stage::Future). Ready: the future has been destroyed
  // and the output constructed in its place (Stage::Output).
  TaskPoll (*poll)(TaskHeader* t, Context& cx);
  // Destroys the future (cancellation, or after its poll threw).
  void (*drop_future)(TaskHeader* t) noexcept;
  // Moves the output into *static_cast<Option<Output>*>(dst), then destroys it.
  void (*take_output)(TaskHeader* t, void* dst);
  // Destroys the output nobody will read.
  void (*drop_output)(TaskHeader* t) noexcept;
  // Describes the future (Stage::Future) or says what the slot holds (with
  // the Describer's PollObserver, if it has one).
  void (*describe)(const TaskHeader* t, Describer& d);
  // Runs the block's destructor and frees it. The slot must be Empty.
  void (*deallocate)(TaskHeader* t) noexcept;
  // sizeof the block without its name: the future lives in
  // [t, t + block_size) (what the loop's PollObserver forgets when the task
  // finishes).
  std::size_t block_size;
};

struct TaskHeader {
  explicit TaskHeader(const TaskVTable* vt) noexcept : vtable(vt) {}
  TaskHeader(const TaskHeader&) = delete;
  TaskHeader& operator=(const TaskHeader&) = delete;

  const TaskVTable* vtable;
  LoopShared* shared = nullptr;        // set at spawn, never changes
  TaskHeader* next_ready = nullptr;    // local ready queue link, valid while kQueued
  TaskHeader* next_remote = nullptr;   // cross-thread queue link, under the queue mutex
  TaskHeader* prev_live = nullptr;     // the loop's list of live tasks, valid while kLive
  TaskHeader* next_live = nullptr;
  RefCount refs;                       // starts with the owner reference
  std::atomic<bool> remote_queued{false};  // in (or being put in) the cross-thread queue
  std::uint16_t state = 0;             // the state word (src/runtime/task_state.hpp), loop thread only
  TaskStage stage = TaskStage::Future;
  // Set by the thread that puts the task in the cross-thread queue (under
  // the queue mutex): that thread was the loop's own (a wake between turns).
  // Read by the loop when it takes the batch; tells the trace's wake source.
  // Fills padding: sizeof(TaskHeader) does not change.
  bool remote_wake_from_loop_thread = false;
  // The thread of the task's loop, as a number (one per thread that created
  // a loop; never reused, never 0). Set at spawn, never changed: a JoinHandle
  // compares it with its own thread's before touching the task. Fills
  // padding: sizeof(TaskHeader) does not change.
  std::uint32_t thread_token = 0;
  const char* name = "";               // points into this block (or at a literal "")
  std::uint64_t id = 0;                // 1, 2, 3, ... per loop
  std::int64_t waiting_since_ns = 0;   // steady clock, when its last poll returned Pending
  Waker join_waker;                    // the JoinHandle's waker, loop thread
#if POLLEN_HAS_EXCEPTIONS
  std::exception_ptr error;            // valid while kFailed
#endif
};

// The block for a future of type F.
template <class F>
struct Task final : TaskHeader {
  using Output = output_t<F>;

  explicit Task(F&& f) : TaskHeader(&kVTable) { ::new (static_cast<void*>(&slot.future)) F(std::move(f)); }

  union Slot {
    F future;       // valid in Stage::Future
    Output output;  // valid in Stage::Output
    Slot() noexcept {}
    ~Slot() {}
  } slot;

  static Task* self(TaskHeader* h) noexcept { return static_cast<Task*>(h); }
  static const Task* self(const TaskHeader* h) noexcept { return static_cast<const Task*>(h); }

  static TaskPoll poll(TaskHeader* h, Context& cx) {
    Task* t = self(h);
    Poll<Output> p = t->slot.future.poll(cx);
    if (p.is_pending()) return TaskPoll::Pending;
    t->stage = TaskStage::Empty;  // safe to destroy from here on, even if a move throws
    t->slot.future.~F();
    ::new (static_cast<void*>(&t->slot.output)) Output(std::move(p).value());
    t->stage = TaskStage::Output;
    return TaskPoll::Ready;
  }
  static void drop_future(TaskHeader* h) noexcept {
    if (h->stage != TaskStage::Future) return;
    h->stage = TaskStage::Empty;
    self(h)->slot.future.~F();
  }
  static void take_output(TaskHeader* h, void* dst) {
    Task* t = self(h);
    static_cast<Option<Output>*>(dst)->emplace(std::move(t->slot.output));
    drop_output(h);
  }
  static void drop_output(TaskHeader* h) noexcept {
    if (h->stage != TaskStage::Output) return;
    h->stage = TaskStage::Empty;
    self(h)->slot.output.~Output();
  }
  static void describe(const TaskHeader* h, Describer& d) {
    const Task* t = self(h);
    switch (t->stage) {
      case TaskStage::Future: d.describe_here(t->slot.future); break;
      case TaskStage::Output: d.node("Task", "finished: output waiting for its JoinHandle"); break;
      case TaskStage::Empty: d.node("Task", "finished"); break;
    }
  }
  static void deallocate(TaskHeader* h) noexcept {
    Task* t = self(h);
    t->~Task();
    ::operator delete(static_cast<void*>(t));
  }

  static const TaskVTable kVTable;
};

template <class F>
const TaskVTable Task<F>::kVTable = {&Task::poll,     &Task::drop_future, &Task::take_output,
                                     &Task::drop_output, &Task::describe, &Task::deallocate,
                                     sizeof(Task<F>)};

// Allocates the one block of a task: Task<F> followed by a copy of `name`
// (when it is not empty).
template <class F>
TaskHeader* new_task(F&& f, const char* name, std::size_t name_len) {
  static_assert(alignof(Task<F>) <= alignof(std::max_align_t),
                "pollen: a spawned future must not be over-aligned (alignas larger than "
                "alignof(std::max_align_t)); box it or lower its alignment");
  const std::size_t size = sizeof(Task<F>) + (name_len != 0 ? name_len + 1 : 0);
  void* mem = ::operator new(size);
  Task<F>* t;
#if POLLEN_HAS_EXCEPTIONS
  try {
    t = ::new (mem) Task<F>(std::move(f));
  } catch (...) {
    ::operator delete(mem);
    throw;
  }
#else
  t = ::new (mem) Task<F>(std::move(f));
#endif
  if (name_len != 0) {
    char* copy = static_cast<char*>(mem) + sizeof(Task<F>);
    std::memcpy(copy, name, name_len);
    copy[name_len] = '\0';
    t->name = copy;
  }
  return t;
}

}  // namespace detail
POLLEN_NAMESPACE_END

POLLEN_NAMESPACE_BEGIN
namespace detail {
// Drops one reference to a task block; frees it when it was the last one.
// Any thread.
void task_release(TaskHeader* t) noexcept;
}  // namespace detail
POLLEN_NAMESPACE_END
