// The few C++ runtime hooks a freestanding C++20 kernel needs.
#include <cstddef>

extern "C" void __cxa_pure_virtual()
{
    for (;;)
        asm volatile("cli; hlt");
}

// Statics with destructors are never destroyed: the LWK never exits main.
extern "C" int __cxa_atexit(void (*)(void*), void*, void*)
{
    return 0;
}
void* __dso_handle = nullptr;
