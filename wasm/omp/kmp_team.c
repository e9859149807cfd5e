/*
 * risktrain minimal OpenMP runtime for emscripten pthreads: thread pool,
 * parallel regions (fork/join), barriers.
 * SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the risktrain authors.
 *
 * Pool threads are created once (on the first region that needs them) and park
 * between regions: they spin for the block time (default 200 ms, like libomp's
 * KMP_BLOCKTIME; not at all when the team has more threads than cores) and
 * then sleep on a futex. Nested regions run serialized
 * (a team of one), which is libomp's default (max-active-levels = 1).
 */
#include <emscripten.h>
#include <emscripten/threading.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "kmp_internal.h"
#include "kmp_invoke.h"

_Thread_local kmp_thread __kmp_th = {.nproc = 1};
kmp_team __kmp_team;

/* One start flag per pool thread, on its own cache line. */
typedef struct {
  kmp_flag go;
  char pad[64 - sizeof(kmp_flag)];
} kmp_worker_slot;

static kmp_worker_slot slots[KMP_MAX_THREADS];
static int32_t workers_started; /* pool threads 1..workers_started exist */
static _Atomic int32_t team_busy;
static uint32_t region_gen;
static int32_t capacity = 1;   /* pool threads + the calling thread */
static int32_t nthreads_var;   /* omp_set_num_threads(); 0 = capacity */
static double blocktime_ms = 200.0;
static int32_t cores = 1;
static _Atomic int32_t oversubscribed; /* last team had more threads than cores */
static _Atomic int32_t stopping;       /* omp_pause_resource_all() was called */
static kmp_flag stopped;               /* pool threads that have returned */

void __kmp_fatal(const char *msg) {
  fprintf(stderr, "OpenMP runtime (risktrain wasm): %s\n", msg);
  abort();
}

/* Workers the prewarmed emscripten pool holds: only those can start
 * synchronously, so teams never grow beyond them. */
EM_JS(int, kmp_pool_workers, (void), {
  return typeof PThread != "undefined" && PThread.unusedWorkers
      ? PThread.unusedWorkers.length + PThread.runningWorkers.length
      : 0;
});

__attribute__((constructor)) static void kmp_init_capacity(void) {
  int32_t n = kmp_pool_workers() + 1;
  capacity = n > KMP_MAX_THREADS ? KMP_MAX_THREADS : n;
  cores = emscripten_num_logical_cores();
}

int32_t __kmp_capacity(void) { return capacity; }

int32_t __kmp_default_threads(void) {
  return nthreads_var > 0 && nthreads_var < capacity ? nthreads_var : capacity;
}

void __kmp_set_default_threads(int32_t n) { nthreads_var = n; }

void __kmp_set_blocktime(double ms) { blocktime_ms = ms < 0 ? 0 : ms; }

double __kmp_get_blocktime(void) { return blocktime_ms; }

void __kmp_flag_wait_ne(kmp_flag *f, uint32_t old) {
  if (atomic_load_explicit(&f->val, memory_order_acquire) != old) return;
  /* With more threads than cores, spinning only delays the threads that work. */
  double spin = atomic_load_explicit(&oversubscribed, memory_order_relaxed) ? 0 : blocktime_ms;
  double deadline = emscripten_get_now() + spin;
  for (;;) {
    for (int i = 0; i < 1024; i++) {
      if (atomic_load_explicit(&f->val, memory_order_acquire) != old) return;
    }
    if (emscripten_get_now() > deadline) break;
  }
  for (;;) {
    atomic_fetch_add(&f->sleepers, 1);
    if (atomic_load(&f->val) == old) emscripten_futex_wait(&f->val, old, INFINITY);
    atomic_fetch_sub(&f->sleepers, 1);
    if (atomic_load(&f->val) != old) return;
  }
}

void __kmp_flag_set(kmp_flag *f, uint32_t v) {
  atomic_store(&f->val, v);
  if (atomic_load(&f->sleepers) != 0) emscripten_futex_wake(&f->val, INT_MAX);
}

