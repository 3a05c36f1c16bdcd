// Checking and describing an ELF64 program for the LWK: static executables,
// static PIE, dynamically linked programs and their interpreter (an ELF
// shared object such as ld-linux-x86-64.so.2). Portable: host-tested. The file is untrusted: every
// offset and size is checked against its length without overflow.
#pragma once

#include <lib/result.hpp>

#include <cstddef>
#include <cstdint>

namespace lwk::proc {

constexpr unsigned MAX_SEGMENTS = 16;

constexpr uint32_t PROT_R = 1, PROT_W = 2, PROT_X = 4;

struct Segment {
    uint64_t vaddr;  // without the load bias
    uint64_t memsz;
    uint64_t offset; // in the file
    uint64_t filesz;
    uint32_t prot;   // Prot bits
};

struct Program {
    bool pie;            // ET_DYN: loaded at a bias (static PIE, PIE, an interpreter)
    uint64_t entry;      // without the load bias
    uint64_t phdr;       // address of the program headers in memory (without the bias), 0 if not loaded
    uint16_t phnum;
    uint16_t phent;
    uint64_t lo, hi;     // extent of the loadable segments (without the bias), page-aligned
    bool exec_stack;     // PT_GNU_STACK asks for an executable stack
    // PT_INTERP: the interpreter's path lies in the file at interp_offset,
    // interp_bytes long with its NUL (0: a static program).
    uint64_t interp_offset;
    uint64_t interp_bytes;
    unsigned nr_segments;
    Segment segments[MAX_SEGMENTS];
};

// Fills prog, or returns ENOEXEC and sets *why to a message for the user.
// An ET_DYN file is checked as loaded at dyn_bias, an ET_EXEC at its own
// addresses; every segment must then lie in [USER_START, limit).
Result<void> parse_program(const uint8_t* file, size_t size, Program& prog, const char** why,
    uint64_t dyn_bias, uint64_t limit);

// The page ranges of a program's image with their rights, in address
// order, the pages two segments share with the rights of both and pages
// between segments with none: at most 2 * MAX_SEGMENTS ranges. Returns how
// many (without the load bias).
struct ImageRange {
    uint64_t start, end;
    uint32_t prot;
};
unsigned image_ranges(const Program& prog, ImageRange* out);

} // namespace lwk::proc
