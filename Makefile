# virtbench - a plain Makefile.
#
#   make            build ./virtbench (and build/forkbench, the static fork
#                   benchmark copied into guests and containers)
#   make test       install missing test packages, build, run every test
#   make SAN=1 test the same, built with AddressSanitizer + UBSan
#   make demo       the main job end to end on the embedded default
#   make bench      virtbench's own benchmarks (see BENCHMARKS.md)
#   make test-kvm   the kvm platform run for real, nested in a TCG guest
#                   (tests/kvm/run.sh; minutes, not part of make test)
#
# User CFLAGS/LDFLAGS are respected; WERROR=1 turns warnings into errors.

PKGS       := sqlite3 libcjson gsl libvirt libssh libcurl libcmark-gfm
PKG_CONFIG ?= pkg-config
CC         ?= cc
CFLAGS     ?= -O2 -g
WARNINGS   := -Wall -Wextra -Wshadow -Wformat=2 -Wundef -Wvla
ifeq ($(WERROR),1)
WARNINGS   += -Werror
endif

ifeq ($(SAN),1)
BUILD      ?= build-san
SANFLAGS   := -fsanitize=address,undefined -fno-omit-frame-pointer \
              -fno-sanitize-recover=all
BIN        := $(BUILD)/virtbench
else
BUILD      ?= build
SANFLAGS   :=
BIN        := virtbench
endif

PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS  = -std=gnu11 -I. $(WARNINGS) $(PKG_CFLAGS) $(CFLAGS) $(SANFLAGS) \
              -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)
LIBS        = $(PKG_LIBS) -lm

MODULES := common db analyze plot report collect image platform \
           platform/native platform/docker platform/libvirt platform/ssh
LIB_SRC := $(foreach m,$(MODULES),$(wildcard $(m)/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o)
LIB     := $(BUILD)/libvirtbench.a
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FORKBENCH := build/forkbench

ifneq ($(V),1)
Q := @
quiet = @printf '  %-6s %s\n' $(1) $(2);
else
Q :=
quiet =
endif

.PHONY: all test test-kvm demo bench clean deps fuzz
all: $(BIN) $(FORKBENCH)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(call quiet,CC,$<)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	$(call quiet,AR,$@)rm -f $@ && ar rcs $@ $^

$(BIN): $(BUILD)/virtbench.o $(LIB)
	$(call quiet,LINK,$@)$(CC) $(ALL_LDFLAGS) -o $@ $(BUILD)/virtbench.o $(LIB) $(LIBS)

# The fork benchmark is statically linked so that it runs in any Linux guest
# or container, whatever its libc. Never sanitized: it is measured.
$(FORKBENCH): collect/forkbench/forkbench.c
	@mkdir -p $(dir $@)
	$(call quiet,CC,$@)$(CC) -std=gnu11 -O2 -Wall -Wextra -static -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(call quiet,CC,$@)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB) \
		$(shell $(PKG_CONFIG) --cflags --libs cmocka) $(LIBS)

# As root, the tests get everything they use: the packages, and the
# docker and libvirt daemons started (so the integration tests run against
# them instead of skipping). Otherwise only what is missing is reported.
deps:
	@if [ "$$(id -u)" -eq 0 ]; then \
		scripts/install-deps.sh all && \
		{ scripts/start-daemons.sh libvirt docker || \
		  echo "make test: a daemon did not start; its tests will say so" >&2; }; \
	else scripts/install-deps.sh test; fi

test: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory $(UNIT_BIN)
	@VIRTBENCH=$(abspath $(BIN)) FORKBENCH=$(abspath $(FORKBENCH)) \
		BUILD=$(abspath $(BUILD)) tests/run.sh

# The outer half of the nested KVM test: boots the kvm-host image.
# Named virtbench-*: "virtbench cleanup" spares guests whose owner is a
# live process of that name, and destroys the others.
KVM_HOST := $(BUILD)/tests/virtbench-kvm-host
$(KVM_HOST): tests/kvm/kvm_host.c $(LIB)
	@mkdir -p $(dir $@)
	$(call quiet,CC,$@)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIB) $(LIBS)

test-kvm: deps
	@$(MAKE) --no-print-directory all $(KVM_HOST)
	@VIRTBENCH=$(abspath $(BIN)) FORKBENCH=$(abspath $(FORKBENCH)) \
		KVM_HOST=$(abspath $(KVM_HOST)) tests/kvm/run.sh

# Every libFuzzer target for FUZZ_S seconds each (tests/fuzz/run.sh).
FUZZ_S ?= 10
fuzz:
	@FUZZ_SECONDS=$(FUZZ_S) tests/fuzz/run.sh

demo:
	@scripts/demo.sh

bench: all
	@bench/run.sh

clean:
	rm -rf build build-san virtbench

-include $(LIB_OBJ:.o=.d) $(BUILD)/virtbench.d $(UNIT_BIN:=.d) $(KVM_HOST).d
