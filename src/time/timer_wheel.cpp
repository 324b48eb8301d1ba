// TimerWheel: a hierarchical timing wheel (Varghese & Lauck 1987; the shape
// tokio's and Linux's timer wheels have), with a small heap for the current
// tick so that timers fire at their exact deadline.
//
// Ground rules
// ------------
// * Ownership. The wheel owns its slots and the heap: arrays of pointers.
//   Each TimerEntry is owned by a timer future (Sleep, Timeout, Interval,
//   through detail::DeadlineTimer); while it waits, one slot or the heap
//   holds a pointer to it, and the entry holds its position there (index_),
//   so cancel is O(1) (a swap with the slot's last pointer). The owner
//   cancels (unlinks) it before destroying it and relocates it when it is
//   moved. An entry holds a waker only while it is linked: unlinking
//   releases it, so moving an unlinked entry moves no waker. Destroying
//   the wheel unlinks every entry and marks it Orphaned, so owners may
//   outlive the wheel and be destroyed safely (but must not be polled
//   again).
// * Time. Deadlines are nanoseconds on the owner's clock; a tick is
//   2^20 ns (~1.05 ms). `elapsed_` is the last time the wheel was advanced
//   to; it never decreases, and every linked deadline is > elapsed_.
//   `tick_` is elapsed_'s tick.
// * Placement. An entry whose deadline falls in the current tick waits in
//   the heap, ordered by exact deadline. Any later entry sits in the wheel,
//   at the level of the highest bit in which its tick and tick_ differ (6
//   bits a level), in the slot given by its tick's bits of that level. So
//   the two agree on every bit above its level: a level-L entry lies in the
//   current 64^(L+1)-tick block, in a slot after tick_'s own slot of level
//   L. Consequences that keep the wheel simple:
//     - heap entries expire before wheel entries; every entry of level L
//       expires before every entry of level L+1; within a level the slots
//       are in time order without wrapping;
//     - so the next thing to happen is the heap's top, or else in the first
//       occupied slot of the lowest occupied level: two count-trailing-zeros
//       away. Each slot keeps a lower bound of its deadlines, exact unless
//       its earliest entry was cancelled (then one scan of the slot).
// * Advancing. advance_to(now) fires the heap's entries due by now; then,
//   while the first occupied slot starts at a tick <= now's tick, it empties
//   that slot and re-places each entry relative to the slot's start: a
//   level-0 slot pours into the heap, a higher one falls to lower levels (a
//   "cascade"). An entry cascades at most once per level.
// * Firing. A firing entry is removed, marked Fired, and only then woken.
//   A wake may run arbitrary code (a waker is user code), which may insert
//   or cancel entries: the wheel is consistent at every wake.
// * Memory. The timer entries live in their futures. The slot and heap
//   arrays grow by half when full (a cascade sizes the arrays it fills
//   once, from a count), and shrink when the population falls: a
//   slot emptied by a cascade gives its array back (beyond kKeepCapacity
//   pointers), and an array left at less than a quarter of its capacity by
//   cancels (or the heap, by firing) is cut to twice its size. So memory is
//   linear in the number of timers pending now, and a steady state, whose
//   arrays refill to similar sizes, allocates rarely. Running out of memory
//   while growing is fatal (std::terminate): a timer cannot be half
//   inserted; while shrinking it is harmless (the array stays as it was).
// * Threads. None of this is thread-safe: the wheel belongs to one event
//   loop's thread. Only Waker::wake() crosses threads, and the wheel does not
//   care who a waker wakes.
//
// The levels (each slot of level L spans 64^L ticks of ~1.05 ms):
//
//   heap     (deadline-ordered)   the current tick      ~1.05 ms
//   level 0  [0][1][2] ... [63]   1 tick a slot         67 ms in all
//   level 1  [0][1][2] ... [63]   67 ms a slot          4.3 s
//   level 2  [0][1][2] ... [63]   4.3 s a slot          4.6 min
//   level 3  [0][1][2] ... [63]   4.6 min a slot        4.9 h
//   level 4  ...                  4.9 h a slot          13 days
//   ...
//   level 7  [0] ... [3]          146 years a slot      the rest of 2^64 ns
//
//   A timer 500 ms away waits at level 1; when its slot comes it falls to
//   level 0, then to the heap, and fires at exactly its deadline. 8 levels
//   of 6 bits cover every tick of a 64-bit nanosecond deadline, so there is
//   no overflow list: far-future deadlines just wait on the top level.
#include <pollen/core/contract.hpp>
#include <pollen/time/timer_wheel.hpp>

