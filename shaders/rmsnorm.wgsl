// RMSNorm over the last dimension: out[r, :] = x[r, :] / sqrt(mean(x[r, :]^2) + eps) * weight.
// Also used per attention head (qwen3 q/k norm) by viewing (n, heads, head_dim) as (n * heads, head_dim).

struct Params {
  rows: u32,
  dim: u32,
  eps: f32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;          // (rows, dim)
@group(0) @binding(2) var<storage, read> weight: array<f32>;     // (dim)
@group(0) @binding(3) var<storage, read_write> out: array<f32>;  // (rows, dim)

override WG: u32 = 64;

// One invocation per row, no barriers: the variant for CPU emulation (SwiftShader).
@compute @workgroup_size(WG)
fn rmsnorm_row(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let row = gid.x + gid.y * nwg.x * WG;
  if (row >= p.rows) {
    return;
  }
  let base = row * p.dim;
  var ss = 0.0;
  for (var d = 0u; d < p.dim; d++) {
    let v = x[base + d];
    ss += v * v;
  }
  let scale = 1.0 / sqrt(ss / f32(p.dim) + p.eps);
  for (var d = 0u; d < p.dim; d++) {
    out[base + d] = x[base + d] * scale * weight[d];
  }
}

var<workgroup> partial: array<f32, WG>;

// One workgroup per row; its WG threads stride the row and reduce through workgroup memory (GPUs).
// WG must be a power of two.
@compute @workgroup_size(WG)
fn rmsnorm_wg(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let row = wid.x + wid.y * nwg.x;
  let live = row < p.rows; // a whole workgroup is live or not, so barriers stay uniform
  let base = select(0u, row * p.dim, live);
  var ss = 0.0;
  if (live) {
    for (var d = lid; d < p.dim; d += WG) {
      let v = x[base + d];
      ss += v * v;
    }
  }
  partial[lid] = ss;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) {
      partial[lid] += partial[lid + stride];
    }
    workgroupBarrier();
  }
  let scale = 1.0 / sqrt(partial[0] / f32(p.dim) + p.eps);
  if (live) {
    for (var d = lid; d < p.dim; d += WG) {
      out[base + d] = x[base + d] * scale * weight[d];
    }
  }
}
