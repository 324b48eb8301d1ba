// pollen/config.hpp: the one place where the build mode is detected.
//
// POLLEN_HAS_EXCEPTIONS and POLLEN_HAS_RTTI are 1 or 0. They can be forced
// from the command line; otherwise they follow the compiler's own switches
// (-fno-exceptions, -fno-rtti, /EHs-, /GR-).
//
// Everything in pollen lives in an inline namespace whose name carries the
// exception mode (pollen::v0_exc or pollen::v0_noexc). Code built with
// exceptions and code built without them give the same source names
// different symbols, so mixing the two fails at link time instead of
// misbehaving at run time (a ContractError that nobody can catch, a task
// whose exception slot has a different layout, ...).
#pragma once

#include <pollen/version.hpp>  // POLLEN_VERSION_*

#ifndef POLLEN_HAS_EXCEPTIONS
#  if defined(__cpp_exceptions) || defined(__EXCEPTIONS) || defined(_CPPUNWIND)
#    define POLLEN_HAS_EXCEPTIONS 1
#  else
#    define POLLEN_HAS_EXCEPTIONS 0
#  endif
#endif

#ifndef POLLEN_HAS_RTTI
#  if defined(__cpp_rtti) || defined(__GXX_RTTI) || defined(_CPPRTTI)
#    define POLLEN_HAS_RTTI 1
#  else
#    define POLLEN_HAS_RTTI 0
#  endif
#endif

// POLLEN_OBSERVE_POLLS (1 or 0): whether library futures report each poll
// to a PollObserver attached to the Context (per-node poll and spurious-poll
// counts, core/poll_observer.hpp). On by default in builds without NDEBUG
// (debug builds, the test suite), off by default with NDEBUG (release
// builds): the report passes the future's address to an out-of-line
// function, and an address that escapes keeps the optimizer from holding a
// future in registers. Set it on the command line to choose. Everything else
// that watches (describe() with states and sizes, the loop's task dump,
// tracing, slow polls) works either way, and translation units built with
// different settings link and work together: the setting only adds or
// removes the counting call (docs/introspection.md).
#ifndef POLLEN_OBSERVE_POLLS
#  ifdef NDEBUG
#    define POLLEN_OBSERVE_POLLS 0
#  else
#    define POLLEN_OBSERVE_POLLS 1
#  endif
#endif

#if POLLEN_HAS_EXCEPTIONS
#  define POLLEN_ABI_TAG v0_exc
#else
#  define POLLEN_ABI_TAG v0_noexc
#endif

#define POLLEN_NAMESPACE_BEGIN \
  namespace pollen {           \
  inline namespace POLLEN_ABI_TAG {
#define POLLEN_NAMESPACE_END \
  }                          \
  }

// The same mismatch, named. The inline namespace makes code built with and
// without exceptions fail to link together, but the undefined symbols it
// leaves name pollen's internals. So the library defines one more symbol,
// for its own mode (src/build_mode.cpp), and every translation unit that
// includes pollen refers to the one of its mode: linking against a library
// of the other mode then also reports an undefined symbol that says what to
// do. `used` keeps the reference even when nothing else in the unit needs it.
extern "C" {
#if POLLEN_HAS_EXCEPTIONS
extern const char pollen_code_built_with_exceptions_needs_pollen_configured_without_Dcpp_eh_none;
#else
extern const char pollen_code_built_without_exceptions_needs_pollen_configured_with_Dcpp_eh_none;
#endif
}
namespace pollen {
namespace build_mode_check {
#if defined(__GNUC__) || defined(__clang__)
#  if POLLEN_HAS_EXCEPTIONS
__attribute__((used)) static const char* const reference =
    &pollen_code_built_with_exceptions_needs_pollen_configured_without_Dcpp_eh_none;
#  else
__attribute__((used)) static const char* const reference =
    &pollen_code_built_without_exceptions_needs_pollen_configured_with_Dcpp_eh_none;
#  endif
#endif
}  // namespace build_mode_check
}  // namespace pollen

// POLLEN_NODISCARD marks functions whose result must be used: every function
// that returns a future (futures do nothing unless polled) and the internal
// transition functions whose result says what the caller must do next.
#if __cplusplus >= 201703L
#  define POLLEN_NODISCARD [[nodiscard]]
#elif defined(__GNUC__) || defined(__clang__)
#  define POLLEN_NODISCARD __attribute__((warn_unused_result))
#else
#  define POLLEN_NODISCARD
#endif

// Classes can be marked must-use only from C++17 on.
#if __cplusplus >= 201703L
#  define POLLEN_NODISCARD_TYPE [[nodiscard]]
#else
#  define POLLEN_NODISCARD_TYPE
#endif

#if defined(__GNUC__) || defined(__clang__)
#  define POLLEN_LIKELY(x) __builtin_expect(!!(x), 1)
#  define POLLEN_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#  define POLLEN_LIKELY(x) (x)
#  define POLLEN_UNLIKELY(x) (x)
#endif

// For the few small functions on every poll or wake whose inlining must not
// depend on the size of the translation unit around them: gcc's inlining
// budget grows with the unit, so a lighter header once pushed them out of
// line (about +2-5% instructions in the wake-heavy workloads).
#if defined(__GNUC__) || defined(__clang__)
#  define POLLEN_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#  define POLLEN_ALWAYS_INLINE inline
#endif