#include <utility>

// The wheel's private helpers are defined inline in this file (the library
// is shared: an out-of-line member is an interposable symbol that gcc will
// not inline, and every call to it goes through the PLT); their rare paths
// (growing and shrinking an array) stay out of line.
#if defined(__GNUC__) || defined(__clang__)
#define POLLEN_WHEEL_SLOW_PATH __attribute__((noinline, cold))
#define POLLEN_WHEEL_NOINLINE __attribute__((noinline))
#else
#define POLLEN_WHEEL_SLOW_PATH
#define POLLEN_WHEEL_NOINLINE
#endif

POLLEN_NAMESPACE_BEGIN

namespace {

inline unsigned ctz64(std::uint64_t x) noexcept { return static_cast<unsigned>(__builtin_ctzll(x)); }
inline unsigned ctz32(std::uint32_t x) noexcept { return static_cast<unsigned>(__builtin_ctz(x)); }
inline unsigned highest_bit(std::uint64_t x) noexcept {
  return 63u - static_cast<unsigned>(__builtin_clzll(x));
}

}  // namespace

constexpr unsigned TimerWheel::kTickShift;
constexpr unsigned TimerWheel::kBitsPerLevel;
constexpr unsigned TimerWheel::kSlotsPerLevel;
constexpr unsigned TimerWheel::kLevels;
constexpr std::uint64_t TimerWheel::kMaxTick;
constexpr std::uint64_t TimerWheel::kUnknownMin;
constexpr std::uint16_t TimerWheel::kInHeap;
constexpr std::size_t TimerWheel::kKeepCapacity;

// Out of line: the rare path of push().
POLLEN_WHEEL_SLOW_PATH void TimerWheel::grow(std::vector<TimerEntry*>& v) noexcept {
  v.reserve(v.size() + v.size() / 2 + 8);  // noexcept: terminates on OOM
}

POLLEN_ALWAYS_INLINE void TimerWheel::push(std::vector<TimerEntry*>& v, TimerEntry* e) noexcept {
  if (POLLEN_UNLIKELY(v.size() == v.capacity())) grow(v);
  v.push_back(e);
}

POLLEN_ALWAYS_INLINE void TimerWheel::maybe_shrink(std::vector<TimerEntry*>& v) noexcept {
  if (POLLEN_LIKELY(v.capacity() <= kKeepCapacity || v.size() * 4 >= v.capacity())) return;
  shrink(v);
}

POLLEN_WHEEL_SLOW_PATH void TimerWheel::shrink(std::vector<TimerEntry*>& v) noexcept {
  std::size_t keep = v.size() * 2;
  if (keep < kKeepCapacity) keep = kKeepCapacity;
#if POLLEN_HAS_EXCEPTIONS
  try {
#endif
    std::vector<TimerEntry*> smaller;
    smaller.reserve(keep);
    smaller.assign(v.begin(), v.end());
    v.swap(smaller);
#if POLLEN_HAS_EXCEPTIONS
  } catch (...) {
    // No memory to move into: keep the larger array.
  }
#endif
}

std::size_t TimerWheel::capacity_bytes() const noexcept {
  std::size_t n = heap_.capacity();
  for (unsigned l = 0; l < kLevels; ++l) {
    for (unsigned s = 0; s < kSlotsPerLevel; ++s) n += slots_[l][s].capacity();
  }
  return n * sizeof(TimerEntry*);
}

TimerWheel::TimerWheel(std::uint64_t start_ns) noexcept
    : levels_(0), elapsed_(start_ns), tick_(tick_of(start_ns)) {
  for (unsigned l = 0; l < kLevels; ++l) {
    occupied_[l] = 0;
    for (unsigned s = 0; s < kSlotsPerLevel; ++s) slot_min_[l][s] = kUnknownMin;
  }
}

