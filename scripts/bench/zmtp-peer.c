/*
 * The C libzmq side of scripts/bench/zmtp: compiled at bench time with `cc -O2 zmtp-peer.c -lzmq`
 * (Debian's libzmq3-dev), never committed as a binary. One role per run:
 *
 *   sink   BIND_EP N          ROUTER binds, prints "READY <endpoint>", receives N messages, prints
 *                             {"n":N,"bytes":B,"secs":S} timed from the first message to the last
 *   source CONNECT_EP N SIZE  DEALER connects and sends N messages of SIZE bytes, then waits for delivery
 *   echo   BIND_EP            ROUTER binds, prints "READY <endpoint>", echoes every message until killed
 *   ping   CONNECT_EP N SIZE  DEALER sends N round trips (after 1000 warm-up ones), prints
 *                             {"n":N,"p50_us":..,"p99_us":..,"mean_us":..}
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what) {
  fprintf(stderr, "zmtp-peer: %s: %s\n", what, zmq_strerror(zmq_errno()));
  exit(1);
}

static void *bound_router(void *ctx, const char *ep) {
  void *s = zmq_socket(ctx, ZMQ_ROUTER);
  if (!s) die("socket");
  int zero = 0;
  zmq_setsockopt(s, ZMQ_RCVHWM, &zero, sizeof zero);
  zmq_setsockopt(s, ZMQ_SNDHWM, &zero, sizeof zero);
  if (zmq_bind(s, ep) != 0) die("bind");
  char last[256];
  size_t len = sizeof last;
  zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, last, &len);
  printf("READY %s\n", last);
  fflush(stdout);
  return s;
}

static void *connected_dealer(void *ctx, const char *ep) {
  void *s = zmq_socket(ctx, ZMQ_DEALER);
  if (!s) die("socket");
  if (zmq_connect(s, ep) != 0) die("connect");
  return s;
}

static int run_sink(void *ctx, const char *ep, long n) {
  void *s = bound_router(ctx, ep);
  zmq_msg_t m;
  zmq_msg_init(&m);
  double t0 = 0;
  long bytes = 0;
  for (long i = 0; i < n; i++) {
    int more = 1;
    int part = 0;
    while (more) {
      if (zmq_msg_recv(&m, s, 0) < 0) die("recv");
      if (part++ > 0) bytes += (long)zmq_msg_size(&m);
      more = zmq_msg_more(&m);
    }
    if (i == 0) t0 = now_s();
  }
  double secs = now_s() - t0;
  printf("{\"n\":%ld,\"bytes\":%ld,\"secs\":%.6f}\n", n, bytes, secs);
  fflush(stdout);
  zmq_msg_close(&m);
  zmq_close(s);
  return 0;
}

static int run_source(void *ctx, const char *ep, long n, size_t size) {
  void *s = connected_dealer(ctx, ep);
  char *buf = calloc(size ? size : 1, 1);
  for (long i = 0; i < n; i++)
    if (zmq_send(s, buf, size, 0) < 0) die("send");
  int linger = -1;
  zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
  zmq_close(s);
  free(buf);
  return 0;
}

static int run_echo(void *ctx, const char *ep) {
  void *s = bound_router(ctx, ep);
  zmq_msg_t m;
  zmq_msg_init(&m);
  for (;;) {
    int more = 1;
    while (more) {
      if (zmq_msg_recv(&m, s, 0) < 0) die("recv");
      more = zmq_msg_more(&m);
      if (zmq_msg_send(&m, s, more ? ZMQ_SNDMORE : 0) < 0) die("send");
    }
  }
  return 0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static int run_ping(void *ctx, const char *ep, long n, size_t size) {
  void *s = connected_dealer(ctx, ep);
  char *buf = calloc(size ? size : 1, 1);
  char *in = malloc(size + 16);
  double *lat = malloc(sizeof(double) * (size_t)n);
  double sum = 0;
  for (long i = -1000; i < n; i++) {
    double t = now_s();
    if (zmq_send(s, buf, size, 0) < 0) die("send");
    if (zmq_recv(s, in, size + 16, 0) < 0) die("recv");
    double us = (now_s() - t) * 1e6;
    if (i >= 0) {
      lat[i] = us;
      sum += us;
    }
  }
  qsort(lat, (size_t)n, sizeof(double), cmp_double);
  printf("{\"n\":%ld,\"p50_us\":%.2f,\"p99_us\":%.2f,\"mean_us\":%.2f}\n", n, lat[n / 2], lat[(n * 99) / 100],
         sum / (double)n);
  fflush(stdout);
  zmq_close(s);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: zmtp-peer sink|source|echo|ping ENDPOINT [N] [SIZE]\n");
    return 2;
  }
  void *ctx = zmq_ctx_new();
  const char *role = argv[1], *ep = argv[2];
  long n = argc > 3 ? atol(argv[3]) : 0;
  size_t size = argc > 4 ? (size_t)atol(argv[4]) : 64;
  int rc = 2;
  if (!strcmp(role, "sink")) rc = run_sink(ctx, ep, n);
  else if (!strcmp(role, "source")) rc = run_source(ctx, ep, n, size);
  else if (!strcmp(role, "echo")) rc = run_echo(ctx, ep);
  else if (!strcmp(role, "ping")) rc = run_ping(ctx, ep, n, size);
  else fprintf(stderr, "zmtp-peer: unknown role %s\n", role);
  zmq_ctx_term(ctx);
  return rc;
}
