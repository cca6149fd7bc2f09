# The two commands a newcomer runs: `make demo` and `make test`. Both install missing Debian packages
# (scripts/install-deps.sh), configure and build with CMake, then run.
BUILD ?= build
JOBS ?= $(shell nproc)
DEMO_OUT ?= results/demo

.PHONY: all deps deps-tests build demo test bench clean

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

bench: build
	bash bench/compare_bench.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD).configure.log results
