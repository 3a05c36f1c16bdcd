# The mk demo, run on a test node by tools/demo. Each step prints the
# command it runs, as a user would type it.
step() { echo; echo "node# $*"; "$@"; }

echo "== mk demo on a $(nproc)-CPU test node, Linux $(uname -r)"
step insmod "$MK_KO"
step ls -l /dev/mk
step mkctl version
step mkctl reserve --cpus 2-3 --mem 256M
step cat /sys/devices/system/cpu/online
step grep -H . /sys/kernel/mk/state /sys/kernel/mk/cpus /sys/kernel/mk/memory
step mkctl release
step cat /sys/devices/system/cpu/online
step rmmod mk
