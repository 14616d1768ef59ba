// y = x · Wᵀ with W in Hugging Face layout (out_features, in_features), row-major.
// Register-blocked and barrier-free: each invocation owns 4 outputs (matvec_rows) or a 4×4 tile of
// tokens × outputs (matmul_rows) and walks K alone with vec4 loads. The variant for CPU emulation
// (SwiftShader), where workgroup memory and barriers are slow; also the many-token fallback elsewhere.
// K must be a multiple of 4 (checked on the CPU); M and N are arbitrary.
// PACKED: W as IEEE halves packed in pairs into u32 (element 2i in the low 16 bits of word i), read
// 8 per vec4<u32> load and widened with the core builtin unpack2x16float: f16 storage on adapters
// without shader-f16. Rows are zero-padded to a multiple of 8 halves so every load is aligned.
#if F16
enable f16;
alias WV = vec4<f16>;
#else
#if PACKED
alias WV = vec4<u32>;
#else
alias WV = vec4<f32>;
#endif
#endif

struct Params {
  m: u32,  // tokens (rows of x and y)
  n: u32,  // outputs (rows of W)
  k: u32,  // inputs
  accumulate: u32,  // 1: y += x·Wᵀ (residual connections), 0: y = x·Wᵀ
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<vec4f>;        // (m, k/4)
@group(0) @binding(2) var<storage, read> w: array<WV>;           // (n, k/4), PACKED: (n, ceil(k/8))
@group(0) @binding(3) var<storage, read_write> y: array<f32>;    // (m, n)

fn store(i: u32, v: f32) {
  if (p.accumulate != 0u) {
    y[i] += v;
  } else {
    y[i] = v;
  }
}

override WG: u32 = 64;

#if PACKED
// Halves 0..3 (lo4) and 4..7 (hi4) of 8 packed weights.
fn lo4(h: vec4u) -> vec4f {
  return vec4f(unpack2x16float(h.x), unpack2x16float(h.y));
}
fn hi4(h: vec4u) -> vec4f {
  return vec4f(unpack2x16float(h.z), unpack2x16float(h.w));
}

// Word offsets of rows n0..n0+3 of packed W (rows past the end repeat the last one; their results are dropped).
fn packed_rows(n0: u32, stride: u32) -> vec4u {
  return min(vec4u(n0) + vec4u(0u, 1u, 2u, 3u), vec4u(p.n - 1u)) * stride;
}
#else
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
#endif

// m == 1: invocation i computes y[0, 4i .. 4i+3].
@compute @workgroup_size(WG)
fn matvec_rows(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let n0 = (gid.x + gid.y * nwg.x * WG) * 4u;
  if (n0 >= p.n) {
    return;
  }
  var acc = vec4f(0.0); // acc[j] = partial y[n0 + j]
#if PACKED
  let k8 = p.k / 8u; // whole 8-weight chunks; one more, half padding, when K % 8 == 4
  let r = packed_rows(n0, (p.k + 7u) / 8u);
  for (var c = 0u; c < k8; c++) {
    let h0 = w[r.x + c];
    let h1 = w[r.y + c];
    let h2 = w[r.z + c];
    let h3 = w[r.w + c];
    acc += x[2u * c] * mat4x4f(lo4(h0), lo4(h1), lo4(h2), lo4(h3));
    acc += x[2u * c + 1u] * mat4x4f(hi4(h0), hi4(h1), hi4(h2), hi4(h3));
  }
  if (p.k % 8u != 0u) {
    acc += x[2u * k8] * mat4x4f(lo4(w[r.x + k8]), lo4(w[r.y + k8]), lo4(w[r.z + k8]), lo4(w[r.w + k8]));
  }
#else
  let k4 = p.k / 4u;
  for (var k = 0u; k < k4; k++) {
    acc += x[k] * w_cols(n0, k, k4); // row vector × matrix: dot(x, W row) for 4 rows
  }
#endif
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
#if PACKED
  let k8 = p.k / 8u;
  let r = packed_rows(n0, (p.k + 7u) / 8u);
  for (var c = 0u; c < k8; c++) {
    let h0 = w[r.x + c];
    let h1 = w[r.y + c];
    let h2 = w[r.z + c];
    let h3 = w[r.w + c];
    let k = 2u * c;
    acc += transpose(mat4x4f(x[x0 + k], x[x1 + k], x[x2 + k], x[x3 + k])) * mat4x4f(lo4(h0), lo4(h1), lo4(h2), lo4(h3));
    let k1 = k + 1u;
    acc += transpose(mat4x4f(x[x0 + k1], x[x1 + k1], x[x2 + k1], x[x3 + k1])) * mat4x4f(hi4(h0), hi4(h1), hi4(h2), hi4(h3));
  }
  if (p.k % 8u != 0u) {
    let k = 2u * k8;
    let ws = mat4x4f(lo4(w[r.x + k8]), lo4(w[r.y + k8]), lo4(w[r.z + k8]), lo4(w[r.w + k8]));
    acc += transpose(mat4x4f(x[x0 + k], x[x1 + k], x[x2 + k], x[x3 + k])) * ws;
  }
#else
  for (var k = 0u; k < k4; k++) {
    let xs = transpose(mat4x4f(x[x0 + k], x[x1 + k], x[x2 + k], x[x3 + k]));
    acc += xs * w_cols(n0, k, k4);
  }
#endif
  for (var i = 0u; i < 4u; i++) {
    for (var j = 0u; j < 4u; j++) {
      if (m0 + i < p.m && n0 + j < p.n) {
        store((m0 + i) * p.n + n0 + j, acc[j][i]);
      }
    }
  }
}
