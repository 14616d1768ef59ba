/**
 * WGSL sources and the one preprocessor Foresight has.
 *
 * Shaders live in `shaders/*.wgsl` and are specialised in two ways only:
 * - `override` constants (workgroup size, ...), set per pipeline;
 * - boolean flags through line directives, for what `override` cannot express (an `enable` line, a type):
 *
 *     #if F16          keep the following lines when the flag F16 is set
 *     #else            ... otherwise these
 *     #endif
 *
 *   Directives must stand alone on their line (leading spaces allowed) and may nest. Flags are named
 *   in upper case and are never tensor shapes: shapes always travel in uniforms.
 */
import { GpuError } from '../errors';

export interface ShaderSource {
  /** File name, used in labels and error messages, e.g. `matmul_rows.wgsl`. */
  readonly name: string;
  readonly code: string;
}

/** Boolean preprocessor flags. Absent flags are false. */
export type ShaderFlags = Readonly<Record<string, boolean>>;

export function shaderSource(name: string, code: string): ShaderSource {
  return Object.freeze({ name, code });
}

const DIRECTIVE = /^\s*#(if|else|endif)\b\s*([A-Z0-9_]*)\s*$/;

/** Applies `#if FLAG / #else / #endif`. Removed lines become empty so compiler line numbers still match the file. */
export function preprocess(src: ShaderSource, flags: ShaderFlags): string {
  const lines = src.code.split('\n');
  // Each entry: is this level's current branch active, and was its enclosing level active.
  const stack: { active: boolean; parentActive: boolean }[] = [];
  const active = () => (stack.length === 0 ? true : stack[stack.length - 1].active);
  const out: string[] = [];
  lines.forEach((line, i) => {
    const m = DIRECTIVE.exec(line);
    if (line.trimStart().startsWith('#') && !m) {
      throw new GpuError('shader-compile', `${src.name}:${i + 1}: unknown preprocessor directive: ${line.trim()}`);
    }
    if (!m) {
      out.push(active() ? line : '');
      return;
    }
    const [, kind, flag] = m;
    if (kind === 'if') {
      if (!flag) throw new GpuError('shader-compile', `${src.name}:${i + 1}: #if needs a flag name`);
      const parentActive = active();
      stack.push({ active: parentActive && flags[flag] === true, parentActive });
    } else if (kind === 'else') {
      const top = stack[stack.length - 1];
      if (!top) throw new GpuError('shader-compile', `${src.name}:${i + 1}: #else without #if`);
      top.active = top.parentActive && !top.active;
    } else {
      if (!stack.pop()) throw new GpuError('shader-compile', `${src.name}:${i + 1}: #endif without #if`);
    }
    out.push('');
  });
  if (stack.length) throw new GpuError('shader-compile', `${src.name}: unterminated #if`);
  return out.join('\n');
}
