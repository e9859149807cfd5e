/*
 * risktrain minimal OpenMP runtime for emscripten pthreads: the omp_* API.
 * SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the risktrain authors.
 */
#include <emscripten.h>
#include <emscripten/threading.h>

#include "include/omp.h"
#include "kmp_internal.h"

void __kmp_lock_word(_Atomic int32_t *w);
void __kmp_unlock_word(_Atomic int32_t *w);

int omp_get_thread_num(void) { return __kmp_th.tid; }

int omp_get_num_threads(void) { return __kmp_th.nproc; }

int omp_get_max_threads(void) { return __kmp_default_threads(); }

void omp_set_num_threads(int n) { __kmp_set_default_threads(n); }

int omp_get_num_procs(void) { return emscripten_num_logical_cores(); }

int omp_get_thread_limit(void) { return __kmp_capacity(); }

int omp_in_parallel(void) { return __kmp_th.active_level > 0; }

int omp_get_level(void) { return __kmp_th.level; }

int omp_get_active_level(void) { return __kmp_th.active_level; }

int omp_get_max_active_levels(void) { return 1; }

void omp_set_max_active_levels(int levels) { (void)levels; }

int omp_get_dynamic(void) { return 0; }

void omp_set_dynamic(int dynamic) { (void)dynamic; }

double omp_get_wtime(void) { return emscripten_get_now() / 1000.0; }

double omp_get_wtick(void) { return 1e-6; }

void omp_init_lock(omp_lock_t *lock) { lock->_lk = 0; }

void omp_destroy_lock(omp_lock_t *lock) { (void)lock; }

void omp_set_lock(omp_lock_t *lock) { __kmp_lock_word((_Atomic int32_t *)&lock->_lk); }

void omp_unset_lock(omp_lock_t *lock) { __kmp_unlock_word((_Atomic int32_t *)&lock->_lk); }

int omp_test_lock(omp_lock_t *lock) {
  int32_t free = 0;
  return atomic_compare_exchange_strong((_Atomic int32_t *)&lock->_lk, &free, 1);
}

int omp_pause_resource_all(omp_pause_resource_t kind) {
  (void)kind;
  return __kmp_stop_pool();
}

void kmp_set_blocktime(int msec) { __kmp_set_blocktime(msec); }

int kmp_get_blocktime(void) { return (int)__kmp_get_blocktime(); }
