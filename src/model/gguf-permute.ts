/**
 * The Q/K row permutation between Hugging Face's Llama layout and GGUF's.
 *
 * HF applies RoPE with "rotate_half": in each head of `headDim` rows, row i pairs with row i + headDim/2.
 * llama.cpp's Llama graph uses RoPE "NORM" mode, which pairs rows (2i, 2i+1), so convert_hf_to_gguf.py
 * reorders the rows of q_proj and k_proj (weights and biases) head by head:
 *   GGUF row h*headDim + 2i + s  <-  HF row h*headDim + s*headDim/2 + i      (i < headDim/2, s in {0, 1})
 * Only general.architecture "llama" is permuted; qwen2/qwen3 use llama.cpp's NEOX mode (= rotate_half) unpermuted.
 */

/** GGUF Llama row order -> HF row order. `data` is (numHeads * headDim, rowLength), row-major. */
export function unpermuteQk(data: Float32Array, numHeads: number, rowLength: number): Float32Array {
  return permuteRows(data, numHeads, rowLength, false);
}

/** HF row order -> GGUF Llama row order (what convert_hf_to_gguf.py does; used by the test writer). */
export function permuteQk(data: Float32Array, numHeads: number, rowLength: number): Float32Array {
  return permuteRows(data, numHeads, rowLength, true);
}

function permuteRows(data: Float32Array, numHeads: number, rowLength: number, toGguf: boolean): Float32Array {
  const rows = data.length / rowLength;
  const headDim = rows / numHeads;
  const half = headDim / 2;
  const out = new Float32Array(data.length);
  for (let h = 0; h < numHeads; h++) {
    for (let i = 0; i < half; i++) {
      for (let s = 0; s < 2; s++) {
        const gguf = h * headDim + 2 * i + s;
        const hf = h * headDim + s * half + i;
        const [to, from] = toGguf ? [gguf, hf] : [hf, gguf];
        out.set(data.subarray(from * rowLength, (from + 1) * rowLength), to * rowLength);
      }
    }
  }
  return out;
}
