// pollen/fmt.hpp: fmt support. The only header of pollen that needs fmt:
// link it through pollen-fmt (meson `dependency('pollen-fmt')`, pkg-config
// `pollen-fmt`, CMake `find_package(pollen CONFIG COMPONENTS fmt)` and
// `pollen::fmt`); the library itself links no fmt.
//
// Example:
//
//   fmt::print("{}\n", f);      // a future: its state tree, sizes included
//   fmt::print("{:l}\n", f);    // ... on one line: Then[state: First](Ready[value waiting])
//   fmt::print("{:s}\n", f);    // ... without sizes (states only)
//   fmt::print("{}\n", pollen::with_stats(f, observer));  // + polls, spurious
//   fmt::print("{}\n", poll);   // Ready(42) or Pending
//   fmt::print("{}\n", opt);    // Some(42) or None
//   fmt::print("{}\n", unit);   // ()
//
// Futures (is_future: every library future, JoinHandle, BoxFuture, user
// futures), streams (is_stream: Receiver, stream adapters), other types with a
// describe(Describer&) const (Interval) and DescribeNode all format as their
// state tree. The spec is an optional mode letter, then the usual string spec
// (fill, align, width): `{:l>60}`. The tree form has no final newline.
#pragma once

#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/option.hpp>
#include <pollen/core/poll.hpp>
#include <pollen/core/result.hpp>
#include <pollen/core/unit.hpp>
#include <pollen/stream/stream.hpp>

#include <fmt/format.h>

#include <string>
#include <type_traits>

namespace pollen {
inline namespace POLLEN_ABI_TAG {
namespace detail {

// True for what fmt.hpp formats as a state tree.
template <class T>
struct is_describable
    : std::integral_constant<bool, is_future<T>::value || is_stream<T>::value ||
                                       has_describe<T>::value> {};

// The formatter shared by every describable type: parses the mode letter,
// leaves the rest of the spec to fmt's string formatter.
struct TreeFormatter : fmt::formatter<fmt::string_view> {
  char mode = 't';  // 't' tree, 'l' one line, 's' states only

  template <class ParseCtx>
  FMT_CONSTEXPR auto parse(ParseCtx& ctx) -> decltype(ctx.begin()) {
    auto it = ctx.begin();
    if (it != ctx.end() && (*it == 'l' || *it == 's')) {
      mode = *it;
      ++it;
      ctx.advance_to(it);
    }
    return fmt::formatter<fmt::string_view>::parse(ctx);
  }

  template <class Ctx>
  auto format_node(const DescribeNode& node, Ctx& ctx) const -> decltype(ctx.out()) {
    RenderOptions o;
    if (mode == 'l') o.one_line = true;
    if (mode == 's') {
      o.sizes = false;
      o.stats = false;
    }
    std::string s = render(node, o);
    if (!s.empty() && s.back() == '\n') s.pop_back();
    return fmt::formatter<fmt::string_view>::format(fmt::string_view(s), ctx);
  }
};

}  // namespace detail
}  // namespace POLLEN_ABI_TAG
}  // namespace pollen

// Futures, streams and anything with describe(): the state tree.
template <class F>
struct fmt::formatter<F, char,
                      typename std::enable_if<pollen::detail::is_describable<F>::value>::type>
    : pollen::detail::TreeFormatter {
  template <class Ctx>
  auto format(const F& f, Ctx& ctx) const -> decltype(ctx.out()) {
    return format_node(pollen::describe_tree(f), ctx);
  }
};

// pollen::with_stats(f, observer): the tree with polls and spurious polls.
template <class F>
struct fmt::formatter<pollen::WithStats<F>> : pollen::detail::TreeFormatter {
  template <class Ctx>
  auto format(const pollen::WithStats<F>& w, Ctx& ctx) const -> decltype(ctx.out()) {
    return format_node(pollen::describe_tree(*w.future, w.observer), ctx);
  }
};

// A tree already described.
template <>
struct fmt::formatter<pollen::DescribeNode> : pollen::detail::TreeFormatter {
  template <class Ctx>
  auto format(const pollen::DescribeNode& n, Ctx& ctx) const -> decltype(ctx.out()) {
    return format_node(n, ctx);
  }
};

template <>
struct fmt::formatter<pollen::Unit> : fmt::formatter<fmt::string_view> {
  template <class Ctx>
  auto format(pollen::Unit, Ctx& ctx) const -> decltype(ctx.out()) {
    return fmt::formatter<fmt::string_view>::format(fmt::string_view("()"), ctx);
  }
};

template <class T>
struct fmt::formatter<pollen::Poll<T>> {
  template <class ParseCtx>
  constexpr auto parse(ParseCtx& ctx) -> decltype(ctx.begin()) {
    return ctx.begin();
  }
  template <class Ctx>
  auto format(const pollen::Poll<T>& p, Ctx& ctx) const -> decltype(ctx.out()) {
    if (p.is_pending()) return fmt::format_to(ctx.out(), "Pending");
    return fmt::format_to(ctx.out(), "Ready({})", p.value());
  }
};

template <class T>
struct fmt::formatter<pollen::Option<T>> {
  template <class ParseCtx>
  constexpr auto parse(ParseCtx& ctx) -> decltype(ctx.begin()) {
    return ctx.begin();
  }
  template <class Ctx>
  auto format(const pollen::Option<T>& o, Ctx& ctx) const -> decltype(ctx.out()) {
    if (!o.has_value()) return fmt::format_to(ctx.out(), "None");
    return fmt::format_to(ctx.out(), "Some({})", *o);
  }
};

// Result<T, E>: Ok(value) or Err(error); a std::error_code error prints as
// its category, value and message, as in Result::value()'s ContractError.
template <class T, class E>
struct fmt::formatter<pollen::Result<T, E>> {
  template <class ParseCtx>
  constexpr auto parse(ParseCtx& ctx) -> decltype(ctx.begin()) {
    return ctx.begin();
  }
  template <class Ctx>
  auto format(const pollen::Result<T, E>& r, Ctx& ctx) const -> decltype(ctx.out()) {
    if (r.ok()) return fmt::format_to(ctx.out(), "Ok({})", r.value());
    return format_error(r.error(), ctx);
  }

 private:
  template <class Ctx>
  static auto format_error(const std::error_code& e, Ctx& ctx) -> decltype(ctx.out()) {
    return fmt::format_to(ctx.out(), "Err({})", pollen::detail::error_text(e));
  }
  template <class G, class Ctx>
  static auto format_error(const G& e, Ctx& ctx) -> decltype(ctx.out()) {
    return fmt::format_to(ctx.out(), "Err({})", e);
  }
};
