/**
 * What callers hand in during one turn of the event loop, handed on together: the records of an
 * SQS batch run side by side, so their reads (BatchReader) and writes (BatchWriter) land in the
 * same turn and can share calls. `flush` gets everything added before the turn ended, once.
 */
export class TurnGatherer<T> {
  private waiting: T[] = [];
  private scheduled = false;
  private readonly flush: (taken: T[]) => void;

  constructor(flush: (taken: T[]) => void) {
    this.flush = flush;
  }

  add(entry: T): void {
    this.waiting.push(entry);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const taken = this.waiting;
      this.waiting = [];
      this.flush(taken);
    });
  }
}
