// mkexec's program lookup: #! scripts as execve(2) runs them, and the
// errno an execve would fail with.
#include <catch2/catch.hpp>

#include "program.hpp"

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

using mkexec::load_program;
using mkexec::program_argv;
using mkexec::ProgramError;

namespace {

struct TempDir {
    std::string path;
    TempDir()
    {
        char t[] = "/tmp/mk-unit-XXXXXX";
        path = ::mkdtemp(t);
    }
    ~TempDir() { std::system(("rm -rf " + path).c_str()); }
    std::string file(const std::string& name, const std::string& text, mode_t mode = 0755) const
    {
        std::string p = path + "/" + name;
        std::ofstream(p) << text;
        ::chmod(p.c_str(), mode);
        return p;
    }
};

int execve_errno(const std::string& path)
{
    try {
        (void)load_program(path, false);
    } catch (const ProgramError& e) {
        return e.error;
    }
    return 0;
}

} // namespace

TEST_CASE("a #! script runs its interpreter with its argument and its own path", "[mkexec]")
{
    TempDir d;
    std::string s = d.file("s.sh", "#!/bin/sh   -e  \necho hi\n");
    auto prog = load_program(s, false);
    CHECK(prog.path == "/bin/sh");
    CHECK(prog.script_args == std::vector<std::string>{"/bin/sh", "-e", s});
    CHECK(program_argv(prog, {"name", "a", "b"}) == std::vector<std::string>{"/bin/sh", "-e", s, "a", "b"});
    std::string plain = d.file("p.sh", "#!/bin/sh\n");
    CHECK(load_program(plain, false).script_args == std::vector<std::string>{"/bin/sh", plain});
}

TEST_CASE("a script whose interpreter is a script: both, outermost first", "[mkexec]")
{
    TempDir d;
    std::string inner = d.file("inner", "#!/bin/sh -x\n");
    std::string outer = d.file("outer", "#!" + inner + " arg\n");
    auto prog = load_program(outer, false);
    CHECK(prog.path == "/bin/sh");
    CHECK(program_argv(prog, {"outer", "1"}) == std::vector<std::string>{"/bin/sh", "-x", inner, "arg", outer, "1"});
}

TEST_CASE("scripts that cannot run fail as execve would", "[mkexec]")
{
    TempDir d;
    CHECK(execve_errno(d.file("empty", "#!\n")) == ENOEXEC);
    CHECK(execve_errno(d.file("missing", "#!/nonexistent/interpreter\n")) == ENOENT);
    std::string loop = d.path + "/loop";
    d.file("loop", "#!" + loop + "\n");
    CHECK(execve_errno(loop) == ELOOP);
    CHECK(execve_errno(d.file("noexec", "#!/bin/sh\n", 0644)) == EACCES);
    CHECK(execve_errno(d.path) == EACCES); // not a regular file
    CHECK(execve_errno(d.path + "/none") == ENOENT);
    CHECK(execve_errno("/bin/sh") == 0);
}

TEST_CASE("a binary has no script arguments: argv as given", "[mkexec]")
{
    auto prog = load_program("/bin/sh", false);
    CHECK(prog.script_args.empty());
    CHECK(program_argv(prog, {"sh", "-c", "x"}) == std::vector<std::string>{"sh", "-c", "x"});
}
