// mkexec: run a program on the LWK. It creates the program's process on
// LWK cores, serves the system calls the LWK forwards (performing them here,
// in Linux, with the program's pointers unchanged), and exits with the
// program's status. stdin, stdout and stderr are mkexec's own.
#include "arguments.hpp"
#include "exit_status.hpp"
#include "forward.hpp"
#include "lwk_process.hpp"
#include "fork.hpp"
#include "placement.hpp"
#include "program.hpp"
#include "servers.hpp"
#include "signals.hpp"

#include <mk/cpulist.hpp>
#include <mk/device.hpp>
#include <mk/error.hpp>
#include <mk/version.h>

// Boost 1.74 Asio uses std::exchange without including <utility> (C++20, GCC 12).
#include <utility>


#include <charconv>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <thread>

extern char** environ;

namespace {

constexpr int TOOL_FAILED = 125; // mkexec itself failed (as env(1) and others use it)

const char* usage = "usage: mkexec [--cpus N|LIST] [--oversubscribe] [--serve-cpus LIST|any] [--poll[=CPU]]\n"
                    "              [--fork=linux|same|free] [--argv0 NAME] [--trace] [--] PROGRAM [ARGS...]\n"
                    "\n"
                    "Run PROGRAM on the LWK's cores; its system calls that the LWK does not\n"
                    "handle itself are performed by mkexec in Linux. mkexec exits with the\n"
                    "program's status (128 + the signal if one ended it).\n"
                    "\n"
                    "  --cpus N     on N free LWK cores (default 1; under mpirun or srun, the\n"
                    "               rank's share of the LWK cores: local rank r of n takes\n"
                    "               the r-th of n equal shares, in topology order)\n"
                    "  --cpus LIST  on these LWK cores, named by their Linux CPU numbers (2-3)\n"
                    "  --oversubscribe\n"
                    "               share cores with other programs: the cores of --cpus LIST\n"
                    "               even if busy, and under mpirun with more ranks than LWK\n"
                    "               cores one core per rank, neighbouring ranks sharing one\n"
                    "               (their threads take turns in time slices)\n"
                    "  --serve-cpus LIST|any\n"
                    "               the Linux CPUs where mkexec performs the program's calls\n"
                    "               (default: the CPU that takes the LWK's doorbell, where a\n"
                    "               call costs one wake-up; any: wherever Linux schedules)\n"
                    "  --poll[=CPU] one server thread spins on Linux CPU CPU (default: the\n"
                    "               doorbell CPU) waiting for the program's calls: no\n"
                    "               interrupt, no wake-up, but that CPU is kept busy\n"
                    "  --fork=linux|same|free\n"
                    "               where a fork's child runs. same (the default): on the\n"
                    "               LWK, on the program's cores (taking turns with its\n"
                    "               threads), its memory shared copy-on-write. free: on the\n"
                    "               LWK, on a core no program uses, or the program's if none\n"
                    "               is free. linux: as an ordinary Linux process, holding a\n"
                    "               copy of the program's memory (so do the children of a\n"
                    "               program with a writable shared file mapping). A vfork's\n"
                    "               child (posix_spawn, system) runs on Linux until its\n"
                    "               execve; an execve of the program itself runs the new\n"
                    "               program on the LWK, same pid\n"
                    "  --argv0 NAME the program's argv[0] (default: PROGRAM as given)\n"
                    "  --trace      print each forwarded system call and its result on stderr\n"
                    "  --help       this text\n"
                    "  --version    the version\n";

struct Options {
    bool trace = false;
    unsigned cores = 0;
    mk_cpumask cpus{};
    bool cpus_given = false;
    bool oversubscribe = false;
    std::string serve_cpus; // --serve-cpus, "" for the default
    bool poll = false;
    std::optional<unsigned> poll_cpu; // --poll=CPU
    std::vector<std::string> argv; // the program and its arguments
    std::optional<std::string> argv0; // --argv0
    int exec_env_fd = -1;             // --exec-state: the program's environment,
    uint64_t exec_mask = 0;           // and its blocked signals,
    int exec_program_fd = -1;         // and a descriptor to close once the program is read
    std::vector<std::string> own_args; // mkexec's options as given, --argv0 aside
    mkexec::ForkPolicy fork = mkexec::ForkPolicy::same_cores;
    std::optional<mkexec::ForkChild> fork_child; // --fork-child: mkexec's own, from a fork (fork_lwk.cpp)
};

[[noreturn]] void usage_error(const std::string& what)
{
    std::cerr << "mkexec: " << what << " (see mkexec --help)\n";
    std::exit(TOOL_FAILED);
}

void parse_cpus(const std::string& v, Options& o)
{
    o.cpus_given = true;
    unsigned n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec == std::errc() && end == v.data() + v.size()) {
        if (n == 0)
            usage_error("--cpus 0 asks for no core");
        o.cores = n;
        return;
    }
    for (unsigned c : mk::parse_cpulist(v, MK_MAX_CPUS))
        o.cpus.bits[c / 64] |= 1ULL << (c % 64);
}

