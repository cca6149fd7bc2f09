# The two commands a newcomer runs: `make demo` and `make test`. Both install missing Debian packages
# (scripts/install-deps.sh), configure and build with CMake, then run.
BUILD ?= build
JOBS ?= $(shell nproc)
DEMO_OUT ?= results/demo

FUZZ_SECONDS ?= 30

.PHONY: all deps deps-tests build build-asan demo test test-asan fuzz bench clean

all: build

deps:
	@bash scripts/install-deps.sh

deps-tests:
	@bash scripts/install-deps.sh --tests

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DDATAKERNEL_BUILD_TESTS=ON > $(BUILD).configure.log 2>&1 \
	  || (cat $(BUILD).configure.log; exit 1)
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	./$(BUILD)/datakernel compare data/demo/model_1.npy data/demo/model_2.npy data/demo/model_3.npy \
	  data/demo/model_4.npy data/demo/model_5.npy \
	  --ids data/demo/ids.txt --metrics data/demo/metrics.csv --reference model_1 --seed 1 --force --out $(DEMO_OUT)

test: build deps-tests
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	bash scripts/python-tests.sh $(BUILD)
	$(MAKE) --no-print-directory test-asan

# The whole C++ suite again under AddressSanitizer + UndefinedBehaviorSanitizer, in its own build directory.
build-asan: deps-tests
	@cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDATAKERNEL_BUILD_TESTS=ON \
	  -DDATAKERNEL_SANITIZERS=address,undefined > build-asan.configure.log 2>&1 || (cat build-asan.configure.log; exit 1)
	@cmake --build build-asan -j $(JOBS)

test-asan: build-asan
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS)

# libFuzzer targets for every reader (clang), each run for FUZZ_SECONDS on a copy of fuzz/corpus/.
fuzz: deps-tests
	@cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DDATAKERNEL_BUILD_TESTS=OFF -DDATAKERNEL_BUILD_FUZZERS=ON -DDATAKERNEL_SANITIZERS=address,undefined \
	  > build-fuzz.configure.log 2>&1 || (cat build-fuzz.configure.log; exit 1)
	@cmake --build build-fuzz -j $(JOBS)
	bash fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

bench: build
	bash bench/compare_bench.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD).configure.log build-asan build-asan.configure.log build-fuzz build-fuzz.configure.log \
	  build-python results
