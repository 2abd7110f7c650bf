/*
 * alternate.c -- times several commands in rounds (A B C A B C ...), so that whatever else the
 * machine does drifts over all of them alike, and prints the median wall time of each in ms.
 * Commands run directly (fork + execvp, output to /dev/null), as hyperfine -N does.
 *
 * Build: cc -O2 -o alternate alternate.c
 * Usage: alternate ROUNDS CMD1 ARGS... ';;' CMD2 ARGS... [';;' ...]
 * Output: one line per command: "<median ms> <exit status of its last run>".
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double run_once(char **argv, int *status)
{
    double start = now_ms();
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    waitpid(pid, status, 0);
    return now_ms() - start;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: alternate ROUNDS CMD ARGS... [';;' CMD ARGS...]\n");
        return 2;
    }
    int rounds = atoi(argv[1]), ncmd = 0;
    char **cmds[64];
    cmds[ncmd++] = &argv[2];
    for (int i = 2; i < argc && ncmd < 64; i++)
        if (strcmp(argv[i], ";;") == 0) {
            argv[i] = NULL;
            cmds[ncmd++] = &argv[i + 1];
        }
    double *t = calloc((size_t)rounds * ncmd, sizeof *t);
    int *status = calloc(ncmd, sizeof *status);
    for (int c = 0; c < ncmd; c++) /* warm-up */
        run_once(cmds[c], &status[c]);
    for (int r = 0; r < rounds; r++)
        for (int c = 0; c < ncmd; c++)
            t[c * rounds + r] = run_once(cmds[c], &status[c]);
    for (int c = 0; c < ncmd; c++) {
        qsort(&t[c * rounds], rounds, sizeof *t, cmp);
        printf("%.3f %d\n", t[c * rounds + rounds / 2], WEXITSTATUS(status[c]));
    }
    return 0;
}
