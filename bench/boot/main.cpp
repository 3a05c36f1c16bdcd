// mk-boot-bench: how long mk takes to turn Linux cores into running LWK
// cores and back, next to Linux's own remove_cpu()/add_cpu() of the same
// cores, alternating in one run. Needs mk.ko loaded and root.
//
// Per iteration:
//   linux_offline  write 0 to /sys/devices/system/cpu/cpuN/online for each CPU
//   linux_online   write 1 to each again
//   mk_reserve     mkctl reserve --cpus (remove_cpu() in mk.ko)
//   mk_boot        mkctl boot (copy image, start every core, wait until running)
//   mk_shutdown    mkctl shutdown (INIT the cores, add_cpu() each, free memory)
// plus mk_reserve_mem (reserving and zeroing the memory), reported apart.
#include <mk/cpulist.hpp>
#include <mk/device.hpp>
#include <mk/error.hpp>
#include <mk/lwk_image.hpp>
#include <mk/memspec.hpp>

#include <boost/program_options.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace po = boost::program_options;

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

void set_online(unsigned cpu, bool on)
{
    std::string path = "/sys/devices/system/cpu/cpu" + std::to_string(cpu) + "/online";
    std::ofstream f(path);
    f << (on ? "1" : "0");
    f.flush();
    if (!f)
        throw mk::Error("cannot write " + path);
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

} // namespace

int main(int argc, char** argv)
{
    po::options_description opts("mk-boot-bench options");
    // clang-format off
    opts.add_options()
        ("cpus", po::value<std::string>()->default_value("2-3"), "the cores to cycle")
        ("mem", po::value<std::string>()->default_value("64M"), "LWK memory")
        ("iterations", po::value<unsigned>()->default_value(10), "rounds of each")
        ("image", po::value<std::string>(), "the LWK image")
        ("csv", po::value<std::string>(), "write every sample to this file")
        ("help,h", "this text");
    // clang-format on
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, opts), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::fprintf(stderr, "mk-boot-bench: %s\n", e.what());
        return 2;
    }
    if (vm.count("help")) {
        std::printf("usage: mk-boot-bench [--cpus LIST] [--mem SIZE] [--iterations N] [--csv FILE]\n");
        return 0;
    }
    try {
        mk::CpuList cpus = mk::parse_cpulist(vm["cpus"].as<std::string>());
        auto mem = mk::parse_mem_spec(vm["mem"].as<std::string>());
        std::string path = vm.count("image") ? vm["image"].as<std::string>() : mk::default_image_path();
        auto image = mk::read_image(path);
        unsigned n = vm["iterations"].as<unsigned>();
        mk::Device dev;
        dev.version();

        std::printf("method: %u rounds on CPUs %s, alternating Linux hotplug and mk, wall clock "
                    "(CLOCK_MONOTONIC) around each step; LWK memory %s\n",
            n, mk::format_cpulist(cpus).c_str(), vm["mem"].as<std::string>().c_str());
        std::map<std::string, std::vector<double>> samples;
        for (unsigned i = 0; i < n; ++i) {
            auto t = Clock::now();
            for (unsigned c : cpus)
                set_online(c, false);
            samples["linux_offline"].push_back(ms_since(t));
            t = Clock::now();
            for (unsigned c : cpus)
                set_online(c, true);
            samples["linux_online"].push_back(ms_since(t));

            t = Clock::now();
            dev.reserve_cpus(cpus);
            samples["mk_reserve"].push_back(ms_since(t));
            t = Clock::now();
            dev.reserve_mem(mem);
            samples["mk_reserve_mem"].push_back(ms_since(t));
            t = Clock::now();
            uint64_t ns = dev.boot(image, "", 0);
            samples["mk_boot"].push_back(ms_since(t));
            samples["mk_boot_module"].push_back(ns / 1e6);
            t = Clock::now();
            dev.shutdown(false);
            samples["mk_shutdown"].push_back(ms_since(t));
        }

        if (vm.count("csv")) {
            std::ofstream csv(vm["csv"].as<std::string>());
            csv << "step,iteration,ms\n";
            for (auto& [step, v] : samples)
                for (size_t i = 0; i < v.size(); ++i)
                    csv << step << "," << i << "," << v[i] << "\n";
        }
        std::printf("csv,step,median_ms,min_ms,max_ms\n");
        for (auto& [step, v] : samples)
            std::printf("csv,%s,%.3f,%.3f,%.3f\n", step.c_str(), median(v),
                *std::min_element(v.begin(), v.end()), *std::max_element(v.begin(), v.end()));
        double take_linux = median(samples["linux_offline"]);
        double give_linux = median(samples["linux_online"]);
        double take_mk = median(samples["mk_reserve"]) + median(samples["mk_boot"]);
        std::printf("Linux cores -> running LWK (reserve + boot, memory apart): %.2f ms "
                    "(Linux offlining the same cores: %.2f ms)\n",
            take_mk, take_linux);
        std::printf("running LWK -> Linux cores back (shutdown): %.2f ms "
                    "(Linux onlining the same cores: %.2f ms)\n",
            median(samples["mk_shutdown"]), give_linux);
        std::printf("LWK boot alone (partition reserved -> all cores ready): %.2f ms\n",
            median(samples["mk_boot"]));
    } catch (const mk::Error& e) {
        std::fprintf(stderr, "mk-boot-bench: %s\n", e.what());
        return 1;
    }
    return 0;
}
