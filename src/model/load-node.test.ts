import { rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectSameValues } from '../../test/utils/compare';
import { modelToGguf, modelToHf, writeTempFiles } from '../../test/utils/model-files';
import { SHAPES, randomModel } from '../../test/utils/random-model';
import { fileSource, loadModelPath } from './load-node';

const model = randomModel(SHAPES.qwen3, 12);
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('loading from disk', () => {
  it('a .gguf file and an HF folder give the same weights', async () => {
    const files = modelToHf(model, { dtype: 'f32', shards: 2 });
    files.set('model.gguf', modelToGguf(model, { dtype: 'f32' }));
    const dir = await writeTempFiles(files);
    dirs.push(dir);
    const hf = await loadModelPath(dir);
    const gguf = await loadModelPath(join(dir, 'model.gguf'));
    expect(gguf.config).toEqual(hf.config);
    for (const name of hf.tensors.keys()) expectSameValues(await gguf.readF32(name), await hf.readF32(name), name);
  });

  it('names the path when it does not exist, and the file when it is cut short', async () => {
    await expect(loadModelPath('/nonexistent/model.gguf')).rejects.toMatchObject({ code: 'model-format', message: '/nonexistent/model.gguf: no such file or folder' });
    const dir = await writeTempFiles(new Map([['m.gguf', modelToGguf(model, { dtype: 'f32' })]]));
    dirs.push(dir);
    const path = join(dir, 'm.gguf');
    const src = await fileSource(path);
    await truncate(path, 1000);
    await expect(src.read(0, 2000)).rejects.toMatchObject({ code: 'model-format', message: expect.stringMatching(/^m\.gguf: file shrank/) });
    await expect(loadModelPath(path)).rejects.toMatchObject({ code: 'model-format', message: expect.stringMatching(/^m\.gguf: file is truncated/) });
    await writeFile(path, 'not a model');
    await expect(loadModelPath(path)).rejects.toMatchObject({ message: 'm.gguf: not a GGUF or safetensors model file' });
  });
});
