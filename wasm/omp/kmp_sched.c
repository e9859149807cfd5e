/*
 * risktrain minimal OpenMP runtime for emscripten pthreads: loop scheduling.
 * SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the risktrain authors.
 *
 * Static schedules split iterations exactly as LLVM's libomp does
 * (__kmp_for_static_init with its default kmp_sch_static_greedy), so a loop
 * gives every thread the same iterations as native LightGBM on the same number
 * of threads. Dynamic and guided schedules hand out chunks from a shared
 * atomic counter.
 */
#include <stddef.h>

#include "kmp_internal.h"

#define KMP_STATIC_INIT(NAME, T, UT, ST, TMAX, TMIN)                                      \
  void NAME(ident_t *loc, kmp_int32 gtid, kmp_int32 schedtype, kmp_int32 *plastiter,       \
            T *plower, T *pupper, ST *pstride, ST incr, ST chunk) {                        \
    (void)loc;                                                                             \
    (void)gtid;                                                                            \
    kmp_thread *th = &__kmp_th;                                                            \
    schedtype &= ~kmp_sch_modifier_mask;                                                   \
    if (incr == 0) __kmp_fatal("loop increment is zero");                                  \
    if ((incr > 0) ? (*pupper < *plower) : (*plower < *pupper)) {                          \
      if (plastiter != NULL) *plastiter = 0;                                               \
      *pstride = incr;                                                                     \
      return;                                                                              \
    }                                                                                      \
    UT nth = (UT)th->nproc;                                                                \
    UT tid = (UT)th->tid;                                                                  \
    if (nth == 1) {                                                                        \
      if (plastiter != NULL) *plastiter = 1;                                               \
      *pstride = (incr > 0) ? (*pupper - *plower + 1) : (-(*plower - *pupper + 1));        \
      return;                                                                              \
    }                                                                                      \
    UT trip_count;                                                                         \
    if (incr == 1) {                                                                       \
      trip_count = *pupper - *plower + 1;                                                  \
    } else if (incr == -1) {                                                               \
      trip_count = *plower - *pupper + 1;                                                  \
    } else if (incr > 0) {                                                                 \
      trip_count = (UT)(*pupper - *plower) / incr + 1;                                     \
    } else {                                                                               \
      trip_count = (UT)(*plower - *pupper) / (-incr) + 1;                                  \
    }                                                                                      \
    if (schedtype == kmp_sch_static) {                                                     \
      if (trip_count < nth) {                                                              \
        if (tid < trip_count) {                                                            \
          *pupper = *plower = *plower + tid * incr;                                        \
        } else {                                                                           \
          *plower = *pupper + (incr > 0 ? 1 : -1);                                         \
        }                                                                                  \
        if (plastiter != NULL) *plastiter = (tid == trip_count - 1);                       \
      } else {                                                                             \
        T big_chunk_inc_count = (trip_count / nth + ((trip_count % nth) ? 1 : 0)) * incr;  \
        T old_upper = *pupper;                                                             \
        *plower += tid * big_chunk_inc_count;                                              \
        *pupper = *plower + big_chunk_inc_count - incr;                                    \
        if (incr > 0) {                                                                    \
          if (*pupper < *plower) *pupper = TMAX;                                           \
          if (plastiter != NULL) *plastiter = *plower <= old_upper && *pupper > old_upper - incr; \
          if (*pupper > old_upper) *pupper = old_upper;                                    \
        } else {                                                                           \
          if (*pupper > *plower) *pupper = TMIN;                                           \
          if (plastiter != NULL) *plastiter = *plower >= old_upper && *pupper < old_upper - incr; \
          if (*pupper < old_upper) *pupper = old_upper;                                    \
        }                                                                                  \
      }                                                                                    \
      *pstride = trip_count;                                                               \
    } else if (schedtype == kmp_sch_static_chunked) {                                      \
      ST span;                                                                             \
      UT nchunks;                                                                          \
      if (chunk < 1) {                                                                     \
        chunk = 1;                                                                         \
      } else if ((UT)chunk > trip_count) {                                                 \
        chunk = trip_count;                                                                \
      }                                                                                    \
      nchunks = trip_count / (UT)chunk + (trip_count % (UT)chunk ? 1 : 0);                 \
      span = chunk * incr;                                                                 \
      if (nchunks < nth) {                                                                 \
        *pstride = span * nchunks;                                                         \
        if (tid < nchunks) {                                                               \
          *plower = *plower + (span * tid);                                                \
          *pupper = *plower + span - incr;                                                 \
        } else {                                                                           \
          *plower = *pupper + (incr > 0 ? 1 : -1);                                         \
        }                                                                                  \
      } else {                                                                             \
        *pstride = span * nth;                                                             \
        *plower = *plower + (span * tid);                                                  \
        *pupper = *plower + span - incr;                                                   \
      }                                                                                    \
      if (plastiter != NULL) *plastiter = (tid == (nchunks - 1) % nth);                    \
    } else {                                                                               \
      __kmp_fatal("unsupported static schedule kind");                                     \
    }                                                                                      \
  }

