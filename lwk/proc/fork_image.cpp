// fork on the LWK (mkexec --fork=same|free). The forking thread, holding
// its address space's lock, shares the address space with the child
// copy-on-write (cow.cpp) and takes its own
// state (registers with rax 0, FPU, thread pointer, signal mask and
// alternate stack) into a ForkImage in its process, then forwards the fork
// to mkexec: mkexec forks itself, and its child asks mk.ko for an LWK
// process made from the image (MK_SPAWN_MSG_FORK), which starts at once,
// returning 0 from the call. Pages of Linux's (shared mappings) are shared
// under the same pin ids, which mk.ko duplicates for the child.
#include <proc/process.hpp>
#include <proc/process_parts.hpp>

#include <core/boot.hpp>
#include <core/log.hpp>
#include <core/percpu.hpp>
#include <mm/heap.hpp>
#include <mm/pmm.hpp>
#include <sched/sched.hpp>

#include <arch/user.hpp>

namespace lwk::proc {
namespace {

constexpr uint64_t CLONE_SETTLS = 0x80000, CLONE_CHILD_CLEARTID = 0x200000,
                   CLONE_CHILD_SETTID = 0x1000000;

void free_image(ForkImage* img)
{
    if (!img)
        return;
    delete img->as;
    if (img->fpu_phys)
        mm::free_pages(img->fpu_phys, fpu_order());
    mm::kfree(img);
}

} // namespace

Result<uint32_t> make_fork_image(const arch::InterruptFrame& frame, uint64_t flags, uint64_t sp,
    uint64_t tls, uint64_t child_tid)
{
    Thread* t = percpu::current()->current;
    Process* p = t->proc;
    auto* img = static_cast<ForkImage*>(mm::kzalloc(sizeof(ForkImage)));
    if (!img)
        return Errno::NOMEM;
    auto fpu = mm::alloc_pages_zeroed(fpu_order());
    auto as = p->as->share_for_fork();
    if (fpu.is_error() || as.is_error()) {
        if (!fpu.is_error())
            mm::free_pages(fpu.value(), fpu_order());
        if (!as.is_error())
            delete as.value();
        mm::kfree(img);
        if (as.is_error() && as.error().code == int(Errno::NOMEM))
            klog("pid %d: fork on the LWK: no memory for the page tables", p->pid);
        return Errno::NOMEM;
    }
    img->as = as.value();
    img->fpu_phys = fpu.value();
    arch::fpu_save(boot::phys_to_virt(img->fpu_phys)); // the program's registers, live in this call
    img->frame = frame;
    img->frame.rax = 0; // the child's fork() returns 0
    if (sp)
        img->frame.rsp = sp;
    img->fs_base = (flags & CLONE_SETTLS) ? tls : t->fs_base;
    img->flags = flags;
    img->child_tid = child_tid;
    ForkImage* old;
    {
        LockGuard<Spinlock> g(p->lock);
        img->sigmask = t->sigmask;
        img->altstack_sp = t->altstack_sp;
        img->altstack_size = t->altstack_size;
        img->altstack_flags = t->altstack_flags;
        __builtin_memcpy(img->actions, p->actions, sizeof img->actions);
        if (++p->fork_images_made == 0)
            ++p->fork_images_made;
        img->number = p->fork_images_made;
        old = p->fork_image; // none: forks take the address space's lock one at a time
        p->fork_image = img;
    }
    free_image(old);
    return img->number;
}

void drop_fork_image(Process* p)
{
    ForkImage* img;
    {
        LockGuard<Spinlock> g(p->lock);
        img = p->fork_image;
        p->fork_image = nullptr;
    }
    free_image(img);
}

void spawn_forked(const mk_msg_spawn& m)
{
    const uint32_t me = percpu::index();
    uint64_t valid = boot::params->nr_cpus >= 64 ? ~0ULL : (1ULL << boot::params->nr_cpus) - 1;
    if (find(m.hdr.pid))
        return reply_spawned(m.hdr, int(Errno::EXIST), 0, 0);
    if (!(m.cores & (1ULL << me)) || (m.cores & ~valid))
        return reply_spawned(m.hdr, int(Errno::INVAL), 0, 0);
    Process* parent = get(m.fork_of);
    if (!parent)
        return reply_spawned(m.hdr, int(Errno::SRCH), 0, 0);
    ForkImage* img = nullptr;
    {
        LockGuard<Spinlock> g(parent->lock);
        if (parent->fork_image &&
            parent->fork_image->number == m.fork_image) { // this fork's, no other
            img = parent->fork_image;
            parent->fork_image = nullptr;
        }
    }
    auto* p = img ? static_cast<Process*>(mm::kzalloc(sizeof(Process))) : nullptr;
    if (!p) {
        const Errno why = img ? Errno::NOMEM : Errno::SRCH;
        free_image(img); // the fork fails
        put(parent);
        return reply_spawned(m.hdr, int(why), 0, 0);
    }
    init_process(p, m, img->as);
    img->as = nullptr;
    // What the program was (/proc/self/exe, auxv ...), as the parent has it.
    __builtin_memcpy(p->uname, parent->uname, sizeof p->uname);
    __builtin_memcpy(p->path, parent->path, sizeof p->path);
    __builtin_memcpy(p->exe, parent->exe, sizeof p->exe);
    __builtin_memcpy(p->interp, parent->interp, sizeof p->interp);
    p->stack = parent->stack;
    __builtin_memcpy(p->auxv, parent->auxv, sizeof p->auxv);
    p->auxv_bytes = parent->auxv_bytes;
    __builtin_memcpy(p->actions, img->actions, sizeof p->actions);
    p->start_sigmask = img->sigmask;
    put(parent);

    Thread* t = new_thread(p, img->frame, true);
    if (!t) {
        delete p->as;
        mm::kfree(p);
        free_image(img);
        return reply_spawned(m.hdr, int(Errno::NOMEM), 0, 0);
    }
    __builtin_memcpy(t->fpu, boot::phys_to_virt(img->fpu_phys), arch::fpu_state_bytes());
    t->fs_base = img->fs_base;
    t->sigmask = img->sigmask;
    t->altstack_sp = img->altstack_sp;
    t->altstack_size = img->altstack_size;
    t->altstack_flags = img->altstack_flags;
    if (img->flags & CLONE_CHILD_CLEARTID)
        t->clear_child_tid = img->child_tid;
    if (img->flags & CLONE_CHILD_SETTID) {
        int32_t tid = t->tid; // before the child runs, as on Linux
        (void)p->as->copy_out(img->child_tid, &tid, sizeof tid);
    }
    free_image(img);
    p->main = t;
    p->state = Process::State::running;
    list_add(p);
    klog("pid %d: forked from %d on core %u", p->pid, m.fork_of, me);
    reply_spawned(m.hdr, 0, 0, p->as->page_table());
    sched::add_thread(t, me);
}

} // namespace lwk::proc
