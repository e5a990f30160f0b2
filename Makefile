# The two commands of the README: `make demo` and `make test`. Both run the
# idempotent set-up first (Debian packages, Node oracles, build, models).
.PHONY: setup demo test bench fuzz clean

setup:
	@scripts/setup.sh

demo: setup
	@scripts/demo.sh

test: setup
	cd build && ctest --output-on-failure -j2

bench: setup
	./build/facekit bench

fuzz: setup
	@scripts/fuzz.sh

clean:
	rm -rf build build-fuzz
