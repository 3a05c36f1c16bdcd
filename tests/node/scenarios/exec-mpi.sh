# MPI jobs on LWK cores: `mpirun -np N mkexec ./job` with Debian's Open MPI
# (vader shared memory) and MPICH (Hydra, UCX): the job's results are the
# same as on Linux, each rank takes its share of the LWK cores from its
# local rank, too many ranks are refused, a crashing rank ends the job with
# its report, Ctrl-C or kill -9 of mpirun leaves no LWK program behind, and
# a hybrid job's OpenMP threads run on their rank's cores.
# mkvm: --cpus 5 --mem 2G --timeout 900
. /mk/tests/lib.sh

insmod "$MK_KO"
ok "boot the LWK on CPUs 1-4 with 1 GiB" mkctl boot --cpus 1-4 --mem 1G
need
cd "$MK_PROGS"
free0=$(lwk_free)

# Linux keeps CPU 0 alone: Open MPI would count one slot and bind its ranks
# there. The ranks compute on LWK cores; mpirun and mkexec stay on CPU 0.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
run() { # MPI NP COMMAND...
	_mpi=$1 _np=$2; shift 2
	if [ "$_mpi" = mpich ]; then
		timeout 300 mpirun.mpich -np "$_np" "$@"
	else
		timeout 300 mpirun.openmpi --oversubscribe --bind-to none -np "$_np" "$@"
	fi
}
programs_gone() { # wait up to 20 s for the LWK to have no program
	_i=0
	while [ "$(lwk_programs)" != 0 ] && [ $_i -lt 100 ]; do sleep 0.2; _i=$((_i + 1)); done
	[ "$(lwk_programs)" = 0 ]
}

# Whole jobs with Open MPI, then MPICH.
job=./mpi_check_ompi
native=$(run ompi 2 $job 2>&1 | grep '^rank')
out=$(run ompi 2 mkexec $job 2>&1)
eq "mpirun -np 2 mkexec: exit status 0" 0 "$?"
eq "the job's results are Linux's" "$native" "$(echo "$out" | grep '^rank')"
eq "each rank runs on its half of the LWK cores" "cpus of rank 0: 1-2
cpus of rank 1: 3-4" "$(echo "$out" | grep '^cpus')"
eq "... and finds its cores' topology (hwloc)" "" "$(echo "$out" | grep -i 'error')"
out=$(run ompi 4 mkexec $job 2>&1)
eq "4 ranks, one LWK core each: exit status 0" 0 "$?"
eq "... results as on Linux" "$(run ompi 4 $job 2>&1 | grep '^rank')" "$(echo "$out" | grep '^rank')"
eq "... on cores 1, 2, 3, 4" "1 2 3 4" \
	"$(echo "$out" | sed -n 's/^cpus of rank [0-9]*: //p' | tr '\n' ' ' | sed 's/ $//')"

# Hybrid MPI + OpenMP: each rank's team on its own share of the cores.
out=$(OMP_NUM_THREADS=2 run ompi 2 mkexec $job omp 2>&1)
eq "hybrid, OMP_NUM_THREADS=2: each rank's 2 threads run at once on 2 LWK cores" 2 \
	"$(echo "$out" | grep -c '; 2 OpenMP threads on 2 CPUs, sum ok$')"
eq "... its cores" "cpus of rank 0: 1-2
cpus of rank 1: 3-4" "$(echo "$out" | grep '^cpus')"
out=$(run ompi 2 mkexec $job omp 2>&1)
eq "hybrid without OMP_NUM_THREADS: the team is the rank's share (2 threads)" 2 \
	"$(echo "$out" | grep -c '; 2 OpenMP threads on 2 CPUs, sum ok$')"

# The mini-app (bench/miniapp): a hybrid CG solver, its sums in a fixed
# order, so its iterations, residual and solution are Linux's to the digit.
cg=$(OMP_NUM_THREADS=2 run ompi 2 mk-cg check 64 2>&1 | grep '^converged in')
ok "the MPI + OpenMP CG mini-app converges on Linux" test -n "$cg"
eq "... and under mkexec, with Linux's iterations, residual and solution" "$cg" \
	"$(OMP_NUM_THREADS=2 run ompi 2 mkexec mk-cg check 64 2>&1 | grep '^converged in')"

