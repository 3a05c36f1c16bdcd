/* Signals as a program sees them, one behaviour per mode:
 *   signals wait-int      SIGINT handler; "ready", then sleeps until SIGINT:
 *                         the sleep fails with EINTR after the handler ran
 *                         (it prints the sender's pid), exit 0
 *   signals sleep         no handler; "ready", sleeps 30 s (SIGINT ends it: 130)
 *   signals segv|fpe|ill|abort   a fault (abort()) with no handler
 *   signals segv-handler  SIGSEGV handler gets si_addr, siglongjmp out, exit 0
 *   signals self          raise, masks, sigpending, sigtimedwait, real-time
 *                         signals queued, FPU state kept across a handler, the
 *                         alternate stack, SA_RESETHAND
 *   signals read-restart  SIGUSR1 (SA_RESTART) during a read of stdin: the read
 *                         goes on; prints what it read
 *   signals read-eintr    the same without SA_RESTART: the read fails with EINTR
 *   signals suspend       sigsuspend until SIGUSR1
 *   signals threads       a thread-directed signal reaches its thread; SIGTERM
 *                         from outside reaches the only thread not blocking it
 *                         while it computes in user mode
 *   signals sigpipe       a write to a pipe nobody reads: SIGPIPE (141)
 *   signals closefds      closes every descriptor above 2, then waits for SIGUSR1 twice
 * Prints "ready" (flushed) when the signal from outside may come. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got;
static volatile int got_sig;

static void on_signal(int sig)
{
	got++;
	got_sig = sig;
}

static void set_handler(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	if (sigaction(sig, &sa, NULL) != 0) {
		perror("sigaction");
		exit(2);
	}
}

static void ready(void)
{
	printf("ready\n");
	fflush(stdout);
}

static int fail(const char *what)
{
	printf("FAILED: %s\n", what);
	return 1;
}

static volatile pid_t sender;
static volatile int sender_code = -100;
static void on_int_info(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got++;
	got_sig = sig;
	sender = si->si_pid;
	sender_code = si->si_code;
}

static int wait_int(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_int_info;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGINT, &sa, NULL);
	ready();
	struct timespec t = {30, 0};
	int r = nanosleep(&t, &t);
	if (r != -1 || errno != EINTR)
		return fail("nanosleep was not interrupted");
	if (got != 1 || got_sig != SIGINT || sender_code != SI_USER)
		return fail("the handler did not run once, for a kill");
	printf("handled SIGINT from pid %d, sleep interrupted with %ld s left\n", (int)sender, (long)t.tv_sec);
	return 0;
}

static sigjmp_buf back;
static volatile uintptr_t fault_addr;
static volatile int fault_code;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	fault_addr = (uintptr_t)si->si_addr;
	fault_code = si->si_code;
	siglongjmp(back, 1);
}

static int segv_handler(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_segv;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	for (volatile int round = 0; round < 3; round++) {
		if (sigsetjmp(back, 1) == 0) {
			*(volatile int *)(uintptr_t)(0x1230 + round * 8) = 1;
			return fail("no fault");
		}
		if (fault_addr != 0x1230u + (unsigned)round * 8 || fault_code != SEGV_MAPERR)
			return fail("wrong si_addr or si_code");
	}
	printf("SIGSEGV handled 3 times, si_addr %#lx, SEGV_MAPERR\n", (unsigned long)fault_addr);
	return 0;
}

/* --- self ------------------------------------------------------------- */

static volatile uintptr_t handler_sp;
static void on_usr1_fp(int sig)
{
	volatile double x = 0.1;
	for (int i = 0; i < 100; i++)
		x = x * 1.0001 + 3.7; /* the handler's own FPU work */
	handler_sp = (uintptr_t)&x;
	got++;
	got_sig = sig;
}

#ifndef SS_AUTODISARM
#define SS_AUTODISARM ((int)(1u << 31)) /* Linux's, not in every libc header */
#endif

/* What sigaltstack reports inside a handler. */
static volatile int altstack_flags_inside;
static void on_usr1_altstack(int sig)
{
	stack_t cur;
	(void)sig;
	altstack_flags_inside = sigaltstack(NULL, &cur) == 0 ? cur.ss_flags : -1;
	handler_sp = (uintptr_t)&cur;
}

/* tgkill with a value in xmm0 and xmm15: the handler's FPU work must not show. */
static int fpu_kept(void)
{
	uint64_t in0 = 0x1122334455667788ull, in15 = 0x99aabbccddeeff00ull, out0, out15;
	long tid = syscall(SYS_gettid), pid = getpid();
	long r;
	__asm__ volatile("movq %[a], %%xmm0\n\tmovq %[b], %%xmm15\n\t"
			 "syscall\n\t"
			 "movq %%xmm0, %[c]\n\tmovq %%xmm15, %[d]"
			 : [c] "=r"(out0), [d] "=r"(out15), "=a"(r)
			 : [a] "r"(in0), [b] "r"(in15), "a"(SYS_tgkill), "D"(pid), "S"(tid), "d"(SIGUSR1)
			 : "rcx", "r11", "xmm0", "xmm15", "memory");
	return r == 0 && out0 == in0 && out15 == in15;
}

