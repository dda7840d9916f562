/* coir's C runtime: the PEP 523 frame hook, native entry and exit, and the helpers native
 * code calls.  Semantics follow CPython 3.14's Python/bytecodes.c (read, not copied); layouts
 * and inline helpers come from the installed interpreter's own headers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define Py_BUILD_CORE_MODULE 1
#include <Python.h>
#include <stddef.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <sys/mman.h>
#include "internal/pycore_ceval.h"
#include "internal/pycore_code.h"
#include "internal/pycore_frame.h"
#include "internal/pycore_interpframe.h"
#include "internal/pycore_stackref.h"
#include "internal/pycore_pystate.h"
#include "internal/pycore_function.h"
#include "internal/pycore_genobject.h"
#include "internal/pycore_intrinsics.h"
#include "internal/pycore_cell.h"
#include "internal/pycore_dict.h"
#include "internal/pycore_list.h"
#include "internal/pycore_setobject.h"
#include "internal/pycore_tuple.h"
#include "internal/pycore_range.h"
#include "internal/pycore_unicodeobject.h"
#include "internal/pycore_pyerrors.h"
#include "internal/pycore_object.h"
#include "internal/pycore_interp_structs.h"
#include "internal/pycore_instruments.h"
#include "internal/pycore_long.h"
#include "internal/pycore_sliceobject.h"
#include "internal/pycore_interpolation.h"
#include "internal/pycore_template.h"
#include "internal/pycore_runtime.h"
#include "internal/pycore_freelist.h"
#include "internal/pycore_moduleobject.h"

#include "opcode.h"

#include "runtime.h"

/* ------------------------------------------------------------------ helpers (borrow args) */

PyObject *coir_rt_binary_op(PyObject *l, PyObject *r, int oparg) {
    return _PyEval_BinaryOps[oparg](l, r);
}

PyObject *coir_rt_compare_op(PyObject *l, PyObject *r, int oparg) {
    PyObject *res = PyObject_RichCompare(l, r, oparg >> 5);
    if (res == NULL || !(oparg & 16)) {
        return res;
    }
    int b = PyObject_IsTrue(res);
    Py_DECREF(res);
    if (b < 0) {
        return NULL;
    }
    return b ? Py_True : Py_False;
}

PyObject *coir_rt_unary_negative(PyObject *v) { return PyNumber_Negative(v); }
PyObject *coir_rt_unary_invert(PyObject *v) { return PyNumber_Invert(v); }
PyObject *coir_rt_to_bool(PyObject *v) {
    int b = PyObject_IsTrue(v);
    if (b < 0) {
        return NULL;
    }
    return b ? Py_True : Py_False;
}

PyObject *coir_rt_contains_op(PyObject *l, PyObject *r, int invert) {
    int res = PySequence_Contains(r, l);
    if (res < 0) {
        return NULL;
    }
    return (res ^ invert) ? Py_True : Py_False;
}

/* A bound of `container[start:stop]` as PySlice_Unpack reads it, when it is None (`dflt`) or a
 * compact int: 1 and *out; 0 for anything else, which takes the generic path (__index__,
 * bools, big ints, its errors). */
static inline int slice_bound(PyObject *v, Py_ssize_t dflt, Py_ssize_t *out) {
    if (v == Py_None) {
        *out = dflt;
        return 1;
    }
    if (!PyLong_CheckExact(v) || !_PyLong_IsCompact((PyLongObject *)v)) {
        return 0;
    }
    *out = _PyLong_CompactValue((PyLongObject *)v);
    return 1;
}

/* Both bounds (slice_bound) adjusted to a sequence of `len` items by the slice machinery's own
 * PySlice_AdjustIndices (step 1), then the stop no lower than the start (an empty slice there,
 * and where a slice assignment inserts: list's adjust_slice_indexes). */
static inline int slice_bounds(PyObject *start, PyObject *stop, Py_ssize_t len, Py_ssize_t *lo, Py_ssize_t *hi) {
    if (!slice_bound(start, 0, lo) || !slice_bound(stop, PY_SSIZE_T_MAX, hi)) {
        return 0;
    }
    PySlice_AdjustIndices(len, lo, hi, 1);
    if (*hi < *lo) {
        *hi = *lo;
    }
    return 1;
}

/* `container[slice(start, stop, step)]`, the slice object made: the generic path of the slice
 * helpers below. */
static PyObject *subscr_slice_object(PyObject *container, PyObject *start, PyObject *stop, PyObject *step) {
    PyObject *slice = PySlice_New(start, stop, step);
    if (slice == NULL) {
        return NULL;
    }
    PyObject *res = PyObject_GetItem(container, slice);
    Py_DECREF(slice);
    return res;
}

/* BINARY_SLICE. On an exact list, tuple or str with bounds that are None or compact ints, the
 * slice is taken directly: what list_subscript, tuple_subscript and unicode_subscript do for
 * a slice of step 1 (the same results: a new list; the tuple or str itself when the slice is
 * all of it; the empty singletons), without making and unpacking the slice object. */
PyObject *coir_rt_binary_slice(PyObject *container, PyObject *start, PyObject *stop) {
    Py_ssize_t lo, hi;
    if (PyList_CheckExact(container) && slice_bounds(start, stop, PyList_GET_SIZE(container), &lo, &hi)) {
        return PyList_GetSlice(container, lo, hi);
    }
    if (PyTuple_CheckExact(container) && slice_bounds(start, stop, PyTuple_GET_SIZE(container), &lo, &hi)) {
        return PyTuple_GetSlice(container, lo, hi);
    }
    if (PyUnicode_CheckExact(container) && slice_bounds(start, stop, PyUnicode_GET_LENGTH(container), &lo, &hi)) {
        return PyUnicode_Substring(container, lo, hi);
    }
    return subscr_slice_object(container, start, stop, NULL);
}

/* BUILD_SLICE 3 followed by BINARY_OP [] (`x[a:b:c]`), lowered as one. On an exact list whose
 * bounds and step are None or compact ints (the step not 0), the items are taken directly, as
 * list_slice_subscript does once PySlice_Unpack (None bounds: the ends the step's sign
 * names) and PySlice_AdjustIndices have run: an empty list, the step-1 slice, or a new list
 * of every step-th item. fannkuch's `p[k::-1]`: making and unpacking the slice object was
 * about 8% of its time. Anything else makes the slice and subscripts with it. */
PyObject *coir_rt_subscr_slice3(PyObject *container, PyObject *start, PyObject *stop, PyObject *step) {
    Py_ssize_t by, lo, hi;
    if (PyList_CheckExact(container) && slice_bound(step, 1, &by) && by != 0 &&
        slice_bound(start, by < 0 ? PY_SSIZE_T_MAX : 0, &lo) &&
        slice_bound(stop, by < 0 ? PY_SSIZE_T_MIN : PY_SSIZE_T_MAX, &hi)) {
        Py_ssize_t n = PySlice_AdjustIndices(PyList_GET_SIZE(container), &lo, &hi, by);
        if (n <= 0) {
            return PyList_New(0);
        }
        if (by == 1) {
            return PyList_GetSlice(container, lo, hi);
        }
        PyObject *res = PyList_New(n);
        if (res == NULL) {
            return NULL;
        }
        /* Read after the allocation, as list_slice_step_lock_held does. */
        PyObject **src = ((PyListObject *)container)->ob_item;
        size_t cur = (size_t)lo;
        for (Py_ssize_t i = 0; i < n; i++, cur += (size_t)by) {
            PyList_SET_ITEM(res, i, Py_NewRef(src[cur]));
        }
        return res;
    }
    return subscr_slice_object(container, start, stop, step);
}

/* STORE_SLICE. `list[a:b] = v` on an exact list, with v an exact list or tuple and bounds as in
 * coir_rt_binary_slice, is list_ass_subscript's step-1 assignment (list_ass_slice on the
 * adjusted bounds; it copies v when v is the list itself) without the slice object. Other
 * values take the generic path, whose PySequence_Fast error message is the interpreter's. */
int coir_rt_store_slice(PyObject *v, PyObject *container, PyObject *start, PyObject *stop) {
    Py_ssize_t lo, hi;
    if (PyList_CheckExact(container) && (PyList_CheckExact(v) || PyTuple_CheckExact(v)) &&
        slice_bounds(start, stop, PyList_GET_SIZE(container), &lo, &hi)) {
        return PyList_SetSlice(container, lo, hi, v);
    }
    PyObject *slice = PySlice_New(start, stop, NULL);
    if (slice == NULL) {
        return -1;
    }
    int err = PyObject_SetItem(container, slice, v);
    Py_DECREF(slice);
    return err;
}

int coir_rt_store_subscr(PyObject *v, PyObject *container, PyObject *sub) {
    return PyObject_SetItem(container, sub, v);
}

int coir_rt_delete_subscr(PyObject *container, PyObject *sub) {
    return PyObject_DelItem(container, sub);
}

PyObject *coir_rt_get_iter(PyObject *v) { return PyObject_GetIter(v); }

int coir_rt_for_iter(PyObject *iter, PyObject **out) {
    iternextfunc next = Py_TYPE(iter)->tp_iternext;
    *out = NULL;
    if (next == NULL) {
        PyErr_Format(PyExc_TypeError, "'%.100s' object is not an iterator", Py_TYPE(iter)->tp_name);
        return -1;
    }
    PyObject *v = next(iter);
    if (v != NULL) {
        *out = v;
        return 1;
    }
    if (PyErr_Occurred()) {
        if (!PyErr_ExceptionMatches(PyExc_StopIteration)) {
            return -1;
        }
        PyErr_Clear();
    }
    return 0;
}

PyObject *coir_rt_load_global(_PyInterpreterFrame *f, PyObject *name) {
    _PyStackRef res;
    _PyEval_LoadGlobalStackRef(f->f_globals, f->f_builtins, name, &res);
    if (PyStackRef_IsNull(res)) {
        return NULL;
    }
    return PyStackRef_AsPyObjectSteal(res);
}

int coir_rt_store_global(_PyInterpreterFrame *f, PyObject *name, PyObject *v) {
    return PyDict_SetItem(f->f_globals, name, v);
}

int coir_rt_delete_global(_PyInterpreterFrame *f, PyObject *name) {
    int err = PyDict_Pop(f->f_globals, name, NULL);
    if (err < 0) {
        return -1;
    }
    if (err == 0) {
        _PyEval_FormatExcCheckArg(PyThreadState_GET(), PyExc_NameError, "name '%.200s' is not defined", name);
        return -1;
    }
    return 0;
}

/* LOAD_ATTR's method form, generic: the callable, `*self_out` = owner (new ref) or NULL. */
static PyObject *load_method(PyObject *owner, PyObject *name, PyObject **self_out) {
    PyObject *meth = NULL;
    int is_meth = _PyObject_GetMethod(owner, name, &meth);
    *self_out = NULL;
    if (meth == NULL) {
        return NULL;
    }
    if (is_meth) {
        *self_out = Py_NewRef(owner);
    }
    return meth;
}


/* ---- guarded fast paths from the interpreter's quickening (type feedback). Every guard that
 * fails falls back to the generic operation, so no deoptimisation is needed. */

/* ---- an attribute load's own cache (polymorphic sites: a base class's method reading
 * `self.x` of several subclasses, a loop over objects of several classes). The interpreter's
 * inline cache names one type; a site's cache in native code keeps up to
 * COIR_SITE_CACHE_ENTRIES, in words of the code's relocation table:
 *   attribute:  word 2i = type version | (index in the inline values) << 32; word 2i+1 = 0,
 *               or a property's getter, a plain Python function (borrowed, as below)
 *   method:     word 2i = type version | (entries of the shared keys + 1, or 0: no instance
 *               dict) << 32; word 2i+1 = the descriptor (borrowed: the type keeps it while its
 *               version is unchanged, and versions are never reused).
 * An entry is what the interpreter's LOAD_ATTR_INSTANCE_VALUE and LOAD_ATTR_METHOD_* specialise
 * to, and is used under the same tests (type version, valid inline values, the value set;
 * for a method, no instance attribute of that name). Entries are written after the generic
 * lookup found the attribute there; a full cache replaces its entries in turn. */

/* Where `name` is in `keys` (a type's shared keys), or -1. Names from code are interned. */
static Py_ssize_t shared_key_index(PyDictKeysObject *keys, PyObject *name) {
    if (keys == NULL || keys->dk_kind != DICT_KEYS_SPLIT) {
        return -1;
    }
    PyDictUnicodeEntry *entries = DK_UNICODE_ENTRIES(keys);
    for (Py_ssize_t i = 0; i < keys->dk_nentries; i++) {
        if (entries[i].me_key == name) {
            return i;
        }
    }
    return -1;
}

/* A class whose attribute lookup is the generic one, with a version. */
static inline int plain_getattr_type(PyTypeObject *tp) {
    return tp->tp_getattro == PyObject_GenericGetAttr && tp->tp_version_tag != 0;
}

static void site_cache_put(uint64_t *cache, uint64_t word0, uint64_t word1) {
    int i;
    for (i = 0; i < COIR_SITE_CACHE_ENTRIES; i++) {
        if ((uint32_t)cache[2 * i] == 0) {
            break;
        }
    }
    if (i == COIR_SITE_CACHE_ENTRIES) {
        /* Full: the entries move down one, the new one goes last. */
        memmove(cache, cache + 2, sizeof(uint64_t) * 2 * (COIR_SITE_CACHE_ENTRIES - 1));
        i = COIR_SITE_CACHE_ENTRIES - 1;
    }
    cache[2 * i] = word0;
    cache[2 * i + 1] = word1;
}

/* Remember, after a generic load or store of `owner.name` gave or left `v`, where `v` sits in
 * `owner`'s inline values, if it does: the class's shared keys have the name there and the
 * values are valid. (The caller has checked that no class attribute of that name intercepts the
 * access.) */
static void site_cache_put_instance_value(uint64_t *cache, PyObject *owner, PyObject *name, PyObject *v) {
    PyTypeObject *tp = Py_TYPE(owner);
    if (!(tp->tp_flags & Py_TPFLAGS_INLINE_VALUES) || !(tp->tp_flags & Py_TPFLAGS_HEAPTYPE) || tp->tp_version_tag == 0 ||
        !_PyObject_InlineValues(owner)->valid) {
        return;
    }
    Py_ssize_t ix = shared_key_index(((PyHeapTypeObject *)tp)->ht_cached_keys, name);
    if (ix >= 0 && _PyObject_InlineValues(owner)->values[ix] == v) {
        site_cache_put(cache, tp->tp_version_tag | ((uint64_t)ix << 32), 0);
    }
}

static inline __attribute__((always_inline)) PyObject *call_py_function(PyThreadState *ts, PyObject *func, PyObject **argv,
                                                                        int total, PyObject *kwnames, uintptr_t *site);
static inline int is_plain_py_function(PyObject *callable);

PyObject *coir_rt_load_attr_poly(PyObject *owner, PyObject *name, intptr_t site) {
    uint64_t *cache = (uint64_t *)site;
    PyTypeObject *tp = Py_TYPE(owner);
    uint32_t tv = tp->tp_version_tag;
    for (int i = 0; tv != 0 && i < COIR_SITE_CACHE_ENTRIES; i++) {
        uint64_t e = cache[2 * i];
        if ((uint32_t)e != tv) {
            continue;
        }
        PyObject *fget = (PyObject *)(uintptr_t)cache[2 * i + 1];
        if (fget != NULL) {
            /* A property whose getter is a plain Python function (LOAD_ATTR_PROPERTY): a
             * data descriptor, so no instance attribute can shadow it. */
            PyObject *arg = owner;
            return call_py_function(PyThreadState_GET(), fget, &arg, 1, NULL, NULL);
        }
        if ((tp->tp_flags & Py_TPFLAGS_INLINE_VALUES) && _PyObject_InlineValues(owner)->valid) {
            PyObject *v = _PyObject_InlineValues(owner)->values[e >> 32];
            if (v != NULL) {
                return Py_NewRef(v);
            }
        }
        break;
    }
    PyObject *v = PyObject_GetAttr(owner, name);
    if (v == NULL) {
        return NULL;
    }
    /* (The lookup may have run code: everything is read again.) An instance value (no class
     * attribute of that name), or a property. */
    tp = Py_TYPE(owner);
    if (!plain_getattr_type(tp)) {
        return v;
    }
    PyObject *descr = _PyType_Lookup(tp, name);
    if (descr == NULL) {
        site_cache_put_instance_value(cache, owner, name, v);
    }
    else if (Py_IS_TYPE(descr, &PyProperty_Type)) {
        /* (Reading a property's fget runs no code; the property keeps it alive while the
         * class keeps the property, which its version says.) */
        PyObject *fget = PyObject_GetAttrString(descr, "fget");
        if (fget == NULL) {
            PyErr_Clear();
        }
        else {
            if (is_plain_py_function(fget)) {
                site_cache_put(cache, tp->tp_version_tag, (uint64_t)(uintptr_t)fget);
            }
            Py_DECREF(fget);
        }
    }
    return v;
}

void coir_rt_clear_error(PyThreadState *ts) { _PyErr_Clear(ts); }

PyObject *coir_rt_attr_read_quiet(PyObject *owner, PyObject *name, intptr_t site) {
    PyTypeObject *tp = Py_TYPE(owner);
    if (!plain_getattr_type(tp) || !(tp->tp_flags & Py_TPFLAGS_INLINE_VALUES) || !(tp->tp_flags & Py_TPFLAGS_HEAPTYPE) ||
        !_PyObject_InlineValues(owner)->valid) {
        return NULL;
    }
    /* No class attribute intercepts it (a lookup in the type's cache or its MRO's dicts). */
    if (_PyType_Lookup(tp, name) != NULL) {
        return NULL;
    }
    Py_ssize_t ix = shared_key_index(((PyHeapTypeObject *)tp)->ht_cached_keys, name);
    PyObject *v = ix < 0 ? NULL : _PyObject_InlineValues(owner)->values[ix];
    if (v == NULL) {
        return NULL;
    }
    site_cache_put((uint64_t *)site, tp->tp_version_tag | ((uint64_t)ix << 32), 0);
    return Py_NewRef(v);
}

PyObject *coir_rt_load_method_poly(PyObject *owner, PyObject *name, PyObject **self_out, intptr_t site) {
    uint64_t *cache = (uint64_t *)site;
    PyTypeObject *tp = Py_TYPE(owner);
    uint32_t tv = tp->tp_version_tag;
    if (tv != 0) {
        for (int i = 0; i < COIR_SITE_CACHE_ENTRIES; i++) {
            uint64_t e = cache[2 * i];
            if ((uint32_t)e != tv) {
                continue;
            }
            uint32_t n = (uint32_t)(e >> 32);
            int ok;
            if (n == 0) {
                ok = 1; /* no instance dict: tp_dictoffset is 0 while the version holds */
            }
            else {
                PyDictKeysObject *keys = ((PyHeapTypeObject *)tp)->ht_cached_keys;
                ok = _PyObject_InlineValues(owner)->valid && keys != NULL && keys->dk_nentries == (Py_ssize_t)n - 1;
            }
            if (ok) {
                *self_out = Py_NewRef(owner);
                return Py_NewRef((PyObject *)cache[2 * i + 1]);
            }
            break;
        }
    }
    PyObject *meth = load_method(owner, name, self_out);
    if (meth == NULL || *self_out == NULL) {
        return meth;
    }
    /* A method descriptor of the class, and no instance attribute of that name: none at all
     * (no instance dict), or valid inline values whose shared keys do not have the name (while
     * they have no more entries than now, the instance cannot have it). */
    tp = Py_TYPE(owner);
    if (!plain_getattr_type(tp) || _PyType_Lookup(tp, name) != meth ||
        !(Py_TYPE(meth)->tp_flags & Py_TPFLAGS_METHOD_DESCRIPTOR)) {
        return meth;
    }
    if (tp->tp_dictoffset == 0) {
        site_cache_put(cache, tp->tp_version_tag, (uint64_t)(uintptr_t)meth);
    }
    else if ((tp->tp_flags & Py_TPFLAGS_INLINE_VALUES) && (tp->tp_flags & Py_TPFLAGS_HEAPTYPE) &&
             _PyObject_InlineValues(owner)->valid) {
        PyDictKeysObject *keys = ((PyHeapTypeObject *)tp)->ht_cached_keys;
        if (keys != NULL && keys->dk_kind == DICT_KEYS_SPLIT && shared_key_index(keys, name) < 0 &&
            keys->dk_nentries < 0x7fffffff) {
            site_cache_put(cache, tp->tp_version_tag | ((uint64_t)(keys->dk_nentries + 1) << 32), (uint64_t)(uintptr_t)meth);
        }
    }
    return meth;
}

