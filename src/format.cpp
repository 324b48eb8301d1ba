// detail::format's one compiled body (src/format.hpp).
#include "format.hpp"

#include <cstdio>
#include <cstring>

POLLEN_NAMESPACE_BEGIN
namespace detail {

FormatArg::FormatArg(const char* s)
    : kind(Kind::Text), text(s != nullptr ? s : "(null)"), len(std::strlen(text)) {}

namespace {

// A printf conversion for one argument: "%" + the spec's flags, width and
// precision + a length modifier + the conversion letter.
void append_printf(FormatSink sink, void* out, const char* spec, std::size_t spec_len,
                   const FormatArg& a) {
  char type = spec_len > 0 ? spec[spec_len - 1] : '\0';
  bool has_type = type == 'd' || type == 'x' || type == 'f' || type == 'g';
  std::size_t flags_len = has_type ? spec_len - 1 : spec_len;
  char conv[32];
  if (flags_len > 16) flags_len = 16;
  std::size_t c = 0;
  conv[c++] = '%';
  std::memcpy(conv + c, spec, flags_len);
  c += flags_len;
  char buf[128];
  int n = 0;
  switch (a.kind) {
    case FormatArg::Kind::Int:
    case FormatArg::Kind::Uint:
      conv[c++] = 'l';
      conv[c++] = 'l';
      if (has_type && type == 'x') {
        conv[c++] = 'x';
        conv[c] = '\0';
        unsigned long long v =
            a.kind == FormatArg::Kind::Int ? static_cast<unsigned long long>(a.i) : a.u;
        n = std::snprintf(buf, sizeof buf, conv, v);
      } else if (a.kind == FormatArg::Kind::Int) {
        conv[c++] = 'd';
        conv[c] = '\0';
        n = std::snprintf(buf, sizeof buf, conv, a.i);
      } else {
        conv[c++] = 'u';
        conv[c] = '\0';
        n = std::snprintf(buf, sizeof buf, conv, a.u);
      }
      break;
    case FormatArg::Kind::Double:
      conv[c++] = (has_type && (type == 'f' || type == 'g')) ? type : 'g';
      conv[c] = '\0';
      n = std::snprintf(buf, sizeof buf, conv, a.d);
      break;
    case FormatArg::Kind::Text:
    case FormatArg::Kind::None:
      n = 0;
      break;
  }
  if (n <= 0) return;
  std::size_t len = static_cast<std::size_t>(n);
  sink(out, buf, len < sizeof buf ? len : sizeof buf - 1);
}

}  // namespace

void vformat_to(FormatSink sink, void* out, const char* spec, const FormatArg* args,
                std::size_t count) {
  std::size_t next = 0;
  const char* run = spec;  // start of the literal text not yet written
  const char* p = spec;
  while (*p != '\0') {
    if ((*p == '{' && p[1] == '{') || (*p == '}' && p[1] == '}')) {
      sink(out, run, static_cast<std::size_t>(p - run) + 1);
      p += 2;
      run = p;
      continue;
    }
    if (*p != '{') {
      ++p;
      continue;
    }
    sink(out, run, static_cast<std::size_t>(p - run));
    const char* close = std::strchr(p, '}');
    if (close == nullptr || next >= count) {
      sink(out, "{?}", 3);
      if (close == nullptr) return;
      p = close + 1;
      run = p;
      continue;
    }
    const char* s = p + 1;
    std::size_t s_len = 0;
    if (*s == ':') {
      ++s;
      s_len = static_cast<std::size_t>(close - s);
    } else if (s != close) {
      sink(out, "{?}", 3);  // an explicit index or a stray character: not supported
      p = close + 1;
      run = p;
      ++next;
      continue;
    }
    const FormatArg& a = args[next++];
    if (a.kind == FormatArg::Kind::Text) {
      sink(out, a.text, a.len);
    } else {
      append_printf(sink, out, s, s_len, a);
    }
    p = close + 1;
    run = p;
  }
  sink(out, run, static_cast<std::size_t>(p - run));
  if (next != count) sink(out, "{?}", 3);
}

void print_stderr_text(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stderr);
}

}  // namespace detail
POLLEN_NAMESPACE_END
