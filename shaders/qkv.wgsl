// Splits the fused q/k/v projection of n new tokens into attention inputs:
//   query heads -> q (n, heads, dim), rotated;
//   key heads   -> rows start .. start+n-1 of the KV cache's k, rotated;
//   value heads -> the same rows of the cache's v, unchanged.
// With NORM (qwen3), query and key heads are first RMS-normalised over head_dim with q_norm / k_norm.
// RoPE is rotate_half (dimension i pairs with i + dim/2), cos/sin from the CPU-computed table as in rope.wgsl.
// One invocation per (token, head of q|k|v), each owning a whole head: barrier-free.

struct Params {
  n: u32,
  heads: u32,     // query heads
  kv_heads: u32,
  dim: u32,       // head_dim (even)
  start: u32,     // position of token 0 = first cache row written
  norm: u32,      // 1: apply q_norm / k_norm (qwen3)
  eps: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> qkv: array<f32>;           // (n, heads + 2·kv_heads, dim)
@group(0) @binding(2) var<storage, read> table: array<vec2f>;       // (positions, dim/2): (cos, sin)
@group(0) @binding(3) var<storage, read> q_norm: array<f32>;        // (dim), read only when norm = 1
@group(0) @binding(4) var<storage, read> k_norm: array<f32>;        // (dim), read only when norm = 1
@group(0) @binding(5) var<storage, read_write> q: array<f32>;       // (n, heads, dim)
@group(0) @binding(6) var<storage, read_write> k_cache: array<f32>; // (max_len, kv_heads, dim)
@group(0) @binding(7) var<storage, read_write> v_cache: array<f32>; // (max_len, kv_heads, dim)

override WG: u32 = 64;

fn norm_weight(is_query: bool, i: u32) -> f32 {
  if (p.norm == 0u) {
    return 1.0;
  }
  return select(k_norm[i], q_norm[i], is_query);
}

@compute @workgroup_size(WG)
fn qkv_split(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let width = p.heads + 2u * p.kv_heads;
  let id = gid.x + gid.y * nwg.x * WG; // t * width + j
  if (id >= p.n * width) {
    return;
  }
  let t = id / width;
  let j = id - t * width;
  let src = id * p.dim;
  let row = p.start + t; // cache row
  if (j >= p.heads + p.kv_heads) {
    let dst = (row * p.kv_heads + (j - p.heads - p.kv_heads)) * p.dim;
    for (var i = 0u; i < p.dim; i++) {
      v_cache[dst + i] = qkv[src + i];
    }
    return;
  }
  let is_query = j < p.heads;
  var scale = 1.0;
  if (p.norm != 0u) {
    var ss = 0.0;
    for (var i = 0u; i < p.dim; i++) {
      ss += qkv[src + i] * qkv[src + i];
    }
    scale = 1.0 / sqrt(ss / f32(p.dim) + p.eps);
  }
  let half = p.dim / 2u;
  for (var i = 0u; i < half; i++) {
    let x1 = qkv[src + i] * scale * norm_weight(is_query, i);
    let x2 = qkv[src + i + half] * scale * norm_weight(is_query, i + half);
    let cs = table[row * half + i];
    let r1 = x1 * cs.x - x2 * cs.y;
    let r2 = x2 * cs.x + x1 * cs.y;
    if (is_query) {
      let dst = (t * p.heads + j) * p.dim;
      q[dst + i] = r1;
      q[dst + i + half] = r2;
    } else {
      let dst = (row * p.kv_heads + (j - p.heads)) * p.dim;
      k_cache[dst + i] = r1;
      k_cache[dst + i + half] = r2;
    }
  }
}
