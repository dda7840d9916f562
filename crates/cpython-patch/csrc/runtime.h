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

/* The functions and globals each side implements for the other (coir_get_abi, coir_rs_*,
 * coir_counters, ...) are declared in coir_facts.h too, from runtime-abi/src/api.rs. */
#endif
