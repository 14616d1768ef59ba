// SwiGLU: out = silu(gate) * up, silu(g) = g / (1 + exp(-g)).

struct Params {
  len: u32,  // tokens * intermediate_size
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> gate: array<f32>;       // (n, intermediate)
@group(0) @binding(2) var<storage, read> up: array<f32>;         // (n, intermediate)
@group(0) @binding(3) var<storage, read_write> out: array<f32>;  // (n, intermediate)

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn swiglu(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= p.len) {
    return;
  }
  let g = gate[i];
  out[i] = g / (1.0 + exp(-g)) * up[i];
}