static int self(void)
{
	set_handler(SIGUSR1, on_usr1_fp, 0);
	set_handler(SIGUSR2, on_signal, 0);
	got = 0;
	raise(SIGUSR1);
	if (got != 1 || got_sig != SIGUSR1)
		return fail("raise: the handler did not run");

	got = 0;
	if (!fpu_kept() || got != 1)
		return fail("the FPU/SSE registers changed across a handler");

	/* Blocked: pending, not delivered, until unblocked. */
	sigset_t set, old, pend;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, &old);
	got = 0;
	kill(getpid(), SIGUSR2);
	sigpending(&pend);
	if (got != 0 || !sigismember(&pend, SIGUSR2))
		return fail("a blocked signal is not pending");
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (got != 1 || got_sig != SIGUSR2)
		return fail("unblocking did not deliver");

	/* sigtimedwait takes a blocked pending signal, with its sender. */
	sigprocmask(SIG_BLOCK, &set, NULL);
	union sigval v = {.sival_int = 4242};
	sigqueue(getpid(), SIGUSR2, v);
	siginfo_t si;
	struct timespec zero = {0, 0}, short_wait = {0, 50 * 1000 * 1000};
	got = 0;
	if (sigtimedwait(&set, &si, &zero) != SIGUSR2 || si.si_pid != getpid() || si.si_code != SI_QUEUE ||
	    si.si_value.sival_int != 4242 || got != 0)
		return fail("sigtimedwait did not take the queued signal");
	errno = 0;
	if (sigtimedwait(&set, &si, &short_wait) != -1 || errno != EAGAIN)
		return fail("sigtimedwait with nothing pending did not time out");
	sigprocmask(SIG_SETMASK, &old, NULL);

	/* Real-time signals queue: three sent, three taken, in order. */
	sigset_t rt;
	sigemptyset(&rt);
	sigaddset(&rt, SIGRTMIN + 4);
	sigprocmask(SIG_BLOCK, &rt, NULL);
	for (int i = 1; i <= 3; i++) {
		union sigval val = {.sival_int = i};
		sigqueue(getpid(), SIGRTMIN + 4, val);
	}
	for (int i = 1; i <= 3; i++)
		if (sigtimedwait(&rt, &si, &zero) != SIGRTMIN + 4 || si.si_value.sival_int != i)
			return fail("queued real-time signals did not come back in order");
	if (sigtimedwait(&rt, &si, &zero) != -1 || errno != EAGAIN)
		return fail("a fourth real-time signal came back");
	sigprocmask(SIG_SETMASK, &old, NULL);

	/* The alternate stack. */
	static char alt[64 * 1024];
	stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0};
	if (sigaltstack(&ss, NULL) != 0)
		return fail("sigaltstack");
	set_handler(SIGUSR1, on_usr1_fp, SA_ONSTACK);
	raise(SIGUSR1);
	if (handler_sp < (uintptr_t)alt || handler_sp >= (uintptr_t)alt + sizeof alt)
		return fail("SA_ONSTACK handler did not run on the alternate stack");
	set_handler(SIGUSR1, on_usr1_altstack, SA_ONSTACK);
	raise(SIGUSR1);
	if (altstack_flags_inside != SS_ONSTACK)
		return fail("inside the handler, sigaltstack did not say SS_ONSTACK");
	/* SS_AUTODISARM: no alternate stack inside the handler, armed again after. */
	ss.ss_flags = SS_AUTODISARM;
	if (sigaltstack(&ss, NULL) != 0)
		return fail("sigaltstack with SS_AUTODISARM");
	raise(SIGUSR1);
	if (handler_sp < (uintptr_t)alt || handler_sp >= (uintptr_t)alt + sizeof alt)
		return fail("SS_AUTODISARM: the handler did not run on the alternate stack");
	if (altstack_flags_inside != SS_DISABLE)
		return fail("SS_AUTODISARM: inside the handler the alternate stack was not disarmed");
	stack_t after;
	if (sigaltstack(NULL, &after) != 0 || after.ss_flags != SS_AUTODISARM || after.ss_sp != alt ||
	    after.ss_size != sizeof alt)
		return fail("SS_AUTODISARM: the alternate stack was not armed again after the handler");

	/* SA_RESETHAND: once, then the default (SIGURG's default: ignored). */
	set_handler(SIGURG, on_signal, SA_RESETHAND);
	got = 0;
	raise(SIGURG);
	raise(SIGURG);
	if (got != 1)
		return fail("SA_RESETHAND handler ran more than once");
	printf("raise, masks, sigpending, sigtimedwait, queued real-time signals, FPU state, alternate stack (SS_AUTODISARM too), SA_RESETHAND: ok\n");
	return 0;
}

