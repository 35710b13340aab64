# memwall - one non-recursive Makefile.
#
#   make            build ./memwall (installs missing Debian packages when root)
#   make run        the main job (memwall run: attention prefill on h100-sxm)
#   make test       unit tests (Criterion) and golden CLI tests, debug build
#   make asan       the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   make bench      throughput and size benchmarks, printing figures
#   make fuzz       each libFuzzer harness briefly (FUZZ_SECONDS each)
#   make format-check / format   clang-format
#   make check-includes          layers include only downwards
#   make validation-gpu-build    compile validation/gpu/mwbench.cu (needs nvcc)
#   make validation-gpu-test     validation/gpu/run.sh against stand-in tools
#   make validation-gpu-emu      mwbench's kernels checked on the CPU (CUDA headers)
#   make clean
#
# Objects go under $(BUILD)/<variant>/; V=1 shows the commands.

# ---- knobs -----------------------------------------------------------------
CC       ?= cc
OPT      ?= -O2 -g
DBGOPT   ?= -O1 -g
WARN     ?= -Wall -Wextra -Wpedantic -Wshadow -Wundef -Wwrite-strings \
            -Wredundant-decls -Wmissing-declarations -Wmissing-prototypes \
            -Wstrict-prototypes -Wold-style-definition -Wformat=2 \
            -Wno-format-nonliteral
WERROR   ?=
STD      := -std=c11 -D_GNU_SOURCE
BUILD    ?= build
FUZZ_CC  ?= clang
FUZZ_SECONDS ?= 10
CLANG_FORMAT ?= clang-format

