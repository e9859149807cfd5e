/*
 * Checks of the risktrain OpenMP runtime, compiled with clang -fopenmp and run
 * under Deno by tests/omp_runtime_test.ts. Each check returns a failure count and
 * prints what went wrong.
 * SPDX-License-Identifier: MIT
 */
#include <emscripten.h>
#include <omp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N 10007
static int owner[N];
static int hits[N];

static int fail(const char *what, long a, long b) {
  printf("FAIL %s: got %ld, expected %ld\n", what, a, b);
  return 1;
}

static void reset(void) {
  memset(owner, -1, sizeof owner);
  memset(hits, 0, sizeof hits);
}

static int each_once(const char *what, int n) {
  for (int i = 0; i < n; i++) {
    if (hits[i] != 1) return fail(what, hits[i], 1);
  }
  return 0;
}

/* schedule(static): thread t owns the contiguous block [t*c, (t+1)*c), c = ceil(n/T)
 * (libomp's greedy split); with n < T thread t owns iteration t. */
static int check_static(int threads, int n) {
  int team = 0, bad = 0;
  reset();
#pragma omp parallel for schedule(static) num_threads(threads)
  for (int i = 0; i < n; i++) {
    owner[i] = omp_get_thread_num();
    __atomic_fetch_add(&hits[i], 1, __ATOMIC_RELAXED);
    if (i == 0) team = omp_get_num_threads();
  }
  if (team != threads) bad += fail("static team size", team, threads);
  int c = (n + team - 1) / team;
  for (int i = 0; i < n; i++) {
    if (owner[i] != i / c) return bad + fail("static owner", owner[i], i / c);
  }
  return bad + each_once("static", n);
}

/* schedule(static, k): chunk j goes to thread j % T. */
static int check_static_chunked(int threads, int n, int k) {
  int team = 0;
  reset();
#pragma omp parallel for schedule(static, k) num_threads(threads)
  for (int i = 0; i < n; i++) {
    owner[i] = omp_get_thread_num();
    __atomic_fetch_add(&hits[i], 1, __ATOMIC_RELAXED);
    if (i == 0) team = omp_get_num_threads();
  }
  for (int i = 0; i < n; i++) {
    if (owner[i] != (i / k) % team) return fail("static chunked owner", owner[i], (i / k) % team);
  }
  return each_once("static chunked", n);
}

/* Negative increment, 64-bit and unsigned induction variables. */
static int check_loop_kinds(int threads) {
  int bad = 0;
  reset();
#pragma omp parallel for schedule(static) num_threads(threads)
  for (int i = N - 1; i >= 0; i -= 3) __atomic_fetch_add(&hits[i], 1, __ATOMIC_RELAXED);
  for (int i = 0; i < N; i++) {
    int want = (N - 1 - i) % 3 == 0;
    if (hits[i] != want) return fail("negative step hits", hits[i], want);
  }
  int64_t s64 = 0;
#pragma omp parallel for schedule(static) reduction(+ : s64) num_threads(threads)
  for (int64_t i = 5000000000LL; i < 5000000000LL + 100000; i++) s64 += i - 5000000000LL;
  if (s64 != 100000LL * 99999 / 2) bad += fail("int64 loop sum", (long)(s64 / 1000), 100000LL * 99999 / 2000);
  uint64_t su = 0;
#pragma omp parallel for schedule(dynamic, 7) reduction(+ : su) num_threads(threads)
  for (unsigned u = 10; u < 20010; u += 2) su += u;
  uint64_t want = 0;
  for (unsigned u = 10; u < 20010; u += 2) want += u;
  if (su != want) bad += fail("unsigned dynamic sum", (long)su, (long)want);
  return bad;
}

static int check_dynamic(int threads, int chunk) {
  reset();
  int used[64] = {0};
#pragma omp parallel for schedule(dynamic, chunk) num_threads(threads)
  for (int i = 0; i < N; i++) {
    __atomic_fetch_add(&hits[i], 1, __ATOMIC_RELAXED);
    used[omp_get_thread_num()] = 1;
  }
  return each_once("dynamic", N);
}

static int check_guided(int threads) {
  reset();
#pragma omp parallel for schedule(guided) num_threads(threads)
  for (int i = 0; i < N; i++) __atomic_fetch_add(&hits[i], 1, __ATOMIC_RELAXED);
  return each_once("guided", N);
}

/* More consecutive nowait dynamic loops than the runtime has loop buffers. */
static int check_nowait_loops(int threads) {
  static int counts[20][512];
  memset(counts, 0, sizeof counts);
#pragma omp parallel num_threads(threads)
  {
    for (int l = 0; l < 20; l++) {
#pragma omp for schedule(dynamic, 3) nowait
      for (int i = 0; i < 512; i++) __atomic_fetch_add(&counts[l][i], 1, __ATOMIC_RELAXED);
    }
  }
  for (int l = 0; l < 20; l++) {
    for (int i = 0; i < 512; i++) {
      if (counts[l][i] != 1) return fail("nowait dynamic loops", counts[l][i], 1);
    }
  }
  return 0;
}

