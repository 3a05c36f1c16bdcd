# Several mkctl calls at once cannot corrupt mk's record of the partition.
. /mk/tests/lib.sh

insmod "$MK_KO"
free0=$(memfree_kb)
mkctl reserve --cpus 2 --mem 64M >/tmp/a 2>&1 &
mkctl reserve --cpus 3 --mem 64M >/tmp/b 2>&1 &
wait
eq "two reservations at once: both CPUs held" "2-3" "$(cat /sys/kernel/mk/cpus)"
eq "two reservations at once: both memories held" "134217728" "$(cat /sys/kernel/mk/memory)"
ok "the chunks add up" sh -c '[ $(awk "{ s += \$4 } END { print s }" /sys/kernel/mk/memory_chunks) = 134217728 ]'
ok "release" mkctl release

for i in 1 2 3 4 5 6; do mkctl reserve --cpus 2-3 >/tmp/r$i 2>&1 & done
wait
eq "six racing reservations of the same CPUs: exactly one succeeded" 1 \
	"$(grep -l '^state' /tmp/r? | wc -l)"
ok "the others said the CPUs are already reserved" sh -c \
	'[ $(grep -l "already reserved\|offline but not reserved" /tmp/r? | wc -l) = 5 ]'
eq "mk holds CPUs 2-3" "2-3" "$(cat /sys/kernel/mk/cpus)"

mkctl release --cpus 2 >/dev/null 2>&1 &
mkctl release --cpus 3 >/dev/null 2>&1 &
mkctl status >/dev/null 2>&1 &
cat /sys/kernel/mk/cpus /sys/kernel/mk/memory_chunks >/dev/null &
wait
eq "racing releases gave back both CPUs" "0-3 free" "$(online_cpus) $(cat /sys/kernel/mk/state)"
ok "free memory is back" memfree_back "$free0"
ok "rmmod" rmmod mk
ok "dmesg shows no warning or oops" dmesg_clean
finish
