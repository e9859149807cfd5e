/*
 * risktrain minimal OpenMP runtime for emscripten pthreads: critical, single,
 * master/masked, reductions, flush.
 * SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the risktrain authors.
 *
 * Reductions are deterministic: at a barrier, the last thread to arrive folds
 * the private copies into thread 0's in thread order (1, 2, ...), and thread 0
 * then combines them with the shared variable. A given team size always sums in
 * the same order (libomp instead uses atomics for small teams, in arrival order).
 */
#include <emscripten/threading.h>
#include <math.h>
#include <stddef.h>

#include "kmp_internal.h"

/* clang emits the lock of `critical` without a name, and the reduction fallback
 * lock, as common symbols, which WebAssembly objects cannot hold: they arrive
 * here undefined and the runtime defines them (one lock each, as in a native link). */
kmp_critical_name __kmp_unnamed_critical __asm__(".gomp_critical_user_.var");
kmp_critical_name __kmp_reduction_critical __asm__(".gomp_critical_user_.reduction.var");

/* Futex mutex on one word: 0 free, 1 locked, 2 locked with waiters. */
void __kmp_lock_word(_Atomic int32_t *w) {
  int32_t c = 0;
  if (atomic_compare_exchange_strong(w, &c, 1)) return;
  for (int i = 0; i < 4096; i++) {
    c = 0;
    if (atomic_load_explicit(w, memory_order_relaxed) == 0 && atomic_compare_exchange_weak(w, &c, 1)) {
      return;
    }
  }
  c = atomic_exchange(w, 2);
  while (c != 0) {
    emscripten_futex_wait(w, 2, INFINITY);
    c = atomic_exchange(w, 2);
  }
}

void __kmp_unlock_word(_Atomic int32_t *w) {
  if (atomic_exchange(w, 0) == 2) emscripten_futex_wake(w, 1);
}

void __kmpc_critical(ident_t *loc, kmp_int32 gtid, kmp_critical_name *crit) {
  (void)loc;
  (void)gtid;
  __kmp_lock_word((_Atomic int32_t *)crit);
}

void __kmpc_critical_with_hint(ident_t *loc, kmp_int32 gtid, kmp_critical_name *crit, uint32_t hint) {
  (void)hint;
  __kmpc_critical(loc, gtid, crit);
}

void __kmpc_end_critical(ident_t *loc, kmp_int32 gtid, kmp_critical_name *crit) {
  (void)loc;
  (void)gtid;
  __kmp_unlock_word((_Atomic int32_t *)crit);
}

kmp_int32 __kmpc_single(ident_t *loc, kmp_int32 gtid) {
  (void)loc;
  (void)gtid;
  kmp_thread *th = &__kmp_th;
  if (th->nproc == 1) return 1;
  uint32_t k = th->single_count++;
  uint32_t expected = k;
  return atomic_compare_exchange_strong(&__kmp_team.single_next, &expected, k + 1);
}

void __kmpc_end_single(ident_t *loc, kmp_int32 gtid) {
  (void)loc;
  (void)gtid;
}

kmp_int32 __kmpc_master(ident_t *loc, kmp_int32 gtid) {
  (void)loc;
  (void)gtid;
  return __kmp_th.tid == 0;
}

void __kmpc_end_master(ident_t *loc, kmp_int32 gtid) {
  (void)loc;
  (void)gtid;
}

kmp_int32 __kmpc_masked(ident_t *loc, kmp_int32 gtid, kmp_int32 filter) {
  (void)loc;
  (void)gtid;
  return __kmp_th.tid == filter;
}

void __kmpc_end_masked(ident_t *loc, kmp_int32 gtid) {
  (void)loc;
  (void)gtid;
}

void __kmpc_flush(ident_t *loc) {
  (void)loc;
  atomic_thread_fence(memory_order_seq_cst);
}

typedef void (*kmp_reduce_fn)(void *lhs, void *rhs);

static void fold_private_copies(void *arg) {
  kmp_team *t = &__kmp_team;
  kmp_reduce_fn fn = (kmp_reduce_fn)arg;
  for (int32_t i = 1; i < t->nproc; i++) fn(t->red_data[0], t->red_data[i]);
}

/* Returns 1 to the thread that must combine its (folded) copy with the shared
 * variable and call the matching end function, 0 to the others. */
static kmp_int32 reduce(void *reduce_data, kmp_reduce_fn fn) {
  kmp_thread *th = &__kmp_th;
  if (th->nproc == 1) return 1;
  __kmp_team.red_data[th->tid] = reduce_data;
  __kmp_team_barrier(fold_private_copies, (void *)fn);
  return th->tid == 0;
}

kmp_int32 __kmpc_reduce_nowait(ident_t *loc, kmp_int32 gtid, kmp_int32 num_vars, size_t reduce_size,
                               void *reduce_data, kmp_reduce_fn reduce_func, kmp_critical_name *lck) {
  (void)loc;
  (void)gtid;
  (void)num_vars;
  (void)reduce_size;
  (void)lck;
  return reduce(reduce_data, reduce_func);
}

void __kmpc_end_reduce_nowait(ident_t *loc, kmp_int32 gtid, kmp_critical_name *lck) {
  (void)loc;
  (void)gtid;
  (void)lck;
}

kmp_int32 __kmpc_reduce(ident_t *loc, kmp_int32 gtid, kmp_int32 num_vars, size_t reduce_size,
                        void *reduce_data, kmp_reduce_fn reduce_func, kmp_critical_name *lck) {
  (void)loc;
  (void)gtid;
  (void)num_vars;
  (void)reduce_size;
  (void)lck;
  kmp_int32 mine = reduce(reduce_data, reduce_func);
  /* The others wait until thread 0 has updated the shared variable. */
  if (!mine) __kmp_team_barrier(NULL, NULL);
  return mine;
}

void __kmpc_end_reduce(ident_t *loc, kmp_int32 gtid, kmp_critical_name *lck) {
  (void)loc;
  (void)gtid;
  (void)lck;
  if (__kmp_th.nproc > 1) __kmp_team_barrier(NULL, NULL);
}
