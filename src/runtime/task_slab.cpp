// TaskSlab: the loop's allocator of task blocks. The ground rules are at
// the top of task_slab.hpp.
#include "task_slab.hpp"

#include "loop_core.hpp"

#include <mutex>
#include <new>

POLLEN_NAMESPACE_BEGIN
namespace detail {

constexpr std::size_t TaskSlab::kMaxBlocksPerChunk;

namespace {
std::size_t round_up(std::size_t n, std::size_t to) noexcept { return (n + to - 1) / to * to; }
unsigned floor_log2(std::size_t n) noexcept {
  return 63u - static_cast<unsigned>(__builtin_clzll(static_cast<unsigned long long>(n)));
}
}  // namespace

std::uint16_t TaskSlab::class_of(std::size_t size, std::size_t align) noexcept {
  if (align > 8) size = round_up(size, 16);
  if (size <= 256) return static_cast<std::uint16_t>(round_up(size, 8) / 8 - 1);
  if (size > kMaxSmallBlock) return kLargeClass;
  // (2^k, 2^(k+1)], k = 8..12: four steps of 2^(k-2).
  const unsigned k = floor_log2(size - 1);
  const std::size_t step_index = (size - 1 - (std::size_t{1} << k)) >> (k - 2);
  return static_cast<std::uint16_t>(32 + (k - 8) * 4 + step_index);
}

std::size_t TaskSlab::class_size(std::uint16_t c) noexcept {
  if (c < 32) return (std::size_t{c} + 1) * 8;
  const unsigned k = 8 + (c - 32u) / 4;
  const std::size_t step_index = (c - 32u) % 4;
  return (std::size_t{1} << k) + (step_index + 1) * (std::size_t{1} << (k - 2));
}

void* TaskSlab::allocate(std::size_t size, std::size_t align) {
  const std::uint16_t cls = class_of(size, align);
  if (cls != kLargeClass) {
    TaskChunk* c = classes_[cls].current;
    if (c != nullptr) {
      if (TaskHeader* t = c->free_list) {
        c->free_list = t->link.next;
        ++c->used;
        return t;
      }
      if (c->bump < c->capacity) {
        ++c->used;
        return c->block(c->bump++);
      }
    }
  }
  return allocate_slow(cls, size);
}

void* TaskSlab::allocate_slow(std::uint16_t cls, std::size_t size) {
  if (cls == kLargeClass) {
    TaskChunk* c = new_chunk(kLargeClass, size);
    c->used = 1;
    c->bump = 1;
    return c->block(0);
  }
  reclaim();  // blocks freed on other threads may make room
  Class& k = classes_[cls];
  TaskChunk* c = k.current;
  if (c == nullptr || !c->has_room()) {
    // The current chunk is full (it joins the room list when a block of it
    // is freed): take another chunk of the class with room, the spare, or
    // a new one.
    if (k.room != nullptr) {
      c = k.room;
      room_remove(c);
    } else if (spare_ != nullptr) {
      c = spare_;
      spare_ = nullptr;
      format(c, cls, class_size(cls));
    } else {
      c = new_chunk(cls, class_size(cls));
    }
    k.current = c;
  }
  if (TaskHeader* t = c->free_list) {
    c->free_list = t->link.next;
    ++c->used;
    return t;
  }
  ++c->used;
  return c->block(c->bump++);
}

void TaskSlab::format(TaskChunk* c, std::uint16_t cls, std::size_t size) noexcept {
  capacity_ -= c->capacity;
  c->size_class = cls;
  c->block_size = static_cast<std::uint32_t>(size);
  c->capacity = cls == kLargeClass
                    ? 1u
                    : static_cast<std::uint32_t>((kChunkBytes - kChunkHeaderBytes) / size);
  c->used = 0;
  c->bump = 0;
  c->free_list = nullptr;
  capacity_ += c->capacity;
}

TaskChunk* TaskSlab::new_chunk(std::uint16_t cls, std::size_t size) {
  const std::size_t bytes = cls == kLargeClass ? kChunkHeaderBytes + size : kChunkBytes;
  // The cross-thread queue first: it must hold every block of every chunk.
  core_->reserve_remote((chunk_count_ + 1) * kMaxBlocksPerChunk);
  void* raw = ::operator new(bytes + kChunkBytes);  // the slack aligns it
  const std::uintptr_t base =
      (reinterpret_cast<std::uintptr_t>(raw) + kChunkBytes - 1) & ~(std::uintptr_t{kChunkBytes} - 1);
  TaskChunk* c = ::new (reinterpret_cast<void*>(base)) TaskChunk();
  c->shared = shared_;
  c->core = core_;
  c->slab = this;
  c->allocation = raw;
  c->thread_token = thread_token_;
  c->capacity = 0;
  c->orphaned = false;
  c->in_room_list = false;
  c->room_prev = c->room_next = nullptr;
  format(c, cls, size);
  c->prev = nullptr;
  c->next = chunks_;
  if (chunks_ != nullptr) chunks_->prev = c;
  chunks_ = c;
  ++chunk_count_;
  return c;
}

void TaskSlab::release(TaskChunk* c) noexcept {
  if (c->in_room_list) room_remove(c);
  if (c->prev != nullptr) {
    c->prev->next = c->next;
  } else {
    chunks_ = c->next;
  }
  if (c->next != nullptr) c->next->prev = c->prev;
  capacity_ -= c->capacity;
  --chunk_count_;
  ::operator delete(c->allocation);
}

void TaskSlab::room_push(TaskChunk* c) noexcept {
  Class& k = classes_[c->size_class];
  c->room_prev = nullptr;
  c->room_next = k.room;
  if (k.room != nullptr) k.room->room_prev = c;
  k.room = c;
  c->in_room_list = true;
}

void TaskSlab::room_remove(TaskChunk* c) noexcept {
  Class& k = classes_[c->size_class];
  if (c->room_prev != nullptr) {
    c->room_prev->room_next = c->room_next;
  } else {
    k.room = c->room_next;
  }
  if (c->room_next != nullptr) c->room_next->room_prev = c->room_prev;
  c->room_prev = c->room_next = nullptr;
  c->in_room_list = false;
}

void TaskSlab::free_local(TaskChunk* c, TaskHeader* t) noexcept {
  const bool was_full = !c->has_room();
  t->vtable = nullptr;  // free: walks skip it
  t->link.next = c->free_list;
  c->free_list = t;
  --c->used;
  if (walking_ != 0) return;  // room lists and empty chunks: after the walk
  if (c->used == 0) {
    if (c->size_class == kLargeClass) {
      release(c);
      return;
    }
    Class& k = classes_[c->size_class];
    c->free_list = nullptr;  // start afresh from the first block
    c->bump = 0;
    if (c == k.current) return;
    if (c->in_room_list) room_remove(c);
    if (spare_ == nullptr) {
      spare_ = c;
    } else {
      release(c);
    }
    return;
  }
  if (was_full && c != classes_[c->size_class].current) room_push(c);
}

void TaskSlab::release_empty_after_walk() noexcept {
  TaskChunk* next = nullptr;
  for (TaskChunk* c = chunks_; c != nullptr; c = next) {
    next = c->next;
    if (c == spare_) continue;
    if (c->size_class == kLargeClass) {
      if (c->used == 0) release(c);
      continue;
    }
    Class& k = classes_[c->size_class];
    if (c == k.current) continue;
    if (c->used == 0) {
      if (c->in_room_list) room_remove(c);
      c->free_list = nullptr;
      c->bump = 0;
      if (spare_ == nullptr) {
        spare_ = c;
      } else {
        release(c);
      }
    } else if (c->has_room() && !c->in_room_list) {
      room_push(c);
    }
  }
}

void TaskSlab::reclaim() noexcept {
  if (!shared_->has_freed.load(std::memory_order_relaxed)) return;
  TaskHeader* list;
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    list = shared_->freed;
    shared_->freed = nullptr;
    shared_->has_freed.store(false, std::memory_order_relaxed);
  }
  while (list != nullptr) {
    TaskHeader* t = list;
    list = t->link.next;
    free_local(chunk_of(t), t);
  }
}

