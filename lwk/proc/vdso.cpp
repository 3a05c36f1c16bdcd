#include <proc/address_space.hpp>
#include <proc/elf.hpp>
#include <proc/layout.hpp>
#include <proc/process.hpp>
#include <proc/vdso.hpp>

#include <arch/user.hpp>
#include <core/boot.hpp>
#include <vdso/data.hpp>

extern "C" const uint8_t vdso_image_start[], vdso_image_end[];

namespace lwk::proc {

uint64_t tsc_mult() { return (1000000ULL << TSC_SHIFT) / boot::params->tsc_khz; }

Result<uint64_t> map_vdso(Process* p)
{
    constexpr uint64_t PAGE = 4096;
    const uint64_t image = uint64_t(vdso_image_end - vdso_image_start);
    const uint64_t text = (image + PAGE - 1) & ~(PAGE - 1);
    static_assert(vdso::DATA_BYTES % PAGE == 0, "the data is whole pages");
    AddressSpace* as = p->as;
    // Filled while writable, then read-only (and executable for the code):
    // the process's own copy, so that nothing it does reaches another's.
    TRY(as->map(VDSO_BASE, vdso::DATA_BYTES + text, PROT_R | PROT_W, RegionKind::vdso, true));
    vdso::Data d{p->clock_tsc, p->clock_mono_ns, p->clock_real_ns, tsc_mult(), TSC_SHIFT,
        arch::tsc_aux_holds_cpu() ? vdso::CPU_IN_TSC_AUX : 0};
    TRY(as->copy_out(VDSO_BASE, &d, sizeof d));
    TRY(as->copy_out(VDSO_BASE + vdso::DATA_BYTES, vdso_image_start, image));
    TRY(as->protect(VDSO_BASE, vdso::DATA_BYTES, PROT_R));
    TRY(as->protect(VDSO_BASE + vdso::DATA_BYTES, text, PROT_R | PROT_X));
    return VDSO_BASE + vdso::DATA_BYTES;
}

} // namespace lwk::proc
