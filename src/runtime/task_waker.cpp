// The task's waker: its table (clone, wake, wake_by_ref, drop), the task's
// reference count, and the cross-thread queue that wakes from outside the
// loop's turns go through. The rules are at the top of event_loop.cpp ("What
// a wake does, by where it comes from").
#include <pollen/runtime/task.hpp>

#include "loop_core.hpp"

#include <mutex>

POLLEN_NAMESPACE_BEGIN
namespace detail {

namespace {
TaskHeader* header(const void* data) { return static_cast<TaskHeader*>(const_cast<void*>(data)); }

// On the loop's thread during one of its turns: one test of the state and a
// push (LoopCore::schedule()). Anywhere else: the cross-thread queue.
void task_wake_by_ref(const void* data) {
  TaskHeader* t = header(data);
  TaskChunk* c = chunk_of(t);
  if (c->shared == t_running) {
    LoopCore* core = c->core;  // valid: the loop is running
    ++core->stats.wakes;
    if (POLLEN_UNLIKELY(core->watching)) core->watch_local_wake(t);
    core->schedule(t);
    return;
  }
  wake_remote(t, c->shared);
}
void task_wake(const void* data) {
  task_wake_by_ref(data);
  TaskHeader* t = header(data);
  if (t->refs.release()) t->vtable->deallocate(t);  // task_release(), inline
}
void task_drop(const void* data) { task_release(header(data)); }
RawWaker task_clone(const void* data) {
  header(data)->refs.retain();
  return RawWaker{data, &kTaskWakerVTable};
}
}  // namespace

const WakerVTable kTaskWakerVTable = {task_clone, task_wake, task_wake_by_ref, task_drop};

void wake_remote(TaskHeader* t, LoopShared* s) noexcept {
  s->remote_wakes.fetch_add(1, std::memory_order_relaxed);
  if (t->remote.exchange(true, std::memory_order_acq_rel)) return;  // already queued
  t->refs.retain();                                                // the queue's
  const std::uintptr_t from_loop_thread = t_thread_token == s->thread_token ? 1 : 0;
  {
    std::lock_guard<std::mutex> lock(s->mu);
    if (!s->closed) {
      // Never reallocates: the slab reserved room for all its blocks.
      s->queue.push_back(reinterpret_cast<std::uintptr_t>(t) | from_loop_thread);
      s->signal_locked();
      return;
    }
  }
  task_release(t);  // the loop is gone: nothing to do
}

void task_release(TaskHeader* t) noexcept {
  if (t->refs.release()) t->vtable->deallocate(t);  // back to the slab, any thread
}

}  // namespace detail
POLLEN_NAMESPACE_END
