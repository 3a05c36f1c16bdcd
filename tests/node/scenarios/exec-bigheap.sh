# mkvm: --mem 3G --timeout 600
# A 1 GiB heap, touched page by page (first touch), and a static program
# with 1 GiB of .bss, on the LWK.
. /mk/tests/lib.sh

insmod "$MK_KO"
ok "boot the LWK with 1300 MiB" mkctl boot --cpus 2-3 --mem 1300M
need
# Free memory right after boot: all of it must come back.
free0=$(lwk_free)
ok "1 GiB heap, every page touched and checked" sh -c "mkexec $MK_PROGS/bigheap 1024 | grep -q '^bigheap ok: 1024 MiB'"
eq "the memory is back in the LWK afterwards" "$free0" "$(lwk_free)"
same "1 GiB of .bss: loaded, zero, written, as on Linux" "$MK_PROGS/bigbss"
eq "the memory is back in the LWK afterwards" "$free0" "$(lwk_free)"
fails "more than the LWK has: a clean failure, not a crash" "malloc of 4096 MiB failed" \
	mkexec "$MK_PROGS/bigheap" 4096
eq "and the LWK still has all its memory" "$free0" "$(lwk_free)"
ok "shutdown" mkctl shutdown
ok "rmmod" rmmod mk
ok "dmesg shows no warning or oops" dmesg_clean
finish
