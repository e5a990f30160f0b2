# The commands of the README: `make demo` and `make test` (and `make package`).
# Each runs the idempotent set-up first (Debian packages, Node oracles, the
# library and the `facekit` tool, models); `demo` builds nothing more, the
# others build what they run.
.PHONY: setup demo test bench fuzz package clean

JOBS := $(shell nproc)

setup:
	@scripts/setup.sh

demo: setup
	@scripts/demo.sh

# Everything ctest runs: tests, facekit-train, the benchmarks' programs.
test: setup
	cmake --build build -j$(JOBS)
	cd build && ctest --output-on-failure -j$(JOBS)

bench: setup
	./build/facekit bench

fuzz: setup
	@scripts/fuzz.sh

# facekit, facekit-dev and facekit-train .deb files in build/.
package: setup
	cmake --build build -j$(JOBS)
	cd build && cpack -G DEB

clean:
	rm -rf build build-fuzz