void __kmp_team_barrier(void (*action)(void *), void *arg) {
  kmp_team *t = &__kmp_team;
  uint32_t gen = atomic_load(&t->bar.val);
  if (atomic_fetch_add(&t->bar_count, 1) == (uint32_t)t->nproc - 1) {
    atomic_store(&t->bar_count, 0);
    if (action) action(arg);
    __kmp_flag_set(&t->bar, gen + 1);
  } else {
    __kmp_flag_wait_ne(&t->bar, gen);
  }
}

static void push_frame(kmp_thread *th, int32_t tid, int32_t nproc, int active) {
  if (th->depth == KMP_MAX_NESTING) __kmp_fatal("parallel regions nested too deeply");
  kmp_frame *f = &th->saved[th->depth++];
  f->tid = th->tid;
  f->nproc = th->nproc;
  f->level = th->level;
  f->active_level = th->active_level;
  f->disp_count = th->disp_count;
  f->single_count = th->single_count;
  f->disp = th->disp;
  th->tid = tid;
  th->nproc = nproc;
  th->level++;
  th->active_level += active;
  th->disp_count = 0;
  th->single_count = 0;
}

static void pop_frame(kmp_thread *th) {
  kmp_frame *f = &th->saved[--th->depth];
  th->tid = f->tid;
  th->nproc = f->nproc;
  th->level = f->level;
  th->active_level = f->active_level;
  th->disp_count = f->disp_count;
  th->single_count = f->single_count;
  th->disp = f->disp;
}

static void *worker_main(void *arg) {
  int32_t id = (int32_t)(intptr_t)arg;
  kmp_thread *th = &__kmp_th;
  kmp_team *t = &__kmp_team;
  kmp_flag *go = &slots[id].go;
  th->gtid = id;
  uint32_t seen = 0;
  for (;;) {
    __kmp_flag_wait_ne(go, seen);
    seen = atomic_load_explicit(&go->val, memory_order_acquire);
    if (atomic_load(&stopping)) break;
    push_frame(th, id, t->nproc, 1);
    kmp_int32 gtid = id, btid = id;
    kmp_invoke(t->fn, &gtid, &btid, t->argc, t->argv);
    pop_frame(th);
    if (atomic_fetch_sub(&t->remaining, 1) == 1) __kmp_flag_set(&t->join, seen);
  }
  atomic_fetch_add(&stopped.val, 1);
  if (atomic_load(&stopped.sleepers) != 0) emscripten_futex_wake(&stopped.val, INT_MAX);
  return NULL;
}

/* Stops the pool threads and waits until each has returned to its worker's event
 * loop: a Deno worker blocked in wasm (spinning or in Atomics.wait) cannot be
 * terminated, so this must run before PThread.terminateAllThreads(). Later
 * parallel regions run on the calling thread alone. Returns 0, or -1 while a
 * parallel region is running. */
int __kmp_stop_pool(void) {
  int32_t idle = 0;
  if (!atomic_compare_exchange_strong(&team_busy, &idle, 1)) return -1;
  capacity = 1;
  atomic_store(&stopping, 1);
  uint32_t gen = ++region_gen;
  for (int32_t i = 1; i <= workers_started; i++) __kmp_flag_set(&slots[i].go, gen);
  for (;;) {
    uint32_t n = atomic_load(&stopped.val);
    if (n == (uint32_t)workers_started) break;
    __kmp_flag_wait_ne(&stopped, n);
  }
  workers_started = 0;
  atomic_store(&team_busy, 0);
  return 0;
}

static void start_workers(int32_t upto) {
  while (workers_started < upto) {
    pthread_t thread;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int32_t id = workers_started + 1;
    if (pthread_create(&thread, &attr, worker_main, (void *)(intptr_t)id) != 0) {
      __kmp_fatal("pthread_create failed for an OpenMP pool thread");
    }
    pthread_attr_destroy(&attr);
    workers_started = id;
  }
}

