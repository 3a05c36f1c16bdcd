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
    // A dynamically linked program's ELF interpreter (PT_INTERP), read whole.
    std::string interp_path;
    std::vector<uint8_t> interp;
};

// Finds `name` (in $PATH when it has no '/') and reads it, and the ELF
// interpreter it names if it has one. Throws ProgramError with the exit
// status a shell would use (127, 126). The LWK checks both files again.
Program load_program(const std::string& name);

struct ProgramError : std::runtime_error {
    ProgramError(const std::string& what, int status) : std::runtime_error(what), status(status) {}
    int status;
};

// The PT_INTERP path of an ELF64 file, empty for a static program or a
// file that is not ELF (the LWK says what is wrong with it).
std::string elf_interpreter(const std::vector<uint8_t>& file);

// The staging area's layout (<mk/proc.h>, MK_MSG_EXEC): the file, the
// interpreter's file (page-aligned), then (8-byte aligned) the strings
// header and the strings (path, argv, envp).
struct Staging {
    std::vector<uint8_t> header_and_strings;
    uint64_t interp_offset;  // 0 without an interpreter
    uint64_t strings_offset; // from the start of the staging area
    uint64_t bytes;          // in all
};

Staging build_staging(const Program& prog, const std::vector<std::string>& argv, char** envp);

} // namespace mkexec
