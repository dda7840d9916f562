/* The interface between coir's C runtime and its Rust side. SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef COIR_RUNTIME_H
#define COIR_RUNTIME_H
#include <stdint.h>
#include <stddef.h>

/* The records (CoirAbi, CoirCodeState, CoirCounters, ...), the constants (COIR_CODE_FACTS,
 * COIR_COMPILE_*, COIR_FB_*), the helper prototypes and table, coir_get_abi and the layout
 * checks are generated from crates/runtime-abi by build.rs: one source for both sides. Include
 * this header after CPython's own (internal ones included). */
#include "coir_facts.h"

extern CoirCounters coir_counters;

/* Background compilations queued and not yet installed; while non-zero the hook polls. */
extern long coir_inflight;

/* Implemented in Rust. */
void coir_rs_compile(void *code, CoirCodeState *st, int mode);
void coir_rs_poll(void);
void coir_rs_free(void *compiled);

/* Implemented in C (coir_get_abi in coir_facts.h). */
CoirCodeState *coir_code_state(void *code, int create);
int coir_init(void);
void coir_enable(int threshold, int only_explicit);
void coir_disable(void);
int coir_rearm(void);
/* Facts of a code object (runtime_abi::abi::CodeFact, in that order). */
void coir_code_facts(void *code, size_t out[COIR_CODE_FACTS]);
void coir_set_background(int on);
void coir_set_hot_calls(long n);
int coir_is_enabled(void);
int coir_is_armed(void);
int coir_get_threshold(void);
int coir_is_explicit_only(void);
#endif