Options parse(int argc, char** argv)
{
    Options o;
    int i = 1;
    int from = 1; // where the last option began
    auto keep = [&] {
        for (int k = from; k <= i; ++k)
            o.own_args.push_back(argv[k]);
    };
    for (; i < argc; ++i) {
        from = i;
        std::string a = argv[i];
        if (a == "--") {
            ++i;
            break;
        }
        if (a == "--exec-state") { // mkexec's own, from an execve of the program (fork.cpp)
            unsigned long long mask = 0;
            int fd = -1, program_fd = -1;
            if (i + 1 >= argc || std::sscanf(argv[++i], "%d:%llx:%d", &fd, &mask, &program_fd) < 2 || fd < 0)
                usage_error("--exec-state is mkexec's own");
            o.exec_env_fd = fd;
            o.exec_mask = mask;
            o.exec_program_fd = program_fd;
            continue;
        }
        if (a == "--argv0" || a.rfind("--argv0=", 0) == 0) {
            if (a == "--argv0" && i + 1 >= argc)
                usage_error("--argv0 wants a name");
            o.argv0 = a == "--argv0" ? argv[++i] : a.substr(8);
            continue;
        }
        if (a == "--fork" || a.rfind("--fork=", 0) == 0) {
            std::string v = a == "--fork" ? (i + 1 < argc ? argv[++i] : "") : a.substr(7);
            if (v == "same")
                o.fork = mkexec::ForkPolicy::same_cores;
            else if (v == "free")
                o.fork = mkexec::ForkPolicy::free_core;
            else if (v == "linux")
                o.fork = mkexec::ForkPolicy::to_linux;
            else
                usage_error("--fork wants linux, same or free");
            keep();
            continue;
        }
        if (a == "--fork-child") {
            auto child = i + 1 < argc ? mkexec::parse_fork_child(argv[++i]) : std::nullopt;
            if (!child)
                usage_error("--fork-child is mkexec's own");
            o.fork_child = child;
            continue;
        }
        if (a == "--help" || a == "-h") {
            std::cout << usage;
            std::exit(0);
        }
        if (a == "--trace") {
            o.trace = true;
            keep();
            continue;
        }
        if (a == "--version") {
            std::cout << "mkexec (mk) " << MK_VERSION_STRING << "\n";
            std::exit(0);
        }
        if (a == "--cpus" || a.rfind("--cpus=", 0) == 0) {
            std::string v = a == "--cpus" ? (i + 1 < argc ? argv[++i] : "") : a.substr(7);
            if (v.empty())
                usage_error("--cpus wants a number or a list");
            parse_cpus(v, o);
            keep();
            continue;
        }
        if (a == "--oversubscribe") {
            o.oversubscribe = true;
            keep();
            continue;
        }
        if (a == "--serve-cpus" || a.rfind("--serve-cpus=", 0) == 0) {
            std::string v = a == "--serve-cpus" ? (i + 1 < argc ? argv[++i] : "") : a.substr(13);
            if (v.empty())
                usage_error("--serve-cpus wants a list of Linux CPUs or 'any'");
            o.serve_cpus = v;
            keep();
            continue;
        }
        if (a == "--poll" || a.rfind("--poll=", 0) == 0) {
            o.poll = true;
            if (a != "--poll") {
                unsigned cpu = 0;
                std::string v = a.substr(7);
                auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), cpu);
                if (v.empty() || ec != std::errc() || end != v.data() + v.size() || cpu >= CPU_SETSIZE)
                    usage_error("--poll= wants a Linux CPU number");
                o.poll_cpu = cpu;
            }
            keep();
            continue;
        }
        if (a.size() > 1 && a[0] == '-')
            usage_error("unknown option '" + a + "'");
        break;
    }
    if (i >= argc)
        usage_error("no program given");
    o.argv.assign(argv + i, argv + argc);
    return o;
}

