// C++ against the shared libstdc++ and Boost.Program_options: options,
// exceptions, std::thread, iostreams.
#include <boost/program_options.hpp>

#include <iostream>
#include <numeric>
#include <thread>
#include <vector>

namespace po = boost::program_options;

int main(int argc, char** argv)
{
    po::options_description desc("options");
    desc.add_options()("count", po::value<int>()->default_value(10), "how many");
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, desc), vm);
    } catch (const po::error& e) {
        std::cout << "error: " << e.what() << "\n";
        return 2;
    }
    int n = vm["count"].as<int>();
    std::vector<long> v(n);
    std::thread t([&] { std::iota(v.begin(), v.end(), 1); });
    t.join();
    std::cout << "boost: count " << n << ", sum " << std::accumulate(v.begin(), v.end(), 0L) << "\n";
    return 0;
}
