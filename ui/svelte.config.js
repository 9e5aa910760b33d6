// Svelte options shared by Vite and svelte-check. TypeScript in components needs no
// preprocessor with Svelte 5 (type annotations only).
/** @type {import('svelte/compiler').CompileOptions} */
const compilerOptions = { runes: true };

export default { compilerOptions };