KMP_STATIC_INIT(__kmpc_for_static_init_4, kmp_int32, kmp_uint32, kmp_int32, INT32_MAX, INT32_MIN)
KMP_STATIC_INIT(__kmpc_for_static_init_4u, kmp_uint32, kmp_uint32, kmp_int32, UINT32_MAX, 0)
KMP_STATIC_INIT(__kmpc_for_static_init_8, kmp_int64, kmp_uint64, kmp_int64, INT64_MAX, INT64_MIN)
KMP_STATIC_INIT(__kmpc_for_static_init_8u, kmp_uint64, kmp_uint64, kmp_int64, UINT64_MAX, 0)

void __kmpc_for_static_fini(ident_t *loc, kmp_int32 gtid) {
  (void)loc;
  (void)gtid;
}

/* Dispatch (schedule(dynamic|guided|runtime|...)) works in iteration numbers
 * 0..trip-1; the typed entry points convert to and from loop bounds. */
static void dispatch_init(int32_t sched, int64_t lb, int64_t st, uint64_t trip, int64_t chunk) {
  kmp_thread *th = &__kmp_th;
  kmp_disp_state *d = &th->disp;
  sched &= ~kmp_sch_modifier_mask;
  if (sched > kmp_nm_lower) sched -= 128; /* nomerge kinds mirror the plain ones */
  if (sched > kmp_ord_lower && sched <= kmp_ord_upper) sched -= 32; /* ordered kinds */
  switch (sched) {
    case kmp_sch_runtime:
    case kmp_sch_auto:
    case kmp_sch_static_greedy:
    case kmp_sch_static_balanced:
      sched = kmp_sch_static;
      break;
    case kmp_sch_trapezoidal:
    case kmp_sch_guided_iterative_chunked:
    case kmp_sch_guided_analytical_chunked:
    case kmp_sch_guided_simd:
      sched = kmp_sch_guided_chunked;
      break;
    case kmp_sch_static_steal:
    case kmp_sch_runtime_simd:
      sched = kmp_sch_dynamic_chunked;
      break;
    case kmp_sch_static:
    case kmp_sch_static_chunked:
    case kmp_sch_dynamic_chunked:
    case kmp_sch_guided_chunked:
      break;
    default:
      __kmp_fatal("unsupported dispatch schedule kind");
  }
  d->lb = lb;
  d->st = st;
  d->trip = (int64_t)trip;
  d->chunk = chunk < 1 ? 1 : chunk;
  d->done = 0;
  d->static_next = 0;
  d->buf = NULL;
  if (th->nproc == 1) {
    d->sched = kmp_sch_static;
    return;
  }
  d->sched = sched;
  if (sched == kmp_sch_dynamic_chunked || sched == kmp_sch_guided_chunked) {
    uint32_t k = th->disp_count++;
    kmp_disp_buf *b = &__kmp_team.disp[k % KMP_DISP_BUFS];
    /* A thread KMP_DISP_BUFS nowait loops ahead waits for the slowest to leave. */
    while (atomic_load_explicit(&b->instance, memory_order_acquire) != k) {
    }
    d->buf = b;
    d->instance = k;
  }
}