PyObject *coir_rt_load_attr_instance_value(PyObject *owner, PyObject *name, intptr_t tv, intptr_t offset, intptr_t site) {
    PyTypeObject *tp = Py_TYPE(owner);
    if (tp->tp_version_tag == (unsigned int)tv && (tp->tp_flags & Py_TPFLAGS_INLINE_VALUES) &&
        _PyObject_InlineValues(owner)->valid) {
        PyObject *v = *(PyObject **)((char *)owner + offset);
        if (v != NULL) {
            return Py_NewRef(v);
        }
    }
    return coir_rt_load_attr_poly(owner, name, site);
}

PyObject *coir_rt_load_method_cached(PyObject *owner, PyObject *name, PyObject **self_out, intptr_t tv,
                                     intptr_t keys_version, intptr_t descr, intptr_t site) {
    PyTypeObject *tp = Py_TYPE(owner);
    if (tp->tp_version_tag == (unsigned int)tv) {
        int ok;
        if (keys_version < 0) {
            ok = tp->tp_dictoffset == 0;
        }
        else {
            ok = (tp->tp_flags & Py_TPFLAGS_INLINE_VALUES) && _PyObject_InlineValues(owner)->valid &&
                 (tp->tp_flags & Py_TPFLAGS_HEAPTYPE) && ((PyHeapTypeObject *)tp)->ht_cached_keys != NULL &&
                 ((PyHeapTypeObject *)tp)->ht_cached_keys->dk_version == (uint32_t)keys_version;
        }
        if (ok) {
            *self_out = Py_NewRef(owner);
            return Py_NewRef((PyObject *)descr);
        }
    }
    return coir_rt_load_method_poly(owner, name, self_out, site);
}

PyObject *coir_rt_load_attr_slot(PyObject *owner, PyObject *name, intptr_t tv, intptr_t offset) {
    if (Py_TYPE(owner)->tp_version_tag == (unsigned int)tv) {
        PyObject *v = *(PyObject **)((char *)owner + offset);
        if (v != NULL) {
            return Py_NewRef(v);
        }
    }
    return PyObject_GetAttr(owner, name);
}

int coir_rt_store_attr_slot(PyObject *owner, PyObject *name, PyObject *v, intptr_t tv, intptr_t offset) {
    if (Py_TYPE(owner)->tp_version_tag == (unsigned int)tv) {
        PyObject **ptr = (PyObject **)((char *)owner + offset);
        PyObject *old = *ptr;
        *ptr = Py_NewRef(v);
        Py_XDECREF(old);
        return 0;
    }
    return PyObject_SetAttr(owner, name, v);
}

/* `owner.name = v` into inline values at `ix` (the tests of STORE_ATTR_INSTANCE_VALUE done:
 * no managed dict, valid values). */
static inline void store_inline_value(PyObject *owner, Py_ssize_t ix, PyObject *v) {
    PyDictValues *values = _PyObject_InlineValues(owner);
    PyObject *old = values->values[ix];
    values->values[ix] = Py_NewRef(v);
    if (old == NULL) {
        _PyDictValues_AddToInsertionOrder(values, ix);
    }
    Py_XDECREF(old);
}

/* A store's own cache: as a load's (word 2i = type version | index << 32), used under
 * STORE_ATTR_INSTANCE_VALUE's tests. */
int coir_rt_store_attr_poly(PyObject *owner, PyObject *name, PyObject *v, intptr_t site) {
    uint64_t *cache = (uint64_t *)site;
    PyTypeObject *tp = Py_TYPE(owner);
    uint32_t tv = tp->tp_version_tag;
    if (tv != 0 && (tp->tp_flags & Py_TPFLAGS_INLINE_VALUES) && _PyObject_GetManagedDict(owner) == NULL &&
        _PyObject_InlineValues(owner)->valid) {
        for (int i = 0; i < COIR_SITE_CACHE_ENTRIES; i++) {
            uint64_t e = cache[2 * i];
            if ((uint32_t)e == tv) {
                store_inline_value(owner, (Py_ssize_t)(e >> 32), v);
                return 0;
            }
        }
    }
    if (PyObject_SetAttr(owner, name, v) < 0) {
        return -1;
    }
    /* (The store may have run code: everything is read again.) The generic store, no class
     * attribute of that name (so no descriptor intercepts it), no managed dict. */
    tp = Py_TYPE(owner);
    if (tp->tp_setattro == PyObject_GenericSetAttr && _PyType_Lookup(tp, name) == NULL &&
        _PyObject_GetManagedDict(owner) == NULL) {
        site_cache_put_instance_value(cache, owner, name, v);
    }
    return 0;
}

int coir_rt_store_attr_instance_value(PyObject *owner, PyObject *name, PyObject *v, intptr_t tv, intptr_t offset,
                                      intptr_t site) {
    PyTypeObject *tp = Py_TYPE(owner);
    if (tp->tp_version_tag == (unsigned int)tv && (tp->tp_flags & Py_TPFLAGS_INLINE_VALUES) &&
        _PyObject_GetManagedDict(owner) == NULL && _PyObject_InlineValues(owner)->valid) {
        PyDictValues *values = _PyObject_InlineValues(owner);
        store_inline_value(owner, (PyObject **)((char *)owner + offset) - values->values, v);
        return 0;
    }
    return coir_rt_store_attr_poly(owner, name, v, site);
}

/* The guard of LOAD_GLOBAL_MODULE/BUILTIN: an exact dict whose keys still have `version`. */
static inline PyDictKeysObject *dict_keys_if_version(PyObject *d, intptr_t version) {
    if (!PyDict_CheckExact(d)) {
        return NULL;
    }
    PyDictKeysObject *keys = ((PyDictObject *)d)->ma_keys;
    return keys->dk_version == (uint32_t)version && DK_IS_UNICODE(keys) ? keys : NULL;
}

/* ---- globals as cells. A global read with feedback (LOAD_GLOBAL_MODULE, _BUILTIN) in native
 * code reads a CoirGlobalCell named by the first word of its site's cache: the object
 * `globals[name]`, else `builtins[name]`, while the frame's dicts are the cell's (runtime-abi's
 * CoirGlobalCell). A dict watcher on both dicts clears `value` before either changes the name's
 * entry (or is cleared, cloned into, or freed); the next read takes the helper, which looks the
 * name up and sets `value` again. So native code reads a global in three dependent loads,
 * where the keys-version tests the interpreter makes take eight.
 *
 * The watcher finds a dict's cells for a key through two chained hash tables keyed by
 * (dict, hash of the name): one by the cells' globals, one by their builtins. Cells are never
 * freed: a site may name one after its dict is gone (it is then dead, its dicts NULL, and
 * matches no frame). */
static int globals_watcher = -1;
static CoirGlobalCell **cells_by_globals = NULL, **cells_by_builtins = NULL;
static size_t cell_buckets = 0;       /* a power of two, or 0 before the first cell */
static CoirGlobalCell **all_cells = NULL;
static size_t n_cells = 0, cells_cap = 0;

static inline size_t cell_bucket(PyObject *dict, Py_hash_t hash) {
    uint64_t h = ((uint64_t)(uintptr_t)dict >> 4) ^ (uint64_t)hash;
    h *= 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 29) & (cell_buckets - 1);
}

/* Link the live cells into tables of `buckets` buckets (the old ones are dropped). 0 or -1. */
static int relink_cells(size_t buckets) {
    CoirGlobalCell **g = PyMem_RawCalloc(buckets, sizeof(*g));
    CoirGlobalCell **b = PyMem_RawCalloc(buckets, sizeof(*b));
    if (g == NULL || b == NULL) {
        PyMem_RawFree(g);
        PyMem_RawFree(b);
        return -1;
    }
    PyMem_RawFree(cells_by_globals);
    PyMem_RawFree(cells_by_builtins);
    cells_by_globals = g;
    cells_by_builtins = b;
    cell_buckets = buckets;
    for (size_t i = 0; i < n_cells; i++) {
        CoirGlobalCell *c = all_cells[i];
        c->next_globals = c->next_builtins = NULL;
        if (c->globals == NULL) {
            continue; /* dead */
        }
        size_t kg = cell_bucket(c->globals, c->hash), kb = cell_bucket(c->builtins, c->hash);
        c->next_globals = g[kg];
        g[kg] = c;
        c->next_builtins = b[kb];
        b[kb] = c;
    }
    return 0;
}

/* The watcher: runs before `dict` changes. It must not fail nor run Python code. */
static int on_dict_event(PyDict_WatchEvent event, PyObject *dict, PyObject *key, PyObject *new_value) {
    (void)new_value;
    if (cell_buckets == 0) {
        return 0;
    }
    int keyed = (event == PyDict_EVENT_ADDED || event == PyDict_EVENT_MODIFIED || event == PyDict_EVENT_DELETED) &&
                key != NULL && PyUnicode_CheckExact(key);
    if (keyed) {
        Py_hash_t hash = PyObject_Hash(key); /* a str's: cached, never fails */
        size_t k = cell_bucket(dict, hash);
        for (CoirGlobalCell *c = cells_by_globals[k]; c != NULL; c = c->next_globals) {
            if (c->globals == dict && c->hash == hash && _PyUnicode_Equal(c->name, key)) {
                c->value = NULL;
            }
        }
        for (CoirGlobalCell *c = cells_by_builtins[k]; c != NULL; c = c->next_builtins) {
            if (c->builtins == dict && c->hash == hash && _PyUnicode_Equal(c->name, key)) {
                c->value = NULL;
            }
        }
        return 0;
    }
    /* Cleared, cloned into, freed, or a key that is not a str: every cell of the dict. */
    for (size_t i = 0; i < n_cells; i++) {
        CoirGlobalCell *c = all_cells[i];
        if (c->globals == dict || c->builtins == dict) {
            c->value = NULL;
            if (event == PyDict_EVENT_DEALLOCATED) {
                c->globals = c->builtins = NULL;
            }
        }
    }
    return 0;
}

/* Name `value`, just read as `name` from the frame's globals or builtins, as that global in the
 * site's word, through the cell for the frame's dicts (made and watched if new). Anything
 * unusual (dict subclasses, no watcher, no memory) leaves the site to the helper. */
static void arm_global_cell(uintptr_t *site, PyObject *globals, PyObject *builtins, PyObject *name, PyObject *value) {
    if (site == NULL || globals_watcher < 0 || globals == NULL || builtins == NULL || !PyDict_CheckExact(globals) ||
        !PyDict_CheckExact(builtins) || !PyUnicode_CheckExact(name)) {
        return;
    }
    Py_hash_t hash = PyObject_Hash(name);
    CoirGlobalCell *cell = NULL;
    if (cell_buckets != 0) {
        for (CoirGlobalCell *c = cells_by_globals[cell_bucket(globals, hash)]; c != NULL; c = c->next_globals) {
            if (c->globals == globals && c->builtins == builtins && c->name == name) {
                cell = c;
                break;
            }
        }
    }
    if (cell == NULL) {
        if (PyDict_Watch(globals_watcher, globals) < 0 || PyDict_Watch(globals_watcher, builtins) < 0) {
            PyErr_Clear();
            return;
        }
        if (n_cells == cells_cap) {
            size_t cap = cells_cap ? 2 * cells_cap : 256;
            CoirGlobalCell **all = PyMem_RawRealloc(all_cells, cap * sizeof(*all));
            if (all == NULL) {
                return;
            }
            all_cells = all;
            cells_cap = cap;
        }
        if ((cell = PyMem_RawCalloc(1, sizeof(*cell))) == NULL) {
            return;
        }
        cell->globals = globals;
        cell->builtins = builtins;
        cell->name = Py_NewRef(name);
        cell->hash = hash;
        all_cells[n_cells++] = cell;
        if (n_cells > 2 * cell_buckets) {
            /* Relinking links the new cell too. */
            if (relink_cells(cell_buckets ? 4 * cell_buckets : 1024) < 0) {
                /* Not in the tables, so the watcher could not find it: never used. */
                cell->globals = cell->builtins = NULL;
                return;
            }
        }
        else {
            size_t kg = cell_bucket(globals, hash), kb = cell_bucket(builtins, hash);
            cell->next_globals = cells_by_globals[kg];
            cells_by_globals[kg] = cell;
            cell->next_builtins = cells_by_builtins[kb];
            cells_by_builtins[kb] = cell;
        }
    }
    cell->value = value;
    *site = (uintptr_t)cell;
}

PyObject *coir_rt_load_global_cached(_PyInterpreterFrame *f, PyObject *name, intptr_t gv, intptr_t bv, intptr_t index,
                                     intptr_t site) {
    coir_counters.global_lookups++;
    PyDictKeysObject *keys = dict_keys_if_version(f->f_globals, gv);
    if (keys != NULL && bv >= 0) {
        keys = dict_keys_if_version(f->f_builtins, bv);
    }
    if (keys != NULL && index < DK_SIZE(keys)) {
        PyObject *v = DK_UNICODE_ENTRIES(keys)[index].me_value;
        if (v != NULL) {
            arm_global_cell((uintptr_t *)site, f->f_globals, f->f_builtins, name, v);
            return Py_NewRef(v);
        }
    }
    /* The module or the builtins changed names since the compile: the interpreter would
     * specialise the instruction again, so after enough misses the function is compiled again
     * (its next calls run interpreted, refreshing the inline caches, until the new code is in). */
    CoirCodeState *st = coir_code_state(_PyFrame_GetCode(f), 0);
    if (st != NULL && ++st->global_misses >= COIR_GLOBAL_MISSES_RECOMPILE &&
        st->global_recompiles < COIR_GLOBAL_RECOMPILES_MAX && st->recompile == 0) {
        st->global_misses = 0;
        st->global_recompiles++;
        st->recompile = 1;
    }
    PyObject *v = coir_rt_load_global(f, name);
    if (v != NULL) {
        arm_global_cell((uintptr_t *)site, f->f_globals, f->f_builtins, name, v);
    }
    return v;
}

/* An exact dict whose keys are all str: looking a str up in it runs no code and cannot fail. */
static inline int str_keyed_dict(PyObject *d) {
    return d != NULL && PyDict_CheckExact(d) && DK_IS_UNICODE(((PyDictObject *)d)->ma_keys);
}

PyObject *coir_rt_load_global_in(PyObject *func, PyObject *name, intptr_t site) {
    PyObject *globals = ((PyFunctionObject *)func)->func_globals, *builtins = ((PyFunctionObject *)func)->func_builtins;
    if (!str_keyed_dict(globals) || !str_keyed_dict(builtins) || !PyUnicode_CheckExact(name)) {
        return NULL;
    }
    coir_counters.global_lookups++;
    PyObject *v;
    if (PyDict_GetItemRef(globals, name, &v) == 0 && PyDict_GetItemRef(builtins, name, &v) == 0) {
        return NULL;
    }
    if (v != NULL) {
        arm_global_cell((uintptr_t *)site, globals, builtins, name, v);
    }
    return v;
}

/* LOAD_ATTR with LOAD_ATTR_MODULE feedback (`math.sqrt`): an exact module's attribute, read as
 * the generic lookup reads it when its type has no attribute of that name (then the module's
 * dict decides: module_getattro, _PyObject_GenericGetAttrWithDict), through a global cell of
 * the dict (as both of the cell's dicts: the value is the dict's entry), which the backend's
 * fast path reads (emit.rs, global_fast_path) and the dict watcher keeps current. `type(m)`
 * being exactly ModuleType, a static type, nothing else can intercept the read. Anything else
 * is the generic getattr. */
PyObject *coir_rt_load_attr_module(PyObject *owner, PyObject *name, intptr_t site) {
    if (PyModule_CheckExact(owner) && PyUnicode_CheckExact(name) && _PyType_Lookup(&PyModule_Type, name) == NULL) {
        PyObject *dict = ((PyModuleObject *)owner)->md_dict;
        PyObject *v;
        if (str_keyed_dict(dict) && PyDict_GetItemRef(dict, name, &v) > 0) {
            arm_global_cell((uintptr_t *)site, dict, dict, name, v);
            return v;
        }
    }
    return PyObject_GetAttr(owner, name);
}

PyObject *coir_rt_binary_op_numeric(PyObject *l, PyObject *r, int oparg) {
    if (PyFloat_CheckExact(l) && PyFloat_CheckExact(r)) {
        double a = PyFloat_AS_DOUBLE(l), b = PyFloat_AS_DOUBLE(r);
        switch (oparg) {
        case NB_ADD: case NB_INPLACE_ADD: return PyFloat_FromDouble(a + b);
        case NB_SUBTRACT: case NB_INPLACE_SUBTRACT: return PyFloat_FromDouble(a - b);
        case NB_MULTIPLY: case NB_INPLACE_MULTIPLY: return PyFloat_FromDouble(a * b);
        default: break;
        }
    }
    else if (PyLong_CheckExact(l) && PyLong_CheckExact(r) &&
             _PyLong_BothAreCompact((PyLongObject *)l, (PyLongObject *)r)) {
        switch (oparg) {
        case NB_ADD: case NB_INPLACE_ADD: return _PyLong_Add((PyLongObject *)l, (PyLongObject *)r);
        case NB_SUBTRACT: case NB_INPLACE_SUBTRACT: return _PyLong_Subtract((PyLongObject *)l, (PyLongObject *)r);
        case NB_MULTIPLY: case NB_INPLACE_MULTIPLY: return _PyLong_Multiply((PyLongObject *)l, (PyLongObject *)r);
        default: break;
        }
    }
    return _PyEval_BinaryOps[oparg](l, r);
}

/* res = (a OP b) for a rich-comparison op; C's comparisons give IEEE semantics for NaN. */
#define RICH_COMPARE(res, op, a, b)            \
    switch (op) {                              \
    case Py_LT: (res) = (a) < (b); break;      \
    case Py_LE: (res) = (a) <= (b); break;     \
    case Py_EQ: (res) = (a) == (b); break;     \
    case Py_NE: (res) = (a) != (b); break;     \
    case Py_GT: (res) = (a) > (b); break;      \
    default: (res) = (a) >= (b); break;        \
    }

PyObject *coir_rt_compare_op_numeric(PyObject *l, PyObject *r, int oparg) {
    int op = oparg >> 5, res;
    if (PyFloat_CheckExact(l) && PyFloat_CheckExact(r)) {
        double a = PyFloat_AS_DOUBLE(l), b = PyFloat_AS_DOUBLE(r);
        RICH_COMPARE(res, op, a, b);
        return res ? Py_True : Py_False;
    }
    if (PyLong_CheckExact(l) && PyLong_CheckExact(r) && _PyLong_BothAreCompact((PyLongObject *)l, (PyLongObject *)r)) {
        Py_ssize_t a = _PyLong_CompactValue((PyLongObject *)l), b = _PyLong_CompactValue((PyLongObject *)r);
        RICH_COMPARE(res, op, a, b);
        return res ? Py_True : Py_False;
    }
    return coir_rt_compare_op(l, r, oparg);
}

int coir_rt_str_compare(PyObject *l, PyObject *r, int op) {
    /* As COMPARE_OP_STR: _PyUnicode_Equal, which also answers for the same object. */
    return _PyUnicode_Equal(l, r) ^ (op == Py_NE);
}

PyObject *coir_rt_box_float(double v) { return PyFloat_FromDouble(v); }
PyObject *coir_rt_box_int(int64_t v) { return PyLong_FromLongLong(v); }

/* Compile `co` again without speculating at the instruction at code unit `unit` (the hook, or
 * the next call in profile mode, asks for it). */
static void despecialise(PyCodeObject *co, int unit) {
    CoirCodeState *st = coir_code_state(co, 0);
    if (st != NULL && st->n_no_speculate < COIR_NO_SPECULATE_MAX) {
        st->no_speculate[st->n_no_speculate++] = unit;
        if (st->recompile == 0) {
            st->recompile = 1;
        }
    }
}

/* A frame state's slot as a reference of its own (or NULL): `item` as native code passed it,
 * `kind` how (COIR_SLOT_*: moved, borrowed, an unboxed float's or int's bits). Boxing an
 * unboxed value can only fail for lack of memory, and there is no way back into native code
 * then: that is fatal, as a corrupt frame would be. */
static PyObject *frame_state_ref(PyObject *item, char kind) {
    PyObject *o = item;
    switch (kind) {
    case COIR_SLOT_BORROWED: Py_XINCREF(o); break;
    case COIR_SLOT_F64: {
        double d;
        memcpy(&d, &item, sizeof d);
        o = PyFloat_FromDouble(d);
        break;
    }
    case COIR_SLOT_I64: o = PyLong_FromLongLong((long long)(intptr_t)item); break;
    default: break; /* COIR_SLOT_OWNED */
    }
    if (o == NULL && (kind == COIR_SLOT_F64 || kind == COIR_SLOT_I64)) {
        Py_FatalError("coir: out of memory while leaving native code for the interpreter");
    }
    return o;
}

