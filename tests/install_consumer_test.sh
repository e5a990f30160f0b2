#!/usr/bin/env bash
# The installed tree as a user meets it: `cmake --install` into a scratch
# prefix, the tree moved elsewhere (nothing may point back at the build),
# then a small program (tests/install_consumer) built against it with CMake
# (find_package(facekit 1.0)) and with pkg-config, and run; the installed
# binaries run; the public headers include no private one; libfacekit.so
# exports only facekit's own symbols.
#   install_consumer_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(realpath "$1")
source=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "install_consumer_test: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$work/staged" >/dev/null
mv "$work/staged" "$work/prefix"
prefix=$work/prefix
version=$(sed -n 's/^#define FACEKIT_VERSION "\(.*\)"$/\1/p' "$prefix/include/facekit/version.h")
[ -n "$version" ] || fail "no FACEKIT_VERSION in the installed version.h"
libdir=$(dirname "$(find "$prefix" -name 'facekit.pc')")/..

# Headers: exactly the public ones (train.h aside: its library is not
# installed), and every quoted include among them resolves inside the tree.
(cd "$source/include" && find facekit -name '*.h' ! -name train.h | sort) > "$work/expected"
(cd "$prefix/include" && find facekit -name '*.h' ! -name version.h | sort) > "$work/installed"
diff -u "$work/expected" "$work/installed" || fail "installed headers differ from include/facekit"
grep -rhoE '#include "[^"]+"' "$prefix/include" | sed 's/#include "\(.*\)"/\1/' | sort -u | while read -r h; do
  [ -f "$prefix/include/$h" ] || fail "an installed header includes \"$h\", which is not installed"
done

# Exported symbols: facekit's namespace and its classes' type information only.
if so=$(ls "$libdir"/libfacekit.so.* 2>/dev/null | head -n 1) && [ -n "$so" ]; then
  nm -D --defined-only -C "$so" | cut -d' ' -f3- | grep -v '^FACEKIT_1$' > "$work/exported"
  [ -s "$work/exported" ] || fail "$so exports nothing"
  if grep -vE '^(facekit::|(typeinfo|typeinfo name|vtable|VTT|guard variable) for facekit::|(non-)?virtual thunk to facekit::)' \
      "$work/exported" > "$work/foreign"; then
    fail "$so exports $(wc -l < "$work/foreign") symbols outside facekit::, e.g. $(head -n 3 "$work/foreign" | tr '\n' ';')"
  fi
  echo "libfacekit exports $(wc -l < "$work/exported") symbols, all facekit::"
  pc_flags=""
else
  pc_flags="--static"  # a static libfacekit: its users link its dependencies too
fi

# The binaries, from the moved tree.
[ "$("$prefix/bin/facekit" --version)" = "$version" ] || fail "facekit --version is not $version"
"$prefix/bin/facekit" doctor --no-verify > "$work/doctor.txt" || [ $? -eq 1 ] || fail "facekit doctor failed to run"
grep -q "version  *facekit: library $version" "$work/doctor.txt" || fail "facekit doctor: $(cat "$work/doctor.txt")"
if [ -x "$prefix/bin/facekit-train" ]; then  # absent from a tree built by `make demo` alone
  grep -q "training (facekit-train, libtorch): .* runs" "$work/doctor.txt" ||
    fail "facekit doctor does not find facekit-train: $(cat "$work/doctor.txt")"
fi

# CMake: find_package(facekit 1.0 REQUIRED) + facekit::facekit.
mkdir "$work/run-cmake" "$work/run-pc"
cmake -S "$source/tests/install_consumer" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/cmake" >/dev/null
"$work/cmake/consumer" "$work/run-cmake" > "$work/cmake.out" || fail "the CMake consumer failed: $(cat "$work/cmake.out")"
grep -qx "facekit $version" "$work/cmake.out" && grep -q "recognizers: .*mobilefacenet" "$work/cmake.out" ||
  fail "the CMake consumer printed: $(cat "$work/cmake.out")"
# A request for another major version is refused (facekitConfigVersion.cmake).
mkdir "$work/v2" && cp "$source/tests/install_consumer/main.cc" "$work/v2/"
sed 's/find_package(facekit 1.0 REQUIRED)/find_package(facekit 2.0 REQUIRED)/' "$source/tests/install_consumer/CMakeLists.txt" > "$work/v2/CMakeLists.txt"
if cmake -S "$work/v2" -B "$work/v2/build" -DCMAKE_PREFIX_PATH="$prefix" > "$work/v2.out" 2>&1; then
  fail "find_package(facekit 2.0) accepted version $version"
fi
grep -q "but it set\|not compatible\|version: $version" "$work/v2.out" || fail "find_package(facekit 2.0) failed otherwise: $(cat "$work/v2.out")"

# pkg-config: `pkg-config --cflags --libs facekit`.
export PKG_CONFIG_PATH=$libdir/pkgconfig
[ "$(pkg-config --modversion facekit)" = "$version" ] || fail "pkg-config --modversion is not $version"
# shellcheck disable=SC2046
g++ -std=c++20 -O1 "$source/tests/install_consumer/main.cc" -o "$work/pc-consumer" \
  $(pkg-config $pc_flags --cflags --libs facekit) -Wl,-rpath,"$(realpath "$libdir")" 2> "$work/pc-build.log" ||
  fail "the pkg-config consumer does not build: $(cat "$work/pc-build.log")"
"$work/pc-consumer" "$work/run-pc" > "$work/pc.out" || fail "the pkg-config consumer failed: $(cat "$work/pc.out")"
cmp -s "$work/cmake.out" "$work/pc.out" || fail "the two consumers differ: $(diff "$work/cmake.out" "$work/pc.out")"
echo "install_consumer_test: facekit $version installed, moved, built against with CMake and pkg-config"
cat "$work/cmake.out"
