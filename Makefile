# The two commands a newcomer runs: `make demo` and `make test`. Both install missing Debian packages
# (scripts/install-deps.sh), then configure and build with CMake (Ninja for a new build directory) into build/,
# quietly: configure and compiler output go to build/build.log, whose last lines are shown only on failure.
# `make demo` builds only the CLI (the library and cli/main.cpp) and runs it on the bundled data; `make test`
# builds the rest in the same build/ (nothing is compiled twice) and runs the C++ suites, the end-to-end scripts
# and the Python tests. The slow checks for CI and maintainers are `make test-sanitizers`: the whole C++ suite
# again under ASan + UBSan (build-asan/), then every fuzz target (build-fuzz/); `.ci/run` runs `make test` and
# then `make test-sanitizers`.
BUILD ?= build
JOBS ?= $(shell nproc)
DEMO_OUT ?= results/demo
FUZZ_SECONDS ?= 30
# WARNINGS=error fails a build whose log has a compiler warning (.ci/run sets it on a clean clone, where the log
# covers every file); by default they are counted. Only files compiled in that build are in its log.
WARNINGS ?= count

RELEASE_OPTIONS = -DCMAKE_BUILD_TYPE=Release -DDATAKERNEL_BUILD_TESTS=ON
ASAN_CMAKE_OPTIONS = -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDATAKERNEL_BUILD_TESTS=ON \
  -DDATAKERNEL_SANITIZERS=address,undefined
# `make test` also builds the CLI for mpirun (docs/distributed.md) in build/: mpi/datakernel, only the CLI's own
# files compiled again (OpenMPI comes with deps-tests).
TEST_OPTIONS = $(RELEASE_OPTIONS) -DDATAKERNEL_MPI=ON
FUZZ_CMAKE_OPTIONS = -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDATAKERNEL_BUILD_TESTS=OFF \
  -DDATAKERNEL_BUILD_FUZZERS=ON -DDATAKERNEL_SANITIZERS=address,undefined

# $(call cmake_build,DIR,TARGET,CMAKE OPTIONS): configure DIR and build TARGET (everything when empty), the output
# of both in DIR/build.log (replaced by each build). A new DIR uses Ninja when it is installed; an existing one
# keeps the generator it was made with. After the build, the log's compiler warnings are counted.
define cmake_build
	@mkdir -p $(1)
	@echo "make: building $(or $(2),everything) in $(1)/ (log: $(1)/build.log)"
	@{ cmake -S . -B $(1) $$([ -f $(1)/CMakeCache.txt ] || ! command -v ninja > /dev/null || echo -G Ninja) $(3) \
	   && cmake --build $(1) -j $(JOBS) $(if $(2),--target $(2)); } > $(1)/build.log 2>&1 \
	  || { tail -n 40 $(1)/build.log; echo "make: build in $(1)/ failed; full log: $(1)/build.log" >&2; exit 1; }
	@n=$$(grep -c 'warning:' $(1)/build.log); if [ "$$n" -gt 0 ]; then \
	  echo "make: $$n compiler warning(s) in $(1)/build.log" >&2; [ "$(WARNINGS)" != error ] || exit 1; fi
endef

.PHONY: all deps deps-tests build build-asan build-mpi demo test test-mpi test-sanitizers test-asan fuzz bench clean

all: build

deps:
	@bash scripts/install-deps.sh

deps-tests:
	@bash scripts/install-deps.sh --tests

# Everything in build/: library, CLI and tests.
build: deps
	$(call cmake_build,$(BUILD),,$(RELEASE_OPTIONS))

# Only the CLI, then `compare` on the bundled real embeddings (scripts/demo.sh: 7 models of the 3,000 Debian package
# descriptions of data/debian/, model files in data/debian/ and data/demo/, every model tested per datum against
# e5); results and report in DEMO_OUT.
demo: deps
	$(call cmake_build,$(BUILD),datakernel,$(RELEASE_OPTIONS))
	@echo "make: running datakernel compare on 7 models of 3,000 Debian package descriptions (scripts/demo.sh; results in $(DEMO_OUT)/)"
	@bash scripts/demo.sh $(BUILD)/datakernel $(DEMO_OUT)
	@echo "make: report: $(DEMO_OUT)/report.html"

# The C++ suites and end-to-end scripts (ctest), then the Python package and its tests (scripts/python-tests.sh),
# then mpirun against one process (test-mpi).
test: deps-tests
	$(call cmake_build,$(BUILD),,$(TEST_OPTIONS))
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)
	bash scripts/python-tests.sh $(BUILD)
	@$(MAKE) --no-print-directory test-mpi

# The CLI for mpirun, $(BUILD)/mpi/datakernel (-DDATAKERNEL_MPI=ON; OpenMPI from Debian), and the default CLI.
build-mpi: deps-tests
	$(call cmake_build,$(BUILD),datakernel datakernel_mpi,$(TEST_OPTIONS))

# mpirun -np 2 and 3 on this machine: the same files, byte for byte, as one process of build/ (tests/mpi_test.sh).
test-mpi: build-mpi
	DATAKERNEL=$(BUILD)/datakernel DATAKERNEL_MPI=$(BUILD)/mpi/datakernel bash tests/mpi_test.sh

# For CI and maintainers (slow: the suite is compiled twice more): the ASan + UBSan rerun, then the fuzzers.
test-sanitizers:
	@$(MAKE) --no-print-directory test-asan
	@$(MAKE) --no-print-directory fuzz

# The whole C++ suite again under AddressSanitizer + UndefinedBehaviorSanitizer, in its own build directory.
build-asan: deps-tests
	$(call cmake_build,build-asan,,$(ASAN_CMAKE_OPTIONS))

test-asan: build-asan
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  ctest --output-on-failure -j $(JOBS)

# libFuzzer targets for every reader (clang), each run for FUZZ_SECONDS on a copy of fuzz/corpus/.
fuzz: deps-tests
	$(call cmake_build,build-fuzz,,$(FUZZ_CMAKE_OPTIONS))
	bash fuzz/run.sh build-fuzz $(FUZZ_SECONDS)

bench: build
	bash bench/compare_bench.sh $(BUILD)

# Every build directory and the logs that older versions of this Makefile wrote beside them.
clean:
	rm -rf $(BUILD) build-asan build-fuzz build-python results \
	  $(BUILD).configure.log build-asan.configure.log build-fuzz.configure.log