/* The value stack of a frame state (n slots, `kinds`) written into the frame, resuming at code
 * unit `unit`: what a guard's exit and a generator's suspension leave. */
static void write_frame_state(_PyInterpreterFrame *f, PyObject **items, int n, int unit, const char *kinds) {
    PyCodeObject *co = _PyFrame_GetCode(f);
    _PyStackRef *stack = f->localsplus + co->co_nlocalsplus;
    for (int i = 0; i < n; i++) {
        if (kinds[i] == COIR_SLOT_TAG_INT) {
            /* A handler's lasti, as coir_rt_lasti made it. */
            stack[i] = (_PyStackRef){.bits = (uintptr_t)items[i]};
            continue;
        }
        PyObject *o = frame_state_ref(items[i], kinds[i]);
        stack[i] = o == NULL ? PyStackRef_NULL : PyStackRef_FromPyObjectSteal(o);
    }
    f->stackpointer = stack + n;
    f->instr_ptr = _PyCode_CODE(co) + unit;
}

/* YIELD_VALUE in a native generator: the stack but its top (the value yielded) goes into the
 * frame, which is left as the interpreter's YIELD_VALUE leaves it (instr_ptr past the yield,
 * the generator suspended, the thread's exception state back to the caller's); run_native
 * unlinks it without clearing it. */
PyObject *coir_rt_suspend(PyThreadState *ts, _PyInterpreterFrame *f, PyObject **items, int n, int unit, intptr_t kinds,
                          int oparg) {
    const char *k = (const char *)kinds;
    PyObject *value = frame_state_ref(items[n - 1], k[n - 1]);
    write_frame_state(f, items, n - 1, unit, k);
    PyGenObject *gen = _PyGen_GetGeneratorFromFrame(f);
    gen->gi_frame_state = FRAME_SUSPENDED + oparg;
    ts->exc_info = gen->gi_exc_state.previous_item;
    gen->gi_exc_state.previous_item = NULL;
    return value;
}

/* A native generator resumed: its value stack, the value sent in on top (gen_send_ex2 pushed
 * it), moved out of the frame. The resumption point's depth is the compiled code's; the
 * frame's agrees with it for any code the interpreter suspends (a mismatch, possible only in
 * a hand-made code object, leaves NULLs and releases the extra slots). A handler's tagged
 * lasti stays in the frame (NULL in `out`) for coir_rt_resumed_lasti, which the compiled code
 * calls for the slots where it has one. */
void coir_rt_resume_stack(_PyInterpreterFrame *f, int n, PyObject **out) {
    _PyStackRef *base = f->localsplus + _PyFrame_GetCode(f)->co_nlocalsplus;
    int have = (int)(f->stackpointer - base);
    for (int i = 0; i < n; i++) {
        out[i] = i < have && !PyStackRef_IsNull(base[i]) && !PyStackRef_IsTaggedInt(base[i])
                     ? PyStackRef_AsPyObjectSteal(base[i])
                     : NULL;
    }
    f->stackpointer = base;
    for (int i = n; i < have; i++) {
        PyStackRef_XCLOSE(base[i]);
    }
}

intptr_t coir_rt_resumed_lasti(_PyInterpreterFrame *f, int i) {
    _PyStackRef ref = f->localsplus[_PyFrame_GetCode(f)->co_nlocalsplus + i];
    /* A hand-made code object's frame may hold anything there: a lasti of 0 then (RERAISE
     * would resume at the start, as for a frame the interpreter gave a bad lasti). */
    return (intptr_t)(PyStackRef_IsTaggedInt(ref) ? ref.bits : PyStackRef_TagInt(0).bits);
}

static int send_natively(PyThreadState *ts, PyGenObject *gen, PyObject *v, PyObject **out);

/* SEND's generic path (bytecodes.c, _SEND, when it does not push a generator's frame itself):
 * PyIter_Send does what it does (the type's am_send, tp_iternext for None, else send()). */
int coir_rt_send(PyThreadState *ts, PyObject *receiver, PyObject *v, PyObject **out) {
    if (Py_TYPE(receiver) == &PyCoro_Type || Py_TYPE(receiver) == &PyGen_Type) {
        int r = send_natively(ts, (PyGenObject *)receiver, v, out);
        if (r != 2) {
            return r;
        }
    }
    switch (PyIter_Send(receiver, v, out)) {
    case PYGEN_NEXT: return 1;
    case PYGEN_RETURN: return 0;
    default: return -1;
    }
}

PyObject *coir_rt_get_yield_from_iter(_PyInterpreterFrame *f, PyObject *iterable) {
    if (PyCoro_CheckExact(iterable)) {
        if (!(_PyFrame_GetCode(f)->co_flags & (CO_COROUTINE | CO_ITERABLE_COROUTINE))) {
            PyErr_SetString(PyExc_TypeError, "cannot 'yield from' a coroutine object in a non-coroutine generator");
            return NULL;
        }
        return Py_NewRef(iterable);
    }
    if (PyGen_CheckExact(iterable)) {
        return Py_NewRef(iterable);
    }
    return PyObject_GetIter(iterable);
}

/* GET_AWAITABLE. A coroutine not suspended in a `yield from` (`await f()`: one just created)
 * is its own awaitable, which _PyEval_GetAwaitable finds after two calls. */
PyObject *coir_rt_get_awaitable(PyObject *iterable, int oparg) {
    if (Py_TYPE(iterable) == &PyCoro_Type && ((PyGenObject *)iterable)->gi_frame_state != FRAME_SUSPENDED_YIELD_FROM) {
        return Py_NewRef(iterable);
    }
    return _PyEval_GetAwaitable(iterable, oparg);
}

PyObject *coir_rt_get_aiter(PyObject *obj) {
    PyTypeObject *type = Py_TYPE(obj);
    unaryfunc getter = type->tp_as_async != NULL ? type->tp_as_async->am_aiter : NULL;
    if (getter == NULL) {
        PyErr_Format(PyExc_TypeError, "'async for' requires an object with __aiter__ method, got %.100s", type->tp_name);
        return NULL;
    }
    PyObject *iter = getter(obj);
    if (iter == NULL) {
        return NULL;
    }
    if (Py_TYPE(iter)->tp_as_async == NULL || Py_TYPE(iter)->tp_as_async->am_anext == NULL) {
        PyErr_Format(PyExc_TypeError, "'async for' received an object from __aiter__ that does not implement __anext__: %.100s",
                     Py_TYPE(iter)->tp_name);
        Py_DECREF(iter);
        return NULL;
    }
    return iter;
}

PyObject *coir_rt_get_anext(PyObject *aiter) { return _PyEval_GetANext(aiter); }

int coir_rt_end_async_for(PyObject *exc) {
    if (PyErr_GivenExceptionMatches(exc, PyExc_StopAsyncIteration)) {
        return 0;
    }
    PyErr_SetRaisedException(Py_NewRef(exc));
    return -1;
}

PyObject *coir_rt_resume_in_interpreter(_PyInterpreterFrame *f) {
    (void)f;
    return COIR_DEOPTED;
}

/* A guard failed: the frame becomes what the interpreter would have at `unit` (locals are in
 * the frame already; the value stack is written here), and run_native hands it to the
 * interpreter. */
void coir_rt_deopt(_PyInterpreterFrame *f, PyObject **items, int n, int unit, int reason, intptr_t kinds,
                   intptr_t failures) {
    PyCodeObject *co = _PyFrame_GetCode(f);
    write_frame_state(f, items, n, unit, (const char *)kinds);
    if (reason >= 0 && reason < COIR_DEOPT_COUNT) {
        coir_counters.deopts[reason]++;
    }
    /* A guard that keeps failing costs more than it saves (monitoring switched on is no
     * speculation that failed). */
    if (failures == COIR_DESPECIALISE_AFTER && reason != COIR_DEOPT_INSTRUMENTED) {
        despecialise(co, unit);
    }
}

PyObject *coir_rt_subscr_seq_int(PyObject *container, PyObject *sub) {
    if (PyLong_CheckExact(sub) && _PyLong_IsNonNegativeCompact((PyLongObject *)sub)) {
        Py_ssize_t i = _PyLong_CompactValue((PyLongObject *)sub);
        if (PyList_CheckExact(container) && i < PyList_GET_SIZE(container)) {
            return Py_NewRef(PyList_GET_ITEM(container, i));
        }
        if (PyTuple_CheckExact(container) && i < PyTuple_GET_SIZE(container)) {
            return Py_NewRef(PyTuple_GET_ITEM(container, i));
        }
    }
    return PyObject_GetItem(container, sub);
}
/* BINARY_OP_SUBSCR_DICT feedback: an exact dict looked up directly, the KeyError raised as the
 * interpreter's specialised form raises it (dict_subscript does the same for exact dicts);
 * anything else as BINARY_OP. */
PyObject *coir_rt_subscr_dict(PyObject *container, PyObject *sub) {
    if (!PyDict_CheckExact(container)) {
        return PyObject_GetItem(container, sub);
    }
    PyObject *res;
    if (PyDict_GetItemRef(container, sub, &res) == 0) {
        _PyErr_SetKeyError(sub);
    }
    return res;
}

/* BINARY_OP_SUBSCR_STR_INT feedback: a Latin-1 character of an exact str is the interpreter's
 * immortal one-character string (as unicode_getitem returns it); anything else as BINARY_OP. */
PyObject *coir_rt_subscr_str_int(PyObject *container, PyObject *sub) {
    if (PyUnicode_CheckExact(container) && PyLong_CheckExact(sub) &&
        _PyLong_IsNonNegativeCompact((PyLongObject *)sub)) {
        Py_ssize_t i = (Py_ssize_t)((PyLongObject *)sub)->long_value.ob_digit[0];
        if (i < PyUnicode_GET_LENGTH(container)) {
            Py_UCS4 c = PyUnicode_READ_CHAR(container, i);
            if (c < 256) {
                return _Py_LATIN1_CHR(c);
            }
        }
    }
    return PyObject_GetItem(container, sub);
}

/* STORE_SUBSCR_DICT feedback: an exact dict's item set directly (dict_ass_sub does the same). */
int coir_rt_store_subscr_dict(PyObject *v, PyObject *container, PyObject *sub) {
    if (PyDict_CheckExact(container)) {
        return PyDict_SetItem(container, sub, v);
    }
    return PyObject_SetItem(container, sub, v);
}

int coir_rt_delete_attr(PyObject *owner, PyObject *name) { return PyObject_DelAttr(owner, name); }

/* LOAD_SUPER_ATTR. `site` is the instruction's own cache (see the attribute caches above): its
 * words hold SUPER_CACHE_ENTRIES entries of three, the methods the method form last found
 * (`super().step(dt)` in a class and its subclasses: one entry per class of self): self's
 * class's type version, the class super() starts after, and the method (borrowed). While that version
 * is unchanged, so is every class of its MRO (a change to any of them invalidates the
 * versions of its subclasses), and so is the lookup's result: _PySuper_Lookup walks that MRO
 * after the class and reads the classes' dicts. Versions are never reused. Remembered only
 * for an instance (not a class: a classmethod's super() starts from the class itself) whose
 * class derives from the start class, the case in which the lookup takes self's class as its
 * start without looking up `__class__`. */
#define SUPER_CACHE_ENTRIES (2 * COIR_SITE_CACHE_ENTRIES / 3)

PyObject *coir_rt_load_super_attr(PyObject *global_super, PyObject *cls, PyObject *self, PyObject *name, int oparg,
                                  PyObject **self_out, intptr_t site) {
    *self_out = NULL;
    if (global_super == (PyObject *)&PySuper_Type && PyType_Check(cls)) {
        /* As LOAD_SUPER_ATTR_ATTR and LOAD_SUPER_ATTR_METHOD: no super object. The method form
         * pushes the function unbound and self (a new reference) when the lookup found a
         * method. */
        int method_found = 0;
        int *want_method = (oparg & 1) && Py_TYPE(self)->tp_getattro == PyObject_GenericGetAttr ? &method_found : NULL;
        uint64_t *cache = (uint64_t *)site;
        PyTypeObject *tp = Py_TYPE(self);
        uint32_t tv = tp->tp_version_tag;
        int cacheable = want_method != NULL && tv != 0 && !PyType_Check(self);
        for (int i = 0; cacheable && i < SUPER_CACHE_ENTRIES; i++) {
            uint64_t *e = cache + 3 * i;
            if (e[0] == tv && e[1] == (uintptr_t)cls) {
                *self_out = Py_NewRef(self);
                return Py_NewRef((PyObject *)(uintptr_t)e[2]);
            }
        }
        PyObject *attr = _PySuper_Lookup((PyTypeObject *)cls, self, name, want_method);
        if (attr != NULL && method_found) {
            *self_out = Py_NewRef(self);
            if (cacheable && tp->tp_version_tag == tv && PyType_IsSubtype(tp, (PyTypeObject *)cls)) {
                /* The newest entry first; the oldest goes. */
                memmove(cache + 3, cache, sizeof(uint64_t) * 3 * (SUPER_CACHE_ENTRIES - 1));
                cache[0] = tv;
                cache[1] = (uintptr_t)cls;
                cache[2] = (uintptr_t)attr;
            }
        }
        return attr;
    }
    PyObject *stack[] = {cls, self};
    PyObject *super = PyObject_Vectorcall(global_super, stack, oparg & 2, NULL);
    if (super == NULL) {
        return NULL;
    }
    PyObject *attr = PyObject_GetAttr(super, name);
    Py_DECREF(super);
    if (attr == NULL) {
        return NULL;
    }
    /* The method form pushes NULL as self_or_null: attr is already bound through super(). */
    return attr;
}

/* _PyFunction_Vectorcall is not exported; its address is read off a function made at init. */
static vectorcallfunc py_function_vectorcall = NULL;

/* Code objects whose frames are generators', coroutines' or async generators' (a call makes
 * the object; native code runs the frame when it resumes). */
#define COIR_GENERATOR_FLAGS (CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR | CO_ITERABLE_COROUTINE)

/* Whether `co`'s instrumentation is older than the interpreter's (monitoring was switched on
 * and off while no frame ran it). Such code runs one call in the interpreter, whose RESUME
 * instruments it at the current version: a native frame's guard continues in the interpreter
 * past RESUME, with the code as it is. */
static inline int instrumentation_stale(PyInterpreterState *interp, PyCodeObject *co) {
    /* Version 0: monitoring was never used, and every code object is at 0 (this spares the
     * load of the code object's word on every call of a program that never traces). */
    uintptr_t v = _Py_atomic_load_uintptr_relaxed(&interp->ceval.instrumentation_version);
    return __builtin_expect(v != 0 && co->_co_instrumentation_version != v, 0);
}

/* The frame hook, and whether it is the interpreter's frame evaluator now (set_hook). */
static PyObject *coir_eval(PyThreadState *ts, _PyInterpreterFrame *f, int throwflag);
static int hook_installed = 0;
/* Profile mode (below). */
static PyObject *coir_vectorcall(PyObject *callable, PyObject *const *args, size_t nargsf, PyObject *kwnames);
static inline __attribute__((always_inline)) CoirCodeState *runnable_natively(PyThreadState *ts, PyCodeObject *co,
                                                                             PyObject *globals, uintptr_t *site);
static inline __attribute__((always_inline)) PyObject *run_native(PyThreadState *ts, _PyInterpreterFrame *f, CoirEntry entry, const void *relocs);

static _PyInterpreterFrame *push_call_frame_general(PyThreadState *ts, PyObject *func, PyObject *const *args,
                                                   Py_ssize_t nargs, PyObject *kwnames);

/* Push the frame of a call of `func` with `nargs` positional arguments and the keyword
 * arguments `kwnames` names (their values follow), all *borrowed*: the caller keeps its
 * references until the call returns, exactly like LOAD_FAST_BORROW'd arguments, so the
 * frame's locals are borrowed stack references. The exact-positional case is pushed inline as
 * CALL_PY_EXACT_ARGS does (_CHECK_FUNCTION_EXACT_ARGS, _CHECK_STACK_SPACE,
 * _INIT_CALL_PY_EXACT_ARGS); _PyEvalFramePushAndInit does the rest (defaults, keywords, *args,
 * **kwargs, and the new data-stack chunk when this one is full). NULL with an exception set.
 * Inlined into every caller, the general case not: the exact case is the common one, and its
 * few stores cost less than a call. */
static inline __attribute__((always_inline)) _PyInterpreterFrame *push_call_frame(PyThreadState *ts, PyObject *func,
                                                                                 PyObject *const *args, Py_ssize_t nargs,
                                                                                 PyObject *kwnames) {
    PyCodeObject *co = (PyCodeObject *)((PyFunctionObject *)func)->func_code;
    if (kwnames == NULL && co->co_argcount == nargs && co->co_kwonlyargcount == 0 &&
        !(co->co_flags & (CO_VARARGS | CO_VARKEYWORDS)) && _PyThreadState_HasStackSpace(ts, co->co_framesize)) {
        _PyInterpreterFrame *f = _PyFrame_PushUnchecked(ts, PyStackRef_FromPyObjectNew(func), (int)nargs, NULL);
        for (Py_ssize_t i = 0; i < nargs; i++) {
            f->localsplus[i] = PyStackRef_FromPyObjectBorrow(args[i]);
        }
        return f;
    }
    return push_call_frame_general(ts, func, args, nargs, kwnames);
}

static _PyInterpreterFrame *push_call_frame_general(PyThreadState *ts, PyObject *func, PyObject *const *args,
                                                   Py_ssize_t nargs, PyObject *kwnames) {
    Py_ssize_t total = nargs + (kwnames != NULL ? PyTuple_GET_SIZE(kwnames) : 0);
    _PyStackRef small[8];
    _PyStackRef *refs = small;
    if (total > 8) {
        refs = PyMem_Malloc((size_t)total * sizeof(_PyStackRef));
        if (refs == NULL) {
            PyErr_NoMemory();
            return NULL;
        }
    }
    for (Py_ssize_t i = 0; i < total; i++) {
        refs[i] = PyStackRef_FromPyObjectBorrow(args[i]);
    }
    /* Copies the references into the frame's locals (or the tuple and dict it builds for
     * *args and **kwargs). */
    _PyInterpreterFrame *f =
        _PyEvalFramePushAndInit(ts, PyStackRef_FromPyObjectNew(func), NULL, refs, (size_t)nargs, kwnames, NULL);
    if (refs != small) {
        PyMem_Free(refs);
    }
    return f;
}

/* ------------------------------------------------------------------ stack segments
 *
 * The interpreter runs a Python function's call of another Python function without a C frame,
 * so pure Python recursion is bounded by the recursion limit alone (test_call's
 * test_super_deep recurses 90,000 deep with 8 MB of C stack). Native code makes such a call
 * with a C call. When a call from native code into a Python function (call_py_function) finds
 * less than a quarter of the thread's C stack, at most SEGMENT_SWITCH_AT, left, the callee runs
 * on a stack segment of its own, with the thread state's C stack limits set to the segment's
 * (so that C code recursing on it is stopped by RecursionError as on the thread's stack) and
 * put back when it returns. Calls that come from C (through a vectorcall or the frame hook)
 * never switch: recursion through C code alone ends in "Stack overflow" as in the interpreter.
 * Recursion that alternates C calls with Python-to-Python calls can go deeper than in the
 * interpreter (each switch starts a fresh segment) until the recursion limit, or SEGMENTS_MAX
 * segments, end it in RecursionError. Segments are mapped without reserving memory and kept
 * per thread for reuse (SEGMENTS_KEPT); x86-64 only: elsewhere every call stays on the
 * thread's stack. */
#if defined(__x86_64__) && defined(__linux__)
#define COIR_STACK_SEGMENTS 1
enum {
    SEGMENT_BYTES = 8 << 20,
    SEGMENT_GUARD = 64 << 10,       /* unmapped at the segment's low end */
    SEGMENT_SWITCH_AT = 1 << 20,
    SEGMENTS_KEPT = 2,
    SEGMENTS_MAX = 32,              /* in use at once per thread: 256 MB of address space */
};

typedef struct Segment {
    struct Segment *next;
    char *base; /* lowest address of the mapping */
} Segment;

/* Calls fn(arg) with the stack pointer at `top` (16-byte aligned) and returns its result.
 * %rbp keeps the caller's stack pointer; the CFI lets debuggers unwind across the switch. */
PyObject *coir_call_on_stack(void *arg, PyObject *(*fn)(void *), void *top);
__asm__(".text\n"
        ".p2align 4\n"
        ".type coir_call_on_stack,@function\n"
        "coir_call_on_stack:\n"
        ".cfi_startproc\n"
        "    pushq %rbp\n"
        ".cfi_def_cfa_offset 16\n"
        ".cfi_offset %rbp, -16\n"
        "    movq %rsp, %rbp\n"
        ".cfi_def_cfa_register %rbp\n"
        "    movq %rdx, %rsp\n"
        "    callq *%rsi\n"
        "    movq %rbp, %rsp\n"
        "    popq %rbp\n"
        ".cfi_def_cfa %rsp, 8\n"
        "    ret\n"
        ".cfi_endproc\n"
        ".size coir_call_on_stack, .-coir_call_on_stack\n");

