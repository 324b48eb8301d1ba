// pollen/fmt.hpp: fmt support. The only header of pollen that needs fmt.
//
//   fmt::print("{}\n", f);      // any future: its rendered state tree
//   fmt::print("{}\n", poll);   // Ready(42) or Pending
//   fmt::print("{}\n", opt);    // Some(42) or None
//   fmt::print("{}\n", unit);   // ()
#pragma once

#include <pollen/core/describe.hpp>
#include <pollen/core/future.hpp>
#include <pollen/core/option.hpp>
#include <pollen/core/poll.hpp>
#include <pollen/core/unit.hpp>

#include <fmt/format.h>

#include <type_traits>

template <class F>
struct fmt::formatter<F, char, typename std::enable_if<pollen::is_future<F>::value>::type>
    : fmt::formatter<fmt::string_view> {
  template <class Ctx>
  auto format(const F& f, Ctx& ctx) const -> decltype(ctx.out()) {
    std::string s = pollen::describe(f);
    if (!s.empty() && s.back() == '\n') s.pop_back();
    return fmt::formatter<fmt::string_view>::format(fmt::string_view(s), ctx);
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