# MPICH (Hydra; UCX's shared memory): whole jobs, four in a row (one in
# eight once hung in MPI_Finalize: a wake-up the LWK lost).
job=./mpi_check_mpich
native=$(run mpich 2 $job 2>&1 | grep '^rank')
fails=0
for i in 1 2 3 4; do
	out=$(run mpich 2 mkexec $job 2>&1) && [ "$(echo "$out" | grep '^rank')" = "$native" ] ||
		fails=$((fails + 1))
done
eq "mpich: 4 jobs of 2 ranks in a row end with status 0 and Linux's results" 0 "$fails"
eq "mpich: each rank on its half of the LWK cores" "cpus of rank 0: 1-2
cpus of rank 1: 3-4" "$(echo "$out" | grep '^cpus')"

for mpi in ompi mpich; do
	job=./mpi_check_$mpi
	run $mpi 5 mkexec $job >/tmp/mpi.out 2>&1
	ok "$mpi: 5 ranks on 4 LWK cores: the job fails" test $? -ne 0
	ok "$mpi: ... saying why" grep -m1 "5 ranks on this node (.*) but the LWK has 4 cores" /tmp/mpi.out
	ok "$mpi: ... and leaves no program on the LWK" programs_gone
	out=$(run $mpi 5 mkexec --oversubscribe $job 2>&1)
	eq "$mpi: 5 ranks on 4 LWK cores with mkexec --oversubscribe: status 0" 0 "$?"
	[ $mpi = ompi ] && # (one MPI is enough to compare with Linux: the job is the same)
		eq "$mpi: ... Linux's results" "$(run $mpi 5 $job 2>&1 | grep '^rank')" "$(echo "$out" | grep '^rank')"
	eq "$mpi: ... ranks 0 and 1 share core 1, the others one each" "1 1 2 3 4" \
		"$(echo "$out" | sed -n 's/^cpus of rank [0-9]*: //p' | tr '\n' ' ' | sed 's/ $//')"
	ok "$mpi: ... and leaves no program on the LWK" programs_gone
	run $mpi 2 mkexec $job crash 1 >/tmp/mpi.out 2>&1
	ok "$mpi: a rank that segfaults makes the job fail" test $? -ne 0
	ok "$mpi: ... with the rank's report" grep "mkexec: $job: Segmentation fault (SIGSEGV)" /tmp/mpi.out
	ok "$mpi: ... and no program is left on the LWK" programs_gone
done

# Ctrl-C (SIGINT) to mpirun, and kill -9 of mpirun, while the ranks run.
for mpi in mpich ompi; do
	for sig in INT KILL; do
		run $mpi 2 mkexec ./mpi_check_$mpi sleep 60 >/tmp/mpi.out 2>&1 &
		job=$!
		i=0; while [ "$(lwk_programs)" != 2 ] && [ $i -lt 150 ]; do sleep 0.2; i=$((i + 1)); done
		eq "$mpi: SIG$sig to mpirun: both ranks were running" 2 "$(lwk_programs)"
		pkill -$sig -f "^mpirun.$( [ $mpi = ompi ] && echo openmpi || echo mpich )"
		wait $job 2>/dev/null
		ok "$mpi: SIG$sig to mpirun: no program is left on the LWK" programs_gone
		pkill -KILL mkexec 2>/dev/null # whatever a failure left
		programs_gone >/dev/null
	done
done
eq "the next job runs on the same cores" "cpus of rank 1: 3-4" \
	"$(run ompi 2 mkexec ./mpi_check_ompi 2>&1 | grep '^cpus of rank 1')"
eq "the LWK's free memory is back" "$free0" "$(lwk_free)"
ok "shutdown" mkctl shutdown
ok "rmmod" rmmod mk
ok "dmesg shows no warning or oops" dmesg_clean
finish
