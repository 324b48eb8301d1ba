// src/runtime/task_slab.hpp: TaskSlab, the loop's allocator of task blocks
// (private to src/runtime).
//
// Ground rules
// * Chunks. Task blocks live in chunks of kChunkBytes (64 KiB), each aligned
//   to its size, so a block's chunk is its address with the low bits
//   cleared (chunk_of()). The chunk's header says whose it is (the loop's
//   LoopShared and LoopCore, the loop's thread token) so the task header
//   need not: a waker finds its loop there. A small chunk holds blocks of
//   one size class; a block larger than kMaxSmallBlock gets a chunk of its
//   own (a large chunk: the header, then the block, aligned the same way).
// * Size classes: 8-byte steps up to 256 bytes, then four steps per doubling
//   up to kMaxSmallBlock (a class's size is a multiple of 16 from 256 on, and
//   a block that needs 16-byte alignment is rounded up to a multiple of 16
//   first, so its class keeps it aligned).
// * Occupancy replaces a list of live tasks: walking every chunk's blocks
//   [0, bump) and keeping those whose vtable is set (a free block's vtable is
//   nullptr) and whose state says live visits every unfinished task. Only the
//   loop's thread walks, allocates, or frees into a chunk's free list.
// * Freeing on another thread (the last reference of a finished task was a
//   waker dropped elsewhere): the block goes on LoopShared::freed under the
//   queue mutex, and the loop takes those back (reclaim()) when it needs
//   room or is about to sleep. Such a thread writes only the block's `link`;
//   a walk reads only `vtable` and `state`, so the two never race.
// * Chunks come from ::operator new (visible to allocation counters and to a
//   replaced global operator new), over-allocated by kChunkBytes to align
//   them. A chunk whose blocks are all free is given back, except one spare
//   kept for the next class that needs a chunk. The slab counts its
//   capacity so the cross-thread queue can reserve room for every block
//   (a wake from another thread never allocates).
// * After the loop: ~EventLoop orphans the slab (orphan()): every chunk that
//   still holds blocks (kept by JoinHandles or wakers) is marked orphaned
//   under the queue mutex and takes a reference to the LoopShared; from then
//   on each free, on any thread, takes the mutex and decrements the chunk's
//   count, and the last one frees the chunk and releases the LoopShared.
#pragma once

#include <pollen/config.hpp>
#include <pollen/runtime/task.hpp>

#include <cstddef>
#include <cstdint>

POLLEN_NAMESPACE_BEGIN
namespace detail {

class LoopShared;
class LoopCore;
class TaskSlab;

constexpr std::size_t kChunkBytes = std::size_t{1} << 16;
constexpr std::size_t kMaxSmallBlock = 8192;
constexpr std::uint16_t kLargeClass = 0xFFFF;

struct TaskChunk {
  // --- fixed at creation ---
  LoopShared* shared;
  LoopCore* core;                 // valid while !orphaned
  TaskSlab* slab;                 // valid while !orphaned
  void* allocation;               // what ::operator new returned
  std::uint32_t thread_token;     // the loop's thread
  std::uint32_t block_size;       // bytes per block
  std::uint32_t capacity;         // blocks in the chunk
  std::uint16_t size_class;       // kLargeClass: one large block
  // --- the loop's thread while the loop lives; under shared->mu once orphaned ---
  bool orphaned;
  bool in_room_list;              // in its class's list of chunks with free blocks
  std::uint32_t used;             // allocated blocks
  std::uint32_t bump;             // blocks handed out at least once; the rest is untouched
  TaskHeader* free_list;          // freed blocks, through link.next
  TaskChunk* prev;                // the slab's list of every chunk
  TaskChunk* next;
  TaskChunk* room_prev;           // the class's chunks with free blocks (not its current one)
  TaskChunk* room_next;