static int check_reductions(int threads) {
  int bad = 0;
  long isum = 0;
  double dsum = 0, dsum2 = 0, dmax = 0;
#pragma omp parallel for schedule(static) reduction(+ : isum, dsum) num_threads(threads)
  for (int i = 0; i < N; i++) {
    isum += i;
    dsum += 1.0 / (i + 1);
  }
#pragma omp parallel for schedule(static) reduction(+ : dsum2) reduction(max : dmax) num_threads(threads)
  for (int i = 0; i < N; i++) {
    dsum2 += 1.0 / (i + 1);
    if (i * 0.5 > dmax) dmax = i * 0.5;
  }
  if (isum != (long)N * (N - 1) / 2) bad += fail("int reduction", isum, (long)N * (N - 1) / 2);
  if (dsum != dsum2) bad += fail("double reduction is deterministic", (long)(dsum * 1e15), (long)(dsum2 * 1e15));
  double serial = 0;
  for (int i = 0; i < N; i++) serial += 1.0 / (i + 1);
  if (dsum < serial - 1e-9 || dsum > serial + 1e-9) bad += fail("double reduction value", (long)(dsum * 1e9), (long)(serial * 1e9));
  if (dmax != (N - 1) * 0.5) bad += fail("max reduction", (long)dmax, (long)((N - 1) * 0.5));
  /* A blocking (non-nowait) reduction on a worksharing loop inside a region. */
  long inner = 0;
#pragma omp parallel num_threads(threads)
  {
#pragma omp for reduction(+ : inner)
    for (int i = 0; i < 1000; i++) inner += i;
    if (inner != 999 * 1000 / 2) __atomic_fetch_add(&bad, 1, __ATOMIC_RELAXED);
  }
  if (bad) printf("FAIL blocking reduction\n");
  return bad;
}

static int check_sync(int threads) {
  int bad = 0;
  long counter = 0;
  int singles = 0, masters = 0;
  int phase[64];
#pragma omp parallel num_threads(threads)
  {
    int t = omp_get_thread_num();
    for (int k = 0; k < 1000; k++) {
#pragma omp critical
      counter++;
    }
#pragma omp single
    singles++;
#pragma omp master
    masters++;
    phase[t] = 1;
#pragma omp barrier
    for (int j = 0; j < omp_get_num_threads(); j++) {
      if (phase[j] != 1) __atomic_fetch_add(&bad, 1, __ATOMIC_RELAXED);
    }
#pragma omp barrier
    phase[t] = 2;
  }
  if (counter != 1000L * threads) bad += fail("critical counter", counter, 1000L * threads);
  if (singles != 1) bad += fail("single executions", singles, 1);
  if (masters != 1) bad += fail("master executions", masters, 1);
  return bad;
}

static int check_nesting(int threads) {
  int bad = 0, outer = 0;
  int inner[64] = {0};
  int levels[64] = {0};
#pragma omp parallel num_threads(threads)
  {
    outer = omp_get_num_threads();
#pragma omp parallel num_threads(threads)
    {
      inner[omp_get_thread_num()] = omp_get_num_threads();
      levels[0] = omp_get_level();
#pragma omp parallel for schedule(dynamic)
      for (int i = 0; i < 10; i++) __atomic_fetch_add(&hits[i], 0, __ATOMIC_RELAXED);
    }
  }
  if (outer != threads) bad += fail("outer team", outer, threads);
  if (inner[0] != 1) bad += fail("nested team is serialized", inner[0], 1);
  if (levels[0] != 2) bad += fail("nesting level", levels[0], 2);
  int serial = -1;
  int go = 0;
#pragma omp parallel if (go) num_threads(threads)
  serial = omp_get_num_threads();
  if (serial != 1) bad += fail("if(false) region", serial, 1);
  if (omp_in_parallel()) bad += fail("in parallel after regions", 1, 0);
  return bad;
}

/* Runs every check with a team of `threads`; returns the number of failures. */
EMSCRIPTEN_KEEPALIVE int omp_check(int threads) {
  int bad = 0;
  omp_set_num_threads(threads);
  if (omp_get_max_threads() != threads) bad += fail("omp_get_max_threads", omp_get_max_threads(), threads);
  for (int n = 1; n <= 9; n++) bad += check_static(threads, n);
  bad += check_static(threads, N);
  bad += check_static_chunked(threads, N, 1);
  bad += check_static_chunked(threads, N, 64);
  bad += check_static_chunked(threads, 5, 4);
  bad += check_loop_kinds(threads);
  bad += check_dynamic(threads, 1);
  bad += check_dynamic(threads, 100);
  bad += check_guided(threads);
  bad += check_nowait_loops(threads);
  bad += check_reductions(threads);
  bad += check_sync(threads);
  bad += check_nesting(threads);
  return bad;
}

/* Team size a parallel region gets by default (omp_get_max_threads()). */
EMSCRIPTEN_KEEPALIVE int omp_default_team(void) {
  omp_set_num_threads(0);
  int team = 0;
#pragma omp parallel
  {
#pragma omp master
    team = omp_get_num_threads();
  }
  return team;
}

/* Mean cost in microseconds of an empty parallel region with `threads` threads. */
EMSCRIPTEN_KEEPALIVE double omp_region_cost_us(int threads, int regions) {
  int sink = 0;
  double t0 = omp_get_wtime();
  for (int r = 0; r < regions; r++) {
#pragma omp parallel num_threads(threads)
    {
      if (omp_get_thread_num() == 0) sink++;
    }
  }
  double us = (omp_get_wtime() - t0) * 1e6 / regions;
  return sink == regions ? us : -1;
}
