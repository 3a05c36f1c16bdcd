// The program mkexec runs: found like execvp(3) would, read whole, and the
// strings the LWK puts on its stack.
#pragma once

#include <mk/proc.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace mkexec {

struct Program {
    std::string path;          // as found (AT_EXECFN)
    std::string absolute;      // for /proc/self/exe
    std::vector<uint8_t> file; // its bytes
};

// Finds `name` (in $PATH when it has no '/') and reads it. Throws
// ProgramError with the exit status a shell would use (127, 126).
Program load_program(const std::string& name);

struct ProgramError : std::runtime_error {
    ProgramError(const std::string& what, int status) : std::runtime_error(what), status(status) {}
    int status;
};

// The staging area's layout: the file, then (8-byte aligned) the strings
// header and the strings (path, argv, envp).
struct Staging {
    std::vector<uint8_t> header_and_strings;
    uint64_t strings_offset; // from the start of the staging area
    uint64_t bytes;          // in all
};

Staging build_staging(const Program& prog, const std::vector<std::string>& argv, char** envp);

} // namespace mkexec
