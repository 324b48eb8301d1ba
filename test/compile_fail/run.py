#!/usr/bin/env python3
"""Runs one compile-fail test.

The --bad file must fail to compile with a diagnostic containing --expect;
the --good file (the same code done right) must compile. The compiler command
follows `--`; the file name is appended to it.
"""
import argparse
import subprocess
import sys


def compile_file(cmd, path):
    proc = subprocess.run(cmd + [path], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True)
    return proc.returncode, proc.stdout


def main():
    argv = sys.argv[1:]
    split = argv.index('--')
    parser = argparse.ArgumentParser()
    parser.add_argument('--expect', required=True)
    parser.add_argument('--bad', required=True)
    parser.add_argument('--good', required=True)
    args = parser.parse_args(argv[:split])
    cmd = argv[split + 1:]

    code, out = compile_file(cmd, args.good)
    if code != 0:
        print(f'FAIL: {args.good} should compile, but:\n{out}')
        return 1
    code, out = compile_file(cmd, args.bad)
    if code == 0:
        print(f'FAIL: {args.bad} compiled, but it must not')
        return 1
    if args.expect not in out:
        print(f'FAIL: {args.bad} failed without the expected text {args.expect!r}:\n{out}')
        return 1
    errors = sum(1 for line in out.splitlines() if ': error:' in line)
    print(f'ok: {args.bad} fails with {args.expect!r} ({errors} error line(s)); '
          f'{args.good} compiles')
    return 0


if __name__ == '__main__':
    sys.exit(main())