TimerWheel::~TimerWheel() {
  auto orphan = [](TimerEntry* e) {
    e->state_ = TimerEntry::State::Orphaned;
    e->waker_ = Waker();  // release the task's waker now
  };
  for (unsigned l = 0; l < kLevels; ++l) {
    for (unsigned s = 0; s < kSlotsPerLevel; ++s) {
      for (TimerEntry* e : slots_[l][s]) orphan(e);
    }
  }
  for (TimerEntry* e : heap_) orphan(e);
}

POLLEN_ALWAYS_INLINE unsigned TimerWheel::slot_for(std::uint64_t tick) const noexcept {
  const std::uint64_t diff = tick ^ tick_;
  const unsigned level = diff == 0 ? 0u : highest_bit(diff) / kBitsPerLevel;
  const unsigned s =
      static_cast<unsigned>((tick >> (level * kBitsPerLevel)) & (kSlotsPerLevel - 1));
  return level * kSlotsPerLevel + s;
}

inline std::uint64_t TimerWheel::slot_start(unsigned level, unsigned s) const noexcept {
  const unsigned block_bits = (level + 1) * kBitsPerLevel;  // bits below the level's block
  const std::uint64_t base = block_bits >= 64 ? 0 : (tick_ >> block_bits) << block_bits;
  return base + (static_cast<std::uint64_t>(s) << (level * kBitsPerLevel));
}

inline bool TimerWheel::first_occupied(unsigned& level, unsigned& s) const noexcept {
  if (levels_ == 0) return false;
  level = ctz32(levels_);
  s = ctz64(occupied_[level]);
  return true;
}

POLLEN_ALWAYS_INLINE void TimerWheel::place(TimerEntry& e) noexcept {
  if (tick_of(e.deadline_) == tick_) {
    heap_push(e);
  } else {
    link(e);
  }
}

POLLEN_ALWAYS_INLINE void TimerWheel::link(TimerEntry& e) noexcept {
  const unsigned idx = slot_for(tick_of(e.deadline_));
  const unsigned level = idx / kSlotsPerLevel;
  const unsigned s = idx % kSlotsPerLevel;
  Slot& slot = slots_[level][s];
  e.slot_ = static_cast<std::uint16_t>(idx);
  e.index_ = static_cast<std::uint32_t>(slot.size());
  if (slot.empty()) {
    slot_min_[level][s] = e.deadline_;
    occupied_[level] |= std::uint64_t{1} << s;
    levels_ |= 1u << level;
  } else {
    std::uint64_t& m = slot_min_[level][s];
    if (m != kUnknownMin && e.deadline_ < m) m = e.deadline_;
  }
  push(slot, &e);
}

inline void TimerWheel::unlink(TimerEntry& e) noexcept {
  const unsigned level = e.slot_ / kSlotsPerLevel;
  const unsigned s = e.slot_ % kSlotsPerLevel;
  Slot& slot = slots_[level][s];
  TimerEntry* last = slot.back();
  slot[e.index_] = last;
  last->index_ = e.index_;
  slot.pop_back();
  if (slot.empty()) {
    occupied_[level] &= ~(std::uint64_t{1} << s);
    if (occupied_[level] == 0) levels_ &= ~(1u << level);
  } else if (e.deadline_ == slot_min_[level][s]) {
    slot_min_[level][s] = kUnknownMin;  // recomputed on demand
  }
  maybe_shrink(slot);
}

POLLEN_ALWAYS_INLINE void TimerWheel::heap_push(TimerEntry& e) noexcept {
  e.slot_ = kInHeap;
  push(heap_, &e);
  e.index_ = static_cast<std::uint32_t>(heap_.size() - 1);
  heap_sift_up(heap_.size() - 1);
}

inline void TimerWheel::heap_remove(TimerEntry& e) noexcept {
  const std::size_t i = e.index_;
  TimerEntry* last = heap_.back();
  heap_.pop_back();
  if (i < heap_.size()) {
    heap_set(i, last);
    heap_sift_up(i);
    heap_sift_down(last->index_);
  }
}

