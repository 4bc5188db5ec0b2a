/**
 * PoolCore: the owner slot, the stack, the source and the books of a LocalPool. The hot path is a
 * field read; LocalPool (local-pool.ts) adds waiting, trim/close, stats and the conveniences.
 *
 * ## The trick
 *
 * Most pooled code acquires one object, uses it, and releases it before acquiring again (a regex
 * search, a parse, an encode). For that pattern a pool needs one idle object, so it keeps one in a
 * plain field, the *owner slot*, with a flag saying whether it is idle there: `acquire()` reads the
 * flag, clears it and returns the object; `release()` takes the slot path only for *that* object
 * (`obj === slot`, flag clear) and sets the flag. No array, no Map, no Atomics, no allocation. As the
 * slot path admits nothing but the object the slot lent, it never lets in a primitive, `null`, a
 * foreign object or a release while nothing is lent, and it catches a second release of that object
 * at any distance, at no measured cost (the identity test replaces the `!= null` test the slot path
 * had; figures under "Alternatives rejected").
 * Behind the slot sits a LIFO stack (a plain array) for nested and overlapping use, and behind the
 * stack the source (source.ts). Each policy is an object in a field assigned once in the
 * constructor, so a cold path's "is it on?" is one `!== undefined`: the checked-mode ledger, leak
 * tracking, soft retention (and LocalPool's waiter queue).
 *
 * ## Invariants
 *
 * - `live` = idle + lent, where idle = (slot idle ? 1 : 0) + stack.length. Only cold paths change
 *   `live`, so `stats.lent` costs the hot path nothing.
 * - The slot is bound to one object (`_slot`) or to none (NO_SLOT); bound and not idle means that
 *   object is lent. A slot hit leaves it bound, and a cold acquire binds the object it lends (unless
 *   waiters or leak tracking keep it unbound), so the next release of the object just lent takes
 *   the slot path. An object leaving the pool is unbound first (`_discard`, trim, close, `_lockSlot`).
 * - An object is in at most one place: the slot, the stack, a waiter's hands, or a borrower's.
 *   Checked mode proves it with its ledger. Unchecked mode refuses, by identity on the slot path and
 *   explicitly elsewhere: primitives and `null`; the object idle in the slot or on top of the stack;
 *   any object while no object but the slot's is lent (so `stats.lent` never goes negative). The
 *   push path (another object onto the stack) tests the type, `live - stack.length > 1` and the top.
 * - Checked mode, `max: 0` and `leaks.sample: 1` turn the slot off. Every policy that must see each
 *   release (reset, checked, leaks) clears `hotRelease`; the states that come and go (waiters,
 *   close) unbind the slot, which sends both hot paths to the cold ones.
 * - `_hits` stays below 2^30 (it wraps into `_hitWraps`), so it is always a small integer.
 * - Fields the hot path reads (`hotRelease`, `stackCap`) are assigned once: V8 folds them into
 *   optimized code. Reassigning one later measured +0.8 ns a pair (2.47 against 1.65 ns, Node
 *   20.20.2, 2026-11-21), which is why waiters and close unbind the slot rather than set a flag.
 * - Leak tracking samples by acquire number; a release leaves the slot empty when the next acquire
 *   is due, so that acquire takes the cold path and is seen (leak-tracker.ts).
 * - Nothing is lost: every object leaves through exactly one of a borrower, `dispose`, a waiter,
 *   the source's `disposeBatch`, or soft retention, and every one that leaves counts in `discarded`.
 *   The model tests (tests/local-pool-model.test.ts) check it over random call sequences.
 *
 * ## Staying fast in a used program
 *
 * A pristine process times code V8 specialised to one pool; a program that has used the library
 * has run every cold path, and V8's tracing (`--trace-turbo-inlining`, `--trace-generalization`,
 * `--trace-deopt`) showed three ways that slowed the hot path there. Each is closed by a rule:
 *
 * - Inlining. TurboFan inlines a callee that ran on at least 15 % of a call site's calls and is at
 *   most 460 bytes of bytecode (`--min-inlining-frequency`, `--max-inlined-bytecode-size`, the same
 *   on Nodes 20-26). In a program with nested use or checked pools the cold methods crossed that
 *   line and were inlined into `acquire`/`release`, and through them into every user loop (its
 *   machine code grew from ~0.8 KB to 5 KB and spilled registers). Rule: the hot paths call one
 *   cold method, `_cold`, which holds every cold case (a miss, a stack pop, a wrap of the counter,
 *   every release but the slot's and the push's) and is ~1,000 bytes of bytecode, so it is never
 *   inlined, however often it runs. tests/hot-paths.test.ts fails if it shrinks below the limit.
 *   `acquire` has a single call site of it, so the call has type feedback from the first miss and
 *   no rare case (the wrap) deoptimises it.
 * - The hit counter. A field that leaves the small-integer range (2^31 on Node's 64-bit builds,
 *   which have no pointer compression; 2^30 with it) is generalised to a double for every instance
 *   of the class: after 2^31 hits on any one pool every LocalPool's acquire/release deoptimised
 *   ("wrong map") and each hit then boxed a double. Rule: `_hits` wraps at 2^30 into `_hitWraps`
 *   (one compare on the slot path, in place of the overflow check `hits++` had), and `stats.hits`
 *   is `_hitWraps * 2^30 + _hits`, exact up to 2^53.
 * - Comparisons. `if (this._flag)` and `x != null` compile to full truthiness and
 *   undetectable-object tests when V8 cannot prove the type; the hot paths compare strictly
 *   (`=== true`, `=== 1`, `!== NO_SLOT`) and nothing else.
 * - Imports. A constant the hot path reads is a `const` of this module: an imported binding is a
 *   module-variable load with a hole check that TurboFan does not fold. With HITS_WRAP and NO_SLOT
 *   imported from pool-books.ts a fresh pair took 52 instructions, with them as local constants
 *   45, against 44 before this section's changes (`valgrind --tool=callgrind` of a warm loop of
 *   10M pairs minus one of 1M, `node --single-threaded`, Node 20.20.2, 2026-11-22, the loops of
 *   benchmarks/experiments/instructions.ts, which says how to run them; the
 *   hand-written owner slot measured 43 in both builds).
 *
 * The benchmark CLI's `_used` rows (benchmarks/used-program.ts runs the program first) and the
 * Node matrix (`npm run bench -- --node 20,22,24,26`) measure the result; the README's benchmark
 * section has the figures per Node version.
 *
 * ## Alternatives rejected
 *
 * - A plain array alone (reusify keeps a linked list, typedarray-pool a Map of arrays): pop+push
 *   costs more than a field read (benchmarks/README.md, facts `array-pop-push` and `owner-slot`).
 * - A slot that takes any object when empty (this pool's first design): refusing primitives there
 *   took a `typeof` test (2.90-2.99 against 2.22 ns a pair, Node 20.20.2, 2026-11-21,
 *   `node benchmarks/build/experiments/hot-path.js`) and a release while nothing is lent a read of
 *   `live`; both were left out, and `release(5)` was lent by the next acquire.
 * - The idle flag as a boolean. Measured with `node benchmarks/build/cli.js --filter tls_get_put
 *   --filter owner_slot_get_put --filter shared_tls_get_put --exact`, alternating a build of the
 *   first design with one of this (Node 20.20.2, 2-vCPU AMD EPYC VM shared with other jobs):
 *   with a boolean flag, 11 runs each at load 7-17 (2026-11-21 23:52 UTC), tls_get_put had a
 *   median of 15 against 11 ns; with the flag as 0/1, 16 runs each at load 4-9 (2026-11-22 00:01
 *   UTC), 7.96 against 8.54 ns (fastest 5.41 against 5.79), shared_tls_get_put 12.0 against 12.5.
 * - Swapping `acquire` per instance for a tracked variant: call sites would turn polymorphic for
 *   every pool in the program. A flag that disables the slot costs only the tracked pool.
 */
