// The symbol that names this library's build mode (see the end of
// <pollen/config.hpp>): code built in the same mode links, code built in the
// other mode gets an undefined reference whose name says how to fix it.
#include <pollen/config.hpp>

extern "C" {
#if POLLEN_HAS_EXCEPTIONS
const char pollen_code_built_with_exceptions_needs_pollen_configured_without_Dcpp_eh_none = 0;
#else
const char pollen_code_built_without_exceptions_needs_pollen_configured_with_Dcpp_eh_none = 0;
#endif
}
