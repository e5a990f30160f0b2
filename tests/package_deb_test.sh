#!/usr/bin/env bash
# The Debian packages (cmake/package.cmake): cpack builds facekit, facekit-dev
# and facekit-train .debs; their file names, contents and Depends are checked,
# every package they depend on is a real Debian package, and the runtime
# package unpacked into a scratch root runs.
#   package_deb_test.sh BUILD_DIR
set -euo pipefail
build=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "package_deb_test: $*" >&2; exit 1; }
command -v dpkg-deb >/dev/null && command -v dpkg-shlibdeps >/dev/null || { echo "no dpkg-deb/dpkg-shlibdeps: skipped"; exit 77; }

(cd "$work" && cpack --config "$build/CPackConfig.cmake" -G DEB > cpack.log 2>&1) || fail "cpack failed: $(tail -n 20 "$work/cpack.log")"
version=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$build/CPackConfig.cmake")
runtime=$work/facekit_${version}_amd64.deb
dev=$work/facekit-dev_${version}_amd64.deb
train=$work/facekit-train_${version}_amd64.deb
for deb in "$runtime" "$dev" "$train"; do [ -f "$deb" ] || fail "no $(basename "$deb"): $(ls "$work")"; done

contents() { dpkg-deb -c "$1" | awk '{print $6}' | sed 's|^\./|/|'; }
has() { contents "$1" | grep -qx "$2" || fail "$(basename "$1") lacks $2"; }
has "$runtime" /usr/bin/facekit
has "$runtime" "/usr/lib/libfacekit.so.$version"
has "$dev" /usr/lib/libfacekit.so
has "$dev" /usr/include/facekit/doctor.h
has "$dev" /usr/include/facekit/version.h
has "$dev" /usr/include/facekit/nn/graph.h
has "$dev" /usr/lib/cmake/facekit/facekitConfig.cmake
has "$dev" /usr/lib/cmake/facekit/facekitConfigVersion.cmake
has "$dev" /usr/lib/pkgconfig/facekit.pc
has "$train" /usr/bin/facekit-train
contents "$runtime" | grep -q '^/usr/include' && fail "the runtime package holds headers"
contents "$dev" | grep -q '^/usr/bin' && fail "facekit-dev holds programs"

depends() { dpkg-deb -f "$1" Depends; }
# The runtime: the shared libraries it links, found by dpkg-shlibdeps; never libtorch.
for lib in libopencv-core libdnnl libpq5 libsqlite3 libprotobuf libgomp1; do
  depends "$runtime" | grep -q "$lib" || fail "facekit Depends lacks $lib: $(depends "$runtime")"
done
depends "$runtime" | grep -q libtorch && fail "facekit depends on libtorch: $(depends "$runtime")"
depends "$train" | grep -q "facekit (= $version)" || fail "facekit-train Depends lacks facekit (= $version)"
depends "$train" | grep -q libtorch || fail "facekit-train Depends lacks libtorch: $(depends "$train")"
depends "$dev" | grep -q "facekit (= $version)" || fail "facekit-dev Depends lacks facekit (= $version)"
for lib in libopencv-dev nlohmann-json3-dev; do
  depends "$dev" | grep -q "$lib" || fail "facekit-dev Depends lacks $lib"
done
# Every package named is one Debian knows (installed here: the build used them).
for deb in "$runtime" "$dev" "$train"; do
  depends "$deb" | tr ',|' '\n\n' | sed 's/(.*//; s/ //g' | grep -v '^facekit$' | grep -v '^$' | sort -u |
    while read -r p; do
      dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q "install ok installed" ||
        apt-cache show "$p" >/dev/null 2>&1 || fail "$(basename "$deb") depends on $p, which Debian does not know"
    done
done

# Unpacked into a scratch root, the tool runs (it finds libfacekit through its RUNPATH).
dpkg -x "$runtime" "$work/root"
dpkg -x "$train" "$work/root"
[ "$("$work/root/usr/bin/facekit" --version)" = "$version" ] || fail "the packaged facekit --version is not $version"
[ "$("$work/root/usr/bin/facekit-train" --version)" = "$version" ] || fail "the packaged facekit-train --version is not $version"
echo "package_deb_test: $(cd "$work" && ls *.deb | tr '\n' ' ')"
for deb in "$runtime" "$dev" "$train"; do echo "  $(basename "$deb"): Depends: $(depends "$deb")"; done