import type { LocalPoolConfig } from './options.js';
import { HITS_WRAP as BOOKS_HITS_WRAP, NO_SLOT as BOOKS_NO_SLOT, PoolBooks } from './pool-books.js';
import { alreadyIdle, exhausted, notAnObject, notLent } from './refusals.js';

/**
 * The hot paths read these two as constants of this module, not as imports: an imported binding is
 * a module-variable load with a hole check that TurboFan does not fold, and reading two of them
 * cost 52 against 45 instructions a pair (see the essay).
 */
const HITS_WRAP = BOOKS_HITS_WRAP;
const NO_SLOT = BOOKS_NO_SLOT;

/** What `_cold` is asked to do. */
const Cold = { Acquire: 0, TryAcquire: 1, Release: 2 } as const;
type Cold = (typeof Cold)[keyof typeof Cold];

export abstract class PoolCore<T extends object> extends PoolBooks<T> {
  protected constructor(config: LocalPoolConfig<T>) {
    super(config);
  }

  // ---------------------------------------------------------------------------------------------
  // Hot path: strict comparisons only (see "Staying fast in a used program" in the essay).

  /** Lends an idle object, or makes one. Throws `ERR_POOL_EXHAUSTED` at `limit`, `ERR_CLOSED` after close. */
  acquire(): T {
    if (this._slotIdle === 1) {
      const hits = (this._hits + 1) | 0;
      if (hits !== HITS_WRAP) {
        this._slotIdle = 0;
        this._hits = hits;
        return this._slot as T;
      }
    }
    // One call site for every cold case (a wrap of the hit counter included), so that the call has
    // type feedback from the first miss on and no rare case deoptimises it.
    return this._cold(undefined, Cold.Acquire) as T;
  }

