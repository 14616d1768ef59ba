// In-place broadcast add: a[i] += b[i % period]. Residual connections (period = len) and biases
// (qwen2's q/k/v, period = features).

struct Params {
  len: u32,     // elements of a
  period: u32,  // elements of b
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> a: array<f32>;  // (len)
@group(0) @binding(2) var<storage, read> b: array<f32>;        // (period)

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn add_inplace(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.len) {
    return;
  }
  a[i] += b[i % p.period];
}
