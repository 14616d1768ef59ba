import { describe, expect, test } from 'vitest';
import { StopMatcher } from './stop-matcher';

/** Feeds chunks; returns the emitted text and the index of the chunk that stopped (or -1). */
function run(stops: string[], chunks: string[]): { text: string; stoppedAt: number } {
  const m = new StopMatcher(stops);
  let text = '';
  for (const [i, chunk] of chunks.entries()) {
    const r = m.push(chunk);
    text += r.text;
    if (r.stopped) return { text, stoppedAt: i };
  }
  return { text: text + m.flush(), stoppedAt: -1 };
}

describe('StopMatcher', () => {
  test('a stop string inside one chunk cuts the text before it', () => {
    expect(run(['END'], ['hello END world'])).toEqual({ text: 'hello ', stoppedAt: 0 });
  });

  test('a stop string spanning chunks is found, and nothing of it leaks out', () => {
    const m = new StopMatcher(['</answer>']);
    expect(m.push('42 </an')).toEqual({ text: '42 ', stopped: false });
    expect(m.push('sw')).toEqual({ text: '', stopped: false });
    expect(m.push('er> trailing')).toEqual({ text: '', stopped: true });
  });

  test('one character per chunk', () => {
    expect(run(['stop'], [...'go on stop now'])).toEqual({ text: 'go on ', stoppedAt: 9 });
  });

  test('held text that stops matching is emitted in order', () => {
    const m = new StopMatcher(['abc']);
    expect(m.push('xab')).toEqual({ text: 'x', stopped: false });
    expect(m.push('d')).toEqual({ text: 'abd', stopped: false });
  });

  test('a partial match at the end of the stream is flushed, not lost', () => {
    expect(run(['STOP'], ['almost ST'])).toEqual({ text: 'almost ST', stoppedAt: -1 });
  });

  test('the earliest of several stop strings wins', () => {
    expect(run(['world', 'lo w'], ['hel', 'lo world'])).toEqual({ text: 'hel', stoppedAt: 1 });
  });

  test('overlapping prefixes: "aab" in "aaab"', () => {
    expect(run(['aab'], ['a', 'a', 'a', 'b'])).toEqual({ text: 'a', stoppedAt: 3 });
  });

  test('a stop at the very start emits nothing', () => {
    expect(run(['\n\n'], ['\n', '\nmore'])).toEqual({ text: '', stoppedAt: 1 });
  });

  test('multi-byte characters and empty stop strings', () => {
    expect(run(['', '。'], ['你好', '。再见'])).toEqual({ text: '你好', stoppedAt: 1 });
    expect(run([], ['no stops'])).toEqual({ text: 'no stops', stoppedAt: -1 });
  });
});
