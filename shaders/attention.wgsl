// Causal attention of n new queries over a KV cache, with grouped-query heads.
// Query t sits at position start + t and sees keys 0 ..= start + t (the cache already holds the new
// keys and values). Query head h reads KV head h / (heads / kv_heads).
// Two entry points, both with a streaming ("online") softmax, so no score matrix is stored:
// - attention_online: one invocation per (token, head), barrier-free (CPU emulation, short contexts);
// - attention_split: one workgroup per (token, head); its WG threads take every WG-th key, then their
//   partial softmax states are merged through workgroup memory (GPUs, long contexts).

struct Params {
  n: u32,         // new tokens
  heads: u32,     // query heads
  kv_heads: u32,
  dim: u32,       // head_dim, a multiple of 4, at most 4 * MAX_DIM4
  start: u32,     // position of the first new token
  scale: f32,     // 1 / sqrt(head_dim)
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> q: array<vec4f>;        // (n, heads, dim/4)
@group(0) @binding(2) var<storage, read> k: array<vec4f>;        // (max_len, kv_heads, dim/4)
@group(0) @binding(3) var<storage, read> v: array<vec4f>;        // (max_len, kv_heads, dim/4)
@group(0) @binding(4) var<storage, read_write> out: array<vec4f>; // (n, heads, dim/4)

override WG: u32 = 64;
const MAX_DIM4 = 64u; // head_dim ≤ 256

// Folds one key into a streaming softmax state: m is the running max of scores, l the running sum of
// exp(score - m), acc the running sum of exp(score - m) * value. kb: offset of the key/value head row.
fn attend_key(
  kb: u32,
  d4: u32,
  qs: ptr<function, array<vec4f, MAX_DIM4>>,
  acc: ptr<function, array<vec4f, MAX_DIM4>>,
  m: ptr<function, f32>,
  l: ptr<function, f32>,
) {
  var s4 = vec4f(0.0);
  for (var d = 0u; d < d4; d++) {
    s4 += (*qs)[d] * k[kb + d];
  }
  let s = s4.x + s4.y + s4.z + s4.w;
  let m_new = max(*m, s);
  let correction = exp(*m - m_new);
  let e = exp(s - m_new);
  *l = *l * correction + e;
  for (var d = 0u; d < d4; d++) {
    (*acc)[d] = (*acc)[d] * correction + e * v[kb + d];
  }
  *m = m_new;
}

@compute @workgroup_size(WG)
fn attention_online(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let id = gid.x + gid.y * nwg.x * WG; // t * heads + h
  if (id >= p.n * p.heads) {
    return;
  }
  let t = id / p.heads;
  let h = id - t * p.heads;
  let kvh = h / (p.heads / p.kv_heads);
  let d4 = p.dim / 4u;
  let last = p.start + t;

  var qs: array<vec4f, MAX_DIM4>;
  var acc: array<vec4f, MAX_DIM4>;
  for (var d = 0u; d < d4; d++) {
    qs[d] = q[id * d4 + d] * p.scale;
    acc[d] = vec4f(0.0);
  }
  var m = -3.0e38; // running max of scores
  var l = 0.0;     // running sum of exp(score - m)
  for (var j = 0u; j <= last; j++) {
    attend_key((j * p.kv_heads + kvh) * d4, d4, &qs, &acc, &m, &l);
  }
  let inv = 1.0 / l;
  for (var d = 0u; d < d4; d++) {
    out[id * d4 + d] = acc[d] * inv;
  }
}

// Workgroup memory of attention_split: each thread's running max and sum, and a block of its
// accumulator (MERGE_DIM4 vec4 at a time) while the accumulators are merged.
const MERGE_DIM4 = 8u; // 8 KiB of accumulators at WG = 64, within the default 16 KiB limit
var<workgroup> wg_m: array<f32, WG>;
var<workgroup> wg_l: array<f32, WG>;
var<workgroup> wg_acc: array<vec4f, WG * MERGE_DIM4>;

@compute @workgroup_size(WG)
fn attention_split(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32,
) {
  let id = wid.x + wid.y * nwg.x; // t * heads + h, uniform across the workgroup
  let live = id < p.n * p.heads;
  let t = id / p.heads;
  let h = id - t * p.heads;
  let kvh = h / (p.heads / p.kv_heads);
  let d4 = p.dim / 4u;
  let last = p.start + t;

  var qs: array<vec4f, MAX_DIM4>;
  var acc: array<vec4f, MAX_DIM4>;
  var m = -3.0e38;
  var l = 0.0;
  if (live) {
    for (var d = 0u; d < d4; d++) {
      qs[d] = q[id * d4 + d] * p.scale;
      acc[d] = vec4f(0.0);
    }
    for (var j = lid; j <= last; j += WG) {
      attend_key((j * p.kv_heads + kvh) * d4, d4, &qs, &acc, &m, &l);
    }
  }
  // Merge: the global max M, then weights exp(m_i - M) for each thread's state.
  wg_m[lid] = m;
  workgroupBarrier();
  var big = -3.0e38;
  for (var i = 0u; i < WG; i++) {
    big = max(big, wg_m[i]);
  }
  let weight = select(0.0, exp(m - big), l > 0.0); // threads that saw no key contribute nothing
  wg_l[lid] = l * weight;
  workgroupBarrier();
  var total = 0.0;
  for (var i = 0u; i < WG; i++) {
    total += wg_l[i];
  }
  let inv = 1.0 / total;
  for (var d0 = 0u; d0 < d4; d0 += MERGE_DIM4) {
    for (var b = 0u; b < MERGE_DIM4; b++) {
      wg_acc[lid * MERGE_DIM4 + b] = select(vec4f(0.0), acc[min(d0 + b, MAX_DIM4 - 1u)] * weight, d0 + b < d4);
    }
    workgroupBarrier();
    if (lid < MERGE_DIM4 && d0 + lid < d4 && live) {
      var sum = vec4f(0.0);
      for (var i = 0u; i < WG; i++) {
        sum += wg_acc[i * MERGE_DIM4 + lid];
      }
      out[id * d4 + d0 + lid] = sum * inv;
    }
    workgroupBarrier();
  }
}
