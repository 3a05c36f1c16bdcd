// libFuzzer: what users and programs type: CPU lists, sizes and memory
// specs (mkctl, mkexec), and the paths a program opens that the LWK
// answers from its own /proc (classify_proc_path).
#include <mk/cpulist.hpp>
#include <mk/error.hpp>
#include <mk/memspec.hpp>
#include <mk/size.hpp>
#include <proc/procpath.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

namespace {
bool is_thread(void*, int32_t tid)
{
    return tid == 4242 || tid == 777;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    std::string text(reinterpret_cast<const char*>(data), size);
    try {
        auto cpus = mk::parse_cpulist(text);
        if (!cpus.empty() && mk::parse_cpulist(mk::format_cpulist(cpus)) != cpus)
            __builtin_trap(); // formatting does not round trip
    } catch (const mk::Error&) {
    }
    try {
        (void)mk::format_size(mk::parse_size(text));
    } catch (const mk::Error&) {
    }
    try {
        (void)mk::parse_mem_spec(text);
    } catch (const mk::Error&) {
    }
    (void)lwk::proc::classify_proc_path(text.c_str(), 4242, 777, is_thread, nullptr);
    return 0;
}
