// pollen/core/box_future.hpp: type erasure. DynFuture<T> is the abstract
// interface of a future of T (virtual poll and describe); BoxFuture<T> owns
// one on the heap and is itself a future.
//
// Example:
//
//   pollen::BoxFuture<int> b = pollen::boxed(std::move(f));   // one allocation
//
// Use it where the type of a future must not depend on how it was built:
// a future chosen at run time, a container of different futures, a future
// that returns a future of its own type (recursion).
//
// Ground rules
// * boxed(f) allocates exactly once: the wrapper and f in one block.
//   boxed() of a BoxFuture returns it unchanged (no box in a box).
// * An empty BoxFuture (default-constructed or moved from) raises
//   ContractError when polled.
// * Cancellation: destroying the BoxFuture destroys the boxed future.
// * Adoption: a boxed future that has reached a point where all it will ever
//   do is forward to another BoxFuture<T> (a Then whose continuation
//   returned a BoxFuture<T>) hands that box over, and this box takes its
//   contents in place of the forwarding future. A recursive async loop
//   (each step returns the boxed next step) then runs in constant stack and
//   constant work per poll. The hook is DynFuture::poll_adopting(); a future
//   type opts in with a member
//     Poll<T> poll_adopting(Context& cx, BoxFuture<T>& out);
//   that behaves like poll() but, instead of polling the box it would
//   forward to, moves it into `out` and returns Pending.
// * Deep chains. A box that polls another box from inside its own poll
//   (boxed(std::move(f).map(g)) applied again and again) nests one level of
//   stack per box. BoxFuture::poll checks that the thread's stack has room
//   left (core/stack_guard.hpp: one compare) and raises a ContractError that
//   says so, instead of overflowing the stack; build such chains with then()
//   returning a BoxFuture (adopted: constant stack) or with loop_fn().
//   Destroying a chain never overflows: boxes nested more than
//   kMaxNestedBoxDrops deep inside a box being destroyed are not destroyed
//   from within their parent's destructor but put on a list of this thread,
//   which the outermost BoxFuture destructor in progress empties, one box
//   after the other. Destroying a million nested boxes takes the stack of 16
//   nested ones, and the same work. Below that depth, destruction is
//   ordinary (a box is destroyed inside its parent's destructor); beyond it,
//   a nested box is destroyed only after the box 16 levels up is gone, still
//   before the outermost destructor returns.
#pragma once

#include <pollen/config.hpp>
#include <pollen/core/contract.hpp>
#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/stack_guard.hpp>
#include <pollen/core/future_ext.hpp>

#include <memory>
#include <type_traits>
#include <utility>

POLLEN_NAMESPACE_BEGIN

template <class T>
class BoxFuture;

namespace detail {
class DynBase;

// This thread's boxes whose destruction is deferred, and how many box
// destructions are nested right now. A template's static member, so that
// every translation unit and the shared library see one per thread, and so
// that the compiler sees its constant initialisation (no TLS wrapper call);
// initial-exec: one load from the thread pointer, no __tls_get_addr.
struct DropList {
  DynBase* head;
  unsigned depth;
};
template <class = void>
struct DropListOf {
#if defined(__GNUC__) || defined(__clang__)
  static thread_local DropList list __attribute__((tls_model("initial-exec")));
#else
  static thread_local DropList list;
#endif
};
template <class V>
thread_local DropList DropListOf<V>::list = {nullptr, 0};

// How many box destructions may nest, each inside the previous one's
// destructor, before the next is deferred to the list.
constexpr unsigned kMaxNestedBoxDrops = 16;

// The slow path of drop_box (src/box_future.cpp): a destruction nested in
// another box's destruction (counted, deferred beyond kMaxNestedBoxDrops),
// and the boxes deferred meanwhile.
void drop_box_nested(DynBase* p) noexcept;
void drop_deferred_boxes() noexcept;

// What every boxed future is, whatever its output: something a BoxFuture
// destroys through a virtual destructor, with a link for this thread's list
// of boxes waiting to be destroyed (drop_box()), and whether its poll may
// hand over a box to adopt (poll_adopting(); most futures never do).
class DynBase {
 public:
  DynBase() = default;
  DynBase(const DynBase&) = delete;
  DynBase& operator=(const DynBase&) = delete;
  virtual ~DynBase() = default;

  bool may_adopt() const noexcept { return may_adopt_; }

 protected:
  bool may_adopt_ = true;

 private:
  // The key function, defined in the library: the vtable is emitted there
  // once instead of in every translation unit. Never called.
  virtual void anchor();

  friend void drop_box_nested(DynBase* p) noexcept;
  friend void drop_deferred_boxes() noexcept;
  DynBase* next_dropped_ = nullptr;  // valid only while on the list
};

// Destroys a boxed future, in constant stack however deeply boxes nest (see
// the top of this file). Inline for the usual case, a box destroyed outside
// any other box's destructor with nothing deferred.
inline void drop_box(DynBase* p) noexcept {
  DropList& list = DropListOf<>::list;
  if (list.depth != 0) {
    drop_box_nested(p);
    return;
  }
  list.depth = 1;
  delete p;
  if (list.head != nullptr) drop_deferred_boxes();
  list.depth = 0;
}

// The deleter of BoxFuture.
struct BoxDeleter {
  void operator()(DynBase* p) const noexcept { drop_box(p); }
};
}  // namespace detail

