// pollen's version, for code that must know which pollen it builds against.
//
//   #if POLLEN_VERSION >= POLLEN_VERSION_OF(0, 2, 0)
//   ...
//
// POLLEN_VERSION_STRING equals the version in meson.build (configuring
// fails when they differ) and the shared library's name carries the major
// version (libpollen.so.0): a release that breaks the ABI raises it.
#ifndef POLLEN_VERSION_HPP
#define POLLEN_VERSION_HPP

#define POLLEN_VERSION_MAJOR 0
#define POLLEN_VERSION_MINOR 1
#define POLLEN_VERSION_PATCH 0
#define POLLEN_VERSION_STRING "0.1.0"

// One number that compares in version order.
#define POLLEN_VERSION_OF(major, minor, patch) ((major) * 1000000L + (minor) * 1000L + (patch))
#define POLLEN_VERSION POLLEN_VERSION_OF(POLLEN_VERSION_MAJOR, POLLEN_VERSION_MINOR, POLLEN_VERSION_PATCH)

#endif  // POLLEN_VERSION_HPP
