// Signal generation and delivery (see signal.hpp). Pending sets, actions
// and masks are under Process::lock; a thread is woken or interrupted
// through the scheduler (sched::signal_wake).
#include <proc/signal.hpp>

#include <core/channel.hpp>
#include <core/log.hpp>
#include <core/percpu.hpp>
#include <sched/sched.hpp>

#include <arch/gdt.hpp>
#include <arch/sigframe.hpp>
#include <arch/user.hpp>

namespace lwk::proc {
namespace {

enum class Default { terminate, core, ignore };

Default default_action(int sig)
{
    switch (sig) {
    case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS: case SIGFPE:
    case SIGSEGV: case SIGXCPU: case SIGXFSZ: case SIGSYS:
        return Default::core;
    // Job control is Linux's business: on the LWK, stops are ignored.
    case SIGCHLD: case SIGCONT: case SIGURG: case SIGWINCH: case SIGSTOP: case SIGTSTP:
    case SIGTTIN: case SIGTTOU:
        return Default::ignore;
    default:
        return Default::terminate;
    }
}

// Signals taken before others: those of faults.
constexpr uint64_t SYNCHRONOUS =
    sigbit(SIGSEGV) | sigbit(SIGBUS) | sigbit(SIGILL) | sigbit(SIGTRAP) | sigbit(SIGFPE) | sigbit(SIGSYS);

Thread* current() { return percpu::current()->current; }

// Under p->lock.
Thread* find_thread(Process* p, int32_t tid)
{
    for (Thread* t = p->threads; t; t = t->proc_next)
        if (t->tid == tid && t->state != Thread::State::dead)
            return t;
    return nullptr;
}

// Under p->lock.
bool ignored(const Process* p, int sig)
{
    const SigAction& a = p->actions[sig - 1];
    return a.handler == SIG_IGN || (a.handler == SIG_DFL && default_action(sig) == Default::ignore);
}

bool wants(const Thread* t, uint64_t bit)
{
    return t->state != Thread::State::dead && (!(t->sigmask & bit) || (t->sigwait_set & bit));
}

// Under p->lock: t should look at its signals now. A forwarded call it
// waits for is interrupted in Linux, once.
void notify(Process* p, Thread* t)
{
    uint32_t seq;
    if (!sched::signal_wake(t, &seq) || t->interrupt_seq == seq)
        return;
    t->interrupt_seq = seq;
    mk_msg_hdr m{MK_MSG_INTERRUPT, 0, p->pid, t->tid, seq};
    channel::send(&m, sizeof m);
}

// Under p->lock: a real-time signal already pending for tid (0: the
// process) is queued again behind it, as Linux queues them.
void queue_rt(Process* p, int32_t tid, const SigInfo& info)
{
    if (p->rt_queued < Process::RT_QUEUE)
        p->rt_queue[p->rt_queued++] = {tid, info};
}

// Under p->lock: the next queued instance of sig for tid moves into the
// pending record; whether there was one.
bool next_rt(Process* p, int32_t tid, int sig, SigInfo* record)
{
    for (uint32_t i = 0; i < p->rt_queued; ++i) {
        if (p->rt_queue[i].tid != tid || p->rt_queue[i].info.signo != sig)
            continue;
        *record = p->rt_queue[i].info;
        for (uint32_t j = i + 1; j < p->rt_queued; ++j)
            p->rt_queue[j - 1] = p->rt_queue[j];
        --p->rt_queued;
        return true;
    }
    return false;
}

// A call a signal cut short (f.rax one of the RESTART errors) is restarted,
// or fails with EINTR where act, the handler about to run, says so.
void restart(arch::InterruptFrame& f, long nr, const SigAction* act)
{
    long r = long(f.rax);
    if (nr < 0 || (r != -long(Errno::RESTARTSYS) && r != -long(Errno::RESTARTNOINTR) &&
                      r != -long(Errno::RESTARTNOHAND)))
        return;
    if (act && (r == -long(Errno::RESTARTNOHAND) || (r == -long(Errno::RESTARTSYS) && !(act->flags & SA_RESTART)))) {
        f.rax = uint64_t(-long(Errno::INTR));
        return;
    }
    f.rax = uint64_t(nr);
    f.rip -= 2; // the SYSCALL instruction again
}

constexpr uint64_t USER_END = 0x0000800000000000ULL;
constexpr uint64_t RFLAGS_CF = 1, RFLAGS_PF = 1 << 2, RFLAGS_AF = 1 << 4, RFLAGS_ZF = 1 << 6,
                   RFLAGS_SF = 1 << 7, RFLAGS_TF = 1 << 8, RFLAGS_DF = 1 << 10, RFLAGS_OF = 1 << 11,
                   RFLAGS_RF = 1 << 16;
// What a signal frame may change in RFLAGS.
constexpr uint64_t USER_FLAGS =
    RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_DF | RFLAGS_OF | RFLAGS_RF;

bool on_altstack(const Thread* t, uint64_t sp)
{
    return t->altstack_size && sp > t->altstack_sp && sp - t->altstack_sp <= t->altstack_size;
}

void disarm_altstack(Thread* t) { t->altstack_sp = t->altstack_size = t->altstack_flags = 0; }

void save_registers(arch::SigContext& sc, const arch::InterruptFrame& f)
{
    sc.r8 = f.r8, sc.r9 = f.r9, sc.r10 = f.r10, sc.r11 = f.r11;
    sc.r12 = f.r12, sc.r13 = f.r13, sc.r14 = f.r14, sc.r15 = f.r15;
    sc.rdi = f.rdi, sc.rsi = f.rsi, sc.rbp = f.rbp, sc.rbx = f.rbx;
    sc.rdx = f.rdx, sc.rax = f.rax, sc.rcx = f.rcx, sc.rsp = f.rsp;
    sc.rip = f.rip, sc.eflags = f.rflags;
    sc.cs = uint16_t(f.cs), sc.ss = uint16_t(f.ss);
}

void load_registers(arch::InterruptFrame& f, const arch::SigContext& sc)
{
    f.r8 = sc.r8, f.r9 = sc.r9, f.r10 = sc.r10, f.r11 = sc.r11;
    f.r12 = sc.r12, f.r13 = sc.r13, f.r14 = sc.r14, f.r15 = sc.r15;
    f.rdi = sc.rdi, f.rsi = sc.rsi, f.rbp = sc.rbp, f.rbx = sc.rbx;
    f.rdx = sc.rdx, f.rcx = sc.rcx, f.rsp = sc.rsp, f.rip = sc.rip;
    f.rflags = (f.rflags & ~USER_FLAGS) | (sc.eflags & USER_FLAGS);
    f.cs = arch::SEL_USER_CODE;
    f.ss = arch::SEL_USER_DATA;
}

// Builds the frame for act's handler on the user stack and points f at
// the handler. False if the frame cannot be written.
bool setup_frame(arch::InterruptFrame& f, Thread* t, int sig, const SigInfo& info, const SigAction& act)
{
    Process* p = t->proc;
    uint64_t sp = f.rsp;
    bool on_alt = on_altstack(t, sp);
    if ((act.flags & SA_ONSTACK) && t->altstack_size && !on_alt)
        sp = t->altstack_sp + t->altstack_size;
    else
        sp -= 128; // the red zone
    const uint64_t fpu_bytes = arch::fpu_state_bytes();
    const bool xsave = arch::xsave_features() != 0;
    sp = (sp - fpu_bytes - 4) & ~uint64_t(63);
    const uint64_t fpstate = sp;
    sp = ((sp - sizeof(arch::RtSigFrame)) & ~uint64_t(15)) - 8; // as after a call
    if (sp >= USER_END)
        return false;

    uint64_t old_mask;
    {
        LockGuard<Spinlock> g(p->lock);
        old_mask = t->restore_sigmask ? t->saved_sigmask : t->sigmask;
    }
    arch::RtSigFrame fr{};
    fr.pretcode = act.restorer;
    fr.uc.flags = arch::UC_SIGCONTEXT_SS | arch::UC_STRICT_RESTORE_SS | (xsave ? arch::UC_FP_XSTATE : 0);
    AltStack alt = get_altstack(t, f.rsp);
    fr.uc.ss_sp = alt.sp;
    fr.uc.ss_flags = alt.flags;
    fr.uc.ss_size = alt.size;
    arch::SigContext& sc = fr.uc.mcontext;
    save_registers(sc, f);
    if (info.fault) {
        sc.err = info.error;
        sc.trapno = info.vector;
        sc.cr2 = info.value;
    }
    sc.oldmask = old_mask;
    sc.fpstate = fpstate;
    fr.uc.sigmask = old_mask;
    fill_info(fr.info, sig, info);

    // The thread's FPU state (it holds the registers) goes to the frame.
    arch::fpu_save(t->fpu);
    if (xsave) {
        arch::FpxSwBytes sw{};
        sw.magic1 = arch::FP_XSTATE_MAGIC1;
        sw.extended_size = uint32_t(fpu_bytes + 4);
        sw.xfeatures = arch::xsave_features();
        sw.xstate_size = uint32_t(fpu_bytes);
        __builtin_memcpy(static_cast<uint8_t*>(t->fpu) + arch::FPX_SW_OFFSET, &sw, sizeof sw);
    }
    const uint32_t magic2 = arch::FP_XSTATE_MAGIC2;
    if (p->as->copy_out(fpstate, t->fpu, fpu_bytes).is_error() ||
        p->as->copy_out(fpstate + fpu_bytes, &magic2, 4).is_error() ||
        p->as->copy_out(sp, &fr, sizeof fr).is_error())
        return false;

    arch::fpu_reset(); // the handler starts from the initial FPU state
    // SS_AUTODISARM: the handler runs with no alternate stack (so that it
    // may switch away from it, swapcontext-style); rt_sigreturn restores
    // the one saved in the frame.
    if (t->altstack_flags & uint32_t(SS_AUTODISARM))
        disarm_altstack(t);
    {
        LockGuard<Spinlock> g(p->lock);
        t->sigmask = (old_mask | act.mask | ((act.flags & SA_NODEFER) ? 0 : sigbit(sig))) & ~UNBLOCKABLE;
        t->restore_sigmask = false;
    }
    f.rsp = sp;
    f.rip = act.handler;
    f.rdi = uint64_t(sig);
    f.rsi = sp + offsetof(arch::RtSigFrame, info);
    f.rdx = sp + offsetof(arch::RtSigFrame, uc);
    f.rax = 0;
    f.rflags &= ~(RFLAGS_DF | RFLAGS_TF | RFLAGS_RF);
    return true;
}

// The default action of a signal that ends the process.
[[noreturn]] void die(const arch::InterruptFrame& f, int sig, const SigInfo& info)
{
    if (default_action(sig) == Default::core) {
        if (info.fault)
            fault_process(sig, MK_EXIT_FAULT_ADDR, info.value, info.ip);
        fault_process(sig, MK_EXIT_FAULT_IP, 0, f.rip);
    }
    Thread* t = current();
    klog("pid %d: %s: ended by signal %d", t->proc->pid, t->proc->path, sig);
    exit_process(sig);
}

} // namespace

int take_signal(Thread* t, uint64_t wanted, SigInfo* out)
{
    Process* p = t->proc;
    uint64_t* set = &t->sig_pending;
    SigInfo* infos = t->sig_info;
    int32_t tid = t->tid;
    uint64_t ready = *set & wanted;
    if (!ready) {
        set = &p->shared_pending;
        infos = p->shared_info;
        tid = 0;
        ready = *set & wanted;
    }
    if (!ready)
        return 0;
    if (ready & SYNCHRONOUS)
        ready &= SYNCHRONOUS;
    int sig = __builtin_ctzll(ready) + 1;
    *out = infos[sig - 1];
    if (sig < SIGRTMIN || !next_rt(p, tid, sig, &infos[sig - 1]))
        *set &= ~sigbit(sig);
    return sig;
}

void fill_info(arch::SigInfoUser& u, int sig, const SigInfo& info)
{
    u.signo = sig;
    u.code = info.code;
    if (info.fault) {
        u.fault.addr = info.value;
    } else {
        u.kill.pid = info.pid;
        u.kill.uid = info.uid;
        u.kill.value = info.value;
    }
}

bool has_thread(Process* p, int32_t tid)
{
    LockGuard<Spinlock> g(p->lock);
    return find_thread(p, tid) != nullptr;
}

bool send_signal(Process* p, int32_t tid, const SigInfo& info)
{
    int sig = info.signo;
    if (sig < 1 || sig > NSIG)
        return true;
    uint64_t bit = sigbit(sig);
    bool end = false;
    {
        LockGuard<Spinlock> g(p->lock);
        Thread* target = tid ? find_thread(p, tid) : nullptr;
        if (tid && !target)
            return false;
        if (p->exiting)
            return true;
        end = sig == SIGKILL;
        // An ignored signal is dropped, unless blocked (it may be waited for).
        if (end || (ignored(p, sig) && !(target && (target->sigmask & bit))))
            goto out;
        Thread* t = target;
        if (target) {
            if (!(target->sig_pending & bit)) {
                target->sig_pending |= bit;
                target->sig_info[sig - 1] = info;
            } else if (sig >= SIGRTMIN) {
                queue_rt(p, tid, info);
            }
        } else {
            if (!(p->shared_pending & bit)) {
                p->shared_pending |= bit;
                p->shared_info[sig - 1] = info;
            } else if (sig >= SIGRTMIN) {
                queue_rt(p, 0, info);
            }
            t = p->main && wants(p->main, bit) ? p->main : nullptr;
            for (Thread* x = p->threads; !t && x; x = x->proc_next)
                if (wants(x, bit))
                    t = x;
        }
        if (t && wants(t, bit)) {
            // A default action that ends the process ends it now, wherever
            // its threads are (in a forwarded call, say) -- except for the
            // calling thread itself, which reports where it was.
            if (p->actions[sig - 1].handler == SIG_DFL && !(t->sigwait_set & bit) && t != current())
                end = true;
            else
                notify(p, t);
        }
    }
out:
    if (end) {
        klog("pid %d: %s: ended by signal %d", p->pid, p->path, sig);
        kill_threads(p, sig);
    }
    return true;
}

void signal_from_linux(const mk_msg_signal& m)
{
    Process* p = find(m.hdr.pid);
    if (!p || p->state != Process::State::running)
        return;
    SigInfo info{};
    info.signo = m.signal;
    info.code = m.code;
    info.pid = m.sender_pid;
    info.uid = m.sender_uid;
    send_signal(p, 0, info);
}

void force_signal(const SigInfo& info)
{
    Thread* t = current();
    Process* p = t->proc;
    int sig = info.signo;
    uint64_t bit = sigbit(sig);
    LockGuard<Spinlock> g(p->lock);
    // Blocked or ignored, a fault's signal ends the process (as in Linux).
    SigAction& a = p->actions[sig - 1];
    if (a.handler == SIG_IGN || (t->sigmask & bit)) {
        a.handler = SIG_DFL;
        t->sigmask &= ~bit;
    }
    t->sig_pending |= bit;
    t->sig_info[sig - 1] = info;
}

bool signal_pending(Thread* t)
{
    Process* p = t->proc;
    LockGuard<Spinlock> g(p->lock);
    uint64_t pending = t->sig_pending | p->shared_pending;
    return t->killed || (pending & (~t->sigmask | t->sigwait_set));
}

void before_user(arch::InterruptFrame& f, long syscall_nr)
{
    sched::return_to_user();
    Thread* t = current();
    Process* p = t->proc;
    for (;;) {
        SigInfo info;
        SigAction act;
        {
            LockGuard<Spinlock> g(p->lock);
            int sig = take_signal(t, ~t->sigmask, &info);
            if (!sig)
                break;
            info.signo = sig;
            act = p->actions[sig - 1];
            if (act.handler == SIG_IGN || (act.handler == SIG_DFL && default_action(sig) == Default::ignore))
                continue;
            if (act.handler != SIG_DFL && (act.flags & SA_RESETHAND))
                p->actions[sig - 1].handler = SIG_DFL;
        }
        if (act.handler == SIG_DFL)
            die(f, info.signo, info);
        restart(f, syscall_nr, &act);
        syscall_nr = -1;
        if (!setup_frame(f, t, info.signo, info, act)) {
            // No room for the frame (a bad stack): SIGSEGV ends it, as in Linux.
            klog("pid %d: no signal frame could be written at %016lx", p->pid, f.rsp);
            fault_process(SIGSEGV, MK_EXIT_FAULT_ADDR, f.rsp, f.rip);
        }
    }
    // No handler ran: a call cut short starts again, with the mask it had.
    restart(f, syscall_nr, nullptr);
    if (t->restore_sigmask) {
        LockGuard<Spinlock> g(p->lock);
        t->sigmask = t->saved_sigmask;
        t->restore_sigmask = false;
    }
}

Result<long> sigreturn(arch::InterruptFrame& f)
{
    Thread* t = current();
    Process* p = t->proc;
    arch::RtSigFrame fr;
    const uint64_t fpu_bytes = arch::fpu_state_bytes();
    bool ok = !p->as->copy_in(&fr, f.rsp - 8, sizeof fr).is_error();
    const arch::SigContext& sc = fr.uc.mcontext;
    ok = ok && sc.rip < USER_END && sc.rsp < USER_END;
    // The FPU image goes to the thread's save area (the registers stay the
    // handler's until it is found valid and loaded).
    if (ok && sc.fpstate) {
        ok = !p->as->copy_in(t->fpu, sc.fpstate, fpu_bytes).is_error() && arch::fpu_image_valid(t->fpu);
    }
    if (!ok) {
        klog("pid %d: rt_sigreturn with a bad frame at %016lx", p->pid, f.rsp - 8);
        SigInfo info{};
        info.signo = SIGSEGV;
        info.code = SI_KERNEL;
        force_signal(info);
        return long(f.rax);
    }
    if (sc.fpstate) {
        arch::fpu_restore(t->fpu);
    } else {
        arch::fpu_reset();
    }
    load_registers(f, sc);
    {
        LockGuard<Spinlock> g(p->lock);
        t->sigmask = fr.uc.sigmask & ~UNBLOCKABLE;
    }
    (void)set_altstack(t, f.rsp, AltStack{fr.uc.ss_sp, fr.uc.ss_flags, fr.uc.ss_size});
    return long(sc.rax);
}

AltStack get_altstack(const Thread* t, uint64_t user_sp)
{
    int32_t mode = t->altstack_size ? (on_altstack(t, user_sp) ? SS_ONSTACK : 0) : SS_DISABLE;
    return AltStack{t->altstack_sp, mode | int32_t(t->altstack_flags), t->altstack_size};
}

Result<void> set_altstack(Thread* t, uint64_t user_sp, const AltStack& s)
{
    constexpr uint64_t MINSIGSTKSZ = 2048;
    if (on_altstack(t, user_sp))
        return Errno::PERM; // not while running on it
    int32_t mode = s.flags & ~SS_AUTODISARM;
    if (mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK)
        return Errno::INVAL;
    if (mode == SS_DISABLE) {
        disarm_altstack(t);
        return {};
    }
    if (s.size < MINSIGSTKSZ)
        return Errno::NOMEM;
    t->altstack_sp = s.sp;
    t->altstack_size = s.size;
    t->altstack_flags = uint32_t(s.flags & SS_AUTODISARM);
    return {};
}

} // namespace lwk::proc
