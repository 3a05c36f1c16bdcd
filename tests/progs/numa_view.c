/* What libnuma tells a program about its CPUs and nodes: the counts an
 * MPI or OpenMP runtime sizes itself by, and the CPUs of each node. */
#include <numa.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    if (numa_available() < 0) {
        puts("libnuma: no NUMA support");
        return 1;
    }
    printf("numa_num_task_cpus %d\n", numa_num_task_cpus());
    printf("numa_num_configured_cpus %d\n", numa_num_configured_cpus());
    printf("online processors %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
    struct bitmask* cpus = numa_allocate_cpumask();
    for (int node = 0; node <= numa_max_node(); ++node) {
        if (numa_node_to_cpus(node, cpus) < 0)
            continue;
        printf("node %d cpus:", node);
        for (unsigned i = 0; i < cpus->size; ++i)
            if (numa_bitmask_isbitset(cpus, i))
                printf(" %u", i);
        printf("\n");
    }
    numa_free_cpumask(cpus);
    return 0;
}
