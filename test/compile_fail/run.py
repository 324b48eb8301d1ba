#!/usr/bin/env python3
"""Runs one compile-fail test.

The --bad file must fail to compile, and its FIRST error line must contain
--expect: pollen's static_assert comes before anything else the compiler has
to say (the code after the bad call uses its result, so this also checks
that the result adds no error of its own before pollen's). With
--max-errors N it may print at most N error lines. The --good file (the same
code done right) must compile, so that the test cannot pass because of an
unrelated error.

Each --compiler (a command, split like a shell would) runs the check; the
flags after `--` are given to every compiler, then the file name.
"""
import argparse
import re
import shlex
import subprocess
import sys

ERROR = re.compile(r'\berror:')


def compile_file(cmd, path):
    proc = subprocess.run(cmd + [path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True)
    return proc.returncode, proc.stdout


def check(compiler, flags, args):
    name = compiler[-1]
    cmd = compiler + flags
    code, out = compile_file(cmd, args.good)
    if code != 0:
        print(f'FAIL ({name}): {args.good} should compile, but:\n{out}')
        return False
    code, out = compile_file(cmd, args.bad)
    if code == 0:
        print(f'FAIL ({name}): {args.bad} compiled, but it must not')
        return False
    errors = [line for line in out.splitlines() if ERROR.search(line)]
    if not errors:
        print(f'FAIL ({name}): {args.bad} failed without an error line:\n{out}')
        return False
    if args.expect not in errors[0]:
        print(f'FAIL ({name}): the first error of {args.bad} is not pollen\'s {args.expect!r}, '
              f'but:\n{errors[0]}\n\nthe whole output:\n{out}')
        return False
    if args.max_errors is not None and len(errors) > args.max_errors:
        print(f'FAIL ({name}): {args.bad} prints {len(errors)} error lines, at most '
              f'{args.max_errors} expected:\n{out}')
        return False
    print(f'ok ({name}): {args.bad} fails first with {args.expect!r} '
          f'({len(errors)} error line(s)); {args.good} compiles')
    return True


def main():
    argv = sys.argv[1:]
    split = argv.index('--')
    parser = argparse.ArgumentParser()
    parser.add_argument('--expect', required=True)
    parser.add_argument('--bad', required=True)
    parser.add_argument('--good', required=True)
    parser.add_argument('--max-errors', type=int)
    parser.add_argument('--compiler', action='append', required=True)
    args = parser.parse_args(argv[:split])
    flags = argv[split + 1:]
    ok = True
    for compiler in args.compiler:
        ok = check(shlex.split(compiler), flags, args) and ok
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
