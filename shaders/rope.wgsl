// Rotary position embedding, Hugging Face "rotate_half" convention: within each head, dimension i pairs
// with i + dim/2 (i < dim/2) and the pair is rotated by angle position · inv_freq[i]:
//   x'[i]         = x[i] · cos − x[i + dim/2] · sin
//   x'[i + dim/2] = x[i + dim/2] · cos + x[i] · sin
// cos and sin come from a table computed on the CPU (src/kernels/rope.ts), which also applies Llama 3's
// rope_scaling; this keeps large angles exact (WGSL's sin/cos are only accurate near zero).

struct Params {
  n: u32,         // tokens
  heads: u32,
  dim: u32,       // head_dim (even)
  start: u32,     // position of token 0
  dst_row0: u32,  // rope_copy: the token row of dst that receives token 0 (the KV-cache length)
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> table: array<vec2f>;    // (positions, dim/2): (cos, sin)
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;  // (rows, heads, dim)
@group(0) @binding(3) var<storage, read> src: array<f32>;        // (n, heads, dim), rope_copy only

override WG: u32 = 64;

struct Pair {
  t: u32,     // token
  base: u32,  // offset of (t, head) in a (n, heads, dim) tensor
  i: u32,     // dimension pair
  ok: bool,
}

fn pair(gid: vec3u, nwg: vec3u) -> Pair {
  let half = p.dim / 2u;
  let id = gid.x + gid.y * nwg.x * WG;
  let i = id % half;
  let th = id / half; // t * heads + h
  return Pair(th / p.heads, th * p.dim, i, id < p.n * p.heads * half);
}

fn rotate(x1: f32, x2: f32, t: u32, i: u32) -> vec2f {
  let cs = table[(p.start + t) * (p.dim / 2u) + i];
  return vec2f(x1 * cs.x - x2 * cs.y, x2 * cs.x + x1 * cs.y);
}

// Rotates dst (n, heads, dim) in place (queries).
@compute @workgroup_size(WG)
fn rope_inplace(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let q = pair(gid, nwg);
  if (!q.ok) {
    return;
  }
  let a = q.base + q.i;
  let b = a + p.dim / 2u;
  let r = rotate(dst[a], dst[b], q.t, q.i);
  dst[a] = r.x;
  dst[b] = r.y;
}

// Rotates src (n, heads, dim) into rows dst_row0 .. dst_row0+n-1 of dst (keys, straight into the KV cache).
@compute @workgroup_size(WG)
fn rope_copy(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let q = pair(gid, nwg);
  if (!q.ok) {
    return;
  }
  let a = q.base + q.i;
  let b = a + p.dim / 2u;
  let r = rotate(src[a], src[b], q.t, q.i);
  let out = p.dst_row0 * p.heads * p.dim + a;
  dst[out] = r.x;
  dst[out + p.dim / 2u] = r.y;
}
