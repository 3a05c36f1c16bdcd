# The test node's initramfs, made by tools/mkvm for each run (sourced; it
# uses mkvm's settings: root, build, kernel, release, modules, minimal,
# nodes, shares, adds, script, cmd).
#
# Both kinds hold busybox, the two init stages (tools/node/init, boot.sh),
# the kernel modules needed before a root is mounted (virtio, 9p, overlay;
# the network card for a cluster) and /mk: the run's command, its environment, the files
# given with --add, ssh keys for a cluster.
#  - host root (default): /mk's programs are links to build/ and the tests
#    on the host, which the node sees at the same paths through its root;
#  - --minimal: the programs themselves are copied into /mk, with the
#    shared libraries of the dynamic ones, and busybox is all there is.

# The modules NAME... and what they depend on, as paths under $modules,
# dependencies first; built-in ones (no .ko) are left out.
module_paths() {
	local m dep seen=" "
	for m in "$@"; do
		dep=$(awk -v m="$m" -F': *' '{ n = $1; sub(/.*\//, "", n); sub(/\.ko(\.[a-z]+)?$/, "", n) }
			n == m { print $1; if ($2 != "") print $2; exit }' "$modules/modules.dep")
		[ -n "$dep" ] || continue
		# modules.dep lists the module, then what it needs, the last needed first.
		for p in $(echo "$dep" | tr ' ' '\n' | tac); do
			case $seen in *" $p "*) continue ;; esac
			seen="$seen$p "
			echo "$p"
		done
	done
}

# Copy modules into $fs/mk/modules (uncompressed: busybox insmod reads the
# file as it is) and list them, in load order, in $fs/mk/modules.order.
add_modules() {
	local p name
	mkdir -p "$fs/mk/modules"
	: >"$fs/mk/modules.order"
	for p in $(module_paths "$@"); do
		name=$(basename "$p"); name=${name%.xz}
		case $p in
		*.xz) xz -dc "$modules/$p" >"$fs/mk/modules/$name" ;;
		*) cp "$modules/$p" "$fs/mk/modules/$name" ;;
		esac
		echo "$name" >>"$fs/mk/modules.order"
	done
}

# Quote each word for the guest's sh.
quote_words() {
	local w
	for w in "$@"; do
		printf "'%s' " "$(printf '%s' "$w" | sed "s/'/'\\\\''/g")"
	done
}

