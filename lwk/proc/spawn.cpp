// A new process from Linux's spawn (MK_MSG_SPAWN) and its program's load
// and start (MK_MSG_EXEC): the ELF image and its interpreter mapped, the
// stack built, the first thread started.
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

constexpr uint64_t MAX_STAGING = 256ULL << 20;
constexpr uint64_t PAGE = 4096;

uint64_t round_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

} // namespace

void init_process(Process* p, const mk_msg_spawn& m, AddressSpace* as)
{
    static uint64_t serials;
    p->serial = __atomic_add_fetch(&serials, 1, __ATOMIC_RELAXED);
    p->pid = m.hdr.pid;
    p->ppid = m.ppid;
    p->uid = m.uid;
    p->gid = m.gid;
    p->cores = m.cores;
    p->as = as;
    p->as->set_owner(m.hdr.pid);
    p->stack_limit = m.stack_limit;
    p->clock_tsc = m.clock_tsc;
    p->clock_mono_ns = m.clock_mono_ns;
    p->clock_real_ns = m.clock_real_ns;
    p->start_ticks = m.start_ticks;
    p->fork_lwk = m.flags & MK_SPAWN_MSG_FORK_LWK;
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
    init_process(p, m, as.value());
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
    // The program's first state: x87 and MXCSR defaults. The registers may
    // hold the state of a thread this core runs (it is switched lazily):
    // that is saved first, or the thread would go on with the reset one.
    percpu::Cpu* cpu = percpu::current();
    if (cpu->fpu_owner) {
        arch::fpu_save(cpu->fpu_owner->fpu);
        cpu->fpu_owner = nullptr;
    }
    arch::fpu_reset();
    arch::fpu_save(t->fpu);
    klog("pid %d: %s started on core %u", p->pid, p->path, core);
    reply_execed(m.hdr, 0, nullptr);
    sched::add_thread(t, core);
}

} // namespace lwk::proc
