# Bad boots get a clear error and change nothing: corrupt and truncated
# images, a missing image, an image that does not fit the memory, booting
# with nothing reserved. An LWK that hangs or panics while booting is
# stopped and leaves the partition reserved and reusable.
. /mk/tests/lib.sh

insmod "$MK_KO"
free0=$(memfree_kb)
state0=$(snapshot)
refused() {
	_what=$1 _re=$2; shift 2
	fails "$_what is refused" "$_re" "$@"
	eq "$_what changed nothing" "$state0" "$(snapshot)"
}

dd if=/dev/urandom of=/tmp/random.img bs=1024 count=64 2>/dev/null
head -c 20000 "$MK_LWK_IMAGE" >/tmp/truncated.img
# A valid ELF whose header is not an mk image header.
cp "$MK_LWK_IMAGE" /tmp/noheader.img
printf 'XXXXXXXX' | dd of=/tmp/noheader.img bs=1 seek=4096 conv=notrunc 2>/dev/null

refused "booting with nothing reserved" "nothing to boot on: reserve CPUs and memory first" mkctl boot
refused "a random-bytes image" "not an ELF file" mkctl boot --cpus 2-3 --mem 64M --image /tmp/random.img
refused "a truncated image" "truncated" mkctl boot --cpus 2-3 --mem 64M --image /tmp/truncated.img
refused "an image without the mk header" "no mk image header" mkctl boot --cpus 2-3 --mem 64M --image /tmp/noheader.img
refused "a missing image" "cannot read the LWK image /nonexistent" mkctl boot --cpus 2-3 --mem 64M --image /nonexistent
refused "an image too large for the memory" "needs a memory chunk of at least" mkctl boot --cpus 2-3 --mem 4M
refused "--cpus without --mem" "needs --mem" mkctl boot --cpus 2-3

mkctl reserve --cpus 2-3 --mem 64M >/dev/null
state0=$(snapshot)
refused "booting only CPUs' worth of nothing: a truncated image on a reserved partition" "truncated" \
	mkctl boot --image /tmp/truncated.img

fails "an LWK that hangs while booting times out" "did not report running within 2000 ms" \
	mkctl boot --cmdline debug=hang --timeout 2
eq "after the timeout the partition is still reserved" "reserved" "$(mk_state)"
ok "its cores were stopped: status lists no LWK" sh -c '! mkctl status | grep -q "^lwk "'
ok "status says why the last boot failed" sh -c 'mkctl status | grep -q "^last boot failed: the LWK did not report running"'
ok "the LWK's log is still readable" sh -c 'mkctl log | grep -q "debug=hang on the command line"'
fails "an LWK that panics while booting is reported" "panicked while booting: debug=panic" \
	mkctl boot --cmdline debug=panic
eq "after the panic the partition is still reserved" "reserved" "$(mk_state)"
ok "the same partition then boots normally" mkctl boot
eq "running" "running" "$(mk_state)"
ok "and answers pings" mkctl ping --count 3
ok "mkctl shutdown" mkctl shutdown
eq "all CPUs online" "0-3" "$(online_cpus)"
ok "free memory is back" memfree_back "$free0"
ok "rmmod" rmmod mk
ok "dmesg shows no warning or oops" dmesg_clean
finish