static __thread Segment *segments_free = NULL;
static __thread int segments_free_count = 0;
static __thread int segments_in_use = 0;
static pthread_key_t segments_key;
static pthread_once_t segments_once = PTHREAD_ONCE_INIT;

static void release_segments(void *unused) {
    (void)unused;
    while (segments_free != NULL) {
        Segment *seg = segments_free;
        segments_free = seg->next;
        munmap(seg->base, SEGMENT_BYTES);
    }
    segments_free_count = 0;
}

static void make_segments_key(void) { (void)pthread_key_create(&segments_key, release_segments); }

/* The segment's header lives at its top; the stack starts below it. */
static Segment *take_segment(void) {
    if (segments_in_use >= SEGMENTS_MAX) {
        return NULL;
    }
    segments_in_use++;
    Segment *seg = segments_free;
    if (seg != NULL) {
        segments_free = seg->next;
        segments_free_count--;
        return seg;
    }
    char *base = mmap(NULL, SEGMENT_BYTES, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (base == MAP_FAILED) {
        segments_in_use--;
        return NULL;
    }
    (void)mprotect(base, SEGMENT_GUARD, PROT_NONE);
    pthread_once(&segments_once, make_segments_key);
    (void)pthread_setspecific(segments_key, (void *)1); /* the destructor runs at thread exit */
    seg = (Segment *)(base + SEGMENT_BYTES - sizeof(Segment));
    seg->base = base;
    return seg;
}

static void give_segment(Segment *seg) {
    segments_in_use--;
    if (segments_free_count >= SEGMENTS_KEPT) {
        munmap(seg->base, SEGMENT_BYTES);
        return;
    }
    seg->next = segments_free;
    segments_free = seg;
    segments_free_count++;
}

/* Whether a call made here should move to a new segment: the stack pointer is inside the
 * thread's known stack (limits set, as CPython's own checks require) and near its end. */
static inline int stack_nearly_used(PyThreadState *ts) {
    _PyThreadStateImpl *t = (_PyThreadStateImpl *)ts;
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    uintptr_t room = (t->c_stack_top - t->c_stack_soft_limit) / 4;
    if (room > SEGMENT_SWITCH_AT) {
        room = SEGMENT_SWITCH_AT;
    }
    return __builtin_expect(here < t->c_stack_soft_limit + room, 0) && t->c_stack_hard_limit != 0 &&
           here > t->c_stack_hard_limit;
}

/* Whether the thread's current frame is the interpreter running a CALL of `func`: a call the
 * interpreter makes without a C frame when nothing routes it through C, which coir does (the
 * frame hook, and profile mode's vectorcall). A C function calling `func` is not such a call:
 * its caller's CALL names the C function. The interpreter spills the stack pointer before the
 * call (Python/generated_cases.c.h); the slot is only compared, never dereferenced, and read
 * only within the frame's value stack. An EXTENDED_ARG oparg is not seen: no switch then. */
static int interpreter_calls(PyThreadState *ts, PyObject *func) {
    _PyInterpreterFrame *caller = ts->current_frame;
    if (caller == NULL || caller->owner >= FRAME_OWNED_BY_INTERPRETER || caller->instr_ptr == NULL ||
        caller->stackpointer == NULL) {
        return 0;
    }
    PyObject *exe = PyStackRef_AsPyObjectBorrow(caller->f_executable);
    if (exe == NULL || !PyCode_Check(exe)) {
        return 0;
    }
    int below;
    switch (caller->instr_ptr->op.code) {
    case CALL: case CALL_BOUND_METHOD_GENERAL: case CALL_NON_PY_GENERAL: case CALL_PY_GENERAL:
    case CALL_PY_EXACT_ARGS: case CALL_BOUND_METHOD_EXACT_ARGS:
        below = 2;
        break;
    case CALL_KW: case CALL_KW_BOUND_METHOD: case CALL_KW_NON_PY: case CALL_KW_PY:
        below = 3;
        break;
    default:
        return 0;
    }
    _PyStackRef *base = caller->localsplus + ((PyCodeObject *)exe)->co_nlocalsplus;
    _PyStackRef *slot = caller->stackpointer - below - caller->instr_ptr->op.arg;
    if (slot < base || caller->stackpointer > base + ((PyCodeObject *)exe)->co_stacksize) {
        return 0;
    }
    return PyStackRef_AsPyObjectBorrow(*slot) == func;
}

static PyObject *on_segment(PyThreadState *ts, PyObject *(*run)(void *), void *arg);
#endif

static inline int monitoring_active_cached(PyInterpreterState *interp);

/* RETURN_GENERATOR (Python/bytecodes.c) as the first instruction of a called generator,
 * coroutine or async generator function, without entering the interpreter for it: the pushed
 * frame moves into a new generator object (its references with it; borrowed argument
 * references become owned, as _PyFrame_Copy makes them heap-safe) and is popped. The
 * generator's frame starts after RETURN_GENERATOR, in state FRAME_CREATED. */
static __attribute__((noinline)) PyObject *make_generator(PyThreadState *ts, _PyInterpreterFrame *f) {
    PyFunctionObject *func = (PyFunctionObject *)PyStackRef_AsPyObjectBorrow(f->f_funcobj);
    PyGenObject *gen = (PyGenObject *)_Py_MakeCoro(func);
    if (gen == NULL) {
        _PyEval_FrameClearAndPop(ts, f);
        return NULL;
    }
    f->instr_ptr = _PyCode_CODE(_PyFrame_GetCode(f)) + 1;
    _PyInterpreterFrame *gen_frame = &gen->gi_iframe;
    _PyFrame_Copy(f, gen_frame);
    gen->gi_frame_state = FRAME_CREATED;
    gen_frame->owner = FRAME_OWNED_BY_GENERATOR;
    _PyThreadState_PopFrame(ts, f);
    return (PyObject *)gen;
}

/* Whether a called function's frame can become a generator through make_generator: its code
 * begins with RETURN_GENERATOR (no cells or free variables to set up first), no coroutine
 * origin is tracked (_Py_MakeCoro would look for the creating frame among the thread's frames,
 * where this one is not linked) and no monitoring tool is active. */
static inline int makes_generator_directly(PyThreadState *ts, PyCodeObject *co) {
    return __builtin_expect((co->co_flags & COIR_GENERATOR_FLAGS) != 0, 0) &&
           _PyCode_CODE(co)[0].op.code == RETURN_GENERATOR && ts->coroutine_origin_tracking_depth == 0 &&
           !monitoring_active_cached(ts->interp);
}

/* call_py_function's evaluation of the callee's pushed frame. */
static inline __attribute__((always_inline)) PyObject *eval_pushed_call(PyThreadState *ts, _PyInterpreterFrame *f,
                                                                        uintptr_t *site) {
    if (makes_generator_directly(ts, _PyFrame_GetCode(f))) {
        return make_generator(ts, f);
    }
    /* With coir's hook installed, _PyEval_EvalFrame would only call it. */
    if (hook_installed) {
        return coir_eval(ts, f, 0);
    }
    CoirCodeState *st = runnable_natively(ts, _PyFrame_GetCode(f), f->f_globals, site);
    return st != NULL ? run_native(ts, f, st->entry, st->relocs) : _PyEval_EvalFrame(ts, f, 0);
}

#ifdef COIR_STACK_SEGMENTS
/* Runs run(arg) on a segment of its own (see stack segments), or here if none can be had (the
 * stack checks then raise as usual). */
static __attribute__((noinline, cold)) PyObject *on_segment(PyThreadState *ts, PyObject *(*run)(void *), void *arg) {
    Segment *seg = take_segment();
    if (seg == NULL) {
        return run(arg);
    }
    _PyThreadStateImpl *t = (_PyThreadStateImpl *)ts;
    uintptr_t top = t->c_stack_top, soft = t->c_stack_soft_limit, hard = t->c_stack_hard_limit;
    uintptr_t low = (uintptr_t)seg->base + SEGMENT_GUARD;
    uintptr_t high = (uintptr_t)seg & ~(uintptr_t)15;
    /* The limits for a stack [low, high), as CPython computes them. It refuses only a stack
     * smaller than _PyOS_MIN_STACK_SIZE, which a segment never is. */
    if (PyUnstable_ThreadState_SetStackProtection(ts, (void *)low, high - low) < 0) {
        PyErr_Clear();
        give_segment(seg);
        return run(arg);
    }
    PyObject *res = coir_call_on_stack(arg, run, (void *)high);
    t->c_stack_top = top;
    t->c_stack_soft_limit = soft;
    t->c_stack_hard_limit = hard;
    give_segment(seg);
    return res;
}

typedef struct {
    PyThreadState *ts;
    _PyInterpreterFrame *f;
    uintptr_t *site;
} PushedCall;

static PyObject *run_pushed_call(void *arg) {
    PushedCall *c = arg;
    return eval_pushed_call(c->ts, c->f, c->site);
}
#endif

/* A call of a plain Python function, as the interpreter's CALL_PY_* do: push the callee's
 * frame (push_call_frame) and evaluate it natively, or through the frame hook when it is
 * installed, or in the interpreter. `argv` is the caller's scratch array. */
static inline __attribute__((always_inline)) PyObject *call_py_function(PyThreadState *ts, PyObject *func, PyObject **argv,
                                                                        int total, PyObject *kwnames, uintptr_t *site) {
    Py_ssize_t nargs = total - (kwnames ? PyTuple_GET_SIZE(kwnames) : 0);
    _PyInterpreterFrame *f = push_call_frame(ts, func, argv, nargs, kwnames);
    if (f == NULL) {
        return NULL;
    }
#ifdef COIR_STACK_SEGMENTS
    if (stack_nearly_used(ts)) {
        PushedCall c = {ts, f, site};
        return on_segment(ts, run_pushed_call, &c);
    }
#endif
    return eval_pushed_call(ts, f, site);
}

static inline int is_plain_py_function(PyObject *callable) {
    return Py_TYPE(callable) == &PyFunction_Type &&
           (((PyFunctionObject *)callable)->vectorcall == py_function_vectorcall ||
            ((PyFunctionObject *)callable)->vectorcall == coir_vectorcall) &&
           (((PyCodeObject *)((PyFunctionObject *)callable)->func_code)->co_flags & CO_OPTIMIZED);
}

static PyObject *init_name;   /* "__init__", interned (coir_init) */
static PyObject *list_append; /* the descriptor list.append (coir_init) */
static PyObject *list_pop;    /* the descriptor list.pop (coir_init) */

/* The __init__ of `cls` (borrowed: the class keeps it), if `cls` is an ordinary class
 * (metaclass `type`, instances from object.__new__ and PyType_GenericAlloc, not abstract)
 * whose __init__ is a plain Python function; else NULL. Runs no Python code. */
static PyObject *plain_init_class(PyObject *cls) {
    PyTypeObject *tp = (PyTypeObject *)cls;
    if (!Py_IS_TYPE(cls, &PyType_Type) || tp->tp_new != PyBaseObject_Type.tp_new || tp->tp_alloc != PyType_GenericAlloc ||
        (tp->tp_flags & Py_TPFLAGS_IS_ABSTRACT)) {
        return NULL;
    }
    PyObject *init = _PyType_Lookup(tp, init_name); /* borrowed; never sets an error */
    return init != NULL && is_plain_py_function(init) ? init : NULL;
}

void *coir_init_code(void *cls) {
    PyObject *init = cls != NULL ? plain_init_class((PyObject *)cls) : NULL;
    return init != NULL ? ((PyFunctionObject *)init)->func_code : NULL;
}

/* lower/inline.rs runs `cls(...)`'s __init__ inline after allocating the instance itself, as
 * call_class_with_init does, when the class is one plain_init_class accepts (and InlineOk's
 * entry tests, emit.rs, pass for its __init__). */
PyObject *coir_rt_init_of(PyObject *cls) { return plain_init_class(cls); }

PyObject *coir_rt_alloc_instance(PyObject *cls) {
    return ((PyTypeObject *)cls)->tp_alloc((PyTypeObject *)cls, 0);
}

/* `cls(*args)` (keyword arguments too: `kwnames` names the last of them), args[1] free for
 * self, when cls is a class plain_init_class accepts: what type_call does for it (object_new
 * allocates, slot_tp_init calls __init__ with self prepended, and anything but None from it is
 * a TypeError), with __init__ called as any other native call. 0: not such a class; 1:
 * `*result` is the call's. */
static int call_class_with_init(PyThreadState *ts, PyObject **args, int nargs, PyObject *kwnames, PyObject **result,
                                uintptr_t *site) {
    PyTypeObject *tp = (PyTypeObject *)args[0];
    PyObject *init = plain_init_class((PyObject *)tp);
    if (init == NULL) {
        return 0;
    }
    *result = NULL;
    Py_INCREF(init);
    PyObject *self = tp->tp_alloc(tp, 0);
    PyObject *res = NULL;
    if (self != NULL) {
        args[1] = self;
        res = call_py_function(ts, init, args + 1, nargs + 1, kwnames, site);
        args[1] = NULL;
    }
    Py_DECREF(init);
    if (res == NULL) {
        Py_XDECREF(self);
        return 1;
    }
    if (res != Py_None) {
        PyErr_Format(PyExc_TypeError, "__init__() should return None, not '%.200s'", Py_TYPE(res)->tp_name);
        Py_DECREF(res);
        Py_DECREF(self);
        return 1;
    }
    *result = self;
    return 1;
}

/* args[0] = callable, args[1] = self_or_null, args[2..] = arguments. args[-1] is writable
 * scratch, which PY_VECTORCALL_ARGUMENTS_OFFSET allows callees to use. */
/* A call of a C function or method descriptor, or of len or isinstance, as the interpreter's
 * specialised forms make it (CALL_BUILTIN_O, CALL_BUILTIN_FAST, CALL_METHOD_DESCRIPTOR_NOARGS,
 * _O and _FAST, CALL_LEN, CALL_ISINSTANCE): the C function called directly, with the C
 * recursion check around it. 0 (and nothing done) for any other call, which then takes the
 * generic path; else 1 with *res the result (NULL with an exception set). `argv` is `total`
 * arguments, borrowed. */
static inline int call_builtin(PyThreadState *ts, PyObject *callable, PyObject *const *argv, int total, PyObject **res) {
    PyTypeObject *ct = Py_TYPE(callable);
    PyObject *self;
    PyCFunction cfunc;
    int flags;
    if (ct == &PyCFunction_Type) {
        PyCFunctionObject *f = (PyCFunctionObject *)callable;
        PyInterpreterState *interp = ts->interp;
        if (total == 1 && callable == interp->callable_cache.len) {
            Py_ssize_t n = PyObject_Size(argv[0]);
            *res = n < 0 ? NULL : PyLong_FromSsize_t(n);
            return 1;
        }
        if (total == 2 && callable == interp->callable_cache.isinstance) {
            int b = PyObject_IsInstance(argv[0], argv[1]);
            *res = b < 0 ? NULL : PyBool_FromLong(b);
            return 1;
        }
        /* PyCFunction_GET_SELF: a C type's static method has its type as m_self but is called
         * with NULL (as cfunction_vectorcall_* and CALL_BUILTIN_* pass it). */
        self = PyCFunction_GET_SELF(callable);
        cfunc = f->m_ml->ml_meth;
        flags = f->m_ml->ml_flags;
    }
    else if (ct == &PyMethodDescr_Type && total >= 1) {
        /* self is the first argument; the descriptor's own check (descr_check) is that it is
         * an instance of the descriptor's class. */
        PyMethodDescrObject *d = (PyMethodDescrObject *)callable;
        if (!PyObject_TypeCheck(argv[0], d->d_common.d_type)) {
            return 0;
        }
        self = argv[0];
        argv++;
        total--;
        cfunc = d->d_method->ml_meth;
        flags = d->d_method->ml_flags;
    }
    else {
        return 0;
    }
    switch (flags & ~(METH_CLASS | METH_STATIC | METH_COEXIST)) {
    case METH_O:
        if (total != 1) {
            return 0;
        }
        break;
    case METH_NOARGS:
        if (total != 0) {
            return 0;
        }
        break;
    case METH_FASTCALL:
        break;
    default:
        return 0;
    }
    if (_Py_EnterRecursiveCallTstate(ts, " while calling a Python object")) {
        *res = NULL;
        return 1;
    }
    switch (flags & ~(METH_CLASS | METH_STATIC | METH_COEXIST)) {
    case METH_O:
        *res = cfunc(self, argv[0]);
        break;
    case METH_NOARGS:
        *res = cfunc(self, NULL);
        break;
    default:
        *res = ((PyCFunctionFast)(void (*)(void))cfunc)(self, argv, total);
        break;
    }
    _Py_LeaveRecursiveCallTstate(ts);
    return 1;
}

/* Any call; `site` is the call site's cache (see site_code_state), or NULL. */
static PyObject *call_any(PyThreadState *ts, PyObject **args, int nargs, uintptr_t *site) {
    PyObject *callable = args[0];
    PyObject **argv = args[1] != NULL ? args + 1 : args + 2;
    int total = args[1] != NULL ? nargs + 1 : nargs;
    /* The commonest first: a Python function. */
    if (is_plain_py_function(callable)) {
        return call_py_function(ts, callable, argv, total, NULL, site);
    }
    PyObject *r;
    if (args[1] == NULL && PyType_Check(callable) && call_class_with_init(ts, args, nargs, NULL, &r, site)) {
        return r;
    }
    /* `xs.append(x)` on a list, as CALL_LIST_APPEND. */
    if (callable == list_append && nargs == 1 && args[1] != NULL && PyList_CheckExact(args[1])) {
        if (_PyList_AppendTakeRef((PyListObject *)args[1], Py_NewRef(args[2])) < 0) {
            return NULL;
        }
        return Py_None;
    }
    if (args[1] == NULL && Py_TYPE(callable) == &PyMethod_Type) {
        /* As _MAYBE_EXPAND_METHOD: call the function with self in the spare slot. */
        PyObject *fn = PyMethod_GET_FUNCTION(callable);
        if (is_plain_py_function(fn)) {
            args[1] = PyMethod_GET_SELF(callable);
            return call_py_function(ts, fn, args + 1, nargs + 1, NULL, site);
        }
    }
    if (call_builtin(ts, callable, argv, total, &r)) {
        return r;
    }
    return PyObject_Vectorcall(callable, argv, (size_t)total | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
}

/* CALL: a Python function or a bound method of one first, in a function small enough to stay
 * cheap to enter, and any other call through call_any. One helper whatever the interpreter's
 * feedback (CALL_PY_* or not): which form a polymorphic site had when it was sampled varies
 * from run to run, and a helper chosen by it made the function's code, and so its code-cache
 * key, vary with it. */
PyObject *coir_rt_call(PyThreadState *ts, PyObject **args, int nargs, intptr_t site) {
    PyObject *callable = args[0];
    PyObject **argv = args + 2;
    int total = nargs;
    if (args[1] != NULL) {
        argv = args + 1;
        total = nargs + 1;
    }
    else if (Py_TYPE(callable) == &PyMethod_Type && is_plain_py_function(PyMethod_GET_FUNCTION(callable))) {
        args[1] = PyMethod_GET_SELF(callable);
        callable = PyMethod_GET_FUNCTION(callable);
        argv = args + 1;
        total = nargs + 1;
    }
    /* One call site for the frame push and the native entry, both inlined. */
    if (!is_plain_py_function(callable)) {
        return call_any(ts, args, nargs, (uintptr_t *)site);
    }
    return call_py_function(ts, callable, argv, total, NULL, (uintptr_t *)site);
}

PyObject *coir_rt_call_list_append(PyThreadState *ts, PyObject **args, int nargs) {
    if (args[0] == list_append && nargs == 1 && args[1] != NULL && PyList_CheckExact(args[1])) {
        if (_PyList_AppendTakeRef((PyListObject *)args[1], Py_NewRef(args[2])) < 0) {
            return NULL;
        }
        return Py_None;
    }
    return call_any(ts, args, nargs, NULL);
}

PyObject *coir_rt_call_builtin(PyThreadState *ts, PyObject **args, int nargs) {
    PyObject *r;
    /* `xs.pop()` on a list of two items or more that keeps its allocation: list_pop_impl's
     * last item, with list_resize's case that only sets the size. Below half full it
     * reallocates, and popping the last item clears the list (frees its array): the method
     * itself does those (sys.getsizeof tells them apart). */
    if (args[0] == list_pop && nargs == 0 && args[1] != NULL && PyList_CheckExact(args[1])) {
        PyListObject *l = (PyListObject *)args[1];
        Py_ssize_t n = Py_SIZE(l);
        if (n > 1 && n - 1 >= (l->allocated >> 1)) {
            Py_SET_SIZE(l, n - 1);
            return l->ob_item[n - 1];
        }
    }
    PyObject **argv = args[1] != NULL ? args + 1 : args + 2;
    if (call_builtin(ts, args[0], argv, args[1] != NULL ? nargs + 1 : nargs, &r)) {
        return r;
    }
    return call_any(ts, args, nargs, NULL);
}

PyObject *coir_rt_call_class(PyThreadState *ts, PyObject **args, int nargs) {
    PyObject *r;
    if (args[1] == NULL && PyType_Check(args[0]) && call_class_with_init(ts, args, nargs, NULL, &r, NULL)) {
        return r;
    }
    return call_any(ts, args, nargs, NULL);
}

PyObject *coir_rt_call_kw(PyThreadState *ts, PyObject **args, int nargs, PyObject *kwnames) {
    PyObject *callable = args[0];
    Py_ssize_t nkw = PyTuple_GET_SIZE(kwnames);
    PyObject **argv = args[1] != NULL ? args + 1 : args + 2;
    int total = args[1] != NULL ? nargs + 1 : nargs;
    if (is_plain_py_function(callable)) {
        return call_py_function(ts, callable, argv, total, kwnames, NULL);
    }
    PyObject *r;
    if (args[1] == NULL && PyType_Check(callable) && call_class_with_init(ts, args, nargs, kwnames, &r, NULL)) {
        return r;
    }
    return PyObject_Vectorcall(callable, argv, (size_t)(total - nkw) | PY_VECTORCALL_ARGUMENTS_OFFSET, kwnames);
}

PyObject *coir_rt_call_function_ex(PyObject *func, PyObject *callargs, PyObject *kwargs) {
    PyObject *tuple = NULL;
    if (!PyTuple_CheckExact(callargs)) {
        if (_Py_Check_ArgsIterable(PyThreadState_GET(), func, callargs) < 0) {
            return NULL;
        }
        tuple = PySequence_Tuple(callargs);
        if (tuple == NULL) {
            return NULL;
        }
        callargs = tuple;
    }
    PyObject *res = PyObject_Call(func, callargs, kwargs);
    Py_XDECREF(tuple);
    return res;
}

PyObject *coir_rt_call_intrinsic_1(PyThreadState *ts, PyObject *v, int oparg) {
    return _PyIntrinsics_UnaryFunctions[oparg].func(ts, v);
}

PyObject *coir_rt_call_intrinsic_2(PyThreadState *ts, PyObject *v2, PyObject *v1, int oparg) {
    return _PyIntrinsics_BinaryFunctions[oparg].func(ts, v2, v1);
}

/* BUILD_TUPLE. As the interpreter's _PyTuple_FromStackRefStealOnSuccess, through
 * _PyTuple_FromArray: since 3.14.1 (gh-139951) a tuple whose items can never be part of a
 * cycle is created untracked by the GC; PyTuple_New + SET_ITEM would track it. */
PyObject *coir_rt_build_tuple(PyObject **items, int n) {
    return _PyTuple_FromArray(items, n);
}

PyObject *coir_rt_build_list(PyObject **items, int n) {
    PyObject *l = PyList_New(n);
    if (l == NULL) {
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        PyList_SET_ITEM(l, i, Py_NewRef(items[i]));
    }
    return l;
}

PyObject *coir_rt_build_set(PyObject **items, int n) {
    PyObject *s = PySet_New(NULL);
    if (s == NULL) {
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        if (PySet_Add(s, items[i]) < 0) {
            Py_DECREF(s);
            return NULL;
        }
    }
    return s;
}

PyObject *coir_rt_build_map(PyObject **items, int n) {
    return _PyDict_FromItems(items, 2, items + 1, 2, n);
}

PyObject *coir_rt_build_slice(PyObject *start, PyObject *stop, PyObject *step) {
    return PySlice_New(start, stop, step);
}

PyObject *coir_rt_build_string(PyObject **items, int n) {
    PyObject *empty = PyUnicode_FromStringAndSize(NULL, 0);
    if (empty == NULL) {
        return NULL;
    }
    PyObject *res = _PyUnicode_JoinArray(empty, items, n);
    Py_DECREF(empty);
    return res;
}

int coir_rt_list_append(PyObject *list, PyObject *v) { return PyList_Append(list, v); }
int coir_rt_set_add(PyObject *set, PyObject *v) { return PySet_Add(set, v); }
int coir_rt_map_add(PyObject *dict, PyObject *k, PyObject *v) { return PyDict_SetItem(dict, k, v); }

int coir_rt_list_extend(PyObject *list, PyObject *iterable) {
    PyObject *none = _PyList_Extend((PyListObject *)list, iterable);
    if (none == NULL) {
        if (PyErr_ExceptionMatches(PyExc_TypeError) && Py_TYPE(iterable)->tp_iter == NULL &&
            !PySequence_Check(iterable)) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError, "Value after * must be an iterable, not %.200s", Py_TYPE(iterable)->tp_name);
        }
        return -1;
    }
    Py_DECREF(none);
    return 0;
}

