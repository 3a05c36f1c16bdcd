#include <core/percpu.hpp>

#include <arch/cpu.hpp>

namespace lwk::percpu {
namespace {
bool installed_on_this_core() { return arch::rdmsr(arch::MSR_GS_BASE) != 0; }
} // namespace

void install(Cpu* cpu)
{
    cpu->self = cpu;
    arch::wrmsr(arch::MSR_GS_BASE, reinterpret_cast<uint64_t>(cpu));
}

uint32_t index() { return installed_on_this_core() ? current()->index : 0; }

} // namespace lwk::percpu
