// pollen/sync/ring_buffer.hpp: RingBuffer<T>, a FIFO of small values that
// never throw when moved: the queue of waiting senders' slot indices.
// Internal to pollen/sync. (Messages live in a BlockQueue, block_queue.hpp,
// which never moves what it holds.)
//
// A circular array whose capacity is a power of two. push_back() grows it
// (doubling) when it is full; nothing ever shrinks it. Growing moves the
// values into the new array, which is why T must be nothrow-movable: a
// throw halfway would leave values behind in both arrays. Slots
// [head_, head_ + len_) (modulo capacity) hold live T; the rest are raw
// memory. Not thread-safe: the channel's lock guards it.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/contract.hpp>

#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN
namespace detail {

template <class T>
class RingBuffer {
  static_assert(std::is_nothrow_move_constructible<T>::value &&
                    std::is_nothrow_move_assignable<T>::value,
                "RingBuffer holds values that never throw when moved (growing moves them); "
                "use BlockQueue for other values");

 public:
  RingBuffer() noexcept = default;
  RingBuffer(const RingBuffer&) = delete;
  RingBuffer& operator=(const RingBuffer&) = delete;
  RingBuffer(RingBuffer&& o) noexcept : slots_(o.slots_), cap_(o.cap_), head_(o.head_), len_(o.len_) {
    o.slots_ = nullptr;
    o.cap_ = o.head_ = o.len_ = 0;
  }
  RingBuffer& operator=(RingBuffer&& o) noexcept {
    if (this != &o) {
      RingBuffer tmp(std::move(o));
      swap(tmp);
    }
    return *this;
  }
  ~RingBuffer() {
    clear();
    if (slots_ != nullptr) alloc().deallocate(slots_, cap_);
  }

  std::size_t size() const noexcept { return len_; }
  bool empty() const noexcept { return len_ == 0; }
  std::size_t capacity() const noexcept { return cap_; }

  // Makes room for at least n elements without growing later.
  void reserve(std::size_t n) {
    if (n > cap_) regrow(round_up(n));
  }

  // Grows first, so that `v` is untouched if growing throws. After
  // reserve(size() + 1), it does not allocate and cannot throw.
  void push_back(T&& v) {
    if (len_ == cap_) regrow(cap_ == 0 ? 8 : cap_ * 2);
    ::new (static_cast<void*>(slots_ + index(len_))) T(std::move(v));
    ++len_;
  }

  T& front() noexcept {
    POLLEN_ASSERT(len_ > 0, "RingBuffer::front() on an empty ring");
    return slots_[head_];
  }
  T& at(std::size_t i) noexcept {
    POLLEN_ASSERT(i < len_, "RingBuffer::at() out of range");
    return slots_[index(i)];
  }
  const T& at(std::size_t i) const noexcept {
    POLLEN_ASSERT(i < len_, "RingBuffer::at() out of range");
    return slots_[index(i)];
  }

  // Moves the first element out.
  T pop_front() noexcept {
    POLLEN_ASSERT(len_ > 0, "RingBuffer::pop_front() on an empty ring");
    T* p = slots_ + head_;
    T v(std::move(*p));
    p->~T();
    head_ = (head_ + 1) & (cap_ - 1);
    --len_;
    return v;
  }

  // Removes element i, keeping the order of the others (linear time).
  void erase_at(std::size_t i) noexcept {
    POLLEN_ASSERT(i < len_, "RingBuffer::erase_at() out of range");
    for (std::size_t j = i; j + 1 < len_; ++j) at(j) = std::move(at(j + 1));
    slots_[index(len_ - 1)].~T();
    --len_;
  }

  void clear() noexcept {
    while (len_ > 0) {
      slots_[head_].~T();
      head_ = (head_ + 1) & (cap_ - 1);
      --len_;
    }
    head_ = 0;
  }

  void swap(RingBuffer& o) noexcept {
    std::swap(slots_, o.slots_);
    std::swap(cap_, o.cap_);
    std::swap(head_, o.head_);
    std::swap(len_, o.len_);
  }

 private:
  static std::allocator<T> alloc() noexcept { return std::allocator<T>(); }
  static std::size_t round_up(std::size_t n) noexcept {
    std::size_t c = 8;
    while (c < n) c *= 2;
    return c;
  }
  std::size_t index(std::size_t i) const noexcept { return (head_ + i) & (cap_ - 1); }

  // Only the allocation can throw: moving T cannot (see the static_assert).
  void regrow(std::size_t new_cap) {
    T* fresh = alloc().allocate(new_cap);
    for (std::size_t i = 0; i < len_; ++i) {
      ::new (static_cast<void*>(fresh + i)) T(std::move(slots_[index(i)]));
    }
    std::size_t n = len_;
    clear();
    if (slots_ != nullptr) alloc().deallocate(slots_, cap_);
    slots_ = fresh;
    cap_ = new_cap;
    head_ = 0;
    len_ = n;
  }

  T* slots_ = nullptr;   // cap_ slots of raw memory, len_ of them live
  std::size_t cap_ = 0;  // 0 or a power of two
  std::size_t head_ = 0;  // index of the first live slot
  std::size_t len_ = 0;   // number of live slots
};

}  // namespace detail
POLLEN_NAMESPACE_END
