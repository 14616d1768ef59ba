// Argmax over the last dimension (greedy decoding without reading logits back): the lowest index among
// equal maxima, NaN never wins. Two barrier-free passes: argmax_partial scans chunks of each row,
// argmax_final scans a row's chunk results.

struct Params {
  rows: u32,
  cols: u32,
  chunk: u32,   // columns per partial scan
  chunks: u32,  // ceil(cols / chunk)
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;                // (rows, cols)
@group(0) @binding(2) var<storage, read_write> partial: array<vec2u>;  // (rows, chunks): (index, bitcast value)
@group(0) @binding(3) var<storage, read_write> out: array<u32>;        // (rows)

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn argmax_partial(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let id = gid.x + gid.y * nwg.x * WG; // row * chunks + c
  if (id >= p.rows * p.chunks) {
    return;
  }
  let row = id / p.chunks;
  let c = id - row * p.chunks;
  let begin = c * p.chunk;
  let end = min(begin + p.chunk, p.cols);
  var best = begin;
  var best_v = bitcast<f32>(0xff7fffffu); // -FLT_MAX
  for (var j = begin; j < end; j++) {
    let v = x[row * p.cols + j];
    if (v > best_v) {
      best_v = v;
      best = j;
    }
  }
  partial[id] = vec2u(best, bitcast<u32>(best_v));
}

@compute @workgroup_size(WG)
fn argmax_final(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let row = gid.x + gid.y * nwg.x * WG;
  if (row >= p.rows) {
    return;
  }
  var best = partial[row * p.chunks];
  for (var c = 1u; c < p.chunks; c++) {
    let e = partial[row * p.chunks + c];
    if (bitcast<f32>(e.y) > bitcast<f32>(best.y)) {
      best = e;
    }
  }
  out[row] = best.x;
}
