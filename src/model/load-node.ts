/**
 * Node-only ByteSources over files on disk, and a loader for a path (GGUF file or HF folder).
 * Not imported by browser code.
 */
import { open as openFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ByteSource } from './byte-source';
import { ModelFormatError } from '../errors';
import { loadModelFile } from './load';
import { loadHfModel } from './load-safetensors';
import type { ModelWeights } from './weights';

/** A ByteSource over a file on disk. `name` defaults to the file name. */
export async function fileSource(path: string, name = basename(path)): Promise<ByteSource> {
  const { size } = await stat(path);
  return {
    name,
    size,
    async read(offset, length) {
      if (offset < 0 || length < 0 || offset + length > size) {
        throw new ModelFormatError('model-format', `${name}: read of bytes [${offset}, ${offset + length}) is past the end of the file (${size} bytes); the file is truncated`);
      }
      const fh = await openFile(path, 'r');
      try {
        const out = new Uint8Array(length);
        let done = 0;
        while (done < length) {
          const { bytesRead } = await fh.read(out, done, length - done, offset + done);
          if (bytesRead === 0) throw new ModelFormatError('model-format', `${name}: file shrank while reading; it is truncated`);
          done += bytesRead;
        }
        return out;
      } finally {
        await fh.close();
      }
    },
  };
}

/** Loads a `.gguf` file or a Hugging Face model folder from disk. */
export async function loadModelPath(path: string): Promise<ModelWeights> {
  const s = await stat(path).catch(() => undefined);
  if (!s) throw new ModelFormatError('model-format', `${path}: no such file or folder`);
  if (s.isFile()) return loadModelFile(await fileSource(path));
  return loadHfModel(async (name) => {
    const p = join(path, name);
    const st = await stat(p).catch(() => undefined);
    return st?.isFile() ? fileSource(p, name) : undefined;
  }, path);
}