void TaskSlab::orphan() noexcept {
  TaskChunk* empty = nullptr;  // to give back, through `next`
  {
    std::lock_guard<std::mutex> lock(shared_->mu);
    for (TaskHeader* t = shared_->freed; t != nullptr;) {
      TaskHeader* next = t->link.next;
      TaskChunk* c = chunk_of(t);
      t->vtable = nullptr;
      --c->used;
      t = next;
    }
    shared_->freed = nullptr;
    shared_->has_freed.store(false, std::memory_order_relaxed);
    TaskChunk* next = nullptr;
    for (TaskChunk* c = chunks_; c != nullptr; c = next) {
      next = c->next;
      if (c->used == 0) {
        c->next = empty;
        empty = c;
      } else {
        c->orphaned = true;  // its last block frees it (task_free)
        shared_->retain();
      }
    }
  }
  chunks_ = nullptr;
  spare_ = nullptr;
  for (Class& k : classes_) k = Class();
  while (empty != nullptr) {
    TaskChunk* c = empty;
    empty = c->next;
    ::operator delete(c->allocation);
  }
}

void task_free(TaskHeader* t) noexcept {
  TaskChunk* c = chunk_of(t);
  if (c->thread_token == t_thread_token && !c->orphaned) {
    c->slab->free_local(c, t);
    return;
  }
  LoopShared* s = c->shared;
  bool last = false;
  {
    std::lock_guard<std::mutex> lock(s->mu);
    if (!c->orphaned) {  // the loop lives: it takes the block back later
      t->link.next = s->freed;
      s->freed = t;
      s->has_freed.store(true, std::memory_order_relaxed);
      return;
    }
    last = --c->used == 0;
  }
  if (last) {
    ::operator delete(c->allocation);
    s->release();  // the orphaned chunk's reference
  }
}

}  // namespace detail
POLLEN_NAMESPACE_END
