// pollen/time/timer_wheel.hpp: TimerWheel, a hierarchical timing wheel
// (Varghese & Lauck, as in tokio and Linux), and TimerEntry, the intrusive
// node a timer future owns. See src/time/timer_wheel.cpp for the ground
// rules and a picture of the levels.
//
// Deadlines are nanoseconds on the owner's clock (the TimerDriver uses the
// clock's nanoseconds since its epoch: a TimePoint's count). The wheel
// places them by coarse ticks of 2^20 ns (~1.05 ms); the timers of the
// current tick wait in a small binary heap ordered by exact deadline. So
// timers fire exactly at their deadline, in deadline order, while each one
// moves through few wheel levels.
//
// Costs: insert and cancel O(1) (O(log k) for a timer in the current tick,
// k = timers due within that ~1 ms); each entry moves down at most once per
// level before it fires, so O(1) amortized per expiry, plus O(log k) in the
// heap. Entries live in the futures that own them; the wheel holds one
// pointer per pending timer in per-slot arrays, plus ~16 KiB of fixed
// tables. The arrays grow by half when full (a cascade sizes the ones it
// fills at once) and give memory back when the
// population falls (an array emptied by a cascade, or cut to a quarter by
// cancels, shrinks; up to kKeepCapacity pointers a slot are kept), so memory
// follows the number of pending timers, not its peak: capacity_bytes()
// reports it.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/waker.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

POLLEN_NAMESPACE_BEGIN

class TimerWheel;

// One timer's record in the wheel. Owned by a timer future (through
// detail::DeadlineTimer); the wheel only points to it (and the entry knows
// where, for O(1) cancel). Not copyable; moving a linked entry must go
// through TimerWheel::relocate().
class TimerEntry {
 public:
  enum class State : std::uint8_t {
    Idle,      // not in any wheel (never inserted, or cancelled)
    Linked,    // in a wheel's slot list, waiting for its deadline
    Fired,     // its deadline came; the wheel woke the waker and unlinked it
    Orphaned,  // the wheel was destroyed while it was linked
  };

  TimerEntry() noexcept = default;
  TimerEntry(const TimerEntry&) = delete;
  TimerEntry& operator=(const TimerEntry&) = delete;
  // The owner must cancel or relocate a Linked entry before destroying it.
  ~TimerEntry() = default;

  State state() const noexcept { return state_; }
  bool is_linked() const noexcept { return state_ == State::Linked; }
  // The deadline (the wheel's nanoseconds): set by the owner while the entry
  // is unlinked (set_deadline()), or by TimerWheel::insert().
  std::uint64_t deadline_tick() const noexcept { return deadline_; }
  void set_deadline(std::uint64_t deadline) noexcept { deadline_ = deadline; }

  // One byte the owning future may keep its own state in (it fills the
  // entry's padding; the wheel never touches it).
  std::uint8_t owner_byte() const noexcept { return owner_byte_; }
  void set_owner_byte(std::uint8_t b) noexcept { owner_byte_ = b; }

  // The waker the wheel wakes when the entry fires (valid in State::Linked).
  Waker& waker() noexcept { return waker_; }
  const Waker& waker() const noexcept { return waker_; }

  // Back to Idle after Fired or Orphaned (for reuse by an Interval).
  void reset() noexcept {
    if (state_ != State::Linked) state_ = State::Idle;
  }

  // Takes over the state, deadline and owner byte of `from`, which must not
  // be Linked (a Linked entry moves with TimerWheel::relocate()); `from`
  // becomes Idle. This entry must not be Linked either. An unlinked entry's
  // waker is always the no-op waker (the wheel releases a waker when it
  // unlinks the entry), so there is no waker to move: a few stores, inline.
  void adopt_unlinked(TimerEntry& from) noexcept {
    deadline_ = from.deadline_;
    state_ = from.state_;
    owner_byte_ = from.owner_byte_;
    from.state_ = State::Idle;
  }

 private:
  friend class TimerWheel;

  std::uint64_t deadline_ = 0;  // set by the owner or on insert
  Waker waker_;                 // valid in State::Linked; the no-op waker otherwise
  std::uint32_t index_ = 0;     // valid in State::Linked: position in its slot or the heap
  std::uint16_t slot_ = 0;      // valid in State::Linked: level * 64 + slot, or kInHeap
  State state_ = State::Idle;
  std::uint8_t owner_byte_ = 0;
};

class TimerWheel {
 public:
  static constexpr unsigned kTickShift = 20;  // a tick is 2^20 ns, ~1.05 ms
  static constexpr unsigned kBitsPerLevel = 6;
  static constexpr unsigned kSlotsPerLevel = 1u << kBitsPerLevel;  // 64
  static constexpr unsigned kLevels = 8;  // 8 * 6 = 48 bits >= the 44 bits of a tick
  // Pointers an array (a slot's, or the heap's) keeps when it shrinks.
  static constexpr std::size_t kKeepCapacity = 64;
  // Largest deadline (ns) the wheel accepts (one below the "unknown" marker).
  static constexpr std::uint64_t kMaxTick = ~std::uint64_t{0} - 1;

  // Transition result of insert(): what the caller must do.
  enum class Insert {
    Linked,          // the entry waits in the wheel
    AlreadyExpired,  // deadline <= elapsed(): not linked; the timer is due now
  };

  explicit TimerWheel(std::uint64_t start_ns = 0) noexcept;
  TimerWheel(const TimerWheel&) = delete;
  TimerWheel& operator=(const TimerWheel&) = delete;
  // Unlinks every entry still linked and marks it Orphaned (its owner may be
  // destroyed later without touching the wheel).
  ~TimerWheel();