# ---- sources ---------------------------------------------------------------
LIB_DIRS := common traces hierarchy model
LIB_SRC  := $(sort $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c)))
CLI_SRC  := $(sort $(filter-out cli/main.c,$(wildcard cli/*.c)))
MAIN_SRC := cli/main.c
TEST_SRC := $(sort $(wildcard tests/test_*.c)) tests/helpers.c
BENCH_SRC := $(sort $(wildcard bench/bench_*.c))
BENCH_LIB := $(sort $(filter-out bench/bench_%,$(wildcard bench/*.c)))
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
ALL_C    := $(LIB_SRC) $(CLI_SRC) $(MAIN_SRC) $(TEST_SRC) $(BENCH_SRC) $(BENCH_LIB) $(FUZZ_SRC)
ALL_H    := $(sort $(wildcard common/*.h traces/*.h hierarchy/*.h model/*.h cli/*.h tests/*.h bench/*.h))

PKGS     := zlib inih libdeflate
CPPFLAGS += -I. -DMW_PRESET_DIR='"$(CURDIR)/hierarchy/presets"'
CFLAGS_PKG = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS_PKG   = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lz -linih -ldeflate) -lcsv -lm -lpthread
CRIT_CFLAGS = $(shell pkg-config --cflags criterion 2>/dev/null)
CRIT_LIBS   = $(shell pkg-config --libs criterion 2>/dev/null || echo -lcriterion)

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-6s %s\n' $(1) $(2)
endif

# ---- variants: rel (./memwall, bench), dbg (tests), asan ---------------------
REL  := $(BUILD)/rel
DBG  := $(BUILD)/dbg
ASAN := $(BUILD)/asan
FUZZ := $(BUILD)/fuzz

REL_FLAGS  := $(STD) $(OPT) -DNDEBUG $(WARN) $(WERROR)
DBG_FLAGS  := $(STD) $(DBGOPT) -DMW_DEBUG=1 $(WARN) $(WERROR)
ASAN_FLAGS := $(STD) $(DBGOPT) -DMW_DEBUG=1 -fsanitize=address,undefined \
              -fno-sanitize-recover=undefined -fno-omit-frame-pointer $(WARN)
FUZZ_FLAGS := $(STD) -O1 -g -fsanitize=fuzzer-no-link,address,undefined \
              -fno-sanitize-recover=undefined -DMW_FUZZING=1

objs = $(patsubst %.c,$(1)/%.o,$(2))

.PHONY: all run test asan bench fuzz format format-check check-includes clean deps golden-update \
        validation-gpu-build validation-gpu-test validation-gpu-emu validation-cpu-report
.DEFAULT_GOAL := all

all: memwall

# ---- dependencies (Debian packages) -----------------------------------------
$(BUILD)/.deps-%: scripts/deps.sh
	@mkdir -p $(BUILD)
	$(Q)sh scripts/deps.sh $*
	@touch $@

deps: $(BUILD)/.deps-build $(BUILD)/.deps-test

# ---- compile rules, one per variant -----------------------------------------
define variant
$(1)/%.o: %.c | $(BUILD)/.deps-$(3)
	@mkdir -p $$(dir $$@)
	$$(call msg,CC,$$@)
	$$(Q)$$(CC) $(2) $$(CPPFLAGS) $$(CFLAGS_PKG) $(4) -MMD -MP -c $$< -o $$@
endef
$(eval $(call variant,$(REL),$(REL_FLAGS),build,))
$(eval $(call variant,$(DBG),$(DBG_FLAGS),test,$$(CRIT_CFLAGS)))
$(eval $(call variant,$(ASAN),$(ASAN_FLAGS),test,$$(CRIT_CFLAGS)))

$(FUZZ)/%.o: %.c | $(BUILD)/.deps-fuzz
	@mkdir -p $(dir $@)
	$(call msg,FUZZCC,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) $(CPPFLAGS) $(CFLAGS_PKG) -MMD -MP -c $< -o $@

# ---- the program ------------------------------------------------------------
$(REL)/memwall: $(call objs,$(REL),$(LIB_SRC) $(CLI_SRC) $(MAIN_SRC))
	$(call msg,LINK,$@)
	$(Q)$(CC) $(REL_FLAGS) $^ $(LIBS_PKG) -o $@

memwall: $(REL)/memwall
	$(Q)cp $< $@

# The main job: a Llama-3-8B-like attention prefill on h100-sxm.
run: memwall
	./memwall run

# ---- tests ------------------------------------------------------------------
$(DBG)/memwall: $(call objs,$(DBG),$(LIB_SRC) $(CLI_SRC) $(MAIN_SRC))
	$(call msg,LINK,$@)
	$(Q)$(CC) $(DBG_FLAGS) $^ $(LIBS_PKG) -o $@

$(DBG)/memwall-tests: $(call objs,$(DBG),$(LIB_SRC) $(CLI_SRC) $(TEST_SRC))
	$(call msg,LINK,$@)
	$(Q)$(CC) $(DBG_FLAGS) $^ $(CRIT_LIBS) $(LIBS_PKG) -o $@

$(ASAN)/memwall: $(call objs,$(ASAN),$(LIB_SRC) $(CLI_SRC) $(MAIN_SRC))
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ASAN_FLAGS) $^ $(LIBS_PKG) -o $@

$(ASAN)/memwall-tests: $(call objs,$(ASAN),$(LIB_SRC) $(CLI_SRC) $(TEST_SRC))
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ASAN_FLAGS) $^ $(CRIT_LIBS) $(LIBS_PKG) -o $@

# Criterion forks one process per test; -j2 keeps CI within its cores.
TEST_ARGS ?= -j2

test: $(DBG)/memwall-tests $(DBG)/memwall
	$(DBG)/memwall-tests $(TEST_ARGS)
	sh tests/golden/run.sh $(DBG)/memwall
	sh validation/cachegrind/run.sh --small --check $(DBG)/memwall

asan: $(ASAN)/memwall-tests $(ASAN)/memwall
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		$(ASAN)/memwall-tests $(TEST_ARGS) 2>&1 | tee $(ASAN)/tests.log
	@! grep -q 'LeakSanitizer\|runtime error' $(ASAN)/tests.log || \
		{ echo 'asan: sanitizer reports in $(ASAN)/tests.log'; exit 1; }
	@grep -q 'Failing: 0 | Crashing: 0' $(ASAN)/tests.log
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		sh tests/golden/run.sh $(ASAN)/memwall
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		sh validation/cachegrind/run.sh --small --check $(ASAN)/memwall

golden-update: $(DBG)/memwall
	sh tests/golden/run.sh $(DBG)/memwall --update

# ---- benchmarks -------------------------------------------------------------
BENCHES := $(patsubst bench/%.c,$(REL)/bench/%,$(BENCH_SRC))

$(REL)/bench/%: $(REL)/bench/%.o $(call objs,$(REL),$(BENCH_LIB) $(LIB_SRC))
	$(call msg,LINK,$@)
	$(Q)$(CC) $(REL_FLAGS) $^ $(LIBS_PKG) -o $@

bench: $(BENCHES) $(BUILD)/.deps-bench
	@for b in $(BENCHES); do echo "== $$b"; $$b || exit 1; done

# ---- fuzzing ----------------------------------------------------------------
FUZZERS := $(patsubst tests/fuzz/%.c,$(FUZZ)/%,$(FUZZ_SRC))

$(FUZZ)/fuzz_%: $(FUZZ)/tests/fuzz/fuzz_%.o $(call objs,$(FUZZ),$(LIB_SRC))
	$(call msg,LINK,$@)
	$(Q)$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer $^ $(LIBS_PKG) -o $@

fuzz: $(FUZZERS)
	@for f in $(FUZZERS); do \
		n=$$(basename $$f); c=tests/fuzz/corpus/$${n#fuzz_}; \
		mkdir -p $(FUZZ)/corpus/$$n; \
		echo "== $$n ($(FUZZ_SECONDS) s)"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=10 \
			-print_final_stats=0 $(FUZZ)/corpus/$$n $$c >$(FUZZ)/$$n.log 2>&1 || \
			{ tail -40 $(FUZZ)/$$n.log; exit 1; }; \
		grep -h 'Done [0-9]* runs' $(FUZZ)/$$n.log || true; \
	done

# ---- GPU validation harness (optional: needs nvcc; not part of CI) -----------
NVCC      ?= nvcc
NVCC_ARCH ?= sm_90
CUDA_HOME ?= /usr/local/cuda

validation-gpu-build:
	@mkdir -p $(BUILD)
	$(NVCC) -O3 -std=c++17 -arch=$(NVCC_ARCH) -Xcompiler -Wall \
		-o $(BUILD)/mwbench validation/gpu/mwbench.cu
	$(BUILD)/mwbench --list

validation-gpu-test:
	sh validation/gpu/test-harness.sh

# the kernels on the CPU (validation/gpu/emu.h): needs only CUDA's headers
validation-gpu-emu:
	@mkdir -p $(BUILD)
	$(CXX) -std=c++20 -O1 -DMW_EMU -I$(CUDA_HOME)/include -Ivalidation/gpu \
		-x c++ validation/gpu/mwbench.cu -pthread -o $(BUILD)/mwbench-emu
	sh validation/gpu/checks.sh $(BUILD)/mwbench-emu

# the model's knees beside the measured ones (a report: fails only on a crash)
validation-cpu-report: $(REL)/memwall
	sh validation/cpu/knees.sh $(REL)/memwall

# ---- style and layering -----------------------------------------------------
FORMATTED := $(ALL_C) $(ALL_H)

format-check:
	$(Q)$(CLANG_FORMAT) --dry-run --Werror $(FORMATTED)

format:
	$(Q)$(CLANG_FORMAT) -i $(FORMATTED)

check-includes:
	$(Q)sh scripts/check-includes.sh

clean:
	rm -rf $(BUILD) memwall

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

.SECONDARY:
