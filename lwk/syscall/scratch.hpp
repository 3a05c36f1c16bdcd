// A temporary mapping in the program's window, for Linux to read from or
// write into on the LWK's behalf (a path, a memfd's text, a struct Linux
// fills; the program can reach it too: nothing the LWK trusts goes there),
// or a pin sink, which only mk.ko can write.
#pragma once

#include <syscall/syscall.hpp>

#include <proc/elf.hpp>
#include <proc/process.hpp>

namespace lwk::sys {

// A temporary mapping of the program's for Linux to read or write, unmapped
// (and dropped from Linux's view) when done. The caller holds the address
// space's mutex throughout.
class Scratch {
    static constexpr uint64_t PAGE = 4096;

public:
    // for_pins: a pin sink (<mk/proc.h>) instead: kernel-only pages only
    // mk.ko writes, out of the program's reach, read with get() alone.
    enum Kind { shared, for_pins };
    Scratch(Context& c, uint64_t bytes, Kind kind = shared)
        : c_(c), len_((bytes + PAGE - 1) & ~(PAGE - 1)), kind_(kind)
    {
        auto at = kind == for_pins
            ? c.proc->as->map_sink(len_)
            : c.proc->as->map(0, len_, proc::PROT_R | proc::PROT_W, proc::RegionKind::anon, false);
        addr_ = at.is_error() ? 0 : at.value();
    }
    ~Scratch()
    {
        if (addr_)
            (void)unmap_range(c_, addr_, len_);
    }
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;
    uint64_t addr() const { return addr_; }
    Result<void> put(uint64_t offset, const void* p, uint64_t n)
    {
        return c_.proc->as->copy_out(addr_ + offset, p, n);
    }
    Result<void> get(uint64_t offset, void* p, uint64_t n) const
    {
        return kind_ == for_pins ? c_.proc->as->read_sink(p, addr_ + offset, n)
                                 : c_.proc->as->copy_in(p, addr_ + offset, n);
    }

private:
    Context& c_;
    uint64_t len_;
    Kind kind_;
    uint64_t addr_ = 0;
};

} // namespace lwk::sys
