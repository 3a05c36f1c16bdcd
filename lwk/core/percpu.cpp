#include <core/percpu.hpp>

#include <arch/cpu.hpp>

namespace lwk::percpu {
namespace {
bool installed_on_this_core() { return arch::rdmsr(arch::MSR_GS_BASE) != 0; }
Cpu* all[MAX_CORES];
} // namespace

void install(Cpu* cpu)
{
    cpu->self = cpu;
    if (cpu->index < MAX_CORES)
        __atomic_store_n(&all[cpu->index], cpu, __ATOMIC_RELEASE);
    arch::wrmsr(arch::MSR_GS_BASE, reinterpret_cast<uint64_t>(cpu));
}

uint32_t index() { return installed_on_this_core() ? current()->index : 0; }

} // namespace lwk::percpu

namespace lwk::percpu {
Cpu* of(uint32_t index) { return index < MAX_CORES ? __atomic_load_n(&all[index], __ATOMIC_ACQUIRE) : nullptr; }
} // namespace lwk::percpu
