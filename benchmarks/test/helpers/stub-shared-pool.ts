/**
 * Test-only stand-in for SharedPool, so the contention harness's protocol (barrier, stop flag,
 * counting, shared vs own pools) is tested on its own. A lock around a stack of indices in a
 * SharedArrayBuffer, plus a release counter the test checks the harness's arithmetic against. It is
 * never used by the bench CLI, which reports a missing SharedPool as a failure.
 */
const LOCK = 0;
const TOP = 1;
const RELEASES = 2;
const ATTACHED = 3;
const HEADER = 4;

interface Block {
  readonly index: number;
  readonly bytes: Uint8Array;
}

/** Every pool created in this isolate, so a test can read their counters after the run. */
export const created: SharedPool[] = [];

export class SharedPool {
  readonly handle: { sab: SharedArrayBuffer; blocks: number; blockSize: number };
  private readonly i32: Int32Array;
  private readonly views: Block[] = [];

  static create(opts: { blockSize: number; blocks: number }): SharedPool {
    const sab = new SharedArrayBuffer((HEADER + opts.blocks) * 4 + opts.blocks * opts.blockSize);
    const i32 = new Int32Array(sab, 0, HEADER + opts.blocks);
    for (let i = 0; i < opts.blocks; i++) i32[HEADER + i] = i;
    i32[TOP] = opts.blocks;
    const pool = new SharedPool({ sab, blocks: opts.blocks, blockSize: opts.blockSize });
    created.push(pool);
    return pool;
  }

  static attach(handle: SharedPool['handle']): SharedPool {
    return new SharedPool(handle);
  }

  private constructor(handle: SharedPool['handle']) {
    this.handle = handle;
    this.i32 = new Int32Array(handle.sab, 0, HEADER + handle.blocks);
    const base = (HEADER + handle.blocks) * 4;
    for (let i = 0; i < handle.blocks; i++) {
      this.views.push({ index: i, bytes: new Uint8Array(handle.sab, base + i * handle.blockSize, handle.blockSize) });
    }
    Atomics.add(this.i32, ATTACHED, 1);
  }

  private lock(): void {
    // INVARIANT: LOCK is 0 (free) or 1 (held); a waiter sleeps while it reads 1.
    while (Atomics.compareExchange(this.i32, LOCK, 0, 1) !== 0) Atomics.wait(this.i32, LOCK, 1, 1);
  }

  private unlock(): void {
    // INVARIANT: only the holder stores 0; one sleeper is woken to retry.
    Atomics.store(this.i32, LOCK, 0);
    Atomics.notify(this.i32, LOCK, 1);
  }

  acquire(): Block {
    this.lock();
    const top = this.i32[TOP]!;
    if (top === 0) {
      this.unlock();
      throw new Error('stub pool exhausted');
    }
    this.i32[TOP] = top - 1;
    const index = this.i32[HEADER + top - 1]!;
    this.unlock();
    return this.views[index]!;
  }

  release(block: Block | number): void {
    const index = typeof block === 'number' ? block : block.index;
    this.lock();
    const top = this.i32[TOP]!;
    this.i32[HEADER + top] = index;
    this.i32[TOP] = top + 1;
    this.unlock();
    // INVARIANT: counts every release, so a test can compare with the pairs the harness reports.
    Atomics.add(this.i32, RELEASES, 1);
  }

  close(): void {}

  get stats(): { free: number; retries: number; waits: number } {
    return { free: Atomics.load(this.i32, TOP), retries: 0, waits: 0 };
  }

  get releases(): number {
    return Atomics.load(this.i32, RELEASES);
  }

  get attached(): number {
    return Atomics.load(this.i32, ATTACHED);
  }
}