int coir_rt_set_update(PyObject *set, PyObject *iterable) { return _PySet_Update(set, iterable); }

int coir_rt_dict_update(PyObject *dict, PyObject *update) {
    if (PyDict_Update(dict, update) < 0) {
        if (PyErr_ExceptionMatches(PyExc_AttributeError)) {
            PyErr_Format(PyExc_TypeError, "'%.200s' object is not a mapping", Py_TYPE(update)->tp_name);
        }
        return -1;
    }
    return 0;
}

int coir_rt_dict_merge(PyObject *callable, PyObject *dict, PyObject *update) {
    if (_PyDict_MergeEx(dict, update, 2) < 0) {
        _PyEval_FormatKwargsError(PyThreadState_GET(), callable, update);
        return -1;
    }
    return 0;
}

PyObject *coir_rt_format_simple(PyObject *v) {
    if (PyUnicode_CheckExact(v)) {
        return Py_NewRef(v);
    }
    return PyObject_Format(v, NULL);
}

PyObject *coir_rt_format_with_spec(PyObject *v, PyObject *spec) { return PyObject_Format(v, spec); }

PyObject *coir_rt_convert_value(PyObject *v, int oparg) { return _PyEval_ConversionFuncs[oparg](v); }

/* Writes the items as owned PyObject*, out[0] the deepest stack slot. */
static int unpack(PyObject *seq, int before, int after, int total, PyObject **out) {
    _PyStackRef *refs = (_PyStackRef *)out;
    if (!_PyEval_UnpackIterableStackRef(PyThreadState_GET(), seq, before, after, refs + total)) {
        return -1;
    }
    for (int i = 0; i < total; i++) {
        out[i] = PyStackRef_AsPyObjectSteal(refs[i]);
    }
    return 0;
}

int coir_rt_unpack_sequence(PyObject *seq, int n, PyObject **out) { return unpack(seq, n, -1, n, out); }

int coir_rt_unpack_ex(PyObject *seq, int oparg, PyObject **out) {
    int before = oparg & 0xFF, after = oparg >> 8;
    return unpack(seq, before, after, before + 1 + after, out);
}

/* RAISE_VARARGS: 1 for a bare re-raise (no new traceback entry), 0 otherwise. An exception is
 * always set on return. */
int coir_rt_raise(PyThreadState *ts, PyObject *exc, PyObject *cause) {
    if (exc == NULL) {
        PyObject *handled = PyErr_GetHandledException();
        if (handled == NULL || handled == Py_None) {
            Py_XDECREF(handled);
            PyErr_SetString(PyExc_RuntimeError, "No active exception to reraise");
            return 0;
        }
        PyErr_SetRaisedException(handled);
        return 1;
    }
    PyObject *type, *value;
    if (PyExceptionClass_Check(exc)) {
        type = Py_NewRef(exc);
        value = PyObject_CallNoArgs(exc);
        if (value == NULL) {
            Py_DECREF(type);
            return 0;
        }
        if (!PyExceptionInstance_Check(value)) {
            PyErr_Format(PyExc_TypeError, "calling %R should have returned an instance of BaseException, not %R",
                         type, Py_TYPE(value));
            Py_DECREF(type);
            Py_DECREF(value);
            return 0;
        }
    }
    else if (PyExceptionInstance_Check(exc)) {
        value = Py_NewRef(exc);
        type = Py_NewRef(PyExceptionInstance_Class(exc));
    }
    else {
        PyErr_SetString(PyExc_TypeError, "exceptions must derive from BaseException");
        return 0;
    }
    if (cause != NULL) {
        PyObject *fixed;
        if (PyExceptionClass_Check(cause)) {
            fixed = PyObject_CallNoArgs(cause);
            if (fixed == NULL) {
                goto fail;
            }
            if (!PyExceptionInstance_Check(fixed)) {
                PyErr_Format(PyExc_TypeError, "calling %R should have returned an instance of BaseException, not %R",
                             cause, Py_TYPE(fixed));
                Py_DECREF(fixed);
                goto fail;
            }
        }
        else if (PyExceptionInstance_Check(cause)) {
            fixed = Py_NewRef(cause);
        }
        else if (cause == Py_None) {
            fixed = NULL;
        }
        else {
            PyErr_SetString(PyExc_TypeError, "exception causes must derive from BaseException");
            goto fail;
        }
        PyException_SetCause(value, fixed);
    }
    PyErr_SetObject(type, value);
fail:
    Py_DECREF(value);
    Py_DECREF(type);
    return 0;
}

void coir_rt_reraise(PyThreadState *ts, PyObject *exc) {
    (void)ts;
    PyErr_SetRaisedException(Py_NewRef(exc));
}

void coir_rt_restore_lasti(_PyInterpreterFrame *f, intptr_t tagged) {
    _PyStackRef ref = {.bits = (uintptr_t)tagged};
    f->instr_ptr = _PyFrame_GetBytecode(f) + PyStackRef_UntagInt(ref);
}

PyObject *coir_rt_push_exc_info(PyThreadState *ts, PyObject *exc) {
    _PyErr_StackItem *info = ts->exc_info;
    PyObject *prev = info->exc_value != NULL ? info->exc_value : Py_None;
    info->exc_value = Py_NewRef(exc);
    return prev; /* the reference exc_info held moves to the stack */
}

void coir_rt_pop_except(PyThreadState *ts, PyObject *exc_value) {
    _PyErr_StackItem *info = ts->exc_info;
    Py_XSETREF(info->exc_value, exc_value == Py_None ? NULL : Py_NewRef(exc_value));
}

PyObject *coir_rt_check_exc_match(PyThreadState *ts, PyObject *left, PyObject *right) {
    if (_PyEval_CheckExceptTypeValid(ts, right) < 0) {
        return NULL;
    }
    return PyErr_GivenExceptionMatches(left, right) ? Py_True : Py_False;
}

/* The exception an error edge carries. Never NULL: a C function that reported an error
 * without setting one (seen under memory-allocation fault injection) is turned into the
 * SystemError the interpreter's _Py_CheckFunctionResult raises, or, if even that cannot be
 * allocated, into the preallocated MemoryError. */
PyObject *coir_rt_fetch_exc(PyThreadState *ts) {
    (void)ts;
    PyObject *exc = PyErr_GetRaisedException();
    if (exc == NULL) {
        PyErr_SetString(PyExc_SystemError, "error return without exception set");
        exc = PyErr_GetRaisedException();
    }
    if (exc == NULL) {
        PyErr_NoMemory();
        exc = PyErr_GetRaisedException();
    }
    return exc;
}

intptr_t coir_rt_lasti(_PyInterpreterFrame *f) {
    return (intptr_t)PyStackRef_TagInt(_PyInterpreterFrame_LASTI(f)).bits;
}

void coir_rt_traceback_here(_PyInterpreterFrame *f) {
    (void)f;
    PyFrameObject *fo = PyEval_GetFrame();
    if (fo != NULL) {
        PyTraceBack_Here(fo);
    }
}

int coir_rt_handle_pending(PyThreadState *ts) { return _Py_HandlePending(ts); }

PyObject *coir_rt_load_deref(_PyInterpreterFrame *f, int i) {
    PyCellObject *cell = (PyCellObject *)PyStackRef_AsPyObjectBorrow(f->localsplus[i]);
    PyObject *v = PyCell_GET(cell);
    if (v == NULL) {
        _PyEval_FormatExcUnbound(PyThreadState_GET(), _PyFrame_GetCode(f), i);
        return NULL;
    }
    return Py_NewRef(v);
}

void coir_rt_store_deref(_PyInterpreterFrame *f, int i, PyObject *v) {
    PyCellObject *cell = (PyCellObject *)PyStackRef_AsPyObjectBorrow(f->localsplus[i]);
    PyCell_SetTakeRef(cell, Py_NewRef(v));
}

int coir_rt_delete_deref(_PyInterpreterFrame *f, int i) {
    PyCellObject *cell = (PyCellObject *)PyStackRef_AsPyObjectBorrow(f->localsplus[i]);
    PyObject *old = PyCell_SwapTakeRef(cell, NULL);
    if (old == NULL) {
        _PyEval_FormatExcUnbound(PyThreadState_GET(), _PyFrame_GetCode(f), i);
        return -1;
    }
    Py_DECREF(old);
    return 0;
}

int coir_rt_make_cell(_PyInterpreterFrame *f, int i) {
    PyObject *initial = PyStackRef_AsPyObjectBorrow(f->localsplus[i]);
    PyObject *cell = PyCell_New(initial);
    if (cell == NULL) {
        return -1;
    }
    _PyStackRef tmp = f->localsplus[i];
    f->localsplus[i] = PyStackRef_FromPyObjectSteal(cell);
    PyStackRef_XCLOSE(tmp);
    return 0;
}

void coir_rt_zero_division(PyThreadState *ts) {
    _PyErr_SetString(ts, PyExc_ZeroDivisionError, "division by zero");
}

void coir_rt_unbound_local(PyThreadState *ts, _PyInterpreterFrame *f, int i) {
    _PyEval_FormatExcCheckArg(ts, PyExc_UnboundLocalError,
                              "cannot access local variable '%s' where it is not associated with a value",
                              PyTuple_GetItem(_PyFrame_GetCode(f)->co_localsplusnames, i));
}

PyObject *coir_rt_make_function(_PyInterpreterFrame *f, PyObject *codeobj) {
    PyFunctionObject *func = (PyFunctionObject *)PyFunction_New(codeobj, f->f_globals);
    if (func == NULL) {
        return NULL;
    }
    _PyFunction_SetVersion(func, ((PyCodeObject *)codeobj)->co_version);
    return (PyObject *)func;
}

int coir_rt_set_function_attribute(PyObject *attr, PyObject *func, int oparg) {
    size_t offset = _Py_FunctionAttributeOffsets[oparg];
    PyObject **ptr = (PyObject **)(((char *)func) + offset);
    *ptr = Py_NewRef(attr);
    if (oparg == MAKE_FUNCTION_ANNOTATE && PyFunction_Check(attr)) {
        PyFunctionObject *fo = (PyFunctionObject *)attr;
        PyObject *q = PyUnicode_FromFormat("%U.__annotate__", ((PyFunctionObject *)func)->func_qualname);
        if (q == NULL) {
            return -1;
        }
        Py_SETREF(fo->func_qualname, q);
    }
    return 0;
}

PyObject *coir_rt_import_name(PyThreadState *ts, _PyInterpreterFrame *f, PyObject *name, PyObject *fromlist,
                              PyObject *level) {
    return _PyEval_ImportName(ts, f, name, fromlist, level);
}

PyObject *coir_rt_import_from(PyThreadState *ts, PyObject *from, PyObject *name) {
    return _PyEval_ImportFrom(ts, from, name);
}

PyObject *coir_rt_load_common_constant(PyThreadState *ts, int oparg) {
    return Py_NewRef(ts->interp->common_consts[oparg]);
}

PyObject *coir_rt_load_build_class(PyThreadState *ts, _PyInterpreterFrame *f) {
    static PyObject *name = NULL;
    if (name == NULL && (name = PyUnicode_InternFromString("__build_class__")) == NULL) {
        return NULL;
    }
    PyObject *bc;
    if (PyMapping_GetOptionalItem(f->f_builtins, name, &bc) < 0) {
        return NULL;
    }
    if (bc == NULL) {
        _PyErr_SetString(ts, PyExc_NameError, "__build_class__ not found");
    }
    return bc;
}

PyObject *coir_rt_load_from_dict_or_globals(_PyInterpreterFrame *f, PyObject *dict, PyObject *name) {
    PyObject *v;
    if (PyMapping_GetOptionalItem(dict, name, &v) < 0) {
        return NULL;
    }
    if (v != NULL) {
        return v;
    }
    if (PyMapping_GetOptionalItem(f->f_globals, name, &v) < 0) {
        return NULL;
    }
    if (v == NULL && PyMapping_GetOptionalItem(f->f_builtins, name, &v) < 0) {
        return NULL;
    }
    if (v == NULL) {
        _PyEval_FormatExcCheckArg(PyThreadState_GET(), PyExc_NameError, "name '%.200s' is not defined", name);
    }
    return v;
}

PyObject *coir_rt_load_from_dict_or_deref(_PyInterpreterFrame *f, PyObject *dict, int i) {
    PyCodeObject *co = _PyFrame_GetCode(f);
    PyObject *name = PyTuple_GET_ITEM(co->co_localsplusnames, i);
    PyObject *v;
    if (PyMapping_GetOptionalItem(dict, name, &v) < 0) {
        return NULL;
    }
    if (v == NULL) {
        v = PyCell_GetRef((PyCellObject *)PyStackRef_AsPyObjectBorrow(f->localsplus[i]));
        if (v == NULL) {
            _PyEval_FormatExcUnbound(PyThreadState_GET(), co, i);
        }
    }
    return v;
}

PyObject *coir_rt_match_class(PyThreadState *ts, PyObject *subject, PyObject *type, int nargs, PyObject *names) {
    PyObject *attrs = _PyEval_MatchClass(ts, subject, type, nargs, names);
    if (attrs == NULL && !PyErr_Occurred()) {
        return Py_None; /* no match (immortal) */
    }
    return attrs;
}

PyObject *coir_rt_match_type_flag(PyObject *subject, int sequence) {
    unsigned long flag = sequence ? Py_TPFLAGS_SEQUENCE : Py_TPFLAGS_MAPPING;
    return (Py_TYPE(subject)->tp_flags & flag) ? Py_True : Py_False;
}

PyObject *coir_rt_match_keys(PyThreadState *ts, PyObject *subject, PyObject *keys) {
    return _PyEval_MatchKeys(ts, subject, keys);
}

PyObject *coir_rt_build_template(PyObject *strings, PyObject *interpolations) {
    return _PyTemplate_Build(strings, interpolations);
}

PyObject *coir_rt_build_interpolation(PyObject *value, PyObject *str, PyObject *format, int oparg) {
    PyObject *empty = NULL;
    if (format == NULL) {
        format = empty = PyUnicode_FromStringAndSize(NULL, 0);
        if (format == NULL) {
            return NULL;
        }
    }
    PyObject *res = _PyInterpolation_Build(value, str, oparg >> 2, format);
    Py_XDECREF(empty);
    return res;
}

int coir_rt_check_eg_match(PyThreadState *ts, _PyInterpreterFrame *f, PyObject *exc_value, PyObject *match_type,
                           PyObject **out) {
    out[0] = out[1] = NULL;
    if (_PyEval_CheckExceptStarTypeValid(ts, match_type) < 0) {
        return -1;
    }
    PyObject *match = NULL, *rest = NULL;
    if (_PyEval_ExceptionGroupMatch(f, exc_value, match_type, &match, &rest) < 0 || match == NULL) {
        Py_XDECREF(match);
        Py_XDECREF(rest);
        return -1;
    }
    if (!Py_IsNone(match)) {
        PyErr_SetHandledException(match);
    }
    out[0] = rest;
    out[1] = match;
    return 0;
}

PyObject *coir_rt_get_len(PyObject *obj) {
    Py_ssize_t n = PyObject_Length(obj);
    if (n < 0) {
        return NULL;
    }
    return PyLong_FromSsize_t(n);
}

