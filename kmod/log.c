// SPDX-License-Identifier: GPL-2.0
/*
 * The LWK's kernel log, read from Linux while the LWK keeps writing
 * (struct mk_log in <mk/boot.h>): for mkctl log, and mirrored line by line
 * into Linux's log with an "mk: lwk" prefix. The log lives in LWK memory, so
 * nothing in it is trusted: the ring's size is the one mk.ko set, and
 * positions are clamped to what the ring can hold.
 */
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "mk.h"

#define MK_LOG_DATA_BYTES (MK_LOG_BYTES - sizeof(struct mk_log))
#define MK_LINE_MAX 512

static DEFINE_MUTEX(mk_mirror_lock);

static struct mk_log *mk_log_ring(void)
{
	struct mk_boot_params *bp = READ_ONCE(mk_inst.bp);

	return bp ? phys_to_virt(mk_inst.boot_area_phys + MK_PARAMS_BYTES) : NULL;
}

/*
 * Copies up to len bytes from *pos; returns the bytes copied and adds to
 * *lost what the LWK overwrote before it could be read.
 */
static u64 mk_log_copy(struct mk_log *log, u64 *pos, char *dst, u64 len, u64 *lost, u64 *headp)
{
	const u8 *data = (const u8 *)(log + 1);
	const u64 size = MK_LOG_DATA_BYTES;
	u64 head, oldest, n, i, skip;

	head = smp_load_acquire(&log->head);
	oldest = head > size ? head - size : 0;
	if (*pos > head)
		*pos = oldest; /* a new boot started the stream again */
	if (*pos < oldest) {
		*lost += oldest - *pos;
		*pos = oldest;
	}
	n = min(len, head - *pos);
	for (i = 0; i < n; i++)
		dst[i] = data[(*pos + i) % size];
	/* Bytes the writer overwrote while they were copied are not kept. */
	smp_rmb();
	head = READ_ONCE(log->head);
	oldest = head > size ? head - size : 0;
	if (oldest > *pos) {
		skip = min(oldest - *pos, n);
		memmove(dst, dst + skip, n - skip);
		n -= skip;
		*lost += skip;
		*pos += skip;
	}
	*pos += n;
	*headp = head;
	return n;
}

int mk_cmd_log(struct mk_log_request *req)
{
	struct mk_log *log = mk_log_ring();
	char *buf;
	u32 len;

	lockdep_assert_held(&mk_part.lock);
	if (!log) {
		mk_refuse(req->msg, "there is no LWK log: boot an LWK first");
		return -ENOENT;
	}
	len = min_t(u32, req->buf_size, SZ_1M);
	buf = kvmalloc(len ? len : 1, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	req->lost = 0;
	req->bytes = mk_log_copy(log, &req->pos, buf, len, &req->lost, &req->head);
	if (copy_to_user(u64_to_user_ptr(req->buf), buf, req->bytes)) {
		kvfree(buf);
		return -EFAULT;
	}
	kvfree(buf);
	return 0;
}

/* Prints the complete lines written since the last call. */
void mk_log_mirror(void)
{
	const u64 cap = 8 * MK_LINE_MAX;
	struct mk_log *log = mk_log_ring();
	u64 n, lost, head, pos, start, i, from;
	char *buf;

	if (!log)
		return;
	buf = kmalloc(cap + 1, GFP_KERNEL);
	if (!buf)
		return;
	mutex_lock(&mk_mirror_lock);
	for (;;) {
		lost = 0;
		pos = mk_inst.mirror_pos;
		n = mk_log_copy(log, &pos, buf, cap, &lost, &head);
		start = pos - n; /* the position of buf[0] */
		/* Only whole lines, unless one line fills the buffer. */
		while (n && buf[n - 1] != '\n' && n < cap)
			n--;
		if (!n)
			break;
		if (lost)
			pr_warn("lwk: %llu bytes of its log were overwritten before Linux read them\n",
				lost);
		mk_inst.mirror_pos = start + n;
		for (from = 0, i = 0; i < n; i++) {
			if (buf[i] != '\n')
				continue;
			if (i > from)
				pr_info("lwk %.*s\n", (int)(i - from), buf + from);
			from = i + 1;
		}
		if (from < n) /* a line longer than the buffer */
			pr_info("lwk %.*s\n", (int)(n - from), buf + from);
	}
	mutex_unlock(&mk_mirror_lock);
	kfree(buf);
}

/* The last complete line of the LWK's log, for error messages ("" if none). */
void mk_log_last_line(char *out, size_t len)
{
	struct mk_log *log = mk_log_ring();
	u64 head, pos, lost = 0, n, end, start;
	char *buf;

	out[0] = '\0';
	if (!log || !len)
		return;
	buf = kmalloc(MK_LINE_MAX, GFP_KERNEL);
	if (!buf)
		return;
	head = smp_load_acquire(&log->head);
	pos = head > MK_LINE_MAX ? head - MK_LINE_MAX : 0;
	n = mk_log_copy(log, &pos, buf, MK_LINE_MAX, &lost, &head);
	end = n;
	while (end && buf[end - 1] == '\n')
		end--;
	start = end;
	while (start && buf[start - 1] != '\n')
		start--;
	strscpy(out, buf + start, min_t(u64, len, end - start + 1));
	kfree(buf);
}

void mk_log_dump(const char *why)
{
	pr_warn("%s; the LWK's log:\n", why);
	mk_log_mirror();
}