static void run_team(kmp_thread *th, kmpc_micro fn, int32_t argc, void **argv, int32_t n) {
  kmp_team *t = &__kmp_team;
  start_workers(n - 1);
  atomic_store_explicit(&oversubscribed, n > cores, memory_order_relaxed);
  t->fn = fn;
  t->argc = argc;
  for (int32_t i = 0; i < argc; i++) t->argv[i] = argv[i];
  t->nproc = n;
  atomic_store(&t->remaining, n - 1);
  atomic_store(&t->single_next, 0);
  for (uint32_t b = 0; b < KMP_DISP_BUFS; b++) {
    atomic_store(&t->disp[b].next, 0);
    atomic_store(&t->disp[b].finished, 0);
    atomic_store(&t->disp[b].instance, b);
  }
  uint32_t joined = atomic_load(&t->join.val);
  uint32_t gen = ++region_gen;
  if (gen == 0) gen = ++region_gen; /* 0 is a fresh pool thread's flag value */
  for (int32_t i = 1; i < n; i++) __kmp_flag_set(&slots[i].go, gen);
  push_frame(th, 0, n, 1);
  kmp_int32 gtid = th->gtid, btid = 0;
  kmp_invoke(fn, &gtid, &btid, argc, argv);
  pop_frame(th);
  __kmp_flag_wait_ne(&t->join, joined);
}

void __kmpc_fork_call(ident_t *loc, kmp_int32 argc, kmpc_micro fn, ...) {
  (void)loc;
  if (argc < 0 || argc > KMP_MAX_ARGS) __kmp_fatal("parallel region captures more variables than KMP_MAX_ARGS");
  void *argv[KMP_MAX_ARGS];
  va_list ap;
  va_start(ap, fn);
  for (int32_t i = 0; i < argc; i++) argv[i] = va_arg(ap, void *);
  va_end(ap);
  kmp_thread *th = &__kmp_th;
  int32_t n = th->pushed_threads > 0 ? th->pushed_threads : __kmp_default_threads();
  th->pushed_threads = 0;
  if (n > capacity) n = capacity;
  int32_t idle = 0;
  if (n > 1 && th->active_level == 0 && atomic_compare_exchange_strong(&team_busy, &idle, 1)) {
    run_team(th, fn, argc, argv, n);
    atomic_store(&team_busy, 0);
    return;
  }
  push_frame(th, 0, 1, 0);
  kmp_int32 gtid = th->gtid, btid = 0;
  kmp_invoke(fn, &gtid, &btid, argc, argv);
  pop_frame(th);
}

void __kmpc_serialized_parallel(ident_t *loc, kmp_int32 gtid) {
  (void)loc;
  (void)gtid;
  __kmp_th.pushed_threads = 0;
  push_frame(&__kmp_th, 0, 1, 0);
}

void __kmpc_end_serialized_parallel(ident_t *loc, kmp_int32 gtid) {
  (void)loc;
  (void)gtid;
  pop_frame(&__kmp_th);
}

void __kmpc_push_num_threads(ident_t *loc, kmp_int32 gtid, kmp_int32 num_threads) {
  (void)loc;
  (void)gtid;
  __kmp_th.pushed_threads = num_threads;
}

kmp_int32 __kmpc_global_thread_num(ident_t *loc) {
  (void)loc;
  return __kmp_th.gtid;
}

kmp_int32 __kmpc_global_num_threads(ident_t *loc) {
  (void)loc;
  return __kmp_th.nproc;
}

kmp_int32 __kmpc_bound_thread_num(ident_t *loc) {
  (void)loc;
  return __kmp_th.tid;
}

kmp_int32 __kmpc_ok_to_fork(ident_t *loc) {
  (void)loc;
  return 1;
}

void __kmpc_barrier(ident_t *loc, kmp_int32 gtid) {
  (void)loc;
  (void)gtid;
  if (__kmp_th.nproc > 1) __kmp_team_barrier(NULL, NULL);
}
