// y = x · Wᵀ with W in Hugging Face layout (out_features, in_features), row-major.
// Register-blocked and barrier-free: each invocation owns 4 outputs (matvec_rows) or a 4×4 tile of
// tokens × outputs (matmul_rows) and walks K alone with vec4 loads. The variant for CPU emulation
// (SwiftShader), where workgroup memory and barriers are slow; also the many-token fallback elsewhere.
// K must be a multiple of 4 (checked on the CPU); M and N are arbitrary.
#if F16
enable f16;
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

// Rows n0..n0+3 of W as the columns of a matrix (rows past the end repeat the last one; their results are dropped).
fn w_cols(n0: u32, k: u32, k4: u32) -> mat4x4f {
  let last = p.n - 1u;
  return mat4x4f(
    vec4f(w[min(n0, last) * k4 + k]),
    vec4f(w[min(n0 + 1u, last) * k4 + k]),
    vec4f(w[min(n0 + 2u, last) * k4 + k]),
    vec4f(w[min(n0 + 3u, last) * k4 + k]),
  );
}

// m == 1: invocation i computes y[0, 4i .. 4i+3].
@compute @workgroup_size(WG)
fn matvec_rows(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let n0 = (gid.x + gid.y * nwg.x * WG) * 4u;
  if (n0 >= p.n) {
    return;
  }
  let k4 = p.k / 4u;
  var acc = vec4f(0.0); // acc[j] = partial y[n0 + j]
  for (var k = 0u; k < k4; k++) {
    acc += x[k] * w_cols(n0, k, k4); // row vector × matrix: dot(x, W row) for 4 rows
  }
  for (var j = 0u; j < 4u; j++) {
    if (n0 + j < p.n) {
      store(n0 + j, acc[j]);
    }
  }
}

// Any m: invocation (i, t) computes y[4t .. 4t+3, 4i .. 4i+3].
@compute @workgroup_size(WG)
fn matmul_rows(@builtin(global_invocation_id) gid: vec3u) {
  let n0 = gid.x * 4u;
  let m0 = gid.y * 4u;
  if (n0 >= p.n || m0 >= p.m) {
    return;
  }
  let k4 = p.k / 4u;
  let last = p.m - 1u;
  let x0 = min(m0, last) * k4;
  let x1 = min(m0 + 1u, last) * k4;
  let x2 = min(m0 + 2u, last) * k4;
  let x3 = min(m0 + 3u, last) * k4;
  var acc = mat4x4f(); // acc[j][i] = partial y[m0 + i, n0 + j]
  for (var k = 0u; k < k4; k++) {
    let xs = transpose(mat4x4f(x[x0 + k], x[x1 + k], x[x2 + k], x[x3 + k]));
    acc += xs * w_cols(n0, k, k4);
  }
  for (var i = 0u; i < 4u; i++) {
    for (var j = 0u; j < 4u; j++) {
      if (m0 + i < p.m && n0 + j < p.n) {
        store((m0 + i) * p.n + n0 + j, acc[j][i]);
      }
    }
  }
}
