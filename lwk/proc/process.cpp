#include <proc/cputime.hpp>
#include <proc/elf.hpp>
#include <proc/layout.hpp>
#include <proc/process.hpp>
#include <proc/process_parts.hpp>
#include <proc/signal.hpp>
#include <proc/stack.hpp>
#include <proc/vdso.hpp>

#include <core/boot.hpp>
#include <core/channel.hpp>
#include <core/log.hpp>
#include <core/percpu.hpp>
#include <mm/buddy.hpp>
#include <mm/heap.hpp>
#include <mm/pmm.hpp>
#include <sched/mutex.hpp>
#include <sched/sched.hpp>
#include <syscall/futex.hpp>

#include <arch/cpu.hpp>
#include <arch/user.hpp>
#include <lib/format.hpp>

namespace lwk::proc {
namespace {

Process* processes = nullptr; // the processes of this LWK (one list, every core)
Spinlock list_lock;

constexpr uint64_t MAX_STAGING = 256ULL << 20;
constexpr uint64_t PAGE = 4096;

uint64_t round_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

} // namespace

// Shared with fork_image.cpp (proc/process_parts.hpp).
void list_add(Process* p)
{
    LockGuard<Spinlock> g(list_lock);
    p->next = processes;
    processes = p;
}

void list_remove_locked(Process* p)
{
    for (Process** pp = &processes; *pp; pp = &(*pp)->next)
        if (*pp == p) {
            *pp = p->next;
            return;
        }
}

void reply_spawned(const mk_msg_hdr& req, int error, uint64_t staging, uint64_t pt)
{
    mk_msg_spawned m{};
    m.hdr = {MK_MSG_SPAWNED, 0, req.pid, 0, req.seq};
    m.error = error;
    m.staging = staging;
    m.page_table = pt;
    channel::send(&m, sizeof m);
}

void reply_execed(const mk_msg_hdr& req, int error, const char* why)
{
    mk_msg_execed m{};
    m.hdr = {MK_MSG_EXECED, 0, req.pid, 0, req.seq};
    m.error = error;
    if (why)
        format(m.why, sizeof m.why, "%s", why);
    channel::send(&m, sizeof m);
}

// Asks Linux to drop its view of the whole window; the memory is freed
// when it says it has (unmapped()).
void start_dying(Process* p, int32_t status)
{
    p->state = Process::State::dying;
    p->exit_status = status;
    mk_msg_unmap m{};
    m.hdr = {MK_MSG_UNMAP, 0, p->pid, 0, ++p->unmap_seq};
    m.start = USER_START;
    m.len = USER_END - USER_START;
    channel::send(&m, sizeof m);
}

// A tid for a new thread: the main thread's is the pid; the others put a
// small number above Linux's pid range (pid_max is at most 2^22), unique
// among the process's live threads.
int32_t new_tid(Process* p)
{
    for (;;) {
        uint32_t k = p->tids_made++ % 255 + 1;
        int32_t tid = int32_t((k << 22) | uint32_t(p->pid));
        bool used = false;
        for (Thread* t = p->threads; t; t = t->proc_next)
            used |= t->tid == tid;
        if (!used)
            return tid;
    }
}

unsigned fpu_order()
{
    unsigned order = 0;
    while (mm::order_bytes(order) < arch::fpu_state_bytes())
        ++order;
    return order;
}

// A thread of p that enters user mode with this frame when first run.
Thread* new_thread(Process* p, const arch::InterruptFrame& frame, bool main)
{
    auto stack = mm::alloc_pages(KSTACK_ORDER);
    if (stack.is_error())
        return nullptr;
    auto fpu = mm::alloc_pages_zeroed(fpu_order());
    if (fpu.is_error()) {
        mm::free_pages(stack.value(), KSTACK_ORDER);
        return nullptr;
    }
    // A page of its own (not the kernel heap, which keeps what it grew
    // to): with its signal records a thread is most of a page.
    static_assert(sizeof(Thread) <= mm::PAGE_SIZE, "a Thread fits a page");
    auto page = mm::alloc_pages_zeroed(0);
    if (page.is_error()) {
        mm::free_pages(stack.value(), KSTACK_ORDER);
        mm::free_pages(fpu.value(), fpu_order());
        return nullptr;
    }
    auto* t = static_cast<Thread*>(boot::phys_to_virt(page.value()));
    t->proc = p;
    t->kstack_phys = stack.value();
    t->kstack_top = reinterpret_cast<uint64_t>(boot::phys_to_virt(stack.value())) + (PAGE << KSTACK_ORDER);
    t->saved_rsp = arch::prepare_user_frame(t->kstack_top, frame);
    t->fpu = boot::phys_to_virt(fpu.value());
    t->state = Thread::State::blocked; // until sched::add_thread
    LockGuard<Spinlock> g(p->lock);
    t->killed = p->exiting; // a kill that came while it was being made
    t->tid = main ? p->pid : new_tid(p);
    t->proc_next = p->threads;
    p->threads = t;
    ++p->nr_threads;
    return t;
}

// The core of p's with the fewest threads (one thread per core first),
// the lowest of equals. A thread put behind a busy one gets the core when
// that one blocks, or in time slices (sched.cpp).
uint32_t pick_core(Process* p)
{
    uint32_t best = percpu::index(), fewest = ~0u;
    for (uint32_t i = 0; i < boot::params->nr_cpus && i < 64; ++i) {
        percpu::Cpu* c = percpu::of(i);
        if (!(p->cores & (1ULL << i)) || !c)
            continue;
        uint32_t n = __atomic_load_n(&c->nr_threads, __ATOMIC_RELAXED);
        if (n < fewest) {
            fewest = n;
            best = i;
        }
    }
    return best;
}

void free_thread(Thread* t)
{
    Process* p = t->proc;
    bool last;
    {
        LockGuard<Spinlock> g(p->lock);
        for (Thread** pp = &p->threads; *pp; pp = &(*pp)->proc_next)
            if (*pp == t) {
                *pp = t->proc_next;
                break;
            }
        if (p->main == t)
            p->main = nullptr;
        cputime_retire(t);
        last = --p->nr_threads == 0;
    }
    mm::free_pages(t->kstack_phys, KSTACK_ORDER);
    mm::free_pages(boot::virt_to_phys(t->fpu), fpu_order());
    mm::free_pages(boot::virt_to_phys(t), 0);
    if (last)
        start_dying(p, p->exiting ? p->exit_status : p->last_status);
}

void corrupt_page_tables()
{
    LockGuard<Spinlock> g(list_lock);
    for (Process* p = processes; p; p = p->next) {
        if (!p->as)
            continue;
        auto* top = static_cast<uint64_t*>(boot::phys_to_virt(p->as->page_table()));
        for (int i = 0; i < 256; ++i)
            if (top[i] & arch::PTE_PRESENT)
                __atomic_store_n(&top[i], 0x1000ULL | arch::PTE_PRESENT | arch::PTE_WRITE | arch::PTE_USER,
                    __ATOMIC_RELEASE);
    }
}

Process* find(int32_t pid)
{
    LockGuard<Spinlock> g(list_lock);
    for (Process* p = processes; p; p = p->next)
        if (p->pid == pid)
            return p;
    return nullptr;
}

Process* get(int32_t pid)
{
    LockGuard<Spinlock> g(list_lock);
    for (Process* p = processes; p; p = p->next)
        if (p->pid == pid && p->state == Process::State::running) {
            ++p->users;
            return p;
        }
    return nullptr;
}

namespace {

// The end of a process whose memory Linux let go of: freed, and reported.
void free_process(Process* p);

} // namespace

void put(Process* p)
{
    bool last;
    {
        LockGuard<Spinlock> g(list_lock);
        last = --p->users == 0 && p->free_when_unused;
        if (last)
            list_remove_locked(p);
    }
    if (last)
        free_process(p);
}

void spawn(const mk_msg_spawn& m)
{
    if (m.flags & MK_SPAWN_MSG_FORK)
        return spawn_forked(m);
    const uint32_t me = percpu::index();
    uint64_t valid = boot::params->nr_cpus >= 64 ? ~0ULL : (1ULL << boot::params->nr_cpus) - 1;
    if (find(m.hdr.pid))
        return reply_spawned(m.hdr, int(Errno::EXIST), 0, 0);
    if (!(m.cores & (1ULL << me)) || (m.cores & ~valid) ||
        m.staging_bytes == 0 || m.staging_bytes > MAX_STAGING)
        return reply_spawned(m.hdr, int(Errno::INVAL), 0, 0);
    auto as = AddressSpace::create();
    if (as.is_error())
        return reply_spawned(m.hdr, as.error().code, 0, 0);
    auto* p = static_cast<Process*>(mm::kzalloc(sizeof(Process)));
    if (!p) {
        delete as.value();
        return reply_spawned(m.hdr, int(Errno::NOMEM), 0, 0);
    }
    static uint64_t serials;
    p->serial = __atomic_add_fetch(&serials, 1, __ATOMIC_RELAXED);
    p->pid = m.hdr.pid;
    p->ppid = m.ppid;
    p->uid = m.uid;
    p->gid = m.gid;
    p->cores = m.cores;
    p->as = as.value();
    p->as->set_owner(m.hdr.pid);
    p->stack_limit = m.stack_limit;
    p->clock_tsc = m.clock_tsc;
    p->clock_mono_ns = m.clock_mono_ns;
    p->clock_real_ns = m.clock_real_ns;
    p->start_ticks = m.start_ticks;
    p->fork_lwk = m.flags & MK_SPAWN_MSG_FORK_LWK;
    auto staging = p->as->map(MMAP_BASE, round_up(m.staging_bytes, PAGE), PROT_R | PROT_W,
        RegionKind::staging, false);
    if (staging.is_error()) {
        int err = staging.error().code;
        delete p->as;
        mm::kfree(p);
        return reply_spawned(m.hdr, err, 0, 0);
    }
    p->staging = staging.value();
    p->staging_bytes = round_up(m.staging_bytes, PAGE);
    p->state = Process::State::created;
    list_add(p);
    reply_spawned(m.hdr, 0, p->staging, p->as->page_table());
}

namespace {

// A copy of part of the staging area in contiguous kernel memory, freed
// with it: the files are checked and read there.
struct KernelBuffer {
    uint64_t phys = 0;
    unsigned order = 0;
    uint8_t* data = nullptr;
    KernelBuffer() = default;
    KernelBuffer(const KernelBuffer&) = delete;
    KernelBuffer& operator=(const KernelBuffer&) = delete;
    ~KernelBuffer()
    {
        if (data)
            mm::free_pages(phys, order);
    }
    Result<void> alloc(uint64_t bytes)
    {
        while (mm::order_bytes(order) < bytes)
            ++order;
        phys = TRY(mm::alloc_pages(order));
        data = static_cast<uint8_t*>(boot::phys_to_virt(phys));
        return {};
    }
};

// An ELF image (checked by parse_program) loaded at bias: mapped writable
// while it is filled, then each range of pages given its rights — one
// protect per range, so loading takes time in proportion to the image.
Result<void> load_image(AddressSpace* as, const uint8_t* file, const Program& prog, uint64_t bias)
{
    const uint64_t lo = bias + prog.lo, hi = bias + prog.hi;
    TRY(as->map(lo, hi - lo, PROT_R | PROT_W, RegionKind::image, true));
    for (unsigned i = 0; i < prog.nr_segments; ++i) {
        const Segment& s = prog.segments[i];
        TRY(as->copy_out(bias + s.vaddr, file + s.offset, s.filesz));
    }
    ImageRange ranges[2 * MAX_SEGMENTS];
    unsigned n = image_ranges(prog, ranges);
    for (unsigned i = 0; i < n; ++i)
        if (ranges[i].prot != (PROT_R | PROT_W))
            TRY(as->protect(bias + ranges[i].start, ranges[i].end - ranges[i].start, ranges[i].prot));
    return {};
}

// What an exec found wrong, for the user (why points into msg or at a
// constant).
struct Why {
    const char* why = nullptr;
    char msg[100];
};

// Loads the program (and its ELF interpreter) from the staging area and
// builds its stack. Returns the entry point and stack pointer, or an
// error with why set.
Result<void> load(Process* p, const mk_msg_exec& m, uint64_t& entry, uint64_t& sp, Why& w)
{
    AddressSpace* as = p->as;
    const char*& why = w.why;
    why = "the program does not fit the staging area";
    if (m.file_bytes > p->staging_bytes || m.strings_offset % 8 ||
        m.strings_offset < m.file_bytes || m.strings_offset > p->staging_bytes - sizeof(mk_spawn_strings))
        return Errno::INVAL;
    if (m.interp_bytes && (m.interp_offset % PAGE || m.interp_offset < m.file_bytes ||
                              m.interp_offset > m.strings_offset ||
                              m.interp_bytes > m.strings_offset - m.interp_offset))
        return Errno::INVAL;
    mk_spawn_strings hdr;
    TRY(as->copy_in(&hdr, p->staging + m.strings_offset, sizeof hdr));
    uint64_t strings_at = p->staging + m.strings_offset + sizeof hdr;
    if (hdr.bytes > p->staging_bytes - m.strings_offset - sizeof hdr || hdr.path_bytes == 0 ||
        hdr.path_bytes > hdr.bytes || hdr.path_bytes > sizeof p->path)
        return Errno::INVAL;
    // What execve keeps: blocked signals, and ignored ones stay ignored.
    p->start_sigmask = hdr.sigmask & ~(sigbit(SIGKILL) | sigbit(SIGSTOP));
    for (int sig = 1; sig <= 64; ++sig)
        if (sig != SIGKILL && sig != SIGSTOP && (hdr.sig_ignored & sigbit(sig)))
            p->actions[sig - 1].handler = SIG_IGN;
    for (int i = 0; i < 6; ++i) {
        __builtin_memcpy(p->uname[i], hdr.uname[i], 65);
        p->uname[i][64] = 0;
    }
    TRY(as->copy_in(p->path, strings_at, hdr.path_bytes));
    p->path[hdr.path_bytes - 1] = 0;
    if (hdr.exe_bytes == 0 || hdr.exe_bytes > sizeof p->exe || hdr.exe_bytes > hdr.bytes - hdr.path_bytes)
        return Errno::INVAL;
    TRY(as->copy_in(p->exe, strings_at + hdr.path_bytes, hdr.exe_bytes));
    p->exe[hdr.exe_bytes - 1] = 0;
    const uint64_t names_bytes = hdr.path_bytes + hdr.exe_bytes;

    // The file, contiguous in kernel memory for the checks.
    why = "out of LWK memory while loading the program";
    KernelBuffer file;
    TRY(file.alloc(m.file_bytes));
    TRY(as->copy_in(file.data, p->staging, m.file_bytes));
    Program prog;
    TRY(parse_program(file.data, m.file_bytes, prog, &why, PIE_BASE, INTERP_BASE));
    const uint64_t bias = prog.pie ? PIE_BASE : 0;

    // A dynamically linked program starts in its interpreter, which
    // mkexec put beside it: an ELF shared object, itself static.
    Program interp;
    KernelBuffer interp_file;
    if (prog.interp_bytes) {
        why = "the ELF interpreter was not given";
        if (!m.interp_bytes)
            return Errno::INVAL;
        why = "out of LWK memory while loading the ELF interpreter";
        TRY(interp_file.alloc(m.interp_bytes));
        TRY(as->copy_in(interp_file.data, p->staging + m.interp_offset, m.interp_bytes));
        const char* iwhy = nullptr;
        if (parse_program(interp_file.data, m.interp_bytes, interp, &iwhy, INTERP_BASE, VDSO_BASE).is_error()) {
            format(w.msg, sizeof w.msg, "its ELF interpreter: %s", iwhy);
            why = w.msg;
            return Errno::NOEXEC;
        }
        why = "its ELF interpreter is not a shared object";
        if (!interp.pie)
            return Errno::NOEXEC;
        why = "its ELF interpreter is itself dynamically linked";
        if (interp.interp_bytes)
            return Errno::LIBBAD;
        uint64_t n = prog.interp_bytes < sizeof p->interp ? prog.interp_bytes : sizeof p->interp;
        __builtin_memcpy(p->interp, file.data + prog.interp_offset, n);
        p->interp[n - 1] = 0;
    }

    why = "out of LWK memory while loading the program";
    TRY(load_image(as, file.data, prog, bias));
    as->brk_start = as->brk = bias + prog.hi;
    if (prog.interp_bytes) {
        why = "out of LWK memory while loading the ELF interpreter";
        TRY(load_image(as, interp_file.data, interp, INTERP_BASE));
    }

    why = "out of LWK memory while mapping the vDSO";
    const uint64_t vdso = TRY(map_vdso(p));

    // The stack: RLIMIT_STACK of memory (8 MiB when unlimited), allocated now.
    why = "out of LWK memory while loading the program";
    uint64_t stack_size = p->stack_limit;
    if (stack_size < (128ULL << 10) || stack_size > (1ULL << 30))
        stack_size = STACK_LIMIT_DEFAULT;
    stack_size = round_up(stack_size, PAGE);
    TRY(as->map(STACK_TOP - stack_size, stack_size, PROT_R | PROT_W | (prog.exec_stack ? PROT_X : 0),
        RegionKind::stack, true));

    // argv and envp after the two paths.
    uint64_t vec_bytes = hdr.bytes - names_bytes;
    uint64_t build = 256ULL << 10;
    while (build < vec_bytes + (uint64_t(hdr.argc) + hdr.envc) * 8 + 4096)
        build *= 2;
    why = "the arguments and environment do not fit the stack";
    if (build > stack_size / 2)
        return Errno::TOOBIG;
    why = "out of LWK memory while building the stack";
    KernelBuffer tmp;
    TRY(tmp.alloc(build + vec_bytes));
    auto* strings = reinterpret_cast<char*>(tmp.data);
    uint8_t* image = tmp.data + vec_bytes;
    TRY(as->copy_in(strings, strings_at + names_bytes, vec_bytes));

    uint32_t cpuid1_edx = arch::cpuid(1).edx;
    const uint64_t base = prog.interp_bytes ? INTERP_BASE : 0;
    const AuxEntry aux[] = {
        {3, bias + prog.phdr}, // AT_PHDR
        {4, prog.phent},       // AT_PHENT
        {5, prog.phnum},       // AT_PHNUM
        {6, PAGE},             // AT_PAGESZ
        {7, base},             // AT_BASE: the interpreter, 0 for a static program
        {8, 0},                // AT_FLAGS
        {9, bias + prog.entry},// AT_ENTRY: the program's own entry
        {11, p->uid},          // AT_UID
        {12, p->uid},          // AT_EUID
        {13, p->gid},          // AT_GID
        {14, p->gid},          // AT_EGID
        {16, cpuid1_edx},      // AT_HWCAP
        {17, 100},             // AT_CLKTCK
        {23, 0},               // AT_SECURE: mkexec runs the program as its own user
        {26, 0},               // AT_HWCAP2
        {33, vdso},            // AT_SYSINFO_EHDR: the vDSO's ELF header
    };
    StackInput in{strings, vec_bytes, hdr.argc, hdr.envc, p->path, hdr.random, aux,
        sizeof aux / sizeof aux[0]};
    why = "the arguments and environment are malformed or too large";
    sp = TRY(build_stack(image, build, STACK_TOP, in, &p->stack));
    TRY(as->copy_out(STACK_TOP - build, image, build));
    p->auxv_bytes = uint32_t(p->stack.auxv_bytes < sizeof p->auxv ? p->stack.auxv_bytes : sizeof p->auxv);
    __builtin_memcpy(p->auxv, image + (p->stack.auxv - (STACK_TOP - build)), p->auxv_bytes);
    entry = prog.interp_bytes ? INTERP_BASE + interp.entry : bias + prog.entry;
    why = nullptr;
    return {};
}

} // namespace

void exec(const mk_msg_exec& m)
{
    Process* p = find(m.hdr.pid);
    if (!p || p->state != Process::State::created)
        return reply_execed(m.hdr, int(Errno::SRCH), "no such process waiting to start");
    uint64_t entry = 0, sp = 0;
    Why why;
    auto loaded = load(p, m, entry, sp, why);
    if (loaded.is_error()) {
        reply_execed(m.hdr, loaded.error().code, why.why ? why.why : "cannot load the program");
        start_dying(p, 0);
        return;
    }
    // mkexec wrote the staging area: Linux must drop it before it is freed.
    // Until then it stays reserved in the address space, out of the
    // program's way (nothing else is placed there).
    mk_msg_unmap u{};
    u.hdr = {MK_MSG_UNMAP, 0, p->pid, 0, ++p->unmap_seq};
    u.start = p->staging;
    u.len = p->staging_bytes;
    channel::send(&u, sizeof u);

    uint32_t core = percpu::index();
    arch::InterruptFrame frame = arch::user_frame(entry, sp);
    Thread* t = new_thread(p, frame, true);
    if (!t) {
        reply_execed(m.hdr, int(Errno::NOMEM), "out of LWK memory for the thread");
        start_dying(p, 0);
        return;
    }
    p->main = t;
    t->sigmask = p->start_sigmask;
    p->state = Process::State::running;
    arch::fpu_reset(); // the program's first state: x87 and MXCSR defaults
    arch::fpu_save(t->fpu);
    klog("pid %d: %s started on core %u", p->pid, p->path, core);
    reply_execed(m.hdr, 0, nullptr);
    sched::add_thread(t, core);
}

void kill(const mk_msg_kill& m)
{
    Process* p = find(m.hdr.pid);
    if (!p || p->state == Process::State::dying)
        return;
    klog("pid %d: killed by Linux (signal %d)", p->pid, m.signal);
    kill_threads(p, m.signal & 0x7f);
}

void kill_threads(Process* p, int32_t status)
{
    bool none;
    {
        LockGuard<Spinlock> g(p->lock);
        if (!p->exiting) {
            p->exiting = true;
            p->exit_status = status;
        }
        none = p->nr_threads == 0;
        for (Thread* t = p->threads; t; t = t->proc_next) {
            t->killed = true;
            // Waits a kill ends; a lock or Linux's unmap answer comes anyway.
            if (t->wait_type != WAIT_LOCK && t->wait_type != MK_MSG_UNMAP)
                sched::wake_up(t, -int64_t(Errno::INTR));
            sched::kick(t->core); // out of user mode
        }
    }
    if (none && p->state != Process::State::dying)
        start_dying(p, status); // it never started
}

void unmapped(const mk_msg_unmap& m)
{
    Process* p = find(m.hdr.pid);
    if (!p)
        return;
    if (p->state != Process::State::dying) {
        // The staging area after exec: its threads free it (free_staging),
        // as they may be changing the address space now.
        if (m.start == p->staging && p->staging)
            __atomic_store_n(&p->staging_dropped, true, __ATOMIC_RELEASE);
        return;
    }
    if (m.hdr.seq != p->unmap_seq)
        return; // an older range; the whole window's answer is still to come
    {
        LockGuard<Spinlock> g(list_lock);
        if (p->users) { // another process's call still reads it: the last one frees it
            p->free_when_unused = true;
            return;
        }
        list_remove_locked(p);
    }
    free_process(p);
}

namespace {

void free_process(Process* p)
{
    int32_t status = p->exit_status;
    int32_t pid = p->pid;
    uint32_t p_fault = p->fault;
    uint64_t p_fault_addr = p->fault_addr, p_fault_ip = p->fault_ip;
    drop_fork_image(p); // a fork that was going on when it ended
    delete p->as;
    mm::kfree(p);
    klog("pid %d: exited with status %#x; %lu MiB free", pid, status, mm::pmm_free_bytes() >> 20);
    mk_msg_exit e{};
    e.hdr = {MK_MSG_EXIT, 0, pid, 0, 0};
    e.status = status;
    e.fault = p_fault;
    e.fault_addr = p_fault_addr;
    e.fault_ip = p_fault_ip;
    channel::send(&e, sizeof e);
}

} // namespace

void fault_process(int signal, uint32_t kind, uint64_t addr, uint64_t ip)
{
    Process* p = percpu::current()->current->proc;
    p->fault = kind;
    p->fault_addr = addr;
    p->fault_ip = ip;
    klog("pid %d: %s: signal %d at address %016lx, RIP %016lx", p->pid, p->path, signal, addr, ip);
    exit_process(signal);
}

void exit_process(int32_t status)
{
    kill_threads(percpu::current()->current->proc, status);
    sched::exit_thread();
}

void exit_thread(int32_t status)
{
    Thread* t = percpu::current()->current;
    Process* p = t->proc;
    // Robust mutexes it holds: their next owner learns it died.
    sys::futex_exit_robust(p, t);
    // CLONE_CHILD_CLEARTID: pthread_join waits for this word to become 0.
    if (t->clear_child_tid) {
        uint32_t zero = 0;
        if (!p->as->copy_out(t->clear_child_tid, &zero, 4).is_error())
            (void)sys::futex_wake(p, t->clear_child_tid, 1, ~0u);
    }
    {
        LockGuard<Spinlock> g(p->lock);
        p->last_status = status;
    }
    sched::exit_thread();
}

Result<int32_t> clone_thread(const arch::InterruptFrame& parent, uint64_t sp, bool set_tls, uint64_t tls,
    uint64_t clear_tid_addr, uint64_t parent_tid_addr, uint64_t child_tid_addr)
{
    Thread* me = percpu::current()->current;
    Process* p = me->proc;
    if (p->exiting)
        return Errno::AGAIN;
    arch::InterruptFrame frame = parent;
    frame.rax = 0; // the child's clone() returns 0
    if (sp)
        frame.rsp = sp;
    Thread* t = new_thread(p, frame, false);
    if (!t)
        return Errno::AGAIN;
    t->fs_base = set_tls ? tls : me->fs_base;
    t->sigmask = me->sigmask;
    t->clear_child_tid = clear_tid_addr;
    arch::fpu_save(t->fpu); // a copy of the parent's registers, as Linux does
    int32_t tid = t->tid;
    // Before the thread runs, as Linux does (pthread_join waits for the
    // word to go back to 0; a late write would undo the thread's exit).
    if (parent_tid_addr)
        (void)p->as->copy_out(parent_tid_addr, &tid, 4);
    if (child_tid_addr)
        (void)p->as->copy_out(child_tid_addr, &tid, 4);
    uint32_t core = pick_core(p);
    sched::add_thread(t, core);
    return tid;
}

void free_staging(Process* p)
{
    if (!__atomic_exchange_n(&p->staging_dropped, false, __ATOMIC_ACQ_REL))
        return;
    sched::MutexGuard g(p->as->mutex());
    if (p->staging) {
        (void)p->as->unmap(p->staging, p->staging_bytes);
        p->staging = 0;
    }
}

} // namespace lwk::proc
