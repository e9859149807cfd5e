/*
 * omp.h for the risktrain minimal OpenMP runtime (emscripten pthreads).
 * SPDX-License-Identifier: MIT
 * Copyright (c) 2026 the risktrain authors.
 *
 * Declares the subset of the OpenMP API the runtime implements. Nested
 * parallel regions run serialized; locks are not recursive.
 */
#ifndef RISKTRAIN_OMP_H
#define RISKTRAIN_OMP_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct omp_lock_t {
  int _lk;
} omp_lock_t;

typedef enum omp_pause_resource_t { omp_pause_soft = 1, omp_pause_hard = 2 } omp_pause_resource_t;

int omp_get_thread_num(void);
int omp_get_num_threads(void);
int omp_get_max_threads(void);
void omp_set_num_threads(int n);
int omp_get_num_procs(void);
int omp_get_thread_limit(void);
int omp_in_parallel(void);
int omp_get_level(void);
int omp_get_active_level(void);
int omp_get_max_active_levels(void);
void omp_set_max_active_levels(int levels);
int omp_get_dynamic(void);
void omp_set_dynamic(int dynamic);
double omp_get_wtime(void);
double omp_get_wtick(void);
void omp_init_lock(omp_lock_t *lock);
void omp_destroy_lock(omp_lock_t *lock);
void omp_set_lock(omp_lock_t *lock);
void omp_unset_lock(omp_lock_t *lock);
int omp_test_lock(omp_lock_t *lock);
/* Stops the pool threads for good (both kinds): later regions run on one thread.
 * Call it before terminating the emscripten workers. 0 on success, -1 while a
 * parallel region is running. */
int omp_pause_resource_all(omp_pause_resource_t kind);

/* libomp extensions: how long idle pool threads spin before sleeping (ms). */
void kmp_set_blocktime(int msec);
int kmp_get_blocktime(void);

#ifdef __cplusplus
}
#endif

#endif