PyObject *coir_rt_load_special(PyThreadState *ts, PyObject *owner, int oparg, PyObject **self_out) {
    _PyStackRef ms[2] = {PyStackRef_NULL, PyStackRef_FromPyObjectNew(owner)};
    *self_out = NULL;
    int err = _PyObject_LookupSpecialMethod(_Py_SpecialMethods[oparg].name, ms);
    if (err <= 0) {
        if (err == 0) {
            const char *fmt = _PyEval_SpecialMethodCanSuggest(owner, oparg) ? _Py_SpecialMethods[oparg].error_suggestion
                                                                            : _Py_SpecialMethods[oparg].error;
            _PyErr_Format(ts, PyExc_TypeError, fmt, owner);
        }
        PyStackRef_XCLOSE(ms[0]);
        PyStackRef_XCLOSE(ms[1]);
        return NULL;
    }
    *self_out = PyStackRef_IsNull(ms[1]) ? NULL : PyStackRef_AsPyObjectSteal(ms[1]);
    return PyStackRef_AsPyObjectSteal(ms[0]);
}

PyObject *coir_rt_with_except_start(PyObject *exit_func, PyObject *exit_self, PyObject *val) {
    PyObject *exc = PyExceptionInstance_Class(val);
    PyObject *original_tb = PyException_GetTraceback(val);
    PyObject *tb = original_tb == NULL ? Py_None : original_tb;
    PyObject *stack[5] = {NULL, exit_self, exc, val, tb};
    int has_self = exit_self != NULL;
    PyObject *res = PyObject_Vectorcall(exit_func, stack + 2 - has_self, (3 + has_self) | PY_VECTORCALL_ARGUMENTS_OFFSET, NULL);
    Py_XDECREF(original_tb);
    return res;
}

/* The helper table and coir_get_abi are generated from runtime-abi's tables (coir_facts.h). */

/* ------------------------------------------------------------------ the frame hook */

static int threshold = 1000;
static int hook_wanted = 0;   /* enable() or a coir.jit function asked for the hook */
static int hook_disarmed = 0; /* removed because a monitoring tool is active */
static int explicit_only = 0; /* only coir.jit / coir.compile functions run natively */
static int background = 1;    /* hot functions compile on the worker thread */
static int compiling = 0;     /* a compilation is under way (GIL held): no nested ones */
static long hot_calls = 1000; /* native calls after which cold code is recompiled optimised */
CoirCounters coir_counters;
long coir_inflight = 0;
int coir_done_ready = 0;

/* Code states are never given back to the allocator: a freed one goes on this list (its `code`
 * cleared) and is reused for another code object. A call site's cache (site_code_state) may
 * still name a freed state; it checks `code`, which a state always has, and never reads memory
 * that is gone. */
static CoirCodeState *free_states = NULL;

/* Takes a state back when its code object dies (or when it could not be recorded). */
static void free_state(CoirCodeState *st) {
    if (st == NULL) {
        return;
    }
    if (st->compiled != NULL) {
        coir_rs_free(st->compiled);
    }
    memset(st, 0, sizeof(*st));
    st->relocs = free_states; /* the list's link */
    free_states = st;
}

static CoirCodeState *new_state(PyCodeObject *co) {
    CoirCodeState *st = free_states;
    if (st != NULL) {
        free_states = (CoirCodeState *)st->relocs;
        memset(st, 0, sizeof(*st));
    }
    else if ((st = PyMem_RawCalloc(1, sizeof(CoirCodeState))) == NULL) {
        return NULL;
    }
    st->code = co;
    return st;
}

/* Which code object has which state: a table keyed by the code object's address, not a
 * co_extra slot. A code object with co_extra is refused by _PyCode_VerifyStateless (so a
 * compiled function could not be handed to another interpreter; test_code's test_stateless),
 * and a co_extra entry makes the code object's deallocation call every other co_extra user's
 * free function, which may be gone by then (test_code registers a ctypes callback: freed at
 * shutdown before coir's code objects, it crashed the process). A code watcher takes the
 * entry out, and frees the state, when the code object dies, so an address in the table
 * always names a live code object. Open addressing with linear probing, at most half full;
 * removal shifts the entries after it back (no tombstones). GIL held throughout. */
typedef struct {
    PyCodeObject *code;
    CoirCodeState *state;
} StateSlot;

enum { STATE_SLOTS_MIN = 1024 };
static StateSlot *state_slots = NULL;
static size_t state_mask = 0; /* slots - 1, slots a power of two */
static size_t state_count = 0;
static int code_watcher = -1;

/* A code object's address spread over 64 bits (Fibonacci hashing; objects are 16-byte
 * aligned): the state table and the cold-call table take their index from its top bits. */
static inline uint64_t code_address_hash(const PyCodeObject *co) {
    return ((uintptr_t)co >> 4) * UINT64_C(0x9E3779B97F4A7C15);
}

static inline size_t state_home(const PyCodeObject *co) {
    return (size_t)(code_address_hash(co) >> 32) & state_mask;
}

static inline StateSlot *state_slot(const PyCodeObject *co) {
    for (size_t i = state_home(co);; i = (i + 1) & state_mask) {
        StateSlot *s = &state_slots[i];
        if (s->code == co || s->code == NULL) {
            return s;
        }
    }
}

static inline CoirCodeState *fast_code_state(PyCodeObject *co) {
    return state_slots != NULL ? state_slot(co)->state : NULL;
}

static int grow_states(void) {
    size_t slots = state_slots == NULL ? STATE_SLOTS_MIN : 2 * (state_mask + 1);
    StateSlot *old = state_slots;
    size_t old_slots = old == NULL ? 0 : state_mask + 1;
    StateSlot *fresh = PyMem_RawCalloc(slots, sizeof(StateSlot));
    if (fresh == NULL) {
        return -1;
    }
    state_slots = fresh;
    state_mask = slots - 1;
    for (size_t i = 0; i < old_slots; i++) {
        if (old[i].code != NULL) {
            *state_slot(old[i].code) = old[i];
        }
    }
    PyMem_RawFree(old);
    return 0;
}

static void drop_state(PyCodeObject *co) {
    if (state_slots == NULL) {
        return;
    }
    StateSlot *s = state_slot(co);
    if (s->code == NULL) {
        return;
    }
    CoirCodeState *st = s->state;
    size_t hole = (size_t)(s - state_slots);
    for (size_t j = (hole + 1) & state_mask; state_slots[j].code != NULL; j = (j + 1) & state_mask) {
        /* An entry may fill the hole if the hole lies between its home and where it is. */
        size_t home = state_home(state_slots[j].code);
        if (((j - home) & state_mask) >= ((j - hole) & state_mask)) {
            state_slots[hole] = state_slots[j];
            hole = j;
        }
    }
    state_slots[hole].code = NULL;
    state_slots[hole].state = NULL;
    state_count--;
    free_state(st);
}

static int on_code_event(PyCodeEvent event, PyCodeObject *co) {
    if (event == PY_CODE_EVENT_DESTROY) {
        drop_state(co);
    }
    return 0;
}

CoirCodeState *coir_code_state(void *code, int create) {
    PyCodeObject *co = (PyCodeObject *)code;
    CoirCodeState *known = fast_code_state(co);
    if (known != NULL || !create || code_watcher < 0) {
        return known;
    }
    if (2 * (state_count + 1) > (state_slots == NULL ? 0 : state_mask + 1) && grow_states() < 0) {
        return NULL;
    }
    CoirCodeState *st = new_state(co);
    if (st != NULL) {
        StateSlot *s = state_slot(co);
        s->code = co;
        s->state = st;
        state_count++;
    }
    return st;
}

/* The state of `co` (or NULL), through a call site's cache when there is one: one word of the
 * native code's relocation table (a SiteCache), naming the state the site's last callee had.
 * A hit spares the state table's probe (with co_extra, which states were kept in before, that
 * walk was two loads that missed the cache in call-heavy code; perf on richards: a fifth of
 * the Python-call helper's time). */
static inline __attribute__((always_inline)) CoirCodeState *site_code_state(PyCodeObject *co, uintptr_t *site) {
    if (site != NULL) {
        CoirCodeState *st = (CoirCodeState *)*site;
        if (st != NULL && st->code == co) {
            return st;
        }
        st = fast_code_state(co);
        *site = (uintptr_t)st;
        return st;
    }
    return fast_code_state(co);
}

static int monitoring_active(PyInterpreterState *interp) {
    for (int i = 0; i < _PY_MONITORING_UNGROUPED_EVENTS; i++) {
        if (interp->monitors.tools[i]) {
            return 1;
        }
    }
    return 0;
}

/* The instrumentation version at which no tool was active: while the interpreter's version is
 * unchanged, monitoring cannot have been switched on, so the scan is skipped. */
static uintptr_t quiet_version = UINTPTR_MAX;

static inline int monitoring_active_cached(PyInterpreterState *interp) {
    uintptr_t v = _Py_atomic_load_uintptr_relaxed(&interp->ceval.instrumentation_version);
    if (v == quiet_version) {
        return 0;
    }
    if (monitoring_active(interp)) {
        return 1;
    }
    quiet_version = v;
    return 0;
}

static int code_monitored(PyCodeObject *co) {
    _PyCoMonitoringData *m = co->_co_monitoring;
    if (m == NULL) {
        return 0;
    }
    for (int i = 0; i < _PY_MONITORING_LOCAL_EVENTS; i++) {
        if (m->active_monitors.tools[i]) {
            return 1;
        }
    }
    return 0;
}

static PyObject *coir_eval(PyThreadState *ts, _PyInterpreterFrame *f, int throwflag);

/* Where frames coir leaves to the interpreter go: the frame evaluator that was installed when
 * coir's hook went in (CPython's perf trampoline under -X perf, which keeps naming interpreted
 * frames for perf), else the interpreter's own. Restored when coir's hook comes out. */
static _PyFrameEvalFunction interp_eval = _PyEval_EvalFrameDefault;

static void set_hook(int on) {
    PyInterpreterState *interp = PyInterpreterState_Get();
    _PyFrameEvalFunction current = _PyInterpreterState_GetEvalFrameFunc(interp);
    if (current != coir_eval) {
        interp_eval = current;
    }
    _PyInterpreterState_SetEvalFrameFunc(interp, on ? coir_eval : interp_eval);
    hook_installed = on;
}

/* Python-level recursion check, as the interpreter's _Py_EnterRecursivePy (ceval_macros.h)
 * with _Py_CheckRecursiveCallPy (ceval.c), which is not exported. */
static __attribute__((noinline, cold)) int python_recursion_exhausted(PyThreadState *ts);

/* The check is inline at every native entry; what happens at the limit is not. */
static inline __attribute__((always_inline)) int enter_recursive_py(PyThreadState *ts) {
    if (ts->py_recursion_remaining-- > 0) {
        return 0;
    }
    return python_recursion_exhausted(ts);
}

static int python_recursion_exhausted(PyThreadState *ts) {
    if (ts->recursion_headroom) {
        if (ts->py_recursion_remaining < -50) {
            Py_FatalError("Cannot recover from Python stack overflow.");
        }
        return 0;
    }
    ts->recursion_headroom++;
    PyErr_SetString(PyExc_RecursionError, "maximum recursion depth exceeded");
    ts->recursion_headroom--;
    return -1;
}

/* _PyEval_FrameClearAndPop (Python/ceval.c, clear_thread_frame) for a thread's frame that
 * has been unlinked, inline in the common case: no frame object was made for it and it is not
 * the first frame of a data-stack chunk. Then clearing is _PyFrame_ClearLocals (the stack
 * references from the top down, then f_locals), f_funcobj, f_executable, and popping moves the
 * data stack's top back to the frame (Python/frame.c, Python/pystate.c). Otherwise the
 * interpreter's own function does it (on a frame already cleared here, clearing again finds
 * only NULLs). Releasing the locals may run code: it runs with this frame still on the data
 * stack, as in the interpreter. */
static inline __attribute__((always_inline)) void clear_and_pop_frame(PyThreadState *ts, _PyInterpreterFrame *f) {
    if (f->frame_obj == NULL) {
        _PyStackRef *sp = f->stackpointer;
        _PyStackRef *locals = f->localsplus;
        f->stackpointer = locals;
        while (sp > locals) {
            sp--;
            PyStackRef_XCLOSE(*sp);
        }
        Py_CLEAR(f->f_locals);
        PyStackRef_CLEAR(f->f_funcobj);
        PyStackRef_CLEAR(f->f_executable);
        if ((PyObject **)f != &ts->datastack_chunk->data[0]) {
            ts->datastack_top = (PyObject **)f;
            return;
        }
    }
    _PyEval_FrameClearAndPop(ts, f);
}

/* Run a frame natively with the contract of _PyEval_EvalFrameDefault for one frame: the frame
 * is consumed (cleared and popped) on every path. */
static inline __attribute__((always_inline)) PyObject *run_native_frame(PyThreadState *ts, _PyInterpreterFrame *f,
                                                                        CoirEntry entry, const void *relocs, int gen) {
    if (_Py_EnterRecursiveCallTstate(ts, "")) {
        _PyEval_FrameClearAndPop(ts, f);
        return NULL;
    }
    PyObject *res;
    f->previous = ts->current_frame;
    ts->current_frame = f;
    if (enter_recursive_py(ts) < 0) {
        /* As the interpreter's start_frame: the error unwinds this frame with no traceback
         * entry (the frame is still incomplete). */
        ts->py_recursion_remaining++;
        res = NULL;
    }
    else {
        coir_counters.native_calls++;
        res = entry(ts, f, relocs);
        ts->py_recursion_remaining++;
        if (res == COIR_DEOPTED) {
            /* A guard failed and wrote the frame (coir_rt_deopt): the interpreter finishes
             * it from frame->instr_ptr, and clears and pops it as for any frame it runs. */
            ts->current_frame = f->previous;
            _Py_LeaveRecursiveCallTstate(ts);
            return interp_eval(ts, f, 0);
        }
    }
    /* Unlink before clearing (GH-99729), but keep f->previous: if a frame object outlives the
     * frame, take_ownership() links its f_back through it. */
    ts->current_frame = f->previous;
    if (!gen) {
        clear_and_pop_frame(ts, f);
    }
    else if (res != NULL && FRAME_STATE_SUSPENDED(_PyGen_GetGeneratorFromFrame(f)->gi_frame_state)) {
        /* Suspended (coir_rt_suspend): the generator keeps its frame, unlinked. */
        f->previous = NULL;
    }
    else {
        _PyEval_FrameClearAndPop(ts, f);
    }
    _Py_LeaveRecursiveCallTstate(ts);
    return res;
}

/* A function's frame (FRAME_OWNED_BY_THREAD): run natively and consumed. */
static inline __attribute__((always_inline)) PyObject *run_native(PyThreadState *ts, _PyInterpreterFrame *f, CoirEntry entry,
                                                                  const void *relocs) {
    return run_native_frame(ts, f, entry, relocs, 0);
}

/* An inlined body (ir-cfg's lower/inline.rs) cannot go on after it has had an effect (an
 * attribute stored): the call it replaces is finished in the interpreter from where the body
 * stopped. The callee's frame is pushed as for the call (push_call_frame, its arguments being
 * the first locals), its locals and value stack set from `items` (all borrowed: the native
 * code keeps its references until the call returns, as for a call's arguments), and the
 * interpreter runs it from code unit `unit`. The body ran nothing the frame's absence could be
 * seen by: no call, no code (its releases are of values whose deallocation runs none). */
PyObject *coir_rt_resume_inline(PyThreadState *ts, _PyInterpreterFrame *caller, PyObject *func, PyObject **items, int n,
                                int unit, int call_unit, intptr_t site) {
    /* Word 1 of the CALL's site cache counts (word 0 is site_code_state's). A body left this
     * often is slower than the call (its path goes on in the interpreter): the caller is
     * compiled again without inlining there. */
    uint64_t *left = (uint64_t *)site + 1;
    if (++*left == COIR_DESPECIALISE_AFTER) {
        despecialise(_PyFrame_GetCode(caller), call_unit);
    }
    PyCodeObject *co = (PyCodeObject *)((PyFunctionObject *)func)->func_code;
    int nlocals = co->co_nlocalsplus;
    if (n < nlocals || n > nlocals + co->co_stacksize || unit < 0 || unit >= Py_SIZE(co)) {
        PyErr_SetString(PyExc_SystemError, "coir: an inlined body left with a frame that does not fit its code");
        return NULL;
    }
    _PyInterpreterFrame *f = push_call_frame(ts, func, items, co->co_argcount, NULL);
    if (f == NULL) {
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        f->localsplus[i] = items[i] != NULL ? PyStackRef_FromPyObjectBorrow(items[i]) : PyStackRef_NULL;
    }
    f->stackpointer = f->localsplus + n;
    f->instr_ptr = _PyCode_CODE(co) + unit;
    return interp_eval(ts, f, 0);
}

/* Compile `co` (mode: CompileMode), marking the compile under way: code the compiler itself
 * runs (finalizers, ...) meanwhile stays interpreted and asks for no compile. `globals` (or
 * NULL) are those of the function that got hot: where the compile looks up what its loads of
 * globals push (coir_dict_value). */
static void compile_code(PyCodeObject *co, CoirCodeState *st, int mode, PyObject *globals) {
    compiling = 1;
    coir_rs_compile(co, st, mode, globals);
    compiling = 0;
}

/* Calls of code that has no state yet (the frame hook, below the threshold), counted in a
 * small direct-mapped table keyed by the code object's address instead of a state: code that
 * runs fewer times than the threshold (most of a program's) costs no state and no entry in
 * the state table. Lossy by design: two code objects sharing a slot restart each other's
 * count, and a new code object at a freed one's address inherits its count; the address is
 * never dereferenced. */
enum { COLD_CALL_SLOTS = 4096 };
static struct {
    const void *code;
    long calls;
} cold_calls[COLD_CALL_SLOTS];

static long count_cold_call(PyCodeObject *co) {
    size_t slot = (size_t)(code_address_hash(co) >> 52) & (COLD_CALL_SLOTS - 1);
    if (cold_calls[slot].code != co) {
        cold_calls[slot].code = co;
        cold_calls[slot].calls = 0;
    }
    return ++cold_calls[slot].calls;
}

static PyObject *coir_eval_frame(PyThreadState *ts, _PyInterpreterFrame *f, int throwflag);

#ifdef COIR_STACK_SEGMENTS
typedef struct {
    PyThreadState *ts;
    _PyInterpreterFrame *f;
} HookCall;

static PyObject *run_hook_call(void *arg) {
    HookCall *c = arg;
    return coir_eval_frame(c->ts, c->f, 0);
}
#endif

/* The frame hook. A call the interpreter would have made without a C frame moves to a stack
 * segment when the C stack is nearly used (see stack segments). */
static PyObject *coir_eval(PyThreadState *ts, _PyInterpreterFrame *f, int throwflag) {
#ifdef COIR_STACK_SEGMENTS
    if (stack_nearly_used(ts) && !throwflag && interpreter_calls(ts, PyStackRef_AsPyObjectBorrow(f->f_funcobj))) {
        HookCall c = {ts, f};
        return on_segment(ts, run_hook_call, &c);
    }
#endif
    return coir_eval_frame(ts, f, throwflag);
}

/* Any hook changes what tracers observe (the interpreter's CALL reports a Python function as
 * a C function to sys.monitoring when a hook is installed, its SEND reports StopIteration
 * twice): coir's steps aside until monitoring stops. */
static void disarm_hook(PyInterpreterState *interp) {
    _PyInterpreterState_SetEvalFrameFunc(interp, interp_eval);
    hook_installed = 0;
    hook_disarmed = 1;
}