static int read_after_signal(int restart)
{
	set_handler(SIGUSR1, on_signal, restart ? SA_RESTART : 0);
	ready();
	char buf[64];
	ssize_t n = read(0, buf, sizeof buf - 1);
	if (got != 1)
		return fail("the handler did not run");
	if (restart) {
		if (n <= 0)
			return fail("the read was not restarted");
		buf[n] = 0;
		printf("handler ran, read restarted: %s", buf);
		return 0;
	}
	if (n != -1 || errno != EINTR)
		return fail("the read was not interrupted");
	printf("handler ran, read interrupted (EINTR)\n");
	return 0;
}

static int suspend(void)
{
	set_handler(SIGUSR1, on_signal, 0);
	sigset_t set, none;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	ready();
	sigemptyset(&none);
	int r = sigsuspend(&none);
	sigset_t now;
	sigprocmask(SIG_BLOCK, NULL, &now);
	if (r != -1 || errno != EINTR || got != 1 || !sigismember(&now, SIGUSR1))
		return fail("sigsuspend");
	printf("sigsuspend woke for SIGUSR1, mask restored\n");
	return 0;
}

/* --- threads ------------------------------------------------------------ */

static volatile pid_t handled_by;
static void on_usr2_tid(int sig)
{
	(void)sig;
	handled_by = (pid_t)syscall(SYS_gettid);
}

static volatile pid_t worker_tid;
static volatile int stop_worker;
static void on_term(int sig)
{
	(void)sig;
	handled_by = (pid_t)syscall(SYS_gettid);
	stop_worker = 1;
}

static void *worker(void *arg)
{
	(void)arg;
	worker_tid = (pid_t)syscall(SYS_gettid);
	volatile uint64_t n = 0;
	while (!stop_worker) /* user mode only: no system call */
		n++;
	return NULL;
}

static int threads(void)
{
	set_handler(SIGUSR2, on_usr2_tid, 0);
	set_handler(SIGTERM, on_term, 0);
	pthread_t th;
	pthread_create(&th, NULL, worker, NULL);
	while (!worker_tid)
		sched_yield();
	pthread_kill(th, SIGUSR2);
	for (int i = 0; i < 1000 && handled_by != worker_tid; i++)
		usleep(1000);
	if (handled_by != worker_tid)
		return fail("pthread_kill: the handler did not run on that thread");
	handled_by = 0;
	/* The main thread blocks SIGTERM: it can only go to the worker. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	ready();
	pthread_join(th, NULL);
	if (handled_by != worker_tid)
		return fail("SIGTERM was not handled by the computing thread");
	printf("thread-directed and process-directed signals reached the right thread\n");
	return 0;
}

/* A program that closes every descriptor but 0-2 (as daemons and shells
 * do) must not close mkexec's own: signals still reach it afterwards. */
static int closefds(void)
{
	syscall(SYS_close_range, 3, ~0U, 0);
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
	set_handler(SIGUSR1, on_signal, 0);
	ready();
	for (int i = 0; i < 100 && got < 2; i++) {
		struct timespec t = {0, 100 * 1000 * 1000};
		nanosleep(&t, NULL);
	}
	if (got != 2)
		return fail("not both signals came in 10 s");
	printf("SIGUSR1 handled twice after closing every descriptor\n");
	return 0;
}

static int sigpipe(void)
{
	int p[2];
	if (pipe(p) != 0)
		return fail("pipe");
	close(p[0]);
	ssize_t n = write(p[1], "x", 1);
	printf("write returned %zd, errno %d: SIGPIPE did not end the program\n", n, errno);
	return 1;
}

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";
	if (!strcmp(m, "wait-int"))
		return wait_int();
	if (!strcmp(m, "sleep")) {
		ready();
		sleep(30);
		return 0;
	}
	if (!strcmp(m, "segv")) {
		volatile int *volatile bad = (volatile int *)(uintptr_t)0x10;
		return *bad;
	}
	if (!strcmp(m, "fpe")) {
		int q, zero = 0;
		__asm__ volatile("cltd; idivl %2" : "=a"(q) : "a"(100), "r"(zero) : "rdx");
		return q;
	}
	if (!strcmp(m, "ill")) {
		__asm__ volatile("ud2");
		return 0;
	}
	if (!strcmp(m, "abort"))
		abort();
	if (!strcmp(m, "segv-handler"))
		return segv_handler();
	if (!strcmp(m, "self"))
		return self();
	if (!strcmp(m, "read-restart"))
		return read_after_signal(1);
	if (!strcmp(m, "read-eintr"))
		return read_after_signal(0);
	if (!strcmp(m, "suspend"))
		return suspend();
	if (!strcmp(m, "threads"))
		return threads();
	if (!strcmp(m, "sigpipe"))
		return sigpipe();
	if (!strcmp(m, "closefds"))
		return closefds();
	fprintf(stderr, "usage: signals MODE (see the source)\n");
	return 2;
}
