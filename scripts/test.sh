#!/usr/bin/env bash
# test.sh - install what is missing, build, and run every test twice: in a
# normal build and in a build with AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh --test
jobs=$(nproc)

echo "== formatting (clang-format, .clang-format)"
git ls-files -z '*.c' '*.h' | xargs -0 clang-format --dry-run --Werror

run_suite() {
	local dir=$1; shift
	cmake -S . -B "$dir" "$@" >/dev/null
	cmake --build "$dir" -j"$jobs"
	(cd "$dir" && ctest --output-on-failure -j"$jobs" --timeout 600)
}

echo "== build and test (RelWithDebInfo)"
run_suite build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo

echo "== build and test (ASan + UBSan)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
run_suite build-asan -DCMAKE_BUILD_TYPE=Debug -DSLOTDAV_SANITIZE=ON
