/**
 * One engine, one model pair, one KV cache: generations and loads take turns, first come first served.
 * A caller waiting for its turn can give up (AbortSignal) or be turned away (dispose).
 */
import { AbortError } from '../errors';

type Release = () => void;

interface Waiter {
  grant: (release: Release) => void;
  refuse: (err: unknown) => void;
}

export class TurnQueue {
  private busy = false;
  private readonly waiters: Waiter[] = [];

  /** Resolves when every earlier turn has ended; call the returned function to end this turn. */
  acquire(signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(new AbortError('aborted while waiting for the engine'));
    if (!this.busy) {
      this.busy = true;
      return Promise.resolve(this.releaser());
    }
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = {
        grant: (release) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
        refuse: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      const onAbort = () => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.refuse(new AbortError('aborted while waiting for the engine'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Rejects everyone still waiting (the turn in progress is not affected). */
  refuseAll(err: unknown): void {
    for (const waiter of this.waiters.splice(0)) waiter.refuse(err);
  }

  private releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next.grant(this.releaser());
      else this.busy = false;
    };
  }
}