  /** Takes back an object this pool lent. */
  release(obj: T): void {
    if (this._hotRelease === true) {
      const slot = this._slot;
      if (obj === slot) {
        if (this._slotIdle === 0) {
          this._slotIdle = 1;
          return;
        }
      } else if (slot !== NO_SLOT && typeof obj === 'object' && obj !== null) {
        // The push path: not a primitive, something besides the slot's object is lent, and not the
        // object on top of the stack (released twice in a row). Functions take the cold path.
        const stack = this._stack;
        const n = stack.length;
        if (n < this._stackCap && this._live - n > 1 && (n === 0 || stack[n - 1] !== obj)) {
          stack.push(obj);
          return;
        }
      }
    }
    this._cold(obj, Cold.Release);
  }

  /** @internal Objects idle here now (the slot's and the stack's): BufferPool bounds a class by it. */
  idleCount(): number {
    return this._idle();
  }

  /**
   * @internal True when `obj` is the object the owner slot lent and has not had back: its release
   * takes the slot path. BufferPool's `return` reads it to skip its WeakSet for that array.
   */
  isSlotLent(obj: T): boolean {
    return obj === this._slot && this._slotIdle === 0;
  }

  // ---------------------------------------------------------------------------------------------
  // Cold paths

  /** Like `acquire()`, but returns `undefined` instead of throwing when the pool is exhausted. */
  tryAcquire(): T | undefined {
    if (this._slotIdle === 1) {
      const hits = (this._hits + 1) | 0;
      if (hits !== HITS_WRAP) {
        this._slotIdle = 0;
        this._hits = hits;
        return this._slot as T;
      }
    }
    return this._cold(undefined, Cold.TryAcquire);
  }

