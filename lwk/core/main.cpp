// The LWK's C++ entry point, reached from arch/x86_64/entry.S on each core.
#include <cstdint>

extern "C" void (*__init_array_start[])();
extern "C" void (*__init_array_end[])();

namespace {

void run_constructors()
{
    for (auto* ctor = __init_array_start; ctor != __init_array_end; ++ctor)
        (*ctor)();
}

} // namespace

extern "C" [[noreturn]] void lwk_main(void* boot_params)
{
    (void)boot_params;
    run_constructors();
    for (;;)
        asm volatile("hlt");
}