// Serves the program's calls until its end, and ends mkexec with its status.
[[noreturn]] void serve(mkexec::LwkProcess& proc, const Options& opt, const std::string& path,
    const std::optional<cpu_set_t>& serve_cpus, std::optional<unsigned> poll_cpu)
{
    // Signals for the program are passed on by a thread of their own;
    // this one serves the program's calls until its end.
    mkexec::SignalRelay relay(proc);
    mkexec::open_copy_pipe();
    // The program may close any descriptor but these (close_range from 3 up).
    mkexec::adopt_own_fds();
    std::optional<mk_proc_event> end;
    try {
        // Left to the end of mkexec (see Servers).
        auto* servers = new mkexec::Servers(proc, opt.trace, serve_cpus, poll_cpu);
        end = servers->run();
    } catch (const std::exception& e) {
        std::cerr << "mkexec: " << e.what() << "\n";
        std::fflush(nullptr);
        std::_Exit(TOOL_FAILED);
    }
    // Not through the destructors: servers still inside a call keep
    // using the process fd and window until mkexec is gone.
    std::fflush(nullptr);
    // A fork's child on the LWK (or its next image) ends as the program's
    // child did, for its parent's wait, which reports it if it will.
    if (proc.lwk_child())
        mkexec::end_like(end->status);
    std::string report;
    int code = mkexec::exit_code(*end, path, &report);
    if (!report.empty())
        std::cerr << "mkexec: " << report << "\n";
    std::fflush(nullptr);
    std::_Exit(code);
}

// A fork's child on the LWK (--fork-child, from fork_lwk.cpp): mkexec takes the
// LWK's image of the program's child as its process, and serves it.
[[noreturn]] void run_fork_child(const Options& opt, const std::optional<cpu_set_t>& serve_cpus,
    std::optional<unsigned> poll_cpu)
{
    const mkexec::ForkChild& child = *opt.fork_child;
    std::optional<mkexec::LwkProcess> proc;
    try {
        std::optional<mk::Device> dev;
        dev.emplace();
        int dev_fd = mkexec::move_fd_high(::dup(dev->fd()));
        proc.emplace(dev_fd, child.parent_fd, child.image, opt.fork == mkexec::ForkPolicy::free_core, opt.argv[0]);
        ::close(dev_fd);
        mkexec::forget_own_fd(dev_fd);
        dev.reset();
    } catch (const mk::Error& e) {
        std::cerr << "mkexec: fork: " << e.what() << "\n";
        mkexec::fork_child_failed(child, e.errnum() ? e.errnum() : EAGAIN);
        std::_Exit(TOOL_FAILED);
    } catch (const std::exception& e) {
        std::cerr << "mkexec: fork: " << e.what() << "\n";
        mkexec::fork_child_failed(child, EAGAIN);
        std::_Exit(TOOL_FAILED);
    }
    mkexec::fork_child_started(child);
    serve(*proc, opt, opt.argv[0], serve_cpus, poll_cpu);
}

} // namespace

