/*
 * What a wake-up costs on this machine, apart from any relay: the smallest epoll loop that forwards UDP. A sender
 * process sends K datagrams of 172 bytes (a PCMU packet) every millisecond, as rtpload's tick does, to a socket the
 * loop waits on (edge-triggered epoll); the loop reads each and sends it on to a third socket, which it drains.
 * Prints the loop's CPU (user + system, its process only) per wake-up and per packet. At K packets per tick a
 * relay can cost no less than this per packet; the rest of a relay's cost is its own work (BENCHMARKS.md, run 20).
 *
 *   gcc -O2 -o /tmp/wakeup-floor scripts/bench/wakeup-floor.c && /tmp/wakeup-floor 10 10   # K=10, 10 s measured
 *
 * Loopback only: every socket is bound to an ephemeral port of 127.0.0.1.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int udp_socket(struct sockaddr_in *bound) {
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        perror("socket");
        exit(2);
    }
    if (bound) *bound = a;
    return fd;
}

static double cpu_micros(void) {
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return (r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1e6 + r.ru_utime.tv_usec + r.ru_stime.tv_usec;
}

static double seconds_since(const struct timespec *t0) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) + (t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* The generator: K datagrams to `to` at the start of every millisecond, until killed. */
static void send_ticks(int k, const struct sockaddr_in *to) {
    int fd = udp_socket(NULL);
    char packet[172] = {(char)0x80};
    struct timespec next;
    clock_gettime(CLOCK_MONOTONIC, &next);
    for (;;) {
        for (int i = 0; i < k; i++) sendto(fd, packet, sizeof packet, 0, (const struct sockaddr *)to, sizeof *to);
        next.tv_nsec += 1000000;
        if (next.tv_nsec >= 1000000000) { next.tv_nsec -= 1000000000; next.tv_sec++; }
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
    }
}

int main(int argc, char **argv) {
    if (argc != 3 || atoi(argv[1]) < 1 || atoi(argv[2]) < 1) {
        fprintf(stderr, "usage: %s PACKETS_PER_MS SECONDS\n", argv[0]);
        return 2;
    }
    int k = atoi(argv[1]), seconds = atoi(argv[2]);
    struct sockaddr_in in_addr, out_addr;
    int in = udp_socket(&in_addr), out = udp_socket(&out_addr);
    pid_t generator = fork();
    if (generator < 0) { // and never kill(-1, ...) below: that would signal every process we may signal
        perror("fork");
        return 2;
    }
    if (generator == 0) send_ticks(k, &in_addr);
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.fd = in};
    epoll_ctl(ep, EPOLL_CTL_ADD, in, &ev);
    char buf[2048];
    long wakes = 0, packets = 0;
    int measuring = 0;
    double cpu0 = 0;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        struct epoll_event ready[4];
        if (epoll_wait(ep, ready, 4, -1) <= 0) continue;
        wakes += measuring;
        ssize_t n;
        while ((n = recv(in, buf, sizeof buf, 0)) >= 0) {
            sendto(out, buf, n, 0, (struct sockaddr *)&out_addr, sizeof out_addr);
            packets += measuring;
        }
        while (recv(out, buf, sizeof buf, 0) >= 0) {
        }
        if (!measuring && seconds_since(&t0) > 2) { // 2 s of warm-up
            measuring = 1;
            cpu0 = cpu_micros();
            clock_gettime(CLOCK_MONOTONIC, &t0);
        } else if (measuring && seconds_since(&t0) >= seconds) {
            break;
        }
    }
    double used = cpu_micros() - cpu0;
    kill(generator, SIGKILL);
    waitpid(generator, NULL, 0);
    printf("packets per tick %d: %.0f wake-ups/s, %.0f packets/s, %.1f %% of a core, %.1f us per wake-up, "
           "%.2f us per packet\n", k, wakes / (double)seconds, packets / (double)seconds, used / seconds / 1e4,
           used / wakes, used / packets);
    return 0;
}
