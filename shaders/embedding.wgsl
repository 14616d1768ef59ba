// Embedding lookup: out[t, :] = table[ids[t], :].
#if F16
enable f16;
alias WT = f16;
#else
alias WT = f32;
#endif

struct Params {
  n: u32,      // tokens
  dim: u32,    // hidden size
  vocab: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> ids: array<u32>;        // (n)
@group(0) @binding(2) var<storage, read> table: array<WT>;       // (vocab, dim)
@group(0) @binding(3) var<storage, read_write> out: array<f32>;  // (n, dim)

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn embedding(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n * p.dim) {
    return;
  }
  let t = i / p.dim;
  let d = i - t * p.dim;
  // Ids are validated on the CPU; the clamp only keeps a bad id from reading outside the table.
  let id = min(ids[t], p.vocab - 1u);
  out[i] = f32(table[id * p.dim + d]);
}
