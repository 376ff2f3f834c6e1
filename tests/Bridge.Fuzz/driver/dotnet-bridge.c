// libFuzzer front end for a .NET harness that calls SharpFuzz's Fuzzer.LibFuzzer.Run.
// Built by scripts/fuzz with `clang-14 -fsanitize=fuzzer`. libFuzzer owns mutation, corpus and
// crash files; this file starts the harness once and then, per input, hands it the bytes through
// System V shared memory and reads back its verdict through a pipe. SharpFuzz's instrumentation
// writes AFL-style edge hit counts into the first 64 KiB of that shared memory; they are copied
// into libFuzzer's extra-counters section after each run so libFuzzer sees managed coverage.
//
// Usage: driver [libFuzzer flags] --target_path=/usr/bin/dotnet --target_arg=Bridge.Fuzz.dll
//        --target_arg=frame CORPUS...   (libFuzzer ignores flags that start with "--").
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

// The layout SharpFuzz expects: edge map, then the input.
#define EDGE_MAP_BYTES (1 << 16)
#define INPUT_MAX_BYTES (1 << 20)
#define MAX_TARGET_ARGS 16

__attribute__((used, section("__libfuzzer_extra_counters"))) static uint8_t managed_edges[EDGE_MAP_BYTES];

static uint8_t *shared;
static int control_fd = -1; // we write input sizes
static int status_fd = -1;  // we read verdicts
static pid_t harness = -1;

static void fail(const char *what)
{
    fprintf(stderr, "dotnet-bridge: %s: %s\n", what, errno ? strerror(errno) : "unexpected end of stream");
    exit(1);
}

// Reads or writes exactly n bytes; 0 on success, -1 on error or end of stream.
static int transfer(int fd, void *buf, size_t n, int writing)
{
    uint8_t *p = buf;
    while (n > 0)
    {
        ssize_t k = writing ? write(fd, p, n) : read(fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

static void stop_harness(void)
{
    if (harness > 0)
    {
        kill(harness, SIGKILL);
        waitpid(harness, NULL, 0);
        harness = -1;
    }
}

static const char *flag_value(const char *arg, const char *name)
{
    size_t n = strlen(name);
    return strncmp(arg, name, n) == 0 && arg[n] == '=' ? arg + n + 1 : NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *path = NULL;
    char *target_argv[MAX_TARGET_ARGS + 2];
    int target_argc = 1;
    for (int i = 1; i < *argc; i++)
    {
        const char *v;
        if ((v = flag_value((*argv)[i], "--target_path"))) path = v;
        else if ((v = flag_value((*argv)[i], "--target_arg")) && target_argc <= MAX_TARGET_ARGS) target_argv[target_argc++] = (char *)v;
    }
    if (!path)
    {
        fprintf(stderr, "dotnet-bridge: --target_path=EXECUTABLE is required\n");
        exit(2);
    }
    target_argv[0] = (char *)path;
    target_argv[target_argc] = NULL;

    int id = shmget(IPC_PRIVATE, EDGE_MAP_BYTES + INPUT_MAX_BYTES, IPC_CREAT | IPC_EXCL | 0600);
    if (id < 0) fail("shmget");
    shared = shmat(id, NULL, 0);
    if (shared == (void *)-1) fail("shmat");

    int control[2], status[2];
    if (pipe(control) != 0 || pipe(status) != 0) fail("pipe");
    // Our ends must not leak into the harness, or it would never see end of stream.
    fcntl(control[1], F_SETFD, FD_CLOEXEC);
    fcntl(status[0], F_SETFD, FD_CLOEXEC);

    char value[32];
    snprintf(value, sizeof value, "%d", id);
    setenv("__LIBFUZZER_SHM_ID", value, 1);
    snprintf(value, sizeof value, "%d", control[0]);
    setenv("__LIBFUZZER_CONTROL_PIPE_ID", value, 1);
    snprintf(value, sizeof value, "%d", status[1]);
    setenv("__LIBFUZZER_STATUS_PIPE_ID", value, 1);

    pid_t parent = getpid();
    harness = fork();
    if (harness < 0) fail("fork");
    if (harness == 0)
    {
        // libFuzzer ends a timed-out run with _exit: the harness must not outlive it.
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(1);
        execv(path, target_argv);
        perror("dotnet-bridge: execv");
        _exit(127);
    }
    close(control[0]);
    close(status[1]);
    control_fd = control[1];
    status_fd = status[0];
    // The segment lives until both sides detach; nothing to clean up if we die.
    shmctl(id, IPC_RMID, NULL);
    atexit(stop_harness);

    int32_t ready;
    if (transfer(status_fd, &ready, sizeof ready, 0) != 0) fail("harness did not start");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > INPUT_MAX_BYTES) size = INPUT_MAX_BYTES;
    memset(shared, 0, EDGE_MAP_BYTES);
    memcpy(shared + EDGE_MAP_BYTES, data, size);
    int32_t n = (int32_t)size, verdict;
    if (transfer(control_fd, &n, sizeof n, 1) != 0 || transfer(status_fd, &verdict, sizeof verdict, 0) != 0)
    {
        // The harness died without a verdict (stack overflow, fail-fast): a crash of this input.
        fprintf(stderr, "dotnet-bridge: the harness process died on this input\n");
        abort();
    }
    memcpy(managed_edges, shared, EDGE_MAP_BYTES);
    if (verdict != 0)
    {
        // The harness printed the exception; abort so libFuzzer saves the input as crash-*.
        fprintf(stderr, "dotnet-bridge: the harness reported an unexpected exception\n");
        abort();
    }
    return 0;
}