/* Next chunk [*first, *last] (iteration numbers); 0 when the loop is done. */
static int dispatch_next(int64_t *first, int64_t *last) {
  kmp_thread *th = &__kmp_th;
  kmp_disp_state *d = &th->disp;
  if (d->done) return 0;
  int64_t nth = th->nproc, tid = th->tid, trip = d->trip;
  int64_t start, size;
  if (d->sched == kmp_sch_static) {
    int64_t big = trip / nth + (trip % nth ? 1 : 0);
    start = th->nproc == 1 ? 0 : tid * big;
    size = th->nproc == 1 ? trip : big;
    if (d->static_next++ > 0 || start >= trip) goto finished;
  } else if (d->sched == kmp_sch_static_chunked) {
    start = (d->static_next++ * nth + tid) * d->chunk;
    size = d->chunk;
    if (start >= trip) goto finished;
  } else if (d->sched == kmp_sch_dynamic_chunked) {
    size = d->chunk;
    start = atomic_fetch_add(&d->buf->next, size);
    if (start >= trip) goto finished;
  } else {
    start = atomic_load(&d->buf->next);
    for (;;) {
      if (start >= trip) goto finished;
      int64_t remaining = trip - start;
      size = remaining < 2 * nth * (d->chunk + 1) ? d->chunk : (remaining + 2 * nth - 1) / (2 * nth);
      if (size < d->chunk) size = d->chunk;
      if (atomic_compare_exchange_weak(&d->buf->next, &start, start + size)) break;
    }
  }
  if (size > trip - start) size = trip - start;
  *first = start;
  *last = start + size - 1;
  return 1;
finished:
  d->done = 1;
  kmp_disp_buf *b = d->buf;
  if (b != NULL && atomic_fetch_add(&b->finished, 1) == (uint32_t)nth - 1) {
    atomic_store(&b->next, 0);
    atomic_store(&b->finished, 0);
    atomic_store_explicit(&b->instance, d->instance + KMP_DISP_BUFS, memory_order_release);
  }
  return 0;
}

#define KMP_DISPATCH(SUFFIX, T, UT, ST)                                                     \
  void __kmpc_dispatch_init_##SUFFIX(ident_t *loc, kmp_int32 gtid, kmp_int32 schedule, T lb, \
                                     T ub, ST st, ST chunk) {                                 \
    (void)loc;                                                                                \
    (void)gtid;                                                                               \
    if (st == 0) __kmp_fatal("loop increment is zero");                                       \
    UT trip;                                                                                  \
    if ((st > 0) ? (ub < lb) : (lb < ub)) {                                                   \
      trip = 0;                                                                               \
    } else if (st > 0) {                                                                      \
      trip = (UT)(ub - lb) / (UT)st + 1;                                                      \
    } else {                                                                                  \
      trip = (UT)(lb - ub) / (UT)(-st) + 1;                                                   \
    }                                                                                         \
    dispatch_init(schedule, (int64_t)lb, (int64_t)st, (uint64_t)trip, (int64_t)chunk);         \
  }                                                                                           \
  int __kmpc_dispatch_next_##SUFFIX(ident_t *loc, kmp_int32 gtid, kmp_int32 *p_last, T *p_lb, \
                                    T *p_ub, ST *p_st) {                                      \
    (void)loc;                                                                                \
    (void)gtid;                                                                               \
    int64_t first, last;                                                                      \
    if (!dispatch_next(&first, &last)) return 0;                                              \
    kmp_disp_state *d = &__kmp_th.disp;                                                       \
    T lb = (T)d->lb;                                                                          \
    ST st = (ST)d->st;                                                                        \
    *p_lb = lb + (T)first * st;                                                               \
    *p_ub = lb + (T)last * st;                                                                \
    if (p_st != NULL) *p_st = st;                                                             \
    if (p_last != NULL) *p_last = (last == d->trip - 1);                                      \
    return 1;                                                                                 \
  }                                                                                           \
  void __kmpc_dispatch_fini_##SUFFIX(ident_t *loc, kmp_int32 gtid) {                          \
    (void)loc;                                                                                \
    (void)gtid;                                                                               \
  }

KMP_DISPATCH(4, kmp_int32, kmp_uint32, kmp_int32)
KMP_DISPATCH(4u, kmp_uint32, kmp_uint32, kmp_int32)
KMP_DISPATCH(8, kmp_int64, kmp_uint64, kmp_int64)
KMP_DISPATCH(8u, kmp_uint64, kmp_uint64, kmp_int64)
