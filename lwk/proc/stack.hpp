// The initial stack of a new process, as the x86-64 SysV ABI lays it out:
// from the top, the strings (argv, envp, the program name, AT_PLATFORM) and
// 16 random bytes, then auxv, envp[], argv[], argc at the stack pointer,
// which is 16-byte aligned. Portable: host-tested.
#pragma once

#include <lib/result.hpp>

#include <cstddef>
#include <cstdint>

namespace lwk::proc {

struct AuxEntry {
    uint64_t type;
    uint64_t value;
};

struct StackInput {
    const char* strings;      // argc argument strings then envc environment strings, each NUL-terminated
    size_t strings_size;
    uint32_t argc;
    uint32_t envc;
    const char* execfn;       // the program's path (AT_EXECFN)
    const uint8_t* random16;  // AT_RANDOM bytes
    const AuxEntry* aux;      // without AT_RANDOM, AT_EXECFN, AT_PLATFORM, AT_NULL
    size_t nr_aux;
};

// Where build_stack put things (process addresses), as /proc/<pid>/stat,
// cmdline, environ and auxv report them.
struct StackLayout {
    uint64_t arg_start, arg_end; // the argument strings
    uint64_t env_start, env_end; // the environment strings
    uint64_t auxv, auxv_bytes;   // the auxiliary vector, AT_NULL included
};

// Builds the stack into mem, which is mapped at top - size .. top in the
// process. Returns the initial stack pointer (a process address), E2BIG if
// it does not fit, EINVAL if the strings do not hold argc + envc strings.
// Fills *layout if given.
Result<uint64_t> build_stack(uint8_t* mem, size_t size, uint64_t top, const StackInput& in,
    StackLayout* layout = nullptr);

} // namespace lwk::proc
