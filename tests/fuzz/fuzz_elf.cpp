// libFuzzer: the LWK's checks of a program file (ELF headers, segments,
// PT_INTERP) before it loads anything, at both kinds of bias.
#include <proc/elf.hpp>
#include <proc/layout.hpp>

#include <cstddef>
#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    std::vector<uint8_t> file(data, data + size);
    for (uint64_t bias : {lwk::proc::PIE_BASE, lwk::proc::INTERP_BASE}) {
        lwk::proc::Program prog{};
        const char* why = nullptr;
        if (lwk::proc::parse_program(
                file.data(), file.size(), prog, &why, bias, lwk::proc::MMAP_BASE)
                .is_error())
            continue;
        lwk::proc::ImageRange ranges[2 * lwk::proc::MAX_SEGMENTS];
        (void)lwk::proc::image_ranges(prog, ranges);
        if (prog.interp_bytes &&
            (prog.interp_offset > file.size() ||
                prog.interp_bytes > file.size() - prog.interp_offset))
            __builtin_trap(); // accepted an interpreter path outside the file
    }
    return 0;
}
