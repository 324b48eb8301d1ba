#include <pollen/core/result.hpp>
#include <pollen/core/poll.hpp>

#include "contract.hpp"
#include "probe.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <system_error>
#include <type_traits>

using pollen::Result;
using pollen::test::Probe;
using pollen::test::ProbeCounts;

namespace {
std::error_code enoent() { return std::make_error_code(std::errc::no_such_file_or_directory); }
std::error_code einval() { return std::make_error_code(std::errc::invalid_argument); }

Result<int> parse(const std::string& s) {
  if (s.empty() || s[0] < '0' || s[0] > '9') return pollen::err(einval());
  return pollen::ok(std::stoi(s));
}
}  // namespace

// Result<int, std::error_code>: both trivially copyable, so the Result is.
static_assert(std::is_trivially_copyable<std::error_code>::value, "the premise");
static_assert(std::is_trivially_copyable<Result<int>>::value, "");
static_assert(std::is_trivially_destructible<Result<int>>::value, "");
static_assert(std::is_trivially_copyable<Result<double, int>>::value, "");
static_assert(std::is_trivially_copyable<Result<pollen::Unit>>::value, "");
static_assert(!std::is_trivially_copyable<Result<std::string>>::value, "");
static_assert(!std::is_trivially_copyable<Result<int, std::string>>::value, "");
static_assert(!std::is_trivially_destructible<Result<std::string>>::value, "");
static_assert(!std::is_copy_constructible<Result<std::unique_ptr<int>>>::value, "move-only T");
static_assert(std::is_nothrow_move_constructible<Result<std::string>>::value, "");
static_assert(!std::is_default_constructible<Result<int>>::value, "a Result is a value or an error");
static_assert(std::is_same<Result<int>::error_type, std::error_code>::value, "the default E");
static_assert(std::is_trivially_copyable<pollen::Poll<Result<int>>>::value,
              "a Poll<Result<int>> is returned in registers, as a Poll<int> is");
static_assert(sizeof(Result<int, int>) == 2 * sizeof(int), "an int, a byte, padding");

TEST(Result, OkHoldsTheValue) {
  Result<int> r = pollen::ok(5);
  EXPECT_TRUE(r.ok());
  EXPECT_FALSE(r.is_err());
  EXPECT_TRUE(static_cast<bool>(r));
  EXPECT_EQ(r.value(), 5);
  EXPECT_EQ(r.value_or(9), 5);
  EXPECT_EQ(parse("42").value(), 42);
}

TEST(Result, ErrHoldsTheError) {
  Result<int> r = pollen::err(enoent());
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.is_err());
  EXPECT_EQ(r.error(), enoent());
  EXPECT_EQ(r.value_or(9), 9);
  EXPECT_EQ(parse("x").error(), einval());
}

TEST(Result, UnitIsTheResultWithoutAValue) {
  Result<pollen::Unit> r = pollen::ok();
  EXPECT_TRUE(r.ok());
  Result<pollen::Unit> e = pollen::err(enoent());
  EXPECT_EQ(e.error(), enoent());
}

TEST(Result, EqualityComparesSideAndContents) {
  Result<int> a = pollen::ok(1);
  Result<int> b = pollen::ok(1);
  Result<int> c = pollen::ok(2);
  Result<int> d = pollen::err(enoent());
  Result<int> e = pollen::err(enoent());
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(a, d);
  EXPECT_EQ(d, e);
  EXPECT_NE(d, Result<int>(pollen::err(einval())));
}

TEST(Result, ValueOnAnErrorIsAContractErrorNamingTheError) {
  Result<int> r = pollen::err(enoent());
  const std::string named = "generic:" + std::to_string(ENOENT) + " \"" + enoent().message() + "\"";
  EXPECT_CONTRACT_ERROR((void)r.value(), "Result::value() called on a Result that holds an error (" + named);
  EXPECT_CONTRACT_ERROR((void)std::move(r).value(), "check ok() first");
  Result<int, std::string> s = pollen::err(std::string("disk on fire"));
  EXPECT_CONTRACT_ERROR((void)s.value(), "(\"disk on fire\")");
  Result<int, int> i = pollen::err(17);
  EXPECT_CONTRACT_ERROR((void)i.value(), "(17)");
  Result<int, std::errc> c = pollen::err(std::errc::invalid_argument);
  EXPECT_CONTRACT_ERROR((void)c.value(), "(enumerator " + std::to_string(EINVAL) + ")");
}

TEST(Result, ErrorOnAValueIsAContractError) {
  Result<int> r = pollen::ok(1);
  EXPECT_CONTRACT_ERROR((void)r.error(),
                        "Result::error() called on a Result that holds a value; check ok() first");
  const Result<int>& cr = r;
  EXPECT_CONTRACT_ERROR((void)cr.error(), "holds a value");
}

