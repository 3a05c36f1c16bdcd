#include <core/boot.hpp>
#include <core/log.hpp>
#include <core/percpu.hpp>

#include <arch/cpu.hpp>
#include <lib/atomic.hpp>
#include <lib/format.hpp>

namespace lwk::log {
namespace {

mk_log* ring = nullptr;
char* data = nullptr;
uint64_t size = 0;
Atomic<uint32_t> lock_word{0}; // the holder's core index + 1, or 0

enum class Take { wait, force, unless_mine };

// Whether the lock was taken; false: write anyway (force), or drop the line
// (unless_mine: this core holds it, in the code an NMI interrupted).
bool lock(Take how, uint32_t me)
{
    for (uint64_t spins = 0;; ++spins) {
        uint32_t expected = 0;
        if (lock_word.compare_exchange(expected, me + 1, Order::acquire))
            return true;
        if (how == Take::unless_mine && expected == me + 1)
            return false;
        if (how == Take::force && spins > (1ULL << 24))
            return false; // the holder is gone (it panicked): write anyway
        arch::pause();
    }
}

void unlock() { lock_word.store(0, Order::release); }

void append(const char* s, size_t n)
{
    uint64_t head = ring->head; // only the LWK writes head, under the lock
    for (size_t i = 0; i < n; ++i)
        data[(head + i) % size] = s[i];
    // The bytes before the new head: Linux reads head with acquire.
    boot::shared_store(ring->head, head + n);
}

bool emit(Take how, const char* fmt, va_list ap)
{
    if (!ring)
        return false;
    char line[512];
    uint64_t us = boot::uptime_us();
    uint32_t me = percpu::index();
    size_t n = format(line, sizeof line, "[%5lu.%06lu] c%u: ", us / 1000000, us % 1000000, me);
    n += vformat(line + n, sizeof line - n, fmt, ap);
    if (n > sizeof line - 2)
        n = sizeof line - 2;
    line[n++] = '\n';
    uint64_t flags = arch::save_flags_cli();
    bool locked = lock(how, me);
    if (locked || how == Take::force)
        append(line, n);
    if (locked)
        unlock();
    arch::restore_flags(flags);
    return locked || how == Take::force;
}

} // namespace

void init()
{
    mk_boot_params* bp = boot::params;
    ring = static_cast<mk_log*>(boot::phys_to_virt(bp->log_phys));
    if (ring->magic != MK_LOG_MAGIC) {
        ring = nullptr;
        return;
    }
    data = reinterpret_cast<char*>(ring + 1);
    size = ring->size;
}

void vprintf(const char* fmt, va_list ap) { emit(Take::wait, fmt, ap); }

void printf(const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit(Take::wait, fmt, ap);
    va_end(ap);
}

void printf_force(const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit(Take::force, fmt, ap);
    va_end(ap);
}

bool printf_nmi(const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bool written = emit(Take::unless_mine, fmt, ap);
    va_end(ap);
    return written;
}

} // namespace lwk::log
