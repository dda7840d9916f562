/* The interface between coir's C runtime and its Rust side. SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef COIR_RUNTIME_H
#define COIR_RUNTIME_H
#include <stdint.h>
#include <stddef.h>

typedef struct { const char *name; void *addr; } CoirHelper;

typedef struct {
    size_t frame_localsplus, frame_instr_ptr, tstate_eval_breaker;
    uint64_t eval_events_mask;
    uint32_t incref_immortal_threshold;
    uint64_t stackref_tag_bits, stackref_null;
    void *none, *true_, *false_;
    void *small_ints[256];
    const CoirHelper *helpers;
} CoirAbi;

/* Native code: `relocs` is its table of process-specific addresses (gcc-backend's Reloc). */
typedef void *(*CoirEntry)(void *tstate, void *frame, const void *relocs);

/* Per-code state in co_extra. */
typedef struct {
    long calls;
    CoirEntry entry;
    const void *relocs; /* entry's relocation table */
    void *compiled; /* Rust-owned compiled code */
    int refused;
    int forced;     /* coir.jit: compile on first call */
    int pending;    /* queued for background compilation */
    int cold;       /* compiled at the cold optimisation level; recompiled when hot */
} CoirCodeState;

/* How a compile was asked for (coir_rs_compile's `mode`). */
enum {
    COIR_COMPILE_COLD = 0,  /* first call at threshold 0: now, cheap optimisation */
    COIR_COMPILE_NOW = 1,   /* coir.jit / coir.compile: now, full optimisation */
    COIR_COMPILE_HOT = 2,   /* hot (or a cold compile turned hot): on the compile thread */
};

enum { COIR_FB_MONITORING, COIR_FB_THROW, COIR_FB_GENERATOR_FRAME, COIR_FB_COUNT };

typedef struct {
    uint64_t native_calls;
    uint64_t fallback[COIR_FB_COUNT];
} CoirCounters;

extern CoirCounters coir_counters;

/* Background compilations queued and not yet installed; while non-zero the hook polls. */
extern long coir_inflight;

/* Implemented in Rust. */
void coir_rs_compile(void *code, CoirCodeState *st, int mode);
void coir_rs_poll(void);
void coir_rs_free(void *compiled);

/* Implemented in C. */
void coir_get_abi(CoirAbi *abi);
CoirCodeState *coir_code_state(void *code, int create);
int coir_init(void);
void coir_enable(int threshold, int only_explicit);
void coir_disable(void);
int coir_rearm(void);
/* nlocalsplus, address of the first code unit, nfreevars, stacksize. */
/* Facts of a code object, in this order (COIR_CODE_FACTS entries): co_nlocalsplus,
 * _PyCode_CODE(co), co_nfreevars, co_stacksize, code units (Py_SIZE), and whether monitoring
 * ever instrumented it (then its stored bytes may hold INSTRUMENTED_LINE/INSTRUCTION). */
#define COIR_CODE_FACTS 6
void coir_code_facts(void *code, size_t out[COIR_CODE_FACTS]);
void coir_set_background(int on);
void coir_set_hot_calls(long n);
int coir_is_enabled(void);
int coir_is_armed(void);
int coir_get_threshold(void);
int coir_is_explicit_only(void);
#endif
