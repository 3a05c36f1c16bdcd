#include "program.hpp"

#include <mk/elf64.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <csignal>
#include <algorithm>
#include <pthread.h>
#include <fstream>
#include <iterator>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

namespace mkexec {
namespace {

std::vector<uint8_t> read_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw ProgramError(path + ": " + std::strerror(errno), 126);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

bool executable_file(const std::string& p)
{
    struct stat st;
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
}

} // namespace

namespace {

// A file to run, checked as execve(2) checks it, and read.
Program load_file(const std::string& path)
{
    Program prog;
    prog.path = path;
    struct stat st;
    if (::stat(prog.path.c_str(), &st) != 0)
        throw ProgramError(prog.path + ": " + std::strerror(errno), errno == ENOENT ? 127 : 126, errno);
    if (!S_ISREG(st.st_mode))
        throw ProgramError(prog.path + ": not a regular file", 126, EACCES);
    if (::access(prog.path.c_str(), X_OK) != 0)
        throw ProgramError(prog.path + ": " + std::strerror(errno), 126, errno);
    prog.file = read_file(prog.path);
    char real[PATH_MAX];
    prog.absolute = ::realpath(prog.path.c_str(), real) ? real : prog.path;

    // As execve(2) does: the interpreter must exist and be a regular file
    // (a missing one is "required file not found" to a shell: 127).
    prog.interp_path = elf_interpreter(prog.file);
    if (!prog.interp_path.empty()) {
        const std::string its = prog.path + ": its ELF interpreter " + prog.interp_path;
        if (::stat(prog.interp_path.c_str(), &st) != 0)
            throw ProgramError(its + ": " + std::strerror(errno), errno == ENOENT ? 127 : 126, errno);
        if (!S_ISREG(st.st_mode))
            throw ProgramError(its + ": not a regular file", 126);
        prog.interp = read_file(prog.interp_path);
    }
    return prog;
}

// A script's "#!interpreter [argument]" line (Linux's rules: at most 255
// bytes, the argument is the rest of the line, trimmed), or false.
bool script_line(const std::vector<uint8_t>& file, std::string& interp, std::string& arg)
{
    if (file.size() < 2 || file[0] != '#' || file[1] != '!')
        return false;
    std::string line(file.begin() + 2, file.begin() + static_cast<long>(std::min<size_t>(file.size(), 256)));
    line = line.substr(0, line.find('\n'));
    auto blank = [](char c) { return c == ' ' || c == '\t'; };
    size_t b = 0;
    while (b < line.size() && blank(line[b]))
        ++b;
    size_t e = b;
    while (e < line.size() && !blank(line[e]))
        ++e;
    interp = line.substr(b, e - b);
    while (e < line.size() && blank(line[e]))
        ++e;
    arg = line.substr(e);
    while (!arg.empty() && blank(arg.back()))
        arg.pop_back();
    return true;
}

} // namespace

Program load_program(const std::string& name, bool search)
{
    std::string path;
    if (!search || name.find('/') != std::string::npos) {
        path = name;
    } else {
        const char* env = std::getenv("PATH");
        std::string dirs = env ? env : "/usr/local/bin:/usr/bin:/bin";
        size_t pos = 0;
        while (pos <= dirs.size()) {
            size_t colon = dirs.find(':', pos);
            std::string dir = dirs.substr(pos, colon == std::string::npos ? std::string::npos : colon - pos);
            std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
            if (executable_file(candidate)) {
                path = candidate;
                break;
            }
            if (colon == std::string::npos)
                break;
            pos = colon + 1;
        }
        if (path.empty())
            throw ProgramError(name + ": command not found", 127);
    }
    Program prog = load_file(path);
    std::vector<std::string> args; // what comes before the original argv[1]
    std::string interp, arg;
    for (int depth = 0; script_line(prog.file, interp, arg); ++depth) {
        if (depth == 4)
            throw ProgramError(path + ": too many levels of script interpreters", 126, ELOOP);
        if (interp.empty())
            throw ProgramError(prog.path + ": no interpreter after #!", 126, ENOEXEC);
        std::vector<std::string> before{interp};
        if (!arg.empty())
            before.push_back(arg);
        before.push_back(prog.path);
        if (!args.empty())
            before.insert(before.end(), args.begin() + 1, args.end());
        args = before;
        prog = load_file(interp);
    }
    prog.script_args = args;
    return prog;
}

std::vector<std::string> program_argv(const Program& prog, const std::vector<std::string>& argv)
{
    if (prog.script_args.empty())
        return argv;
    std::vector<std::string> all = prog.script_args;
    if (argv.size() > 1)
        all.insert(all.end(), argv.begin() + 1, argv.end());
    return all;
}

InheritedSignals inherited_signals()
{
    InheritedSignals s;
    sigset_t set;
    if (::pthread_sigmask(SIG_SETMASK, nullptr, &set) == 0)
        for (int sig = 1; sig <= 64; ++sig)
            if (sigismember(&set, sig) == 1)
                s.blocked |= 1ULL << (sig - 1);
    for (int sig = 1; sig <= 64; ++sig) {
        struct sigaction sa {};
        if (sig != SIGKILL && sig != SIGSTOP && ::sigaction(sig, nullptr, &sa) == 0 && sa.sa_handler == SIG_IGN)
            s.ignored |= 1ULL << (sig - 1);
    }
    return s;
}

std::string elf_interpreter(const std::vector<uint8_t>& file)
{
    mk_elf64_ehdr eh;
    if (file.size() < sizeof eh || std::memcmp(file.data(), "\x7f" "ELF", 4) != 0)
        return {};
    std::memcpy(&eh, file.data(), sizeof eh);
    if (eh.e_ident[4] != MK_ELFCLASS64 || eh.e_phentsize != sizeof(mk_elf64_phdr) || eh.e_phoff > file.size() ||
        uint64_t(eh.e_phnum) * sizeof(mk_elf64_phdr) > file.size() - eh.e_phoff)
        return {};
    for (unsigned i = 0; i < eh.e_phnum; ++i) {
        mk_elf64_phdr ph;
        std::memcpy(&ph, file.data() + eh.e_phoff + i * sizeof ph, sizeof ph);
        if (ph.p_type != MK_PT_INTERP)
            continue;
        if (ph.p_offset > file.size() || ph.p_filesz > file.size() - ph.p_offset || ph.p_filesz < 2)
            return {};
        const char* name = reinterpret_cast<const char*>(file.data() + ph.p_offset);
        return std::string(name, strnlen(name, ph.p_filesz));
    }
    return {};
}

Staging build_staging(const Program& prog, const std::vector<std::string>& argv, char** envp,
    const InheritedSignals& sigs)
{
    mk_spawn_strings hdr{};
    hdr.sigmask = sigs.blocked;
    hdr.sig_ignored = sigs.ignored;
    std::string strings;
    strings.append(prog.path).push_back('\0');
    hdr.path_bytes = static_cast<uint32_t>(prog.path.size() + 1);
    strings.append(prog.absolute).push_back('\0');
    hdr.exe_bytes = static_cast<uint32_t>(prog.absolute.size() + 1);
    for (const auto& a : argv)
        strings.append(a).push_back('\0');
    hdr.argc = static_cast<uint32_t>(argv.size());
    for (char** e = envp; e && *e; ++e) {
        strings.append(*e).push_back('\0');
        ++hdr.envc;
    }
    hdr.bytes = static_cast<uint32_t>(strings.size());
    if (getrandom(hdr.random, sizeof hdr.random, 0) != sizeof hdr.random)
        throw std::runtime_error(std::string("getrandom: ") + std::strerror(errno));
    struct utsname u;
    ::uname(&u);
    const char* fields[6] = {u.sysname, u.nodename, u.release, u.version, u.machine, u.domainname};
    for (int i = 0; i < 6; ++i)
        std::strncpy(hdr.uname[i], fields[i], sizeof hdr.uname[i] - 1);

    Staging s;
    uint64_t end = prog.file.size();
    s.interp_offset = 0;
    if (!prog.interp.empty()) {
        s.interp_offset = (end + 4095) & ~uint64_t(4095);
        end = s.interp_offset + prog.interp.size();
    }
    s.strings_offset = (end + 7) & ~uint64_t(7);
    s.header_and_strings.resize(sizeof hdr + strings.size());
    std::memcpy(s.header_and_strings.data(), &hdr, sizeof hdr);
    std::memcpy(s.header_and_strings.data() + sizeof hdr, strings.data(), strings.size());
    s.bytes = s.strings_offset + s.header_and_strings.size();
    return s;
}

} // namespace mkexec