  /**
   * Every cold path of `acquire`, `tryAcquire` and `release`, in one method on purpose: its bytecode
   * stays above TurboFan's inlining limit (`--max-inlined-bytecode-size`, 460 bytes on Nodes 20-26),
   * so it is never inlined into the hot paths, nor through them into a caller's loop, however often
   * a program takes it. tests/local-pool-inlining.test.ts checks the size with `--print-bytecode`.
   * The release half is `_releaseSlow`, `_refuseNotLent` and `_store` of earlier versions, written
   * out here for the same reason.
   */
  private _cold(obj: T | undefined, op: Cold): T | undefined {
    if (op !== Cold.Release) {
      if (this._slotIdle === 1) {
        // The slot's hit would make `_hits` reach HITS_WRAP: it wraps.
        this._slotIdle = 0;
        this._countHit();
        return this._slot as T;
      }
      // acquire() or tryAcquire() found the slot empty.
      if (this._closed) throw this._closedError();
      obj = this._stack.pop();
      if (obj !== undefined) {
        this._countHit();
      } else {
        this._misses++;
        obj = this._fromSource();
        if (obj === undefined) {
          if (op === Cold.TryAcquire) return undefined;
          const limit = this._config.limit;
          throw exhausted(this._name, limit, this._live >= limit);
        }
      }
      this._onLend(obj);
      // Bind the slot to the object lent, so that its release takes the slot path (the slot is not
      // idle here: an idle slot would have served this acquire). Leak tracking keeps no reference.
      this._slot = this._bindLent && !this._waiting() ? obj : NO_SLOT;
      return obj;
    }

    // release() of anything but the slot's lent object, or with a policy that sees every release.
    const o = obj as T;
    if (o === null || (typeof o !== 'object' && typeof o !== 'function')) throw notAnObject(this._name, o);
    const stack = this._stack;
    if (this._ledger !== undefined) this._ledger.release(o);
    else if (o !== this._slot || this._slotIdle === 1) {
      // Unchecked mode's refusals for an object that is not the slot's lent one: it is idle (in the
      // slot or on top of the stack), or no other object is lent, so it cannot be one this pool lent.
      if ((o === this._slot && this._slotIdle === 1) || (stack.length > 0 && stack[stack.length - 1] === o)) throw alreadyIdle(this._name);
      const lent = this._live - this._idle();
      const slotLent = this._slot !== NO_SLOT && this._slotIdle === 0 ? 1 : 0;
      if (lent - slotLent <= 0) throw notLent(this._name, lent === 0);
    }
    // The slot's lent object is back: unbind it, or it would stay "lent" wherever it goes now.
    if (o === this._slot) this._slot = NO_SLOT;
    if (this._leaks !== undefined) this._leaks.release(o);
    if (this._closed) {
      this._discard(o);
      return undefined;
    }
    const reset = this._config.reset;
    if (reset !== undefined) {
      let keep: boolean | void;
      try {
        keep = reset(o);
      } catch (error) {
        this._discard(o);
        throw error;
      }
      if (keep === false) {
        this._discard(o);
        return undefined;
      }
    }
    if (this._waiting()) {
      this._handToWaiter(o, true);
      return undefined;
    }

    // Store it: in the slot or on the stack, spilling or disposing the surplus. An unbound slot
    // takes it (so does a bound one when the stack is full); while the slot's own object is out,
    // another goes on the stack, so that one's release stays on the slot path.
    const room = stack.length < this._stackCap;
    if (this._slotOn && this._slotIdle === 0) {
      // Leak tracking: an acquire due for sampling must find the slot empty, so it takes the cold path.
      const due = room && this._leaks !== undefined && this._leaks.isDue(this._acquires() + 1);
      if ((this._slot === NO_SLOT || !room) && !due) {
        this._putInSlot(o);
        return undefined;
      }
    }
    if (room) {
      stack.push(o);
      return undefined;
    }
    const disposeBatch = this._config.disposeBatch;
    if (disposeBatch !== undefined && stack.length > 0) {
      // Spill the older half: the recently used objects (cache-warm) stay here.
      const spill = stack.splice(0, Math.max(1, stack.length >> 1));
      for (const s of spill) this._leave(s);
      try {
        disposeBatch(spill);
      } finally {
        stack.push(o);
      }
      return undefined;
    }
    if (this._soft !== undefined && this._soft.retain(o)) {
      this._live--;
      return undefined;
    }
    this._discard(o);
    return undefined;
  }
}