  // Links an Idle/Fired entry with `deadline` (clamped to kMaxTick) and the
  // waker to wake. O(1) (O(log k) in the current tick; may grow a slot's
  // or the heap's array by half). Linking a Linked entry is an internal
  // error.
  POLLEN_NODISCARD Insert insert(TimerEntry& e, std::uint64_t deadline, const Waker& waker);
  // Unlinks a Linked entry (it becomes Idle); does nothing otherwise. O(1).
  void cancel(TimerEntry& e) noexcept;
  // Moves the wheel's link from `from` to `to` (an Idle entry at a new
  // address); `from` becomes Idle. O(1). Used by timer futures' move
  // constructors.
  void relocate(TimerEntry& from, TimerEntry& to) noexcept;

  // Fires every entry whose deadline <= now, in deadline order (entries with
  // equal deadlines: unspecified but deterministic order), and advances
  // elapsed() to `now`. A `now` before elapsed() does nothing. Returns the
  // number fired. Each firing entry is unlinked and marked Fired before its
  // waker is woken, so a wake may insert or cancel other entries.
  std::size_t advance_to(std::uint64_t now);

  // The earliest deadline of a linked entry (exact), or false when empty.
  // Amortized O(1): exact from a per-slot minimum, recomputed by a scan of
  // one slot after the slot's earliest entry was cancelled.
  bool earliest_deadline(std::uint64_t& out) const noexcept {
    if (!heap_.empty()) {  // the current tick's entries expire first
      out = heap_[0]->deadline_;
      return true;
    }
    return earliest_in_wheel(out);
  }

  std::uint64_t elapsed() const noexcept { return elapsed_; }
  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  // Bytes the slot and heap arrays hold now (their capacity), beyond the
  // fixed tables. O(number of slots).
  std::size_t capacity_bytes() const noexcept;

 private:
  // A slot: the entries waiting in it, in no particular order (each
  // entry's index_ is its position). An array rather than a linked list:
  // emptying a slot walks an array whose entries can be fetched from memory
  // in parallel, where a list is a chain of dependent cache misses.
  using Slot = std::vector<TimerEntry*>;
  static constexpr std::uint64_t kUnknownMin = ~std::uint64_t{0};

  static constexpr std::uint16_t kInHeap = 0xFFFF;  // TimerEntry::slot_ of a heap entry

  static std::uint64_t tick_of(std::uint64_t ns) noexcept { return ns >> kTickShift; }
  // Where a deadline whose tick is > tick_ goes: level * 64 + slot.
  unsigned slot_for(std::uint64_t tick) const noexcept;
  // The tick at which slot `s` of `level` starts, in tick_'s block.
  std::uint64_t slot_start(unsigned level, unsigned s) const noexcept;
  // Into the heap when its tick is tick_, else into its wheel slot.
  void place(TimerEntry& e) noexcept;
  void link(TimerEntry& e) noexcept;    // into slot_for(tick of e.deadline_)
  void unlink(TimerEntry& e) noexcept;  // from its wheel slot e.slot_
  // The lowest occupied level and its first occupied slot; false if empty.
  bool first_occupied(unsigned& level, unsigned& s) const noexcept;
  // Appends to a slot or the heap, growing it by half when it is full.
  static void push(std::vector<TimerEntry*>& v, TimerEntry* e) noexcept;
  static void grow(std::vector<TimerEntry*>& v) noexcept;  // push()'s rare path
  // Gives memory back when `v` uses less than a quarter of its capacity.
  static void maybe_shrink(std::vector<TimerEntry*>& v) noexcept;
  static void shrink(std::vector<TimerEntry*>& v) noexcept;  // maybe_shrink()'s rare path
  // Sizes the arrays a cascade of `slot` (of `level`) is about to fill.
  void reserve_for_cascade(unsigned level, const Slot& slot) noexcept;
  // earliest_deadline() when the heap is empty.
  bool earliest_in_wheel(std::uint64_t& out) const noexcept;
  // The binary min-heap of the current tick's entries, by exact deadline.
  void heap_push(TimerEntry& e) noexcept;
  void heap_remove(TimerEntry& e) noexcept;
  void pop_heap_top() noexcept;  // heap_remove(*heap_[0]), faster
  void heap_sift_up(std::size_t i) noexcept;
  void heap_sift_down(std::size_t i) noexcept;
  void heap_set(std::size_t i, TimerEntry* e) noexcept {
    heap_[i] = e;
    e->index_ = static_cast<std::uint32_t>(i);
  }

  Slot slots_[kLevels][kSlotsPerLevel];
  // Lower bound of the deadlines in each slot, exact unless kUnknownMin
  // (after its earliest entry was cancelled). Valid while the slot is
  // non-empty; recomputed lazily by earliest_deadline() (hence mutable).
  mutable std::uint64_t slot_min_[kLevels][kSlotsPerLevel];
  std::uint64_t occupied_[kLevels];  // bit s: slot s of the level is non-empty
  std::uint32_t levels_;             // bit l: occupied_[l] != 0
  std::uint64_t elapsed_;            // ns; never decreases; every linked deadline > it
  std::uint64_t tick_;               // tick_of(elapsed_), or less while advancing
  std::vector<TimerEntry*> heap_;    // entries whose tick is tick_
  std::size_t size_ = 0;             // linked entries, wheel and heap
};

POLLEN_NAMESPACE_END
