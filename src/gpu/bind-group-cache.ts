/**
 * Bind groups reused across forward passes. A decode step binds the same weights, cache rows, pooled
 * activations and uniform slots every time, so after the first step every createBindGroup is a lookup.
 * Keyed by a path of objects and numbers (pipeline, then buffer, offset, size per binding) in a trie of
 * WeakMaps, so entries die with their buffers.
 */
type Key = object | number;

interface Node {
  objects: WeakMap<object, Node>;
  numbers: Map<number, Node>;
  value?: GPUBindGroup;
}

const node = (): Node => ({ objects: new WeakMap(), numbers: new Map() });

export class BindGroupCache {
  private readonly root = node();
  hits = 0;
  misses = 0;

  get(path: readonly Key[], create: () => GPUBindGroup): GPUBindGroup {
    let n = this.root;
    for (const k of path) {
      const map = typeof k === 'number' ? n.numbers : n.objects;
      let next = (map as Map<Key, Node>).get(k);
      if (!next) {
        next = node();
        (map as Map<Key, Node>).set(k, next);
      }
      n = next;
    }
    if (n.value) {
      this.hits++;
      return n.value;
    }
    this.misses++;
    return (n.value = create());
  }
}