static PyObject *coir_eval_frame(PyThreadState *ts, _PyInterpreterFrame *f, int throwflag) {
    PyInterpreterState *interp = ts->interp;
    if (monitoring_active_cached(interp)) {
        disarm_hook(interp);
        coir_counters.fallback[COIR_FB_MONITORING]++;
        return interp_eval(ts, f, throwflag);
    }
    /* A generator's frame is run natively each time the generator resumes, but not by the call
     * that creates it (RETURN_GENERATOR, which the interpreter runs) nor by throw()/close(). */
    int gen = f->owner == FRAME_OWNED_BY_GENERATOR;
    if (throwflag || (f->owner != FRAME_OWNED_BY_THREAD && !gen)) {
        coir_counters.fallback[throwflag ? COIR_FB_THROW : COIR_FB_GENERATOR_FRAME]++;
        return interp_eval(ts, f, throwflag);
    }
    PyCodeObject *co = _PyFrame_GetCode(f);
    if (!gen && (co->co_flags & COIR_GENERATOR_FLAGS)) {
        return interp_eval(ts, f, throwflag);
    }
    if (coir_inflight && __atomic_load_n(&coir_done_ready, __ATOMIC_ACQUIRE)) {
        coir_rs_poll();
    }
    CoirCodeState *st = coir_code_state(co, 0);
    if (st == NULL) {
        /* Code below the threshold keeps no state (see count_cold_call). */
        if (explicit_only || compiling || (threshold > 0 && count_cold_call(co) <= threshold)) {
            return interp_eval(ts, f, throwflag);
        }
        st = coir_code_state(co, 1);
        if (st == NULL) {
            return interp_eval(ts, f, throwflag);
        }
        st->calls = threshold;
    }
    if (st->entry == NULL) {
        if (st->refused || st->pending) {
            return interp_eval(ts, f, throwflag);
        }
        if (!st->forced && (explicit_only || ++st->calls <= threshold)) {
            return interp_eval(ts, f, throwflag);
        }
        if (compiling) {
            /* Code run by the compiler itself (finalizers, ...) stays interpreted. */
            return interp_eval(ts, f, throwflag);
        }
        /* Hot functions compile on a worker thread while the interpreter keeps running them;
         * coir.jit functions compile now, fully optimised; at threshold 0 every function
         * compiles now, cheaply, and again fully optimised if it turns out to be hot. */
        int mode = st->forced ? COIR_COMPILE_NOW
                 : threshold == 0 ? COIR_COMPILE_COLD
                 : background ? COIR_COMPILE_HOT : COIR_COMPILE_NOW;
        compile_code(co, st, mode, f->f_globals);
        if (st->entry == NULL) {
            return interp_eval(ts, f, throwflag);
        }
    }
    else if (st->recompile == 1 && !st->pending && !compiling) {
        st->recompile = 2;
        compile_code(co, st, background ? COIR_COMPILE_HOT : COIR_COMPILE_NOW, f->f_globals);
    }
    else if (st->cold && !st->pending && ++st->calls > hot_calls && !compiling) {
        compile_code(co, st, background ? COIR_COMPILE_HOT : COIR_COMPILE_NOW, f->f_globals);
    }
    if (code_monitored(co)) {
        coir_counters.fallback[COIR_FB_MONITORING]++;
        return interp_eval(ts, f, throwflag);
    }
    if (instrumentation_stale(interp, co)) {
        coir_counters.fallback[COIR_FB_STALE_INSTRUMENTATION]++;
        return interp_eval(ts, f, throwflag);
    }
    if (st->recompile) {
        /* The compiled code keeps deoptimising: the interpreter is faster until the code
         * compiled without that speculation is installed. */
        coir_counters.fallback[COIR_FB_RECOMPILING]++;
        return interp_eval(ts, f, throwflag);
    }
    return gen ? run_native_frame(ts, f, st->entry, st->relocs, 1) : run_native(ts, f, st->entry, st->relocs);
}

/* ------------------------------------------------------------------------------ profile mode
 *
 * Any frame hook (PEP 523) costs every Python call, compiled or not: with a hook installed the
 * interpreter stops inlining calls (CALL_PY_*, CALL_ALLOC_AND_ENTER_INIT, ... check
 * `eval_frame`), so interpreted code calling interpreted code goes through _PyEval_Vector and a
 * new C-level evaluation per call (richards with nothing compiled: 1.40x the instructions).
 * Profile mode, the default when no call threshold is given, has no hook:
 * - hot code is found by sampling. A thread asks every `sample_us` for a pending call, which the
 *   thread running Python makes at its next eval-breaker check (where it handles signals:
 *   function entries and loop back edges). It counts a sample for the innermost frame's code
 *   and compiles code after `sample_hot` samples. Only the innermost: counting callers too
 *   made a caller at least as hot as its hottest callee, and the compile thread, which takes
 *   the most sampled code first, compiled spectral_norm's `row_dot` before the `a_elem` it
 *   calls 4M times; a loop calling short functions gets samples at its back edge anyway.
 *   Sampling at eval-breaker checks is biased that way: the time of a short callee is charged
 *   to the check that follows it, its caller's back edge. Calls from native code to code not
 *   compiled yet are counted too (compile_on_call), SAMPLE_WEIGHT of them worth a sample.
 *   With `sample_hot` 0 (for tests) every function created from then on
 *   compiles on its first call, at the cold level, and runs through its vectorcall.
 * - compiled code is entered through the function object's vectorcall (coir_vectorcall), set
 *   on the function objects that run it: the sampled frame's, every function created later for
 *   compiled code (a function watcher), coir.jit and coir.compile functions. Setting it clears
 *   the function's version (Objects/funcobject.c), after which the interpreter's call
 *   specialisations, which push frames themselves, no longer apply to it
 *   (Python/specialize.c checks the vectorcall): its calls come through the vectorcall. */
static int profile_mode = 0;
static long sample_us = 1000;
static int sample_hot = 3;
enum { SAMPLE_DEPTH = 1, SAMPLE_WEIGHT = 256 };
static int function_watcher = -1;
static pthread_t sampler_thread;
static int sampler_running = 0; /* GIL */
static int sampler_stop = 0;    /* under sampler_lock; wakes the sampler through sampler_wake */
static pthread_mutex_t sampler_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sampler_wake = PTHREAD_COND_INITIALIZER;
static int sample_queued = 0;   /* atomic: a sample call is queued and not yet made */

static PyObject *coir_vectorcall(PyObject *callable, PyObject *const *args, size_t nargsf, PyObject *kwnames);

/* Functions the hook may run natively: optimized code that is not a generator, coroutine or
 * async generator (those run in the interpreter; their frames are not the thread's). */
static inline int plain_code(PyCodeObject *co) {
    return (co->co_flags & CO_OPTIMIZED) && !(co->co_flags & COIR_GENERATOR_FLAGS);
}

/* Generators, coroutines and async generators of optimized code: their frames run natively. */
static inline int native_generator_code(PyCodeObject *co) {
    return (co->co_flags & CO_OPTIMIZED) && (co->co_flags & COIR_GENERATOR_FLAGS);
}

/* Profile mode's question for a generator's code, answered once (CoirCodeState field):
 * whether resuming it natively pays. Native code pays for each suspension and resumption
 * (the value stack moved out of and back into the frame, unboxed locals boxed), which a
 * generator that does a few instructions per value does not earn back; one that loops between
 * yields does. A coroutine does too, loop or not: profile mode resumes it natively only from C
 * (a task's step, send(), SEND in native code), where the interpreter starts an evaluation of
 * its own too, and without a loop it suspends at most once per `await` in its code: most
 * awaits finish without suspending (`tests/bench/programs/coroutines.py`). */
static int generator_works(CoirCodeState *st, PyCodeObject *co) {
    if (st->works_between_yields == 0) {
        st->works_between_yields = (co->co_flags & CO_COROUTINE) || coir_rs_loops_between_yields(co) ? 1 : 2;
    }
    return st->works_between_yields == 1;
}

/* Profile mode has no frame hook, and gen_send_ex2 hands a resumed generator's frame to the
 * interpreter directly. Iteration from C (a FOR_ITER in native code, list(), sum(), next(),
 * str.join, ...) goes through the type's tp_iternext, which profile mode replaces with this
 * (and sending, PyIter_Send: asyncio's tasks, SEND in native code, through am_send):
 * a generator whose code has native code and can take the next value now (created or
 * suspended, no monitoring) is resumed natively as gen_send_ex2 resumes it for gen_iternext
 * (the value sent in None, the thread's exception state linked, a return value turned into
 * StopIteration); anything else goes to the interpreter's gen_iternext. The interpreter's own
 * `for` over a generator (FOR_ITER_GEN, and `yield from`'s SEND_GEN) resumes the frame in
 * the interpreter without the slot, and `gen.__next__()` calls the slot function the type
 * had when it was readied. send() is replaced too (coir_gen_send), and native code's SEND
 * resumes a native generator or coroutine directly (send_natively). */
static iternextfunc interp_gen_iternext = NULL;
static sendfunc interp_gen_am_send = NULL;
static sendfunc interp_coro_am_send = NULL;

/* Whether a generator's compiled code must wait: it is to be compiled again, or a tool
 * monitors it, or its instrumentation is behind the interpreter's. */
static inline int generator_held_back(PyThreadState *ts, PyCodeObject *co, CoirCodeState *st) {
    return st->recompile || monitoring_active_cached(ts->interp) || code_monitored(co) ||
           instrumentation_stale(ts->interp, co);
}

/* The state to resume `gen` natively with now, or NULL (the interpreter's way). The type
 * slots and methods that ask are shared by every interpreter of the process, but coir runs in
 * the main one only (its module refuses subinterpreters): a subinterpreter's generators, and
 * compiles asked for there (with a GIL of its own, beside the main interpreter's), crashed
 * test_sys under `--profile` (site's genexpr, run while a subinterpreter starts). */
static CoirCodeState *native_resumption(PyThreadState *ts, PyGenObject *gen) {
    if (!profile_mode || gen->gi_frame_state >= FRAME_EXECUTING || !_Py_IsMainInterpreter(ts->interp)) {
        return NULL;
    }
    _PyInterpreterFrame *f = &gen->gi_iframe;
    PyCodeObject *co = _PyFrame_GetCode(f);
    CoirCodeState *st = fast_code_state(co);
    if (st == NULL || st->entry == NULL) {
        if (sample_hot != 0 || !native_generator_code(co) || compiling ||
            (st == NULL && (st = coir_code_state(co, 1)) == NULL) || !generator_works(st, co)) {
            return NULL;
        }
        /* sample_hot 0 (tests): compiled at its first resumption, as functions at their
         * first call. */
        if (st->entry == NULL && !st->refused && !st->pending) {
            compile_code(co, st, st->forced ? COIR_COMPILE_NOW : COIR_COMPILE_COLD, f->f_globals);
        }
        if (st->entry == NULL) {
            return NULL;
        }
    }
    /* Asked here too: code compiled otherwise (the frame hook, coir.compile) was not asked yet. */
    if (!generator_works(st, co) || generator_held_back(ts, co, st)) {
        return NULL;
    }
    return st;
}

/* gen_send_ex2's resumption, natively: `arg` (a new reference) pushed as the value sent in,
 * the thread's exception state linked, the frame run; NULL, or what it yielded or returned
 * (which gi_frame_state tells apart). */
static PyObject *resume_natively(PyThreadState *ts, PyGenObject *gen, CoirCodeState *st, PyObject *arg) {
    _PyInterpreterFrame *f = &gen->gi_iframe;
    _PyFrame_StackPush(f, PyStackRef_FromPyObjectNew(arg));
    gen->gi_exc_state.previous_item = ts->exc_info;
    ts->exc_info = &gen->gi_exc_state;
    gen->gi_frame_state = FRAME_EXECUTING;
    return run_native_frame(ts, f, st->entry, st->relocs, 1);
}

static PyObject *coir_gen_iternext(PyObject *self) {
    PyGenObject *gen = (PyGenObject *)self;
    PyThreadState *ts = PyThreadState_GET();
    CoirCodeState *st = native_resumption(ts, gen);
    if (st == NULL) {
        return interp_gen_iternext(self);
    }
    PyObject *res = resume_natively(ts, gen, st, Py_None);
    if (res == NULL || FRAME_STATE_SUSPENDED(gen->gi_frame_state)) {
        return res;
    }
    /* Returned: the frame is cleared; the value (unless None) goes with StopIteration. */
    if (res != Py_None) {
        _PyGen_SetStopIterationValue(res);
    }
    Py_DECREF(res);
    return NULL;
}

/* am_send (PyIter_Send: asyncio's tasks, `await` and `yield from` in native code): as
 * gen_send_ex2 with a value, which a generator just created refuses unless None. */
static PySendResult coir_am_send(PyObject *self, PyObject *arg, PyObject **result, sendfunc interp) {
    PyGenObject *gen = (PyGenObject *)self;
    PyThreadState *ts = PyThreadState_GET();
    CoirCodeState *st = native_resumption(ts, gen);
    if (st == NULL || (gen->gi_frame_state == FRAME_CREATED && arg != Py_None)) {
        return interp(self, arg, result);
    }
    PyObject *res = resume_natively(ts, gen, st, arg);
    *result = res;
    if (res == NULL) {
        return PYGEN_ERROR;
    }
    return FRAME_STATE_SUSPENDED(gen->gi_frame_state) ? PYGEN_NEXT : PYGEN_RETURN;
}

static PySendResult coir_gen_am_send(PyObject *self, PyObject *arg, PyObject **result) {
    return coir_am_send(self, arg, result, interp_gen_am_send);
}

static PySendResult coir_coro_am_send(PyObject *self, PyObject *arg, PyObject **result) {
    return coir_am_send(self, arg, result, interp_coro_am_send);
}

/* send() of generators and coroutines (gen_send, one function for both types), for profile
 * mode as am_send, with gen_send_ex's ending: a return raises StopIteration, with the value
 * unless it is None. `drive(coro)` loops (`coro.send(None)` until StopIteration) run the
 * coroutine natively this way. */
static PyCFunction interp_gen_send = NULL;

static PyObject *coir_gen_send(PyObject *self, PyObject *arg) {
    PyGenObject *gen = (PyGenObject *)self;
    PyThreadState *ts = PyThreadState_GET();
    CoirCodeState *st = native_resumption(ts, gen);
    if (st == NULL || (gen->gi_frame_state == FRAME_CREATED && arg != Py_None)) {
        return interp_gen_send(self, arg);
    }
    PyObject *res = resume_natively(ts, gen, st, arg);
    if (res == NULL || FRAME_STATE_SUSPENDED(gen->gi_frame_state)) {
        return res;
    }
    if (res == Py_None) {
        PyErr_SetNone(PyExc_StopIteration);
    }
    else {
        _PyGen_SetStopIterationValue(res);
    }
    Py_DECREF(res);
    return NULL;
}

/* Replaces the C function of method `name` (with `flags`) in a static method table, if it is
 * `expected` (or anything, for NULL), by `with`; returns the one replaced, or NULL. The method
 * descriptors, bound methods, builtin functions and the interpreter's CALL_METHOD_DESCRIPTOR_*
 * read it from the table at each call, so every reference calls `with` from then on. */
static PyCFunction replace_method(PyMethodDef *table, const char *name, int flags, PyCFunction expected,
                                  PyCFunction with) {
    for (PyMethodDef *m = table; m != NULL && m->ml_name != NULL; m++) {
        if (strcmp(m->ml_name, name) == 0 && m->ml_flags == flags && m->ml_meth != with &&
            (expected == NULL || m->ml_meth == expected)) {
            PyCFunction old = m->ml_meth;
            m->ml_meth = with;
            return old;
        }
    }
    return NULL;
}

/* The state to resume `gen` with natively from native code's SEND, sending `v`, or NULL: the
 * interpreter's SEND_GEN pushes such a frame itself, native code resumes it without
 * PyIter_Send, gen_send_ex2 and the frame hook between. Not for a state the interpreter
 * answers with an error (already executing, finished, a value sent to a created frame), nor,
 * with the hook, for code compiled cold (its resumptions through the hook count towards the
 * optimised compile). */
static CoirCodeState *send_resumption(PyThreadState *ts, PyGenObject *gen, PyObject *v) {
    if (gen->gi_frame_state >= FRAME_EXECUTING || (gen->gi_frame_state == FRAME_CREATED && v != Py_None)) {
        return NULL;
    }
    if (profile_mode) {
        return native_resumption(ts, gen);
    }
    if (!hook_installed) {
        return NULL;
    }
    PyCodeObject *co = _PyFrame_GetCode(&gen->gi_iframe);
    CoirCodeState *st = fast_code_state(co);
    if (st == NULL || st->entry == NULL || st->cold || generator_held_back(ts, co, st)) {
        return NULL;
    }
    return st;
}

#ifdef COIR_STACK_SEGMENTS
typedef struct {
    PyThreadState *ts;
    PyGenObject *gen;
    CoirCodeState *st;
    PyObject *v;
} SendCall;

static PyObject *run_send_call(void *arg) {
    SendCall *c = arg;
    return resume_natively(c->ts, c->gen, c->st, c->v);
}
#endif

/* coir_rt_send's direct path: 1 with *out the value yielded, 0 with the value returned, -1 on
 * an error, 2 (nothing done) if `gen` is not resumed natively now. The interpreter resumes it
 * without a C frame, so a deep chain of awaits moves to a stack segment as calls do. */
static int send_natively(PyThreadState *ts, PyGenObject *gen, PyObject *v, PyObject **out) {
    CoirCodeState *st = send_resumption(ts, gen, v);
    if (st == NULL) {
        return 2;
    }
    PyObject *res;
#ifdef COIR_STACK_SEGMENTS
    if (stack_nearly_used(ts)) {
        SendCall c = {ts, gen, st, v};
        res = on_segment(ts, run_send_call, &c);
    }
    else
#endif
    {
        res = resume_natively(ts, gen, st, v);
    }
    *out = res;
    if (res == NULL) {
        return -1;
    }
    return FRAME_STATE_SUSPENDED(gen->gi_frame_state) ? 1 : 0;
}

/* Route calls of `func` through coir_vectorcall. */
static void attach(PyFunctionObject *func) {
    if (func->vectorcall == py_function_vectorcall) {
        PyFunction_SetVectorcall(func, coir_vectorcall);
    }
}

void coir_attach(void *obj) {
    if (profile_mode && obj != NULL && PyFunction_Check((PyObject *)obj)) {
        attach((PyFunctionObject *)obj);
    }
}

/* The state to run `co` natively with now, or NULL for the interpreter: coir_eval's decision
 * for calls that do not pass through a hook. A coir.jit function compiles on its first call. */
/* runnable_natively's case of code without compiled code, called from native code or through
 * coir_vectorcall. A coir.jit function (or any, at sample_hot 0, for tests) compiles now.
 * Otherwise the call counts towards hotness, SAMPLE_WEIGHT calls as much as one sample: sampling
 * charges a short callee's time to its caller's loop (see take_sample), but once the caller
 * runs natively its calls are counted here. Returns the state if the code now has code. */
static __attribute__((noinline)) CoirCodeState *compile_on_call(PyCodeObject *co, CoirCodeState *st, PyObject *globals) {
    if (st == NULL && (st = coir_code_state(co, 1)) == NULL) {
        return NULL;
    }
    if (st->refused || st->pending || compiling || !plain_code(co)) {
        return NULL;
    }
    if (st->forced || sample_hot == 0) {
        compile_code(co, st, st->forced ? COIR_COMPILE_NOW : COIR_COMPILE_COLD, globals);
    }
    else if (++st->calls >= (long)sample_hot * SAMPLE_WEIGHT) {
        compile_code(co, st, background ? COIR_COMPILE_HOT : COIR_COMPILE_NOW, globals);
    }
    return st->entry != NULL ? st : NULL;
}

static inline __attribute__((always_inline)) CoirCodeState *runnable_natively(PyThreadState *ts, PyCodeObject *co,
                                                                             PyObject *globals, uintptr_t *site) {
    if (!profile_mode) {
        return NULL;
    }
    CoirCodeState *st = site_code_state(co, site);
    if (st == NULL || st->entry == NULL) {
        st = compile_on_call(co, st, globals);
        if (st == NULL) {
            return NULL;
        }
    }
    if (__builtin_expect(st->generator, 0)) {
        /* A generator compiled through the frame hook: its call runs RETURN_GENERATOR. */
        return NULL;
    }
    if (monitoring_active_cached(ts->interp) || code_monitored(co)) {
        coir_counters.fallback[COIR_FB_MONITORING]++;
        return NULL;
    }
    if (instrumentation_stale(ts->interp, co)) {
        coir_counters.fallback[COIR_FB_STALE_INSTRUMENTATION]++;
        return NULL;
    }
    if (st->recompile) {
        /* Code that deoptimised too often: compile it again without that speculation now
         * (waiting for a sample would leave a short function interpreted for good: its time
         * is charged to its caller), and run it interpreted until that code is installed. */
        if (st->recompile == 1 && !st->pending && !compiling) {
            st->recompile = 2;
            compile_code(co, st, background ? COIR_COMPILE_HOT : COIR_COMPILE_NOW, globals);
            if (!st->recompile) {
                return st;
            }
        }
        coir_counters.fallback[COIR_FB_RECOMPILING]++;
        return NULL;
    }
    return st;
}

static PyObject *function_call(PyThreadState *ts, PyObject *callable, PyObject *const *args, size_t nargsf,
                               PyObject *kwnames);

#ifdef COIR_STACK_SEGMENTS
typedef struct {
    PyThreadState *ts;
    PyObject *callable;
    PyObject *const *args;
    size_t nargsf;
    PyObject *kwnames;
} VectorCall;

static PyObject *run_vector_call(void *arg) {
    VectorCall *c = arg;
    return function_call(c->ts, c->callable, c->args, c->nargsf, c->kwnames);
}
#endif

/* The vectorcall of functions with compiled code (profile mode). A call the interpreter would
 * have made without a C frame moves to a stack segment when the C stack is nearly used (see
 * stack segments). */