template <class T>
class DynFuture : public detail::DynBase {
 public:
  using Output = T;
  DynFuture() = default;
  DynFuture(const DynFuture&) = delete;
  DynFuture& operator=(const DynFuture&) = delete;
  ~DynFuture() override = default;

  virtual Poll<T> poll(Context& cx) = 0;
  virtual void describe(Describer& d) const = 0;

  // Like poll(), but a future that would from now on only forward to
  // another BoxFuture<T> moves that box into `out` (unpolled) and returns
  // Pending; the BoxFuture holding this one then adopts it. The default
  // never adopts.
  virtual Poll<T> poll_adopting(Context& cx, BoxFuture<T>& out) {
    (void)out;
    return poll(cx);
  }
};

namespace detail {
template <class F, class T, class = void>
struct has_poll_adopting : std::false_type {};
template <class F, class T>
struct has_poll_adopting<F, T,
                         void_t<decltype(std::declval<F&>().poll_adopting(
                             std::declval<Context&>(), std::declval<BoxFuture<T>&>()))>>
    : std::true_type {};

template <class F>
class DynFutureImpl final : public DynFuture<output_t<F>> {
  using T = output_t<F>;

 public:
  explicit DynFutureImpl(F&& f) : f_(std::move(f)) { this->may_adopt_ = has_poll_adopting<F, T>::value; }
  Poll<T> poll(Context& cx) override { return f_.poll(cx); }
  Poll<T> poll_adopting(Context& cx, BoxFuture<T>& out) override {
    return adopt(cx, out, has_poll_adopting<F, T>());
  }
  void describe(Describer& d) const override {
    d.describe_here(f_);
  }

 private:
  Poll<T> adopt(Context& cx, BoxFuture<T>& out, std::true_type) { return f_.poll_adopting(cx, out); }
  Poll<T> adopt(Context& cx, BoxFuture<T>&, std::false_type) { return f_.poll(cx); }

  F f_;
};
}  // namespace detail

template <class T>
class POLLEN_NODISCARD_TYPE BoxFuture : public FutureExt<BoxFuture<T>> {
 public:
  using Output = T;

  // The empty box: polling it is a ContractError.
  BoxFuture() noexcept = default;
  explicit BoxFuture(std::unique_ptr<DynFuture<T>> impl) noexcept : impl_(impl.release()) {}
  BoxFuture(BoxFuture&&) noexcept = default;
  BoxFuture& operator=(BoxFuture&&) noexcept = default;

  Poll<T> poll(Context& cx) {
    detail::observe_poll(cx, this);
    POLLEN_REQUIRE(impl_ != nullptr,
                   "BoxFuture polled while empty (default-constructed or moved from); assign it "
                   "a future from pollen::boxed() before polling it");
    POLLEN_CHECK_STACK("BoxFuture");
    if (!impl_->may_adopt()) return impl_->poll(cx);
    // Each round either finishes (Ready or Pending) or adopts the box the
    // current future handed over and polls that instead: a loop, not a
    // recursion, however long the chain of boxes.
    for (;;) {
      BoxFuture next;
      Poll<T> p = impl_->poll_adopting(cx, next);
      if (next.impl_ == nullptr) return p;
      impl_ = std::move(next.impl_);  // the forwarding future is destroyed here
    }
  }

  bool empty() const noexcept { return impl_ == nullptr; }

  void describe(Describer& d) const {
    if (impl_ == nullptr) {
      d.node("BoxFuture", "empty");
      return;
    }
    d.node("BoxFuture");
    d.child(*impl_);
  }

 private:
  std::unique_ptr<DynFuture<T>, detail::BoxDeleter> impl_;  // null: empty
};

namespace detail {
template <class F>
struct is_box_future : std::false_type {};
template <class T>
struct is_box_future<BoxFuture<T>> : std::true_type {};
}  // namespace detail

// Boxes `f`: one heap allocation holding f.
template <class F, typename std::enable_if<!detail::is_box_future<F>::value, int>::type = 0>
POLLEN_NODISCARD BoxFuture<output_t<F>> boxed(F f) {
  POLLEN_REQUIRE_FUTURE(F);
  return BoxFuture<output_t<F>>(
      std::unique_ptr<DynFuture<output_t<F>>>(new detail::DynFutureImpl<F>(std::move(f))));
}
// A BoxFuture is already boxed: returned as it is.
template <class T>
POLLEN_NODISCARD BoxFuture<T> boxed(BoxFuture<T> f) noexcept {
  return f;
}

template <class D>
template <class E>
BoxFuture<typename E::Output> FutureExt<D>::boxed() && {
  return pollen::boxed(std::move(static_cast<E&>(*this)));
}

POLLEN_NAMESPACE_END
