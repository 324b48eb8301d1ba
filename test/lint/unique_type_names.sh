#!/bin/bash
# Every class, struct, union and enum defined at namespace scope in the
# library (include/ and src/) has a name of its own. Two definitions of one
# name in one namespace break the one-definition rule without a diagnostic:
# the linker keeps one copy of each inline member function (a constructor,
# say) for both classes, and unoptimised builds, which do not inline, then
# run the wrong one. Our headers and sources put namespace-scope definitions
# at column 0 and nested ones indented, which is what this reads.
set -euo pipefail
root=${1:?usage: unique_type_names.sh SOURCE_ROOT}
cd "$root"
dups=$(grep -rhoE '^(class|struct|union|enum class|enum struct) [A-Za-z_][A-Za-z0-9_]*( final)?( \{| :|$)' \
         include src |
       awk '{ print ($1 == "enum") ? $3 : $2 }' | sort | uniq -d)
if [ -n "$dups" ]; then
  echo "type names defined more than once at namespace scope in include/ and src/:"
  for name in $dups; do
    echo "  $name:"
    grep -rnE "^(class|struct|union|enum class|enum struct) $name( final)?( \{| :|$)" include src |
      sed 's/^/    /'
  done
  echo "rename one of them: the linker would merge their inline members"
  exit 1
fi
count=$(grep -rhoE '^(class|struct|union|enum class|enum struct) [A-Za-z_][A-Za-z0-9_]*( final)?( \{| :|$)' \
          include src | wc -l)
if [ "$count" -lt 50 ]; then
  echo "found only $count type definitions: the pattern no longer matches the layout of the code"
  exit 1
fi
echo "$count namespace-scope type definitions, every name used once"
