// Checking and describing an ELF64 program for the LWK (static executables
// and static PIE). Portable: host-tested. The file is untrusted: every
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
    bool pie;            // ET_DYN without an interpreter: loaded at a bias
    uint64_t entry;      // without the load bias
    uint64_t phdr;       // address of the program headers in memory (without the bias), 0 if not loaded
    uint16_t phnum;
    uint16_t phent;
    uint64_t lo, hi;     // extent of the loadable segments (without the bias), page-aligned
    bool exec_stack;     // PT_GNU_STACK asks for an executable stack
    unsigned nr_segments;
    Segment segments[MAX_SEGMENTS];
};

// Fills prog, or returns ENOEXEC and sets *why to a message for the user.
Result<void> parse_program(const uint8_t* file, size_t size, Program& prog, const char** why);

} // namespace lwk::proc