TEST(Result, MapTransformsTheValueAndPassesAnErrorThrough) {
  int calls = 0;
  auto twice = [&calls](int x) {
    ++calls;
    return std::to_string(x * 2);
  };
  Result<int> r = pollen::ok(21);
  Result<std::string> s = r.map(twice);  // lvalue: r is kept
  EXPECT_EQ(s.value(), "42");
  EXPECT_EQ(r.value(), 21);
  Result<int> e = pollen::err(enoent());
  Result<std::string> se = std::move(e).map(twice);
  EXPECT_EQ(se.error(), enoent());
  EXPECT_EQ(calls, 1);  // not called on the error
  // A function returning void gives Result<Unit, E>.
  Result<pollen::Unit> u = Result<int>(pollen::ok(3)).map([](int) {});
  EXPECT_TRUE(u.ok());
}

TEST(Result, MapErrTransformsTheErrorAndPassesAValueThrough) {
  auto describe = [](std::error_code ec) { return std::string(ec.category().name()); };
  Result<int> e = pollen::err(enoent());
  Result<int, std::string> s = std::move(e).map_err(describe);
  EXPECT_EQ(s.error(), "generic");
  Result<int> v = pollen::ok(4);
  Result<int, std::string> sv = v.map_err(describe);
  EXPECT_EQ(sv.value(), 4);
}

TEST(Result, AndThenChainsFunctionsThatCanFail) {
  auto positive = [](int x) -> Result<int> {
    if (x > 0) return pollen::ok(x);
    return pollen::err(einval());
  };
  EXPECT_EQ(parse("7").and_then(positive).value(), 7);
  EXPECT_EQ(parse("0").and_then(positive).error(), einval());
  int calls = 0;
  Result<int> first_error = parse("x").and_then([&calls](int x) -> Result<int> {
    ++calls;
    return pollen::ok(x);
  });
  EXPECT_EQ(first_error.error(), einval());
  EXPECT_EQ(calls, 0);
  const Result<int> c = pollen::ok(2);
  EXPECT_EQ(c.and_then(positive).value(), 2);
}

TEST(Result, MoveOnlyValues) {
  Result<std::unique_ptr<int>> r = pollen::ok(std::unique_ptr<int>(new int(3)));
  Result<std::unique_ptr<int>> s = std::move(r);
  EXPECT_TRUE(r.ok());  // a moved-from Result keeps its side...
  EXPECT_EQ(r.value(), nullptr);  // ...and holds a moved-from value
  std::unique_ptr<int> p = std::move(s).value();
  EXPECT_EQ(*p, 3);
  Result<int> m = Result<std::unique_ptr<int>>(pollen::ok(std::unique_ptr<int>(new int(4))))
                      .map([](std::unique_ptr<int> q) { return *q; });
  EXPECT_EQ(m.value(), 4);
}

TEST(Result, EveryValueAndErrorIsDestroyedExactlyOnce) {
  ProbeCounts vc;
  ProbeCounts ec;
  {
    Result<Probe<int>, Probe<int>> a = pollen::ok(Probe<int>(vc, 1));
    Result<Probe<int>, Probe<int>> b = pollen::err(Probe<int>(ec, 2));
    Result<Probe<int>, Probe<int>> c = a;  // copy
    c = b;                                 // the value in c is destroyed, the error copied in
    Result<Probe<int>, Probe<int>> d = std::move(b);
    d = std::move(a);                      // the error in d destroyed, the value moved in
    EXPECT_TRUE(c.is_err());
    EXPECT_EQ(c.error().value(), 2);
    EXPECT_EQ(d.value().value(), 1);
  }
  EXPECT_EQ(vc.alive(), 0);
  EXPECT_EQ(ec.alive(), 0);
  EXPECT_EQ(vc.live_destroyed, 2);  // the value and its copy
  EXPECT_EQ(ec.live_destroyed, 2);  // the error and its copy
}

TEST(Result, TheFlagByteIsTheAdvertisedNiche) {
  using R = Result<std::string, int>;
  using N = R::pollen_niche;
  R a = pollen::ok(std::string("x"));
  R b = pollen::err(3);
  unsigned char byte = 9;
  std::memcpy(&byte, reinterpret_cast<const unsigned char*>(&a) + N::offset, 1);
  EXPECT_EQ(byte, 1);
  std::memcpy(&byte, reinterpret_cast<const unsigned char*>(&b) + N::offset, 1);
  EXPECT_EQ(byte, 0);
  static_assert(Result<int>::pollen_niche::offset == sizeof(std::error_code), "");
  static_assert(Result<char, char>::pollen_niche::offset == 1, "");
}
