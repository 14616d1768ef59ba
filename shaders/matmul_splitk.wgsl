// y = x · Wᵀ with W in Hugging Face layout (out_features, in_features), row-major.
// Split-K: one workgroup per 4 outputs (× 4 tokens in matmul_splitk); its WG threads stride K with
// vec4 loads (adjacent threads read adjacent memory) and the partial sums are reduced at the end, with
// subgroupAdd plus one barrier when SUBGROUPS is set, else with a tree in workgroup memory.
// The variant for GPUs and lavapipe at few tokens (decode, verifying drafted tokens).
// K must be a multiple of 4 (checked on the CPU); M and N are arbitrary. WG must be a power of two.
#if F16
enable f16;
#endif
#if SUBGROUPS
enable subgroups;
#endif
#if F16
alias WV = vec4<f16>;
#else
alias WV = vec4<f32>;
#endif

struct Params {
  m: u32,  // tokens (rows of x and y)
  n: u32,  // outputs (rows of W)
  k: u32,  // inputs
  accumulate: u32,  // 1: y += x·Wᵀ (residual connections), 0: y = x·Wᵀ
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<vec4f>;        // (m, k/4)
@group(0) @binding(2) var<storage, read> w: array<WV>;           // (n, k/4)
@group(0) @binding(3) var<storage, read_write> y: array<f32>;    // (m, n)

fn store(i: u32, v: f32) {
  if (p.accumulate != 0u) {
    y[i] += v;
  } else {
    y[i] = v;
  }
}

override WG: u32 = 64;

var<workgroup> partial: array<mat4x4f, WG>;
#if SUBGROUPS
var<private> lane: u32;       // subgroup_invocation_id
#endif

fn w_cols(n0: u32, k: u32, k4: u32) -> mat4x4f {
  let last = p.n - 1u;
  return mat4x4f(
    vec4f(w[min(n0, last) * k4 + k]),
    vec4f(w[min(n0 + 1u, last) * k4 + k]),
    vec4f(w[min(n0 + 2u, last) * k4 + k]),
    vec4f(w[min(n0 + 3u, last) * k4 + k]),
  );
}

// Sum of `v` over the workgroup, valid in invocation 0. Called in uniform control flow.
// WebGPU does not say how subgroups map onto local_invocation_index, so each subgroup's sum is left in
// the slot of its lane 0 and invocation 0 adds all slots.
fn workgroup_sum(v: mat4x4f, lid: u32) -> mat4x4f {
#if SUBGROUPS
  let s = mat4x4f(subgroupAdd(v[0]), subgroupAdd(v[1]), subgroupAdd(v[2]), subgroupAdd(v[3]));
  partial[lid] = mat4x4f();
  if (lane == 0u) {
    partial[lid] = s;
  }
  workgroupBarrier();
  var total = mat4x4f();
  if (lid == 0u) {
    for (var i = 0u; i < WG; i++) {
      total += partial[i];
    }
  }
  return total;
#else
  partial[lid] = v;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride /= 2u) {
    if (lid < stride) {
      partial[lid] += partial[lid + stride];
    }
    workgroupBarrier();
  }
  return partial[0];
#endif
}

// m == 1: workgroup i computes y[0, 4i .. 4i+3].
@compute @workgroup_size(WG)
fn matvec_splitk(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32,
#if SUBGROUPS
  @builtin(subgroup_invocation_id) sg_id: u32,
#endif
) {
#if SUBGROUPS
  lane = sg_id;
#endif
  let n0 = (wid.x + wid.y * nwg.x) * 4u;
  let live = n0 < p.n; // uniform across the workgroup
  let k4 = p.k / 4u;
  var acc = vec4f(0.0);
  if (live) {
    for (var k = lid; k < k4; k += WG) {
      acc += x[k] * w_cols(n0, k, k4);
    }
  }
  let total = workgroup_sum(mat4x4f(acc, vec4f(), vec4f(), vec4f()), lid)[0];
  if (live && lid == 0u) {
    for (var j = 0u; j < 4u; j++) {
      if (n0 + j < p.n) {
        store(n0 + j, total[j]);
      }
    }
  }
}

// Any m: workgroup (i, t) computes y[4t .. 4t+3, 4i .. 4i+3].
@compute @workgroup_size(WG)
fn matmul_splitk(
  @builtin(workgroup_id) wid: vec3u,
  @builtin(local_invocation_index) lid: u32,
#if SUBGROUPS
  @builtin(subgroup_invocation_id) sg_id: u32,
#endif
) {
#if SUBGROUPS
  lane = sg_id;
#endif
  let n0 = wid.x * 4u;
  let m0 = wid.y * 4u;
  let live = n0 < p.n && m0 < p.m;
  let k4 = p.k / 4u;
  let last = p.m - 1u;
  let x0 = min(m0, last) * k4;
  let x1 = min(m0 + 1u, last) * k4;
  let x2 = min(m0 + 2u, last) * k4;
  let x3 = min(m0 + 3u, last) * k4;
  var acc = mat4x4f(); // acc[j][i] = partial y[m0 + i, n0 + j]
  if (live) {
    for (var k = lid; k < k4; k += WG) {
      let xs = transpose(mat4x4f(x[x0 + k], x[x1 + k], x[x2 + k], x[x3 + k]));
      acc += xs * w_cols(n0, k, k4);
    }
  }
  let total = workgroup_sum(acc, lid);
  if (live && lid == 0u) {
    for (var i = 0u; i < 4u; i++) {
      for (var j = 0u; j < 4u; j++) {
        if (m0 + i < p.m && n0 + j < p.n) {
          store((m0 + i) * p.n + n0 + j, total[j][i]);
        }
      }
    }
  }
}
