// The program mkexec runs: found like execvp(3) would, read whole, and the
// strings the LWK puts on its stack.
#pragma once

#include <mk/proc.h>

#include <cerrno>
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
    // A script (#!): the arguments before the script's own, as execve(2)
    // makes them (interpreter, its optional argument, the script's path);
    // the program is then the interpreter. Empty for a binary.
    std::vector<std::string> script_args;
};

// Finds `name` (in $PATH when it has no '/' and search is set) and reads
// it, and the ELF interpreter it names if it has one; a script (#!) is
// its interpreter's program, as in execve(2). Throws ProgramError with the
// exit status a shell would use (127, 126) and the errno execve would
// give. The LWK checks both files again.
Program load_program(const std::string& name, bool search = true);

struct ProgramError : std::runtime_error {
    ProgramError(const std::string& what, int status, int error = 0)
        : std::runtime_error(what), status(status), error(error ? error : status == 127 ? ENOENT : EACCES)
    {
    }
    int status;
    int error; // as execve(2) would fail
};

// The arguments the program runs with: a script's interpreter's first,
// then argv without its first (which the script's path replaces).
std::vector<std::string> program_argv(const Program& prog, const std::vector<std::string>& argv);

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

// The signal state the program starts with, inherited as execve(2) keeps
// it: the blocked signals and the ignored ones.
struct InheritedSignals {
    uint64_t blocked = 0, ignored = 0;
};
InheritedSignals inherited_signals();

Staging build_staging(const Program& prog, const std::vector<std::string>& argv, char** envp,
    const InheritedSignals& sigs);

} // namespace mkexec
