// pollen/sync/block_queue.hpp: BlockQueue<T>, the FIFO that holds a
// channel's messages. Internal to pollen/sync.
//
// A ring of fixed-size blocks. Values are constructed in a block slot when
// pushed and stay in that slot until they are popped: growing the queue
// links in one more block and never moves (or copies) a value it holds. So
// a value type whose move constructor throws costs no buffered message: the
// two moves a message makes (into the queue, out of it) either succeed or
// leave the queue as it was (the strong guarantee):
//
//   push_back(v)   constructs from v in the next free slot; if the
//                  allocation of a block or the move throws, nothing changed
//                  (v is as the move left it)
//   front()        the first value, to move from while it stays queued
//   pop_front()    destroys the first value (noexcept)
//
// Blocks are never freed until the queue is destroyed: a block that empties
// stays in the ring as a spare, reused when the tail comes round to it. So a
// channel that has reached its working size sends and receives without
// allocating (the "zero allocations per message in steady state" of the
// benchmarks). Not thread-safe: the channel's lock guards it.
//
// Layout. The blocks form a circular singly-linked list. The live values
// run from slot head_idx_ of head_ forward, block after block, to slot
// tail_idx_ - 1 of tail_; the blocks after tail_ and before head_ (in ring
// order) are spares. When the queue empties, head_ == tail_ and both indices
// go back to 0, so a queue that holds one message at a time (a ping-pong)
// uses one slot of one block.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/contract.hpp>

#include <cstddef>
#include <memory>
#include <new>
#include <utility>

POLLEN_NAMESPACE_BEGIN
namespace detail {

// Slots per block: about 1 KiB of values, at least 1 and at most 32.
template <class T>
constexpr std::size_t block_queue_slots() noexcept {
  return sizeof(T) >= 1024 ? 1 : (1024 / sizeof(T) < 32 ? 1024 / sizeof(T) : 32);
}

template <class T>
class BlockQueue {
 public:
  static constexpr std::size_t block_slots() noexcept { return block_queue_slots<T>(); }

  BlockQueue() noexcept = default;
  BlockQueue(const BlockQueue&) = delete;
  BlockQueue& operator=(const BlockQueue&) = delete;
  BlockQueue(BlockQueue&& o) noexcept { swap(o); }
  BlockQueue& operator=(BlockQueue&& o) noexcept {
    if (this != &o) {
      BlockQueue tmp(std::move(o));
      swap(tmp);
    }
    return *this;
  }
  ~BlockQueue() {
    clear();
    free_blocks();
  }

  std::size_t size() const noexcept { return len_; }
  bool empty() const noexcept { return len_ == 0; }
  // Slots allocated, live or spare.
  std::size_t capacity() const noexcept { return blocks_ * block_slots(); }

  // Makes room for n values in an empty queue without allocating later.
  void reserve(std::size_t n) {
    while (capacity() < n) add_spare_block();
  }

  // Moves v into the queue. Strong guarantee: if allocating a block or the
  // move throws, the queue is unchanged.
  void push_back(T&& v) {
    if (POLLEN_LIKELY(tail_idx_ < block_slots())) {
      ::new (static_cast<void*>(&tail_->items[tail_idx_])) T(std::move(v));
      ++tail_idx_;
    } else {
      push_into_next_block(std::move(v));
    }
    ++len_;
  }

  // The first value; it stays queued until pop_front().
  T& front() noexcept {
    POLLEN_ASSERT(len_ > 0, "BlockQueue::front() on an empty queue");
    return head_->items[head_idx_];
  }

  // Destroys the first value.
  void pop_front() noexcept {
    POLLEN_ASSERT(len_ > 0, "BlockQueue::pop_front() on an empty queue");
    head_->items[head_idx_].~T();
    if (--len_ == 0) {
      // It was the last value, so head_ == tail_: start that block over.
      head_idx_ = 0;
      tail_idx_ = 0;
    } else if (++head_idx_ == block_slots()) {
      head_ = head_->next;  // the emptied block becomes a spare
      head_idx_ = 0;
    }
  }

  void clear() noexcept {
    while (len_ > 0) pop_front();
  }

  void swap(BlockQueue& o) noexcept {
    std::swap(head_, o.head_);
    std::swap(tail_, o.tail_);
    std::swap(head_idx_, o.head_idx_);
    std::swap(tail_idx_, o.tail_idx_);
    std::swap(len_, o.len_);
    std::swap(blocks_, o.blocks_);
  }

 private:
  struct Block {
    Block* next;
    union {
      T items[block_queue_slots<T>()];  // raw slots: constructed by push_back, destroyed by pop_front
    };
    Block() noexcept : next(this) {}
    ~Block() {}
  };

  static std::allocator<Block> alloc() noexcept { return std::allocator<Block>(); }

  // The slow path of push_back: tail_ is full, or there is no block yet.
  void push_into_next_block(T&& v) {
    if (tail_ == nullptr) {
      add_spare_block();  // the first block: head_ == tail_, empty
      ::new (static_cast<void*>(&tail_->items[0])) T(std::move(v));
      tail_idx_ = 1;
      return;
    }
    Block* next = tail_->next;
    if (next == head_) next = link_new_block_after(tail_);  // no spare: the ring grows
    ::new (static_cast<void*>(&next->items[0])) T(std::move(v));  // a throw leaves a spare
    tail_ = next;
    tail_idx_ = 1;
  }

  // One more block: the first one (empty queue), or a spare after tail_.
  void add_spare_block() {
    if (tail_ == nullptr) {
      Block* b = new_block();
      head_ = tail_ = b;
      head_idx_ = tail_idx_ = 0;
    } else {
      link_new_block_after(tail_);
    }
  }

  Block* link_new_block_after(Block* at) {
    Block* b = new_block();
    b->next = at->next;
    at->next = b;
    return b;
  }

  Block* new_block() {
    Block* b = alloc().allocate(1);
    ::new (static_cast<void*>(b)) Block();
    ++blocks_;
    return b;
  }

  void free_blocks() noexcept {
    if (head_ == nullptr) return;
    Block* b = head_->next;
    while (b != head_) {
      Block* next = b->next;
      b->~Block();
      alloc().deallocate(b, 1);
      b = next;
    }
    head_->~Block();
    alloc().deallocate(head_, 1);
    head_ = tail_ = nullptr;
    head_idx_ = 0;
    tail_idx_ = block_slots();
    blocks_ = 0;
  }

  Block* head_ = nullptr;  // block of the first live value; nullptr: no block yet
  Block* tail_ = nullptr;  // block of the last live value, where the next push goes
  std::size_t head_idx_ = 0;  // slot of the first live value in head_
  // Slots used in tail_; block_slots() when tail_ is full or there is no
  // block (both send push_back down its slow path).
  std::size_t tail_idx_ = block_queue_slots<T>();
  std::size_t len_ = 0;     // live values
  std::size_t blocks_ = 0;  // blocks in the ring
};

}  // namespace detail
POLLEN_NAMESPACE_END