// Removes the heap's top (Floyd's way, as std::pop_heap): the hole at the
// top moves down to a leaf along the smaller children, one comparison a
// level, and the last entry fills it and sifts up (rarely far: the last
// entry is one of the latest).
inline void TimerWheel::pop_heap_top() noexcept {
  TimerEntry* last = heap_.back();
  heap_.pop_back();
  const std::size_t n = heap_.size();
  if (n == 0) return;
  std::size_t i = 0;
  for (;;) {
    std::size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && heap_[child + 1]->deadline_ < heap_[child]->deadline_) ++child;
    heap_set(i, heap_[child]);
    i = child;
  }
  heap_set(i, last);
  heap_sift_up(i);
}

inline void TimerWheel::heap_sift_up(std::size_t i) noexcept {
  TimerEntry* e = heap_[i];
  while (i > 0) {
    const std::size_t parent = (i - 1) / 2;
    if (heap_[parent]->deadline_ <= e->deadline_) break;
    heap_set(i, heap_[parent]);
    i = parent;
  }
  heap_set(i, e);
}

inline void TimerWheel::heap_sift_down(std::size_t i) noexcept {
  TimerEntry* e = heap_[i];
  const std::size_t n = heap_.size();
  for (;;) {
    std::size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && heap_[child + 1]->deadline_ < heap_[child]->deadline_) ++child;
    if (e->deadline_ <= heap_[child]->deadline_) break;
    heap_set(i, heap_[child]);
    i = child;
  }
  heap_set(i, e);
}

TimerWheel::Insert TimerWheel::insert(TimerEntry& e, std::uint64_t deadline, const Waker& waker) {
  POLLEN_ASSERT(e.state_ != TimerEntry::State::Linked, "inserting a timer entry that is linked");
  if (deadline > kMaxTick) deadline = kMaxTick;
  e.deadline_ = deadline;
  if (deadline <= elapsed_) return Insert::AlreadyExpired;
  e.waker_ = waker;
  place(e);
  e.state_ = TimerEntry::State::Linked;
  ++size_;
  return Insert::Linked;
}

void TimerWheel::cancel(TimerEntry& e) noexcept {
  if (e.state_ != TimerEntry::State::Linked) return;
  if (e.slot_ == kInHeap) {
    heap_remove(e);
  } else {
    unlink(e);
  }
  e.state_ = TimerEntry::State::Idle;
  e.waker_ = Waker();
  --size_;
  if (e.slot_ == kInHeap) maybe_shrink(heap_);
}

void TimerWheel::relocate(TimerEntry& from, TimerEntry& to) noexcept {
  POLLEN_ASSERT(from.state_ == TimerEntry::State::Linked && to.state_ != TimerEntry::State::Linked,
                "relocate() needs a linked source and an unlinked destination");
  to.deadline_ = from.deadline_;
  to.slot_ = from.slot_;
  to.index_ = from.index_;
  to.waker_ = std::move(from.waker_);
  to.state_ = TimerEntry::State::Linked;
  if (from.slot_ == kInHeap) {
    heap_[from.index_] = &to;
  } else {
    slots_[from.slot_ / kSlotsPerLevel][from.slot_ % kSlotsPerLevel][from.index_] = &to;
  }
  from.state_ = TimerEntry::State::Idle;
}

// Before a cascade of `slot` (of `level`, starting at tick_): sizes the
// arrays its entries are about to fill, once, instead of growing each by
// half several times. A level-0 slot pours into the heap (empty then: its
// entries all fired before the wheel moved on); a higher one mostly into
// slots of the level below, which are empty (a cascade empties the lowest
// occupied level first), so a count per slot of that level gives each its
// exact size (entries that fall further down grow theirs as usual).
POLLEN_WHEEL_NOINLINE void TimerWheel::reserve_for_cascade(unsigned level,
                                                         const Slot& slot) noexcept {
  const std::size_t n = slot.size();
  if (level == 0) {
    if (heap_.capacity() < heap_.size() + n) heap_.reserve(heap_.size() + n);  // terminates on OOM
    return;
  }
  const unsigned below = level - 1;
  const unsigned shift = kTickShift + below * kBitsPerLevel;
  std::uint32_t count[kSlotsPerLevel] = {};
  for (const TimerEntry* e : slot) ++count[(e->deadline_ >> shift) & (kSlotsPerLevel - 1)];
  // Slot 0 of the level below is tick_'s own: its entries fall further
  // (from level 1: into the heap).
  if (below == 0 && heap_.capacity() < heap_.size() + count[0]) {
    heap_.reserve(heap_.size() + count[0]);
  }
  for (unsigned j = 1; j < kSlotsPerLevel; ++j) {
    Slot& to = slots_[below][j];
    if (to.capacity() < to.size() + count[j]) to.reserve(to.size() + count[j]);
  }
}

