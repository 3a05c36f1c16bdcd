#include "shared_map.hpp"

#include "lwk_process.hpp"

#include <mk/proc.h>

#include <cerrno>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/statfs.h>
#include <sys/stat.h>

namespace mkexec {

long map_shared(LwkProcess& proc, const __u64* a)
{
    const int fd = static_cast<int>(a[0]);
    const uint64_t offset = a[1], len = a[2], prot = a[3], pfns = a[4], flags = a[5];
    constexpr uint64_t PAGE = 4096;
    const bool private_ro = flags & MK_MAP_PRIVATE_RO;
    if (!len || (len | offset) & (PAGE - 1) || (prot & ~uint64_t(PROT_READ | PROT_WRITE | PROT_EXEC)) ||
        (flags & ~(MK_MAP_PRIVATE_RO | MK_MAP_ANONYMOUS)) || (private_ro && (prot & PROT_WRITE)))
        return -EINVAL;
    if (flags & MK_MAP_ANONYMOUS) {
        // Shared anonymous memory (shmem), no descriptor of the program's:
        // always writable, as the program may mprotect it so.
        if (private_ro || fd || offset)
            return -EINVAL;
        void* at = ::mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (at == MAP_FAILED)
            return -errno;
        long r = proc.pin(reinterpret_cast<uint64_t>(at), len, true, pfns);
        if (r < 0) {
            ::munmap(at, len);
            return r;
        }
        return static_cast<long>((len / PAGE) << 32 | MK_MAP_SHARED_WRITABLE | static_cast<uint64_t>(r));
    }
    // Pages past the end of the file are not pinned: the program gets
    // SIGBUS there, as on Linux (a file that grows later is not seen).
    struct stat st;
    if (::fstat(fd, &st) != 0)
        return -errno;
    uint64_t size = static_cast<uint64_t>(st.st_size);
    uint64_t pinned = 0;
    if (size > offset)
        pinned = ((size - offset + PAGE - 1) & ~(PAGE - 1)) < len ? (size - offset + PAGE - 1) & ~(PAGE - 1) : len;
    if (!pinned)
        return -ENXIO; // nothing of the file there: no mapping worth making (Linux maps and faults)
    // Writable if asked, or if the program could mprotect it so later (a
    // descriptor open for writing, on shared memory); mmap checks the
    // descriptor's rights as Linux would for the program.
    // A private read-only mapping shares the file's pages read-only: a
    // shared mapping of mkexec's own (pinning a private one would give the
    // pin copies of its own on Linux 6.x, not the page cache's pages).
    // Writable pages of a file system that tracks dirty pages (ext4, xfs,
    // NFS: Linux must write them back) are tracked, not pinned.
    bool writable = prot & PROT_WRITE;
    struct statfs fs;
    int fl = ::fcntl(fd, F_GETFL);
    const bool shmem = ::fstatfs(fd, &fs) == 0 && (fs.f_type == TMPFS_MAGIC || fs.f_type == HUGETLBFS_MAGIC);
    if (!private_ro && !writable && fl >= 0 && (fl & O_ACCMODE) == O_RDWR)
        writable = true;
    const bool track = writable && !shmem;
    const int mprot = PROT_READ | (writable ? PROT_WRITE : 0) | (private_ro ? int(prot & PROT_EXEC) : 0);
    void* at = ::mmap(nullptr, pinned, mprot, MAP_SHARED, fd, static_cast<off_t>(offset));
    if (at == MAP_FAILED)
        return -errno;
    // The mapping stays while the pin does: mk.ko unmaps it with the pin.
    long r = proc.pin(reinterpret_cast<uint64_t>(at), pinned, writable, pfns, track);
    if (r < 0) {
        ::munmap(at, pinned);
        return r;
    }
    return static_cast<long>((pinned / PAGE) << 32 | (writable ? 1UL << 31 : 0) | static_cast<uint64_t>(r));
}

long shm_attach(LwkProcess& proc, const __u64* a)
{
    const int shmid = static_cast<int>(a[0]);
    const int flags = static_cast<int>(a[1]);
    const uint64_t len = a[2], pfns = a[4];
    const bool writable = !(flags & SHM_RDONLY);
    struct shmid_ds ds;
    if (::shmctl(shmid, IPC_STAT, &ds) != 0)
        return -errno;
    if (!len || len > ((ds.shm_segsz + 4095) & ~uint64_t(4095)))
        return -EINVAL;
    // shmat checks the permissions as Linux would for the program.
    void* at = ::shmat(shmid, nullptr, writable ? 0 : SHM_RDONLY);
    if (at == reinterpret_cast<void*>(-1))
        return -errno;
    // Attached while the pin lasts, as the program's attachment would keep
    // it on Linux (a segment marked IPC_RMID lives on, shm_nattch counts
    // it); mk.ko detaches it with the pin.
    long r = proc.pin(reinterpret_cast<uint64_t>(at), len, writable, pfns);
    if (r < 0) {
        ::shmdt(at);
        return r;
    }
    return static_cast<long>((len / 4096) << 32 | (writable ? 1UL << 31 : 0) | static_cast<uint64_t>(r));
}

} // namespace mkexec
