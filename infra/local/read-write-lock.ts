/**
 * Many shared holders or one exclusive holder at a time. Exclusive requests are served in arrival
 * order and block new shared holders while they wait, so a transaction is never starved.
 */
export class ReadWriteLock {
  private sharedHolders = 0;
  private exclusiveHeld = false;
  private readonly waiting: { exclusive: boolean; start: () => void }[] = [];

  shared<T>(work: () => Promise<T>): Promise<T> {
    return this.acquire(false, work);
  }

  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.acquire(true, work);
  }

  private acquire<T>(exclusive: boolean, work: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        if (exclusive) this.exclusiveHeld = true;
        else this.sharedHolders++;
        work()
          .then(resolve, reject)
          .finally(() => {
            if (exclusive) this.exclusiveHeld = false;
            else this.sharedHolders--;
            this.drain();
          });
      };
      this.waiting.push({ exclusive, start });
      this.drain();
    });
  }

  private drain(): void {
    while (this.waiting.length > 0 && !this.exclusiveHeld) {
      const next = this.waiting[0] as { exclusive: boolean; start: () => void };
      if (next.exclusive && this.sharedHolders > 0) return;
      this.waiting.shift();
      next.start();
      if (next.exclusive) return;
    }
  }
}
