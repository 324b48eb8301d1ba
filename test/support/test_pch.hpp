// The precompiled header of the test programs (test/meson.build): GoogleTest,
// GoogleMock and the standard headers most tests include, parsed once per
// build instead of once per test program. No pollen header is in it, so a
// test that forgets one of pollen's headers still fails to compile; the
// CI build that does without precompiled headers (-Db_pch=false) checks
// the rest of each test's includes.
#include <gtest/gtest.h>
#include <gmock/gmock.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>
