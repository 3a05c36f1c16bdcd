// /proc/<pid>/task of an LWK program. The program shares its pid with
// mkexec, so Linux's directory lists mkexec's threads: a descriptor the
// program opens on it is remembered (with the directory's inode, so that
// a closed and reused number is never taken for it), and getdents64 of it
// lists the LWK's threads — ".", "..", then each thread's id in order —
// keeping its place in Linux's file position (lseek and rewinddir work
// as on Linux). A thread's own directory, which Linux does not have, is
// opened (and stat-ed) as the main thread's.
#include <syscall/scratch.hpp>
#include <syscall/syscall.hpp>
#include <syscall/task_dir.hpp>

#include <lib/format.hpp>
#include <lib/spinlock.hpp>
#include <lib/vector.hpp>
#include <mm/heap.hpp>
#include <proc/process.hpp>
#include <sched/mutex.hpp>

namespace lwk::sys {
namespace {

constexpr uint64_t NR_LSEEK = 8, NR_FSTAT = 5, SEEK_SET = 0, SEEK_CUR = 1;
constexpr uint8_t DT_DIR = 4;

// The inode of what fd is open on (Linux's fstat).
Result<uint64_t> inode_of(Context& c, int32_t fd)
{
    sched::MutexGuard lock(c.proc->as->mutex()); // the scratch mapping stays put
    Scratch st(c, 144); // struct stat: st_dev, then st_ino
    if (!st.addr())
        return Errno::NOMEM;
    TRY(forward_call(c, NR_FSTAT, uint64_t(fd), st.addr()));
    uint64_t ino = 0;
    TRY(st.get(8, &ino, sizeof ino));
    return ino;
}

// The slot that remembers fd, or -1.
int slot_of(proc::Process* p, int32_t fd)
{
    LockGuard<Spinlock> g(p->lock);
    for (unsigned i = 0; i < 4; ++i)
        if (p->task_dirs[i].ino && p->task_dirs[i].fd == fd)
            return int(i);
    return -1;
}

// The program's thread ids, in order (the main thread's, the pid, first).
void thread_ids(proc::Process* p, Vector<int32_t>& ids)
{
    uint32_t room;
    {
        LockGuard<Spinlock> g(p->lock);
        room = p->nr_threads + 8;
    }
    int32_t* buf = static_cast<int32_t*>(mm::kzalloc(room * sizeof(int32_t)));
    if (!buf)
        return;
    uint32_t n = 0;
    {
        LockGuard<Spinlock> g(p->lock);
        for (proc::Thread* t = p->threads; t && n < room; t = t->proc_next)
            if (t->state != proc::Thread::State::dead)
                buf[n++] = t->tid;
    }
    for (uint32_t i = 1; i < n; ++i) // few: insertion sort
        for (uint32_t j = i; j > 0 && buf[j - 1] > buf[j]; --j) {
            int32_t x = buf[j];
            buf[j] = buf[j - 1];
            buf[j - 1] = x;
        }
    for (uint32_t i = 0; i < n; ++i)
        if (!ids.push_back(buf[i]))
            break;
    mm::kfree(buf);
}

} // namespace

void remember_task_dir(Context& c, long fd)
{
    auto ino = inode_of(c, int32_t(fd));
    if (ino.is_error() || !ino.value())
        return; // listed as Linux lists it
    proc::Process* p = c.proc;
    LockGuard<Spinlock> g(p->lock);
    unsigned at = p->task_dirs_made++ % 4;
    for (unsigned i = 0; i < 4; ++i)
        if (p->task_dirs[i].fd == int32_t(fd) || !p->task_dirs[i].ino) {
            at = i;
            break;
        }
    p->task_dirs[at] = {int32_t(fd), ino.value()};
}

Result<long> sys_getdents64(Context& c)
{
    const int32_t fd = int32_t(c.a[0]);
    const uint64_t buf = c.a[1], len = c.a[2];
    int slot = slot_of(c.proc, fd);
    if (slot < 0)
        return forward(c);
    auto ino = inode_of(c, fd);
    {
        LockGuard<Spinlock> g(c.proc->lock);
        if (ino.is_error() || ino.value() != c.proc->task_dirs[slot].ino ||
            c.proc->task_dirs[slot].fd != fd) {
            c.proc->task_dirs[slot].ino = 0; // another file now
            slot = -1;
        }
    }
    if (slot < 0)
        return forward(c);
    long pos = TRY(forward_call(c, NR_LSEEK, uint64_t(fd), 0, SEEK_CUR));
    Vector<int32_t> ids;
    thread_ids(c.proc, ids);
    const long entries = 2 + long(ids.size());
    uint64_t used = 0;
    long i = pos < 0 ? 0 : pos;
    for (; i < entries; ++i) {
        char name[16];
        if (i < 2) {
            name[0] = name[1] = '.';
            name[i + 1] = 0;
        } else {
            format(name, sizeof name, "%d", ids[size_t(i - 2)]);
        }
        // struct linux_dirent64: ino, off, reclen, type, name, 8-byte aligned.
        size_t n = __builtin_strlen(name);
        uint16_t reclen = uint16_t((19 + n + 1 + 7) & ~size_t(7));
        if (used + reclen > len)
            break;
        uint8_t rec[48] = {};
        uint64_t d_ino = ino.value() + uint64_t(i), d_off = uint64_t(i + 1);
        __builtin_memcpy(rec, &d_ino, 8);
        __builtin_memcpy(rec + 8, &d_off, 8);
        __builtin_memcpy(rec + 16, &reclen, 2);
        rec[18] = DT_DIR;
        __builtin_memcpy(rec + 19, name, n + 1);
        TRY(c.proc->as->copy_out(buf + used, rec, reclen));
        used += reclen;
    }
    if (!used && i < entries)
        return Errno::INVAL; // no room for one entry
    TRY(forward_call(c, NR_LSEEK, uint64_t(fd), uint64_t(i), SEEK_SET));
    return long(used);
}

} // namespace lwk::sys
