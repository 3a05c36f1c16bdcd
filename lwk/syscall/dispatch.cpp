// The table is data: syscalls.def, one line per call, becomes an array of
// handlers (LOCAL) or nulls (FORWARD); numbers beyond it are refused.
#include <syscall/syscall.hpp>

#include <core/percpu.hpp>
#include <proc/cputime.hpp>
#include <proc/process.hpp>
#include <proc/signal.hpp>
#include <sched/sched.hpp>

namespace lwk::sys {
namespace {

using Handler = Result<long> (*)(Context&);

struct Entry {
    const char* name;
    Handler local;
};

constexpr unsigned TABLE_SIZE = 512;

struct Table {
    Entry e[TABLE_SIZE];
};

constexpr Table make_table()
{
    Table t{};
#define SYSCALL(nr, name, policy, kinds) t.e[nr] = {#name, SYSCALL_HANDLER_##policy(name)};
#define SYSCALL_HANDLER_LOCAL(name) &sys_##name
#define SYSCALL_HANDLER_FORWARD(name) nullptr
#include <mk/syscalls.def>
#undef SYSCALL
#undef SYSCALL_HANDLER_LOCAL
#undef SYSCALL_HANDLER_FORWARD
    return t;
}

constexpr Table table = make_table();

} // namespace

bool changes_memory(uint64_t nr)
{
    switch (nr) {
    case 9:  // mmap
    case 10: // mprotect (PROT_NONE gives memory back)
    case 11: // munmap
    case 12: // brk
    case 25: // mremap
        return true;
    default:
        return false;
    }
}

const char* name(uint64_t nr)
{
    return nr < TABLE_SIZE && table.e[nr].name ? table.e[nr].name : "unknown";
}

} // namespace lwk::sys

extern "C" void syscall_dispatch(lwk::arch::InterruptFrame* f)
{
    using namespace lwk;
    proc::Thread* t = percpu::current()->current;
    proc::free_staging(t->proc);
    sys::Context c{f->rax, {f->rdi, f->rsi, f->rdx, f->r10, f->r8, f->r9}, f, t, t->proc};
    sys::Handler h = c.nr < sys::TABLE_SIZE ? sys::table.e[c.nr].local : nullptr;
    // Numbers past the table are no Linux call the LWK offers (mk's own
    // requests to mkexec among them): never forwarded for the program.
    const uint64_t ran = proc::cputime_run_ticks(t);
    Result<long> r = h                          ? h(c)
        : c.nr < sys::TABLE_SIZE                ? sys::forward(c)
        : c.nr == MK_SYS_CORE_IRQS              ? sys::sys_core_irqs(c)
                                                : Result<long>(Errno::NOSYS);
    f->rax = r.is_error() ? static_cast<uint64_t>(-static_cast<long>(r.error().code)) : r.value();
    proc::cputime_add_sys(t, proc::cputime_run_ticks(t) - ran);
    if (sys::changes_memory(c.nr))
        sched::publish(t); // what mkctl status shows
    // Signals, and a kill of the process meanwhile; rt_sigreturn's frame
    // is the one it restored, not a call to restart.
    constexpr uint64_t RT_SIGRETURN = 15;
    proc::before_user(*f, c.nr == RT_SIGRETURN ? -1 : long(c.nr));
}
