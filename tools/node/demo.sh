# The mk demo, run on a test node by tools/demo. Each step prints the
# command it runs, as a user would type it.
step() { echo; echo "node# $*"; "$@"; }

echo "== mk demo on a $(nproc)-CPU test node, Linux $(uname -r)"
step insmod "$MK_KO"
step ls -l /dev/mk
step mkctl version
step rmmod mk
step sh -c 'test ! -e /dev/mk && echo "/dev/mk removed; mk.ko unloaded cleanly"'