std::size_t TimerWheel::advance_to(std::uint64_t now) {
  if (now <= elapsed_) return 0;  // every linked deadline is > elapsed_
  const std::uint64_t now_tick = tick_of(now);
  std::size_t fired = 0;
  for (;;) {
    // Fire the current tick's entries that are due, in deadline order.
    while (!heap_.empty() && heap_[0]->deadline_ <= now) {
      TimerEntry& e = *heap_[0];
      pop_heap_top();
      e.state_ = TimerEntry::State::Fired;
      --size_;
      ++fired;
      elapsed_ = e.deadline_;  // a wake may insert: only deadlines after this one
      Waker w = std::move(e.waker_);
      std::move(w).wake();
    }
    if (tick_ == now_tick) break;
    // The heap is empty (its deadlines were all before now's tick). Move to
    // the next occupied slot if it starts by now's tick.
    unsigned level = 0;
    unsigned s = 0;
    if (!first_occupied(level, s)) break;
    const std::uint64_t start = slot_start(level, s);
    if (start > now_tick) break;
    tick_ = start;
    const std::uint64_t start_ns = start << kTickShift;
    if (start_ns - 1 > elapsed_) elapsed_ = start_ns - 1;  // every deadline here is >= start_ns
    // Empty the slot and re-place each entry relative to the slot's start:
    // into the heap (its tick is now current) or onto a lower level. No
    // user code runs here.
    // Entries never go back to the slot they leave, so it can be walked in
    // place and emptied after (its array given back unless small).
    Slot& slot = slots_[level][s];
    occupied_[level] &= ~(std::uint64_t{1} << s);
    if (occupied_[level] == 0) levels_ &= ~(1u << level);
    const std::size_t n = slot.size();
    reserve_for_cascade(level, slot);
    // A level-0 slot spans one tick, now the current one: it all pours into
    // the heap. The entries are read a few ahead of their turn.
    constexpr std::size_t kPrefetch = 8;
    const std::size_t ahead = n > kPrefetch ? n - kPrefetch : 0;
    TimerEntry* const* const from = slot.data();
    if (level == 0) {
      for (std::size_t i = 0; i < ahead; ++i) {
        __builtin_prefetch(from[i + kPrefetch]);
        heap_push(*from[i]);
      }
      for (std::size_t i = ahead; i < n; ++i) heap_push(*from[i]);
    } else {
      for (std::size_t i = 0; i < ahead; ++i) {
        __builtin_prefetch(from[i + kPrefetch]);
        place(*from[i]);
      }
      for (std::size_t i = ahead; i < n; ++i) place(*from[i]);
    }
    if (slot.capacity() > kKeepCapacity) {
      std::vector<TimerEntry*>().swap(slot);  // emptied: give its array back
    } else {
      slot.clear();
    }
  }
  tick_ = now_tick;
  elapsed_ = now;
  if (fired != 0) maybe_shrink(heap_);
  return fired;
}

bool TimerWheel::earliest_in_wheel(std::uint64_t& out) const noexcept {
  unsigned level = 0;
  unsigned s = 0;
  if (!first_occupied(level, s)) return false;
  std::uint64_t& m = slot_min_[level][s];
  if (m == kUnknownMin) {
    for (const TimerEntry* e : slots_[level][s]) {
      if (e->deadline_ < m) m = e->deadline_;
    }
  }
  out = m;
  return true;
}

POLLEN_NAMESPACE_END