  TaskHeader* block(std::uint32_t i) noexcept;
  bool has_room() const noexcept { return free_list != nullptr || bump < capacity; }
};

// Where the blocks of a chunk start (a multiple of 16).
constexpr std::size_t kChunkHeaderBytes = (sizeof(TaskChunk) + 15) / 16 * 16;

inline TaskHeader* TaskChunk::block(std::uint32_t i) noexcept {
  return reinterpret_cast<TaskHeader*>(reinterpret_cast<char*>(this) + kChunkHeaderBytes +
                                       static_cast<std::size_t>(i) * block_size);
}

inline TaskChunk* chunk_of(const void* block) noexcept {
  return reinterpret_cast<TaskChunk*>(reinterpret_cast<std::uintptr_t>(block) &
                                      ~static_cast<std::uintptr_t>(kChunkBytes - 1));
}

class TaskSlab {
 public:
  static constexpr std::size_t kClasses = 52;
  // The most blocks a small chunk can hold (the smallest task block is 40
  // bytes: a header and an 8-byte slot), for the cross-thread queue's room.
  static constexpr std::size_t kMaxBlocksPerChunk = kChunkBytes / 40;

  TaskSlab(LoopShared* shared, LoopCore* core, std::uint32_t thread_token) noexcept
      : shared_(shared), core_(core), thread_token_(thread_token) {}
  TaskSlab(const TaskSlab&) = delete;
  TaskSlab& operator=(const TaskSlab&) = delete;

  // A block of `size` bytes aligned to `align` (<= 16). Loop thread. Throws
  // std::bad_alloc when a new chunk (or the cross-thread queue's room for
  // it) cannot be had; nothing changes then.
  void* allocate(std::size_t size, std::size_t align);
  // Takes back a block of this slab. Loop thread, while the loop lives.
  void free_local(TaskChunk* c, TaskHeader* t) noexcept;
  // Takes back the blocks other threads freed (LoopShared::freed).
  void reclaim() noexcept;
  // Calls fn(t) for every block whose vtable is set (allocated). fn may
  // allocate and free blocks: chunks emptied meanwhile are given back after
  // the walk; blocks allocated meanwhile may or may not be visited.
  template <class Fn>
  void for_each_block(Fn fn);
  // The end of the loop: see "After the loop". No walk may be running.
  void orphan() noexcept;

  std::size_t capacity() const noexcept { return capacity_; }  // blocks, all chunks
  std::size_t chunks() const noexcept { return chunk_count_; }

  static std::uint16_t class_of(std::size_t size, std::size_t align) noexcept;
  static std::size_t class_size(std::uint16_t c) noexcept;

 private:
  struct Class {
    TaskChunk* current = nullptr;  // allocations come from here
    TaskChunk* room = nullptr;     // other chunks of the class with free blocks
  };

  void* allocate_slow(std::uint16_t cls, std::size_t size);
  TaskChunk* new_chunk(std::uint16_t cls, std::size_t size);
  void format(TaskChunk* c, std::uint16_t cls, std::size_t size) noexcept;
  void release(TaskChunk* c) noexcept;  // unlinks and frees an empty chunk
  void room_push(TaskChunk* c) noexcept;
  void room_remove(TaskChunk* c) noexcept;
  void release_empty_after_walk() noexcept;

  LoopShared* shared_;
  LoopCore* core_;
  std::uint32_t thread_token_;
  Class classes_[kClasses];
  TaskChunk* chunks_ = nullptr;   // every chunk (through prev/next)
  TaskChunk* spare_ = nullptr;    // one empty chunk kept for the next class that needs one
  std::size_t chunk_count_ = 0;
  std::size_t capacity_ = 0;      // blocks in all chunks
  int walking_ = 0;               // for_each_block() is running: keep empty chunks
};

template <class Fn>
void TaskSlab::for_each_block(Fn fn) {
  ++walking_;
  for (TaskChunk* c = chunks_; c != nullptr; c = c->next) {
    for (std::uint32_t i = 0; i < c->bump; ++i) {
      TaskHeader* t = c->block(i);
      if (t->vtable != nullptr) fn(t);
    }
  }
  if (--walking_ == 0) release_empty_after_walk();
}

}  // namespace detail
POLLEN_NAMESPACE_END