static PyObject *coir_vectorcall(PyObject *callable, PyObject *const *args, size_t nargsf, PyObject *kwnames) {
    PyThreadState *ts = PyThreadState_GET();
#ifdef COIR_STACK_SEGMENTS
    if (stack_nearly_used(ts) && interpreter_calls(ts, callable)) {
        VectorCall c = {ts, callable, args, nargsf, kwnames};
        return on_segment(ts, run_vector_call, &c);
    }
#endif
    return function_call(ts, callable, args, nargsf, kwnames);
}

/* coir_vectorcall's call: push the frame as _PyEval_Vector does, with the arguments as borrowed
 * stack references (the caller keeps them alive for the call, as in call_py_function), and run
 * it natively. */
static PyObject *function_call(PyThreadState *ts, PyObject *callable, PyObject *const *args, size_t nargsf,
                               PyObject *kwnames) {
    PyFunctionObject *func = (PyFunctionObject *)callable;
    CoirCodeState *st = runnable_natively(ts, (PyCodeObject *)func->func_code, func->func_globals, NULL);
    if (st == NULL) {
        return py_function_vectorcall(callable, args, nargsf, kwnames);
    }
    _PyInterpreterFrame *f = push_call_frame(ts, callable, args, PyVectorcall_NARGS(nargsf), kwnames);
    if (f == NULL) {
        return NULL;
    }
    return run_native(ts, f, st->entry, st->relocs);
}

/* A pending call queued by the sampler thread (see above). */
static int take_sample(void *arg) {
    (void)arg;
    __atomic_store_n(&sample_queued, 0, __ATOMIC_RELEASE);
    PyThreadState *ts = PyThreadState_GET();
    if (!profile_mode || compiling || monitoring_active_cached(ts->interp)) {
        return 0;
    }
    if (coir_inflight && __atomic_load_n(&coir_done_ready, __ATOMIC_ACQUIRE)) {
        coir_rs_poll();
    }
    coir_counters.samples++;
    int depth = 0;
    for (_PyInterpreterFrame *f = ts->current_frame; f != NULL && depth < SAMPLE_DEPTH; f = f->previous) {
        if (f->owner >= FRAME_OWNED_BY_INTERPRETER) {
            continue;
        }
        PyObject *exe = PyStackRef_AsPyObjectBorrow(f->f_executable);
        if (exe == NULL || !PyCode_Check(exe)) {
            continue;
        }
        depth++;
        PyCodeObject *co = (PyCodeObject *)exe;
        PyObject *func = PyStackRef_AsPyObjectBorrow(f->f_funcobj);
        /* A generator's frame: its code compiles as a function's does, and runs natively when
         * the generator is next resumed through coir_gen_iternext. */
        int generator = f->owner == FRAME_OWNED_BY_GENERATOR && native_generator_code(co);
        if (!generator && (f->owner != FRAME_OWNED_BY_THREAD || !plain_code(co) || func == NULL || !PyFunction_Check(func))) {
            continue;
        }
        CoirCodeState *st = coir_code_state(co, 1);
        if (st == NULL || (generator && !generator_works(st, co))) {
            /* A generator that does a few instructions per value: resumed in the interpreter,
             * so not compiled (the sample is not counted for anything). */
            continue;
        }
        if (st->refused) {
            /* Attached while its compile was queued: calls go back to the interpreter's own
             * vectorcall (the function's version stays cleared). */
            if (!generator && ((PyFunctionObject *)func)->vectorcall == coir_vectorcall) {
                ((PyFunctionObject *)func)->vectorcall = py_function_vectorcall;
            }
            continue;
        }
        if (st->entry == NULL) {
            /* Counted while the compile is queued too: the compile thread takes the job of
             * the code with the most samples first. */
            st->calls += SAMPLE_WEIGHT;
            if (!st->pending) {
                if (st->calls < (long)sample_hot * SAMPLE_WEIGHT) {
                    continue;
                }
                compile_code(co, st, background ? COIR_COMPILE_HOT : COIR_COMPILE_NOW, f->f_globals);
                if (st->entry == NULL && !st->pending) {
                    continue;
                }
            }
        }
        else if (st->recompile == 1) {
            /* Compiled code that deoptimised too often runs interpreted meanwhile. */
            st->recompile = 2;
            compile_code(co, st, background ? COIR_COMPILE_HOT : COIR_COMPILE_NOW, f->f_globals);
        }
        if (!generator) {
            attach((PyFunctionObject *)func);
        }
    }
    return 0;
}

static void *sampler_main(void *arg) {
    PyInterpreterState *interp = (PyInterpreterState *)arg;
    /* Signals go to the program's threads. */
    sigset_t set;
    sigfillset(&set);
    for (int sig = 0; sig < 6; sig++) {
        static const int sync_signals[6] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT};
        sigdelset(&set, sync_signals[sig]);
    }
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    pthread_mutex_lock(&sampler_lock);
    while (!sampler_stop) {
        /* A timed wait, not a sleep: coir_stop_sampler wakes it at once. */
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        long ns = until.tv_nsec + (sample_us % 1000000) * 1000;
        until.tv_sec += sample_us / 1000000 + ns / 1000000000;
        until.tv_nsec = ns % 1000000000;
        while (!sampler_stop && pthread_cond_timedwait(&sampler_wake, &sampler_lock, &until) == 0) {
        }
        if (sampler_stop) {
            break;
        }
        pthread_mutex_unlock(&sampler_lock);
        /* At most one queued: a thread that does not reach an eval-breaker check for a while
         * (a long C call) gets one sample when it does. */
        if (!__atomic_exchange_n(&sample_queued, 1, __ATOMIC_ACQ_REL) &&
            _PyEval_AddPendingCall(interp, take_sample, NULL, 0) != _Py_ADD_PENDING_SUCCESS) {
            __atomic_store_n(&sample_queued, 0, __ATOMIC_RELEASE);
        }
        pthread_mutex_lock(&sampler_lock);
    }
    pthread_mutex_unlock(&sampler_lock);
    return NULL;
}

static void start_sampler(void) {
    if (sampler_running) {
        return;
    }
    sampler_stop = 0; /* no sampler thread runs */
    __atomic_store_n(&sample_queued, 0, __ATOMIC_RELEASE);
    sampler_running = pthread_create(&sampler_thread, NULL, sampler_main, PyInterpreterState_Get()) == 0;
}

void coir_hold_compiles(int on) { compiling = on; }

void coir_stop_sampler(void) {
    if (!sampler_running) {
        return;
    }
    pthread_mutex_lock(&sampler_lock);
    sampler_stop = 1;
    pthread_cond_signal(&sampler_wake);
    pthread_mutex_unlock(&sampler_lock);
    /* The sampler never takes the GIL, and wakes at once. */
    Py_BEGIN_ALLOW_THREADS
    pthread_join(sampler_thread, NULL);
    Py_END_ALLOW_THREADS
    sampler_running = 0;
}

/* After os.fork(), in the parent and the child: before_fork stopped the sampler, so that the
 * fork sees no thread of coir's (os.fork warns about forking a multi-threaded process). */
void coir_sampler_after_fork(void) {
    sampler_running = 0;
    if (profile_mode) {
        start_sampler();
    }
}

static int on_function_event(PyFunction_WatchEvent event, PyFunctionObject *func, PyObject *new_value) {
    (void)new_value;
    if (event == PyFunction_EVENT_CREATE && profile_mode) {
        PyCodeObject *co = (PyCodeObject *)func->func_code;
        CoirCodeState *st = fast_code_state(co);
        if ((st != NULL && (st->entry != NULL || st->forced)) || (sample_hot == 0 && plain_code(co))) {
            attach(func);
        }
    }
    return 0;
}

/* The math module, imported at initialisation (not while compiling, inside the frame hook):
 * where CoirAbi.math's functions come from. */
static PyObject *math_module = NULL;

void *coir_math_function(const char *name) {
    PyObject *f = math_module != NULL ? PyObject_GetAttrString(math_module, name) : NULL;
    if (f == NULL) {
        PyErr_Clear();
    }
    return f;
}

/* sys.monitoring's set_events and set_local_events, wrapped: their C functions are replaced in
 * the monitoring module's method table, so every reference to them calls these.
 *
 * set_local_events switches events on for one code object without moving the interpreter's
 * instrumentation version (instrumentation.c, _PyMonitoring_SetLocalEvents re-instruments
 * that code alone), which is what native frames watch (`guard_quiet`, the periodic checks): a
 * frame of that code already running natively would miss the events (a debugger setting a
 * breakpoint in a function that is looping). So after it has set events on code that has
 * native code, the version is moved as set_events moves it: the tool's global events are set
 * with one more event and set back, two version steps with no event fired between. Every
 * native frame leaves for the interpreter at its next check, as for sys.settrace; later calls
 * of that code run in the interpreter while it is monitored (code_monitored).
 *
 * CALL, C_RETURN and C_RAISE events: the interpreter's instrumented CALL pushes the frame of a
 * Python function whose vectorcall is the interpreter's own, and reports C_RETURN or C_RAISE
 * for any other callable, so a function profile mode routed through coir_vectorcall would be
 * reported as a C function. When either function switches one of those events on, every such
 * function gets the interpreter's vectorcall back (a walk of the GC's objects, once per
 * switch); profile mode routes them again once they are sampled with monitoring off. The frame
 * hook, which makes the interpreter's CALL do the same, comes out at once (disarm_hook). */
static PyCFunctionFast interp_set_events = NULL;
static PyCFunctionFast interp_set_local_events = NULL;

static int detach_function(PyObject *obj, void *arg) {
    (void)arg;
    if (PyFunction_Check(obj) && ((PyFunctionObject *)obj)->vectorcall == coir_vectorcall) {
        ((PyFunctionObject *)obj)->vectorcall = py_function_vectorcall;
    }
    return 1;
}

/* After a monitoring function succeeded in setting `events` (an int it accepted). */
static void events_set(PyObject *events) {
    long e = PyLong_AsLong(events);
    if (e == -1 && PyErr_Occurred()) {
        PyErr_Clear();
        return;
    }
    long calls = (1L << PY_MONITORING_EVENT_CALL) | (1L << PY_MONITORING_EVENT_C_RETURN) |
                 (1L << PY_MONITORING_EVENT_C_RAISE);
    if (e & calls) {
        PyUnstable_GC_VisitObjects(detach_function, NULL);
    }
    PyInterpreterState *interp = PyInterpreterState_Get();
    if (e != 0 && hook_installed && monitoring_active_cached(interp)) {
        /* Now rather than at the next frame the hook sees: the very next CALL must already
         * be the interpreter's own. */
        disarm_hook(interp);
    }
}

static int move_instrumentation_version(PyObject *monitoring, PyObject *tool) {
    PyObject *got = PyObject_CallMethod(monitoring, "get_events", "O", tool);
    long events = got != NULL ? PyLong_AsLong(got) : -1;
    Py_XDECREF(got);
    if (events == -1 && PyErr_Occurred()) {
        return -1;
    }
    /* With all four on for the tool, every frame is already the interpreter's. */
    static const int spare[] = {PY_MONITORING_EVENT_PY_START, PY_MONITORING_EVENT_PY_RESUME,
                                PY_MONITORING_EVENT_PY_RETURN, PY_MONITORING_EVENT_PY_YIELD};
    long extra = 0;
    for (size_t i = 0; i < sizeof spare / sizeof spare[0] && extra == 0; i++) {
        if (!(events & (1L << spare[i]))) {
            extra = 1L << spare[i];
        }
    }
    if (extra == 0) {
        return 0;
    }
    for (int step = 0; step < 2; step++) {
        PyObject *r = PyObject_CallMethod(monitoring, "set_events", "Ol", tool, step == 0 ? events | extra : events);
        if (r == NULL) {
            return -1;
        }
        Py_DECREF(r);
    }
    return 0;
}

static PyObject *coir_set_events(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    PyObject *r = interp_set_events(module, args, nargs);
    /* The method table is shared by every interpreter's sys.monitoring; coir's native code and
     * hook live in the main interpreter only. */
    if (r != NULL && nargs == 2 && _Py_IsMainInterpreter(PyInterpreterState_Get())) {
        events_set(args[1]);
    }
    return r;
}

static PyObject *coir_set_local_events(PyObject *module, PyObject *const *args, Py_ssize_t nargs) {
    PyObject *r = interp_set_local_events(module, args, nargs);
    if (r == NULL || nargs != 3 || !PyCode_Check(args[1]) || PyObject_IsTrue(args[2]) != 1 ||
        !_Py_IsMainInterpreter(PyInterpreterState_Get())) {
        return r;
    }
    events_set(args[2]);
    CoirCodeState *st = fast_code_state((PyCodeObject *)args[1]);
    if (st != NULL && st->entry != NULL && move_instrumentation_version(module, args[0]) < 0) {
        Py_DECREF(r);
        return NULL;
    }
    return r;
}

/* Replaces the C function of sys.monitoring.`name` (METH_FASTCALL) with `with`; the
 * interpreter's goes to *saved. The function's method definition is an entry of the monitoring
 * module's table. */
static void replace_monitoring_function(const char *name, PyCFunctionFast with, PyCFunctionFast *saved) {
    PyObject *monitoring = PySys_GetObject("monitoring"); /* borrowed */
    PyObject *f = monitoring != NULL ? PyObject_GetAttrString(monitoring, name) : NULL;
    if (f == NULL) {
        PyErr_Clear();
        return;
    }
    if (PyCFunction_Check(f)) {
        PyCFunction old = replace_method(((PyCFunctionObject *)f)->m_ml, name, METH_FASTCALL, NULL,
                                         (PyCFunction)(void (*)(void))with);
        if (old != NULL) {
            *saved = (PyCFunctionFast)(void (*)(void))old;
        }
    }
    Py_DECREF(f);
}

int coir_init(void) {
    if (init_name == NULL && (init_name = PyUnicode_InternFromString("__init__")) == NULL) {
        return -1;
    }
    if (interp_set_events == NULL) {
        replace_monitoring_function("set_events", coir_set_events, &interp_set_events);
    }
    if (interp_set_local_events == NULL) {
        replace_monitoring_function("set_local_events", coir_set_local_events, &interp_set_local_events);
    }
    if (math_module == NULL && (math_module = PyImport_ImportModule("math")) == NULL) {
        /* Calls of math functions are then all made. */
        PyErr_Clear();
    }
    if (list_append == NULL && (list_append = PyObject_GetAttrString((PyObject *)&PyList_Type, "append")) == NULL) {
        return -1;
    }
    if (list_pop == NULL && (list_pop = PyObject_GetAttrString((PyObject *)&PyList_Type, "pop")) == NULL) {
        return -1;
    }
    if (globals_watcher < 0 && (globals_watcher = PyDict_AddWatcher(on_dict_event)) < 0) {
        /* No watcher left: global reads in native code all take the helper. */
        PyErr_Clear();
    }
    if (py_function_vectorcall == NULL) {
        PyObject *globals = PyDict_New();
        PyCodeObject *code = PyCode_NewEmpty("coir", "probe", 0);
        PyObject *fn = (globals && code) ? PyFunction_New((PyObject *)code, globals) : NULL;
        if (fn == NULL) {
            Py_XDECREF(globals);
            Py_XDECREF(code);
            return -1;
        }
        py_function_vectorcall = ((PyFunctionObject *)fn)->vectorcall;
        Py_DECREF(fn);
        Py_DECREF(code);
        Py_DECREF(globals);
    }
    if (code_watcher < 0 && (code_watcher = PyCode_AddWatcher(on_code_event)) < 0) {
        return -1;
    }
    return 0;
}

void coir_enable(int new_threshold, int only_explicit) {
    if (new_threshold >= 0) {
        threshold = new_threshold;
    }
    explicit_only = only_explicit;
    hook_wanted = 1;
    profile_mode = 0;
    coir_stop_sampler();
    coir_rearm();
}

int coir_enable_profile(long period_us, int hot_samples) {
    if (interp_gen_iternext == NULL) {
        /* Static types' slots, replaced once for the process (each hands back to the
         * interpreter's when profile mode is off). */
        interp_gen_iternext = PyGen_Type.tp_iternext;
        PyGen_Type.tp_iternext = coir_gen_iternext;
        interp_gen_am_send = PyGen_Type.tp_as_async->am_send;
        PyGen_Type.tp_as_async->am_send = coir_gen_am_send;
        interp_coro_am_send = PyCoro_Type.tp_as_async->am_send;
        PyCoro_Type.tp_as_async->am_send = coir_coro_am_send;
        interp_gen_send = replace_method(PyGen_Type.tp_methods, "send", METH_O, NULL, coir_gen_send);
        if (interp_gen_send != NULL) {
            replace_method(PyCoro_Type.tp_methods, "send", METH_O, interp_gen_send, coir_gen_send);
        }
    }
    if (function_watcher < 0) {
        function_watcher = PyFunction_AddWatcher(on_function_event);
        if (function_watcher < 0) {
            return -1;
        }
    }
    sample_us = period_us > 0 ? period_us : 1;
    sample_hot = hot_samples >= 0 ? hot_samples : 0;
    explicit_only = 0;
    hook_wanted = 1;
    hook_disarmed = 0;
    profile_mode = 1;
    set_hook(0);
    start_sampler();
    return 0;
}

int coir_is_profiling(void) { return profile_mode; }

void coir_disable(void) {
    hook_wanted = 0;
    hook_disarmed = 0;
    profile_mode = 0;
    coir_stop_sampler();
    set_hook(0);
}

/* Reinstall the hook if it is wanted and no monitoring tool is active. Returns 1 if armed.
 * Profile mode has no hook: it checks for monitoring at each call and sample. */
int coir_rearm(void) {
    if (!hook_wanted) {
        return 0;
    }
    if (profile_mode) {
        return 1;
    }
    if (monitoring_active(PyInterpreterState_Get())) {
        set_hook(0);
        hook_disarmed = 1;
        return 0;
    }
    hook_disarmed = 0;
    set_hook(1);
    return 1;
}

void coir_code_facts(void *code, size_t *out) { coir_fill_code_facts((PyCodeObject *)code, out); }

/* As _PyFunction_LookupByVersion (not exported): the interpreter's table names, per slot of
 * versions, the last function and code object given such a version, and clears an entry when
 * its object is freed. Versions of functions are those of their code objects, so either
 * names the code. */
void *coir_code_by_func_version(uint32_t version) {
    if (version == 0) {
        return NULL;
    }
    PyInterpreterState *interp = _PyInterpreterState_GET();
    struct _func_version_cache_item *item = &interp->func_state.func_version_cache[version % FUNC_VERSION_CACHE_SIZE];
    PyFunctionObject *func = item->func;
    if (func != NULL && func->func_version == version) {
        return func->func_code;
    }
    PyObject *code = item->code;
    if (code != NULL && ((PyCodeObject *)code)->co_version == version) {
        return code;
    }
    return NULL;
}

/* The descriptor a LOAD_ATTR_METHOD_* cache holds is borrowed: alive while a type has the
 * cached version (a change to the type or a base gives it a new one). The interpreter's table
 * of types by version (as _PyType_LookupByVersion, not exported) says whether one does. */
void *coir_method_code(uint32_t type_version, void *descr) {
    if (type_version == 0 || descr == NULL) {
        return NULL;
    }
    PyInterpreterState *interp = _PyInterpreterState_GET();
    PyTypeObject *tp = interp->types.type_version_cache[type_version % TYPE_VERSION_CACHE_SIZE];
    if (tp == NULL || tp->tp_version_tag != type_version || !PyFunction_Check((PyObject *)descr)) {
        return NULL;
    }
    return ((PyFunctionObject *)descr)->func_code;
}

/* What `name` is bound to in `dict` now, borrowed, or NULL: what a compile expects a load of a
 * global (or of a module's attribute) to push. Runs no Python code: only an exact dict whose
 * keys are all str is searched, with a str. */
void *coir_dict_value(void *dict, void *name) {
    PyObject *d = (PyObject *)dict, *n = (PyObject *)name;
    if (d == NULL || n == NULL || !PyDict_CheckExact(d) || !PyUnicode_CheckExact(n) || !DK_IS_UNICODE(((PyDictObject *)d)->ma_keys)) {
        return NULL;
    }
    PyObject *v = PyDict_GetItemWithError(d, n);
    if (v == NULL) {
        PyErr_Clear();
    }
    return v;
}

/* The dict of `obj` if it is exactly a module, borrowed, else NULL. */
void *coir_module_dict(void *obj) {
    PyObject *o = (PyObject *)obj;
    return o != NULL && PyModule_CheckExact(o) ? PyModule_GetDict(o) : NULL;
}

void coir_set_background(int on) { background = on; }
void coir_set_hot_calls(long n) { hot_calls = n; }

int coir_is_enabled(void) { return hook_wanted; }
int coir_is_armed(void) { return hook_wanted && !hook_disarmed; }
int coir_get_threshold(void) { return threshold; }
int coir_is_explicit_only(void) { return explicit_only; }