make_initramfs() { # OUT
	fs=$work/fs
	mkdir -p "$fs"/{bin,mk,root,etc,proc,sys,dev}
	cp /bin/busybox "$fs/bin/busybox"
	# The second stage runs on this busybox, out of the node's RAM: a boot
	# that ran the host's tools would load each of them over 9p first.
	ln "$fs/bin/busybox" "$fs/mk/busybox"
	cp "$root/tools/node/init" "$fs/init"
	cp "$root/tools/node/boot.sh" "$fs/mk/boot.sh"
	chmod 755 "$fs/init"

	local mods=()
	[ -n "$minimal" ] && [ ${#shares[@]} -eq 0 ] || mods+=(virtio_pci 9pnet_virtio 9p)
	[ -n "$minimal" ] || mods+=(overlay)
	[ "$nodes" -eq 1 ] || mods+=(virtio_net)
	add_modules "${mods[@]}"

	local env=$fs/mk/env
	{
		echo "export MK_KERNEL=$kernel MK_RELEASE=$release"
		echo "export MK_NODES=$nodes"
		if [ -n "$minimal" ]; then
			echo "export MK_ROOTFS=minimal"
		else
			echo "export MK_ROOTFS=host MK_MODULES='$modules'"
			echo "export MK_KEEP='$root $cache'"
		fi
		echo "export MK_SHARES='$(for i in "${!shares[@]}"; do
			s=${shares[$i]} h=$(cd "${shares[$i]%%:*}" && pwd)
			g=${s#*:}; [ "$g" != "$s" ] || g=$h
			printf 'share%s:%s ' "$i" "$g"; done)'"
	} >"$env"

	if [ -n "$minimal" ]; then
		minimal_files
		echo "export MK_KO=/mk/mk.ko MK_LWK_IMAGE=/mk/mk-lwk.elf MK_TESTS=/mk/tests MK_BENCH=/mk/bench MK_PROGS=/mk/progs" >>"$env"
		echo "export MK_PATH=/mk/bin:/usr/sbin:/usr/bin:/sbin:/bin" >>"$env"
	else
		# /mk's usual paths lead to the host's build and tests, too.
		ln -s "$build/kmod/$kernel/mk.ko" "$fs/mk/mk.ko"
		ln -s "$build/lwk/mk-lwk.elf" "$fs/mk/mk-lwk.elf"
		ln -s "$build/user/bin" "$fs/mk/bin"
		ln -s "$build/user/progs" "$fs/mk/progs"
		ln -s "$root/tests/node" "$fs/mk/tests"
		ln -s "$root/bench" "$fs/mk/bench"
		echo "export MK_KO='$build/kmod/$kernel/mk.ko' MK_LWK_IMAGE='$build/lwk/mk-lwk.elf'" >>"$env"
		echo "export MK_TESTS='$root/tests/node' MK_BENCH='$root/bench' MK_PROGS='$build/user/progs'" >>"$env"
		echo "export MK_PATH='$build/user/bin':/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" >>"$env"
	fi

	if [ "$nodes" -gt 1 ]; then
		# A key made for this run: root on any node reaches the others with it.
		mkdir -p "$fs/mk/ssh"
		ssh-keygen -q -t ed25519 -N "" -C "mk test cluster" -f "$fs/mk/ssh/id_ed25519"
		dropbearkey -t ed25519 -f "$fs/mk/ssh/host_ed25519" >/dev/null 2>&1 ||
			die "dropbearkey failed (is dropbear-bin installed? run tools/bootstrap)"
	fi

	# --add: files for the node, put in place by init.
	local a host guest
	for a in "${adds[@]}"; do
		host=${a%%:*}
		guest=${a#*:}
		[ "$guest" != "$a" ] || guest=/root/$(basename "$host")
		[ -e "$host" ] || die "--add: no such file: $host"
		mkdir -p "$fs/mk/add$(dirname "$guest")"
		cp -r "$host" "$fs/mk/add$guest"
	done

	if [ -n "$script" ]; then
		cp "$script" "$fs/mk/run"
	else
		quote_words "${cmd[@]}" >"$fs/mk/run"
		echo >>"$fs/mk/run"
	fi

	(cd "$fs" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) >"$1"
}

# --minimal: mk's programs, tests and benchmark scripts copied in.
minimal_files() {
	mkdir -p "$fs"/mk/{bin,tests,bench} "$fs/lib64"
	echo "root:x:0:0:root:/root:/bin/sh" >"$fs/etc/passwd"
	echo "root:x:0:" >"$fs/etc/group"
	echo "nobody:x:65534:65534:nobody:/:/bin/false" >>"$fs/etc/passwd"
	echo "nogroup:x:65534:" >>"$fs/etc/group"
	cp "$build/kmod/$kernel/mk.ko" "$fs/mk/mk.ko"
	[ -f "$build/lwk/mk-lwk.elf" ] && cp "$build/lwk/mk-lwk.elf" "$fs/mk/mk-lwk.elf"
	local f d lib
	for f in "$build/user/bin"/*; do
		[ -f "$f" ] && [ -x "$f" ] && cp "$f" "$fs/mk/bin/"
	done
	cp -r "$root/tests/node/." "$fs/mk/tests/"
	if [ -d "$build/user/progs" ]; then
		mkdir -p "$fs/mk/progs"
		cp -r "$build/user/progs"/. "$fs/mk/progs/"
	fi
	for d in "$root"/bench/*/; do
		ls "$d"*.sh >/dev/null 2>&1 || continue
		mkdir -p "$fs/mk/bench/$(basename "$d")"
		cp "$d"*.sh "$fs/mk/bench/$(basename "$d")/"
	done
	# Shared libraries of every dynamic program, at the host's paths.
	for lib in $(for f in "$fs"/mk/bin/*; do
		ldd "$f" 2>/dev/null | awk '/=> \//{ print $3 } /^\t\/lib/{ print $1 }'
	done | sort -u); do
		mkdir -p "$fs$(dirname "$lib")"
		cp -L "$lib" "$fs$lib"
	done
}
