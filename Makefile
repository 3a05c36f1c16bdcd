# mk — top-level build. `make` builds everything that exists: mk.ko against
# KDIR, the LWK image, and user space (CMake). `make check` runs every test;
# `make demo` shows mk on a test node. See README.md.

ROOT := $(CURDIR)
BUILD := $(ROOT)/build
CACHE ?= $(ROOT)/.cache
NODE_KERNELS := 6.1 6.12

# A test-node kernel's headers, unpacked by tools/bootstrap (never installed).
node_kdir = $(CACHE)/kernels/$(1)/build

# The module is built against the running kernel when its headers are
# installed, else against the headers of the 6.1 test-node kernel.
KVER ?= $(shell uname -r)
ifneq ($(wildcard /lib/modules/$(KVER)/build/Makefile),)
KDIR ?= /lib/modules/$(KVER)/build
else
KDIR ?= $(call node_kdir,6.1)
endif

# Sources only: an in-tree build leaves generated *.mod.c files in kmod/.
KMOD_SRCS := $(filter-out %.mod.c,$(wildcard $(ROOT)/kmod/*.c)) $(wildcard $(ROOT)/kmod/*.h) \
	$(ROOT)/kmod/Kbuild
ABI_HDRS := $(wildcard $(ROOT)/libmk/include/mk/*.h)
JOBS ?= $(shell nproc)

all: kmod lwk user

kmod:
	@test -f $(KDIR)/Makefile || { echo "make: no kernel headers in '$(KDIR)':" \
		"run tools/bootstrap, or set KDIR" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(ROOT)/kmod MK_INCLUDE=$(ROOT)/libmk/include modules

lwk:
	$(MAKE) -C lwk O=$(BUILD)/lwk

user: $(BUILD)/user/Makefile
	cmake --build $(BUILD)/user -j $(JOBS)

$(BUILD)/user/Makefile: CMakeLists.txt
	cmake -S $(ROOT) -B $(BUILD)/user -G "Unix Makefiles" >/dev/null

# mk.ko for a test-node kernel, built out of tree in build/kmod/<kernel>/.
$(BUILD)/kmod/%/mk.ko: $(KMOD_SRCS) $(ABI_HDRS)
	@test -f $(call node_kdir,$*)/Makefile || { echo "make: test-node kernel $* missing:" \
		"run tools/bootstrap" >&2; exit 1; }
	@mkdir -p $(@D)
	@ln -sf $(KMOD_SRCS) $(@D)/
	$(MAKE) -s -C $(call node_kdir,$*) M=$(@D) \
		MK_INCLUDE=$(ROOT)/libmk/include modules 2>&1 | grep -v "Skipping BTF" || true
	@test -f $@

# Everything a test node needs.
node-%: $(BUILD)/kmod/%/mk.ko lwk user
	@:

bootstrap:
	@tools/bootstrap

check: bootstrap
	@tools/check

demo: bootstrap
	@tools/demo

# checkpatch.pl on kmod/, clang-format on the C++ (fetches checkpatch once).
lint:
	@tools/lint

bench-partition: bootstrap
	@bench/partition/run

# The test node's boot, host root against the busybox initramfs.
bench-node: bootstrap
	@bench/node/run

# LWK boot/shutdown against Linux's CPU hotplug, on a test node.
bench-boot: bootstrap
	@bench/boot/run

# The ring against the cache-line floor, on this machine.
bench-ring: user
	@bench/ring/run

# System calls natively and under mkexec on the LWK, on a test node.
bench-syscall: bootstrap
	@bench/syscall/run

# Futex ping-pong, thread create+join, nanosleep overshoot natively and
# under mkexec on the LWK, on a test node.
bench-threads: bootstrap
	@bench/threads/run

# Program start-up (static, dynamic, large .bss) natively and under mkexec.
bench-exec: bootstrap
	@bench/exec/run

# FWQ/FTQ/selfish detour on Linux, tuned Linux and the LWK, on a test node.
bench-noise: bootstrap
	@bench/noise/run

# fork, fork+exec, posix_spawn natively and from an LWK program, on a test node.
bench-fork: bootstrap
	@bench/fork/run

# MPI latency, bandwidth and collectives on LWK and Linux cores, on a test node.
bench-mpi: bootstrap
	@bench/mpi/run

bench-miniapp: bootstrap
	@bench/miniapp/run

# Long fuzzing: each libFuzzer target for 5 minutes, then the ioctl fuzzer
# in a test node for 10 minutes a run, on both kernels.
fuzz: bootstrap
	@tools/fuzz --seconds 300
	@$(MAKE) -s all node-6.1 node-6.12
	@for k in $(NODE_KERNELS); do \
		tools/mkvm --no-build --quiet --kernel $$k --timeout 1800 \
			--log $(BUILD)/test-logs/fuzz-$$k.log -- \
			sh -c 'MK_FUZZ_SECONDS=600 sh $(ROOT)/tests/node/scenarios/module-fuzz.sh' || exit 1; \
		grep -v '^\[ ' $(BUILD)/test-logs/fuzz-$$k.log | grep '^ok\|^not ok\|^#'; \
	done

# On a real node (as root): mk.ko into the running kernel's modules, the
# tools and the LWK image under PREFIX, the udev rule and group "mk" whose
# members may run programs on the LWK.
PREFIX ?= /usr/local
install: all
	$(MAKE) -C $(KDIR) M=$(ROOT)/kmod MK_INCLUDE=$(ROOT)/libmk/include modules_install
	-depmod -a $(KVER)
	install -D -m 755 $(BUILD)/user/bin/mkctl $(DESTDIR)$(PREFIX)/bin/mkctl
	install -D -m 755 $(BUILD)/user/bin/mkexec $(DESTDIR)$(PREFIX)/bin/mkexec
	install -D -m 644 $(BUILD)/lwk/mk-lwk.elf $(DESTDIR)$(PREFIX)/lib/mk/mk-lwk.elf
	install -D -m 644 tools/udev/60-mk.rules $(DESTDIR)/etc/udev/rules.d/60-mk.rules
	getent group mk >/dev/null || groupadd --system mk
	-udevadm control --reload-rules

clean:
	rm -rf $(BUILD)
	-$(MAKE) -C $(KDIR) M=$(ROOT)/kmod clean >/dev/null 2>&1

.PHONY: all kmod lwk user install fuzz bootstrap check demo lint bench-exec bench-node bench-partition bench-boot bench-ring bench-noise bench-syscall bench-threads bench-fork bench-mpi bench-miniapp clean
.PRECIOUS: $(BUILD)/kmod/%/mk.ko
