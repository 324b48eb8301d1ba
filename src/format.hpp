// The library's own {}-formatting, for its messages, describe() text and
// traces, so that libpollen needs no fmt (only <pollen/fmt.hpp> users do).
//
//   std::string s = detail::format("task #{} woken after {:.1f} ms", id, ms);
//   detail::format_to(out, "{:04x}", c);   // out: anything with append(p, n)
//
// It knows what the library writes, no more:
// - "{}" formats an integer in decimal, bool as true/false, char as itself,
//   a const char* or std::string as text, a double as printf's %g;
// - "{:spec}" takes printf's [0][width][.precision][type] with type d, x, f
//   or g (integers default to d, doubles to g): "{:04x}", "{:9.3f}",
//   "{:.3g}" print what fmt and printf print for them;
// - "{{" and "}}" are braces.
// A placeholder without an argument, or an argument without a placeholder,
// is a bug of the library: it prints "{?}" where the text went wrong rather
// than reading past the arguments.
#pragma once

#include <pollen/config.hpp>

#include <cstddef>
#include <string>
#include <type_traits>

POLLEN_NAMESPACE_BEGIN
namespace detail {

// One argument, type-erased so that the formatting code is compiled once.
struct FormatArg {
  enum class Kind : unsigned char { None, Int, Uint, Double, Text };
  Kind kind = Kind::None;
  long long i = 0;
  unsigned long long u = 0;
  double d = 0;
  const char* text = nullptr;
  std::size_t len = 0;

  FormatArg() = default;
  FormatArg(bool v) : kind(Kind::Text), text(v ? "true" : "false"), len(v ? 4u : 5u) {}
  FormatArg(const char& c) : kind(Kind::Text), text(&c), len(1) {}
  FormatArg(const char* s);
  FormatArg(const std::string& s) : kind(Kind::Text), text(s.data()), len(s.size()) {}
  FormatArg(double v) : kind(Kind::Double), d(v) {}
  FormatArg(float v) : kind(Kind::Double), d(static_cast<double>(v)) {}
  template <class T, typename std::enable_if<std::is_integral<T>::value && std::is_signed<T>::value &&
                                                 !std::is_same<T, char>::value,
                                             int>::type = 0>
  FormatArg(T v) : kind(Kind::Int), i(static_cast<long long>(v)) {}
  template <class T, typename std::enable_if<std::is_integral<T>::value && !std::is_signed<T>::value &&
                                                 !std::is_same<T, bool>::value &&
                                                 !std::is_same<T, char>::value,
                                             int>::type = 0>
  FormatArg(T v) : kind(Kind::Uint), u(static_cast<unsigned long long>(v)) {}
};

using FormatSink = void (*)(void* out, const char* p, std::size_t n);

// Writes text to stderr, as one write.
void print_stderr_text(const std::string& text);

void vformat_to(FormatSink sink, void* out, const char* spec, const FormatArg* args,
                std::size_t count);

template <class Out>
void format_append(void* out, const char* p, std::size_t n) {
  static_cast<Out*>(out)->append(p, n);
}

template <class Out, class... Args>
void format_to(Out& out, const char* spec, const Args&... args) {
  const FormatArg list[] = {FormatArg(args)..., FormatArg()};
  vformat_to(&format_append<Out>, &out, spec, list, sizeof...(Args));
}

template <class... Args>
std::string format(const char* spec, const Args&... args) {
  std::string out;
  format_to(out, spec, args...);
  return out;
}

// format() written to stderr.
template <class... Args>
void print_stderr(const char* spec, const Args&... args) {
  std::string out;
  format_to(out, spec, args...);
  print_stderr_text(out);
}

}  // namespace detail
POLLEN_NAMESPACE_END
