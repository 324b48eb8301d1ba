// pollen/runtime/task.hpp: a spawned task, as the event loop keeps it.
//
// A task is ONE block of its loop's task slab: a 32-byte TaskHeader that the
// (non-template) loop in src/runtime/ understands, followed by a union that
// holds the future while it runs, then its output once it is Ready (or the
// exception its poll threw), followed by a copy of the task's name when it
// has one. Everything the loop does to a task goes through the header and its
// TaskVTable; only the small functions of the table are templates.
//
//   TaskHeader (32 bytes)                         the slot           the name
//   [vtable|link|refs state remote stage|id]  [future / output / error] ["name\0"]
//
// The header holds only what scheduling reads: the table, the ready queue's
// link, the reference count, the state word, the cross-thread flag, the
// slot's stage, and the id (for reports). Everything else lives elsewhere:
// the loop (and its thread's token) in the header of the slab chunk the
// block sits in (found from the block's address, see
// src/runtime/task_slab.hpp); the name behind the slot (bit 63 of `id` says
// there is one); the JoinHandle's waker in a loop-side table while a handle
// waits; the exception in the slot; the time since the task went idle in
// `link` (unused while it is not queued); introspection's counts in
// loop-side tables that exist only while introspection is on.
//
// Ground rules (the full story is at the top of src/runtime/event_loop.cpp)
// * Who owns the block: a reference count. One reference, the "owner"
//   reference, is shared by the loop (while the task has not finished) and
//   the JoinHandle (while it exists); the state bits kLive and kHandle say
//   which of the two still hold it. Every Waker of the task holds one more,
//   and so does the task's place in the loop's cross-thread queue. The block
//   goes back to its slab when the count reaches zero, on whichever thread
//   drops it last (the slab takes it back on any thread, also after the loop
//   is gone).
// * Which thread touches what: `state`, `stage`, `link` and the slot belong
//   to the loop's thread. Other threads touch only `refs` and `remote`. `id`
//   is written at spawn and never changes.
// * Finishing: kComplete is set BEFORE the future is destroyed (abort, a
//   throw, the loop's destructor) so that nothing its destructor does (wake
//   its own task, abort it) can queue the task again: a finished task is
//   never in the ready queue, and is finished exactly once.
// * The slot (valid per `stage`): Future: the future is alive; Output: the
//   output is alive; Error: the exception its poll threw; Empty: nothing
//   (cancelled, or the result was taken).
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

struct TaskHeader;

// What one poll of a task's future did.
enum class POLLEN_NODISCARD_TYPE TaskPoll : unsigned char {
  Pending,  // the future is still in the slot
  Ready,    // the future was destroyed and its output is in the slot
};

// What the slot holds.
enum class TaskStage : unsigned char { Future, Output, Error, Empty };

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
  // Runs the block's destructor and gives the block back to its slab. The
  // slot must be Empty.
  void (*deallocate)(TaskHeader* t) noexcept;
  // The slot's address (where the loop keeps the exception of a failed poll).
  void* (*slot)(TaskHeader* t) noexcept;
  // sizeof the block without its name: the future lives in [t, t +
  // block_size) (what the loop's PollObserver forgets when the task
  // finishes), and the name, if any, starts at t + block_size.
  std::size_t block_size;
};

struct TaskHeader {
  explicit TaskHeader(const TaskVTable* vt) noexcept : vtable(vt) { link.next = nullptr; }
  TaskHeader(const TaskHeader&) = delete;
  TaskHeader& operator=(const TaskHeader&) = delete;

  // Bit 63 of `id`: a copy of the name follows the block.
  static constexpr std::uint64_t kNamed = std::uint64_t{1} << 63;

  const TaskVTable* vtable;   // nullptr: a free block of the slab
  union Link {
    TaskHeader* next;         // in the ready queue (kQueued), or in a free list
    std::int64_t idle_since;  // waiting (not queued): the coarse clock when its
                              // last poll returned Pending (dump_tasks())
  } link;
  RefCount refs;              // starts with the owner reference
  std::uint16_t state = 0;    // the state word (src/runtime/task_state.hpp), loop thread
  std::atomic<bool> remote{false};  // in (or being put in) the cross-thread queue
  TaskStage stage = TaskStage::Future;
  std::uint64_t id = 0;       // 1, 2, 3, ... per loop, | kNamed; set at spawn

  std::uint64_t task_id() const noexcept { return id & ~kNamed; }
  const char* name() const noexcept {
    return (id & kNamed) ? reinterpret_cast<const char*>(this) + vtable->block_size : "";
  }
};

// Gives a block back to the slab it came from (any thread; also after its
// loop is gone). src/runtime/task_slab.cpp.
void task_free(TaskHeader* t) noexcept;

// The block for a future of type F.
template <class F>
struct Task final : TaskHeader {
  using Output = output_t<F>;

  explicit Task(F&& f) : TaskHeader(&kVTable) { ::new (static_cast<void*>(&slot.future)) F(std::move(f)); }

  union Slot {
    F future;       // valid in Stage::Future
    Output output;  // valid in Stage::Output
#if POLLEN_HAS_EXCEPTIONS
    std::exception_ptr error;  // valid in Stage::Error (the loop manages it)
#endif
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
      case TaskStage::Error:
      case TaskStage::Empty: d.node("Task", "finished"); break;
    }
  }
  static void deallocate(TaskHeader* h) noexcept {
    Task* t = self(h);
    t->~Task();
    task_free(h);
  }
  static void* slot_address(TaskHeader* h) noexcept { return &self(h)->slot; }

  static const TaskVTable kVTable;
};

template <class F>
const TaskVTable Task<F>::kVTable = {&Task::poll,     &Task::drop_future, &Task::take_output,
                                     &Task::drop_output, &Task::describe, &Task::deallocate,
                                     &Task::slot_address, sizeof(Task<F>)};

// Builds the task for `f` in `mem` (a block of the loop's slab of at least
// task_block_size<F>(name_len) bytes), followed by a copy of `name`.
template <class F>
TaskHeader* construct_task(void* mem, F&& f, const char* name, std::size_t name_len) {
  static_assert(alignof(Task<F>) <= alignof(std::max_align_t),
                "pollen: a spawned future must not be over-aligned (alignas larger than "
                "alignof(std::max_align_t)); box it or lower its alignment");
  Task<F>* t = ::new (mem) Task<F>(std::move(f));
  if (name_len != 0) {
    char* copy = static_cast<char*>(mem) + sizeof(Task<F>);
    std::memcpy(copy, name, name_len);
    copy[name_len] = '\0';
    t->id = TaskHeader::kNamed;
  }
  return t;
}
template <class F>
constexpr std::size_t task_block_size(std::size_t name_len) {
  return sizeof(Task<F>) + (name_len != 0 ? name_len + 1 : 0);
}

// Drops one reference to a task block; frees it when it was the last one.
// Any thread.
void task_release(TaskHeader* t) noexcept;

}  // namespace detail
POLLEN_NAMESPACE_END
