// WGSL sources are imported as strings (`import code from '../../shaders/x.wgsl?raw'`); Vite and Vitest resolve `?raw`.
declare module '*.wgsl?raw' {
  const code: string;
  export default code;
}
