// SwiGLU over the fused gate/up projection: out[t, i] = silu(gu[t, i]) · gu[t, f + i],
// silu(g) = g / (1 + exp(-g)).

struct Params {
  n: u32,  // tokens
  f: u32,  // intermediate_size
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> gu: array<f32>;         // (n, 2f): [gate | up] per token
@group(0) @binding(2) var<storage, read_write> out: array<f32>;  // (n, f)

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn swiglu(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.n * p.f) {
    return;
  }
  let t = i / p.f;
  let c = i - t * p.f;
  let g = gu[t * 2u * p.f + c];
  out[i] = g / (1.0 + exp(-g)) * gu[t * 2u * p.f + p.f + c];
}