int main(int argc, char** argv)
{
    mkexec::remember_inherited_fds();
    mkexec::remember_program_cpus();
    mkexec::InheritedSignals inherited = mkexec::inherited_signals();
    Options opt = parse(argc, argv);
    // After an execve of the program: its environment and mask (mkexec
    // itself was started with its own environment and every signal blocked).
    std::vector<std::string> env;
    if (opt.exec_env_fd >= 0) {
        env = mkexec::read_exec_environment(opt.exec_env_fd);
        inherited.blocked = opt.exec_mask;
    } else {
        for (char** e = environ; *e; ++e)
            env.emplace_back(*e);
    }
    std::vector<char*> program_env;
    for (auto& e : env)
        program_env.push_back(e.data());
    program_env.push_back(nullptr);
    mkexec::Program prog;
    try {
        if (!opt.fork_child) // a fork's child is the program already (in the LWK's image)
            prog = mkexec::load_program(opt.argv[0]);
    } catch (const mkexec::ProgramError& e) {
        std::cerr << "mkexec: " << e.what() << "\n";
        return e.status;
    }
    if (opt.exec_program_fd >= 0) // fexecve of a close-on-exec descriptor: its copy goes now
        ::close(opt.exec_program_fd);
    if (opt.argv0)
        opt.argv[0] = *opt.argv0;
    mkexec::set_exec_options(opt.own_args, environ, opt.argv[0], opt.fork);
    std::optional<cpu_set_t> serve_cpus;
    try {
        serve_cpus = mkexec::server_cpus(opt.serve_cpus);
    } catch (const std::exception& e) {
        usage_error(std::string("--serve-cpus: ") + e.what());
    }
    std::optional<unsigned> poll_cpu;
    if (opt.poll) {
        poll_cpu = opt.poll_cpu ? opt.poll_cpu : mkexec::doorbell_cpu();
        cpu_set_t mine;
        if (!poll_cpu || sched_getaffinity(0, sizeof mine, &mine) != 0 || !CPU_ISSET(*poll_cpu, &mine))
            usage_error(poll_cpu ? "--poll: CPU " + std::to_string(*poll_cpu) + " is not one mkexec may run on"
                                 : std::string("--poll: no doorbell CPU (is mk.ko loaded?); name one with --poll=CPU"));
    }
    mkexec::setup_signals();
    // mkexec's own mask, whatever it inherited: only the relayed signals
    // blocked (they wait for the relay); the program's is the LWK's.
    pthread_sigmask(SIG_SETMASK, &mkexec::relayed_signals(), nullptr);
    if (opt.fork_child)
        run_fork_child(opt, serve_cpus, poll_cpu);

    try {
        std::optional<mk::Device> dev;
        dev.emplace();
        dev->version();
        // An MPI rank without --cpus: its share of the LWK's cores.
        if (auto rank = opt.cpus_given ? std::nullopt : mkexec::local_rank(std::getenv)) {
            for (unsigned c : mkexec::rank_share(dev->status().cores, *rank, opt.oversubscribe))
                opt.cpus.bits[c / 64] |= 1ULL << (c % 64);
        }
        int dev_fd = mkexec::move_fd_high(::dup(dev->fd()));
        mkexec::Staging staging =
            mkexec::build_staging(prog, mkexec::program_argv(prog, opt.argv), program_env.data(), inherited);
        mkexec::LwkProcess proc(dev_fd, opt.cores, opt.cpus, staging.bytes, prog.path, opt.oversubscribe,
            opt.fork != mkexec::ForkPolicy::to_linux, opt.fork == mkexec::ForkPolicy::free_core,
            opt.exec_env_fd >= 0);
        ::close(dev_fd);
        mkexec::forget_own_fd(dev_fd);
        // The program's process has its own fd: /dev/mk itself is closed
        // before the program runs, so nothing it does can reach it.
        dev.reset();

        // The program and its strings, through the window, into its staging area.
        auto* area = reinterpret_cast<uint8_t*>(proc.staging());
        std::memcpy(area, prog.file.data(), prog.file.size());
        if (!prog.interp.empty())
            std::memcpy(area + staging.interp_offset, prog.interp.data(), prog.interp.size());
        std::memcpy(area + staging.strings_offset, staging.header_and_strings.data(),
            staging.header_and_strings.size());
        try {
            proc.exec(prog.file.size(), staging.strings_offset, staging.interp_offset, prog.interp.size());
        } catch (const mk::Error& e) {
            std::cerr << "mkexec: " << prog.path << ": " << e.what() << "\n";
            return 126; // found but cannot be run, as a shell says it
        }
        prog.file.clear();
        prog.file.shrink_to_fit();
        prog.interp.clear();
        prog.interp.shrink_to_fit();

        serve(proc, opt, prog.path, serve_cpus, poll_cpu);
    } catch (const mk::Error& e) {
        std::cerr << "mkexec: " << e.what() << "\n";
        return TOOL_FAILED;
    } catch (const std::exception& e) {
        std::cerr << "mkexec: " << e.what() << "\n";
        return TOOL_FAILED;
    }
}
