/*
 * risktrain minimal OpenMP runtime for emscripten pthreads.
 * SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the risktrain authors.
 *
 * Internal declarations shared by the runtime's translation units. The entry
 * points follow the ABI of LLVM's OpenMP runtime (libomp, `__kmpc_*`) that
 * clang's -fopenmp code generation calls.
 */
#ifndef KMP_INTERNAL_H
#define KMP_INTERNAL_H

#include <stdatomic.h>
#include <stdint.h>

/* Largest team, and largest number of shared variables an outlined parallel
 * region may capture (clang passes each as one pointer-sized argument). */
#define KMP_MAX_THREADS 64
#define KMP_MAX_ARGS 48
/* Dynamic-loop buffers in flight at once (nowait loops may overlap). */
#define KMP_DISP_BUFS 8
/* Depth of nested (serialized) parallel regions one thread may enter. */
#define KMP_MAX_NESTING 32

typedef struct ident ident_t; /* opaque source-location record from clang */
typedef int32_t kmp_int32;
typedef uint32_t kmp_uint32;
typedef int64_t kmp_int64;
typedef uint64_t kmp_uint64;
typedef kmp_int32 kmp_critical_name[8];
typedef void (*kmpc_micro)(kmp_int32 *gtid, kmp_int32 *btid, ...);

/* libomp schedule kinds (enum sched_type) used by clang's code generation. */
enum {
  kmp_sch_static_chunked = 33,
  kmp_sch_static = 34,
  kmp_sch_dynamic_chunked = 35,
  kmp_sch_guided_chunked = 36,
  kmp_sch_runtime = 37,
  kmp_sch_auto = 38,
  kmp_sch_trapezoidal = 39,
  kmp_sch_static_greedy = 40,
  kmp_sch_static_balanced = 41,
  kmp_sch_guided_iterative_chunked = 42,
  kmp_sch_guided_analytical_chunked = 43,
  kmp_sch_static_steal = 44,
  kmp_sch_static_balanced_chunked = 45,
  kmp_sch_guided_simd = 46,
  kmp_sch_runtime_simd = 47,
  kmp_ord_lower = 64,
  kmp_ord_upper = 72,
  kmp_nm_lower = 160,
  kmp_sch_modifier_mask = (1 << 29) | (1 << 30)
};

/* A word threads wait on: spin for the block time, then sleep on a futex. */
typedef struct {
  _Atomic uint32_t val;
  _Atomic uint32_t sleepers;
} kmp_flag;

/* State of one dynamically scheduled loop shared by the team. */
typedef struct {
  _Atomic uint32_t instance; /* loop instance this buffer currently serves */
  _Atomic uint32_t finished; /* threads that saw the loop end */
  _Atomic int64_t next;      /* next unassigned iteration (0-based) */
  char pad[64 - 16];
} kmp_disp_buf;

/* Per-thread view of the loop it is dispatching. */
typedef struct {
  int64_t lb, st, trip, chunk;
  int32_t sched;
  int32_t done;
  int64_t static_next; /* static schedules through dispatch: next chunk index */
  kmp_disp_buf *buf;
  uint32_t instance;
} kmp_disp_state;

/* Saved team membership, restored when a (serialized) region ends. */
typedef struct {
  int32_t tid, nproc, level, active_level;
  uint32_t disp_count, single_count;
  kmp_disp_state disp;
} kmp_frame;

/* Thread-local runtime state. */
typedef struct {
  int32_t gtid;           /* 0 for application threads, 1.. for pool workers */
  int32_t tid;            /* thread number in the current team */
  int32_t nproc;          /* size of the current team (1 outside a region) */
  int32_t level;          /* enclosing parallel regions, active or not */
  int32_t active_level;   /* enclosing regions with more than one thread */
  int32_t pushed_threads; /* num_threads clause for the next region, 0 = none */
  uint32_t disp_count;    /* dynamic loops started in this region */
  uint32_t single_count;  /* single constructs met in this region */
  kmp_disp_state disp;
  int32_t depth;
  kmp_frame saved[KMP_MAX_NESTING];
} kmp_thread;

/* The one active team (nested regions run serialized, as libomp does by default). */
typedef struct {
  kmpc_micro fn;
  int32_t argc;
  void *argv[KMP_MAX_ARGS];
  int32_t nproc;
  _Atomic int32_t remaining; /* workers still running the region */
  kmp_flag join;             /* set to the region number when all workers finished */
  _Atomic uint32_t bar_count;
  kmp_flag bar;              /* barrier generation */
  _Atomic uint32_t single_next;
  void *red_data[KMP_MAX_THREADS];
  kmp_disp_buf disp[KMP_DISP_BUFS];
} kmp_team;

extern _Thread_local kmp_thread __kmp_th;
extern kmp_team __kmp_team;

void __kmp_flag_wait_ne(kmp_flag *f, uint32_t old);
void __kmp_flag_set(kmp_flag *f, uint32_t v);
void __kmp_team_barrier(void (*action)(void *), void *arg);
void __kmp_fatal(const char *msg);
int32_t __kmp_capacity(void);
int32_t __kmp_default_threads(void);
void __kmp_set_default_threads(int32_t n);
void __kmp_set_blocktime(double ms);
double __kmp_get_blocktime(void);
int __kmp_stop_pool(void);

#endif
