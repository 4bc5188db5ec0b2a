/** A LocalPool source that numbers what it makes and records what the pool disposes. */

export interface Obj {
  id: number;
  dirty: boolean;
}

export function counter() {
  let next = 0;
  const disposed: Obj[] = [];
  return {
    create: (): Obj => ({ id: next++, dirty: false }),
    dispose: (o: Obj) => void disposed.push(o),
    disposed,
    /** Objects made so far. */
    get made() {
      return next;
    },
  };
}
