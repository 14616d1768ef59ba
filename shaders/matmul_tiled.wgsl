// y = x · Wᵀ with W in Hugging Face layout (out_features, in_features), row-major.
// Shared-memory tiles for many tokens (prefill) on GPUs: a workgroup of 16×16 threads computes a
// 64 tokens × 64 outputs block, staging 64×16 slices of x and W in workgroup memory per K step; each
// thread accumulates a 4×4 register tile from them. K must be a multiple of 4 (checked on the CPU);
// M, N and K need not be multiples of the tiles (edges are clamped on load and masked on store).
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
  accumulate: u32,  // 1: y += x·Wᵀ, 0: y = x·Wᵀ
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<vec4f>;        // (m, k/4)
@group(0) @binding(2) var<storage, read> w: array<WV>;           // (n, k/4)
@group(0) @binding(3) var<storage, read_write> y: array<f32>;    // (m, n)

const TILE = 64u;     // tokens and outputs per workgroup
const STEP4 = 4u;     // K step, in vec4 (16 inputs)

var<workgroup> xs: array<vec4f, 256>; // (TILE tokens, STEP4)
var<workgroup> ws: array<vec4f, 256>; // (TILE outputs, STEP4)

@compute @workgroup_size(16, 16)
fn matmul_tiled(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let n0 = wid.x * TILE;
  let m0 = wid.y * TILE;
  let k4 = p.k / 4u;
  let flat = lid.y * 16u + lid.x; // 0..255: which (row, vec4) of the tiles this thread loads
  let row = flat / STEP4;
  let col = flat % STEP4;
  let x_row = min(m0 + row, p.m - 1u) * k4;
  let w_row = min(n0 + row, p.n - 1u) * k4;

  var acc = mat4x4f(); // acc[j][i] = partial y[m0 + 4·lid.y + i, n0 + 4·lid.x + j]
  for (var kb = 0u; kb < k4; kb += STEP4) {
    let kk = kb + col;
    xs[flat] = select(vec4f(0.0), x[x_row + min(kk, k4 - 1u)], kk < k4);
    ws[flat] = select(vec4f(0.0), vec4f(w[w_row + min(kk, k4 - 1u)]), kk < k4);
    workgroupBarrier();
    for (var s = 0u; s < STEP4; s++) {
      let xt = transpose(mat4x4f(
        xs[(lid.y * 4u) * STEP4 + s],
        xs[(lid.y * 4u + 1u) * STEP4 + s],
        xs[(lid.y * 4u + 2u) * STEP4 + s],
        xs[(lid.y * 4u + 3u) * STEP4 + s],
      ));
      let wt = mat4x4f(
        ws[(lid.x * 4u) * STEP4 + s],
        ws[(lid.x * 4u + 1u) * STEP4 + s],
        ws[(lid.x * 4u + 2u) * STEP4 + s],
        ws[(lid.x * 4u + 3u) * STEP4 + s],
      );
      acc += xt * wt;
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i++) {
    for (var j = 0u; j < 4u; j++) {
      let m = m0 + lid.y * 4u + i;
      let n = n0 + lid.x * 4u + j;
      if (m < p.m && n < p.n) {
        let o = m * p.n + n;
        if (p.accumulate != 0u) {
          y[o] += acc[j][i];
        } else {
          y[o] = acc[j][i];
        }
      }
    }
  }
}
