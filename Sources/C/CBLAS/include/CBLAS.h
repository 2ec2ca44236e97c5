// The few CBLAS/OpenBLAS declarations Tapegrad uses. OpenBLAS itself is not linked: Autograd's BLAS.swift
// loads it with dlopen after choosing its kernels, so these are function-pointer types for dlsym's results.
#pragma once

enum TGBlasOrder { TGBlasRowMajor = 101, TGBlasColMajor = 102 };
enum TGBlasTranspose { TGBlasNoTrans = 111, TGBlasTrans = 112 };

typedef void (*tg_sgemm_fn)(int order, int transA, int transB, int m, int n, int k, float alpha,
                            const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);
typedef void (*tg_set_num_threads_fn)(int threads);
typedef char *(*tg_get_string_fn)(void);
